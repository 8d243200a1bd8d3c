package e2e

import (
	"net/http"
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

// TestRestartTerminatedPlan: an operator terminates the performance plan
// of a confirmed agreement after its first installment was paid. The case
// does not fail: it waits in performance_plan_failed until the court
// restarts supervision, with a reason. The new plan, performance-2, starts
// with the first installment paid; the obligor pays the rest to it and the
// case ends performed, every payment credited once, the failed plan's
// ledger and steps as it left them.
func TestRestartTerminatedPlan(t *testing.T) {
	srv := realTime
	c := startCase(t, srv)
	id := c.Summary.ID
	d := c.Mediation.CaseToday
	agreeAndConfirmAPI(t, srv, id, []api.InstallmentBody{
		{DueOn: d.AddDays(30), AmountFen: 400_000},
		{DueOn: d.AddDays(60), AmountFen: 450_000},
		{DueOn: d.AddDays(90), AmountFen: 452_700},
	})
	pay := func(plan string, fen int64) api.PlanBody {
		t.Helper()
		res := do(t, srv, &court, http.MethodPost, "/cases/"+id+"/plans/"+plan+"/payments",
			map[string]any{"amount_fen": fen, "paid_on": d, "reason": "银行转账"})
		require.Equal(t, http.StatusOK, res.Status, "pay %d to %s: %s", fen, plan, res.Body)
		var p api.PlanBody
		res.json(t, &p)
		return p
	}
	storedPlan := func(plan string) db.Plan {
		t.Helper()
		var p db.Plan
		require.Eventually(t, func() bool {
			var err error
			p, err = store.Plan(t.Context(), id, plan)
			return err == nil
		}, 30*time.Second, 50*time.Millisecond, "plan %s stores its ledger", plan)
		return p
	}
	storedPlan(workflows.PerformancePlanID)
	pay(workflows.PerformancePlanID, 400_000)

	restart := "/cases/" + id + "/performance/restart"
	reason := map[string]any{"reason": "履行计划被运维误终止，经庭长批准重启督促"}
	res := do(t, srv, &court, http.MethodPost, restart, reason)
	require.Equal(t, http.StatusConflict, res.Status, "nothing to restart while the plan runs: %s", res.Body)
	res.problem(t)

	require.NoError(t, temporal.TerminateWorkflow(t.Context(), workflows.PlanWorkflowID(id, workflows.PerformancePlanID), "", "terminated by an operator"))
	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Stage == workflows.StagePerformanceFailed
	}, 30*time.Second, 50*time.Millisecond)

	res = do(t, srv, &mediator, http.MethodPost, restart, reason)
	require.Equal(t, http.StatusForbidden, res.Status, "a mediator: %s", res.Body)
	res.problem(t)
	res = do(t, srv, &court, http.MethodPost, restart, map[string]any{})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "no reason: %s", res.Body)
	res.problem(t)

	res = do(t, srv, &court, http.MethodPost, restart, reason, "Idempotency-Key", "restart-1")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var restarted api.CaseBody
	res.json(t, &restarted)
	require.Equal(t, workflows.StagePerforming, restarted.Mediation.Stage)
	perf := restarted.Mediation.Performance
	require.Equal(t, "performance-2", perf.PlanID)
	require.Equal(t, []workflows.CreditedInstallment{{No: 1, PaidFen: 400_000, PaidOn: d}}, perf.Credited)
	require.Len(t, perf.FailedPlans, 1)
	again := do(t, srv, &court, http.MethodPost, restart, reason, "Idempotency-Key", "restart-1")
	require.Equal(t, http.StatusOK, again.Status, "the same key answers the first outcome: %s", again.Body)

	second := storedPlan("performance-2")
	require.Equal(t, int64(400_000), second.PaidFen, "the new plan starts with the first installment paid")
	pay("performance-2", 450_000)
	last := pay("performance-2", 452_700)
	require.Equal(t, workflows.PlanPerformed, last.Stage)
	require.Equal(t, int64(1_302_700), last.PaidFen)
	require.Zero(t, last.OverpaidFen, "nothing credited twice")

	s := awaitCaseStage(t, id, workflows.StagePerformed)
	require.Equal(t, workflows.StagePerformed, s.Stage)
	failed := storedPlan(workflows.PerformancePlanID)
	require.Equal(t, int64(400_000), failed.PaidFen, "the failed plan's ledger stays as it left it")
	require.Equal(t, 1, countOf(streamKinds(t, id, "plan/performance"), "payment_recorded"))
	require.Equal(t, 2, countOf(streamKinds(t, id, "plan/performance-2"), "payment_recorded"))
	require.Equal(t, 1, countOf(streamKinds(t, id, "mediation"), "performance_plan_restarted"), "the keyed retry restarted nothing")

	// v6: recorded once a failed plan can be restarted.
	replayAndKeep(t, "v6_mediation_plan_restarted", workflows.MediationWorkflowID(id))

	res = do(t, srv, &auditor, http.MethodGet, "/cases/"+id+"/timeline/verify", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var v api.VerifyBody
	res.json(t, &v)
	require.True(t, v.Intact, "%+v", v.Breaks)
}

func awaitCaseStage(t *testing.T, id, stage string) casefile.Summary {
	t.Helper()
	var s casefile.Summary
	require.Eventually(t, func() bool {
		var err error
		s, err = store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Stage == stage
	}, 30*time.Second, 50*time.Millisecond, "case %s reaches %s", id, stage)
	return s
}

// TestRestartPlanInDefault: nobody pays a confirmed agreement of two
// installments. The first is reminded, defaults and is noticed
// (执行风险告知); then an operator terminates the plan and the court
// restarts supervision. The new plan starts with the first installment in
// default, its reminders sent, so it sends no second default notice for
// it; it still reminds the obligor of the second and notices its default,
// and the case closes once nothing is left to supervise. Every notice is
// sent once, by the plan that was running when it fell due.
func TestRestartPlanInDefault(t *testing.T) {
	// A legal day per real second, as TestNobodyPaysThreeInstallments:
	// the reminders and defaults are sent while the test watches.
	srv := newServer(t, 86400)
	c := startCase(t, srv)
	id := c.Summary.ID
	d := c.Mediation.CaseToday
	// The second falls due well after the first's default, however a
	// holiday stretches that grace period, so the plan is restarted before
	// the second's first reminder.
	inst := []api.InstallmentBody{{DueOn: d.AddDays(9), AmountFen: 400_000}, {DueOn: d.AddDays(45), AmountFen: 902_700}}
	agreeAndConfirmAPI(t, srv, id, inst)
	first := awaitCaseStage(t, id, workflows.StageDefaulted)
	require.Equal(t, casefile.StatusOpen, first.Status)
	// The failed plan's default notice is in the outbox before it fails.
	require.Eventually(t, func() bool {
		ns, err := store.Notices(t.Context(), id)
		require.NoError(t, err)
		return slices.ContainsFunc(ns, func(n db.Notice) bool { return n.Kind == workflows.NoticeDefault })
	}, 30*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool {
		p, err := store.Plan(t.Context(), id, workflows.PerformancePlanID)
		return err == nil && p.Installments[0].State == workflows.InstallmentDefaulted
	}, 30*time.Second, 50*time.Millisecond, "the ledger shows installment 1 in default")

	require.NoError(t, temporal.TerminateWorkflow(t.Context(), workflows.PlanWorkflowID(id, workflows.PerformancePlanID), "", "terminated by an operator"))
	awaitCaseStage(t, id, workflows.StagePerformanceFailed)
	res := do(t, srv, &court, http.MethodPost, "/cases/"+id+"/performance/restart", map[string]any{"reason": "履行计划被运维误终止，重启督促"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var restarted api.CaseBody
	res.json(t, &restarted)
	require.Equal(t, workflows.StageDefaulted, restarted.Mediation.Stage, "in default when its plan failed")
	lines := restarted.Mediation.Performance.Lines
	require.Len(t, lines, 1)
	require.True(t, lines[0].Defaulted, "installment 1 is carried in default: %+v", lines[0])

	awaitCaseClosed(t, id, 90*time.Second)
	ns, err := store.Notices(t.Context(), id)
	require.NoError(t, err)
	type key struct {
		Stream      string
		Installment int
		Kind        string
		Seq         int
	}
	var got []key
	for _, n := range ns {
		got = append(got, key{n.Stream, n.Installment, n.Kind, n.Seq})
	}
	// From the schedule and the policy: each installment is reminded on
	// each offset's day from the day its plan started, and noticed of its
	// default, by the plan running then: the failed plan for installment
	// 1, the new one for 2.
	reg, err := policy.Default()
	require.NoError(t, err)
	pol, err := reg.Policy("CN")
	require.NoError(t, err)
	want := []key{{"plan/performance", 0, workflows.NoticePerformance, 0}, {"plan/performance-2", 0, workflows.NoticePerformance, 0}}
	for i, plan := range []string{workflows.PerformancePlanID, "performance-2"} {
		stored, err := store.Plan(t.Context(), id, plan)
		require.NoError(t, err)
		for k, o := range pol.Performance.ReminderOffsets {
			if !o.SubFrom(inst[i].DueOn).Before(stored.StartedOn) {
				want = append(want, key{"plan/" + plan, i + 1, workflows.NoticeReminder, k})
			}
		}
		want = append(want, key{"plan/" + plan, i + 1, workflows.NoticeDefault, 0})
	}
	require.ElementsMatch(t, want, got, "every notice once: no second default notice for installment 1")
	requireDelivered(t, id, ns)

	second, err := store.Plan(t.Context(), id, "performance-2")
	require.NoError(t, err)
	require.Equal(t, workflows.PlanDefaulted, second.Stage)
	for _, l := range second.Installments {
		require.Equal(t, workflows.InstallmentDefaulted, l.State, "installment %d", l.No)
		n := 0
		for _, k := range want {
			if k.Installment == l.No && k.Kind == workflows.NoticeReminder {
				n++
			}
		}
		require.Equal(t, n, l.RemindersSent, "installment %d: its reminders, sent by one plan or the other", l.No)
	}
	require.Equal(t, 1, countOf(streamKinds(t, id, "plan/performance-2"), "installment_defaulted"), "installment 2 alone defaults in the new plan")

	// v7: recorded once a restart carries the failed plan's line states.
	replayAndKeep(t, "v7_mediation_plan_restarted_in_default", workflows.MediationWorkflowID(id))
	replayAndKeep(t, "v7_plan_restarted_in_default", workflows.PlanWorkflowID(id, "performance-2"))
}
