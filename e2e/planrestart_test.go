package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
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
