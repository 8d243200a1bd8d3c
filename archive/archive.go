// Package archive keeps the Temporal history of every closed run of a
// casework workflow in PostgreSQL, so the auditor's timeline and its
// verification stay whole for years, after the Temporal namespace's
// retention has deleted them. The worker runs an Exporter.
package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/db"
	"github.com/casework/casework/workflows"
)

// DefaultInterval is how often the exporter looks for runs that closed.
const DefaultInterval = time.Minute

// lag is how far back each sweep looks before the previous one began, for
// runs the visibility store listed late.
const lag = 10 * time.Minute

// Exporter copies the history of each closed run (completed, continued as
// new, failed, terminated, ...) of a workflow on casework's task queue into
// the store, once. Each sweep also catches up runs an earlier sweep missed
// (the worker was down, the export failed): the first looks at every closed
// run, later ones at those closed since shortly before the previous sweep.
type Exporter struct {
	Temporal client.Client
	Store    *db.Store
	Interval time.Duration
	Log      *slog.Logger

	since time.Time
}

// Run sweeps every Interval until ctx ends.
func (e *Exporter) Run(ctx context.Context) {
	every := e.Interval
	if every <= 0 {
		every = DefaultInterval
	}
	log := e.Log
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := e.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("export workflow histories", "err", err, "exported", n)
		} else if n > 0 {
			log.Info("exported workflow histories", "runs", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep exports every closed run not kept yet and returns how many it
// exported.
func (e *Exporter) Sweep(ctx context.Context) (int, error) {
	began := time.Now()
	query := fmt.Sprintf("TaskQueue = '%s' AND ExecutionStatus != 'Running'", workflows.TaskQueue)
	if !e.since.IsZero() {
		query += fmt.Sprintf(" AND CloseTime > '%s'", e.since.UTC().Format(time.RFC3339))
	}
	exported := 0
	var token []byte
	for {
		page, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token, PageSize: 500})
		if err != nil {
			return exported, fmt.Errorf("list closed runs: %w", err)
		}
		for _, info := range page.GetExecutions() {
			id, run := info.GetExecution().GetWorkflowId(), info.GetExecution().GetRunId()
			kept, err := e.Store.HistoryKept(ctx, id, run)
			if err != nil {
				return exported, err
			}
			if kept {
				continue
			}
			events, err := e.read(ctx, id, run)
			var notFound *serviceerror.NotFound
			if errors.As(err, &notFound) {
				continue // deleted meanwhile: nothing left to keep
			}
			if err != nil {
				return exported, err
			}
			if !closed(events) {
				continue // listed closed before its last event was readable
			}
			wrote, err := e.Store.SaveHistory(ctx, db.ClosedRun{
				WorkflowID: id, RunID: run, StartedAt: info.GetStartTime().AsTime(), ClosedAt: info.GetCloseTime().AsTime(),
				Status: statusName(info.GetStatus()), Events: events,
			})
			if err != nil {
				return exported, err
			}
			if wrote {
				exported++
			}
		}
		if token = page.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	e.since = began.Add(-lag)
	return exported, nil
}

func (e *Exporter) read(ctx context.Context, id, run string) ([]*historypb.HistoryEvent, error) {
	it := e.Temporal.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
	return events, nil
}

// closed reports whether a history ends with the event that closes a run.
func closed(events []*historypb.HistoryEvent) bool {
	if len(events) == 0 {
		return false
	}
	switch events[len(events)-1].GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		return true
	}
	return false
}

func statusName(s enumspb.WorkflowExecutionStatus) string {
	return s.String()
}
