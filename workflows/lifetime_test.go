package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
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

// TestBulkContinuesAsNewUnderAStreamOfCommands sends a row command every
// few hours through a batch's mediation and lets Temporal suggest
// continuing as new in the middle of the stream: the run hands over at
// once, carrying its batch, row count, clock, phase, mediation period and
// the count of rows still undecided; the next run takes the rest of the
// stream, refuses what the first already did, and ends mediation as soon
// as the last row is decided, which it can only know from the carried
// count.
func TestBulkContinuesAsNewUnderAStreamOfCommands(t *testing.T) {
	const n = 240 // rows, one command each, every 3 hours: 30 days
	rows := make([]*bulkRow, n)
	for i := range rows {
		rows[i] = reachable()
	}
	outcome := func(row int) string {
		if row%3 == 0 {
			return BulkFailed
		}
		return BulkResolved
	}
	h := newBulkHarness(t, rows)
	start := h.env.Now()
	// Every row's mediation is decided within the 30 days of 2026-03-10
	// to 2026-04-09, one every 3 hours, the first after 3 hours.
	const every = 3 * time.Hour
	var sent []*bulkUpdate
	for i := 1; i <= n-1; i++ {
		sent = append(sent, h.at(time.Duration(i)*every, UpdateBulkMediation, BulkMediationCommand{Row: i, Outcome: outcome(i), Actor: bulkClerk}))
	}
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, streamSuggest)
	h.env.ExecuteWorkflow(Bulk, BulkInput{BatchID: "bt-can", Jurisdiction: "CN", Rows: n})
	next := continuedInput[BulkInput](t, h.env.GetWorkflowError())

	continuedAt := h.env.Now()
	require.Less(t, continuedAt.Sub(start), streamSuggest+every, "continued before the next command after the suggestion")
	done := int(streamSuggest / every)
	for i, u := range sent[:done] {
		require.NoError(t, u.err, "command %d", i+1)
	}
	decided := 0
	for _, r := range rows {
		if r.stage != RowMediating {
			decided++
		}
	}
	require.Equal(t, done, decided, "every command before the suggestion took effect, none after")
	require.Equal(t, "bt-can", next.BatchID)
	require.Equal(t, n, next.Rows)
	require.NoError(t, next.Clock.Validate(), "the clock started in the first run is carried")
	require.False(t, next.Clock.CaseEpoch.IsZero(), "the clock started in the first run is carried")
	s := next.State
	require.NotNil(t, s)
	require.Equal(t, BulkMediation, s.Phase)
	require.Equal(t, policy.NewDate(2026, 4, 9), s.MediationUntil, "the mediation period is carried, not counted again")
	require.Equal(t, n-decided, s.Pending, "the undecided rows are carried")
	t.Logf("bulk: %d commands in the first run, continued at %s with %d rows pending", decided, continuedAt.Sub(start), s.Pending)

	// The next run: the rest of the stream, with a command the first run
	// already took, then the last row's.
	h2 := newBulkHarness(t, rows)
	h2.env.SetStartTime(continuedAt)
	repeat := h2.at(time.Minute, UpdateBulkMediation, BulkMediationCommand{Row: 1, Outcome: outcome(1), Actor: bulkClerk})
	var rest []*bulkUpdate
	for i := decided + 1; i <= n; i++ {
		rest = append(rest, h2.at(time.Duration(i-decided)*every, UpdateBulkMediation, BulkMediationCommand{Row: i, Outcome: outcome(i), Actor: bulkClerk}))
	}
	lastAt := continuedAt.Add(time.Duration(n-decided) * every)
	h2.env.ExecuteWorkflow(Bulk, next)
	require.True(t, h2.env.IsWorkflowCompleted())
	require.NoError(t, h2.env.GetWorkflowError())
	requireBulkRejected(t, repeat, RejectConflict)
	for i, u := range rest {
		require.NoError(t, u.err, "row %d", decided+1+i)
	}
	var res BulkResult
	require.NoError(t, h2.env.GetWorkflowResult(&res))
	failed := n / 3
	require.Equal(t, n-failed, res.Progress.Resolved)
	require.Equal(t, failed, res.Progress.Effective, "the failed rows' payment orders took effect")
	require.Equal(t, n, res.Progress.Done)
	// The payment orders were issued on the day the last row was decided,
	// not when the period ran out: the carried count reached zero.
	for i, r := range rows {
		if outcome(i+1) == BulkFailed {
			require.Equal(t, policy.DateOf(lastAt), r.stepOn["payment_order_issued"], "row %d", i+1)
		}
	}
}

// TestEnforcementWithAThousandApplicantsContinuesBeforeItGrowsHeavy pays an
// enforcement case of 1,000 applicants again and again, with no suggestion
// from Temporal. With the applicants in the input (legacy), each payment
// is divided among all of them in the workflow (some 50 KB of shares in
// its step): the run continues as new on its own once its steps weigh
// runBytesPerRun, so what its recording activities carry stays under
// 10 MB, and the next run holds every fen collected. By reference, a
// payment's step carries its allocation's number and totals and its
// answer no applicant line: all the payments fit in one run a fraction of
// that weight. The log shows the bytes a payment puts in history either
// way.
func TestEnforcementWithAThousandApplicantsContinuesBeforeItGrowsHeavy(t *testing.T) {
	legacy := thousandApplicants(t, true)
	byRef := thousandApplicants(t, false)
	t.Logf("1,000 applicants, bytes a payment puts in history: legacy %d B (recording %d B, answer %d B), by reference %d B (recording %d B, allocation %d B, answer %d B)",
		legacy.perPayment(), legacy.record, legacy.answer, byRef.perPayment(), byRef.record, byRef.allocate, byRef.answer)
	require.Less(t, byRef.perPayment()*20, legacy.perPayment(), "a payment by reference weighs a twentieth of one in the input, or less")
}

// paymentWeight is what one payment put in history on average: its
// recording activity's input, its allocation activity's, and its answer.
type paymentWeight struct{ record, allocate, answer int }

func (w paymentWeight) perPayment() int { return w.record + w.allocate + w.answer }

func thousandApplicants(t *testing.T, legacy bool) paymentWeight {
	const n = 1_000
	h := newEnfHarness(t, enfStart)
	in := enfInput(enfToday, judgmentTitle())
	var total int64
	in.Parties = nil // not the shared slice: the other tests read it
	for i := range n {
		id := fmt.Sprintf("worker-%04d", i+1)
		in.Applicants = append(in.Applicants, ApplicantClaim{ID: id, AmountFen: 10_000_000 + int64(i), Hardship: i%5 == 0})
		in.Parties = append(in.Parties, Party{ID: id, Name: fmt.Sprintf("工人%04d", i+1), Side: SideApplicant})
		total += 10_000_000 + int64(i)
	}
	in.Parties = append(in.Parties, Party{ID: "xx-construction", Name: "某建筑公司", Side: SideRespondent})
	in.Applicant, in.AmountFen, in.Allocation = in.Applicants[0].ID, total, allot.ProRata
	if !legacy {
		in = h.byRef(in)
	}
	size := func(v any) int {
		p, err := converter.GetDefaultDataConverter().ToPayload(v)
		require.NoError(t, err)
		return len(p.Data)
	}
	var weighed, recordings, recorded int
	h.measureSteps = func(in activities.RecordStepsInput) {
		b := size(in)
		weighed += b
		for _, e := range in.Events {
			if e.Kind == "enforcement_payment_recorded" {
				recordings++
				recorded += b
				break
			}
		}
	}
	const payments = 200
	var sent []*enfUpdate
	for i := 1; i <= payments; i++ {
		at := time.Duration(i) * time.Hour
		sent = append(sent, h.at(at, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_000_000 + int64(i), PaidOn: policy.DateOf(h.start.Add(at)), Actor: judge}))
	}
	h.noVisits = true
	var s EnforcementState
	var view EnforcementView
	if !legacy {
		// Every payment is taken in one run; then the case is left.
		h.env.RegisterDelayedCallback(func() {
			v, err := h.env.QueryWorkflow(QueryState)
			require.NoError(t, err)
			require.NoError(t, v.Get(&view))
			h.env.CancelWorkflow()
		}, time.Duration(payments+1)*time.Hour)
	}
	h.env.ExecuteWorkflow(Enforcement, in)
	taken := payments
	if legacy {
		s = *continuedInput[EnforcementInput](t, h.env.GetWorkflowError()).State
		require.Less(t, s.Payments, payments, "continued before the stream ended")
		taken = s.Payments
	} else {
		_, count := sumData(t, h.events[enforcementStream], "enforcement_payment_recorded", "credited_fen")
		require.Equal(t, payments, count, "every payment taken in the one run")
		s.Payments, s.CollectedFen, s.Journal.Seq = count, view.CollectedFen, view.Steps
		require.Len(t, h.allocated, payments, "each payment allocated once")
		var ledger int64
		for _, l := range h.lines {
			ledger += l.PaidFen
		}
		require.Equal(t, s.CollectedFen, ledger, "the store's ledger holds every fen collected")
	}
	var answers int
	for _, u := range sent[:taken] {
		require.NoError(t, u.err)
		answers += size(u.view) // the answer is in history too
	}
	weighed += answers
	var allocations int
	for no := range h.allocated {
		allocations += size(activities.AllocateWagePaymentInput{CaseID: enfCaseID, Payment: db.WagePayment{No: no, AmountFen: 1_000_000, Rule: allot.ProRata, Version: no + 1}}) +
			size(h.allocated[no])
	}
	weighed += allocations
	require.Less(t, weighed, 10_000_000, "the recording activities and answers of the run carry %d B", weighed)
	paid, count := sumData(t, h.events[enforcementStream], "enforcement_payment_recorded", "credited_fen")
	require.Equal(t, count, s.Payments)
	require.Equal(t, paid, s.CollectedFen, "carried amount collected equals the recorded payments")
	t.Logf("1,000 applicants (legacy=%v): %d payments in the run, %d steps, recording inputs, allocations and answers %.2f MB", legacy, s.Payments, s.Journal.Seq, float64(weighed)/1e6)
	w := paymentWeight{record: recorded / recordings, answer: answers / taken}
	if allocations > 0 {
		w.allocate = allocations / len(h.allocated)
	}
	return w
}

// TestEnforcementByReferenceContinuesAsNewUnderAStreamOfPayments: a case
// whose applicants travel by reference hands over mid-stream like any
// other, carrying the list's reference, that its ledger is open and how
// many allocations it made: the next run opens nothing again and numbers
// its allocations on, and the store's ledger holds every fen collected.
func TestEnforcementByReferenceContinuesAsNewUnderAStreamOfPayments(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	in, _, _ := byRefClaimants(h, allot.HardshipFirst)
	for i := 1; i <= streamLength; i++ {
		at := time.Duration(i) * streamEvery
		h.at(at, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 100 + int64(i), PaidOn: policy.DateOf(h.start.Add(at)), Actor: judge})
	}
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, streamSuggest)
	h.env.ExecuteWorkflow(Enforcement, in)
	next := continuedInput[EnforcementInput](t, h.env.GetWorkflowError())
	s := next.State
	n := int(streamSuggest / streamEvery)
	require.Equal(t, in.ApplicantList, next.ApplicantList, "the reference is carried")
	require.Empty(t, s.Applicants, "no applicant line is carried")
	require.True(t, s.ApplicantsOpened)
	require.Equal(t, n, s.Payments)
	require.Equal(t, n, s.Allocations)
	require.Len(t, h.allocated, n)

	// The next run, against the same store.
	h2 := newEnfHarness(t, h.env.Now())
	h2.events, h2.summary, h2.list, h2.lines = h.events, h.summary, h.list, h.lines
	h2.allocated, h2.collected, h2.lastAllocation = h.allocated, h.collected, h.lastAllocation
	h2.measureSteps = func(in activities.RecordStepsInput) {
		require.Nil(t, in.WageOpening, "the ledger is not opened again")
		require.Empty(t, in.Summary.Parties, "the store keeps the parties")
	}
	last := h2.at(time.Hour, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 999, PaidOn: policy.DateOf(h2.start), Actor: judge})
	h2.env.RegisterDelayedCallback(h2.env.CancelWorkflow, 2*time.Hour)
	h2.env.ExecuteWorkflow(Enforcement, next)
	require.NoError(t, last.err)
	require.Len(t, h2.allocated, n+1, "allocation numbers go on from the last run's")
	var ledger int64
	for _, l := range h2.lines {
		ledger += l.PaidFen
	}
	require.Equal(t, last.view.CollectedFen, ledger, "the store's ledger holds every fen collected")
	paid, _ := sumData(t, h2.events[enforcementStream], "enforcement_payment_recorded", "credited_fen")
	require.Equal(t, paid, ledger)
}
