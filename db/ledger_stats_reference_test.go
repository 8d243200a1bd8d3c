package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// referenceStatistics is the statistics query as it was before migration
// 081: one FILTER aggregate per figure, every test evaluated on every row.
// It is the oracle the rolled-up query must agree with exactly.
const referenceStatistics = `
SELECT
    (CASE $1::text
        WHEN 'court' THEN court
        WHEN 'mediator' THEN mediator
        WHEN 'process' THEN process
        WHEN 'month' THEN to_char(opened_on, 'YYYY-MM')
        WHEN 'year' THEN to_char(opened_on, 'YYYY')
        ELSE ''
    END)::text AS grp,
    count(*) AS disputes,
    count(*) FILTER (WHERE status = 'open') AS open,
    count(*) FILTER (WHERE status = 'open' AND overdue_from < $2::timestamptz) AS overdue,
    count(*) FILTER (WHERE status = 'closed') AS closed,
    count(*) FILTER (WHERE resolution = 'resolved') AS resolved,
    count(*) FILTER (WHERE resolution = 'unresolved') AS unresolved,
    count(*) FILTER (WHERE resolution = '') AS pending,
    count(*) FILTER (WHERE performance = 'automatic') AS automatic,
    count(*) FILTER (WHERE performance = 'enforced') AS enforced,
    count(*) FILTER (WHERE performance = 'defaulted') AS defaulted,
    count(*) FILTER (WHERE follow_ups_due > 0) AS follow_up_cases,
    count(*) FILTER (WHERE follow_ups_due > 0 AND follow_ups_done > 0) AS followed_up,
    count(*) FILTER (WHERE status = 'closed' AND closed_on IS NOT NULL) AS closed_dated,
    coalesce(sum(closed_on - opened_on) FILTER (WHERE status = 'closed' AND closed_on IS NOT NULL), 0)::bigint AS days_to_close
FROM cases
WHERE ($3::text IS NULL OR status = $3)
  AND (NOT $4::boolean OR (status = 'open' AND overdue_from < $2::timestamptz))
  AND ($5::text IS NULL OR process = $5)
  AND ($6::text IS NULL OR court = $6)
  AND ($7::text IS NULL OR mediator = $7)
  AND ($8::text IS NULL OR case_leader = $8)
  AND ($9::text IS NULL
       OR jurisdiction = $9
       OR starts_with(jurisdiction, $9 || '-'))
  AND ($10::text IS NULL OR parties @> ARRAY[$10::text])
  AND ($11::date IS NULL OR opened_on >= $11)
  AND ($12::date IS NULL OR opened_on <= $12)
  AND (NOT $13::boolean OR (status = 'open' AND next_deadline_provisional))
GROUP BY 1
ORDER BY 1`

// TestStatisticsMatchReference seeds a varied ledger (every status,
// resolution, performance and follow-up combination, odd values included,
// closed cases without a closing day, overdue and not) and checks that
// every grouping under every filter gives exactly the reference's figures.
func TestStatisticsMatchReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := fmt.Sprintf("test_%d", schemaSeq.Add(1))
	pool := openSchema(t, schema)
	t.Cleanup(func() {
		pool.Close()
		_, err := stack.Pool.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
		require.NoError(t, err)
	})
	s := db.NewStore(pool, audit.RandomKey())

	r := rand.New(rand.NewPCG(15, 81))
	pick := func(v ...string) string { return v[r.IntN(len(v))] }
	first := policy.NewDate(2023, time.November, 20)
	now := time.Now()
	var rows [][]any
	for i := range 3000 {
		opened := first.AddDays(r.IntN(500))
		status := pick("open", "closed", "closed", "suspended")
		var closedOn any
		if status == "closed" && r.IntN(10) > 0 {
			closedOn = opened.AddDays(r.IntN(200)).Start()
		}
		var deadlineAt *time.Time
		if r.IntN(4) > 0 {
			deadlineAt = ptr(now.Add(time.Duration(r.IntN(2000)-1000) * time.Hour))
		}
		juris := pick("CN-52", "CN-52-01", "CN-52-02", "CN-520", "CN-11-01")
		rows = append(rows, []any{
			fmt.Sprintf("case-%05d", i), fmt.Sprintf("n-%d", i), pick("mediation", "enforcement", "wage", "boundary"),
			fmt.Sprintf("wf-%d", i), fmt.Sprintf("court-%d", r.IntN(6)), juris, "", pick("", "m-1", "m-2", "m-3"),
			pick("", "", "leader-1"), []string{fmt.Sprintf("party-%d", r.IntN(40))}, "stage", status, "",
			int64(i), int64(pick("1", "60")[0] - '0'), now.Add(-time.Hour), now.Add(-time.Hour), opened.Start(), closedOn,
			deadlineAt, pick("resolved", "unresolved", "", "withdrawn"), pick("automatic", "enforced", "defaulted", "", "partial"),
			int32(r.IntN(3)), int32(r.IntN(3)), r.IntN(5) == 0, int32(1), opened.Start(),
		})
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"cases"}, []string{
		"id", "case_number", "process", "workflow_id", "court", "jurisdiction", "organisation", "mediator",
		"case_leader", "parties", "stage", "status", "outcome", "claim_fen", "time_scale", "real_epoch",
		"case_epoch", "opened_on", "closed_on", "next_deadline_at", "resolution", "performance",
		"follow_ups_due", "follow_ups_done", "next_deadline_provisional", "last_seq", "opened_at",
	}, pgx.CopyFromRows(rows))
	require.NoError(t, err)

	filters := []db.CaseFilter{
		{},
		{Jurisdiction: "CN-52"},
		{Jurisdiction: "CN-52-01", State: db.StateOpen},
		{State: db.StateOverdue},
		{State: db.StateClosed, Court: "court-3"},
		{Mediator: "m-2", Process: "wage"},
		{CaseLeader: "leader-1"},
		{Party: "party-7"},
		{OpenedFrom: first.AddDays(100), OpenedTo: first.AddDays(300)},
		{Provisional: true},
		{Jurisdiction: "CN-99"},
	}
	asOf := now.Add(-3 * time.Hour)
	text := func(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }
	date := func(d policy.Date) pgtype.Date {
		if d.IsZero() {
			return pgtype.Date{}
		}
		return pgtype.Date{Time: d.Start(), Valid: true}
	}
	for _, f := range filters {
		for _, g := range []db.StatsGroup{db.GroupNone, db.GroupCourt, db.GroupMediator, db.GroupProcess, db.GroupMonth, db.GroupYear} {
			f.AsOf = asOf
			got, err := s.Statistics(ctx, db.StatsFilter{CaseFilter: f, GroupBy: g})
			require.NoError(t, err)

			status, overdue := "", false
			switch f.State {
			case db.StateOpen, db.StateClosed:
				status = string(f.State)
			case db.StateOverdue:
				overdue = true
			}
			ref, err := pool.Query(ctx, referenceStatistics, string(g), asOf, text(status), overdue, text(string(f.Process)),
				text(f.Court), text(f.Mediator), text(f.CaseLeader), text(f.Jurisdiction), text(f.Party),
				date(f.OpenedFrom), date(f.OpenedTo), f.Provisional)
			require.NoError(t, err)
			var want []db.StatsRow
			for ref.Next() {
				var w db.StatsRow
				var auto, closedDated, days int64
				require.NoError(t, ref.Scan(&w.Group, &w.Disputes, &w.Open, &w.Overdue, &w.Closed, &w.Resolved,
					&w.Unresolved, &w.Pending, &auto, &w.Enforced, &w.Defaulted, &w.FollowUpCases, &w.FollowedUp,
					&closedDated, &days))
				w.AutomaticallyPerformed, w.Performed = auto, auto+w.Enforced
				w.AverageDaysToClose = db.Ratio{Numerator: days, Denominator: closedDated}
				want = append(want, w)
			}
			require.NoError(t, ref.Err())
			if g == db.GroupNone && len(want) == 0 {
				want = append(want, db.StatsRow{})
			}
			require.Len(t, got, len(want), "filter %+v group %s", f, g)
			for i := range want {
				w, h := want[i], got[i]
				require.Equal(t, w.AverageDaysToClose.Numerator, h.AverageDaysToClose.Numerator, "filter %+v group %s row %d", f, g, i)
				require.Equal(t, w.AverageDaysToClose.Denominator, h.AverageDaysToClose.Denominator, "filter %+v group %s row %d", f, g, i)
				h.ResolutionRate, h.AutomaticPerformanceRate, h.FollowUpRate, h.AverageDaysToClose = db.Ratio{}, db.Ratio{}, db.Ratio{}, db.Ratio{}
				w.AverageDaysToClose = db.Ratio{}
				require.Equal(t, w, h, "filter %+v group %s row %d", f, g, i)
			}
			if g == db.GroupNone && f.Jurisdiction == "" && f == (db.CaseFilter{AsOf: asOf}) {
				require.EqualValues(t, 3000, got[0].Disputes)
				require.NotZero(t, got[0].Overdue, "the seed has no overdue case")
			}
		}
	}
}
