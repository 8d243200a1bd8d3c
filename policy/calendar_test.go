package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDeadline(t *testing.T) {
	tests := []struct {
		name         string
		jurisdiction string
		start        string
		period       string
		rawEnd       string // p.AddTo(start), before any roll
		want         string
	}{
		{"15 days from 10 March ends on 25 March, a Wednesday", "CN", "2026-03-10", "P15D", "2026-03-25", "2026-03-25"},
		{"plain Saturday moves to Monday", "CN", "2026-03-13", "P15D", "2026-03-28", "2026-03-30"},
		{"plain Sunday moves to Monday", "CN", "2026-03-14", "P15D", "2026-03-29", "2026-03-30"},
		{"inside 2026 Spring Festival moves to first working day after it", "CN", "2026-01-16", "P30D", "2026-02-15", "2026-02-24"},
		{"last day of 2026 Spring Festival moves on", "CN", "2026-02-08", "P15D", "2026-02-23", "2026-02-24"},
		{"2026-02-14 make-up working Saturday stays", "CN", "2026-01-30", "P15D", "2026-02-14", "2026-02-14"},
		{"2026-02-28 make-up working Saturday stays", "CN", "2026-02-13", "P15D", "2026-02-28", "2026-02-28"},
		{"2026-01-04 make-up working Sunday stays", "CN", "2025-12-20", "P15D", "2026-01-04", "2026-01-04"},
		{"2025 Spring Festival", "CN", "2025-01-13", "P15D", "2025-01-28", "2025-02-05"},
		{"2025 National Day break Oct 1-8 moves to Oct 9", "CN", "2025-09-16", "P15D", "2025-10-01", "2025-10-09"},
		{"2025-10-11 make-up working Saturday stays", "CN", "2025-09-26", "P15D", "2025-10-11", "2025-10-11"},
		{"2025-09-28 make-up working Sunday stays", "CN", "2025-09-13", "P15D", "2025-09-28", "2025-09-28"},
		{"2026 National Day lands Oct 3, moves to Oct 8", "CN", "2026-09-18", "P15D", "2026-10-03", "2026-10-08"},
		{"rest days inside the period are not skipped", "CN", "2026-02-10", "P15D", "2026-02-25", "2026-02-25"},
		{"whole 2025 National Day inside the period", "CN", "2025-09-25", "P20D", "2025-10-15", "2025-10-15"},
		{"month period lands on Labour Day", "CN", "2026-04-01", "P1M", "2026-05-01", "2026-05-06"},
		{"year period lands on National Day", "CN", "2025-10-01", "P1Y", "2026-10-01", "2026-10-08"},
		{"month-end clamp then stays on a Friday", "CN", "2025-01-31", "P1M", "2025-02-28", "2025-02-28"},
		{"two years from 29 Feb clamp onto a make-up Saturday", "CN", "2024-02-29", "P2Y", "2026-02-28", "2026-02-28"},
		{"2024 has no data: Saturday 2024-10-05 only moves to Monday", "CN", "2024-09-20", "P15D", "2024-10-05", "2024-10-07"},
		{"2030 has no arrangement: New Year's Day by rule moves to 2 January", "CN", "2029-12-17", "P15D", "2030-01-01", "2030-01-02"},
		{"2030 has no data: weekends still count", "CN", "2029-12-21", "P15D", "2030-01-05", "2030-01-07"},
		{"zero period on a holiday rolls", "CN", "2026-10-01", "P0D", "2026-10-01", "2026-10-08"},
		{"autonomous prefecture moves off its local festival", "CN-52-QXN", "2026-04-05", "P15D", "2026-04-20", "2026-04-21"},
		{"parent CN calendar does not know the local festival", "CN", "2026-04-05", "P15D", "2026-04-20", "2026-04-20"},
		{"autonomous prefecture keeps national holidays", "CN-52-QXN", "2026-01-16", "P30D", "2026-02-15", "2026-02-24"},
		{"unknown county falls back to its prefecture's calendar", "CN-52-QXN-XY", "2026-04-05", "P15D", "2026-04-20", "2026-04-21"},
		{"unknown province falls back to CN", "CN-11", "2026-04-05", "P15D", "2026-04-20", "2026-04-20"},
	}
	r := mustDefault(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, per := d(t, tt.start), p(t, tt.period)
			raw := per.AddTo(start)
			require.Equal(t, tt.rawEnd, raw.String(), "raw end: got %s, want %s", raw, tt.rawEnd)

			got, err := r.Deadline(tt.jurisdiction, start, per)
			require.NoError(t, err)
			require.Equal(t, tt.want, got.String(), "Deadline(%s, %s, %s): got %s (%s), want %s",
				tt.jurisdiction, tt.start, tt.period, got, got.Weekday(), tt.want)

			cal, err := r.Calendar(tt.jurisdiction)
			require.NoError(t, err)
			require.True(t, cal.IsWorkingDay(got), "deadline %s must be a working day", got)
		})
	}
}

func TestCalendarCovers(t *testing.T) {
	r := mustDefault(t)
	cn, err := r.Calendar("CN")
	require.NoError(t, err)
	qxn, err := r.Calendar("CN-52-QXN")
	require.NoError(t, err)
	tests := []struct {
		cal  *Calendar
		year int
		want bool
	}{
		{cn, 2025, true},
		{cn, 2026, true},
		{cn, 2024, false},
		{cn, 2030, false},
		// The prefecture published only 2026, so its 2025 local festival
		// is unknown even though the national 2025 data is loaded.
		{qxn, 2026, true},
		{qxn, 2025, false},
		{qxn, 2030, false},
	}
	for _, tt := range tests {
		got := tt.cal.Covers(tt.year)
		require.Equal(t, tt.want, got, "%s Covers(%d): got %v, want %v", tt.cal.Jurisdiction(), tt.year, got, tt.want)
	}
	require.Equal(t, "CN", cn.Jurisdiction())
	require.Equal(t, "CN-52-QXN", qxn.Jurisdiction())
}

func TestCalendarDays(t *testing.T) {
	cn, err := mustDefault(t).Calendar("CN")
	require.NoError(t, err)
	tests := []struct {
		date string
		rest bool
		next string
	}{
		{"2026-03-10", false, "2026-03-10"}, // plain Tuesday
		{"2026-03-14", true, "2026-03-16"},  // plain Saturday
		{"2026-02-14", false, "2026-02-14"}, // make-up Saturday
		{"2026-02-16", true, "2026-02-24"},  // Spring Festival Monday
		{"2026-01-03", true, "2026-01-04"},  // holiday Saturday; Sunday 4th is a make-up workday
		{"2026-01-04", false, "2026-01-04"}, // make-up Sunday
		{"2025-10-08", true, "2025-10-09"},
	}
	for _, tt := range tests {
		x := d(t, tt.date)
		require.Equal(t, tt.rest, cn.IsRestDay(x), "IsRestDay(%s): got %v, want %v", tt.date, cn.IsRestDay(x), tt.rest)
		require.Equal(t, !tt.rest, cn.IsWorkingDay(x))
		got := cn.NextWorkingDay(x)
		require.Equal(t, tt.next, got.String(), "NextWorkingDay(%s): got %s, want %s", tt.date, got, tt.next)
	}
	name, ok := cn.HolidayName(d(t, "2026-02-14"))
	require.True(t, ok)
	require.Equal(t, "春节调休上班", name)

	var zero *Calendar
	require.True(t, zero.IsRestDay(d(t, "2026-03-14")), "nil calendar: Saturday is a rest day")
	require.False(t, zero.IsRestDay(d(t, "2026-10-01")), "nil calendar knows no holidays")
	require.False(t, zero.Covers(2026))
}

func TestCalendarYearValidate(t *testing.T) {
	h := func(s, name string) Holiday { return Holiday{Date: d(t, s), Name: name} }
	tests := []struct {
		name    string
		year    CalendarYear
		wantErr string
	}{
		{"valid", CalendarYear{Year: 2026, Source: "s", Holidays: []Holiday{h("2026-10-01", "国庆节")}, Workdays: []Holiday{h("2026-10-10", "调休")}}, ""},
		{"both holiday and workday", CalendarYear{Year: 2026, Source: "s", Holidays: []Holiday{h("2026-10-10", "国庆节")}, Workdays: []Holiday{h("2026-10-10", "调休")}}, "both as holiday and as workday"},
		{"date outside year", CalendarYear{Year: 2026, Source: "s", Holidays: []Holiday{h("2025-10-01", "国庆节")}}, "outside year 2026"},
		{"duplicate holiday", CalendarYear{Year: 2026, Source: "s", Holidays: []Holiday{h("2026-10-01", "a"), h("2026-10-01", "b")}}, "listed twice"},
		{"weekday make-up workday", CalendarYear{Year: 2026, Source: "s", Workdays: []Holiday{h("2026-10-09", "调休")}}, "only weekend days"},
		{"missing source", CalendarYear{Year: 2026}, "source is required"},
		{"missing name", CalendarYear{Year: 2026, Source: "s", Holidays: []Holiday{h("2026-10-01", "")}}, "has no name"},
		{"missing date", CalendarYear{Year: 2026, Source: "s", Holidays: []Holiday{{Name: "x"}}}, "has no date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.year.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidCalendar)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestCalendarExtend(t *testing.T) {
	national := CalendarYear{Year: 2026, Source: "national", Holidays: []Holiday{{Date: d(t, "2026-10-01"), Name: "国庆节"}},
		Workdays: []Holiday{{Date: d(t, "2026-10-10"), Name: "调休"}}}
	cn, err := NewCalendar("CN", national)
	require.NoError(t, err)

	_, err = NewCalendar("CN", national, national)
	require.ErrorContains(t, err, "given twice", "duplicate years for one jurisdiction must be rejected")

	// A local rest day on the national make-up Saturday wins locally.
	local := CalendarYear{Year: 2026, Source: "local", Holidays: []Holiday{{Date: d(t, "2026-10-10"), Name: "local"}}}
	child, err := cn.Extend("CN-XX", local)
	require.NoError(t, err)
	require.True(t, child.IsRestDay(d(t, "2026-10-10")))
	require.True(t, child.IsRestDay(d(t, "2026-10-01")))
	require.False(t, cn.IsRestDay(d(t, "2026-10-10")), "Extend must not modify the parent")

	_, err = cn.Extend("CN-XX", CalendarYear{Jurisdiction: "CN-YY", Year: 2026, Source: "x"})
	require.ErrorIs(t, err, ErrInvalidCalendar)

	require.Equal(t, time.Saturday, d(t, "2026-10-10").Weekday())
}
