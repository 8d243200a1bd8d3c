package db_test

import (
	"context"
	"fmt"
	"testing"

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
