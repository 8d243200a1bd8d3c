package policy

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{in: "2026-03-10", want: NewDate(2026, time.March, 10)},
		{in: "2024-02-29", want: NewDate(2024, time.February, 29)},
		{in: "2025-02-29", wantErr: true},
		{in: "2026-13-01", wantErr: true},
		{in: "2026-3-10", wantErr: true},
		{in: "2026/03/10", wantErr: true},
		{in: "2026-03-10T00:00:00Z", wantErr: true},
		{in: "+026-03-10", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrInvalidDate, "ParseDate(%q): got %v, want error", tt.in, got)
				return
			}
			require.NoError(t, err)
			require.True(t, got.Equal(tt.want), "ParseDate(%q): got %s, want %s", tt.in, got, tt.want)
			require.Equal(t, tt.in, got.String())
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		name  string
		start string
		got   func(Date) Date
		want  string
	}{
		{"15 days, start day not counted", "2026-03-10", func(x Date) Date { return x.AddDays(15) }, "2026-03-25"},
		{"days across a year end", "2025-12-20", func(x Date) Date { return x.AddDays(15) }, "2026-01-04"},
		{"negative days", "2026-03-01", func(x Date) Date { return x.AddDays(-1) }, "2026-02-28"},
		{"leap-year day", "2024-02-28", func(x Date) Date { return x.AddDays(1) }, "2024-02-29"},
		{"Jan 31 + 1 month, common year", "2025-01-31", func(x Date) Date { return x.AddMonths(1) }, "2025-02-28"},
		{"Jan 31 + 1 month, leap year", "2024-01-31", func(x Date) Date { return x.AddMonths(1) }, "2024-02-29"},
		{"Mar 31 + 1 month", "2026-03-31", func(x Date) Date { return x.AddMonths(1) }, "2026-04-30"},
		{"Feb 29 + 2 years clamps", "2024-02-29", func(x Date) Date { return x.AddMonths(24) }, "2026-02-28"},
		{"Feb 29 + 4 years keeps", "2024-02-29", func(x Date) Date { return x.AddMonths(48) }, "2028-02-29"},
		{"1900 is not a leap year", "1899-02-28", func(x Date) Date { return x.AddMonths(12).AddDays(1) }, "1900-03-01"},
		{"2000 is a leap year", "1999-02-28", func(x Date) Date { return x.AddMonths(12).AddDays(1) }, "2000-02-29"},
		{"months backwards clamp", "2026-03-31", func(x Date) Date { return x.AddMonths(-1) }, "2026-02-28"},
		{"months across year backwards", "2026-01-15", func(x Date) Date { return x.AddMonths(-13) }, "2024-12-15"},
		{"P1Y6M", "2025-08-31", func(x Date) Date { return Period{Years: 1, Months: 6}.AddTo(x) }, "2027-02-28"},
		{"P1M10D months before days", "2025-01-31", func(x Date) Date { return Period{Months: 1, Days: 10}.AddTo(x) }, "2025-03-10"},
		{"7 days before due date", "2026-03-03", func(x Date) Date { return Days(7).SubFrom(x) }, "2026-02-24"},
		{"6 months before clamps", "2026-08-31", func(x Date) Date { return Months(6).SubFrom(x) }, "2026-02-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.got(d(t, tt.start))
			require.Equal(t, tt.want, got.String(), "got %s, want %s", got, tt.want)
		})
	}
}

func TestDateCompareAndWeekday(t *testing.T) {
	a, b := d(t, "2026-03-10"), d(t, "2026-03-25")
	require.True(t, a.Before(b))
	require.True(t, b.After(a))
	require.Equal(t, -1, a.Compare(b))
	require.Equal(t, 0, a.Compare(NewDate(2026, time.March, 10)))
	require.Equal(t, 15, DaysBetween(a, b))
	require.Equal(t, -15, DaysBetween(b, a))
	require.Equal(t, time.Wednesday, b.Weekday(), "got %s, want Wednesday", b.Weekday())
	require.Equal(t, time.Wednesday, NewDate(1969, time.December, 31).Weekday(), "weekday before the epoch")
	require.True(t, Date{}.Before(NewDate(1, time.January, 1)), "zero Date sorts first")
	require.True(t, Date{}.IsZero())
	require.False(t, NewDate(1970, time.January, 1).IsZero(), "the epoch is a real date")
	require.True(t, Date{}.AddDays(5).IsZero())
}

func TestDateInCST(t *testing.T) {
	// 16:30 UTC on 9 March is already 00:30 on 10 March in Beijing.
	got := DateOf(time.Date(2026, time.March, 9, 16, 30, 0, 0, time.UTC))
	require.Equal(t, "2026-03-10", got.String(), "got %s, want 2026-03-10", got)
	got = DateOf(time.Date(2026, time.March, 9, 15, 59, 59, 0, time.UTC))
	require.Equal(t, "2026-03-09", got.String(), "got %s, want 2026-03-09", got)
	require.True(t, DateOf(time.Time{}).IsZero())

	x := d(t, "2026-03-25")
	require.Equal(t, time.Date(2026, time.March, 24, 16, 0, 0, 0, time.UTC), x.Start().UTC())
	require.Equal(t, time.Date(2026, time.March, 25, 16, 0, 0, 0, time.UTC), x.End().UTC())
	require.Equal(t, x, DateOf(x.Start()))
	require.Equal(t, x.AddDays(1), DateOf(x.End()))
	require.True(t, Date{}.Start().IsZero())
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		Due  Date  `json:"due"`
		Seen Date  `json:"seen"`
		Opt  *Date `json:"opt,omitempty"`
	}
	b, err := json.Marshal(doc{Due: d(t, "2026-02-24")})
	require.NoError(t, err)
	require.JSONEq(t, `{"due":"2026-02-24","seen":null}`, string(b))

	var got doc
	require.NoError(t, json.Unmarshal([]byte(`{"due":"2026-02-24","seen":null}`), &got))
	require.Equal(t, d(t, "2026-02-24"), got.Due)
	require.True(t, got.Seen.IsZero())

	require.Error(t, json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &got))
	require.Error(t, json.Unmarshal([]byte(`{"due":20260224}`), &got))

	text, err := Date{}.MarshalText()
	require.NoError(t, err)
	require.Empty(t, text)
	var z Date
	require.NoError(t, z.UnmarshalText(nil))
	require.True(t, z.IsZero())

	// Date is usable as a JSON map key through its text form.
	m := map[Date]int{d(t, "2026-01-01"): 1}
	b, err = json.Marshal(m)
	require.NoError(t, err)
	require.JSONEq(t, `{"2026-01-01":1}`, string(b))
}
