package e2e

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// rearmArea is a jurisdiction only TestRearmOnPublication uses, so the day
// it publishes moves no other test's deadline.
const rearmArea = "CN-52-T8"

// rearmScale runs a legal day in 1.5 s: long enough to open 200 cases and
// re-arm them well before their deadlines, short enough to watch the
// deadlines pass.
const rearmScale = 57600

// TestRearmOnPublication is issue 9's integration test on the real stack
// under compressed time: 200 open mediation cases, opened today and up to
// three days back, have their deadlines counted on the calendar as it is.
// A test arrangement for the year of the latest of them (a fixture, not any
// real notice) makes that day a rest day and is published. Every affected
// deadline moves to the next working day with exactly one deadline_moved
// step, the others do not, the timers fire on the new days, and publishing
// the same arrangement again changes nothing.
func TestRearmOnPublication(t *testing.T) {
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: rearmScale, Log: slog.Default()})
	srv := httptest.NewServer(h)
	defer srv.Close()

	base, err := policy.Default()
	require.NoError(t, err)
	today := policy.DateOf(time.Now())
	period := policy.Days(30) // the mediation period of CN, which rearmArea inherits
	latest, err := base.Deadline(rearmArea, today, period)
	require.NoError(t, err)
	fixture := api.CalendarArrangement{
		Jurisdiction: rearmArea, Year: latest.Year(), Source: "TEST FIXTURE: not a real notice (re-arm test)",
		Holidays: []api.CalendarDay{{Date: latest, Name: "测试节"}},
	}
	published, err := base.WithCalendars(policy.CalendarYear{Jurisdiction: rearmArea, Year: latest.Year(), Source: fixture.Source,
		Holidays: []policy.Holiday{{Date: latest, Name: "测试节"}}})
	require.NoError(t, err)

	// Before and after the publication, for each day a case opened.
	type want struct{ before, after policy.Date }
	wants := map[int]want{}
	for k := range 4 {
		b, err := base.Deadline(rearmArea, today.AddDays(-k), period)
		require.NoError(t, err)
		a, err := published.Deadline(rearmArea, today.AddDays(-k), period)
		require.NoError(t, err)
		wants[k] = want{b, a}
	}
	require.NotEqual(t, wants[0].before, wants[0].after, "the fixture moves the latest deadline")

	const n = 200
	type opened struct {
		id string
		k  int
	}
	cases := make([]opened, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	errs := make(chan string, n)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			body := startBody(newCaseNumber())
			body.Jurisdiction = rearmArea
			k := i % 4
			if k > 0 {
				body.OpenedOn = today.AddDays(-k)
			}
			res := do(t, srv, &court, http.MethodPost, "/cases/mediation", body)
			if res.Status != http.StatusCreated {
				errs <- fmt.Sprintf("open %d: %d %s", i, res.Status, res.Body)
				return
			}
			var c api.CaseBody
			res.json(t, &c)
			cases[i] = opened{c.Summary.ID, k}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	for _, c := range cases {
		res := do(t, srv, &court, http.MethodGet, "/cases/"+c.id, nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var got api.CaseBody
		res.json(t, &got)
		require.Equal(t, wants[c.k].before, got.Summary.NextDeadline.On, "case %s opened %d day(s) back", c.id, c.k)
	}

	res := do(t, srv, &courtAdmin, http.MethodPost, "/calendars", fixture)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var pub api.CalendarPublication
	res.json(t, &pub)
	require.NotEmpty(t, pub.Rearm.WorkflowID)
	progress := waitRearm(t, srv, pub.Version)
	t.Logf("re-arm of version %d: %+v", pub.Version, progress)

	moved := 0
	for _, c := range cases {
		if w := wants[c.k]; w.before != w.after {
			moved++
		}
	}
	require.Equal(t, n, progress.Cases+progress.Closed, "every open case was sent the publication")
	require.Equal(t, moved, progress.Moved, "deadlines moved")
	require.Equal(t, moved, progress.MovedCases)
	require.Zero(t, progress.Failed)
	require.True(t, progress.LastPass, "the last pass went over the cases opened about when it was published")
	require.Positive(t, progress.Recent, "all 200 were opened minutes before")

	// The same arrangement again: the same re-arm, nothing moves twice.
	res = do(t, srv, &courtAdmin, http.MethodPost, "/calendars", fixture)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var again api.CalendarPublication
	res.json(t, &again)
	require.False(t, again.Created)
	require.Equal(t, pub.Rearm.WorkflowID, again.Rearm.WorkflowID)

	// Every case runs out its mediation period on its day, old or new.
	last := wants[0].after
	for _, w := range wants {
		if w.after.After(last) {
			last = w.after
		}
	}
	waitUntilCaseDay(t, last.AddDays(1), rearmScale)
	for _, c := range cases {
		w := wants[c.k]
		var steps []db.TimelineEntry
		require.Eventually(t, func() bool {
			steps = timeline(t, srv, c.id)
			return steps[len(steps)-1].Kind == "returned_for_litigation"
		}, 30*time.Second, 200*time.Millisecond, "case %s still open", c.id)
		movedSteps := 0
		for _, s := range steps {
			switch s.Kind {
			case "deadline_moved":
				movedSteps++
				require.Equal(t, "calendar_published", s.ReasonCode)
				require.Equal(t, courtAdmin.Subject, s.Actor.Subject)
			case "mediation_deadline_passed":
				require.True(t, w.after.End().Equal(s.CaseAt),
					"case %s (opened %d day(s) back) passed its deadline at %s, want the end of %s", c.id, c.k, s.CaseAt, w.after)
			}
		}
		if w.before != w.after {
			require.Equal(t, 1, movedSteps, "case %s: one deadline_moved step", c.id)
		} else {
			require.Zero(t, movedSteps, "case %s: its deadline did not move", c.id)
		}
	}
	// Recorded after a re-arm: a case whose deadline moved, one whose did
	// not, and the re-arm itself replay with today's code.
	replayAndKeep(t, "v5_mediation_rearmed_moved", workflows.MediationWorkflowID(cases[0].id))
	replayAndKeep(t, "v5_mediation_rearmed_unmoved", workflows.MediationWorkflowID(cases[2].id))
	replayAndKeep(t, "v5_calendar_rearm", pub.Rearm.WorkflowID)
}

// waitRearm polls a re-arm's progress until it is done.
func waitRearm(t *testing.T, srv *httptest.Server, version int64) api.RearmBody {
	t.Helper()
	var body api.RearmBody
	require.Eventually(t, func() bool {
		res := do(t, srv, &courtAdmin, http.MethodGet, fmt.Sprintf("/calendars/rearms/%d", version), nil)
		if res.Status != http.StatusOK {
			return false
		}
		res.json(t, &body)
		return body.Done
	}, 90*time.Second, 250*time.Millisecond, "re-arm %d not done: %+v", version, body)
	return body
}

// waitUntilCaseDay sleeps until day has begun in the case time of a case
// opened now at scale.
func waitUntilCaseDay(t *testing.T, day policy.Date, scale int64) {
	t.Helper()
	ahead := day.Start().Sub(time.Now())
	if ahead > 0 {
		time.Sleep(ahead / time.Duration(scale))
	}
}
