package workflows

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/policy"
)

var errChannelDown = errors.New("sms gateway: 503 service unavailable")

// TestChannelOutageDelaysNothing runs the plan of
// TestInstallmentPlanPartialPaymentThenDefault while the notice channel
// refuses every attempt: the payment is recorded, both reminders and the
// default happen on their days, the plan closes when its late-recording
// window after the grace period runs out, and each notice, tried exactly the bounded number of times, is
// marked undeliverable once.
func TestChannelOutageDelaysNothing(t *testing.T) {
	h := newPlanHarness(t, planStart)
	h.channel = func(int64) error { return errChannelDown }
	pay := h.on(policy.NewDate(2026, 4, 5), UpdateRecordPayment, PaymentCommand{
		AmountFen: 200_000, PaidOn: policy.NewDate(2026, 4, 5), Actor: obligee,
	})
	res := h.run(threeDue()...)
	require.NoError(t, pay.err)
	grace, err := h.reg.Deadline("CN", due1, policy.Days(7))
	require.NoError(t, err)
	window, err := h.reg.Deadline("CN", grace, policy.Days(3)) // late recording
	require.NoError(t, err)
	require.Equal(t, PlanDefaulted, res.Outcome)
	require.Equal(t, window.AddDays(1), res.ClosedOn, "the default is not delayed by the outage")
	require.Equal(t, []string{
		"plan_started", "reminder_sent", "payment_recorded", "reminder_sent",
		"installment_overdue", "installment_defaulted",
	}, h.kinds())
	require.Equal(t, policy.NewDate(2026, 4, 3), h.events[1].CaseOn, "first reminder on its day")
	require.Equal(t, policy.NewDate(2026, 4, 9), h.events[3].CaseOn, "second reminder on its day")

	require.Len(t, h.notices, 4, "each notice enqueued once")
	require.Empty(t, h.delivered)
	require.Len(t, h.undeliverable, 4, "each notice marked undeliverable once")
	for i, u := range h.undeliverable {
		id := int64(i + 1)
		require.Equal(t, id, u.NoticeID)
		require.Contains(t, u.LastError, errChannelDown.Error())
		require.Equal(t, noticeAttempts, h.attempts[id], "notice %d: got %d attempts, want the bound %d", id, h.attempts[id], noticeAttempts)
	}
}

// TestChannelBackAfterOutage lets the channel refuse the first attempts of
// every notice: each is still delivered, exactly once, and none is marked
// undeliverable.
func TestChannelBackAfterOutage(t *testing.T) {
	h := newPlanHarness(t, planStart)
	h.channel = func(id int64) error {
		if h.attempts[id] <= 3 {
			return errChannelDown
		}
		return nil
	}
	one := []Installment{{DueOn: due1, AmountFen: 1_302_700}}
	pay := h.on(due1, UpdateRecordPayment, PaymentCommand{AmountFen: 1_302_700, PaidOn: due1, Actor: mediator})
	res := h.run(one...)
	require.NoError(t, pay.err)
	require.Equal(t, PlanPerformed, res.Outcome)
	require.Empty(t, h.undeliverable)
	require.Len(t, h.delivered, len(h.notices), "every notice delivered")
	seen := map[int64]bool{}
	for _, id := range h.delivered {
		require.False(t, seen[id], "notice %d delivered twice", id)
		seen[id] = true
		require.Equal(t, 4, h.attempts[id])
	}
}

// TestNoticeAttemptsFromPolicy runs TestChannelOutageDelaysNothing's outage
// in a jurisdiction whose policy allows 3 delivery attempts: each notice is
// marked undeliverable after exactly 3, and each delivery carries the
// jurisdiction's rule, inherited from CN where the child sets nothing.
func TestNoticeAttemptsFromPolicy(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "policies"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policies", "CN-11.json"),
		[]byte(`{"jurisdiction": "CN-11", "notices": {"attempts": 3, "first_retry_seconds": 5}}`), 0o644))
	reg, err := policy.LoadDir(dir)
	require.NoError(t, err)
	h := newPlanHarnessWith(t, planStart, reg)
	h.input = func(in *PlanInput) { in.Jurisdiction = "CN-11" }
	var rules []policy.NoticePolicy
	h.env.SetOnChildWorkflowStartedListener(func(_ *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		var in NoticeDeliveryInput
		require.NoError(t, args.Get(&in))
		rules = append(rules, in.Delivery)
	})
	h.channel = func(int64) error { return errChannelDown }
	res := h.run(Installment{DueOn: due1, AmountFen: 1_302_700})
	require.Equal(t, PlanDefaulted, res.Outcome)

	want := policy.NoticePolicy{Attempts: 3, FirstRetrySeconds: 5, MaxRetrySeconds: 3600, AttemptTimeoutSeconds: 30}
	require.NotEmpty(t, h.notices)
	require.Len(t, rules, len(h.notices), "one delivery per notice")
	for _, r := range rules {
		require.Equal(t, want, r)
	}
	require.Len(t, h.undeliverable, len(h.notices), "every notice marked undeliverable once")
	for _, u := range h.undeliverable {
		require.Equal(t, 3, h.attempts[u.NoticeID], "notice %d: got %d attempts, want the policy's 3", u.NoticeID, h.attempts[u.NoticeID])
	}
}

// TestNoticeDeliveryWithoutRule is a delivery started before the policy
// held a delivery rule: it keeps the fallback bounds.
func TestNoticeDeliveryWithoutRule(t *testing.T) {
	require.Equal(t, int32(noticeAttempts), deliveryOptions(policy.NoticePolicy{}).RetryPolicy.MaximumAttempts)
	require.Equal(t, noticeFirstRetry, deliveryOptions(policy.NoticePolicy{}).RetryPolicy.InitialInterval)
	require.Equal(t, noticeMaxRetry, deliveryOptions(policy.NoticePolicy{}).RetryPolicy.MaximumInterval)
	require.Equal(t, noticeAttemptTimeout, deliveryOptions(policy.NoticePolicy{}).StartToCloseTimeout)
	reg, err := policy.Default()
	require.NoError(t, err)
	cn, err := reg.Policy("CN")
	require.NoError(t, err)
	require.Equal(t, fallbackDelivery, cn.Notices, "the CN policy holds today's figures")
}
