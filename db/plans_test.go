package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

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

// TestPlanRecordsDeltas: a workflow writes a plan's header with only the
// installment lines changed since its last write. The lines a write
// leaves out stay as stored, a retried write changes nothing, and a stale
// one (an older version arriving late) is refused whole, so it never
// overwrites newer lines.
func TestPlanRecordsDeltas(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	on := policy.NewDate(2026, 5, 1)
	// A plan of 120 installments, written whole by its run's first write.
	base := func(id string) db.Plan {
		p := db.Plan{
			CaseID: "c1", PlanID: id, Obligor: "xx-construction", Stage: "performing",
			TotalFen: 120 * 1_000, StartedOn: on, Version: 1,
		}
		for i := 1; i <= 120; i++ {
			p.Installments = append(p.Installments, db.PlanInstallment{No: i, DueOn: on.AddDays(14 * i), AmountFen: 1_000, State: "scheduled"})
		}
		return p
	}
	// at is the plan at version v, paid paid fen, carrying lines.
	at := func(p db.Plan, v int, paid int64, lines ...db.PlanInstallment) db.Plan {
		p.Version, p.PaidFen, p.Installments = v, paid, lines
		return p
	}
	paid := func(no int) db.PlanInstallment {
		return db.PlanInstallment{No: no, DueOn: on.AddDays(14 * no), AmountFen: 1_000, PaidFen: 1_000, State: "paid", PaidOn: on.AddDays(14*no - 1), RemindersSent: 2}
	}
	reminded := func(no int) db.PlanInstallment {
		return db.PlanInstallment{No: no, DueOn: on.AddDays(14 * no), AmountFen: 1_000, State: "scheduled", RemindersSent: 1}
	}
	// with is the whole ledger p with lines replacing (or adding) theirs.
	with := func(p db.Plan, v int, paidFen int64, lines ...db.PlanInstallment) db.Plan {
		p.Version, p.PaidFen = v, paidFen
		p.Installments = slices.Clone(p.Installments)
		for _, l := range lines {
			if l.No <= len(p.Installments) {
				p.Installments[l.No-1] = l
			} else {
				p.Installments = append(p.Installments, l)
			}
		}
		return p
	}

	for _, tc := range []struct {
		name string
		// writes follow the whole first write; want is the whole ledger
		// they leave.
		writes func(b db.Plan) []db.Plan
		want   func(b db.Plan) db.Plan
	}{
		{
			name:   "DeltaLeavesOtherLines",
			writes: func(b db.Plan) []db.Plan { return []db.Plan{at(b, 2, 0, reminded(1)), at(b, 3, 1_000, paid(1))} },
			want:   func(b db.Plan) db.Plan { return with(b, 3, 1_000, paid(1)) },
		},
		{
			name: "RetryIsANoOp",
			writes: func(b db.Plan) []db.Plan {
				return []db.Plan{at(b, 2, 1_000, paid(1)), at(b, 2, 1_000, paid(1)), at(b, 3, 2_000, paid(2)), at(b, 2, 1_000, paid(1))}
			},
			want: func(b db.Plan) db.Plan { return with(b, 3, 2_000, paid(1), paid(2)) },
		},
		{
			name: "StaleDeltaIsRefused",
			writes: func(b db.Plan) []db.Plan {
				// Version 2 arrives after 3: neither its header nor its
				// line 2, older than what version 3 stored, is written,
				// nor its line 5, which 3 left out.
				return []db.Plan{at(b, 3, 2_000, paid(1), paid(2)), at(b, 2, 1_000, paid(1), reminded(2), reminded(5))}
			},
			want: func(b db.Plan) db.Plan { return with(b, 3, 2_000, paid(1), paid(2)) },
		},
		{
			name:   "EmptyDeltaWritesTheHeader",
			writes: func(b db.Plan) []db.Plan { b.Stage = "in_default"; return []db.Plan{at(b, 2, 0)} },
			want:   func(b db.Plan) db.Plan { b.Stage = "in_default"; return with(b, 2, 0) },
		},
		{
			name: "DeltaAddsALine",
			writes: func(b db.Plan) []db.Plan {
				added := db.PlanInstallment{No: 121, DueOn: on.AddDays(14 * 121), AmountFen: 500, State: "scheduled", Settlement: 1}
				return []db.Plan{at(b, 2, 0, added)}
			},
			want: func(b db.Plan) db.Plan {
				return with(b, 2, 0, db.PlanInstallment{No: 121, DueOn: on.AddDays(14 * 121), AmountFen: 500, State: "scheduled", Settlement: 1})
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := base(tc.name)
			require.NoError(t, s.RecordPlan(ctx, b, nil))
			var last db.Plan
			for i, w := range tc.writes(b) {
				require.NoError(t, s.RecordPlan(ctx, w, nil), "write %d", i+1)
				got, err := s.Plan(ctx, "c1", tc.name)
				require.NoError(t, err)
				if i > 0 && got.Version == last.Version {
					require.Equal(t, last, got, "write %d at a stored or older version changes nothing, not even when the row was written", i+1)
				}
				last = got
			}
			want := tc.want(b)
			last.UpdatedAt = time.Time{}
			require.Equal(t, want, last)
		})
	}
}
