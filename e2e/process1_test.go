package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// process1Scale runs two legal days per real second: slow enough that a
// performance plan starts on the day it is confirmed and every reminder
// has its day, fast enough to reach a default in seconds.
const process1Scale = 2 * 86400

// newServer starts an extra API server whose new cases run at scale.
func newServer(t *testing.T, scale int64) *httptest.Server {
	t.Helper()
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: scale})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func newEnforcementNumber() string {
	return fmt.Sprintf("（2026）黔2301执%d号", time.Now().UnixNano()%1_000_000_000+caseSeq.Add(1))
}

var samplePartyBodies = []api.PartyBody{
	{ID: applicant.Subject, Name: "张三", Side: "applicant"},
	{ID: obligor.Subject, Name: "某建筑公司", Side: "respondent"},
}

// judgmentEnforcement is an application to enforce a judgment payable on due.
func judgmentEnforcement(documentDate, due policy.Date, amount int64) api.StartEnforcementBody {
	return api.StartEnforcementBody{
		CaseNumber: newEnforcementNumber(), Jurisdiction: "CN-52",
		Title: api.EnforceableTitleBody{
			Kind: workflows.TitleJudgment, DocumentNumber: "（2025）黔2301民初88号",
			DocumentDate: documentDate, DueDates: []policy.Date{due},
		},
		Applicant: applicant.Subject, Respondent: obligor.Subject, AmountFen: amount, Parties: samplePartyBodies,
	}
}

func startEnforcement(t *testing.T, srv *httptest.Server, body api.StartEnforcementBody) api.CaseBody {
	t.Helper()
	res := do(t, srv, &court, http.MethodPost, "/cases/enforcement", body)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	require.NotNil(t, c.Enforcement)
	return c
}

// post sends a command as p and returns the case after it.
func post(t *testing.T, srv *httptest.Server, p, path string, body any) api.CaseBody {
	t.Helper()
	as := court
	switch p {
	case "mediator":
		as = mediator
	case "applicant":
		as = applicant
	case "obligor":
		as = obligor
	}
	res := do(t, srv, &as, http.MethodPost, path, body)
	require.Equal(t, http.StatusOK, res.Status, "POST %s as %s: body %s", path, p, res.Body)
	var c api.CaseBody
	res.json(t, &c)
	return c
}

// streamKinds returns the kinds of a case's steps in one stream, in order,
// straight from the read model.
func streamKinds(t *testing.T, id, stream string) []string {
	t.Helper()
	entries, err := store.Timeline(t.Context(), id)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if e.Stream == stream {
			out = append(out, e.Kind)
		}
	}
	return out
}

// requireDelivered checks every notice was delivered and filed in the
// inbox exactly once.
func requireDelivered(t *testing.T, id string, ns []db.Notice) {
	t.Helper()
	awaitDelivered(t, id, ns)
	for _, n := range ns {
		require.NotNil(t, n.DeliveredAt, "notice %d (%s) delivered", n.ID, n.Kind)
	}
	var deliveries int
	require.NoError(t, store.Pool().QueryRow(t.Context(),
		"SELECT count(*) FROM notice_deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.case_id = $1", id).Scan(&deliveries))
	require.Equal(t, len(ns), deliveries, "got %d inbox deliveries, want one per notice", deliveries)
}

type enfNotice struct {
	Stream    string
	Kind      string
	Recipient string
}

// TestProcess1MediationToEnforcementCompleted runs DOMAIN.md Process 1 end
// to end under compressed time through the HTTP API: a three-installment
// agreement is confirmed, the first installment paid, the second missed;
// after the grace period the case defaults, the court enforces the
// confirmed agreement, orders measures, collects the rest and completes
// enforcement with credit repair. Every reminder, notice and step is
// counted exactly.
func TestProcess1MediationToEnforcementCompleted(t *testing.T) {
	srv := newServer(t, process1Scale)
	c := startCase(t, srv)
	id := c.Summary.ID
	d := c.Mediation.CaseToday
	inst := []api.InstallmentBody{
		{DueOn: d.AddDays(5), AmountFen: 400_000},
		{DueOn: d.AddDays(9), AmountFen: 450_000},
		// Far enough out that enforcement is filed before its first
		// reminder: filing ends the plan's supervision.
		{DueOn: d.AddDays(40), AmountFen: 452_700},
	}
	post(t, srv, "mediator", "/cases/"+id+"/outcome", map[string]any{"outcome": "agreed", "terms": api.TermsBody{
		Obligor: obligor.Subject, Obligees: []string{applicant.Subject}, TotalFen: 1_302_700, Installments: inst,
	}})
	post(t, srv, "applicant", "/cases/"+id+"/confirmation/applications", map[string]any{})
	post(t, srv, "obligor", "/cases/"+id+"/confirmation/applications", map[string]any{})
	post(t, srv, "court", "/cases/"+id+"/confirmation/acceptance", map[string]any{})
	confirmed := post(t, srv, "court", "/cases/"+id+"/confirmation/decision", map[string]any{"decision": "confirmed"})
	require.Equal(t, workflows.StagePerforming, confirmed.Mediation.Stage)
	decidedOn := confirmed.Mediation.Confirmation.DecidedOn

	// The first installment is paid as soon as the plan runs.
	var plan workflows.PlanView
	require.Eventually(t, func() bool {
		res := do(t, srv, &court, http.MethodGet, "/cases/"+id+"/plans/performance", nil)
		if res.Status != http.StatusOK {
			return false
		}
		res.json(t, &plan)
		return true
	}, 10*time.Second, 20*time.Millisecond)
	res := do(t, srv, &court, http.MethodPost, "/cases/"+id+"/plans/performance/payments",
		map[string]any{"amount_fen": 400_000, "paid_on": plan.CaseToday, "reason": "第一期"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)

	// A source case whose agreement is not yet confirmed cannot be enforced.
	pending := startCase(t, fast)
	early := judgmentEnforcement(decidedOn, d.AddDays(40), 902_700)
	early.Title.Kind, early.Title.SourceCaseID = workflows.TitleConfirmedMediationAgreement, pending.Summary.ID
	res = do(t, srv, &court, http.MethodPost, "/cases/enforcement", early)
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	require.Contains(t, res.problem(t)["detail"], "mediating")

	// The second installment is missed: after its grace period (and the
	// late-recording window) the case is in default, still open while the
	// plan supervises the third installment.
	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Stage == workflows.StageDefaulted
	}, 40*time.Second, 50*time.Millisecond)

	body := api.StartEnforcementBody{
		CaseNumber: newEnforcementNumber(), Jurisdiction: "CN-52",
		Title: api.EnforceableTitleBody{
			Kind: workflows.TitleConfirmedMediationAgreement, DocumentNumber: "（2026）黔2301民特12号",
			DocumentDate: decidedOn, SourceCaseID: id,
		},
		Applicant: applicant.Subject, Respondent: obligor.Subject, AmountFen: 902_700, Parties: samplePartyBodies,
	}
	enf := startEnforcement(t, srv, body)
	eid := enf.Summary.ID
	require.Equal(t, casefile.ProcessEnforcement, enf.Summary.Process)
	require.Equal(t, workflows.StageEnforcing, enf.Enforcement.Stage)
	require.Equal(t, []policy.Date{inst[0].DueOn, inst[1].DueOn, inst[2].DueOn}, enf.Enforcement.Title.DueDates, "due dates come from the source plan")
	require.Equal(t, workflows.WindowRuleLastInstallment, enf.Enforcement.Window.Rule)
	reg, err := policy.Default()
	require.NoError(t, err)
	closes, err := reg.Deadline("CN-52", inst[2].DueOn, policy.Years(2))
	require.NoError(t, err)
	require.Equal(t, closes, enf.Enforcement.Window.ClosesOn)
	// The enforcement case continues the source case's clock.
	require.Equal(t, c.Summary.Clock.Scale, enf.Summary.Clock.Scale)
	require.True(t, c.Summary.Clock.RealEpoch.Equal(enf.Summary.Clock.RealEpoch))

	again := do(t, srv, &court, http.MethodPost, "/cases/enforcement", body)
	require.Equal(t, http.StatusOK, again.Status, "a repeated application answers with the case: %s", again.Body)

	path := "/cases/" + eid + "/enforcement"
	post(t, srv, "court", path+"/inquiries", map[string]any{"found": true, "findings": []api.FindingBody{
		{AssetKind: policy.AssetBankDeposit, Description: "某银行基本账户", ValueFen: 950_000},
	}})
	frozen := post(t, srv, "court", path+"/measures", map[string]any{"kind": "freeze", "asset_kind": "bank_deposit", "description": "某银行基本账户"})
	m1 := frozen.Enforcement.Measures[0]
	require.Equal(t, court.Subject, m1.OrderedBy)
	freezeEnds, err := reg.Deadline("CN-52", m1.OrderedOn, policy.Years(1))
	require.NoError(t, err)
	require.Equal(t, freezeEnds, m1.ExpiresOn)
	require.Equal(t, policy.Days(30).SubFrom(freezeEnds), m1.RemindOn)
	require.NotNil(t, frozen.Summary.NextDeadline)
	require.Equal(t, "measure_renewal", frozen.Summary.NextDeadline.Kind)
	require.Equal(t, freezeEnds, frozen.Summary.NextDeadline.On, "the ledger shows the freeze's renewal deadline")
	post(t, srv, "court", path+"/measures", map[string]any{"kind": "consumption_restriction"})
	post(t, srv, "court", path+"/measures", map[string]any{"kind": "dishonest_list", "reason": "有履行能力而拒不履行"})

	bad := []struct {
		name   string
		body   any
		status int
	}{
		{"DetentionTooLong", map[string]any{"kind": "detention", "days": 16, "reason": "x"}, http.StatusUnprocessableEntity},
		{"FreezeWithoutAsset", map[string]any{"kind": "freeze", "description": "x"}, http.StatusUnprocessableEntity},
		{"SecondListing", map[string]any{"kind": "dishonest_list"}, http.StatusConflict},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			res := do(t, srv, &court, http.MethodPost, path+"/measures", b.body)
			require.Equal(t, b.status, res.Status, "body: %s", res.Body)
			res.problem(t)
		})
	}
	res = do(t, srv, &mediator, http.MethodPost, path+"/measures", map[string]any{"kind": "fine", "amount_fen": 100})
	require.Equal(t, http.StatusForbidden, res.Status, "body: %s", res.Body)
	res = do(t, srv, &court, http.MethodPost, path+"/termination", map[string]any{"reason": "无财产"})
	require.Equal(t, http.StatusConflict, res.Status, "the latest inquiry found property: %s", res.Body)

	today := frozen.Enforcement.CaseToday
	done := post(t, srv, "court", path+"/payments", map[string]any{"amount_fen": 902_700, "paid_on": today, "reason": "扣划存款"})
	require.Equal(t, workflows.StageCompleted, done.Enforcement.Stage)
	require.Equal(t, casefile.StatusClosed, done.Summary.Status)
	require.Equal(t, casefile.PerformedByEnforcement, done.Summary.Performance)
	require.NotNil(t, done.Enforcement.CreditRepair)
	require.Equal(t, []string{"m2", "m3"}, done.Enforcement.CreditRepair.Measures)
	require.Equal(t, workflows.CreditPaidInFull, done.Enforcement.CreditRepair.Grade)

	// Completed, the enforcement stays open only for its follow-up visits.
	require.Equal(t, int64(902_700), done.Enforcement.CollectedFen)
	require.Len(t, done.Enforcement.FollowUps, 2, "visits scheduled after completion")

	var src casefile.Summary
	require.Eventually(t, func() bool {
		var err error
		src, err = store.Case(t.Context(), id)
		require.NoError(t, err)
		return src.Status == casefile.StatusClosed
	}, 10*time.Second, 50*time.Millisecond, "the source case closes once filing ends its plan's supervision")
	require.Equal(t, casefile.PerformanceDefaulted, src.Performance)
	// v4: the enforcement's filing ends the source plan's supervision.
	replayAndKeep(t, "v4_enforcement_ends_source_supervision", done.Summary.WorkflowID)
	replayAndKeep(t, "v4_plan_ended_by_enforcement", workflows.PlanWorkflowID(id, workflows.PerformancePlanID))

	// The mediation case: performance notice, the second installment's two
	// reminders (the paid first installment gets none) and its default
	// notice; filing enforcement ended supervision before the third's.
	ns, err := store.Notices(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, []noticeKey{
		{0, workflows.NoticePerformance, 0},
		{2, workflows.NoticeReminder, 0}, {2, workflows.NoticeReminder, 1},
		{2, workflows.NoticeDefault, 0},
	}, noticeKeys(ns))
	requireDelivered(t, id, ns)
	require.Equal(t, []string{
		"delegated", "agreement_reached", "confirmation_applied_by_party", "confirmation_applied_by_party",
		"confirmation_application_filed", "confirmation_accepted", "confirmed", "performance_defaulted",
		"performance_supervision_ended",
	}, streamKinds(t, id, "mediation"))
	require.Equal(t, []string{
		"plan_started", "payment_recorded", "reminder_sent", "reminder_sent",
		"installment_overdue", "installment_defaulted", "supervision_ended",
	}, streamKinds(t, id, "plan/performance"))
	stored, err := store.Plan(t.Context(), id, workflows.PerformancePlanID)
	require.NoError(t, err)
	require.Equal(t, []string{workflows.InstallmentPaid, workflows.InstallmentDefaulted, workflows.InstallmentScheduled},
		[]string{stored.Installments[0].State, stored.Installments[1].State, stored.Installments[2].State})

	// The enforcement case: the enforcement notice, three measure orders,
	// credit repair and completion; no renewal reminder, since the freeze
	// had a year to run.
	ens, err := store.Notices(t.Context(), eid)
	require.NoError(t, err)
	var got []enfNotice
	for _, n := range ens {
		got = append(got, enfNotice{n.Stream, n.Kind, n.Recipient})
	}
	require.Equal(t, []enfNotice{
		{"enforcement", workflows.NoticeEnforcement, obligor.Subject},
		{"enforcement", workflows.NoticeMeasure, obligor.Subject},
		{"enforcement", workflows.NoticeMeasure, obligor.Subject},
		{"enforcement", workflows.NoticeMeasure, obligor.Subject},
		{"enforcement", workflows.NoticeCreditRepair, obligor.Subject},
		{"enforcement", workflows.NoticeCompletion, applicant.Subject},
	}, got)
	requireDelivered(t, eid, ens)
	require.Equal(t, []string{
		"enforcement_filed", "property_inquiry_recorded", "measure_ordered", "measure_ordered", "measure_ordered",
		"enforcement_payment_recorded", "measure_lifted", "credit_repaired", "credit_repaired", "enforcement_completed",
	}, streamKinds(t, eid, "enforcement"))
	all, err := store.Timeline(t.Context(), eid)
	require.NoError(t, err)
	require.Len(t, all, 10, "the enforcement case has no other stream")

	// The applicant reads the closed case with its enforcement state.
	res = do(t, srv, &applicant, http.MethodGet, "/cases/"+eid, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var read api.CaseBody
	res.json(t, &read)
	require.NotNil(t, read.Enforcement)
	require.Equal(t, int64(0), read.Enforcement.OutstandingFen)
	res = do(t, srv, &stranger, http.MethodGet, "/cases/"+eid, nil)
	require.Equal(t, http.StatusNotFound, res.Status, "body: %s", res.Body)

	auditProcess1(t, srv, id, eid)
}

// auditProcess1 reads both cases as an auditor: the merged timelines name
// every actor, show the timers that moved the case, run in time order, and
// verify; after one stored row is edited, verify says where.
func auditProcess1(t *testing.T, srv *httptest.Server, id, eid string) {
	t.Helper()
	read := func(caseID string) api.TimelineBody {
		res := do(t, srv, &auditor, http.MethodGet, "/cases/"+caseID+"/timeline", nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var tl api.TimelineBody
		res.json(t, &tl)
		return tl
	}
	tl := read(id)
	require.Equal(t, "complete", tl.WorkflowHistory)
	// The enforcement of the agreement is read as part of the same story.
	require.Len(t, tl.Linked, 1)
	require.Equal(t, eid, tl.Linked[0].CaseID)
	require.Equal(t, casefile.ProcessEnforcement, tl.Linked[0].Process)
	actors := map[string]casefile.Role{}
	kinds := map[string]int{}
	perCase := map[string]int{}
	for i, e := range tl.Timeline {
		if i > 0 {
			require.False(t, e.RealAt.Before(tl.Timeline[i-1].RealAt), "entry %d (%s) is out of time order", i, e.Kind)
		}
		if e.Source == "case" {
			actors[e.Actor.Subject] = e.Actor.Role
			perCase[e.CaseID]++
		}
		kinds[e.Kind]++
	}
	require.Equal(t, map[string]int{id: 16, eid: 10}, perCase, "mediation and plan steps, then the enforcement's")
	require.Positive(t, kinds["enforcement_completed"])
	require.Equal(t, map[string]casefile.Role{
		court.Subject: casefile.RoleCourt, mediator.Subject: casefile.RoleMediator,
		applicant.Subject: casefile.RoleParty, obligor.Subject: casefile.RoleParty, "casework": casefile.RoleSystem,
	}, actors, "every actor of the case, with their role")
	require.Positive(t, kinds["timer_started"], "timers that moved the case are in the timeline")
	require.Positive(t, kinds["timer_fired"])
	require.Positive(t, kinds["child_workflow_started"], "the performance plan is in the timeline: %v", kinds)

	verify := func(caseID string) api.VerifyBody {
		res := do(t, srv, &auditor, http.MethodGet, "/cases/"+caseID+"/timeline/verify", nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var v api.VerifyBody
		res.json(t, &v)
		return v
	}
	for _, caseID := range []string{id, eid} {
		v := verify(caseID)
		require.True(t, v.Intact, "case %s: %+v", caseID, v.Breaks)
	}
	_, err := stack.Pool.Exec(t.Context(),
		"UPDATE case_events SET reason = 'edited afterwards' WHERE case_id = $1 AND stream = 'plan/performance' AND seq = 2", id)
	require.NoError(t, err)
	v := verify(id)
	require.False(t, v.Intact)
	require.NotEmpty(t, v.Breaks)
	require.Equal(t, "plan/performance", v.Breaks[0].Stream)
	require.Equal(t, 2, v.Breaks[0].Seq)
}

// TestEnforcementApplicationWindow starts enforcement of judgments through
// the API: in time it opens; out of time it is refused with the rule and
// the last day, under both rules, and nothing is recorded.
func TestEnforcementApplicationWindow(t *testing.T) {
	today := policy.DateOf(time.Now())
	d := policy.NewDate
	tests := []struct {
		name    string
		docDate policy.Date
		due     []policy.Date
		want    string
	}{
		{"LastInstallmentRule", d(2022, 3, 1), []policy.Date{d(2022, 4, 30), d(2022, 6, 30)},
			"runs from the last installment's due date 2022-06-30 (documents dated on or after 2022-01-01) and closed on 2024-07-01"},
		{"PerInstallmentRule", d(2021, 3, 1), []policy.Date{d(2021, 4, 30), d(2021, 6, 30)},
			"for documents dated before 2022-01-01 the P2Y window runs from each installment's own due date, and the last of them, from 2021-06-30, closed on 2023-06-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := judgmentEnforcement(tt.docDate, tt.due[0], 100_000)
			body.Title.DueDates = tt.due
			res := do(t, fast, &court, http.MethodPost, "/cases/enforcement", body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
			require.Contains(t, res.problem(t)["detail"], tt.want)
			_, err := store.Case(t.Context(), workflows.CaseID(body.CaseNumber))
			require.ErrorIs(t, err, db.ErrNotFound, "a refused application opens no case")
		})
	}

	c := startEnforcement(t, fast, judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 100_000))
	require.Equal(t, workflows.StageEnforcing, c.Enforcement.Stage)
	require.Equal(t, today, c.Enforcement.AppliedOn)
	require.Empty(t, c.Enforcement.Window.Barred(c.Enforcement.AppliedOn))
	future := judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 100_000)
	future.AppliedOn = today.AddDays(3)
	res := do(t, fast, &court, http.MethodPost, "/cases/enforcement", future)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
	res.problem(t)

	// A judgment payable 2023-06-30: its window closed on 2025-06-30, but
	// the obligee's demand for payment on 2025-06-02 interrupted the period
	// (中断), which then ran anew for two years.
	late := judgmentEnforcement(d(2023, 5, 1), d(2023, 6, 30), 100_000)
	res = do(t, fast, &court, http.MethodPost, "/cases/enforcement", late)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
	require.Contains(t, res.problem(t)["detail"], "closed on 2025-06-30")
	late.Title.Interruptions = []policy.Date{d(2025, 6, 2)}
	in := startEnforcement(t, fast, late)
	require.Equal(t, d(2027, 6, 2), in.Enforcement.Window.ClosesOn)
	require.NotEmpty(t, in.Enforcement.Window.Moved)
}

// completedEnforcement runs a short enforcement case on a judgment to
// completion — inquiry, freeze, dishonest listing, payment in full — and
// returns its workflow ID, for the replay test.
func completedEnforcement(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	today := policy.DateOf(time.Now())
	c := startEnforcement(t, srv, judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 500_000))
	path := "/cases/" + c.Summary.ID + "/enforcement"
	post(t, srv, "court", path+"/inquiries", map[string]any{"found": true, "findings": []api.FindingBody{
		{AssetKind: policy.AssetBankDeposit, Description: "某银行账户", ValueFen: 600_000},
	}})
	post(t, srv, "court", path+"/measures", map[string]any{"kind": "freeze", "asset_kind": "bank_deposit", "description": "某银行账户"})
	post(t, srv, "court", path+"/measures", map[string]any{"kind": "dishonest_list"})
	post(t, srv, "court", path+"/payments", map[string]any{"amount_fen": 200_000, "paid_on": c.Enforcement.CaseToday})
	done := post(t, srv, "court", path+"/payments", map[string]any{"amount_fen": 300_000, "paid_on": c.Enforcement.CaseToday})
	require.Equal(t, workflows.StageCompleted, done.Enforcement.Stage)
	awaitCaseClosed(t, c.Summary.ID, 10*time.Second)
	return c.Summary.WorkflowID
}

// resumedEnforcement runs an enforcement case under compressed time
// through termination of the round (终本), a property re-check that finds
// property, and a settlement plan paid off; it returns its workflow ID,
// for the replay test.
func resumedEnforcement(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	today := policy.DateOf(time.Now())
	c := startEnforcement(t, srv, judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 500_000))
	id := c.Summary.ID
	path := "/cases/" + id + "/enforcement"
	post(t, srv, "court", path+"/inquiries", map[string]any{"found": false})
	post(t, srv, "court", path+"/termination", map[string]any{"reason": "未发现可供执行的财产"})
	require.Eventually(t, func() bool {
		for _, k := range streamKinds(t, id, "enforcement") {
			if k == "property_recheck_due" {
				return true
			}
		}
		return false
	}, 20*time.Second, 50*time.Millisecond, "the first re-check falls due six months on")
	resumed := post(t, srv, "court", path+"/rechecks", map[string]any{"found": true, "findings": []api.FindingBody{
		{AssetKind: policy.AssetMovable, Description: "车辆一台", ValueFen: 800_000},
	}})
	require.Equal(t, workflows.StageEnforcing, resumed.Enforcement.Stage)
	settled := post(t, srv, "court", path+"/settlement", map[string]any{"installments": []api.InstallmentBody{
		{DueOn: resumed.Enforcement.CaseToday.AddDays(90), AmountFen: 500_000},
	}})
	require.Equal(t, workflows.StageSettlement, settled.Enforcement.Stage)
	require.Eventually(t, func() bool {
		res := do(t, srv, &court, http.MethodGet, "/cases/"+id+"/plans/settlement-1", nil)
		return res.Status == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond)
	var plan workflows.PlanView
	res := do(t, srv, &court, http.MethodGet, "/cases/"+id+"/plans/settlement-1", nil)
	res.json(t, &plan)
	res = do(t, srv, &court, http.MethodPost, "/cases/"+id+"/plans/settlement-1/payments",
		map[string]any{"amount_fen": 500_000, "paid_on": plan.CaseToday})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	awaitCaseClosed(t, id, 30*time.Second)
	sum, err := store.Case(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, workflows.StageCompleted, sum.Stage)
	require.Equal(t, "settlement_performed", sum.Outcome)
	return c.Summary.WorkflowID
}

// awaitClosed waits until a workflow has closed, so its history is whole.
func awaitClosed(t *testing.T, workflowID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, nil))
}
