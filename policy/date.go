// Package policy holds the per-jurisdiction legal periods and holiday
// calendars that casework workflows use to compute deadlines.
//
// Workflow code never contains period literals: it asks a Registry for the
// Policy of a jurisdiction and computes deadlines with that jurisdiction's
// Calendar. Deadlines follow the PRC rules on computing periods (Civil
// Procedure Law, chapter on periods; Civil Code arts. 200–203):
//
//   - the day a period starts from is not counted;
//   - a period in months or years ends on the corresponding day of the last
//     month, or on that month's last day when it has no such day;
//   - a last day that is a rest day moves to the next working day, while rest
//     days inside the period are not skipped;
//   - a make-up working weekend day (调休上班) is a working day.
package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CST is China Standard Time, a fixed UTC+8 zone. It is fixed rather than
// loaded from tzdata so that deadline arithmetic gives the same answer on
// every worker, including minimal containers without a zone database.
var CST = time.FixedZone("CST", 8*3600)

// ErrInvalidDate is wrapped by every error returned for a malformed date.
var ErrInvalidDate = errors.New("invalid date")

const secondsPerDay = 24 * 60 * 60

// Date is a legal calendar date without time of day or zone. Its JSON and
// text form is "2006-01-02". The zero value is "no date" (IsZero reports
// true); arithmetic on it returns the zero value again.
type Date struct {
	// days counts days since 1970-01-01; ok distinguishes the zero value
	// from that day, so that an unset field cannot pass for a real date.
	days int64
	ok   bool
}

// NewDate returns the date y-m-d. Out-of-range values are normalised the
// way time.Date normalises them (31 April becomes 1 May).
func NewDate(y int, m time.Month, d int) Date {
	return Date{days: time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay, ok: true}
}

// ParseDate parses a strict "YYYY-MM-DD" date; anything else, including
// a day that does not exist, is an error wrapping ErrInvalidDate.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%w: %q is not YYYY-MM-DD", ErrInvalidDate, s)
	}
	for i, c := range []byte(s) {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return Date{}, fmt.Errorf("%w: %q is not YYYY-MM-DD", ErrInvalidDate, s)
		}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q: %v", ErrInvalidDate, s, err)
	}
	return NewDate(t.Date()), nil
}

// DateOf returns the calendar date of t in China Standard Time, because a
// court's day runs on Beijing time whatever zone the worker runs in. The
// zero time gives the zero Date.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return NewDate(t.In(CST).Date())
}

// civil returns the year, month and day of d.
func (d Date) civil() (int, time.Month, int) {
	return time.Unix(d.days*secondsPerDay, 0).UTC().Date()
}

// Year returns the year of d.
func (d Date) Year() int {
	y, _, _ := d.civil()
	return y
}

// String returns d as "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if !d.ok {
		return ""
	}
	y, m, dd := d.civil()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return !d.ok }

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date {
	if !d.ok {
		return d
	}
	return Date{days: d.days + int64(n), ok: true}
}

// AddMonths returns the corresponding day n months later (or earlier for a
// negative n). When the target month has no such day the result is that
// month's last day, as Civil Code art. 202 requires for periods in months
// and years: 31 January plus one month is 28 or 29 February.
func (d Date) AddMonths(n int) Date {
	if !d.ok {
		return d
	}
	y, m, day := d.civil()
	total := y*12 + int(m) - 1 + n
	ty, tm := floorDiv(total, 12), time.Month(floorMod(total, 12)+1)
	if last := daysIn(ty, tm); day > last {
		day = last
	}
	return NewDate(ty, tm, day)
}

// Before reports whether d is earlier than o. The zero Date sorts first.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Equal reports whether d and o are the same date.
func (d Date) Equal(o Date) bool { return d == o }

// Compare returns -1, 0 or +1 as d is before, equal to or after o. The zero
// Date sorts before every real date.
func (d Date) Compare(o Date) int {
	switch {
	case d.ok != o.ok:
		if d.ok {
			return 1
		}
		return -1
	case d.days < o.days:
		return -1
	case d.days > o.days:
		return 1
	}
	return 0
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(floorMod(int(d.days)+int(time.Thursday), 7))
}

// Start returns 00:00 of d in CST, or the zero time for the zero Date.
func (d Date) Start() time.Time {
	if !d.ok {
		return time.Time{}
	}
	y, m, dd := d.civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, CST)
}

// End returns 00:00 CST of the day after d: the moment a period whose last
// day is d has fully run out. Timers for a deadline fire at End, not Start,
// because the whole last day belongs to the party. It returns the zero time
// for the zero Date.
func (d Date) End() time.Time {
	if !d.ok {
		return time.Time{}
	}
	return d.AddDays(1).Start()
}

// DaysBetween returns b - a in days.
func DaysBetween(a, b Date) int { return int(b.days - a.days) }

// MarshalJSON encodes d as "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if !d.ok {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON decodes a "YYYY-MM-DD" string, or null as the zero Date.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: %s is not a JSON string", ErrInvalidDate, b)
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalText encodes d as "YYYY-MM-DD", or empty for the zero Date.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes "YYYY-MM-DD", or empty text as the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }
