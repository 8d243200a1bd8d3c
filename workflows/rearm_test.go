package workflows

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

// published is the calendars table as the worker reads it: nothing, until
// the test publishes a year.
type published struct {
	mu      sync.Mutex
	version int64
	years   []policy.CalendarYear
}

func (p *published) CalendarVersion(context.Context) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.version, nil
}

func (p *published) CalendarsInForce(context.Context) ([]policy.CalendarYear, int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.years), p.version, nil
}

func (p *published) publish(y policy.CalendarYear) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.years = append(p.years, y)
	p.version++
	return p.version
}

// fixture2027 is a test arrangement for 2027, not the State Council's: the
// statutory days by rule, with New Year's break running to Monday 4
// January, so a deadline counted to that Monday moves to Tuesday 5th.
func fixture2027(extra ...int) policy.CalendarYear {
	days := policy.StatutoryHolidays(2027)
	for _, d := range append([]int{2, 3, 4}, extra...) {
		days = append(days, policy.Holiday{Date: policy.NewDate(2027, 1, d), Name: "元旦"})
	}
	slices.SortFunc(days, func(a, b policy.Holiday) int { return a.Date.Compare(b.Date) })
	return policy.CalendarYear{Jurisdiction: "CN", Year: 2027, Source: "test fixture (not a State Council notice)", Holidays: days}
}

func livePolicies(t *testing.T) (*activities.Policies, *published) {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	pub := &published{}
	return &activities.Policies{Registry: reg, Calendars: &policy.Live{Base: reg, Published: pub}}, pub
}

func (h *harness) rearm(d time.Duration, cmd RearmCommand, out *RearmResult, errOut *error) {
	h.updates++
	id := fmt.Sprintf("rearm-%d", h.updates)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateRearmDeadlines, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { *errOut = err },
			OnComplete: func(v any, err error) {
				if err != nil {
					*errOut = err
					return
				}
				*out = v.(RearmResult)
			},
		}, cmd)
	}, d)
}

// TestRearmMovesTheMediationDeadline is the case: a mediation
// delegated on 2026-12-02 counts its 30 days to Monday 2027-01-04 on the
// provisional 2027 calendar. An arrangement publishing that Monday as a
// day off moves the deadline to Tuesday with one deadline_moved step; the
// same publication again changes nothing; the deadline passes on the new
// day, not the old.
func TestRearmMovesTheMediationDeadline(t *testing.T) {
	pa, pub := livePolicies(t)
	h := newHarnessWith(t, time.Date(2026, 12, 2, 9, 0, 0, 0, policy.CST), pa)
	admin := casefile.Actor{Subject: "admin-zhou", Role: casefile.RoleCourtAdmin}
	var first, again, early RearmResult
	var firstErr, againErr, earlyErr, refusedErr error
	// Before the worker has read the publication, the case refuses to
	// re-arm and nothing changes.
	h.rearm(time.Hour, RearmCommand{Version: 1, Jurisdiction: "CN", Year: 2027, Actor: admin}, &early, &earlyErr)
	h.env.RegisterDelayedCallback(func() { pub.publish(fixture2027()) }, 2*time.Hour)
	h.rearm(3*time.Hour, RearmCommand{Version: 1, Jurisdiction: "CN", Year: 2027, Actor: admin}, &first, &firstErr)
	h.rearm(4*time.Hour, RearmCommand{Version: 1, Jurisdiction: "CN", Year: 2027, Actor: admin}, &again, &againErr)
	var none RearmResult
	h.rearm(5*time.Hour, RearmCommand{Jurisdiction: "CN", Year: 2027, Actor: admin}, &none, &refusedErr)
	res := h.run()

	require.ErrorContains(t, earlyErr, "not yet in force")
	require.NoError(t, firstErr)
	require.True(t, first.Applied)
	require.Equal(t, []DeadlineMove{{Kind: "mediation", From: policy.NewDate(2027, 1, 4), To: policy.NewDate(2027, 1, 5)}}, first.Moved)
	require.NoError(t, againErr)
	require.False(t, again.Applied, "the same version again changes nothing")
	require.Empty(t, again.Moved)
	require.Equal(t, 1, again.MovedBefore, "and says what it moved the first time")
	require.ErrorContains(t, refusedErr, "version")

	require.Equal(t, StageReturnedForLitigation, res.Stage)
	moved := 0
	for _, e := range h.events {
		if e.Kind == "deadline_moved" {
			moved++
			require.Equal(t, ReasonCalendarPublished, e.ReasonCode)
			require.Equal(t, admin, e.Actor)
		}
		if e.Kind == "mediation_deadline_passed" {
			require.True(t, policy.NewDate(2027, 1, 5).End().Equal(e.CaseAt), "the deadline passes at the end of the new day")
		}
	}
	require.Equal(t, 1, moved, "one deadline_moved step")
	require.Contains(t, h.kinds(), "mediation_deadline_passed")
}

// TestRearmNothingToMove: an official year, or a deadline the arrangement
// leaves where it was, records that the deadlines were counted again and
// moves nothing.
func TestRearmNothingToMove(t *testing.T) {
	pa, pub := livePolicies(t)
	// Opened 2026-12-10: 30 days end on Saturday 2027-01-09, moved to
	// Monday 11th by the weekend; the fixture changes nothing there.
	h := newHarnessWith(t, time.Date(2026, 12, 10, 9, 0, 0, 0, policy.CST), pa)
	h.env.RegisterDelayedCallback(func() { pub.publish(fixture2027()) }, time.Hour)
	var got RearmResult
	var err error
	h.rearm(2*time.Hour, RearmCommand{Version: 1, Jurisdiction: "CN", Year: 2027, Actor: casefile.System}, &got, &err)
	h.runUntil(3 * time.Hour)
	require.NoError(t, err)
	require.True(t, got.Applied)
	require.Equal(t, 1, got.Counted)
	require.Empty(t, got.Moved)
	require.Contains(t, h.kinds(), "deadlines_recounted")
	require.NotContains(t, h.kinds(), "deadline_moved")
	require.True(t, h.summary.NextDeadline.Recounted, "the read model takes the new calendar status")
	require.Equal(t, policy.NewDate(2027, 1, 11), h.summary.NextDeadline.On)
}

// TestRearmMovesAGracePeriod: an installment due 2026-12-25 has its 7-day
// grace period counted to Monday 2027-01-04 (New Year's Day by rule and
// the weekend) and its late-recording window to Thursday 7th. The fixture
// makes that Monday a day off: both move a day, each with its own step,
// and the default is decided at the end of the new last day.
func TestRearmMovesAGracePeriod(t *testing.T) {
	pa, pub := livePolicies(t)
	h := newPlanHarnessPolicies(t, time.Date(2026, 12, 1, 9, 0, 0, 0, policy.CST), pa.Registry, pa)
	h.env.RegisterDelayedCallback(func() { pub.publish(fixture2027()) }, time.Hour)
	var got RearmResult
	var gotErr error
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateRearmDeadlines, "rearm-1", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { gotErr = err },
			OnComplete: func(v any, err error) {
				gotErr = err
				if err == nil {
					got = v.(RearmResult)
				}
			},
		}, RearmCommand{Version: 1, Jurisdiction: "CN", Year: 2027, Actor: casefile.System})
	}, 2*time.Hour)
	res := h.run(Installment{DueOn: policy.NewDate(2026, 12, 25), AmountFen: 100_000})

	require.NoError(t, gotErr)
	require.Equal(t, []DeadlineMove{
		{Kind: "grace_period", Ref: "installment 1", From: policy.NewDate(2027, 1, 4), To: policy.NewDate(2027, 1, 5)},
		{Kind: "late_recording", Ref: "installment 1", From: policy.NewDate(2027, 1, 7), To: policy.NewDate(2027, 1, 8)},
	}, got.Moved)
	require.Equal(t, PlanDefaulted, res.Outcome)
	n := 0
	for _, e := range h.events {
		if e.Kind == "deadline_moved" {
			n++
		}
	}
	require.Equal(t, 2, n)
	require.True(t, policy.NewDate(2027, 1, 8).End().Equal(h.event("installment_defaulted").CaseAt),
		"defaulted at %s", h.event("installment_defaulted").CaseAt)
}

// TestRearmMovesAFreezeTerm: a bank deposit frozen on 2026-01-05 for the
// policy's year expires on Tuesday 2027-01-05, a working day on the
// provisional calendar. An arrangement making it a day off moves the
// expiry, and the renewal reminder with it, to the 6th; the freeze
// expires at the end of the new day.
func TestRearmMovesAFreezeTerm(t *testing.T) {
	pa, pub := livePolicies(t)
	h := newEnfHarnessPolicies(t, enfStart, pa.Registry, pa)
	h.noVisits = true
	finding := []Finding{{AssetKind: policy.AssetBankDeposit, Description: "某银行账户", ValueFen: 300_000}}
	h.on(enfToday, UpdateRecordInquiry, InquiryCommand{Found: true, Findings: finding, Actor: judge})
	freeze := h.on(enfToday, UpdateOrderMeasure, MeasureCommand{Kind: MeasureFreeze, AssetKind: policy.AssetBankDeposit, Description: "某银行账户", Actor: judge})
	h.env.RegisterDelayedCallback(func() { pub.publish(fixture2027(5)) }, 10*24*time.Hour)
	var got RearmResult
	var gotErr error
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateRearmDeadlines, "rearm-1", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { gotErr = err },
			OnComplete: func(v any, err error) {
				gotErr = err
				if err == nil {
					got = v.(RearmResult)
				}
			},
		}, RearmCommand{Version: 1, Jurisdiction: "CN", Year: 2027, Actor: casefile.System})
	}, 11*24*time.Hour)
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, policy.NewDate(2027, 1, 10).Start().Sub(enfStart))
	h.env.ExecuteWorkflow(Enforcement, enfInput(enfToday, judgmentTitle()))
	require.ErrorContains(t, h.env.GetWorkflowError(), "canceled")

	require.NoError(t, freeze.err)
	require.Equal(t, policy.NewDate(2027, 1, 5), freeze.view.Measures[0].ExpiresOn)
	require.NoError(t, gotErr)
	require.Equal(t, []DeadlineMove{{Kind: "measure_renewal", Ref: "measure " + freeze.view.Measures[0].ID,
		From: policy.NewDate(2027, 1, 5), To: policy.NewDate(2027, 1, 6)}}, got.Moved)
	var expired, reminded casefile.Event
	for _, e := range h.events[enforcementStream] {
		switch e.Kind {
		case "measure_expired":
			expired = e
		case "renewal_reminder":
			reminded = e
		}
	}
	require.True(t, policy.NewDate(2027, 1, 6).End().Equal(expired.CaseAt), "expired at %s", expired.CaseAt)
	require.True(t, policy.NewDate(2026, 12, 7).Start().Equal(reminded.CaseAt), "reminded at %s: 30 days before the new expiry", reminded.CaseAt)
	// The order's notice, sent while 2027 was provisional, says its day may
	// still move; the reminder, after the publication, does not.
	var order, reminder string
	for _, n := range h.notices {
		switch n.Kind {
		case NoticeMeasure:
			order = n.Body
		case NoticeRenewalReminder:
			reminder = n.Body
		}
	}
	require.Contains(t, order, "2027-01-05（该日按尚未公布的年度放假安排暂定计算")
	require.Contains(t, reminder, "2027-01-06")
	require.NotContains(t, reminder, "暂定")
}

// TestRearmCountsAnExtensionFromTheDayItExtends: a mediation extended
// once counts its extension from the end of the period it extends, so
// when that end moves, the extended deadline is counted from the new one.
func TestRearmCountsAnExtensionFromTheDayItExtends(t *testing.T) {
	pa, pub := livePolicies(t)
	h := newHarnessWith(t, time.Date(2026, 12, 2, 9, 0, 0, 0, policy.CST), pa)
	ext := h.at(time.Hour, UpdateExtendDeadline, ExtendCommand{Reason: "双方同意延长", Actor: mediator})
	h.env.RegisterDelayedCallback(func() { pub.publish(fixture2027()) }, 2*time.Hour)
	var got RearmResult
	var gotErr error
	h.rearm(3*time.Hour, RearmCommand{Version: 1, Jurisdiction: "CN", Year: 2027, Actor: casefile.System}, &got, &gotErr)
	h.runUntil(4 * time.Hour)
	require.NoError(t, ext.err)
	// P30D to Monday 4 January, P15D from it to Tuesday 19th on the
	// provisional calendar; from Tuesday 5th to Wednesday 20th on the fixture.
	require.Equal(t, policy.NewDate(2027, 1, 19), ext.view.Deadline)
	require.NoError(t, gotErr)
	require.Equal(t, []DeadlineMove{{Kind: "mediation", From: policy.NewDate(2027, 1, 19), To: policy.NewDate(2027, 1, 20)}}, got.Moved)
}
