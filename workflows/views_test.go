package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casetime"
	"github.com/casework/casework/policy"
)

// TestRefreshMovesTodayToNow: a view queried from a workflow parked on a
// timer carries the day of its last task; Refresh brings it to now.
func TestRefreshMovesTodayToNow(t *testing.T) {
	real := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	clock, err := casetime.New(86400, real) // a legal day per real second
	require.NoError(t, err)
	clock = clock.Started(real)
	start := policy.DateOf(clock.CaseTime(real))
	tests := []struct {
		name  string
		now   time.Time
		today policy.Date
	}{
		{"TenSecondsLater", real.Add(10 * time.Second), start.AddDays(10)},
		{"ReaderBehindTheWorker", real.Add(-time.Hour), start}, // never moves back
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := MediationView{CaseToday: start, Clock: clock, Deadline: start.AddDays(30), CalendarDaysToLast: 30}
			m.Refresh(tc.now)
			require.Equal(t, tc.today, m.CaseToday)
			require.Equal(t, policy.DaysBetween(tc.today, m.Deadline), m.CalendarDaysToLast)
			p := PlanView{CaseToday: start, Clock: clock}
			p.Refresh(tc.now)
			require.Equal(t, tc.today, p.CaseToday)
			e := EnforcementView{CaseToday: start, Clock: clock}
			e.Refresh(tc.now)
			require.Equal(t, tc.today, e.CaseToday)
		})
	}
	var unset PlanView
	unset.Refresh(real)
	require.True(t, unset.CaseToday.IsZero(), "a view without a clock is left alone")
}
