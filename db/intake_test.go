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
