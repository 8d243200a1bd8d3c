package e2e

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/casework/casework/api"
)

// TestTimelineAfterRetention deletes a closed case's workflow from Temporal,
// as the namespace's retention does: the worker kept its history, so the
// merged timeline is still complete, with its workflow events, and the case
// still verifies intact, compared with that history.
func TestTimelineAfterRetention(t *testing.T) {
	t.Parallel()
	id := closedCase(t)
	c, err := store.Case(t.Context(), id)
	require.NoError(t, err)
	before := auditTimeline(t, realTime, id)
	require.Equal(t, api.HistoryComplete, before.WorkflowHistory)

	// The exporter keeps the closed run.
	desc, err := temporal.DescribeWorkflowExecution(t.Context(), c.WorkflowID, "")
	require.NoError(t, err)
	runID := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	require.Eventually(t, func() bool {
		kept, err := store.HistoryKept(t.Context(), c.WorkflowID, runID)
		return err == nil && kept
	}, 20*time.Second, 100*time.Millisecond, "the closed run's history is exported")

	_, err = temporal.WorkflowService().DeleteWorkflowExecution(t.Context(), &workflowservice.DeleteWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: c.WorkflowID, RunId: runID},
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		it := temporal.GetWorkflowHistory(t.Context(), c.WorkflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		_, err := it.Next()
		var notFound *serviceerror.NotFound
		return errors.As(err, &notFound)
	}, 90*time.Second, 250*time.Millisecond, "Temporal forgets the workflow (the dev server takes about half a minute)")

	after := auditTimeline(t, realTime, id)
	require.Equal(t, api.HistoryComplete, after.WorkflowHistory)
	require.Equal(t, summarise(before.Timeline), summarise(after.Timeline), "the same merged timeline")
	require.Contains(t, summarise(after.Timeline), "workflow:workflow_completed:casework")

	v := verify(t, realTime, &auditor, id)
	require.True(t, v.Intact, "state %s, breaks %v, unverified %v", v.State, v.Breaks, v.Unverified)
	require.Equal(t, api.HistoryCheck{State: api.HistoryComplete, Steps: 4}, v.History)

	res := do(t, realTime, &auditor, http.MethodGet, "/cases/"+id+"/timeline.csv", nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Contains(t, string(res.Body), "workflow_completed")

	// And a step deleted afterwards still shows, against the kept history.
	_, err = stack.Pool.Exec(t.Context(), "DELETE FROM case_events WHERE case_id = $1 AND seq = 4", id)
	require.NoError(t, err)
	v = verify(t, realTime, &nationalAuditor, id)
	require.Equal(t, api.VerifyBroken, v.State)
	require.Contains(t, breaksOf(v), brk{"mediation", 4, "history"})
}
