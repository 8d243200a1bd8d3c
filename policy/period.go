package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidPeriod is wrapped by every error returned for a malformed period.
var ErrInvalidPeriod = errors.New("invalid period")

// maxPeriodDigits bounds each component so that arithmetic cannot overflow
// and an obviously wrong figure ("P99999999D") is rejected as a typo.
const maxPeriodDigits = 6

// Period is a legal period in years, months and days. Its text and JSON form
// is the ISO-8601 subset "PnYnMnD" with each part optional but in that order
// ("P30D", "P6M", "P2Y", "P1Y6M", "P0D"). Weeks, time parts, fractions and
// signs are rejected because no legal period here is written that way and
// accepting them would hide data-entry mistakes.
type Period struct {
	Years  int
	Months int
	Days   int
}

// Days returns a period of n days.
func Days(n int) Period { return Period{Days: n} }

// Months returns a period of n months.
func Months(n int) Period { return Period{Months: n} }

// Years returns a period of n years.
func Years(n int) Period { return Period{Years: n} }

// ParsePeriod parses the ISO-8601 subset described on Period. Errors wrap
// ErrInvalidPeriod.
func ParsePeriod(s string) (Period, error) {
	bad := func(why string) (Period, error) {
		return Period{}, fmt.Errorf("%w: %q: %s", ErrInvalidPeriod, s, why)
	}
	if !strings.HasPrefix(s, "P") {
		return bad(`must start with "P"`)
	}
	rest := s[1:]
	if rest == "" {
		return bad("no components")
	}
	var p Period
	const units = "YMD"
	next := 0 // index into units of the first unit still allowed
	for rest != "" {
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		switch {
		case n == 0:
			return bad(fmt.Sprintf("expected a number before %q", rest))
		case n > maxPeriodDigits:
			return bad("number too large")
		case n == len(rest):
			return bad("number without unit")
		}
		v, err := strconv.Atoi(rest[:n])
		if err != nil {
			return bad(err.Error())
		}
		i := strings.IndexByte(units[next:], rest[n])
		if i < 0 {
			return bad(fmt.Sprintf("unexpected %q (allowed units Y, M, D, once each and in that order)", rest[n]))
		}
		switch units[next+i] {
		case 'Y':
			p.Years = v
		case 'M':
			p.Months = v
		case 'D':
			p.Days = v
		}
		next += i + 1
		rest = rest[n+1:]
	}
	return p, nil
}

// String returns p in its ISO-8601 form; the zero period is "P0D".
func (p Period) String() string {
	var b strings.Builder
	b.WriteByte('P')
	if p.Years != 0 {
		fmt.Fprintf(&b, "%dY", p.Years)
	}
	if p.Months != 0 {
		fmt.Fprintf(&b, "%dM", p.Months)
	}
	if p.Days != 0 || b.Len() == 1 {
		fmt.Fprintf(&b, "%dD", p.Days)
	}
	return b.String()
}

// IsZero reports whether p has no years, months or days. In a Policy a zero
// period means "not set here", so it is inherited from the parent policy.
func (p Period) IsZero() bool { return p == Period{} }

// valid reports whether every component is non-negative.
func (p Period) valid() bool { return p.Years >= 0 && p.Months >= 0 && p.Days >= 0 }

// AddTo returns the raw end of p counted from d: years and months first, with
// month-end clamping, then days. The start day itself is not counted, so
// P15D from 10 March is 25 March. It does not move off rest days; use
// Calendar.Deadline for a legal deadline.
func (p Period) AddTo(d Date) Date {
	return d.AddMonths(p.Years*12 + p.Months).AddDays(p.Days)
}

// SubFrom returns d minus p (months first, with month-end clamping, then
// days), without moving off rest days. It serves reminders such as "7 days
// before the due date", which are courtesy notices rather than legal
// deadlines.
func (p Period) SubFrom(d Date) Date {
	return d.AddMonths(-(p.Years*12 + p.Months)).AddDays(-p.Days)
}

// MarshalText encodes p in its ISO-8601 form. A negative component is an
// error because it could not be parsed back.
func (p Period) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("%w: negative component in %+v", ErrInvalidPeriod, p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes the ISO-8601 form.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalJSON encodes p as an ISO-8601 JSON string.
func (p Period) MarshalJSON() ([]byte, error) {
	b, err := p.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON decodes an ISO-8601 JSON string; null leaves the zero
// period, which a Policy treats as "inherit".
func (p *Period) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*p = Period{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: %s is not a JSON string", ErrInvalidPeriod, b)
	}
	return p.UnmarshalText([]byte(s))
}

// longerThan reports whether p reaches strictly further than q from every
// start date. Periods in months have no fixed length in days, so the
// comparison is made over every start date of a four-year cycle, which
// includes every combination of month lengths and a leap year; P1M and P30D,
// for example, are neither longer nor shorter than each other.
func (p Period) longerThan(q Period) bool {
	start := NewDate(2024, 1, 1)
	for i := 0; i < 4*366; i++ {
		d := start.AddDays(i)
		if !p.AddTo(d).After(q.AddTo(d)) {
			return false
		}
	}
	return true
}
