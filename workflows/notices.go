package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/policy"
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

// Delivery bounds of notices whose delivery was started without a rule of
// the case's policy (policy.NoticePolicy, "notices" in the policy files):
// deliveries recorded before the policy held one, and cases whose state
// carries a policy loaded before then. About twelve hours of attempts,
// backing off to one an hour, before a notice is marked undeliverable for a
// clerk; the CN policy holds the same figures.
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

// NoticeDeliveryInput names one enqueued notice and the delivery rule of
// its case's policy; without one (deliveries started before the policy had
// it) the fallback bounds above apply.
type NoticeDeliveryInput struct {
	CaseID   string              `json:"case_id"`
	NoticeID int64               `json:"notice_id"`
	Kind     string              `json:"kind"`
	Delivery policy.NoticePolicy `json:"delivery,omitzero"`
}

// NoticeDeliveryResult says whether the channel took the notice.
type NoticeDeliveryResult struct {
	Delivered bool   `json:"delivered"`
	LastError string `json:"last_error,omitempty"`
}

// fallbackDelivery is the delivery rule of a notice started without one.
var fallbackDelivery = policy.NoticePolicy{
	Attempts:              noticeAttempts,
	FirstRetrySeconds:     int(noticeFirstRetry / time.Second),
	MaxRetrySeconds:       int(noticeMaxRetry / time.Second),
	AttemptTimeoutSeconds: int(noticeAttemptTimeout / time.Second),
}

// deliveryOptions are one notice's delivery attempts under rule: each
// bounded by its own timeout, backing off, and finite.
func deliveryOptions(rule policy.NoticePolicy) workflow.ActivityOptions {
	if rule.IsZero() {
		rule = fallbackDelivery
	}
	return workflow.ActivityOptions{
		StartToCloseTimeout: rule.AttemptTimeout(),
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    rule.FirstRetry(),
			BackoffCoefficient: 2,
			MaximumInterval:    rule.MaxRetry(),
			MaximumAttempts:    int32(rule.Attempts),
		},
	}
}

// NoticeDelivery hands one enqueued notice to the channel, retrying with
// its own backoff; once the attempts are spent it marks the notice
// undeliverable, which lists it for clerks. It never fails.
func NoticeDelivery(ctx workflow.Context, in NoticeDeliveryInput) (NoticeDeliveryResult, error) {
	var n *activities.Notifier
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions(in.Delivery)), n.DeliverNotice, in.NoticeID).Get(ctx, nil)
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
// delivery under rule, the delivery rule of the case's policy
// (p.s.Policy.Notices), in order, removing it from the queue once its delivery has
// started. The outbox row is unique per case, stream, installment and kind,
// and delivery is keyed by the row, so a retry after a crash neither loses
// a notice nor sends it twice. Runs recorded before delivery left the main
// loop delivered each notice here, retrying without end. rule is the
// case's policy for delivery; a zero rule (a case whose policy was loaded
// before it had one) takes the fallback bounds.
func sendNotices(ctx workflow.Context, outbox *[]activities.NoticeInput, rule policy.NoticePolicy) error {
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
			if err := startDelivery(ctx, notice, id, rule); err != nil {
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
func startDelivery(ctx workflow.Context, notice activities.NoticeInput, id int64, rule policy.NoticePolicy) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            NoticeWorkflowID(notice.CaseID, id),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	f := workflow.ExecuteChildWorkflow(cctx, NoticeDelivery, NoticeDeliveryInput{CaseID: notice.CaseID, NoticeID: id, Kind: notice.Kind, Delivery: rule})
	err := f.GetChildWorkflowExecution().Get(ctx, nil)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		// Its delivery started before: the notice is on its way, or done.
		return nil
	}
	return err
}
