package workflows

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

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
