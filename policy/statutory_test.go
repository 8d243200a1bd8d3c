package policy

import (
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStatutoryHolidays checks the rule-based days of 2025–2035 against the
// lunar and solar-term dates as Chinese almanacs print them (除夕, 清明,
// 端午, 中秋), a table kept independently of the library that computes them.
func TestStatutoryHolidays(t *testing.T) {
	tests := []struct {
		year                                 int
		eve, qingming, dragonBoat, midAutumn string
	}{
		{2025, "2025-01-28", "2025-04-04", "2025-05-31", "2025-10-06"},
		{2026, "2026-02-16", "2026-04-05", "2026-06-19", "2026-09-25"},
		{2027, "2027-02-05", "2027-04-05", "2027-06-09", "2027-09-15"},
		{2028, "2028-01-25", "2028-04-04", "2028-05-28", "2028-10-03"},
		{2029, "2029-02-12", "2029-04-04", "2029-06-16", "2029-09-22"},
		{2030, "2030-02-02", "2030-04-05", "2030-06-05", "2030-09-12"},
		{2031, "2031-01-22", "2031-04-05", "2031-06-24", "2031-10-01"},
		{2032, "2032-02-10", "2032-04-04", "2032-06-12", "2032-09-19"},
		{2033, "2033-01-30", "2033-04-04", "2033-06-01", "2033-09-08"},
		{2034, "2034-02-18", "2034-04-05", "2034-06-20", "2034-09-27"},
		{2035, "2035-02-07", "2035-04-05", "2035-06-10", "2035-09-16"},
	}
	for _, tt := range tests {
		eve := d(t, tt.eve)
		want := map[Date]string{
			NewDate(tt.year, 1, 1): NewYearsDay,
			eve:                    SpringFestival, eve.AddDays(1): SpringFestival,
			eve.AddDays(2): SpringFestival, eve.AddDays(3): SpringFestival,
			d(t, tt.qingming):       Qingming,
			NewDate(tt.year, 5, 1):  LabourDay,
			NewDate(tt.year, 5, 2):  LabourDay,
			d(t, tt.dragonBoat):     DragonBoat,
			NewDate(tt.year, 10, 1): NationalDay,
			NewDate(tt.year, 10, 2): NationalDay,
			NewDate(tt.year, 10, 3): NationalDay,
		}
		ma := d(t, tt.midAutumn)
		if n, ok := want[ma]; ok {
			want[ma] = MidAutumn + "、" + n // 2028, 2031: on National Day
		} else {
			want[ma] = MidAutumn
		}
		got := StatutoryHolidays(tt.year)
		gotMap := make(map[Date]string)
		for _, h := range got {
			gotMap[h.Date] = h.Name
		}
		require.Equal(t, want, gotMap, "StatutoryHolidays(%d): got %v", tt.year, got)
		require.True(t, slices.IsSortedFunc(got, func(a, b Holiday) int { return a.Date.Compare(b.Date) }), "sorted by date")
		// Eleven statutory days a year, fewer where Mid-Autumn meets National Day.
		wantLen := 13
		if tt.year == 2028 || tt.year == 2031 {
			wantLen = 12
		}
		require.Len(t, got, wantLen, "year %d", tt.year)
	}
}

// TestStatutoryHolidaysEarlierRules checks the texts before the 2024
// amendment, for deadlines counted in those years (a case entered after
// the fact).
func TestStatutoryHolidaysEarlierRules(t *testing.T) {
	has := func(year int, date string) bool {
		return slices.ContainsFunc(StatutoryHolidays(year), func(h Holiday) bool { return h.Date == d(t, date) })
	}
	// 2024: Spring Festival 初一 (10 February) to 初三; Labour Day 1 May only.
	require.False(t, has(2024, "2024-02-09"), "2024 除夕 was not statutory")
	require.True(t, has(2024, "2024-02-10"))
	require.True(t, has(2024, "2024-02-12"))
	require.False(t, has(2024, "2024-05-02"))
	// 2010: 除夕 (13 February) to 初二.
	require.True(t, has(2010, "2010-02-13"))
	require.True(t, has(2010, "2010-02-15"))
	require.False(t, has(2010, "2010-02-16"))
	require.Empty(t, StatutoryHolidays(2007), "no rule before 2008")
	require.Empty(t, StatutoryHolidays(2100))
}

// TestStatutoryDaysRestInPublishedYears checks the rule against the State
// Council's own arrangements: every statutory day must be a holiday of the
// published 2025 and 2026 notices.
func TestStatutoryDaysRestInPublishedYears(t *testing.T) {
	cn, err := mustDefault(t).Calendar("CN")
	require.NoError(t, err)
	src, err := readEmbedded()
	require.NoError(t, err)
	for _, year := range []int{2025, 2026} {
		published := src.calendars["CN"][year]
		require.Equal(t, year, published.Year, "the %d arrangement is built in", year)
		require.Equal(t, Official, cn.Status(year))
		for _, h := range StatutoryHolidays(year) {
			require.True(t, slices.ContainsFunc(published.Holidays, func(p Holiday) bool { return p.Date == h.Date }),
				"%s %s: not a holiday of %q", h.Date, h.Name, published.Source)
			require.True(t, cn.IsRestDay(h.Date), "%s %s must be a rest day", h.Date, h.Name)
		}
		require.NoError(t, CheckStatutory(published), "the published %d arrangement covers every statutory day", year)
	}
}

func TestProvisionalYear(t *testing.T) {
	r := mustDefault(t)
	cn, err := r.Calendar("CN")
	require.NoError(t, err)
	qxn, err := r.Calendar("CN-52-QXN")
	require.NoError(t, err)

	tests := []struct {
		name         string
		jurisdiction string
		start        string
		period       string
		want         string
	}{
		// The case: 30 days from 2026-12-02 is 2027-01-01, New
		// Year's Day, then a weekend.
		{"30 days from 2026-12-02 skips New Year's Day 2027", "CN", "2026-12-02", "P30D", "2027-01-04"},
		{"2027 Spring Festival by rule: 除夕 Friday to 初三 Monday", "CN", "2027-01-21", "P15D", "2027-02-09"},
		{"2027 Qingming Monday 5 April", "CN", "2027-03-21", "P15D", "2027-04-06"},
		{"2027 Labour Day weekend, no make-up days known", "CN", "2027-04-16", "P15D", "2027-05-03"},
		{"2027 Dragon Boat Wednesday", "CN", "2027-05-25", "P15D", "2027-06-10"},
		{"2027 Mid-Autumn Wednesday", "CN", "2027-08-31", "P15D", "2027-09-16"},
		{"2027 National Day Friday to Sunday", "CN", "2027-09-16", "P15D", "2027-10-04"},
		{"2031 re-check, five years on", "CN", "2026-10-01", "P5Y", "2031-10-06"},
		{"autonomous prefecture inherits the rule", "CN-52-QXN", "2026-12-02", "P30D", "2027-01-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Deadline(tt.jurisdiction, d(t, tt.start), p(t, tt.period))
			require.NoError(t, err)
			require.Equal(t, tt.want, got.String(), "Deadline(%s, %s, %s): got %s (%s), want %s",
				tt.jurisdiction, tt.start, tt.period, got, got.Weekday(), tt.want)
		})
	}
	require.Equal(t, Provisional, cn.Status(2027))
	require.Equal(t, Provisional, qxn.Status(2027))
	require.Equal(t, Official, qxn.Status(2026))
	name, ok := cn.HolidayName(d(t, "2027-02-05"))
	require.True(t, ok)
	require.Equal(t, SpringFestival, name)
	// A published year keeps only what its notice says: 2026-04-05 is
	// Qingming and inside the published break; 2026-04-07 is a working day.
	require.False(t, cn.IsRestDay(d(t, "2026-04-07")))
	// A calendar built without the rule knows no statutory days.
	plain, err := NewCalendar("XX")
	require.NoError(t, err)
	require.False(t, plain.IsRestDay(d(t, "2027-01-01")))
}

// TestStatutoryConcurrent asks for many years at once, as parallel
// deadline lookups do; run with -race.
func TestStatutoryConcurrent(t *testing.T) {
	cn, err := mustDefault(t).Calendar("CN")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for y := 2027; y < 2047; y++ {
		for range 4 {
			wg.Go(func() { cn.IsRestDay(NewDate(y, 10, 1)); _ = StatutoryHolidays(y) })
		}
	}
	wg.Wait()
	require.True(t, cn.IsRestDay(NewDate(2046, 10, 1)))
}
