package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
)

// Notices leave a case in two steps. Enqueueing writes the outbox row under
// the notice's natural key: a fast, idempotent database write that stays in
// the case's flow, after the step that decided the notice is recorded.
// Delivery is a process of its own, one NoticeDelivery workflow per row,
// started and left to run: a channel that is down delays only its notices,
// never a command, a reminder or a default of the case that sent them, nor
// its continuing as new or closing. Delivery is keyed by the row's ID (the
// workflow's ID holds it, the channel deduplicates on it), so each notice is
// still sent exactly once.

// Delivery bounds. The policy files hold no delivery rule yet, so they live
// here: about twelve hours of attempts, backing off to one an hour, before
// a notice is marked undeliverable for a clerk.
const (
	noticeAttempts        = 16
	noticeFirstRetry      = 30 * time.Second
	noticeMaxRetry        = time.Hour
	noticeAttemptTimeout  = 30 * time.Second
	versionNoticeDelivery = "notice-delivery-off-the-loop"
)

// NoticeWorkflowID is the workflow ID of the delivery of notice id of a case.
func NoticeWorkflowID(caseID string, id int64) string {
	return fmt.Sprintf("case/%s/notice/%d", caseID, id)
}

// NoticeDeliveryInput names one enqueued notice.
type NoticeDeliveryInput struct {
	CaseID   string `json:"case_id"`
	NoticeID int64  `json:"notice_id"`
	Kind     string `json:"kind"`
}

// NoticeDeliveryResult says whether the channel took the notice.
type NoticeDeliveryResult struct {
	Delivered bool   `json:"delivered"`
	LastError string `json:"last_error,omitempty"`
}

// deliveryOptions are one notice's delivery attempts: each bounded by its
// own timeout, backing off, and finite.
var deliveryOptions = workflow.ActivityOptions{
	StartToCloseTimeout: noticeAttemptTimeout,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    noticeFirstRetry,
		BackoffCoefficient: 2,
		MaximumInterval:    noticeMaxRetry,
		MaximumAttempts:    noticeAttempts,
	},
}

// NoticeDelivery hands one enqueued notice to the channel, retrying with
// its own backoff; once the attempts are spent it marks the notice
// undeliverable, which lists it for clerks. It never fails.
func NoticeDelivery(ctx workflow.Context, in NoticeDeliveryInput) (NoticeDeliveryResult, error) {
	var n *activities.Notifier
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), n.DeliverNotice, in.NoticeID).Get(ctx, nil)
	if err == nil {
		return NoticeDeliveryResult{Delivered: true}, nil
	}
	res := NoticeDeliveryResult{LastError: err.Error()}
	mark := activities.UndeliverableInput{NoticeID: in.NoticeID, LastError: res.LastError}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), n.MarkNoticeUndeliverable, mark).Get(ctx, nil); err != nil {
		return res, err
	}
	return res, nil
}

// sendNotices writes each queued notice to the outbox and starts its
// delivery, in order, removing it from the queue once its delivery has
// started. The outbox row is unique per case, stream, installment and kind,
// and delivery is keyed by the row, so a retry after a crash neither loses
// a notice nor sends it twice. Runs recorded before delivery left the main
// loop delivered each notice here, retrying without end.
func sendNotices(ctx workflow.Context, outbox *[]activities.NoticeInput) error {
	if len(*outbox) == 0 {
		return nil
	}
	off := workflow.GetVersion(ctx, versionNoticeDelivery, workflow.DefaultVersion, 1) >= 1
	nctx := workflow.WithActivityOptions(ctx, recordOptions)
	var n *activities.Notifier
	for len(*outbox) > 0 {
		notice := (*outbox)[0]
		var id int64
		if err := workflow.ExecuteActivity(nctx, n.EnqueueNotice, notice).Get(ctx, &id); err != nil {
			return err
		}
		if off {
			if err := startDelivery(ctx, notice, id); err != nil {
				return err
			}
		} else if err := workflow.ExecuteActivity(nctx, n.DeliverNotice, id).Get(ctx, nil); err != nil {
			return err
		}
		*outbox = (*outbox)[1:]
	}
	return nil
}

// startDelivery starts the delivery of notice id and waits only until
// Temporal has started it, so the delivery outlives this run whether the
// case continues as new or closes.
func startDelivery(ctx workflow.Context, notice activities.NoticeInput, id int64) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            NoticeWorkflowID(notice.CaseID, id),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	f := workflow.ExecuteChildWorkflow(cctx, NoticeDelivery, NoticeDeliveryInput{CaseID: notice.CaseID, NoticeID: id, Kind: notice.Kind})
	err := f.GetChildWorkflowExecution().Get(ctx, nil)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		// Its delivery started before: the notice is on its way, or done.
		return nil
	}
	return err
}
