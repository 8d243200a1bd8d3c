package policy

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// Names of the statutory holidays, as the State Council's notices write them.
const (
	NewYearsDay     = "元旦"
	SpringFestival  = "春节"
	Qingming        = "清明节"
	LabourDay       = "劳动节"
	DragonBoat      = "端午节"
	MidAutumn       = "中秋节"
	NationalDay     = "国庆节"
	nationalRulesOf = "CN" // the jurisdiction whose calendar the rules below are
)

// StatutoryHolidays returns the national public holidays of year by the
// rule of the 全国年节及纪念日放假办法 in force that year. As amended in 2024
// (in force since 2025-01-01): New Year's Day (1 January); the Spring
// Festival, four days from lunar New Year's Eve to the third day of the
// first lunar month; Qingming, on the day of the solar term; Labour Day, 1
// and 2 May; the Dragon Boat Festival (5th of the 5th lunar month); the
// Mid-Autumn Festival (15th of the 8th lunar month); National Day, 1 to 3
// October. From 2014 to 2024 (the 2013 text) the Spring Festival was the
// first three days of the first lunar month and Labour Day 1 May only; from
// 2008 to 2013 (the 2007 text) the Spring Festival was New Year's Eve and
// the first two days. Before 2008 and after 2099 it returns nothing: the
// rules differed, or the lunar tables are not checked that far.
//
// These are the days the law gives, not the State Council's yearly
// arrangement, which shifts days around weekends (调休) and is published the
// autumn before: a year without a published arrangement counts these days
// and weekends as rest days, and is provisional. Lunar dates and the solar
// term come from github.com/6tail/lunar-go, which computes them for China
// Standard Time. The result is sorted by date; where two festivals fall on
// one day it lists the day once, with both names.
func StatutoryHolidays(year int) []Holiday {
	if !ruleYear(year) {
		return nil
	}
	return slices.Clone(statutoryYear(year).list)
}

type statutory struct {
	list  []Holiday
	names map[Date]string
}

var statutoryCache sync.Map // int → *statutory

func statutoryYear(year int) *statutory {
	if v, ok := statutoryCache.Load(year); ok {
		return v.(*statutory)
	}
	names := make(map[Date]string)
	add := func(d Date, name string) {
		if prev, ok := names[d]; ok && prev != name {
			name = prev + "、" + name
		}
		names[d] = name
	}
	lunarDay := func(m, d int) Date {
		s := calendar.NewLunarFromYmd(year, m, d).GetSolar()
		return NewDate(s.GetYear(), time.Month(s.GetMonth()), s.GetDay())
	}

	add(NewDate(year, time.January, 1), NewYearsDay)
	newYear := lunarDay(1, 1)
	first, last := -1, 2 // 除夕 through 初三, since 2025
	switch {
	case year < 2014:
		first, last = -1, 1 // 除夕 through 初二
	case year < 2025:
		first, last = 0, 2 // 初一 through 初三
	}
	for i := first; i <= last; i++ {
		add(newYear.AddDays(i), SpringFestival)
	}
	// The lunar year that starts in this Gregorian year holds this year's
	// Qingming term.
	q := calendar.NewLunarFromYmd(year, 1, 1).GetJieQiTable()["清明"]
	add(NewDate(q.GetYear(), time.Month(q.GetMonth()), q.GetDay()), Qingming)
	add(NewDate(year, time.May, 1), LabourDay)
	if year >= 2025 {
		add(NewDate(year, time.May, 2), LabourDay)
	}
	add(lunarDay(5, 5), DragonBoat)
	add(lunarDay(8, 15), MidAutumn)
	for d := 1; d <= 3; d++ {
		add(NewDate(year, time.October, d), NationalDay)
	}

	s := &statutory{names: names}
	for d, n := range names {
		s.list = append(s.list, Holiday{Date: d, Name: n})
	}
	slices.SortFunc(s.list, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	v, _ := statutoryCache.LoadOrStore(year, s)
	return v.(*statutory)
}

// statutoryName returns the statutory holiday on d, if d is one.
func statutoryName(d Date) (string, bool) {
	if !ruleYear(d.Year()) {
		return "", false
	}
	n, ok := statutoryYear(d.Year()).names[d]
	return n, ok
}

// ruleYear reports whether StatutoryHolidays knows the rule of year.
func ruleYear(year int) bool { return year >= 2008 && year <= 2099 }

// CheckStatutory reports every statutory holiday of y's year (see
// StatutoryHolidays) that the national arrangement y does not list as a
// holiday: an arrangement may move days around weekends but never give
// fewer than the law.
func CheckStatutory(y CalendarYear) error {
	listed := make(map[Date]bool, len(y.Holidays))
	for _, h := range y.Holidays {
		listed[h.Date] = true
	}
	var errs []error
	for _, h := range StatutoryHolidays(y.Year) {
		if !listed[h.Date] {
			errs = append(errs, fmt.Errorf("statutory holiday %s (%s) is not listed as a holiday", h.Date, h.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w %s %d: %w", ErrInvalidCalendar, y.Jurisdiction, y.Year, err)
	}
	return nil
}
