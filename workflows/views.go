package workflows

import (
	"time"

	"github.com/casework/casework/casetime"
	"github.com/casework/casework/policy"
)

// A query answers with the case time of the workflow's last task, which
// for a case parked on a timer may be weeks of case time old. Refresh
// recomputes what depends on "today" for the real instant now, so a reader
// sees the case as it stands.

// caseDay is the legal date of case time at the real instant now; ok is
// false for a clock that was never set.
func caseDay(c casetime.Clock, now time.Time) (policy.Date, bool) {
	if c.Validate() != nil {
		return policy.Date{}, false
	}
	return policy.DateOf(c.CaseTime(now)), true
}

// Refresh sets today and the days left to the deadline as of now.
func (v *MediationView) Refresh(now time.Time) {
	if d, ok := caseDay(v.Clock, now); ok && d.After(v.CaseToday) {
		v.CaseToday = d
		if !v.Deadline.IsZero() {
			v.CalendarDaysToLast = policy.DaysBetween(d, v.Deadline)
		}
	}
}

// Refresh sets today as of now.
func (v *PlanView) Refresh(now time.Time) { refreshToday(&v.CaseToday, v.Clock, now) }

// Refresh sets today as of now.
func (v *EnforcementView) Refresh(now time.Time) { refreshToday(&v.CaseToday, v.Clock, now) }

// Refresh sets today as of now.
func (v *BoundaryView) Refresh(now time.Time) { refreshToday(&v.CaseToday, v.Clock, now) }

// Refresh sets today as of now.
func (v *WageView) Refresh(now time.Time) { refreshToday(&v.CaseToday, v.Clock, now) }

// refreshToday moves today forward to now's case date, never back (a
// reader's clock slightly behind the worker's changes nothing).
func refreshToday(today *policy.Date, c casetime.Clock, now time.Time) {
	if d, ok := caseDay(c, now); ok && d.After(*today) {
		*today = d
	}
}
