package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// fixture2027 is shaped like a State Council notice for 2027; it is a test
// fixture, not the real notice.
func fixture2027(source string) policy.CalendarYear {
	return policy.CalendarYear{
		Jurisdiction: "CN", Year: 2027, Source: source,
		Holidays: append(policy.StatutoryHolidays(2027), policy.Holiday{Date: policy.NewDate(2027, 1, 4), Name: "元旦"}),
		Workdays: []policy.Holiday{{Date: policy.NewDate(2027, 1, 9), Name: "元旦调休上班"}},
	}
}

func TestPublishCalendar(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)

	v, err := s.CalendarVersion(ctx)
	require.NoError(t, err)
	require.Zero(t, v, "nothing published")

	first, created, err := s.PublishCalendar(ctx, fixture2027("TEST FIXTURE 1"), "admin-li")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, 1, first.Revision)
	require.Equal(t, "admin-li", first.PublishedBy)
	require.Equal(t, "TEST FIXTURE 1", first.Arrangement.Source)

	// The same arrangement again, its days in another order: nothing new.
	again := fixture2027("TEST FIXTURE 1")
	again.Holidays[0], again.Holidays[1] = again.Holidays[1], again.Holidays[0]
	same, created, err := s.PublishCalendar(ctx, again, "admin-wang")
	require.NoError(t, err)
	require.False(t, created, "publishing the same arrangement twice stores it once")
	require.Equal(t, first.Version, same.Version)
	require.Equal(t, "admin-li", same.PublishedBy)

	// A corrected notice is the next revision and the one in force.
	second, created, err := s.PublishCalendar(ctx, fixture2027("TEST FIXTURE 2"), "admin-wang")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, 2, second.Revision)
	require.Greater(t, second.Version, first.Version)

	local := policy.CalendarYear{Jurisdiction: "CN-52-QXN", Year: 2027, Source: "TEST FIXTURE local",
		Holidays: []policy.Holiday{{Date: policy.NewDate(2027, 4, 9), Name: "三月三"}}}
	_, _, err = s.PublishCalendar(ctx, local, "admin-qxn")
	require.NoError(t, err)

	years, version, err := s.CalendarsInForce(ctx)
	require.NoError(t, err)
	require.Len(t, years, 2)
	require.Equal(t, "CN", years[0].Jurisdiction)
	require.Equal(t, "TEST FIXTURE 2", years[0].Source, "the latest revision is in force")
	require.Equal(t, "CN-52-QXN", years[1].Jurisdiction)
	v, err = s.CalendarVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, v, version)

	hist, err := s.CalendarHistory(ctx, "CN", 2027)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	require.Equal(t, 2, hist[0].Revision)
	require.WithinDuration(t, time.Now(), hist[0].PublishedAt, time.Minute)

	// The worker's registry sees the publication at its next lookup.
	base, err := policy.Default()
	require.NoError(t, err)
	live := &policy.Live{Base: base, Published: s}
	reg, lv, err := live.Registry(ctx)
	require.NoError(t, err)
	require.Equal(t, version, lv)
	qxn, err := reg.Calendar("CN-52-QXN")
	require.NoError(t, err)
	require.Equal(t, policy.Official, qxn.Status(2027))
	require.True(t, qxn.IsRestDay(policy.NewDate(2027, 4, 9)))
	got, err := reg.Deadline("CN", policy.NewDate(2026, 12, 2), policy.Days(30))
	require.NoError(t, err)
	require.Equal(t, "2027-01-05", got.String())
}

func TestLedgerProvisional(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	deadline := func(c casefile.Summary, on policy.Date, status policy.Status) casefile.Summary {
		c.NextDeadline = &casefile.Deadline{Kind: "mediation", On: on, At: on.End(), Calendar: status}
		return c
	}
	jan4 := policy.NewDate(2027, 1, 4)
	prov := deadline(sample("p1"), jan4, policy.Provisional)
	off := deadline(sample("o1"), policy.NewDate(2026, 12, 21), policy.Official)
	done := closed(deadline(sample("c1"), jan4, policy.Provisional), 3, casefile.Resolved)
	seed(t, s, prov, off, done)

	page, err := s.Ledger(ctx, db.LedgerFilter{CaseFilter: db.CaseFilter{Provisional: true}})
	require.NoError(t, err)
	require.Len(t, page.Cases, 1, "only the open case with a provisional deadline")
	for _, tt := range []struct {
		jurisdiction string
		year         int
		want         int64
	}{{"CN", 2027, 1}, {"CN-52", 2027, 1}, {"CN-5", 2027, 0}, {"CN-11", 2027, 0}, {"CN", 2026, 0}} {
		n, err := s.ProvisionalCases(ctx, tt.jurisdiction, tt.year)
		require.NoError(t, err)
		require.Equal(t, tt.want, n, "ProvisionalCases(%s, %d)", tt.jurisdiction, tt.year)
	}
	require.Equal(t, "p1", page.Cases[0].ID)
	require.True(t, page.Cases[0].Provisional)
	require.Equal(t, policy.Provisional, page.Cases[0].NextDeadline.Calendar)

	// The year is published, and the case records another step with the
	// same deadline: it was not computed anew, so it stays provisional.
	prov.LastSeq, prov.NextDeadline.Calendar = 2, policy.Official
	seed(t, s, prov)
	c, err := s.Case(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, policy.Provisional, c.NextDeadline.Calendar)

	// A new deadline computed on the official calendar is official.
	prov.LastSeq, prov.NextDeadline = 3, &casefile.Deadline{Kind: "mediation", On: jan4.AddDays(1), At: jan4.AddDays(1).End(), Calendar: policy.Official}
	seed(t, s, prov)
	c, err = s.Case(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, policy.Official, c.NextDeadline.Calendar)
	page, err = s.Ledger(ctx, db.LedgerFilter{CaseFilter: db.CaseFilter{Provisional: true}})
	require.NoError(t, err)
	require.Empty(t, page.Cases)

	stats, err := s.Statistics(ctx, db.StatsFilter{CaseFilter: db.CaseFilter{Provisional: true}})
	require.NoError(t, err)
	require.Len(t, stats, 1)
	require.Zero(t, stats[0].Disputes)
}
