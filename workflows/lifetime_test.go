package workflows

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

// These tests send a command every few hours, without pause, and let
// Temporal suggest continuing as new in the middle of the stream: the run
// must hand over at once (at the first instant no handler runs), not wait
// for a quiet moment that never comes, and the state it carries must be
// the state the recorded steps add up to.

// continuedInput returns the input a run continued as new with; it fails
// the test when the run ended any other way.
func continuedInput[T any](t *testing.T, err error) T {
	t.Helper()
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(err, &can), "got %v, want continue-as-new", err)
	var next T
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	return next
}

// sumData adds up the int64 field key of every recorded step of kind.
func sumData(t *testing.T, events []casefile.Event, kind, key string) (sum int64, n int) {
	t.Helper()
	for _, e := range events {
		if e.Kind != kind {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(e.Data, &m))
		sum += int64(m[key].(float64))
		n++
	}
	return sum, n
}

const (
	streamEvery   = 3 * time.Hour
	streamSuggest = 2*24*time.Hour + 90*time.Minute
	streamLength  = 200 // commands, over 25 days
)

func TestInstallmentPlanContinuesAsNewUnderAStreamOfPayments(t *testing.T) {
	h := newPlanHarness(t, cst(2026, 3, 2))
	due := policy.DateOf(h.start).AddDays(90)
	var sent []*planUpdate
	for i := 1; i <= streamLength; i++ {
		at := time.Duration(i) * streamEvery
		d := policy.DateOf(h.start.Add(at))
		sent = append(sent, h.after(at, UpdateRecordPayment, PaymentCommand{AmountFen: 100, PaidOn: d, Actor: judge}))
	}
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, streamSuggest)
	h.env.ExecuteWorkflow(InstallmentPlan, PlanInput{
		CaseID: "c1", PlanID: "performance", Jurisdiction: "CN", Obligor: obligor.Subject,
		Obligees: []string{obligee.Subject}, Installments: []Installment{{DueOn: due, AmountFen: 1_000_000}}, StartedBy: judge,
	})
	next := continuedInput[PlanInput](t, h.env.GetWorkflowError())

	require.Less(t, h.env.Now().Sub(h.start), streamSuggest+streamEvery, "continued before the next payment after the suggestion")
	s := next.State
	require.NotNil(t, s)
	require.Empty(t, s.Journal.Pending, "every step recorded before continuing")
	require.Empty(t, s.Outbox, "every notice sent before continuing")
	require.Equal(t, len(h.events), s.Journal.Seq)
	require.Equal(t, s.Version, s.Recorded, "the ledger was written as it was carried")
	paid, n := sumData(t, h.events, "payment_recorded", "amount_fen")
	require.Equal(t, int(streamSuggest/streamEvery), n, "every payment before the suggestion, none after")
	for _, u := range sent[:n] {
		require.NoError(t, u.err)
	}
	require.Equal(t, paid, s.Lines[0].PaidFen, "carried ledger equals the recorded payments")
	require.Equal(t, paid, h.records[len(h.records)-1].Plan.PaidFen, "read model equals the recorded payments")
	t.Logf("plan: %d payments, %d steps in the first run, continued at %s", n, s.Journal.Seq, h.env.Now().Sub(h.start))
}

func TestWageContinuesAsNewUnderAStreamOfPayments(t *testing.T) {
	h := newWageHarness(t, wageStart)
	due := wageDay(90)
	in := wageInput(creditors(500_000, 300_000, 200_000), []Installment{{DueOn: due, AmountFen: 1_000_000}}, allot.ProRata, false)
	var sent []*wageUpdate
	for i := 1; i <= streamLength; i++ {
		at := time.Duration(i) * streamEvery
		d := policy.DateOf(h.start.Add(at))
		sent = append(sent, h.at(at, UpdateRecordWagePayment, WagePaymentCommand{AmountFen: 101, PaidOn: d, Actor: judge}))
	}
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, streamSuggest)
	h.env.ExecuteWorkflow(Wage, in)
	next := continuedInput[WageInput](t, h.env.GetWorkflowError())

	require.Less(t, h.env.Now().Sub(h.start), streamSuggest+streamEvery, "continued before the next payment after the suggestion")
	s := next.State
	require.NotNil(t, s)
	require.Empty(t, s.Journal.Pending)
	require.Empty(t, s.Outbox)
	require.Equal(t, len(h.events), s.Journal.Seq)
	require.Equal(t, s.Version, s.Recorded)
	paid, n := sumData(t, h.events, "payment_recorded", "credited_fen")
	require.Equal(t, int(streamSuggest/streamEvery), n)
	require.Equal(t, n, s.Payments)
	for _, u := range sent[:n] {
		require.NoError(t, u.err)
	}
	var carried int64
	for i, c := range in.Creditors {
		carried += s.Paid[i]
		require.Equal(t, s.Paid[i], h.paid[c.ID], "creditor %s: read model equals the carried ledger", c.ID)
	}
	require.Equal(t, paid, carried, "carried ledger equals the recorded payments")
	require.Equal(t, paid, s.Lines[0].PaidFen)
	t.Logf("wage: %d payments, %d steps in the first run, continued at %s", n, s.Journal.Seq, h.env.Now().Sub(h.start))
}

func TestEnforcementContinuesAsNewUnderAStreamOfPayments(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	var sent []*enfUpdate
	for i := 1; i <= streamLength; i++ {
		at := time.Duration(i) * streamEvery
		d := policy.DateOf(h.start.Add(at))
		sent = append(sent, h.at(at, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 100, PaidOn: d, Actor: judge}))
	}
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, streamSuggest)
	h.env.ExecuteWorkflow(Enforcement, enfInput(enfToday, judgmentTitle()))
	next := continuedInput[EnforcementInput](t, h.env.GetWorkflowError())

	require.Less(t, h.env.Now().Sub(h.start), streamSuggest+streamEvery, "continued before the next payment after the suggestion")
	s := next.State
	require.NotNil(t, s)
	require.Empty(t, s.Journal.Pending)
	require.Empty(t, s.Outbox)
	events := h.events[enforcementStream]
	require.Equal(t, len(events), s.Journal.Seq)
	paid, n := sumData(t, events, "enforcement_payment_recorded", "amount_fen")
	require.Equal(t, int(streamSuggest/streamEvery), n)
	require.Equal(t, n, s.Payments)
	for _, u := range sent[:n] {
		require.NoError(t, u.err)
	}
	require.Equal(t, paid, s.CollectedFen, "carried amount collected equals the recorded payments")
	t.Logf("enforcement: %d payments, %d steps in the first run, continued at %s", n, s.Journal.Seq, h.env.Now().Sub(h.start))
}
