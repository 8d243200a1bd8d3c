package e2e

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// agreeAndConfirm records an agreement of inst in the case and has both
// parties apply and the court confirm it.
func agreeAndConfirmAPI(t *testing.T, srv *httptest.Server, id string, inst []api.InstallmentBody) {
	t.Helper()
	var total int64
	for _, i := range inst {
		total += i.AmountFen
	}
	post(t, srv, "mediator", "/cases/"+id+"/outcome", map[string]any{"outcome": "agreed", "terms": api.TermsBody{
		Obligor: obligor.Subject, Obligees: []string{applicant.Subject}, TotalFen: total, Installments: inst,
	}})
	post(t, srv, "applicant", "/cases/"+id+"/confirmation/applications", map[string]any{})
	post(t, srv, "obligor", "/cases/"+id+"/confirmation/applications", map[string]any{})
	post(t, srv, "court", "/cases/"+id+"/confirmation/acceptance", map[string]any{})
	c := post(t, srv, "court", "/cases/"+id+"/confirmation/decision", map[string]any{"decision": "confirmed"})
	require.Equal(t, workflows.StagePerforming, c.Mediation.Stage)
}

func awaitCaseClosed(t *testing.T, id string, within time.Duration) casefile.Summary {
	t.Helper()
	var s casefile.Summary
	require.Eventually(t, func() bool {
		var err error
		s, err = store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Status == casefile.StatusClosed
	}, within, 50*time.Millisecond, "case %s closes", id)
	return s
}

// TestNobodyPaysThreeInstallments: a confirmed agreement of three
// installments that nobody pays. The case is in default at the first
// default and stays open while every later installment is still reminded
// of and, when missed, gets its own default notice (每案必提醒、每案必督促);
// it closes once nothing is left to supervise.
func TestNobodyPaysThreeInstallments(t *testing.T) {
	// A legal day per real second: a reminder a day before its due date has
	// a second for the worker to send it before the due date passes (when
	// it no longer goes out), which a busy machine needs.
	srv := newServer(t, 86400)
	c := startCase(t, srv)
	id := c.Summary.ID
	d := c.Mediation.CaseToday
	agreeAndConfirmAPI(t, srv, id, []api.InstallmentBody{
		{DueOn: d.AddDays(9), AmountFen: 400_000},
		{DueOn: d.AddDays(13), AmountFen: 450_000},
		{DueOn: d.AddDays(17), AmountFen: 452_700},
	})

	// In default after the first installment's grace period, and open.
	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Stage == workflows.StageDefaulted
	}, 60*time.Second, 50*time.Millisecond)
	s, err := store.Case(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, casefile.StatusOpen, s.Status, "still supervised")
	require.Equal(t, casefile.PerformanceDefaulted, s.Performance)

	awaitCaseClosed(t, id, 90*time.Second)
	ns, err := store.Notices(t.Context(), id)
	require.NoError(t, err)
	want := []noticeKey{{0, workflows.NoticePerformance, 0}}
	for i := 1; i <= 3; i++ {
		want = append(want, noticeKey{i, workflows.NoticeReminder, 0}, noticeKey{i, workflows.NoticeReminder, 1}, noticeKey{i, workflows.NoticeDefault, 0})
	}
	got := noticeKeys(ns)
	slices.SortFunc(got, cmpNotice)
	slices.SortFunc(want, cmpNotice)
	require.Equal(t, want, got, "every installment reminded twice and noticed of its own default, once")
	requireDelivered(t, id, ns)

	stored, err := store.Plan(t.Context(), id, workflows.PerformancePlanID)
	require.NoError(t, err)
	require.Equal(t, workflows.PlanDefaulted, stored.Stage)
	for _, l := range stored.Installments {
		require.Equal(t, workflows.InstallmentDefaulted, l.State, "installment %d", l.No)
	}
	kinds := streamKinds(t, id, "mediation")
	require.Equal(t, []string{"performance_defaulted", "performance_supervision_ended"}, kinds[len(kinds)-2:])
	plan := streamKinds(t, id, "plan/performance")
	n := 0
	for _, k := range plan {
		if k == "installment_defaulted" {
			n++
		}
	}
	require.Equal(t, 3, n)
	require.Equal(t, "supervision_ended", plan[len(plan)-1])

	// v4: recorded once plans supervise past the first default.
	replayAndKeep(t, "v4_mediation_supervised_past_default", workflows.MediationWorkflowID(id))
	replayAndKeep(t, "v4_plan_supervised_past_default", workflows.PlanWorkflowID(id, workflows.PerformancePlanID))

	res := do(t, srv, &auditor, http.MethodGet, "/cases/"+id+"/timeline/verify", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var v api.VerifyBody
	res.json(t, &v)
	require.True(t, v.Intact, "%+v", v.Breaks)
}

func cmpNotice(a, b noticeKey) int {
	if a.Installment != b.Installment {
		return a.Installment - b.Installment
	}
	if a.Kind != b.Kind {
		if a.Kind < b.Kind {
			return -1
		}
		return 1
	}
	return a.Seq - b.Seq
}

// TestCertificateOnApplication: full, on-time performance makes the
// obligor eligible; the certificate of automatic performance is issued on
// the obligor's application, in the court's name, once, and to no one else.
func TestCertificateOnApplication(t *testing.T) {
	srv := newServer(t, process1Scale)
	c := startCase(t, srv)
	id := c.Summary.ID
	d := c.Mediation.CaseToday
	agreeAndConfirmAPI(t, srv, id, []api.InstallmentBody{{DueOn: d.AddDays(30), AmountFen: 1_302_700}})
	path := "/cases/" + id + "/certificate/applications"

	// Before performance: refused.
	res := do(t, srv, &obligor, http.MethodPost, path, map[string]any{})
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	res.problem(t)

	var plan workflows.PlanView
	require.Eventually(t, func() bool {
		res := do(t, srv, &court, http.MethodGet, "/cases/"+id+"/plans/performance", nil)
		if res.Status != http.StatusOK {
			return false
		}
		res.json(t, &plan)
		return true
	}, 10*time.Second, 20*time.Millisecond)
	res = do(t, srv, &applicant, http.MethodPost, "/cases/"+id+"/plans/performance/payments",
		map[string]any{"amount_fen": 1_302_700, "paid_on": plan.CaseToday, "reason": "一次性付清"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Stage == workflows.StagePerformed
	}, 20*time.Second, 50*time.Millisecond)

	var certs struct{ Certificates []db.PerformanceCertificate }
	res = do(t, srv, &obligor, http.MethodGet, "/cases/"+id+"/certificates", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &certs)
	require.Empty(t, certs.Certificates, "nothing is issued before the obligor applies")

	res = do(t, srv, &applicant, http.MethodPost, path, map[string]any{})
	require.Equal(t, http.StatusForbidden, res.Status, "the obligee does not apply: %s", res.Body)
	res = do(t, srv, &stranger, http.MethodPost, path, map[string]any{})
	require.Equal(t, http.StatusNotFound, res.Status, "body: %s", res.Body)

	got := post(t, srv, "obligor", path, map[string]any{"reason": "申请出具自动履行证明"})
	require.NotNil(t, got.Mediation.Performance.Certificate)
	res = do(t, srv, &obligor, http.MethodPost, path, map[string]any{})
	require.Equal(t, http.StatusConflict, res.Status, "issued once: %s", res.Body)

	res = do(t, srv, &obligor, http.MethodGet, "/cases/"+id+"/certificates", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &certs)
	require.Len(t, certs.Certificates, 1)
	require.Equal(t, obligor.Subject, certs.Certificates[0].Obligor)
	require.Equal(t, int64(1_302_700), certs.Certificates[0].TotalFen)
	require.Contains(t, certs.Certificates[0].Body, "经申请")

	ns, err := store.Notices(t.Context(), id)
	require.NoError(t, err)
	var kinds []string
	for _, n := range ns {
		kinds = append(kinds, n.Kind)
	}
	require.Equal(t, 1, countOf(kinds, workflows.NoticeCertificate), "the certificate is sent to the obligor once: %v", kinds)
	requireDelivered(t, id, ns)
	m := streamKinds(t, id, "mediation")
	require.Contains(t, m, "certificate_applied")
	require.Contains(t, m, "certificate_issued")
	require.NotContains(t, streamKinds(t, id, "plan/performance"), "certificate_issued", "the plan does not issue it")
	replayAndKeep(t, "v4_mediation_certificate_on_application", workflows.MediationWorkflowID(id))
}

func countOf(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// TestCaseTodayIsToday: a case parked on a timer is read with today's
// date in case time, not the date of the workflow's last task.
func TestCaseTodayIsToday(t *testing.T) {
	srv := newServer(t, 86400) // a legal day per real second
	c := startCase(t, srv)
	opened := c.Mediation.CaseToday
	time.Sleep(3 * time.Second)
	res := do(t, srv, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var read api.CaseBody
	res.json(t, &read)
	require.NotNil(t, read.Mediation)
	require.GreaterOrEqual(t, policy.DaysBetween(opened, read.Mediation.CaseToday), 3, "three legal days later: %s → %s", opened, read.Mediation.CaseToday)
	require.Equal(t, c.Mediation.CalendarDaysToLast-policy.DaysBetween(opened, read.Mediation.CaseToday), read.Mediation.CalendarDaysToLast)
}

// TestEveryDeadlineSaysItsCalendar: a case delegated in December 2026,
// when 2027's arrangement is not published, lists its mediation deadline
// as provisional and liable to move; a plan lists each installment's agreed
// due date without a calendar and its grace period's end with one.
func TestEveryDeadlineSaysItsCalendar(t *testing.T) {
	srv := newServer(t, 1)
	c := startCase(t, srv)
	res := do(t, srv, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var read api.CaseBody
	res.json(t, &read)
	require.Len(t, read.Deadlines, 1)
	d := read.Deadlines[0]
	require.Equal(t, "mediation", d.Kind)
	require.Equal(t, read.Mediation.Deadline, d.On)
	reg, err := policy.Default()
	require.NoError(t, err)
	cal, err := reg.Calendar(read.Summary.Jurisdiction)
	require.NoError(t, err)
	require.Equal(t, cal.Status(d.On.Year()), d.Calendar)
	require.Equal(t, d.Calendar == policy.Provisional, d.MayMove)

	today := read.Mediation.CaseToday
	agreeAndConfirmAPI(t, srv, c.Summary.ID, []api.InstallmentBody{{DueOn: today.AddDays(40), AmountFen: 1_302_700}})
	var plan api.PlanBody
	require.Eventually(t, func() bool {
		res := do(t, srv, &court, http.MethodGet, "/cases/"+c.Summary.ID+"/plans/performance", nil)
		if res.Status != http.StatusOK {
			return false
		}
		res.json(t, &plan)
		return true
	}, 10*time.Second, 20*time.Millisecond)
	kinds := map[string]casefile.Deadline{}
	for _, d := range plan.Deadlines {
		kinds[d.Kind] = d
	}
	require.Empty(t, kinds["installment_due"].Calendar, "an agreed due date is no calendar's to move")
	require.False(t, kinds["installment_due"].MayMove)
	g := kinds["grace_period"]
	require.Equal(t, plan.Installments[0].GraceEndsOn, g.On)
	require.Equal(t, cal.Status(g.On.Year()), g.Calendar)
	require.Equal(t, plan.Installments[0].DefaultsOn, kinds["late_recording"].On)
	require.Equal(t, g.Calendar == policy.Provisional, plan.Installments[0].Provisional, "the ledger line says it was counted provisionally")

	// The timeline's record of the delegation says which calendar counted
	// the deadline.
	for _, e := range timeline(t, srv, c.Summary.ID) {
		if e.Kind == "delegated" {
			require.Contains(t, string(e.Data), `"deadline_calendar":"`+string(d.Calendar)+`"`)
		}
	}
}
