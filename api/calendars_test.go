package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
)

func FuzzDecodePublishCalendar(f *testing.F) {
	seeds(f, `{"jurisdiction":"CN","year":2027,"source":"s","holidays":[{"date":"2027-01-01","name":"元旦"}],"workdays":[{"date":"2027-01-09","name":"调休"}]}`,
		`{"jurisdiction":"CN-52-QXN","year":2027,"source":"s","holidays":[]}`,
		`{"jurisdiction":"cn","year":1999,"source":"","holidays":[{"date":"2027-02-30","name":"\u0000"}]}`)
	reg, err := policy.Default()
	require.NoError(f, err)
	h := decoderAPI(func(in *publishCalendarInput) error {
		// What the handler checks after decoding must never panic either.
		if err := reg.CheckPublication(in.Body.year()); err != nil && !errors.Is(err, policy.ErrInvalidCalendar) && !errors.Is(err, policy.ErrUnknownJurisdiction) {
			return err
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}

// TestCalendarAnswerCarriesTheArrangement checks that a year covered by a
// built-in calendar file is answered with the arrangement in force, not
// only the statutory days by rule: 2026's National Day break with the
// weekend days inside it and the make-up working days around it (a
// Sunday, 2026-09-20, and a Saturday, 2026-10-10), and an autonomous
// area's own festival days added to the national ones.
func TestCalendarAnswerCarriesTheArrangement(t *testing.T) {
	reg, err := policy.Default()
	require.NoError(t, err)
	dates := func(l []policy.Holiday) []string {
		var out []string
		for _, h := range l {
			out = append(out, h.Date.String())
		}
		return out
	}
	has := func(l []policy.Holiday, day string) bool { return slices.Contains(dates(l), day) }

	cal, err := reg.Calendar("CN-52")
	require.NoError(t, err)
	got := calendarAnswer(cal, "CN-52", 2026)
	require.Equal(t, policy.Official, got.Status)
	for d := 1; d <= 7; d++ {
		day := fmt.Sprintf("2026-10-%02d", d)
		require.True(t, has(got.Holidays, day), "%s is a holiday of the arrangement", day)
	}
	require.False(t, has(got.Holidays, "2026-10-08"), "the break is 1 to 7 October")
	// The statutory days by rule are only 1-3 October: the answer says
	// more than the rule does.
	require.False(t, has(got.Statutory, "2026-10-04"))
	require.Equal(t, []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}, dates(got.Workdays))
	saturday, err := policy.ParseDate("2026-10-10")
	require.NoError(t, err)
	require.Equal(t, time.Saturday, saturday.Weekday())
	require.False(t, cal.IsRestDay(saturday), "a make-up working Saturday is counted as a working day")
	for _, l := range [][]policy.Holiday{got.Holidays, got.Workdays} {
		require.True(t, slices.IsSortedFunc(l, func(a, b policy.Holiday) int { return a.Date.Compare(b.Date) }), "in date order")
		for _, h := range l {
			require.Equal(t, 2026, h.Date.Year())
			require.NotEmpty(t, h.Name)
		}
	}
	for _, h := range got.Holidays {
		require.True(t, cal.IsRestDay(h.Date), "holiday %s is a rest day", h.Date)
	}

	// Qiannan (CN-52-QXN) adds its own days to the national arrangement.
	qxn, err := reg.Calendar("CN-52-QXN")
	require.NoError(t, err)
	local := calendarAnswer(qxn, "CN-52-QXN", 2026)
	require.Greater(t, len(local.Holidays), len(got.Holidays))
	require.True(t, has(local.Holidays, "2026-10-01"))

	// A year nobody published: provisional, the statutory days by rule,
	// no arrangement, and lists rather than nulls.
	later := calendarAnswer(cal, "CN-52", 2031)
	require.Equal(t, policy.Provisional, later.Status)
	require.NotNil(t, later.Holidays)
	require.NotNil(t, later.Workdays)
	require.Empty(t, later.Holidays)
	require.Empty(t, later.Workdays)
	require.True(t, has(later.Statutory, "2031-10-01"))
	b, err := json.Marshal(later)
	require.NoError(t, err)
	require.Contains(t, string(b), `"holidays":[]`)
	require.Contains(t, string(b), `"workdays":[]`)
}
