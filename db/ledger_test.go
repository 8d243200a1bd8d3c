package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

const (
	courtXingyi   = "兴义市人民法院"
	courtQinglong = "晴隆县人民法院"
)

// epoch is the real and case instant the sample cases start at.
var epoch = time.Date(2026, 3, 10, 9, 0, 0, 0, policy.CST)

// sample returns an open real-time mediation case with every required
// field set; tests change what they are about.
func sample(id string) casefile.Summary {
	return casefile.Summary{
		ID: id, CaseNumber: "（2026）黔2301民诉前调" + id + "号", Process: casefile.ProcessMediation,
		WorkflowID: "mediation:" + id, Court: courtXingyi, Jurisdiction: "CN-52",
		Mediator: "mediator-wang", Parties: []string{"zhang-san", "xx-construction"},
		Stage: "mediating", Status: casefile.StatusOpen,
		Clock:    casetime.Clock{Scale: 1, RealEpoch: epoch, CaseEpoch: epoch},
		OpenedOn: policy.DateOf(epoch), LastSeq: 1, OpenedAt: epoch,
	}
}

// closed marks c closed after days case days with resolution r.
func closed(c casefile.Summary, days int, r casefile.Resolution) casefile.Summary {
	c.Status, c.Stage, c.Resolution = casefile.StatusClosed, "closed", r
	c.ClosedOn = c.OpenedOn.AddDays(days)
	c.ClosedAt = c.OpenedAt.Add(time.Duration(days) * 24 * time.Hour)
	return c
}

func seed(t testing.TB, s *db.Store, cases ...casefile.Summary) {
	t.Helper()
	for _, c := range cases {
		require.NoError(t, s.RecordSteps(context.Background(), &c, nil), "seed %s", c.ID)
	}
}

// seedHeadline seeds the figures of seed 000:91: 746 disputes, 739
// resolved, 7 not. Cases 0–399 are Xingyi's, the rest Qinglong's; 0–299
// were opened in January 2026, 300–599 in February, the rest in March;
// case i took i%17 days to close at Xingyi and four more at Qinglong; cases
// from 7 on were performed automatically, by enforcement, defaulted or have
// no obligation, in turn by i%4; mediators take turns by i%3.
func seedHeadline(t testing.TB, s *db.Store) {
	t.Helper()
	perf := []casefile.Performance{casefile.PerformedAutomatically, casefile.PerformedByEnforcement, casefile.PerformanceDefaulted, ""}
	cases := make([]casefile.Summary, 0, 746)
	for i := range 746 {
		c := sample(fmt.Sprintf("h%03d", i))
		c.Mediator = fmt.Sprintf("mediator-%d", i%3)
		switch {
		case i < 300:
			c.OpenedOn = policy.NewDate(2026, time.January, 1+i%31)
		case i < 600:
			c.OpenedOn = policy.NewDate(2026, time.February, 1+i%28)
		default:
			c.OpenedOn = policy.NewDate(2026, time.March, 1+i%31)
		}
		days := i % 17
		if i >= 400 {
			c.Court, c.Jurisdiction = courtQinglong, "CN-52-QXN"
			days += 4
		}
		r := casefile.Resolved
		if i < 7 {
			r = casefile.Unresolved
		} else {
			c.Performance = perf[i%4]
		}
		cases = append(cases, closed(c, days, r))
	}
	seed(t, s, cases...)
}

func TestStatistics(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	seedHeadline(t, s)
	ctx := context.Background()

	type figures struct {
		group                          string
		disputes, resolved, unresolved int64
		rate                           string
		automatic, enforced, defaulted int64
		automaticRate                  string
		days                           int64
		averageDays                    string
	}
	tests := []struct {
		name   string
		filter db.StatsFilter
		want   []figures
	}{
		{"Headline", db.StatsFilter{}, []figures{
			{"", 746, 739, 7, "99.1", 185, 185, 184, "33.4", 7337, "9.8"},
		}},
		{"PerCourt", db.StatsFilter{GroupBy: db.GroupCourt}, []figures{
			// Groups sort by code point (兴 U+5174 before 晴 U+6674);
			// 393/400 = 98.25 rounds half up.
			{courtXingyi, 400, 393, 7, "98.3", 98, 98, 98, "33.3", 3164, "7.9"},
			{courtQinglong, 346, 346, 0, "100.0", 87, 87, 86, "33.5", 4173, "12.1"},
		}},
		{"PerMonth", db.StatsFilter{GroupBy: db.GroupMonth}, []figures{
			{"2026-01", 300, 293, 7, "97.7", 73, 73, 73, "33.3", 2367, "7.9"},
			{"2026-02", 300, 300, 0, "100.0", 75, 75, 75, "33.3", 3203, "10.7"},
			{"2026-03", 146, 146, 0, "100.0", 37, 37, 36, "33.6", 1767, "12.1"},
		}},
		{"PerMediator", db.StatsFilter{GroupBy: db.GroupMediator}, []figures{
			{"mediator-0", 249, 246, 3, "98.8", 62, 62, 61, "33.5", 2444, "9.8"},
			{"mediator-1", 249, 247, 2, "99.2", 61, 62, 62, "33.0", 2459, "9.9"},
			{"mediator-2", 248, 246, 2, "99.2", 62, 61, 61, "33.7", 2434, "9.8"},
		}},
		{"PerYear", db.StatsFilter{GroupBy: db.GroupYear}, []figures{
			{"2026", 746, 739, 7, "99.1", 185, 185, 184, "33.4", 7337, "9.8"},
		}},
		{"JurisdictionScoped", db.StatsFilter{CaseFilter: db.CaseFilter{Jurisdiction: "CN-52-QXN"}}, []figures{
			{"", 346, 346, 0, "100.0", 87, 87, 86, "33.5", 4173, "12.1"},
		}},
		{"PeriodFebruary", db.StatsFilter{CaseFilter: db.CaseFilter{
			OpenedFrom: policy.NewDate(2026, time.February, 1), OpenedTo: policy.NewDate(2026, time.February, 28),
		}}, []figures{
			{"", 300, 300, 0, "100.0", 75, 75, 75, "33.3", 3203, "10.7"},
		}},
		{"NothingMatches", db.StatsFilter{CaseFilter: db.CaseFilter{Court: "no such court"}}, []figures{
			{"", 0, 0, 0, "", 0, 0, 0, "", 0, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.Statistics(ctx, tt.filter)
			require.NoError(t, err)
			got := make([]figures, 0, len(rows))
			for _, r := range rows {
				got = append(got, figures{
					r.Group, r.Disputes, r.Resolved, r.Unresolved, r.ResolutionRate.Value,
					r.AutomaticallyPerformed, r.Enforced, r.Defaulted, r.AutomaticPerformanceRate.Value,
					r.AverageDaysToClose.Numerator, r.AverageDaysToClose.Value,
				})
				// Every case here is closed with a known resolution, so the
				// denominators are the disputes, and performed is
				// automatic + enforced.
				require.Equal(t, r.Disputes, r.Closed, "group %q: got %d closed, want all %d", r.Group, r.Closed, r.Disputes)
				require.Zero(t, r.Open+r.Overdue+r.Pending, "group %q: nothing is open or pending", r.Group)
				require.Equal(t, db.Ratio{Numerator: r.Resolved, Denominator: r.Disputes, Value: r.ResolutionRate.Value}, r.ResolutionRate)
				require.Equal(t, r.AutomaticallyPerformed+r.Enforced, r.Performed)
				require.Equal(t, r.AutomaticallyPerformed+r.Enforced+r.Defaulted, r.AutomaticPerformanceRate.Denominator)
				require.Equal(t, r.Closed, r.AverageDaysToClose.Denominator)
			}
			require.Equal(t, tt.want, got, "got %+v, want %+v", got, tt.want)
		})
	}

	t.Run("HeadlineDenominators", func(t *testing.T) {
		rows, err := s.Statistics(ctx, db.StatsFilter{GroupBy: db.GroupNone})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		require.Equal(t, db.Ratio{Numerator: 739, Denominator: 746, Value: "99.1"}, rows[0].ResolutionRate)
		require.Equal(t, db.Ratio{Numerator: 185, Denominator: 554, Value: "33.4"}, rows[0].AutomaticPerformanceRate)
		require.Equal(t, db.Ratio{Numerator: 7337, Denominator: 746, Value: "9.8"}, rows[0].AverageDaysToClose)
	})
}

func TestStatisticsOpenAndPending(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	open := sample("open")
	overdue := sample("overdue")
	overdue.NextDeadline = &casefile.Deadline{Kind: "mediation", On: policy.DateOf(epoch).AddDays(-2), At: epoch.Add(-24 * time.Hour)}
	settled := closed(sample("settled"), 12, casefile.Resolved)
	settled.Performance = casefile.PerformedAutomatically
	seed(t, s, open, overdue, settled)

	rows, err := s.Statistics(context.Background(), db.StatsFilter{CaseFilter: db.CaseFilter{AsOf: epoch}})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	r := rows[0]
	got := []int64{r.Disputes, r.Open, r.Overdue, r.Closed, r.Resolved, r.Unresolved, r.Pending, r.Performed}
	require.Equal(t, []int64{3, 2, 1, 1, 1, 0, 2, 1}, got, "got disputes, open, overdue, closed, resolved, unresolved, pending, performed %v", got)
	require.Equal(t, db.Ratio{Numerator: 1, Denominator: 1, Value: "100.0"}, r.ResolutionRate)
	require.Equal(t, db.Ratio{Numerator: 12, Denominator: 1, Value: "12.0"}, r.AverageDaysToClose)
}

func TestLedgerOverdue(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	now := time.Now()
	// compressed runs 30 legal days per real second, started 2 s ago.
	compressed := func(id string, deadlineDays int) casefile.Summary {
		c := sample(id)
		c.Clock = casetime.Clock{Scale: 30 * 86400, RealEpoch: now.Add(-2 * time.Second), CaseEpoch: epoch}
		at := epoch.Add(time.Duration(deadlineDays) * 24 * time.Hour)
		c.NextDeadline = &casefile.Deadline{Kind: "mediation", On: policy.DateOf(at), At: at}
		return c
	}
	// realTime started 10 days ago.
	realTime := func(id string, deadlineDays int) casefile.Summary {
		c := sample(id)
		c.Clock = casetime.Clock{Scale: 1, RealEpoch: now.Add(-10 * 24 * time.Hour), CaseEpoch: epoch}
		at := epoch.Add(time.Duration(deadlineDays) * 24 * time.Hour)
		c.NextDeadline = &casefile.Deadline{Kind: "mediation", On: policy.DateOf(at), At: at}
		return c
	}
	seed(t, s,
		compressed("fast-passed", 31),    // case time is 60 days on
		compressed("fast-pending", 3000), // 100 real seconds away
		realTime("slow-passed", 5),
		realTime("slow-pending", 30),
		closed(realTime("slow-closed", 5), 3, casefile.Resolved), // its deadline passed, but it is closed
		sample("no-deadline"),
	)

	tests := []struct {
		state       db.LedgerState
		want        []string
		wantOverdue []string
	}{
		{db.StateOverdue, []string{"slow-passed", "fast-passed"}, []string{"slow-passed", "fast-passed"}},
		{db.StateOpen, []string{"slow-pending", "slow-passed", "no-deadline", "fast-pending", "fast-passed"}, []string{"slow-passed", "fast-passed"}},
		{db.StateClosed, []string{"slow-closed"}, nil},
		{db.StateAll, []string{"slow-pending", "slow-passed", "slow-closed", "no-deadline", "fast-pending", "fast-passed"}, []string{"slow-passed", "fast-passed"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			page, err := s.Ledger(context.Background(), db.LedgerFilter{CaseFilter: db.CaseFilter{State: tt.state}})
			require.NoError(t, err)
			var got, gotOverdue []string
			for _, c := range page.Cases {
				got = append(got, c.ID)
				if c.Overdue {
					gotOverdue = append(gotOverdue, c.ID)
				}
			}
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
			require.Equal(t, tt.wantOverdue, gotOverdue, "got overdue %v, want %v", gotOverdue, tt.wantOverdue)
		})
	}

	t.Run("AsOf", func(t *testing.T) {
		// 20 real days from now the real-time case due in 30 case days
		// (20 days from now) has passed too, and the compressed one long since.
		page, err := s.Ledger(context.Background(), db.LedgerFilter{CaseFilter: db.CaseFilter{State: db.StateOverdue, AsOf: now.Add(20*24*time.Hour + time.Minute)}})
		require.NoError(t, err)
		var got []string
		for _, c := range page.Cases {
			got = append(got, c.ID)
		}
		want := []string{"slow-pending", "slow-passed", "fast-pending", "fast-passed"}
		require.Equal(t, want, got, "got %v, want %v", got, want)
	})
}

func TestLedgerFilters(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	on := func(c casefile.Summary, m time.Month, d int) casefile.Summary {
		c.OpenedOn = policy.NewDate(2026, m, d)
		return c
	}
	a := on(sample("a"), time.January, 5)
	b := on(sample("b"), time.February, 1)
	b.Mediator, b.Parties = "mediator-zhao", []string{"li-si", "xx-construction"}
	c := on(closed(sample("c"), 20, casefile.Resolved), time.February, 28)
	c.Court, c.Jurisdiction, c.CaseLeader = courtQinglong, "CN-52-QXN", "leader-zhou"
	d := on(sample("d"), time.March, 1)
	d.Process, d.Jurisdiction, d.Court = casefile.ProcessEnforcement, "CN-520", "某法院"
	e := on(sample("e"), time.March, 31)
	e.Process, e.Jurisdiction, e.Court, e.Mediator = casefile.ProcessWage, "CN-11", courtQinglong, ""
	e.CaseLeader = "leader-zhou"
	seed(t, s, a, b, c, d, e)

	tests := []struct {
		name   string
		filter db.CaseFilter
		want   []string
	}{
		{"All", db.CaseFilter{}, []string{"e", "d", "c", "b", "a"}},
		{"Open", db.CaseFilter{State: db.StateOpen}, []string{"e", "d", "b", "a"}},
		{"Closed", db.CaseFilter{State: db.StateClosed}, []string{"c"}},
		{"Process", db.CaseFilter{Process: casefile.ProcessEnforcement}, []string{"d"}},
		{"Court", db.CaseFilter{Court: courtQinglong}, []string{"e", "c"}},
		{"Mediator", db.CaseFilter{Mediator: "mediator-zhao"}, []string{"b"}},
		{"CaseLeader", db.CaseFilter{CaseLeader: "leader-zhou"}, []string{"e", "c"}},
		{"JurisdictionPrefix", db.CaseFilter{Jurisdiction: "CN-52"}, []string{"c", "b", "a"}},
		{"JurisdictionSubdivision", db.CaseFilter{Jurisdiction: "CN-52-QXN"}, []string{"c"}},
		{"JurisdictionNotAPrefixOfDigits", db.CaseFilter{Jurisdiction: "CN-520"}, []string{"d"}},
		{"JurisdictionWildcardIsLiteral", db.CaseFilter{Jurisdiction: "CN-5%"}, nil},
		{"Party", db.CaseFilter{Party: "li-si"}, []string{"b"}},
		{"PartyShared", db.CaseFilter{Party: "xx-construction"}, []string{"e", "d", "c", "b", "a"}},
		{"OpenedFrom", db.CaseFilter{OpenedFrom: policy.NewDate(2026, time.February, 28)}, []string{"e", "d", "c"}},
		{"OpenedTo", db.CaseFilter{OpenedTo: policy.NewDate(2026, time.February, 1)}, []string{"b", "a"}},
		{"Period", db.CaseFilter{OpenedFrom: policy.NewDate(2026, time.February, 1), OpenedTo: policy.NewDate(2026, time.March, 1)}, []string{"d", "c", "b"}},
		{"Combined", db.CaseFilter{State: db.StateOpen, Jurisdiction: "CN-52", Mediator: "mediator-wang"}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.Ledger(context.Background(), db.LedgerFilter{CaseFilter: tt.filter})
			require.NoError(t, err)
			var got []string
			for _, c := range page.Cases {
				got = append(got, c.ID)
			}
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
			require.Empty(t, page.NextCursor, "got a next page on a page of %d", len(got))

			rows, err := s.Statistics(context.Background(), db.StatsFilter{CaseFilter: tt.filter})
			require.NoError(t, err)
			require.Equal(t, int64(len(tt.want)), rows[0].Disputes, "statistics count the ledger's cases: got %d, want %d", rows[0].Disputes, len(tt.want))
		})
	}

	t.Run("SummaryRoundTrip", func(t *testing.T) {
		page, err := s.Ledger(context.Background(), db.LedgerFilter{CaseFilter: db.CaseFilter{CaseLeader: "leader-zhou", State: db.StateClosed}})
		require.NoError(t, err)
		require.Len(t, page.Cases, 1)
		want, err := s.Case(context.Background(), "c")
		require.NoError(t, err)
		require.Equal(t, want, page.Cases[0].Summary, "the ledger lists the same summary as the case")
	})
}

func TestLedgerPagination(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	// 137 cases on 23 days, several a day, so pages split days and the id
	// breaks ties.
	var cases []casefile.Summary
	for i := range 137 {
		c := sample(fmt.Sprintf("p%03d", (i*59)%137)) // ids not in date order
		c.OpenedOn = policy.NewDate(2026, time.January, 1+i%23)
		if i%2 == 0 {
			c.Court = courtQinglong
		}
		cases = append(cases, c)
	}
	seed(t, s, cases...)

	type key struct {
		on policy.Date
		id string
	}
	walk := func(t *testing.T, f db.LedgerFilter) ([]key, int) {
		t.Helper()
		var got []key
		pages := 0
		for {
			page, err := s.Ledger(context.Background(), f)
			require.NoError(t, err)
			pages++
			for _, c := range page.Cases {
				got = append(got, key{c.OpenedOn, c.ID})
			}
			if page.NextCursor == "" {
				return got, pages
			}
			full := min(f.Limit, db.MaxLedgerLimit)
			if full == 0 {
				full = db.DefaultLedgerLimit
			}
			require.Len(t, page.Cases, full, "a page with a next page is full")
			require.Less(t, pages, 200, "pagination does not end")
			f.Cursor = page.NextCursor
		}
	}
	tests := []struct {
		name      string
		filter    db.LedgerFilter
		wantRows  int
		wantPages int
	}{
		{"Default", db.LedgerFilter{}, 137, 3},
		{"ByTen", db.LedgerFilter{Limit: 10}, 137, 14},
		{"ByOne", db.LedgerFilter{Limit: 1}, 137, 137},
		{"ExactMultiple", db.LedgerFilter{Limit: 69, CaseFilter: db.CaseFilter{Court: courtQinglong}}, 69, 1},
		{"Filtered", db.LedgerFilter{Limit: 7, CaseFilter: db.CaseFilter{Court: courtXingyi}}, 68, 10},
		{"AboveMax", db.LedgerFilter{Limit: 100000}, 137, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.filter.Limit == 0 {
				page, err := s.Ledger(context.Background(), tt.filter)
				require.NoError(t, err)
				require.Len(t, page.Cases, db.DefaultLedgerLimit)
			}
			got, pages := walk(t, tt.filter)
			require.Len(t, got, tt.wantRows, "got %d rows, want %d", len(got), tt.wantRows)
			require.Equal(t, tt.wantPages, pages, "got %d pages, want %d", pages, tt.wantPages)
			seen := map[string]bool{}
			for i, k := range got {
				require.False(t, seen[k.id], "case %s listed twice", k.id)
				seen[k.id] = true
				if i > 0 {
					prev := got[i-1]
					inOrder := prev.on.After(k.on) || (prev.on.Equal(k.on) && prev.id > k.id)
					require.True(t, inOrder, "got %v after %v, want newest first", k, prev)
				}
			}
		})
	}

	t.Run("NewCaseDuringWalk", func(t *testing.T) {
		// A case opened while an auditor pages does not shift the pages.
		page, err := s.Ledger(context.Background(), db.LedgerFilter{Limit: 100})
		require.NoError(t, err)
		late := sample("late")
		late.OpenedOn = policy.NewDate(2026, time.December, 31)
		seed(t, s, late)
		rest, err := s.Ledger(context.Background(), db.LedgerFilter{Limit: 100, Cursor: page.NextCursor})
		require.NoError(t, err)
		require.Len(t, rest.Cases, 37, "got %d rows after the cursor, want the 37 not yet listed", len(rest.Cases))
	})
}

func TestLedgerInvalidFilter(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	tests := []struct {
		name string
		err  func() error
	}{
		{"UnknownState", func() error {
			_, err := s.Ledger(ctx, db.LedgerFilter{CaseFilter: db.CaseFilter{State: "pending"}})
			return err
		}},
		{"NegativeLimit", func() error { _, err := s.Ledger(ctx, db.LedgerFilter{Limit: -1}); return err }},
		{"CursorNotBase64", func() error { _, err := s.Ledger(ctx, db.LedgerFilter{Cursor: "!!"}); return err }},
		{"CursorNotAKeyset", func() error { _, err := s.Ledger(ctx, db.LedgerFilter{Cursor: "MjAyNi0wMS0wMQ"}); return err }},
		{"UnknownGroup", func() error { _, err := s.Statistics(ctx, db.StatsFilter{GroupBy: "weekday"}); return err }},
		{"StatisticsUnknownState", func() error {
			_, err := s.Statistics(ctx, db.StatsFilter{CaseFilter: db.CaseFilter{State: "lost"}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			require.ErrorIs(t, err, db.ErrInvalidFilter, "got %v, want ErrInvalidFilter", err)
		})
	}
}

func TestTenths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, d int64
		want string
	}{
		{73900, 746, "99.1"},
		{39300, 400, "98.3"}, // 98.25: half rounds up
		{1, 3, "0.3"},
		{2, 3, "0.7"},
		{5, 100, "0.1"},
		{4, 100, "0.0"},
		{100, 1, "100.0"},
		{0, 5, "0.0"},
		{7, 0, ""},
		{-25, 10, "-2.5"},
		{-1, 4, "-0.3"}, // -0.25: half away from zero
	}
	for _, tt := range tests {
		got := db.Tenths(tt.n, tt.d)
		require.Equal(t, tt.want, got, "tenths(%d, %d): got %q, want %q", tt.n, tt.d, got, tt.want)
	}
}

// TestFollowUpRate reproduces seed 003:53: 257 mediated cases, every one
// visited after closing (follow-up rate 100 %), 91 performed voluntarily;
// beside them another court whose 4 closed cases had a visit fall due and
// 1 made, and a case closed too recently for any visit to be due, which
// counts in neither figure.
func TestFollowUpRate(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var cases []casefile.Summary
	for i := range 257 {
		c := closed(sample(fmt.Sprintf("f%03d", i)), 10, casefile.Resolved)
		c.FollowUpsDue, c.FollowUpsDone = 2, 2
		if i < 91 {
			c.Performance = casefile.PerformedAutomatically
		}
		cases = append(cases, c)
	}
	for i := range 4 {
		c := closed(sample(fmt.Sprintf("q%03d", i)), 10, casefile.Resolved)
		c.Court, c.FollowUpsDue = courtQinglong, 1
		if i == 0 {
			c.FollowUpsDone = 1
		}
		cases = append(cases, c)
	}
	recent := closed(sample("recent"), 1, casefile.Resolved)
	recent.Court = courtQinglong
	seed(t, s, append(cases, recent)...)

	rows, err := s.Statistics(context.Background(), db.StatsFilter{GroupBy: db.GroupCourt})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	got := map[string]db.StatsRow{rows[0].Group: rows[0], rows[1].Group: rows[1]}
	x := got[courtXingyi]
	require.Equal(t, int64(257), x.Disputes)
	require.Equal(t, db.Ratio{Numerator: 257, Denominator: 257, Value: "100.0"}, x.FollowUpRate)
	require.Equal(t, int64(91), x.AutomaticallyPerformed)
	q := got[courtQinglong]
	require.Equal(t, int64(5), q.Disputes)
	require.Equal(t, db.Ratio{Numerator: 1, Denominator: 4, Value: "25.0"}, q.FollowUpRate)
}
