package workflows

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/policy"
)

// payloadSize is the encoded size of v as Temporal stores it in history.
func payloadSize(t *testing.T, v any) int {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	require.NoError(t, err)
	return len(p.Data)
}

// TestWageHistoryPerPayment measures what each pro-rata payment of a
// 10,000-creditor wage case puts in the workflow's history: the inputs of
// the activities it runs and the answer to the command. The creditors
// travel by reference, so neither the start nor the opening carries them.
func TestWageHistoryPerPayment(t *testing.T) {
	const n, payments = 10_000, 20
	h := newWageHarness(t, wageStart)
	var bytes, calls int
	var largest int
	h.measure = func(v any) {
		size := payloadSize(t, v)
		bytes, calls, largest = bytes+size, calls+1, max(largest, size)
	}
	owed := make([]int64, n)
	var total int64
	for i := range owed {
		owed[i] = 300_000 + int64(i%97)*1_013
		total += owed[i]
	}
	cs := creditors(owed...)
	for i := range cs {
		cs[i].ID = fmt.Sprintf("worker-%05d", i+1)
		cs[i].Name = fmt.Sprintf("劳动者%05d", i+1)
	}
	in := h.byRef(wageInput(cs, []Installment{{DueOn: wageDay(200), AmountFen: total}}, allot.ProRata, false))
	var answers []*wageUpdate
	for i := 1; i <= payments; i++ {
		answers = append(answers, h.at(time.Duration(i)*24*time.Hour, UpdateRecordWagePayment,
			WagePaymentCommand{AmountFen: 12_345_678, PaidOn: wageDay(i), Actor: judge}))
	}
	var opened int
	h.env.RegisterDelayedCallback(func() { opened, bytes, calls = bytes, 0, 0 }, 12*time.Hour)
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, time.Duration(payments+1)*24*time.Hour)
	h.env.ExecuteWorkflow(Wage, in)
	var answered int
	for _, a := range answers {
		require.NoError(t, a.err)
		answered += payloadSize(t, a.view)
	}
	start := payloadSize(t, in)
	per := (bytes + answered) / payments
	t.Logf("%d creditors: start input %d B, opening activities %d B; per payment %d B (%d activity calls in all, answer %d B)",
		n, start, opened, per, calls, answered/payments)
	require.Less(t, largest, 1<<20, "the largest activity input, %d B, stays far from the 2 MiB payload limit", largest)
	require.Less(t, per, 8<<10, "a payment to %d creditors puts %d B in history", n, per)
	require.Less(t, start, 4<<10, "the creditors travel by reference: the start input is %d B", start)
	require.Less(t, opened, 64<<10, "opening the ledger carries the reference, not the list: %d B", opened)

}

// TestWageThousandPaymentsToTenThousandCreditors pays a 10,000-creditor
// case 1,000 times, one payment an hour, for each allocation rule, running
// run after run as the case continues as new. Every run stays under the
// issue's bounds (10,240 events, 10 MB; both estimated from what the run
// puts in history, see below), every payment is credited once, and in the
// end the carried state, the read model and the sum of the recorded steps
// agree to the fen.
func TestWageThousandPaymentsToTenThousandCreditors(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 2,000 payments to 10,000 creditors")
	}
	for _, rule := range []string{allot.ProRata, allot.HardshipFirst} {
		t.Run(rule, func(t *testing.T) { thousandPayments(t, rule) })
	}
}

func thousandPayments(t *testing.T, rule string) {
	const n, payments, every = 10_000, 1_000, time.Hour
	owed := make([]int64, n)
	var total int64
	cs := creditors(owed...)
	for i := range cs {
		cs[i].OwedFen = 300_000 + int64(i%97)*1_013
		cs[i].ID = fmt.Sprintf("worker-%05d", i+1)
		cs[i].Name = fmt.Sprintf("劳动者%05d", i+1)
		cs[i].Hardship = i%9 == 0
		total += cs[i].OwedFen
	}
	var stage wageHarness
	stage.list = nil
	in := stage.byRef(wageInput(cs, []Installment{{DueOn: wageDay(200), AmountFen: total}}, rule, false))
	amount := func(k int) int64 { return 1_000_000 + int64(k%13)*7_919 }
	done := make([]bool, payments+1)

	var prev *wageHarness
	start := wageStart
	runs := 0
	for {
		runs++
		require.LessOrEqual(t, runs, 40, "the case never finished its payments")
		h := newWageHarness(t, start)
		h.list = stage.list
		if prev != nil {
			h.events, h.lines, h.paid, h.sum, h.allocated = prev.events, prev.lines, prev.paid, prev.sum, prev.allocated
		}
		var bytes, activities int
		h.measure = func(v any) { bytes += payloadSize(t, v); activities++ }
		// Payments are sent one after another, each scheduling the next:
		// the test environment takes only so many callbacks at once.
		updates := 0
		var send func(k int)
		send = func(k int) {
			for k <= payments && done[k] {
				k++
			}
			if k > payments {
				return
			}
			at := wageStart.Add(time.Duration(k) * every)
			if at.Before(h.env.Now()) {
				// Sent to an earlier run and not answered: the caller retries.
				at = h.env.Now()
			}
			cmd := WagePaymentCommand{AmountFen: amount(k), PaidOn: policy.DateOf(at), Actor: judge}
			h.env.RegisterDelayedCallback(func() {
				updates++
				bytes += payloadSize(t, cmd)
				h.env.UpdateWorkflow(UpdateRecordWagePayment, fmt.Sprintf("pay-%d", k), &testsuite.TestUpdateCallback{
					OnAccept: func() {},
					OnReject: func(err error) { t.Errorf("payment %d refused: %v", k, err) },
					OnComplete: func(v any, err error) {
						if err == nil {
							done[k] = true
							bytes += payloadSize(t, v)
						}
					},
				}, cmd)
				send(k + 1)
			}, at.Sub(h.env.Now())+time.Minute)
		}
		send(1)
		bytes += payloadSize(t, in)
		h.env.RegisterDelayedCallback(h.env.CancelWorkflow, time.Duration(payments+2)*every)
		h.env.ExecuteWorkflow(Wage, in)
		answered := 0
		for _, d := range done {
			if d {
				answered++
			}
		}
		// Events: an activity is scheduled, started, completed and wakes
		// the workflow (a task: three more); a command is accepted and
		// completed and wakes it too. Markers and timers are few.
		events := activities*6 + updates*5
		t.Logf("%s run %d: ~%d events, ~%.2f MB, %d payments answered so far", rule, runs, events, float64(bytes)/1e6, answered)
		require.Less(t, events, 10_240, "run %d", runs)
		require.Less(t, bytes, 10_000_000, "run %d", runs)

		err := h.env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if errors.As(err, &can) {
			in = continuedInput[WageInput](t, err)
			require.Empty(t, in.State.Unrecorded, "every payment written before continuing")
			require.Empty(t, in.State.Paid, "no creditor line is carried: they live in the store")
			require.Less(t, payloadSize(t, in), 64<<10, "the carried state is small")
			var stored int64
			for _, c := range cs {
				stored += h.paid[c.ID]
			}
			credited, _ := sumData(t, h.events, "payment_recorded", "credited_fen")
			require.Equal(t, credited, in.State.Lines[0].PaidFen, "carried state equals the recorded steps")
			require.Equal(t, credited, stored, "carried state equals the read model")
			require.Equal(t, in.State.Payments, len(h.allocated), "each payment allocated once")
			prev, start = h, h.env.Now()
			continue
		}
		require.ErrorContains(t, err, "canceled")
		require.Equal(t, payments, answered, "every payment answered")
		var paidEvents int64
		credited, count := sumData(t, h.events, "payment_recorded", "credited_fen")
		require.Equal(t, payments, count, "each payment recorded once")
		paidEvents = credited
		var stored, want int64
		for k := 1; k <= payments; k++ {
			want += amount(k)
		}
		for _, c := range cs {
			stored += h.paid[c.ID]
		}
		require.Equal(t, want, paidEvents, "the recorded steps credit every fen paid")
		require.Equal(t, want, stored, "the read model holds every fen paid")
		// The last run's state is the one the previous run handed over plus
		// its own payments; the view agrees with the read model.
		var view WageView
		v, qerr := h.env.QueryWorkflow(QueryState)
		if qerr == nil {
			require.NoError(t, v.Get(&view))
			require.Equal(t, want, view.PaidFen)
		}
		break
	}
	require.Greater(t, runs, 1, "the case continued as new")
}
