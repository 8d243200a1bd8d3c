package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// obligor is the respondent of the sample dispute, signed in as a party.
var obligor = auth.Principal{Subject: "xx-construction", Role: casefile.RoleParty}

// startPlan starts the performance plan of case id directly, as the
// mediation workflow will once an agreement is confirmed, under a clock of
// scale whose case time starts now.
func startPlan(t *testing.T, id string, scale int64, inst ...workflows.Installment) (client.WorkflowRun, policy.Date) {
	t.Helper()
	now := time.Now()
	clock, err := casetime.New(scale, now)
	require.NoError(t, err)
	run, err := temporal.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{
		ID: workflows.PlanWorkflowID(id, "performance"), TaskQueue: workflows.TaskQueue,
	}, workflows.InstallmentPlan, workflows.PlanInput{
		CaseID: id, PlanID: "performance", Jurisdiction: "CN-52", Clock: clock,
		Obligor: obligor.Subject, Obligees: []string{applicant.Subject}, Installments: inst,
		StartedBy: court.Actor(),
	})
	require.NoError(t, err)
	return run, policy.DateOf(now)
}

// awaitNotices waits until the case has at least n notices and returns them.
func awaitNotices(t *testing.T, id string, n int) []db.Notice {
	t.Helper()
	var got []db.Notice
	require.Eventually(t, func() bool {
		var err error
		got, err = store.Notices(t.Context(), id)
		require.NoError(t, err)
		return len(got) >= n
	}, 20*time.Second, 20*time.Millisecond, "waiting for %d notices", n)
	return got
}

type noticeKey struct {
	Installment int
	Kind        string
	Seq         int
}

func noticeKeys(ns []db.Notice) []noticeKey {
	var out []noticeKey
	for _, n := range ns {
		out = append(out, noticeKey{n.Installment, n.Kind, n.Seq})
	}
	return out
}

func planResult(t *testing.T, run client.WorkflowRun) workflows.PlanResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var res workflows.PlanResult
	require.NoError(t, run.Get(ctx, &res))
	return res
}

// awaitDelivered waits until every notice in ns is delivered and returns
// them as stored. Delivery runs beside the case, not in it, so a notice may
// still be on its way when the step that sent it is done: it is given a few
// seconds.
func awaitDelivered(t *testing.T, id string, ns []db.Notice) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, n := range ns {
			got, err := store.Notice(t.Context(), n.ID)
			if err != nil || got.DeliveredAt == nil {
				return false
			}
		}
		return true
	}, 30*time.Second, 100*time.Millisecond, "every notice of %s delivered", id)
	for i, n := range ns {
		n, err := store.Notice(t.Context(), n.ID)
		require.NoError(t, err)
		require.Equal(t, db.NoticeDelivered, n.State)
		ns[i] = n
	}
}

// requireDeliveredOnce checks that every notice of the case was delivered,
// and filed in the inbox exactly once.
func requireDeliveredOnce(t *testing.T, id string, ns []db.Notice) {
	t.Helper()
	awaitDelivered(t, id, ns)
	for _, n := range ns {
		require.NotNil(t, n.DeliveredAt, "notice %d (%s) delivered", n.ID, n.Kind)
		require.Equal(t, id, n.CaseID)
		require.Equal(t, obligor.Subject, n.Recipient)
	}
	var deliveries int
	require.NoError(t, store.Pool().QueryRow(t.Context(),
		"SELECT count(*) FROM notice_deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.case_id = $1", id).Scan(&deliveries))
	require.Equal(t, len(ns), deliveries, "got %d inbox deliveries, want one per notice", deliveries)
}

// TestPerformancePlanPerformed walks a plan to on-time performance: the
// notice of automatic performance, reminders, an urging, bad commands
// refused, one payment above the debt kept as overpayment, a certificate.
func TestPerformancePlanPerformed(t *testing.T) {
	c := startCase(t, fast)
	id := c.Summary.ID
	// Two legal days per real second: the first reminders come after 1.5
	// and 2.5 s, the next one not before 4.5 s.
	const scale = 2 * 86400
	base := policy.DateOf(time.Now())
	run, startedOn := startPlan(t, id, scale,
		workflows.Installment{DueOn: base.AddDays(10), AmountFen: 500_000},
		workflows.Installment{DueOn: base.AddDays(12), AmountFen: 802_700},
	)
	path := "/cases/" + id + "/plans/performance"

	// Seven days before each due date, a reminder.
	ns := awaitNotices(t, id, 3)
	require.Equal(t, []noticeKey{{0, workflows.NoticePerformance, 0}, {1, workflows.NoticeReminder, 0}, {2, workflows.NoticeReminder, 0}}, noticeKeys(ns))
	require.Equal(t, startedOn.AddDays(3), ns[1].CaseOn)
	require.Equal(t, startedOn.AddDays(5), ns[2].CaseOn)

	res := do(t, fast, &mediator, http.MethodPost, path+"/urge", map[string]any{"reason": "电话督促履行"}, "Idempotency-Key", "urge-1")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	again := do(t, fast, &mediator, http.MethodPost, path+"/urge", map[string]any{"reason": "电话督促履行"}, "Idempotency-Key", "urge-1")
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Body)
	var view workflows.PlanView
	again.json(t, &view)
	require.Equal(t, 1, view.Urges, "a retried urging takes effect once")
	today := view.CaseToday

	bad := []struct {
		name   string
		as     *auth.Principal
		path   string
		body   any
		status int
	}{
		{"ZeroAmount", &court, path + "/payments", map[string]any{"amount_fen": 0, "paid_on": today}, 422},
		{"NegativeAmount", &court, path + "/payments", map[string]any{"amount_fen": -5, "paid_on": today}, 422},
		{"FuturePaidOn", &court, path + "/payments", map[string]any{"amount_fen": 100, "paid_on": today.AddDays(30)}, 422},
		{"BadDate", &court, path + "/payments", []byte(`{"amount_fen":100,"paid_on":"2026-02-30"}`), 422},
		{"StrangerPays", &stranger, path + "/payments", map[string]any{"amount_fen": 100, "paid_on": today}, 404},
		{"AuditorPays", &auditor, path + "/payments", map[string]any{"amount_fen": 100, "paid_on": today}, 403},
		{"OtherMediatorUrges", &otherMed, path + "/urge", map[string]any{"reason": "x"}, 404},
		{"PartyUrges", &applicant, path + "/urge", map[string]any{"reason": "x"}, 403},
		{"UnknownPlan", &court, "/cases/" + id + "/plans/settlement-9/payments", map[string]any{"amount_fen": 100, "paid_on": today}, 404},
		{"BadPlanName", &court, "/cases/" + id + "/plans/NOT_A_PLAN/payments", map[string]any{"amount_fen": 100, "paid_on": today}, 422},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, fast, tt.as, http.MethodPost, tt.path, tt.body)
			require.Equal(t, tt.status, res.Status, "body: %s", res.Body)
			res.problem(t)
		})
	}

	// The obligor's own report is recorded, not credited.
	res = do(t, fast, &obligor, http.MethodPost, path+"/payments", map[string]any{"amount_fen": 1_302_700, "paid_on": today, "reason": "已转账"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &view)
	require.True(t, view.Reported)
	require.Zero(t, view.PaidFen)

	// The obligee confirms receiving 14,350 yuan on 13,027 owed.
	res = do(t, fast, &applicant, http.MethodPost, path+"/payments",
		map[string]any{"amount_fen": 1_435_000, "paid_on": today, "reason": "确认收到"}, "Idempotency-Key", "pay-1")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &view)
	require.Equal(t, workflows.PlanPerformed, view.Stage)
	require.Equal(t, int64(1_302_700), view.PaidFen)
	require.Equal(t, int64(132_300), view.OverpaidFen, "1,323 yuan kept as interest or overpayment")

	out := planResult(t, run)
	require.Equal(t, workflows.PlanPerformed, out.Outcome)
	require.True(t, out.OnTime)
	require.NotNil(t, out.Certificate)

	// Closed: a further payment is refused and changes nothing.
	late := do(t, fast, &court, http.MethodPost, path+"/payments", map[string]any{"amount_fen": 100, "paid_on": today})
	require.Equal(t, http.StatusConflict, late.Status, "body: %s", late.Body)
	late.problem(t)

	ns, err := store.Notices(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, []noticeKey{
		{0, workflows.NoticePerformance, 0}, {1, workflows.NoticeReminder, 0}, {2, workflows.NoticeReminder, 0},
		{0, workflows.NoticeUrge, 1}, {0, workflows.NoticeCertificate, 0},
	}, noticeKeys(ns))
	requireDeliveredOnce(t, id, ns)

	res = do(t, fast, &auditor, http.MethodGet, "/cases/"+id+"/notices", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var listed struct{ Notices []db.Notice }
	res.json(t, &listed)
	require.Len(t, listed.Notices, 5)

	res = do(t, fast, &applicant, http.MethodGet, "/cases/"+id+"/certificates", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var certs struct{ Certificates []db.PerformanceCertificate }
	res.json(t, &certs)
	require.Len(t, certs.Certificates, 1)
	require.Equal(t, obligor.Subject, certs.Certificates[0].Obligor)
	require.Equal(t, int64(1_302_700), certs.Certificates[0].TotalFen)

	res = do(t, fast, &auditor, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &view)
	require.Equal(t, workflows.PlanPerformed, view.Outcome)
	require.Equal(t, []string{workflows.InstallmentPaid, workflows.InstallmentPaid},
		[]string{view.Installments[0].State, view.Installments[1].State})

	stored, err := store.Plan(t.Context(), id, "performance")
	require.NoError(t, err)
	require.Equal(t, workflows.PlanPerformed, stored.Stage)
	require.Equal(t, int64(132_300), stored.OverpaidFen)
	require.Len(t, stored.Installments, 2)

	var planSteps []string
	for _, e := range timeline(t, fast, id) {
		if e.Stream == "plan/performance" {
			planSteps = append(planSteps, e.Kind)
		}
	}
	require.Equal(t, []string{
		"plan_started", "reminder_sent", "reminder_sent", "performance_urged", "payment_reported",
		"payment_recorded", "overpayment_recorded", "plan_performed", "certificate_issued",
	}, planSteps)
}

// TestPerformancePlanDefaults lets a plan run unpaid under compressed time:
// two reminders, then a default notice once the grace period has run out,
// each sent exactly once.
func TestPerformancePlanDefaults(t *testing.T) {
	c := startCase(t, fast)
	id := c.Summary.ID
	// Two legal days per real second: slow enough that a busy worker never
	// runs past a reminder's day (a reminder is not sent once its due date
	// has passed, nor once the next reminder is due).
	const scale = 2 * 86400
	base := policy.DateOf(time.Now())
	run, _ := startPlan(t, id, scale,
		workflows.Installment{DueOn: base.AddDays(8), AmountFen: 500_000},
		workflows.Installment{DueOn: base.AddDays(60), AmountFen: 802_700},
	)
	out := planResult(t, run)
	require.Equal(t, workflows.PlanDefaulted, out.Outcome)
	require.Equal(t, 1, out.DefaultedInstallment)
	require.Equal(t, int64(1_302_700), out.OutstandingFen)

	ns, err := store.Notices(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, []noticeKey{
		{0, workflows.NoticePerformance, 0}, {1, workflows.NoticeReminder, 0}, {1, workflows.NoticeReminder, 1},
		{1, workflows.NoticeDefault, 0},
	}, noticeKeys(ns))
	requireDeliveredOnce(t, id, ns)
	require.Contains(t, ns[3].Body, "失信被执行人名单")

	path := "/cases/" + id + "/plans/performance"
	res := do(t, fast, &court, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var view workflows.PlanView
	res.json(t, &view)
	require.Equal(t, workflows.PlanDefaulted, view.Outcome)
	require.Equal(t, []string{workflows.InstallmentDefaulted, workflows.InstallmentScheduled},
		[]string{view.Installments[0].State, view.Installments[1].State})

	for _, r := range []struct{ path, body string }{
		{path + "/payments", `{"amount_fen":100,"paid_on":"` + view.CaseToday.String() + `"}`},
		{path + "/urge", `{"reason":"执前督促"}`},
	} {
		res := do(t, fast, &court, http.MethodPost, r.path, []byte(r.body))
		require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
		res.problem(t)
	}
	ns, err = store.Notices(t.Context(), id)
	require.NoError(t, err)
	require.Len(t, ns, 4, "refused commands sent nothing")
}
