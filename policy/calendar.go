package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// ErrInvalidCalendar is wrapped by every error about inconsistent calendar
// data.
var ErrInvalidCalendar = errors.New("invalid calendar")

// Holiday is one dated entry of a holiday arrangement.
type Holiday struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
}

// CalendarYear is one year's official holiday arrangement for one
// jurisdiction, as published (for the national calendar, by the General
// Office of the State Council each autumn).
type CalendarYear struct {
	// Jurisdiction is optional in files, where it defaults to the file
	// name's prefix ("CN-2026.json" is "CN").
	Jurisdiction string `json:"jurisdiction,omitempty"`
	Year         int    `json:"year"`
	// Source names the official notice, so a deadline can be traced to it.
	Source string `json:"source"`
	// Holidays are the days off (放假), weekend days in the break included.
	Holidays []Holiday `json:"holidays"`
	// Workdays are make-up working days (调休上班); they are weekend days,
	// since a weekday is a working day anyway.
	Workdays []Holiday `json:"workdays"`
}

// Validate checks one year's data on its own: a known year and source, every
// date inside that year, no date listed twice or as both holiday and
// workday, and make-up workdays only on weekends.
func (y CalendarYear) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	if y.Year < 1900 || y.Year > 9999 {
		bad("year %d out of range", y.Year)
	}
	if y.Source == "" {
		bad("source is required so that every rest day can be traced to its notice")
	}
	seen := make(map[Date]string)
	check := func(kind string, list []Holiday) {
		for _, h := range list {
			switch {
			case h.Date.IsZero():
				bad("%s %q has no date", kind, h.Name)
				continue
			case h.Date.Year() != y.Year:
				bad("%s %s (%s) is outside year %d", kind, h.Date, h.Name, y.Year)
			case h.Name == "":
				bad("%s %s has no name", kind, h.Date)
			}
			if prev, dup := seen[h.Date]; dup {
				if prev == kind {
					bad("%s %s is listed twice", kind, h.Date)
				} else {
					bad("%s is listed both as holiday and as workday", h.Date)
				}
			}
			seen[h.Date] = kind
		}
	}
	check("holiday", y.Holidays)
	check("workday", y.Workdays)
	for _, w := range y.Workdays {
		if wd := w.Date.Weekday(); !w.Date.IsZero() && wd != time.Saturday && wd != time.Sunday {
			bad("workday %s is a %s; only weekend days can be make-up workdays", w.Date, wd)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w %s %d: %w", ErrInvalidCalendar, y.Jurisdiction, y.Year, err)
	}
	return nil
}

// Calendar says which days are rest days for one jurisdiction. It is
// immutable once built and safe for concurrent use. The zero Calendar (and a
// nil *Calendar) knows no holidays: only Saturdays and Sundays are rest days.
type Calendar struct {
	jurisdiction string
	holidays     map[Date]string
	workdays     map[Date]string
	// covered holds the years for which every layer that publishes its own
	// data has published that year; see Covers.
	covered map[int]bool
	// hasData reports whether any layer published years of its own.
	hasData bool
	// rules is set on the national calendar and every calendar extending
	// it: in a year its national layer has not published (national), the
	// statutory holidays are rest days; see StatutoryHolidays.
	rules    bool
	national map[int]bool
}

// Status says whether a year's rest days come from a published
// arrangement.
type Status string

const (
	// Official: every layer of the calendar has published the year's
	// arrangement (holidays and make-up working days).
	Official Status = "official"
	// Provisional: some layer has not; the statutory holidays by rule and
	// weekends stand in, and a deadline in that year may still move once
	// the arrangement is published.
	Provisional Status = "provisional"
)

// NewCalendar builds the calendar of a jurisdiction that has no parent
// calendar. Each year is validated, and a year may appear only once.
func NewCalendar(jurisdiction string, years ...CalendarYear) (*Calendar, error) {
	return (&Calendar{}).Extend(jurisdiction, years...)
}

// NewNationalCalendar builds the national calendar: the published years'
// arrangements, and for every other year the statutory holidays by rule
// (StatutoryHolidays) and weekends. Calendars extending it keep that rule.
func NewNationalCalendar(jurisdiction string, years ...CalendarYear) (*Calendar, error) {
	return (&Calendar{rules: true}).Extend(jurisdiction, years...)
}

// Extend returns a new calendar for jurisdiction made of c's days plus the
// given years' days, as an ethnic autonomous area adds its own festival days
// to the national calendar. Where the child lists a date the parent also
// lists, the child's entry wins, because the more local arrangement is the
// one that applies there. c is not modified.
func (c *Calendar) Extend(jurisdiction string, years ...CalendarYear) (*Calendar, error) {
	n := &Calendar{
		jurisdiction: jurisdiction,
		holidays:     make(map[Date]string),
		workdays:     make(map[Date]string),
		covered:      make(map[int]bool),
	}
	if c != nil {
		maps.Copy(n.holidays, c.holidays)
		maps.Copy(n.workdays, c.workdays)
		n.rules, n.national = c.rules, c.national
	}
	own := make(map[int]bool)
	for _, y := range years {
		if y.Jurisdiction == "" {
			y.Jurisdiction = jurisdiction
		}
		if y.Jurisdiction != jurisdiction {
			return nil, fmt.Errorf("%w: year %d belongs to %s, not %s", ErrInvalidCalendar, y.Year, y.Jurisdiction, jurisdiction)
		}
		if err := y.Validate(); err != nil {
			return nil, err
		}
		if own[y.Year] {
			return nil, fmt.Errorf("%w: %s year %d is given twice", ErrInvalidCalendar, jurisdiction, y.Year)
		}
		own[y.Year] = true
		for _, h := range y.Holidays {
			delete(n.workdays, h.Date)
			n.holidays[h.Date] = h.Name
		}
		for _, w := range y.Workdays {
			delete(n.holidays, w.Date)
			n.workdays[w.Date] = w.Name
		}
	}
	// A layer without data of its own (a jurisdiction that only overrides
	// policy periods) inherits its parent's coverage. A layer with data
	// covers a year only if it and its parent both published it: a local
	// festival missing for that year is as much a gap as a national one.
	if n.rules && n.national == nil {
		// The layer right above the rules is the national one.
		n.national = own
	}
	parentHasData := c != nil && c.hasData
	n.hasData = parentHasData || len(own) > 0
	switch {
	case len(own) == 0:
		if c != nil {
			maps.Copy(n.covered, c.covered)
		}
	case !parentHasData:
		n.covered = own
	default:
		for y := range own {
			if c.covered[y] {
				n.covered[y] = true
			}
		}
	}
	return n, nil
}

// Jurisdiction returns the jurisdiction whose data the calendar holds.
func (c *Calendar) Jurisdiction() string {
	if c == nil {
		return ""
	}
	return c.jurisdiction
}

// IsRestDay reports whether d is a public holiday, or a Saturday or Sunday
// that is not a make-up workday.
func (c *Calendar) IsRestDay(d Date) bool {
	if c != nil {
		if _, ok := c.holidays[d]; ok {
			return true
		}
		if _, ok := c.workdays[d]; ok {
			return false
		}
		if c.byRule(d) {
			return true
		}
	}
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// IsWorkingDay reports whether d is not a rest day.
func (c *Calendar) IsWorkingDay(d Date) bool { return !c.IsRestDay(d) }

// HolidayName returns the name of the holiday or make-up workday on d, if
// the calendar lists d, for explaining a moved deadline to users.
func (c *Calendar) HolidayName(d Date) (string, bool) {
	if c == nil {
		return "", false
	}
	if n, ok := c.holidays[d]; ok {
		return n, true
	}
	if n, ok := c.workdays[d]; ok {
		return n, true
	}
	if c.byRule(d) {
		return statutoryName(d)
	}
	return "", false
}

// Arrangement returns the days of year the calendar lists, every layer's
// merged as IsRestDay counts them (a local layer's entry over its
// parent's): the holidays (放假) and the make-up working days (调休上班),
// each in date order. In a year no layer has published both are empty;
// the statutory holidays by rule (StatutoryHolidays) and weekends count
// then.
func (c *Calendar) Arrangement(year int) (holidays, workdays []Holiday) {
	if c == nil {
		return nil, nil
	}
	pick := func(m map[Date]string) []Holiday {
		var out []Holiday
		for d, name := range m {
			if d.Year() == year {
				out = append(out, Holiday{Date: d, Name: name})
			}
		}
		slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
		return out
	}
	return pick(c.holidays), pick(c.workdays)
}

// byRule reports whether d is a statutory holiday that counts because the
// national arrangement for its year is not published.
func (c *Calendar) byRule(d Date) bool {
	if !c.rules || c.national[d.Year()] {
		return false
	}
	_, ok := statutoryName(d)
	return ok
}

// NextWorkingDay returns d if it is a working day, otherwise the first
// working day after it.
func (c *Calendar) NextWorkingDay(d Date) Date {
	if d.IsZero() {
		return d
	}
	for c.IsRestDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// Covers reports whether official holiday data for year is loaded. When it
// is not, only weekends count as rest days and callers should warn that a
// deadline may still move once the year's arrangement is published.
func (c *Calendar) Covers(year int) bool {
	return c != nil && c.covered[year]
}

// Status returns Official when Covers(year), otherwise Provisional.
func (c *Calendar) Status(year int) Status {
	if c.Covers(year) {
		return Official
	}
	return Provisional
}

// Deadline returns the last day of period p counted from start: the raw end
// p.AddTo(start), moved forward to the next working day when it is a rest
// day. Rest days inside the period are counted like any other day.
func (c *Calendar) Deadline(start Date, p Period) Date {
	return c.NextWorkingDay(p.AddTo(start))
}
