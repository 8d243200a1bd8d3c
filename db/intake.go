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
	// Converted counts the disputes converted into a mediation case or a
	// boundary case.
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

// MaxMonthlyCases bounds the cases one monthly list holds; its counts
// cover every case however many it holds.
const MaxMonthlyCases = 5000

// MonthlyCase is one overdue intake dispute of a monthly list: the
// dispatch whose handling went overdue (its handler, tier and deadline),
// the day the step says it went overdue and the day that ended, if it did
// (an outcome, a return, a dispatch again, a conversion), the days it was
// overdue to then or to the month's end, the risk grade and case leader on
// the month's last day, and the joint meeting's review for the month.
type MonthlyCase struct {
	ID             string      `json:"id"`
	CaseNumber     string      `json:"case_number"`
	Stage          string      `json:"stage"`
	Status         string      `json:"status"`
	HandlerKind    string      `json:"handler_kind"`
	HandlerUnit    string      `json:"handler_unit"`
	Handler        string      `json:"handler"`
	Urgency        string      `json:"urgency"`
	HandleBy       policy.Date `json:"handle_by"`
	OverdueOn      policy.Date `json:"overdue_on"`
	EndedOn        policy.Date `json:"ended_on,omitzero"`
	OverdueAtEnd   bool        `json:"overdue_at_month_end"`
	DaysOverdue    int         `json:"days_overdue"`
	Risk           string      `json:"risk"`
	Hard           bool        `json:"hard"`
	CaseLeader     string      `json:"case_leader,omitempty"`
	HasCaseLeader  bool        `json:"has_case_leader"`
	Reviewed       bool        `json:"reviewed"`
	ReviewDecision string      `json:"review_decision,omitempty"`
	ReviewedOn     policy.Date `json:"reviewed_on,omitzero"`
}

// MonthlyCounts are the exact counts of a monthly list.
type MonthlyCounts struct {
	// Overdue counts every dispute overdue at some time in the month;
	// OverdueAtMonthEnd those still overdue on its last day; NewInMonth
	// those that went overdue in it.
	Overdue           int64 `json:"overdue"`
	OverdueAtMonthEnd int64 `json:"overdue_at_month_end"`
	NewInMonth        int64 `json:"new_in_month"`
	// Reviewed counts those with a joint-meeting review recorded for the
	// month, NotReviewed the others.
	Reviewed       int64 `json:"reviewed"`
	NotReviewed    int64 `json:"not_reviewed"`
	WithCaseLeader int64 `json:"with_case_leader"`
	Red            int64 `json:"red"`
	Yellow         int64 `json:"yellow"`
	Green          int64 `json:"green"`
}

// Monthly is the list a monthly joint meeting reviews (月度联席会议): the
// intake disputes whose handling was overdue in one month, case dates.
type Monthly struct {
	From   policy.Date   `json:"from"`
	To     policy.Date   `json:"to"`
	Counts MonthlyCounts `json:"counts"`
	Cases  []MonthlyCase `json:"cases"`
	// Truncated is set when the month held more than MaxMonthlyCases cases.
	Truncated bool `json:"truncated,omitempty"`
}

// IntakeMonthly lists the intake cases f's scope (jurisdiction, mediator,
// case leader, party) selects whose handling was overdue in month (YYYY-MM,
// from from to to), with the reviews recorded for it.
func (s *Store) IntakeMonthly(ctx context.Context, f CaseFilter, month string, from, to policy.Date) (Monthly, error) {
	rows, err := dbq.New(oneShot{s.pool}).IntakeMonthly(ctx, dbq.IntakeMonthlyParams{
		MonthStart: pgDate(from), MonthEnd: pgDate(to), Month: month, Mediator: text(f.Mediator),
		CaseLeader: text(f.CaseLeader), Jurisdiction: text(f.Jurisdiction), Party: text(f.Party),
		RowLimit: MaxMonthlyCases + 1,
	})
	if err != nil {
		return Monthly{}, fmt.Errorf("intake monthly list: %w", err)
	}
	m := Monthly{From: from, To: to, Cases: []MonthlyCase{}}
	if len(rows) > 0 {
		r := rows[0]
		m.Counts = MonthlyCounts{
			Overdue: r.Total, OverdueAtMonthEnd: r.TotalOverdueAtMonthEnd, NewInMonth: r.TotalNewInMonth,
			Reviewed: r.TotalReviewed, NotReviewed: r.Total - r.TotalReviewed, WithCaseLeader: r.TotalWithCaseLeader,
			Red: r.TotalRed, Yellow: r.TotalYellow, Green: r.TotalGreen,
		}
	}
	if len(rows) > MaxMonthlyCases {
		rows, m.Truncated = rows[:MaxMonthlyCases], true
	}
	for _, r := range rows {
		m.Cases = append(m.Cases, MonthlyCase{
			ID: r.ID, CaseNumber: r.CaseNumber, Stage: r.Stage, Status: r.Status,
			HandlerKind: r.HandlerKind, HandlerUnit: r.HandlerUnit, Handler: r.HandlerSubject, Urgency: r.Urgency,
			HandleBy: dateOf(r.HandleBy), OverdueOn: dateOf(r.OverdueOn), EndedOn: dateOf(r.EndedOn),
			OverdueAtEnd: r.OverdueAtMonthEnd, DaysOverdue: int(r.DaysOverdue), Risk: r.Risk, Hard: r.Hard,
			CaseLeader: r.CaseLeader, HasCaseLeader: r.CaseLeader != "",
			Reviewed: r.ReviewDecision != "", ReviewDecision: r.ReviewDecision, ReviewedOn: dateOf(r.ReviewedOn),
		})
	}
	return m, nil
}
