package db

import (
	"context"
	"fmt"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db/dbq"
)

// IntakeStats are the intake figures (点单、接单、派单、办单、评单) of the
// intake cases a filter selects, counted from the steps their workflows
// recorded, each rate with its numerator and denominator.
type IntakeStats struct {
	// Received is every intake case in the filter.
	Received int64 `json:"received"`
	// Dispatched counts the disputes dispatched at least once.
	Dispatched int64 `json:"dispatched"`
	// Handled counts the outcomes recorded, HandledOnTime those recorded by
	// the handling deadline of their dispatch; OnTimeRate is the one over
	// the other.
	Handled       int64 `json:"handled"`
	HandledOnTime int64 `json:"handled_on_time"`
	OnTimeRate    Ratio `json:"on_time_rate"`
	// Overdue counts the disputes whose handling went past its deadline.
	Overdue int64 `json:"overdue"`
	// Resolved counts the outcomes recorded as resolved.
	Resolved int64 `json:"resolved"`
	// Converted counts the disputes converted into a mediation case.
	Converted int64 `json:"converted"`
	// Ratings counts the parties' ratings; AverageRating is the sum of
	// their scores (1 to 5) over their number.
	Ratings       int64 `json:"ratings"`
	AverageRating Ratio `json:"average_rating"`
}

// IntakeStatistics counts the intake figures of the intake cases f selects;
// a filter on another process selects none.
func (s *Store) IntakeStatistics(ctx context.Context, f CaseFilter) (IntakeStats, error) {
	if f.Process != "" && f.Process != casefile.ProcessIntake {
		return IntakeStats{OnTimeRate: percent(0, 0), AverageRating: mean(0, 0)}, nil
	}
	c, err := caseFilterParams(f)
	if err != nil {
		return IntakeStats{}, err
	}
	r, err := dbq.New(oneShot{s.pool}).IntakeStatistics(ctx, dbq.IntakeStatisticsParams{
		Status: c.status, OverdueOnly: c.overdueOnly, AsOf: c.asOf, Court: c.court, Mediator: c.mediator,
		CaseLeader: c.caseLeader, Jurisdiction: c.jurisdiction, Party: c.party,
		OpenedFrom: c.openedFrom, OpenedTo: c.openedTo, ProvisionalOnly: c.provisionalOnly,
	})
	if err != nil {
		return IntakeStats{}, fmt.Errorf("intake statistics: %w", err)
	}
	return IntakeStats{
		Received: r.Received, Dispatched: r.Dispatched, Handled: r.Handled, HandledOnTime: r.HandledOnTime,
		OnTimeRate: percent(r.HandledOnTime, r.Handled), Overdue: r.Overdue, Resolved: r.Resolved,
		Converted: r.Converted, Ratings: r.Ratings, AverageRating: mean(r.RatingSum, r.Ratings),
	}, nil
}
