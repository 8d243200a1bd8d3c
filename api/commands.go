package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// liveView says where a process's live state goes in a CaseBody.
type liveView[V any] struct {
	process casefile.Process
	set     func(*CaseBody, *V)
}

// The live views of each process's main workflow.
var (
	mediationView   = liveView[workflows.MediationView]{casefile.ProcessMediation, func(b *CaseBody, v *workflows.MediationView) { b.Mediation = v }}
	enforcementView = liveView[workflows.EnforcementView]{casefile.ProcessEnforcement, func(b *CaseBody, v *workflows.EnforcementView) { b.Enforcement = v }}
	boundaryView    = liveView[workflows.BoundaryView]{casefile.ProcessBoundary, func(b *CaseBody, v *workflows.BoundaryView) { b.Boundary = v }}
	wageView        = liveView[workflows.WageView]{casefile.ProcessWage, func(b *CaseBody, v *workflows.WageView) { b.Wage = v }}
)

// sendCommand sends a command to the case's workflow as a Temporal update
// and answers with the case after it. The workflow's validator decides; a
// refused command leaves no trace. The command must be one for the case's
// own process.
func sendCommand[V any](ctx context.Context, s *Server, lv liveView[V], name, key string, cmd any) (*caseOutput, error) {
	c := caseFrom(ctx)
	if c.Process != lv.process {
		return nil, huma.Error409Conflict("case " + c.ID + " is a " + string(c.Process) + " case, not a " + string(lv.process) + " case")
	}
	// A closed case may still have steps to take (follow-up visits); the
	// workflow's validator decides, and a finished workflow answers NotFound.
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: c.WorkflowID, UpdateName: name, UpdateID: updateID(name, key), Args: []any{cmd},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		var view V
		if err = h.Get(ctx, &view); err == nil {
			sum, err := s.Store.Case(ctx, c.ID)
			if err != nil {
				return nil, s.problem(ctx, name, err)
			}
			out := &caseOutput{Body: CaseBody{Summary: sum}}
			lv.set(&out.Body, &view)
			return out, nil
		}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		// The case exists (the ledger has it), so its workflow has finished.
		return nil, huma.Error409Conflict("case " + c.ID + " is closed: " + c.Stage)
	}
	return nil, s.problem(ctx, name, err)
}

// queryView adds the case's live state to out, when its workflow can still
// be asked; a case whose history has been archived is answered from the
// ledger alone.
func queryView[V any](ctx context.Context, s *Server, lv liveView[V], out *caseOutput) (*caseOutput, error) {
	res, err := s.Temporal.QueryWorkflow(ctx, out.Body.Summary.WorkflowID, "", workflows.QueryState)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return out, nil
	case err != nil:
		return nil, s.problem(ctx, "read case state", err)
	}
	var view V
	if err := res.Get(&view); err != nil {
		return nil, s.problem(ctx, "read case state", err)
	}
	lv.set(&out.Body, &view)
	return out, nil
}

// maxBackfillYears bounds how far back a case entered after the fact may
// have opened.
const maxBackfillYears = 10

// checkOpenedOn accepts the legal date a case entered after the fact was
// opened: not in the future, not more than maxBackfillYears back. The
// case's clock still runs from now; only its deadlines count from then.
func checkOpenedOn(openedOn policy.Date) error {
	if openedOn.IsZero() {
		return nil
	}
	today := policy.DateOf(time.Now())
	switch {
	case openedOn.After(today):
		return huma.Error422UnprocessableEntity("opened_on " + openedOn.String() + " is in the future")
	case openedOn.Before(today.AddMonths(-12 * maxBackfillYears)):
		return huma.Error422UnprocessableEntity(fmt.Sprintf("opened_on %s is more than %d years ago", openedOn, maxBackfillYears))
	}
	return nil
}

// opening is how a new case of a process is started.
type opening struct {
	caseID, caseNumber, workflowID string
	workflow                       any // the workflow function
	input                          any
	// sameCase says whether an existing case with this number is the one
	// being opened again (a retry), not another dispute under its number.
	sameCase func(casefile.Summary) bool
	// reuse is the workflow ID reuse policy: whether a number whose
	// workflow failed may be opened again.
	reuse enumspb.WorkflowIdReusePolicy
}

// openCase opens a case idempotently: a case number already open answers
// 200 with that case (409 if it is another dispute); otherwise the workflow
// is started together with its "opened" update, which returns once the
// first step is recorded, so the answer (201) already shows it.
func openCase[V any](ctx context.Context, s *Server, lv liveView[V], o opening) (*startOutput, error) {
	location := "/cases/" + o.caseID
	if existing, err := s.Store.Case(ctx, o.caseID); err == nil {
		if existing.Process != lv.process || !o.sameCase(existing) {
			return nil, huma.Error409Conflict("case number " + o.caseNumber + " is already used by another case (" + o.caseID + ")")
		}
		out, err := s.caseOutput(ctx, existing)
		if err != nil {
			return nil, err
		}
		return &startOutput{Status: http.StatusOK, Location: location, Body: out.Body}, nil
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, s.problem(ctx, "open case", err)
	}

	what := "open " + string(lv.process) + " case"
	start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: o.workflowID, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    o.reuse,
	}, o.workflow, o.input)
	h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID: o.workflowID, UpdateName: workflows.UpdateOpened, UpdateID: "opened",
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return nil, s.problem(ctx, what, err)
	}
	var view V
	if err := h.Get(ctx, &view); err != nil {
		return nil, s.problem(ctx, what, err)
	}
	sum, err := s.Store.Case(ctx, o.caseID)
	if err != nil {
		return nil, s.problem(ctx, what, err)
	}
	out := &startOutput{Status: http.StatusCreated, Location: location, Body: CaseBody{Summary: sum}}
	lv.set(&out.Body, &view)
	return out, nil
}
