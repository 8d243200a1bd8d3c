package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDeadline checks the invariants every deadline must satisfy, whatever
// the start date and period: it is never before the raw end, it is a working
// day, and it is moved by less than 30 days (the longest break is 9 days).
func FuzzDeadline(f *testing.F) {
	f.Add(int16(0), uint16(0), uint16(0), uint16(15), false)    // 2026-01-01 + P15D
	f.Add(int16(15), uint16(0), uint16(0), uint16(30), false)   // Spring Festival 2026
	f.Add(int16(-107), uint16(0), uint16(0), uint16(15), false) // National Day 2025
	f.Add(int16(-671), uint16(2), uint16(0), uint16(0), false)  // 2024-02-29 + P2Y
	f.Add(int16(94), uint16(0), uint16(0), uint16(15), true)    // local festival
	f.Add(int16(1500), uint16(0), uint16(1), uint16(0), true)   // year without data
	f.Add(int16(-30000), uint16(50), uint16(600), uint16(9999), false)

	r, err := Default()
	require.NoError(f, err)
	cals := map[bool]*Calendar{}
	for local, j := range map[bool]string{false: "CN", true: "CN-52-QXN"} {
		c, err := r.Calendar(j)
		require.NoError(f, err)
		cals[local] = c
	}
	origin := NewDate(2026, 1, 1)

	f.Fuzz(func(t *testing.T, offset int16, years, months, days uint16, local bool) {
		start := origin.AddDays(int(offset))
		per := Period{Years: int(years % 200), Months: int(months % 2400), Days: int(days % 20000)}
		cal := cals[local]

		raw := per.AddTo(start)
		got := cal.Deadline(start, per)
		require.False(t, got.Before(raw), "got %s before raw end %s (start %s, %s)", got, raw, start, per)
		require.True(t, cal.IsWorkingDay(got), "got %s (%s), want a working day (start %s, %s)", got, got.Weekday(), start, per)
		require.Less(t, DaysBetween(raw, got), 30, "got %s, raw end %s: moved too far", got, raw)
		if cal.IsWorkingDay(raw) {
			require.Equal(t, raw, got, "a working raw end must not move")
		}
		require.False(t, raw.Before(start), "raw end %s before start %s", raw, start)
	})
}

// FuzzParsePeriod checks that parsing never panics and that every accepted
// period survives a String/Parse and a JSON round trip.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"P30D", "P6M", "P2Y", "P1Y6M", "P0D", "P1Y2M3D", "P007D", "PT1H", "P-1D", "P1.5D", "", "P", "P1W"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		per, err := ParsePeriod(s)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidPeriod)
			return
		}
		require.True(t, per.valid(), "got %+v from %q, want no negative component", per, s)
		again, err := ParsePeriod(per.String())
		require.NoError(t, err, "String() of %q gave unparsable %q", s, per.String())
		require.Equal(t, per, again, "round trip of %q via %q: got %+v, want %+v", s, per.String(), again, per)
		require.Equal(t, per.String(), again.String())

		b, err := per.MarshalJSON()
		require.NoError(t, err)
		var fromJSON Period
		require.NoError(t, fromJSON.UnmarshalJSON(b))
		require.Equal(t, per, fromJSON)
	})
}
