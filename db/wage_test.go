package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// TestApplyWagePayments allocates payments against the stored creditor
// ledger: the lines end where allocating in memory puts them, to the fen; a
// retried write changes nothing; a summary without parties keeps them.
func TestApplyWagePayments(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const n = 1_000
	owed := make([]int64, n)
	claims := make([]allot.Claim, n)
	ledger := db.WageLedger{CaseID: "w1", Version: 1, Plan: db.Plan{CaseID: "w1", PlanID: "wage", Obligor: "d", Stage: "performing", StartedOn: policy.NewDate(2026, 3, 2)}}
	for i := range owed {
		owed[i] = 10_000 + int64(i%7)*333
		hard := i%10 == 0
		claims[i] = allot.Claim{OwedFen: owed[i], Hardship: hard}
		ledger.Creditors = append(ledger.Creditors, db.WageCreditor{CreditorID: fmt.Sprintf("c%04d", i+1), No: i + 1, Name: "工人", OwedFen: owed[i], Hardship: hard})
		ledger.Plan.TotalFen += owed[i]
	}
	require.NoError(t, s.RecordWage(ctx, ledger))

	payments := []db.WagePayment{
		{No: 1, AmountFen: 1_234_567, Rule: allot.HardshipFirst, Version: 2},
		{No: 2, AmountFen: 2_000_001, Rule: allot.HardshipFirst, Version: 3},
	}
	want := make([]int64, n)
	var credited []int64
	for _, p := range payments {
		parts, _, err := allot.Allocate(p.Rule, p.AmountFen, claims)
		require.NoError(t, err)
		var sum int64
		for i, part := range parts {
			want[i] += part
			claims[i].OwedFen -= part
			sum += part
		}
		credited = append(credited, sum)
	}
	got, err := s.ApplyWagePayments(ctx, "w1", 3, ledger.Plan, payments)
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i, a := range got {
		require.False(t, a.Skipped)
		require.Equal(t, credited[i], a.CreditedFen, "payment %d", a.No)
	}
	check := func() {
		lines, err := s.WageCreditors(ctx, "w1", 0, n)
		require.NoError(t, err)
		require.Len(t, lines, n)
		for i, l := range lines {
			require.Equal(t, want[i], l.PaidFen, "creditor %d: got %d fen, want %d", i+1, l.PaidFen, want[i])
		}
	}
	check()

	again, err := s.ApplyWagePayments(ctx, "w1", 3, ledger.Plan, payments)
	require.NoError(t, err)
	for _, a := range again {
		require.True(t, a.Skipped, "payment %d applied twice", a.No)
	}
	check()
}

// TestSummaryWithoutPartiesKeepsThem: a wage case names its thousands of
// creditors in its first summary only; later summaries leave them as stored.
func TestSummaryWithoutPartiesKeepsThem(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	sum := casefile.Summary{ID: "w1", CaseNumber: "（2026）黔2301民特1号", Process: casefile.ProcessWage, WorkflowID: "case/w1/wage",
		Court: "兴义市人民法院", Jurisdiction: "CN", Parties: []string{"debtor", "c1", "c2"}, Stage: "performing",
		Status: casefile.StatusOpen, OpenedOn: policy.NewDate(2026, 3, 2), LastSeq: 1}
	require.NoError(t, s.RecordSteps(ctx, &sum, nil))
	later := sum
	later.Parties, later.Stage, later.LastSeq = nil, "performed", 2
	require.NoError(t, s.RecordSteps(ctx, &later, nil))
	got, err := s.Case(ctx, "w1")
	require.NoError(t, err)
	require.Equal(t, "performed", got.Stage)
	require.Equal(t, []string{"debtor", "c1", "c2"}, got.Parties)
}

// TestWageCreditorsByReference stages a creditor list, opens a case's
// ledger from it and allocates payments against it: staging and opening
// again change nothing, the creditors are named among the parties once, a
// retried allocation returns what was kept without crediting again, and
// the same payment number with another amount is refused.
func TestWageCreditorsByReference(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const n = 2_000
	list := make([]db.WageListCreditor, n)
	claims := make([]allot.Claim, n)
	var owed int64
	for i := range list {
		list[i] = db.WageListCreditor{ID: fmt.Sprintf("worker-%04d", i+1), Name: "劳动者", OwedFen: 10_000 + int64(i%13)*777, Hardship: i%7 == 0}
		claims[i] = allot.Claim{OwedFen: list[i].OwedFen, Hardship: list[i].Hardship}
		owed += list[i].OwedFen
	}
	ref, err := s.StageWageList(ctx, list)
	require.NoError(t, err)
	require.Equal(t, db.WageList{ID: db.WageListID(list), Creditors: n, OwedFen: owed, Hardship: (n + 6) / 7}, ref)
	again, err := s.StageWageList(ctx, list)
	require.NoError(t, err)
	require.Equal(t, ref, again, "the same list stages the same reference")

	sum := casefile.Summary{ID: "w2", CaseNumber: "（2026）黔2301民特2号", Process: casefile.ProcessWage, WorkflowID: "case/w2/wage",
		Court: "兴义市人民法院", Jurisdiction: "CN", Parties: []string{"debtor"}, Stage: "performing",
		Status: casefile.StatusOpen, OpenedOn: policy.NewDate(2026, 3, 2), LastSeq: 1}
	opened := casefile.Event{CaseID: "w2", Stream: "wage", Seq: 1, Kind: "wage_case_opened", Actor: casefile.System,
		RealAt: time.Now(), CaseAt: time.Now(), CaseOn: policy.NewDate(2026, 3, 2)}
	for range 2 {
		require.NoError(t, s.RecordStepsWith(ctx, &sum, []casefile.Event{opened}, db.StepsWith{WageList: &ref, WageVersion: 1}))
	}
	c, err := s.Case(ctx, "w2")
	require.NoError(t, err)
	require.Len(t, c.Parties, n+1, "the debtor and each creditor once")
	require.Equal(t, "debtor", c.Parties[0])
	require.Equal(t, list[n-1].ID, c.Parties[n])
	other := ref
	other.OwedFen++
	require.Error(t, s.RecordStepsWith(ctx, &sum, []casefile.Event{opened}, db.StepsWith{WageList: &other, WageVersion: 1}), "a reference whose totals the ledger does not hold is refused")
	require.NoError(t, s.CheckSummary(ctx, c), "the summary's digest covers every creditor named")

	want := make([]int64, n)
	for no, p := range []db.WagePayment{
		{No: 1, AmountFen: 1_234_567, Rule: allot.HardshipFirst, Version: 2},
		{No: 2, AmountFen: 3_000_001, Rule: allot.ProRata, Version: 3},
	} {
		parts, _, err := allot.Allocate(p.Rule, p.AmountFen, claims)
		require.NoError(t, err)
		var credited, hardship int64
		for i, part := range parts {
			want[i] += part
			claims[i].OwedFen -= part
			credited += part
			if list[i].Hardship {
				hardship += part
			}
		}
		for attempt := range 2 {
			a, err := s.AllocateWagePayment(ctx, "w2", p)
			require.NoError(t, err)
			require.Equal(t, p.No, no+1)
			require.Equal(t, credited, a.CreditedFen, "payment %d attempt %d", p.No, attempt+1)
			require.Equal(t, hardship, a.HardshipFen, "payment %d attempt %d", p.No, attempt+1)
		}
		p.AmountFen++
		_, err = s.AllocateWagePayment(ctx, "w2", p)
		require.ErrorIs(t, err, db.ErrAllocatedOtherwise)
	}
	lines, err := s.WageCreditors(ctx, "w2", 0, n)
	require.NoError(t, err)
	require.Len(t, lines, n)
	for i, l := range lines {
		require.Equal(t, want[i], l.PaidFen, "creditor %d: each payment credited once", i+1)
	}
}

// TestEnforcementApplicantsByReference: an enforcement case's applicants
// are staged and opened as a creditor ledger, as a wage case's creditors
// are. The case names every party itself (the applicants among them), so
// opening names none twice, and a later summary without parties keeps
// them; each collection allocated against the ledger credits each
// applicant what dividing in the workflow did (the in-input path), once
// however often it is retried.
func TestEnforcementApplicantsByReference(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	const n = 1_000
	list := make([]db.WageListCreditor, n)
	claims := make([]allot.Claim, n)
	parties := []string{"xx-construction"}
	var owed int64
	for i := range list {
		list[i] = db.WageListCreditor{ID: fmt.Sprintf("worker-%04d", i+1), Name: fmt.Sprintf("工人%04d", i+1), OwedFen: 10_000_000 + int64(i), Hardship: i%5 == 0}
		claims[i] = allot.Claim{OwedFen: list[i].OwedFen, Hardship: list[i].Hardship}
		parties = append(parties, list[i].ID)
		owed += list[i].OwedFen
	}
	ref, err := s.StageWageList(ctx, list)
	require.NoError(t, err)
	require.Equal(t, db.WageList{ID: db.WageListID(list), Creditors: n, OwedFen: owed, Hardship: n / 5}, ref)

	sum := casefile.Summary{ID: "e2", CaseNumber: "（2026）黔2301执2号", Process: casefile.ProcessEnforcement, WorkflowID: "case/e2/enforcement",
		Court: "兴义市人民法院", Jurisdiction: "CN", Parties: parties, Stage: "enforcing", Status: casefile.StatusOpen,
		ClaimFen: owed, OpenedOn: policy.NewDate(2026, 1, 5), LastSeq: 1}
	step := func(seq int) casefile.Event {
		return casefile.Event{CaseID: "e2", Stream: "enforcement", Seq: seq, Kind: "enforcement_payment_recorded", Actor: casefile.System,
			RealAt: time.Now(), CaseAt: time.Now(), CaseOn: policy.NewDate(2026, 1, 5)}
	}
	for range 2 {
		require.NoError(t, s.RecordStepsWith(ctx, &sum, []casefile.Event{step(1)}, db.StepsWith{WageList: &ref, WageVersion: 1}))
	}
	c, err := s.Case(ctx, "e2")
	require.NoError(t, err)
	require.Equal(t, parties, c.Parties, "every party once, in the case's order")

	for no, p := range []db.WagePayment{
		{No: 1, AmountFen: 1_000_001, Rule: allot.ProRata, Version: 2},
		{No: 2, AmountFen: 7, Rule: allot.ProRata, Version: 3},
		{No: 3, AmountFen: 123_456_789, Rule: allot.ProRata, Version: 4},
	} {
		parts, _, err := allot.Allocate(p.Rule, p.AmountFen, claims)
		require.NoError(t, err)
		want := db.WageAllocation{No: no + 1}
		for i, part := range parts {
			claims[i].OwedFen -= part
			want.CreditedFen += part
			if part > 0 {
				want.Creditors++
			}
			if list[i].Hardship {
				want.HardshipFen += part
			}
		}
		for range 2 {
			a, err := s.AllocateWagePayment(ctx, "e2", p)
			require.NoError(t, err)
			require.Equal(t, want, a, "payment %d", p.No)
		}
		later := sum
		later.Parties, later.LastSeq = nil, no+2
		require.NoError(t, s.RecordSteps(ctx, &later, []casefile.Event{step(no + 2)}))
	}
	c, err = s.Case(ctx, "e2")
	require.NoError(t, err)
	require.Equal(t, parties, c.Parties, "a summary without parties keeps them")
	require.NoError(t, s.CheckSummary(ctx, c), "the summary's digest covers every party")
	lines, err := s.WageCreditors(ctx, "e2", 0, n)
	require.NoError(t, err)
	require.Len(t, lines, n)
	for i, l := range lines {
		require.Equal(t, list[i].ID, l.CreditorID)
		require.Equal(t, list[i].Name, l.Name)
		require.Equal(t, claims[i].OwedFen, l.OwedFen-l.PaidFen, "applicant %d: what it is still owed, as in the workflow", i+1)
	}
}

// TestWageListCreditorIDs: an enforcement case whose applicant parties
// travel by reference reads them back from the staged list in its order,
// and only while the lines stored under the list's ID are the ones its
// digest names: a line edited in the database, or a list never staged,
// yields ErrListChanged instead of parties the audit chain does not cover.
func TestWageListCreditorIDs(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	list := []db.WageListCreditor{
		{ID: "worker-3", Name: "工人丙", OwedFen: 300, Hardship: true},
		{ID: "worker-1", Name: "工人甲", OwedFen: 100},
		{ID: "worker-2", Name: "工人乙", OwedFen: 200},
	}
	ref, err := s.StageWageList(ctx, list)
	require.NoError(t, err)
	for range 2 {
		ids, err := s.WageListCreditorIDs(ctx, ref)
		require.NoError(t, err)
		require.Equal(t, []string{"worker-3", "worker-1", "worker-2"}, ids, "in the list's order, however often read")
	}

	never := db.WageList{ID: db.WageListID(list[:1]), Creditors: 1, OwedFen: 300, Hardship: 1}
	_, err = s.WageListCreditorIDs(ctx, never)
	require.ErrorIs(t, err, db.ErrListChanged, "a list never staged")

	_, err = s.Pool().Exec(ctx, "UPDATE wage_creditor_lists SET creditor_id = 'li-si' WHERE list_id = $1 AND no = 2", ref.ID)
	require.NoError(t, err)
	_, err = s.WageListCreditorIDs(ctx, ref)
	require.ErrorIs(t, err, db.ErrListChanged, "a line edited in the database")
}
