package db

import (
	"context"
	"fmt"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
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

// MaxWeeklyCases bounds the cases one weekly list holds.
const MaxWeeklyCases = 5000

// WeeklyCase is one intake case of a weekly list.
type WeeklyCase struct {
	ID           string      `json:"id"`
	CaseNumber   string      `json:"case_number"`
	Stage        string      `json:"stage"`
	Status       string      `json:"status"`
	Outcome      string      `json:"outcome,omitempty"`
	Mediator     string      `json:"mediator,omitempty"`
	CaseLeader   string      `json:"case_leader,omitempty"`
	OpenedOn     policy.Date `json:"opened_on"`
	ClosedOn     policy.Date `json:"closed_on,omitzero"`
	NextDeadline policy.Date `json:"next_deadline_on,omitzero"`
	DeadlineKind string      `json:"next_deadline_kind,omitempty"`
	// Steps are the kinds of step the case took in the week.
	Steps []string `json:"steps"`
}

// Weekly is the weekly list of intake cases (台账: 存量、新增、变化、销号)
// of one week, Monday to Sunday in case dates.
type Weekly struct {
	From policy.Date `json:"from"`
	To   policy.Date `json:"to"`
	// Stock were open when the week began; New were opened in it; Changed
	// are those of Stock that took a step in the week; Closed were closed
	// out (销号) in it. A case can be in Stock or New, and also in Changed
	// or Closed.
	Stock   []WeeklyCase `json:"stock"`
	New     []WeeklyCase `json:"new"`
	Changed []WeeklyCase `json:"changed"`
	Closed  []WeeklyCase `json:"closed"`
	// Truncated is set when the week held more than MaxWeeklyCases cases.
	Truncated bool `json:"truncated,omitempty"`
}

// IntakeWeekly lists the intake cases f's scope (jurisdiction, mediator,
// case leader, party) selects that were open in the week from from to to.
func (s *Store) IntakeWeekly(ctx context.Context, f CaseFilter, from, to policy.Date) (Weekly, error) {
	rows, err := dbq.New(oneShot{s.pool}).IntakeWeekly(ctx, dbq.IntakeWeeklyParams{
		WeekStart: pgDate(from), WeekEnd: pgDate(to), Mediator: text(f.Mediator), CaseLeader: text(f.CaseLeader),
		Jurisdiction: text(f.Jurisdiction), Party: text(f.Party), RowLimit: MaxWeeklyCases + 1,
	})
	if err != nil {
		return Weekly{}, fmt.Errorf("intake weekly list: %w", err)
	}
	w := Weekly{From: from, To: to, Stock: []WeeklyCase{}, New: []WeeklyCase{}, Changed: []WeeklyCase{}, Closed: []WeeklyCase{}}
	if len(rows) > MaxWeeklyCases {
		rows, w.Truncated = rows[:MaxWeeklyCases], true
	}
	for _, r := range rows {
		c := WeeklyCase{
			ID: r.ID, CaseNumber: r.CaseNumber, Stage: r.Stage, Status: r.Status, Outcome: r.Outcome,
			Mediator: r.Mediator, CaseLeader: r.CaseLeader, OpenedOn: dateOf(r.OpenedOn), ClosedOn: dateOf(r.ClosedOn),
			NextDeadline: dateOf(r.NextDeadlineOn), DeadlineKind: r.NextDeadlineKind, Steps: r.WeekKinds,
		}
		if r.IsNew {
			w.New = append(w.New, c)
		} else {
			w.Stock = append(w.Stock, c)
			if len(c.Steps) > 0 {
				w.Changed = append(w.Changed, c)
			}
		}
		if r.IsClosed {
			w.Closed = append(w.Closed, c)
		}
	}
	return w, nil
}
