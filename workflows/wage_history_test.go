package workflows

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"

	allot "github.com/casework/casework/allocation"
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
// the activities it runs and the answer to the command.
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
	in := wageInput(cs, []Installment{{DueOn: wageDay(200), AmountFen: total}}, allot.ProRata, false)
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

}
