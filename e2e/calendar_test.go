package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// testArea is a jurisdiction only this test uses, so the days it publishes
// change no other test's deadlines.
const testArea = "CN-52-T9"

// TestPublishCalendar publishes a local arrangement through the API, as a
// court administrator, and sees the worker count the next case's deadline
// with it; then checks what publication refuses.
func TestPublishCalendar(t *testing.T) {
	base, err := policy.Default()
	require.NoError(t, err)
	today := policy.DateOf(time.Now())
	period := policy.Days(30) // the mediation period of CN, which testArea inherits
	before, err := base.Deadline(testArea, today, period)
	require.NoError(t, err)

	// A fixture, not any real notice: the day the deadline would fall on
	// becomes a local festival, so the deadline must move past it.
	fixture := api.CalendarArrangement{
		Jurisdiction: testArea, Year: before.Year(), Source: "TEST FIXTURE: not a real notice",
		Holidays: []api.CalendarDay{{Date: before, Name: "测试节"}},
	}
	published, err := base.WithCalendars(policy.CalendarYear{Jurisdiction: testArea, Year: before.Year(), Source: fixture.Source,
		Holidays: []policy.Holiday{{Date: before, Name: "测试节"}}})
	require.NoError(t, err)
	want, err := published.Deadline(testArea, today, period)
	require.NoError(t, err)
	require.True(t, want.After(before))
	cal, err := published.Calendar(testArea)
	require.NoError(t, err)
	wantStatus := cal.Status(want.Year())

	t.Run("RefusedToOthers", func(t *testing.T) {
		res := do(t, realTime, &court, http.MethodPost, "/calendars", fixture)
		require.Equal(t, http.StatusForbidden, res.Status, "a court user does not publish: %s", res.Body)
		national := fixture
		national.Jurisdiction = "CN"
		res = do(t, realTime, &courtAdmin, http.MethodPost, "/calendars", national)
		require.Equal(t, http.StatusForbidden, res.Status, "CN is outside CN-52: %s", res.Body)
		res.problem(t)
	})
	t.Run("InvalidRefused", func(t *testing.T) {
		other := auth.Principal{Subject: "admin-spc", Role: casefile.RoleCourtAdmin, Jurisdiction: "CN"}
		incomplete := api.CalendarArrangement{Jurisdiction: "CN", Year: 2031, Source: "TEST FIXTURE",
			Holidays: []api.CalendarDay{{Date: policy.NewDate(2031, 1, 1), Name: "元旦"}}}
		res := do(t, realTime, &other, http.MethodPost, "/calendars", incomplete)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
		require.Contains(t, res.problem(t)["detail"], "2031-01-22 (春节) is not listed")

		both := fixture
		both.Year = 2031
		both.Holidays = []api.CalendarDay{{Date: policy.NewDate(2031, 3, 1), Name: "x"}}
		both.Workdays = []api.CalendarDay{{Date: policy.NewDate(2031, 3, 1), Name: "y"}}
		res = do(t, realTime, &courtAdmin, http.MethodPost, "/calendars", both)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
		require.Contains(t, res.problem(t)["detail"], "both as holiday and as workday")

		outside := fixture
		outside.Holidays = []api.CalendarDay{{Date: policy.NewDate(before.Year()+1, 1, 1), Name: "x"}}
		res = do(t, realTime, &courtAdmin, http.MethodPost, "/calendars", outside)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)

		res = do(t, realTime, &auditor, http.MethodGet, "/calendars/CN/2031", nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var got api.CalendarBody
		res.json(t, &got)
		require.Equal(t, policy.Provisional, got.Status)
		require.Empty(t, got.Published, "nothing refused is stored")
		require.Len(t, got.Statutory, 12)
	})

	res := do(t, realTime, &courtAdmin, http.MethodPost, "/calendars", fixture)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var pub api.CalendarPublication
	res.json(t, &pub)
	require.True(t, pub.Created)
	require.Equal(t, courtAdmin.Subject, pub.PublishedBy)
	require.Equal(t, 1, pub.Revision)

	res = do(t, realTime, &courtAdmin, http.MethodPost, "/calendars", fixture)
	require.Equal(t, http.StatusOK, res.Status, "the same arrangement again: body %s", res.Body)
	var again api.CalendarPublication
	res.json(t, &again)
	require.False(t, again.Created)
	require.Equal(t, pub.Version, again.Version)

	// The worker counts the next case with the published day.
	body := startBody(newCaseNumber())
	body.Jurisdiction = testArea
	res = do(t, realTime, &court, http.MethodPost, "/cases/mediation", body)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	require.NotNil(t, c.Summary.NextDeadline)
	require.Equal(t, want, c.Summary.NextDeadline.On, "deadline counted past the published day %s", before)
	require.Equal(t, wantStatus, c.Summary.NextDeadline.Calendar)

	// The ledger lists it among the provisional deadlines exactly when its
	// year's arrangement is not wholly published.
	res = do(t, realTime, &court, http.MethodGet, "/ledger?provisional=true&jurisdiction="+testArea, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var page api.LedgerBody
	res.json(t, &page)
	listed := false
	for _, e := range page.Cases {
		require.True(t, e.Provisional)
		listed = listed || e.ID == c.Summary.ID
	}
	require.Equal(t, wantStatus == policy.Provisional, listed, "provisional filter: %+v", page.Cases)
	require.True(t, page.Filter.Provisional)
	res = do(t, realTime, &courtAdmin, http.MethodGet, "/calendars/"+testArea+"/"+want.String()[:4], nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var wantYear api.CalendarBody
	res.json(t, &wantYear)
	if wantStatus == policy.Provisional {
		require.EqualValues(t, 1, wantYear.ProvisionalCases, "the case just opened")
	} else {
		require.Zero(t, wantYear.ProvisionalCases)
	}

	res = do(t, realTime, &courtAdmin, http.MethodGet, "/calendars/"+testArea+"/"+before.String()[:4], nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var got api.CalendarBody
	res.json(t, &got)
	require.Len(t, got.Published, 1)
	require.Equal(t, fixture.Source, got.Published[0].Arrangement.Source)
	require.GreaterOrEqual(t, got.Version, pub.Version)
	require.Equal(t, cal.Status(before.Year()), got.Status)
	var _ db.PublishedCalendar = got.Published[0]
	// The arrangement in force carries the published day, with the name
	// its notice gives it, for the workbench's rest-day marks.
	require.Contains(t, got.Holidays, policy.Holiday{Date: before, Name: "测试节"})
}
