package db_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// TestPlanKeepsSettlements: a plan's stored ledger keeps its
// pre-enforcement settlements and, on each line, what a settlement took
// over and which scheduled it, so a restart can run the same schedule; a
// plan without settlements reads as none.
func TestPlanKeepsSettlements(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	on := policy.NewDate(2026, 5, 1)
	settled := db.Plan{
		CaseID: "c1", PlanID: "performance", Obligor: "xx-construction", Stage: "performing",
		TotalFen: 1_000, PaidFen: 300, StartedOn: on, Version: 3,
		Installments: []db.PlanInstallment{
			{No: 1, DueOn: on.AddDays(10), AmountFen: 500, PaidFen: 300, State: "superseded", PaidOn: on.AddDays(12), SupersededFen: 200, SupersededBy: 1},
			{No: 2, DueOn: on.AddDays(40), AmountFen: 500, State: "superseded", SupersededFen: 500, SupersededBy: 1},
			{No: 3, DueOn: on.AddDays(60), AmountFen: 700, State: "scheduled", Settlement: 1},
		},
		Settlements: []db.PlanSettlement{{
			No: 1, AgreedOn: on.AddDays(30), RecordedBy: casefile.Actor{Subject: "mediator-1", Role: casefile.RoleMediator},
			ConsentedBy: []string{"worker-1"}, OutstandingFen: 700, Superseded: []int{1, 2}, Installments: []int{3},
		}},
	}
	require.NoError(t, s.RecordPlan(ctx, settled, nil))
	got, err := s.Plan(ctx, "c1", "performance")
	require.NoError(t, err)
	require.Equal(t, settled.Settlements, got.Settlements)
	require.Equal(t, settled.Installments, got.Installments)

	plain := db.Plan{
		CaseID: "c1", PlanID: "performance-2", Obligor: "xx-construction", Stage: "performing",
		TotalFen: 500, StartedOn: on, Version: 1,
		Installments: []db.PlanInstallment{{No: 1, DueOn: on.AddDays(10), AmountFen: 500, State: "scheduled"}},
	}
	require.NoError(t, s.RecordPlan(ctx, plain, nil))
	got, err = s.Plan(ctx, "c1", "performance-2")
	require.NoError(t, err)
	require.Nil(t, got.Settlements)
	require.Equal(t, plain.Installments, got.Installments)
}
