package db_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// benchCases is the size of the ledger the benchmarks query: the issue asks
// for an answer under 50 ms at 100,000 cases.
const benchCases = 100_000

var (
	benchOnce  sync.Once
	benchPool  *pgxpool.Pool
	benchStore *db.Store
)

// closeBench closes the benchmark's pool, which outlives every benchmark
// function so the 100,000 cases are seeded once per run.
func closeBench() {
	if benchPool != nil {
		benchPool.Close()
	}
}

// ledger100k returns a store holding benchCases cases, seeded on first use.
// They spread like a province's ledger: 40 courts (36 in CN-52, 4 in
// CN-11), 400 mediators, 20 case leaders on one case in 20, four processes,
// five years of opening days; four in five closed, the open ones about
// half overdue.
func ledger100k(b *testing.B) *db.Store {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		start := time.Now()
		benchPool = openSchema(b, "bench_ledger")
		processes := []casefile.Process{
			casefile.ProcessMediation, casefile.ProcessMediation, casefile.ProcessMediation,
			casefile.ProcessEnforcement, casefile.ProcessEnforcement, casefile.ProcessWage, casefile.ProcessBoundary,
		}
		perf := []string{"automatic", "automatic", "enforced", "defaulted", ""}
		first := policy.NewDate(2022, time.January, 1)
		now := time.Now()
		rows := make([][]any, 0, benchCases)
		for i := range benchCases {
			court := i % 40
			juris := fmt.Sprintf("CN-52-%02d", court%9)
			if court >= 36 {
				juris = fmt.Sprintf("CN-11-%02d", court%4)
			}
			opened := first.AddDays((i * 13) % 1826)
			openedAt := opened.Start()
			leader := ""
			if i%20 == 0 {
				leader = fmt.Sprintf("leader-%d", i%400/20)
			}
			status, resolution, performance, outcome := "open", "", "", ""
			var closedOn, deadlineOn any
			var closedAt, deadlineAt *time.Time
			deadlineKind := ""
			if (i/7)%5 != 0 {
				status, outcome = "closed", "agreement_performed"
				cd := opened.AddDays(i % 90)
				closedOn, closedAt = cd.Start(), ptr(cd.Start())
				resolution = "resolved"
				if i%50 == 1 {
					resolution, outcome = "unresolved", "returned_for_litigation"
				}
				performance = perf[i%5]
			} else {
				// Half the open cases fell due before now, half after.
				due := policy.DateOf(now).AddDays(-400 + (i/5)%800)
				deadlineOn, deadlineAt, deadlineKind = due.Start(), ptr(due.End()), "mediation"
			}
			rows = append(rows, []any{
				fmt.Sprintf("case-%06d", i), fmt.Sprintf("（%d）黔%02d民诉前调%d号", opened.Year(), court, i),
				string(processes[i%len(processes)]), fmt.Sprintf("wf-%06d", i),
				fmt.Sprintf("court-%02d", court), juris, "", fmt.Sprintf("mediator-%03d", (i*7)%400), leader,
				[]string{fmt.Sprintf("party-%d", i%50_000), fmt.Sprintf("respondent-%d", i%9_973)},
				"stage", status, outcome, int64(i) * 100, int64(1), openedAt, openedAt, opened.Start(), closedOn,
				deadlineOn, deadlineAt, deadlineKind, resolution, performance, int32(1), openedAt, closedAt,
			})
		}
		n, err := benchPool.CopyFrom(ctx, pgx.Identifier{"cases"}, []string{
			"id", "case_number", "process", "workflow_id", "court", "jurisdiction", "organisation", "mediator",
			"case_leader", "parties", "stage", "status", "outcome", "claim_fen", "time_scale", "real_epoch",
			"case_epoch", "opened_on", "closed_on", "next_deadline_on", "next_deadline_at", "next_deadline_kind",
			"resolution", "performance", "last_seq", "opened_at", "closed_at",
		}, pgx.CopyFromRows(rows))
		require.NoError(b, err)
		require.EqualValues(b, benchCases, n)
		_, err = benchPool.Exec(ctx, "VACUUM ANALYZE cases")
		require.NoError(b, err)
		benchStore = db.NewStore(benchPool, audit.RandomKey())
		b.Logf("seeded %d cases in %v", n, time.Since(start).Round(time.Millisecond))
	})
	if benchStore == nil {
		b.Fatal("seeding the benchmark ledger failed earlier")
	}
	return benchStore
}

func ptr[T any](v T) *T { return &v }

// BenchmarkLedger100k times ledger pages at 100,000 cases: first pages as
// each role sees them (a court's jurisdiction, a mediator, a party, an
// auditor's overdue list) and a page 50,000 cases deep.
func BenchmarkLedger100k(b *testing.B) {
	s := ledger100k(b)
	ctx := context.Background()

	// The cursor 50,000 cases into the unfiltered ledger, and 20,000 into
	// CN-52's open cases.
	deep := func(f db.LedgerFilter, rows int) string {
		f.Limit = db.MaxLedgerLimit
		for range rows / db.MaxLedgerLimit {
			page, err := s.Ledger(ctx, f)
			require.NoError(b, err)
			require.NotEmpty(b, page.NextCursor, "the ledger ends before %d rows", rows)
			f.Cursor = page.NextCursor
		}
		return f.Cursor
	}
	cn52Open := db.CaseFilter{Jurisdiction: "CN-52", State: db.StateOpen}

	tests := []struct {
		name   string
		filter db.LedgerFilter
	}{
		{"FirstPage", db.LedgerFilter{}},
		{"CourtOpenFirstPage", db.LedgerFilter{CaseFilter: db.CaseFilter{Court: "court-07", State: db.StateOpen}}},
		{"JurisdictionFirstPage", db.LedgerFilter{CaseFilter: db.CaseFilter{Jurisdiction: "CN-52"}}},
		{"JurisdictionOverdueFirstPage", db.LedgerFilter{CaseFilter: db.CaseFilter{Jurisdiction: "CN-52", State: db.StateOverdue}}},
		{"MediatorFirstPage", db.LedgerFilter{CaseFilter: db.CaseFilter{Mediator: "mediator-123"}}},
		{"PartyFirstPage", db.LedgerFilter{CaseFilter: db.CaseFilter{Party: "party-4242"}}},
		{"CaseLeaderPeriodFirstPage", db.LedgerFilter{CaseFilter: db.CaseFilter{
			CaseLeader: "leader-3", OpenedFrom: policy.NewDate(2024, time.January, 1), OpenedTo: policy.NewDate(2024, time.December, 31),
		}}},
		{"DeepPage", db.LedgerFilter{Cursor: deep(db.LedgerFilter{}, 50_000)}},
		{"JurisdictionOpenDeepPage", db.LedgerFilter{CaseFilter: cn52Open, Cursor: deep(db.LedgerFilter{CaseFilter: cn52Open}, 10_000)}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			page, err := s.Ledger(ctx, tt.filter)
			require.NoError(b, err)
			require.NotEmpty(b, page.Cases, "the benchmark query finds nothing")
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t := time.Now()
				if _, err := s.Ledger(ctx, tt.filter); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t))
			}
			reportQuery(b, times)
		})
	}
}

// BenchmarkLedgerStatistics100k times the statistics an auditor of CN-52
// reads, per court and per month, over 100,000 cases.
func BenchmarkLedgerStatistics100k(b *testing.B) {
	s := ledger100k(b)
	ctx := context.Background()
	for _, group := range []db.StatsGroup{db.GroupNone, db.GroupCourt, db.GroupMonth} {
		b.Run(string(group), func(b *testing.B) {
			f := db.StatsFilter{CaseFilter: db.CaseFilter{Jurisdiction: "CN-52"}, GroupBy: group}
			rows, err := s.Statistics(ctx, f)
			require.NoError(b, err)
			require.NotEmpty(b, rows)
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t := time.Now()
				if _, err := s.Statistics(ctx, f); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t))
			}
			reportQuery(b, times)
		})
	}
}

// ledgerBudgetMs is the answer time the ledger must stay under at 100,000
// cases; each benchmark also reports its share of it, a ratio measured in
// the same run and so comparable across noisy machines.
const ledgerBudgetMs = 50.0

// reportQuery reports the mean, p50 and p99 of the iterations' answer
// times, and the p99's share of the budget.
func reportQuery(b *testing.B, times []time.Duration) {
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/query")
	slices.Sort(times)
	at := func(q float64) float64 {
		return float64(times[min(len(times)-1, int(q*float64(len(times))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(0.99)/ledgerBudgetMs, "p99-of-50ms-budget")
}
