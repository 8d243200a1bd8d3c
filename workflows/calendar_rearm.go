package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/db"
)

// CalendarRearm sends one calendar publication to every open case of the
// jurisdiction and its subdivisions, a page at a time, each case's workflow
// and its performing plans (see rearmDeadlines for what each does with
// it). It is durable and resumable: the cursor and the counts are its
// state, carried across continue-as-new and written to calendar_rearms
// after each page, and a retried page is harmless because every workflow
// takes a version once. One workflow per version, so publishing the same
// version again starts nothing new.

// QueryRearmProgress answers a re-arm's progress while it runs.
const QueryRearmProgress = "progress"

// CalendarRearmWorkflowID is the re-arm of one calendars version.
func CalendarRearmWorkflowID(version int64) string { return fmt.Sprintf("calendar/%d/rearm", version) }

// CalendarRearmInput is a publication to send, and how far it has come.
type CalendarRearmInput struct {
	Command RearmCommand `json:"command"`
	// PageSize is how many cases a page holds; zero means 200.
	PageSize int              `json:"page_size,omitempty"`
	Progress db.RearmProgress `json:"progress"`
	// Began is when the re-arm began, fixed by its first run: the last
	// pass goes over the cases opened from rearmOverlap before it.
	Began time.Time `json:"began,omitzero"`
}

// rearmOverlap reaches back before the re-arm began for its last pass: a
// case opening as the calendar was published may have counted its deadline
// on the calendar before it and had its row written after the first pass
// went by (case IDs are hashes, so a new row can land behind the cursor).
// An open is answered within the API's command bound, well inside this.
const rearmOverlap = 10 * time.Minute

// rearmPagesPerRun bounds one run: each page is an activity of a few
// events, so a run of this many pages stays small whatever the province.
const rearmPagesPerRun = 200

// rearmPageOptions retry a page for as long as it takes: a case that has
// not taken the publication would keep a provisional deadline.
var rearmPageOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Minute,
	HeartbeatTimeout:    2 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// CalendarRearm runs the re-arm until every page is done.
func CalendarRearm(ctx workflow.Context, in CalendarRearmInput) (db.RearmProgress, error) {
	if in.PageSize <= 0 {
		in.PageSize = 200
	}
	p := &in.Progress
	p.Version, p.Jurisdiction, p.Year = in.Command.Version, in.Command.Jurisdiction, in.Command.Year
	if err := workflow.SetQueryHandler(ctx, QueryRearmProgress, func() (db.RearmProgress, error) { return *p, nil }); err != nil {
		return *p, err
	}
	if in.Began.IsZero() {
		in.Began = workflow.Now(ctx)
	}
	ctx = workflow.WithActivityOptions(ctx, rearmPageOptions)
	var r *activities.Rearmer
	for pages := 0; !p.Done; pages++ {
		if pages == rearmPagesPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return *p, workflow.NewContinueAsNewError(ctx, CalendarRearm, in)
		}
		page := activities.RearmPageInput{Command: in.Command, PageSize: in.PageSize, Progress: *p}
		if p.LastPass {
			page.OpenedSince = in.Began.Add(-rearmOverlap)
		}
		var next db.RearmProgress
		if err := workflow.ExecuteActivity(ctx, r.RearmPage, page).Get(ctx, &next); err != nil {
			return *p, err
		}
		*p = next
	}
	return *p, nil
}

// StartCalendarRearm starts the re-arm of a publication's version, or
// finds it started (or finished) already: one re-arm per version, however
// often the same arrangement is published. The API and `casework calendar
// publish` both start it this way.
func StartCalendarRearm(ctx context.Context, c client.Client, cmd RearmCommand) (workflowID string, err error) {
	id := CalendarRearmWorkflowID(cmd.Version)
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, CalendarRearm, CalendarRearmInput{Command: cmd})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return id, err
	}
	return id, nil
}
