package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// planStore keeps plans as the plans read model does (db.RecordPlan), for
// the harnesses: a write at a version no newer than the stored one changes
// nothing; a newer one replaces the header and upserts the lines it
// carries by number, keeping the others. Since writes carry only changed
// lines, the last write alone is no longer the ledger.
type planStore map[string]db.Plan

func (s planStore) record(p db.Plan) {
	stored, ok := s[p.PlanID]
	if ok && stored.Version >= p.Version {
		return
	}
	lines := slices.Clone(stored.Installments)
	for _, l := range p.Installments {
		i := slices.IndexFunc(lines, func(m db.PlanInstallment) bool { return m.No == l.No })
		if i < 0 {
			lines = append(lines, l)
			continue
		}
		lines[i] = l
	}
	slices.SortFunc(lines, func(a, b db.PlanInstallment) int { return a.No - b.No })
	p.Installments = lines
	s[p.PlanID] = p
}

// fortnightly returns n installments of fen each, due every 14 days from
// start: 120 of them end within the test environment's ten-year bound on
// a run.
func fortnightly(start policy.Date, n int, fen int64) []Installment {
	out := make([]Installment, n)
	for i := range out {
		out[i] = Installment{DueOn: start.AddDays(14 * (i + 1)), AmountFen: fen}
	}
	return out
}

// paidPlan runs a plan of 120 fortnightly installments, each paid the day
// before it falls due, with the whole-list writes of runs before
// versionPlanDeltas when wholeLists is set.
func paidPlan(t *testing.T, wholeLists bool) *planHarness {
	t.Helper()
	h := newPlanHarness(t, planStart)
	if wholeLists {
		h.env.OnGetVersion(versionPlanDeltas, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	}
	inst := fortnightly(startedOn, 120, 10_000)
	pays := make([]*planUpdate, len(inst))
	for i, in := range inst {
		pays[i] = h.on(in.DueOn.AddDays(-1), UpdateRecordPayment, PaymentCommand{AmountFen: in.AmountFen, PaidOn: in.DueOn.AddDays(-1), Actor: judge})
	}
	res := h.run(inst...)
	for i, r := range pays {
		require.NoError(t, r.err, "payment %d", i+1)
	}
	require.Equal(t, PlanPerformed, res.Outcome)
	return h
}

// paymentWrites are the ledger writes that credited a payment: those whose
// paid total grew, with the bytes each put in the workflow's history.
func paymentWrites(t *testing.T, records []activities.RecordPlanInput) (writes []activities.RecordPlanInput, bytes []int) {
	t.Helper()
	var paid int64
	for _, r := range records {
		if r.Plan.PaidFen == paid {
			continue
		}
		paid = r.Plan.PaidFen
		b, err := json.Marshal(r)
		require.NoError(t, err)
		writes, bytes = append(writes, r), append(bytes, len(b))
	}
	return writes, bytes
}

func mean(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t / max(len(xs), 1)
}

// TestPlanRecordsDeltas: on a plan of 120 installments a payment's write
// carries only the line it paid, and the read model the writes leave is
// the one the whole-list writes of earlier runs leave.
func TestPlanRecordsDeltas(t *testing.T) {
	whole, delta := paidPlan(t, true), paidPlan(t, false)
	wholeWrites, wholeBytes := paymentWrites(t, whole.records)
	deltaWrites, deltaBytes := paymentWrites(t, delta.records)
	require.Len(t, wholeWrites, 120)
	require.Len(t, deltaWrites, 120)

	for i, w := range wholeWrites {
		require.Len(t, w.Plan.Installments, 120, "before the change, payment %d writes every line", i+1)
	}
	for i, w := range deltaWrites {
		require.Len(t, w.Plan.Installments, 1, "payment %d writes the line it paid", i+1)
		require.Equal(t, i+1, w.Plan.Installments[0].No)
		require.Equal(t, InstallmentPaid, w.Plan.Installments[0].State)
	}
	require.Len(t, delta.records[0].Plan.Installments, 120, "the run's first write carries every line")
	for _, r := range delta.records[1:] {
		require.LessOrEqual(t, len(r.Plan.Installments), 1, "a reminder or a payment changes one line at version %d", r.Plan.Version)
	}

	// The same writes, in the same order: the read models are equal, and
	// are the plan's ledger as it ended.
	require.Equal(t, len(whole.records), len(delta.records))
	w, d := whole.ledgers["performance"], delta.ledgers["performance"]
	require.Equal(t, whole.records[len(whole.records)-1].Plan, w, "whole lists: the last write is the read model")
	require.Equal(t, w, d)
	require.Len(t, d.Installments, 120)
	for _, l := range d.Installments {
		require.Equal(t, InstallmentPaid, l.State, "installment %d", l.No)
		require.Equal(t, 2, l.RemindersSent, "installment %d", l.No)
	}

	t.Logf("RecordPlan input per payment, 120 installments: whole list %d bytes (max %d), delta %d bytes (max %d)",
		mean(wholeBytes), slices.Max(wholeBytes), mean(deltaBytes), slices.Max(deltaBytes))
	wholeAll, deltaAll := 0, 0
	for _, r := range whole.records {
		b, _ := json.Marshal(r)
		wholeAll += len(b)
	}
	for _, r := range delta.records {
		b, _ := json.Marshal(r)
		deltaAll += len(b)
	}
	t.Logf("all %d RecordPlan inputs of the plan's life: whole lists %d bytes, deltas %d bytes", len(delta.records), wholeAll, deltaAll)
}

// TestPlanRecordsDeltasAfterContinueAsNew: the lines last written are not
// carried to the next run, so its first write carries every line once;
// the writes after it carry deltas again, and the read model ends whole.
func TestPlanRecordsDeltasAfterContinueAsNew(t *testing.T) {
	inst := threeDue()
	first := newPlanHarness(t, planStart)
	first.on(due1.AddDays(-1), UpdateRecordPayment, PaymentCommand{AmountFen: inst[0].AmountFen, PaidOn: due1.AddDays(-1), Actor: judge})
	first.env.RegisterDelayedCallback(func() { first.env.SetContinueAsNewSuggested(true) }, due1.Start().Sub(planStart))
	first.env.ExecuteWorkflow(InstallmentPlan, PlanInput{
		CaseID: "c1", PlanID: "performance", Jurisdiction: "CN", Obligor: obligor.Subject,
		Obligees: []string{obligee.Subject}, Installments: inst, StartedBy: judge,
	})
	next := continuedInput[PlanInput](t, first.env.GetWorkflowError())
	require.Equal(t, next.State.Version, next.State.Recorded, "the ledger was written before continuing")
	require.Empty(t, next.Installments, "the schedule goes on in the state's lines, not twice")
	require.Len(t, next.State.Lines, len(inst))

	second := newPlanHarness(t, first.env.Now())
	// The same stores: the steps and the read model as the first run
	// left them.
	second.events, second.ledgers["performance"] = first.events, first.ledgers["performance"]
	for _, in := range inst[1:] {
		second.on(in.DueOn.AddDays(-1), UpdateRecordPayment, PaymentCommand{AmountFen: in.AmountFen, PaidOn: in.DueOn.AddDays(-1), Actor: judge})
	}
	second.env.ExecuteWorkflow(InstallmentPlan, next)
	require.True(t, second.env.IsWorkflowCompleted())
	require.NoError(t, second.env.GetWorkflowError())
	var res PlanResult
	require.NoError(t, second.env.GetWorkflowResult(&res))
	require.Equal(t, PlanPerformed, res.Outcome)

	require.NotEmpty(t, second.records)
	require.Len(t, second.records[0].Plan.Installments, 3, "the new run's first write carries every line")
	for _, r := range second.records[1:] {
		require.LessOrEqual(t, len(r.Plan.Installments), 1, "then one line a change, at version %d", r.Plan.Version)
	}
	stored := second.ledgers["performance"]
	require.Equal(t, res.PaidFen, stored.PaidFen)
	require.Len(t, stored.Installments, 3)
	for i, l := range stored.Installments {
		require.Equal(t, res.Installments[i].State, l.State, "installment %d", l.No)
		require.Equal(t, res.Installments[i].PaidFen, l.PaidFen, "installment %d", l.No)
		require.Equal(t, res.Installments[i].RemindersSent, l.RemindersSent, "installment %d", l.No)
	}
}

// TestWageRecordsDeltas: a wage case's installment ledger is written as a
// plan's is, whichever activity carries it (with the steps, RecordPlan,
// ApplyWagePayments, RecordWage): a payment writes the line it paid, and
// the read model ends as the whole-list writes leave it.
func TestWageRecordsDeltas(t *testing.T) {
	const n = 24
	run := func(t *testing.T, legacy, wholeLists bool) *wageHarness {
		h := newWageHarness(t, wageStart)
		h.legacy = legacy
		if wholeLists {
			h.env.OnGetVersion(versionPlanDeltas, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
		var schedule []Installment
		var pays []*wageUpdate
		for i := 1; i <= n; i++ {
			due := wageDay(14 * i)
			schedule = append(schedule, Installment{DueOn: due, AmountFen: 300})
			pays = append(pays, h.pay(due.AddDays(-1), 300))
		}
		res := h.run(wageInput(creditors(n*100, n*100, n*100), schedule, allot.ProRata, false))
		for i, p := range pays {
			require.NoError(t, p.err, "payment %d", i+1)
		}
		require.Equal(t, WagePerformed, res.Stage)
		return h
	}
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			whole, delta := run(t, legacy, true), run(t, legacy, false)
			for _, w := range whole.planWrites {
				require.Len(t, w.Installments, n, "before the change every write carries every line")
			}
			require.Len(t, delta.planWrites[0].Installments, n, "the run's first write carries every line")
			var paid int64
			payments := 0
			for _, w := range delta.planWrites[1:] {
				require.LessOrEqual(t, len(w.Installments), 1, "a change writes the line it changed, at version %d", w.Version)
				if w.PaidFen != paid {
					paid = w.PaidFen
					payments++
					require.Len(t, w.Installments, 1, "a payment writes the line it paid")
					require.Equal(t, InstallmentPaid, w.Installments[0].State)
				}
			}
			require.Equal(t, n, payments)
			require.Equal(t, whole.ledgers[wageStream], delta.ledgers[wageStream], "the read models are the same")
			require.Len(t, delta.ledgers[wageStream].Installments, n)
		})
	}
}
