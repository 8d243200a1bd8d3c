package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// UpdateRearmDeadlines is the update every case and plan workflow takes to
// count its pending deadlines again after a calendar publication.
const UpdateRearmDeadlines = "rearm-deadlines"

// RearmCommand carries a publication to a case.
type RearmCommand struct {
	// Version is the calendars' version published (the calendars table's
	// version); a case re-arms for each version once.
	Version int64 `json:"version"`
	// Jurisdiction and Year name the arrangement published, for the step.
	Jurisdiction string         `json:"jurisdiction"`
	Year         int            `json:"year"`
	Actor        casefile.Actor `json:"actor"`
}

// DeadlineMove is one pending deadline whose day changed.
type DeadlineMove struct {
	Kind string      `json:"kind"`
	Ref  string      `json:"ref,omitempty"`
	From policy.Date `json:"from"`
	To   policy.Date `json:"to"`
}

// RearmResult says what a re-arm did in one workflow.
type RearmResult struct {
	// Version is the calendars' version the deadlines are now counted with.
	Version int64 `json:"version"`
	// Applied is false when the workflow had already taken this version
	// (or a later one): nothing changed.
	Applied bool           `json:"applied"`
	Counted int            `json:"counted"`
	Moved   []DeadlineMove `json:"moved"`
	// CountedBefore and MovedBefore, when Applied is false and the
	// workflow took this very version before, are what it counted and
	// moved then: a retried page counts each case as it first did.
	CountedBefore int `json:"counted_before,omitempty"`
	MovedBefore   int `json:"moved_before,omitempty"`
}

// Rearmer sends a publication to the open cases, a page at a time.
type Rearmer struct {
	Store    *db.Store
	Temporal client.Client
	// Parallel bounds the updates in flight; zero means 16.
	Parallel int
}

// RearmPageInput is one page of a re-arm: where it starts, and the
// progress before it.
type RearmPageInput struct {
	Command  RearmCommand     `json:"command"`
	PageSize int              `json:"page_size"`
	Progress db.RearmProgress `json:"progress"`
	// OpenedSince, in the last pass, limits the pages to the cases opened
	// since then.
	OpenedSince time.Time `json:"opened_since,omitzero"`
}

// planWorkflowID is workflows.PlanWorkflowID (activities cannot import
// workflows).
func planWorkflowID(caseID, planID string) string { return "case/" + caseID + "/plan/" + planID }

// RearmPage sends the publication to the next page of open cases after the
// progress's cursor, each case's workflow and its performing plans, waits
// for each to answer, and records the progress after the page. A retried
// page sends the same updates again: each workflow takes a version once.
func (r *Rearmer) RearmPage(ctx context.Context, in RearmPageInput) (db.RearmProgress, error) {
	p := in.Progress
	page, err := r.Store.RearmCandidates(ctx, in.Command.Jurisdiction, p.Cursor, in.OpenedSince, in.PageSize)
	if err != nil {
		return p, err
	}
	if len(page) == 0 {
		if p.LastPass {
			p.Done = true
		} else {
			// Every case has been sent it; now once more those opened
			// about when it was published (see CalendarRearm).
			p.LastPass, p.Cursor = true, ""
		}
		return p, r.Store.SaveRearm(ctx, p)
	}
	type target struct{ workflowID string }
	var targets []target
	for _, c := range page {
		targets = append(targets, target{c.WorkflowID})
		for _, plan := range c.Plans {
			targets = append(targets, target{planWorkflowID(c.CaseID, plan)})
		}
	}
	parallel := r.Parallel
	if parallel <= 0 {
		parallel = 16
	}
	// The update ID carries the attempt: a handler that failed (the worker
	// had not read the publication yet) answers a retry anew, and the
	// workflow itself takes each version once.
	// The last pass has its own IDs too: an update ID the run has seen
	// answers with its first result, which would count its moves twice.
	pass := "first"
	if p.LastPass {
		pass = "last"
	}
	updateID := fmt.Sprintf("rearm-%d-%s-%d", in.Command.Version, pass, activity.GetInfo(ctx).Attempt)
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	done := 0
	for _, t := range targets {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res, closed, err := r.send(ctx, t.workflowID, updateID, in.Command)
			mu.Lock()
			defer mu.Unlock()
			done++
			activity.RecordHeartbeat(ctx, done)
			switch {
			case closed && !p.LastPass:
				p.Closed++
			case closed:
			case err != nil:
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", t.workflowID, err)
				}
			case p.LastPass:
				// Sent again: what it moves now was missed before.
				p.Recent++
				if len(res.Moved) > 0 {
					p.MovedCases++
					p.Moved += len(res.Moved)
				}
			default:
				p.Cases++
				counted, moved := res.Counted, len(res.Moved)
				if !res.Applied {
					counted, moved = res.CountedBefore, res.MovedBefore
				}
				if counted > 0 {
					p.Recounted++
				}
				if moved > 0 {
					p.MovedCases++
					p.Moved += moved
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		// The whole page is retried; the cases that took it already
		// answer with nothing to do.
		return in.Progress, firstErr
	}
	p.Cursor = page[len(page)-1].CaseID
	return p, r.Store.SaveRearm(ctx, p)
}

// send delivers the publication to one workflow. closed reports a
// workflow that is no longer running: it has no pending deadline.
func (r *Rearmer) send(ctx context.Context, workflowID, updateID string, cmd RearmCommand) (res RearmResult, closed bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	h, err := r.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: UpdateRearmDeadlines,
		Args: []any{cmd}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &res)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return res, true, nil
	}
	if err != nil && strings.Contains(err.Error(), "unknown update") {
		// A workflow that counts no deadline has no handler: nothing to
		// re-arm, as with a closed one.
		return res, true, nil
	}
	return res, false, err
}

// SaveRearm records a re-arm's progress (its first row, before any page).
func (r *Rearmer) SaveRearm(ctx context.Context, p db.RearmProgress) error {
	return r.Store.SaveRearm(ctx, p)
}
