package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// TestPlanContinuesAsNewUnderAStreamOfPayments records payment after
// payment, without pause, on a real Temporal server until the server's own
// suggestion (about 4,000 events) has made the installment plan continue as
// new, then a few more: the run handed over while commands kept arriving,
// it stayed within the bounds, no payment was lost or doubled, and the new
// run holds the whole ledger.
func TestPlanContinuesAsNewUnderAStreamOfPayments(t *testing.T) {
	if testing.Short() {
		t.Skip("long: hundreds of payments")
	}
	c := startCase(t, realTime)
	id := c.Summary.ID
	run, startedOn := startPlan(t, id, 1, workflows.Installment{DueOn: policy.DateOf(time.Now()).AddDays(120), AmountFen: 10_000_000})
	wfID := workflows.PlanWorkflowID(id, "performance")
	first := run.GetRunID()

	pay := func(k int) workflows.PlanView {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		var view workflows.PlanView
		// A payment sent while the run hands over is retried with the same
		// update ID, as the API retries a keyed request.
		require.Eventually(t, func() bool {
			h, err := temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID: wfID, UpdateID: fmt.Sprintf("pay-%d", k), UpdateName: workflows.UpdateRecordPayment,
				Args:         []any{workflows.PaymentCommand{AmountFen: 100, PaidOn: startedOn, Actor: court.Actor()}},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			return err == nil && h.Get(ctx, &view) == nil
		}, 25*time.Second, 50*time.Millisecond, "payment %d", k)
		return view
	}
	current := func() string {
		d, err := temporal.DescribeWorkflowExecution(t.Context(), wfID, "")
		require.NoError(t, err)
		return d.WorkflowExecutionInfo.Execution.RunId
	}

	k := 0
	for ; k < 1_000 && current() == first; k++ {
		pay(k + 1)
	}
	require.NotEqual(t, first, current(), "the plan never continued as new under %d payments", k)
	handedOver := k
	for range 20 {
		k++
		pay(k)
	}
	view := pay(k + 1)
	k++

	events, size := 0, 0
	it := temporal.GetWorkflowHistory(t.Context(), wfID, first, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var last enumspb.EventType
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		events++
		size += proto.Size(e)
		last = e.GetEventType()
	}
	t.Logf("continued as new after %d payments: first run %d events, %.2f MB; %d payments in all", handedOver, events, float64(size)/1e6, k)
	require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, last)
	require.Less(t, events, 10_240)
	require.Less(t, size, 10<<20)
	require.Equal(t, int64(100*k), view.PaidFen, "every payment credited once")
	require.Equal(t, k+1, view.Steps, "plan_started and one step a payment, numbered across runs")
}
