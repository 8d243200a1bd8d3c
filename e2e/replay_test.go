package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/casework/casework/api"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/worker"
	"github.com/casework/casework/workflows"
)

// fetchHistory reads a closed workflow's whole history from the server.
func fetchHistory(ctx context.Context, t *testing.T, workflowID string) *historypb.History {
	t.Helper()
	it := temporal.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, e)
	}
	return h
}

// replay replays h with the worker's current registrations; a change that
// breaks determinism for running cases fails here.
func replay(t *testing.T, h *historypb.History) {
	t.Helper()
	r := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(r)
	require.NoError(t, r.ReplayWorkflowHistory(nil, h))
}

// TestReplayRecordedHistories runs cases on the real server, then replays
// their histories with today's code. With CASEWORK_UPDATE_TESTDATA=1 it also
// saves those not yet in workflows/testdata there, where the unit replay
// test reads them, so a later change that would break these running cases
// fails there too. Recordings already there are kept: they stand for cases
// started under older code.
func TestReplayRecordedHistories(t *testing.T) {
	ctx := t.Context()
	cases := map[string]string{}

	// A case whose deadline passes, under compressed time.
	timedOut := startCase(t, fast)
	cases["v1_mediation_timeout"] = timedOut.Summary.WorkflowID

	// A case extended once, then agreed.
	agreed := startCase(t, realTime)
	id := agreed.Summary.ID
	res := do(t, realTime, &mediator, "POST", "/cases/"+id+"/extensions", map[string]any{"reason": "双方同意"})
	require.Equal(t, 200, res.Status, "body: %s", res.Body)
	today := agreed.Mediation.CaseToday
	res = do(t, realTime, &mediator, "POST", "/cases/"+id+"/outcome", map[string]any{"outcome": "agreed", "terms": map[string]any{
		"obligor": "xx-construction", "obligees": []string{applicant.Subject}, "total_fen": 1_302_700,
		"installments": []map[string]any{{"due_on": today.AddDays(30), "amount_fen": 1_302_700}},
	}})
	require.Equal(t, 200, res.Status, "body: %s", res.Body)
	cases["v1_mediation_extended_agreed"] = agreed.Summary.WorkflowID
	// The same, recorded since waits cancel their timers.
	cases["v2_mediation_extended_agreed"] = agreed.Summary.WorkflowID
	// v7: the same, its parties by reference, the agreement's checked
	// against the staged list.
	cases["v7_mediation_parties_by_reference"] = agreed.Summary.WorkflowID

	// Installment plans: one paid in full at once, one that defaults under
	// compressed time.
	paid := startCase(t, realTime)
	_, startedOn := startPlan(t, paid.Summary.ID, 1, workflows.Installment{DueOn: paid.Mediation.CaseToday.AddDays(30), AmountFen: 1_302_700})
	require.Eventually(t, func() bool {
		res := do(t, realTime, &mediator, "POST", "/cases/"+paid.Summary.ID+"/plans/performance/payments",
			map[string]any{"amount_fen": 1_435_000, "paid_on": startedOn, "reason": "一次性付清，含利息"})
		return res.Status == 200
	}, 10e9, 50e6)
	cases["plan_paid_with_interest"] = workflows.PlanWorkflowID(paid.Summary.ID, "performance")
	defaulting := startCase(t, realTime)
	_, startedOn = startPlan(t, defaulting.Summary.ID, compressed, workflows.Installment{DueOn: defaulting.Mediation.CaseToday.AddDays(20), AmountFen: 500_000})
	cases["plan_defaulted"] = workflows.PlanWorkflowID(defaulting.Summary.ID, "performance")
	cases["v2_plan_defaulted"] = cases["plan_defaulted"]

	// An enforcement case on a judgment, completed by payment in full.
	cases["enforcement_completed"] = completedEnforcement(t, realTime)
	// One terminated for want of property, resumed on a re-check and
	// settled, under compressed time.
	cases["enforcement_resumed_settled"] = resumedEnforcement(t, fast)
	// A wage arrears case paid in full.
	cases["wage_paid_in_full"] = paidWageCase(t, realTime)
	// A boundary dispute negotiated up to the township and settled.
	cases["boundary_settled"] = negotiatedBoundary(t, newServer(t, boundaryScale))

	require.Eventually(t, func() bool {
		c, err := store.Case(ctx, timedOut.Summary.ID)
		return err == nil && c.Status == "closed"
	}, 20e9, 100e6)
	for _, plan := range []string{cases["plan_paid_with_interest"], cases["plan_defaulted"]} {
		require.NoError(t, temporal.GetWorkflow(ctx, plan, "").Get(ctx, nil), "plan %s ends", plan)
	}
	// v3: recorded once runs continue when due, deliver notices beside the
	// case and write the wage ledger by payment.
	cases["v3_plan_defaulted"] = cases["plan_defaulted"]
	cases["v3_enforcement_resumed_settled"] = cases["enforcement_resumed_settled"]
	cases["v3_wage_paid_in_full"] = cases["wage_paid_in_full"]
	cases["v3_boundary_settled"] = cases["boundary_settled"]
	// v5: a wage case reminded, in default and escalated to an enforceable
	// payment order, then paid in full, recorded before its schedule ran
	// on the installment plan's (workflows/schedule.go).
	cases["v5_wage_escalated_paid"] = escalatedWageCase(t, wageServer(t))
	// The delivery of the defaulted plan's first notice.
	ns := awaitNotices(t, defaulting.Summary.ID, 1)
	awaitDelivered(t, defaulting.Summary.ID, ns[:1])
	cases["v3_notice_delivered"] = workflows.NoticeWorkflowID(defaulting.Summary.ID, ns[0].ID)
	// v7: recorded once a plan's ledger writes carry only the lines
	// changed since the last (plan-record-deltas).
	cases["v7_deltas_plan_defaulted"] = cases["plan_defaulted"]
	cases["v7_deltas_plan_paid_with_interest"] = cases["plan_paid_with_interest"]
	cases["v7_deltas_wage_paid_in_full"] = cases["wage_paid_in_full"]
	cases["v7_deltas_wage_escalated_paid"] = cases["v5_wage_escalated_paid"]
	require.NoError(t, temporal.GetWorkflow(ctx, cases["v3_notice_delivered"], "").Get(ctx, nil))

	for name, wfID := range cases {
		t.Run(name, func(t *testing.T) {
			// A history need not be complete to replay: the agreed case is
			// still waiting for its confirmation application.
			replayAndKeep(t, name, wfID)
		})
	}
}

// replayAndKeep replays a workflow's history with today's code and, with
// CASEWORK_UPDATE_TESTDATA=1, saves it as workflows/testdata/name.json if
// no recording of that name is there yet.
func replayAndKeep(t *testing.T, name, wfID string) {
	t.Helper()
	h := fetchHistory(t.Context(), t, wfID)
	replay(t, h)
	file := filepath.Join("..", "workflows", "testdata", name+".json")
	if _, err := os.Stat(file); os.Getenv("CASEWORK_UPDATE_TESTDATA") == "1" && os.IsNotExist(err) {
		b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(file, b, 0o644))
	}
}

// escalatedWageCase opens a wage case whose first installment is missed:
// reminders, the default, every escalation step and the payment order's
// objection period pass under compressed time; then the debtor pays in
// full. It returns the workflow ID once the case has closed.
func escalatedWageCase(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	today := policy.DateOf(time.Now())
	res := do(t, srv, &court, http.MethodPost, "/cases/wage", map[string]any{
		"case_number": fmt.Sprintf("（2026）黔2301民特欠薪%d号", time.Now().UnixNano()),
		"debtor":      map[string]any{"id": wageDebtor.Subject, "name": "某建筑劳务有限公司"},
		"creditors": []map[string]any{
			{"id": "worker-1", "name": "工人甲", "owed_fen": 100_000, "hardship": true},
			{"id": "worker-2", "name": "工人乙", "owed_fen": 200_001},
		},
		"schedule":   []map[string]any{{"due_on": today.AddDays(10), "amount_fen": 150_000}, {"due_on": today.AddDays(90), "amount_fen": 150_001}},
		"allocation": "hardship_first",
	})
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	var enforceable bool
	require.Eventually(t, func() bool {
		r := do(t, srv, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil)
		enforceable = r.Status == http.StatusOK && strings.Contains(string(r.Body), `"stage":"enforceable"`)
		return enforceable
	}, 60*time.Second, 100*time.Millisecond, "the payment order becomes enforceable")
	r := do(t, srv, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil)
	var now api.CaseBody
	r.json(t, &now)
	pay := do(t, srv, &court, http.MethodPost, "/cases/"+c.Summary.ID+"/wage/payments",
		map[string]any{"amount_fen": 300_001, "paid_on": now.Wage.CaseToday})
	require.Equal(t, http.StatusOK, pay.Status, "body: %s", pay.Body)
	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), c.Summary.ID)
		return err == nil && s.Status == casefile.StatusClosed
	}, 10*time.Second, 20*time.Millisecond)
	return c.Summary.WorkflowID
}
