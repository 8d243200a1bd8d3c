package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// intakeStep is one step of a sample intake case: its kind, day and data.
type intakeStep struct {
	kind string
	on   policy.Date
	data string
}

// seedIntake records an intake case opened on opened with its steps; a
// non-zero closedOn closes it then.
func seedIntake(t *testing.T, s *db.Store, id, jurisdiction string, opened, closedOn policy.Date, steps ...intakeStep) {
	t.Helper()
	c := sample(id)
	c.Process, c.WorkflowID, c.Court, c.Jurisdiction = casefile.ProcessIntake, "case/"+id+"/intake", "", jurisdiction
	c.CaseNumber = "矛调登" + id
	c.OpenedOn, c.Stage = opened, "handling"
	if !closedOn.IsZero() {
		c.Status, c.Stage, c.ClosedOn, c.ClosedAt = casefile.StatusClosed, "converted", closedOn, closedOn.Start()
	}
	var events []casefile.Event
	for i, st := range steps {
		at := st.on.Start().Add(10 * time.Hour)
		data := st.data
		if data == "" {
			data = "{}"
		}
		events = append(events, casefile.Event{
			CaseID: id, Stream: "intake", Seq: i + 1, Kind: st.kind, Actor: casefile.System,
			RealAt: at, CaseAt: at, CaseOn: st.on, Data: []byte(data),
		})
	}
	c.LastSeq = len(events)
	require.NoError(t, s.RecordSteps(context.Background(), &c, events), "seed %s", id)
}

func seedIntakeWeeks(t *testing.T, s *db.Store) {
	t.Helper()
	d := func(day int) policy.Date { return policy.NewDate(2026, time.March, day) }
	// Opened on Monday 9 March (week 11), handled on time, rated twice.
	seedIntake(t, s, "i1", "CN-52", d(9), policy.Date{},
		intakeStep{"intake_registered", d(9), ""}, intakeStep{"intake_dispatched", d(9), ""},
		intakeStep{"intake_outcome_recorded", d(10), `{"outcome":"resolved","on_time":true}`},
		intakeStep{"intake_rated", d(11), `{"score":5}`}, intakeStep{"intake_rated", d(11), `{"score":2}`})
	// Opened in week 10, overdue, handled late in week 11.
	seedIntake(t, s, "i2", "CN-52", d(2), policy.Date{},
		intakeStep{"intake_registered", d(2), ""}, intakeStep{"intake_dispatched", d(2), ""},
		intakeStep{"handling_overdue", d(6), ""},
		intakeStep{"intake_outcome_recorded", d(10), `{"outcome":"not_resolved","on_time":false}`})
	// Opened in week 10 and converted into a mediation case in it.
	seedIntake(t, s, "i3", "CN-52-QXN", d(3), d(5),
		intakeStep{"intake_registered", d(3), ""}, intakeStep{"intake_dispatched", d(3), ""},
		intakeStep{"intake_outcome_recorded", d(4), `{"outcome":"needs_court","on_time":true}`},
		intakeStep{"converted_to_mediation", d(5), ""})
	// Registered on Tuesday 10 March, not yet dispatched.
	seedIntake(t, s, "i4", "CN-52", d(10), policy.Date{}, intakeStep{"intake_registered", d(10), ""})
	// Another jurisdiction's dispute, and a mediation case: neither counts.
	seedIntake(t, s, "i5", "CN-11", d(9), policy.Date{},
		intakeStep{"intake_registered", d(9), ""}, intakeStep{"intake_rated", d(9), `{"score":1}`})
	seed(t, s, sample("m1"))
}

func TestIntakeStatistics(t *testing.T) {
	s := newStore(t)
	seedIntakeWeeks(t, s)
	got, err := s.IntakeStatistics(context.Background(), db.CaseFilter{Jurisdiction: "CN-52"})
	require.NoError(t, err)
	require.Equal(t, db.IntakeStats{
		Received: 4, Dispatched: 3, Handled: 3, HandledOnTime: 2,
		OnTimeRate: db.Ratio{Numerator: 2, Denominator: 3, Value: "66.7"},
		Overdue:    1, Resolved: 1, Converted: 1, Ratings: 2,
		AverageRating: db.Ratio{Numerator: 7, Denominator: 2, Value: "3.5"},
	}, got)

	got, err = s.IntakeStatistics(context.Background(), db.CaseFilter{Process: casefile.ProcessMediation})
	require.NoError(t, err)
	require.Zero(t, got.Received, "a filter on another process selects no intake case")
}

func TestIntakeWeekly(t *testing.T) {
	s := newStore(t)
	seedIntakeWeeks(t, s)
	ids := func(cs []db.WeeklyCase) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	w11, err := s.IntakeWeekly(context.Background(), db.CaseFilter{Jurisdiction: "CN-52"}, policy.NewDate(2026, 3, 9), policy.NewDate(2026, 3, 15))
	require.NoError(t, err)
	require.Equal(t, []string{"i1", "i4"}, ids(w11.New))
	require.Equal(t, []string{"i2"}, ids(w11.Stock), "i3 was closed out the week before")
	require.Equal(t, []string{"i2"}, ids(w11.Changed))
	require.Equal(t, []string{"intake_outcome_recorded"}, w11.Stock[0].Steps)
	require.Empty(t, w11.Closed)

	w10, err := s.IntakeWeekly(context.Background(), db.CaseFilter{Jurisdiction: "CN-52"}, policy.NewDate(2026, 3, 2), policy.NewDate(2026, 3, 8))
	require.NoError(t, err)
	require.Equal(t, []string{"i2", "i3"}, ids(w10.New))
	require.Empty(t, w10.Stock)
	require.Equal(t, []string{"i3"}, ids(w10.Closed))
	require.Equal(t, policy.NewDate(2026, 3, 5), w10.Closed[0].ClosedOn)
}

// seedIntakeMonth records the disputes of a March whose joint meeting
// reviews the overdue ones: overdue since February and still overdue (red,
// with a case leader, reviewed), overdue in March and handled late in it,
// overdue late in March, overdue in February and dispatched again before
// March, overdue only in April, and another jurisdiction's.
func seedIntakeMonth(t *testing.T, s *db.Store) {
	t.Helper()
	mar := func(day int) policy.Date { return policy.NewDate(2026, time.March, day) }
	feb := func(day int) policy.Date { return policy.NewDate(2026, time.February, day) }
	overdue := func(handleBy policy.Date, unit, urgency string) intakeStep {
		return intakeStep{"handling_overdue", handleBy.AddDays(1),
			`{"dispatch":1,"handle_by":"` + handleBy.String() + `","urgency":"` + urgency +
				`","handler":{"kind":"township","unit":"` + unit + `","subject":"mediator-he","role":"mediator"}}`}
	}
	seedIntake(t, s, "o1", "CN-52", feb(19), policy.Date{},
		intakeStep{"intake_registered", feb(19), `{"risk":"yellow"}`}, intakeStep{"intake_dispatched", feb(20), ""},
		intakeStep{"risk_regraded", feb(21), `{"from":"yellow","to":"red","hard":false}`},
		overdue(feb(23), "城关镇综治中心", "urgent"),
		intakeStep{"case_leader_recorded", mar(2), `{"case_leader":"leader-qian"}`},
		intakeStep{"joint_meeting_reviewed", mar(27), `{"month":"2026-03","meeting_on":"2026-03-27","decision":"assign_case_leader"}`})
	seedIntake(t, s, "o2", "CN-52", mar(1), policy.Date{},
		intakeStep{"intake_registered", mar(1), `{"risk":"yellow"}`}, intakeStep{"intake_dispatched", mar(2), ""},
		overdue(mar(9), "东关社区调委会", "priority"),
		intakeStep{"intake_outcome_recorded", mar(15), `{"outcome":"resolved","on_time":false}`},
		intakeStep{"risk_regraded", policy.NewDate(2026, time.April, 5), `{"from":"yellow","to":"red"}`})
	seedIntake(t, s, "o3", "CN-52-QXN", mar(20), policy.Date{},
		intakeStep{"intake_registered", mar(20), `{"risk":"green"}`}, intakeStep{"intake_dispatched", mar(20), ""},
		overdue(mar(29), "城关社区调委会", "ordinary"))
	seedIntake(t, s, "x1", "CN-52", feb(2), policy.Date{},
		intakeStep{"intake_registered", feb(2), `{"risk":"green"}`}, intakeStep{"intake_dispatched", feb(2), ""},
		overdue(feb(5), "城关镇综治中心", "urgent"), intakeStep{"intake_dispatched", feb(10), ""})
	seedIntake(t, s, "x2", "CN-52", mar(25), policy.Date{},
		intakeStep{"intake_registered", mar(25), `{"risk":"green"}`}, intakeStep{"intake_dispatched", mar(25), ""},
		overdue(policy.NewDate(2026, time.April, 1), "城关镇综治中心", "ordinary"))
	seedIntake(t, s, "x3", "CN-11", mar(2), policy.Date{},
		intakeStep{"intake_registered", mar(2), `{"risk":"red"}`}, intakeStep{"intake_dispatched", mar(2), ""},
		overdue(mar(5), "朝阳区调委会", "urgent"))
}

func TestIntakeMonthly(t *testing.T) {
	s := newStore(t)
	seedIntakeMonth(t, s)
	from, to := policy.NewDate(2026, 3, 1), policy.NewDate(2026, 3, 31)
	m, err := s.IntakeMonthly(context.Background(), db.CaseFilter{Jurisdiction: "CN-52"}, "2026-03", from, to)
	require.NoError(t, err)
	require.Equal(t, db.MonthlyCounts{
		Overdue: 3, OverdueAtMonthEnd: 2, NewInMonth: 2, Reviewed: 1, NotReviewed: 2, WithCaseLeader: 1,
		Red: 1, Yellow: 1, Green: 1,
	}, m.Counts)
	require.False(t, m.Truncated)
	require.Len(t, m.Cases, 3)
	o1, o2, o3 := m.Cases[0], m.Cases[1], m.Cases[2]
	require.Equal(t, []string{"o1", "o2", "o3"}, []string{o1.ID, o2.ID, o3.ID}, "by handling deadline")

	require.Equal(t, db.MonthlyCase{
		ID: "o1", CaseNumber: "矛调登o1", Stage: "handling", Status: "open",
		HandlerKind: "township", HandlerUnit: "城关镇综治中心", Handler: "mediator-he", Urgency: "urgent",
		HandleBy: policy.NewDate(2026, 2, 23), OverdueOn: policy.NewDate(2026, 2, 24), OverdueAtEnd: true,
		DaysOverdue: 36, Risk: "red", CaseLeader: "leader-qian", HasCaseLeader: true,
		Reviewed: true, ReviewDecision: "assign_case_leader", ReviewedOn: policy.NewDate(2026, 3, 27),
	}, o1)
	require.Equal(t, policy.NewDate(2026, 3, 15), o2.EndedOn, "handled late in the month")
	require.False(t, o2.OverdueAtEnd)
	require.Equal(t, 6, o2.DaysOverdue, "from the deadline to the outcome")
	require.Equal(t, "yellow", o2.Risk, "the grade on the month's last day, not April's")
	require.False(t, o2.Reviewed)
	require.False(t, o2.HasCaseLeader)
	require.Equal(t, 2, o3.DaysOverdue)
	require.Equal(t, "green", o3.Risk)

	apr, err := s.IntakeMonthly(context.Background(), db.CaseFilter{Jurisdiction: "CN-52"}, "2026-04", policy.NewDate(2026, 4, 1), policy.NewDate(2026, 4, 30))
	require.NoError(t, err)
	require.Equal(t, int64(3), apr.Counts.Overdue, "o1 and o3 still overdue, x2 new in April")
	require.Equal(t, int64(0), apr.Counts.Reviewed, "the March review is March's")
	require.Equal(t, [2]int64{1, 2}, [2]int64{apr.Counts.Red, apr.Counts.Green}, "o1 red; o3 and x2 green; o2, red in April, ended in March")

	feb, err := s.IntakeMonthly(context.Background(), db.CaseFilter{Jurisdiction: "CN-52-QXN"}, "2026-02", policy.NewDate(2026, 2, 1), policy.NewDate(2026, 2, 28))
	require.NoError(t, err)
	require.Empty(t, feb.Cases)
	require.Zero(t, feb.Counts)
}
