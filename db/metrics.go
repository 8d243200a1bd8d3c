package db

import (
	"context"
	"fmt"

	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
)

// CaseState is what operations watch of the cases: the notice outbox and
// the deadlines about to fall.
type CaseState struct {
	NoticesPending       int64
	NoticesUndeliverable int64
	// OldestPendingSeconds is how long the oldest notice still being
	// delivered has waited.
	OldestPendingSeconds float64
	OpenCases            int64
	OverdueCases         int64
	// DueIn counts open cases by how many legal days from today their
	// pending deadline falls: DueIn[0] is today.
	DueIn []int64
}

// CaseState reads the state for today and the days legal days after it.
func (s *Store) CaseState(ctx context.Context, today policy.Date, days int) (CaseState, error) {
	q := dbq.New(s.pool)
	var out CaseState
	backlog, err := q.NoticeBacklog(ctx)
	if err != nil {
		return out, fmt.Errorf("notice backlog: %w", err)
	}
	out.NoticesPending, out.NoticesUndeliverable, out.OldestPendingSeconds = backlog.Pending, backlog.Undeliverable, backlog.OldestPendingSeconds
	open, err := q.OpenCaseCounts(ctx)
	if err != nil {
		return out, fmt.Errorf("open cases: %w", err)
	}
	out.OpenCases, out.OverdueCases = open.Open, open.Overdue
	rows, err := q.DeadlinesDueByDay(ctx, dbq.DeadlinesDueByDayParams{FromOn: pgDate(today), ToOn: pgDate(today.AddDays(days - 1))})
	if err != nil {
		return out, fmt.Errorf("deadlines due: %w", err)
	}
	out.DueIn = make([]int64, days)
	for _, r := range rows {
		if i := policy.DaysBetween(today, dateOf(r.DueOn)); i >= 0 && i < days {
			out.DueIn[i] = r.Cases
		}
	}
	return out, nil
}
