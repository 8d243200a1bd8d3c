package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/casework/casework/worker"
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
// saves them to workflows/testdata, where the unit replay test reads them,
// so a later change that would break these running cases fails there too.
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

	// An enforcement case on a judgment, completed by payment in full.
	cases["enforcement_completed"] = completedEnforcement(t, realTime)
	// One terminated for want of property, resumed on a re-check and
	// settled, under compressed time.
	cases["enforcement_resumed_settled"] = resumedEnforcement(t, fast)

	require.Eventually(t, func() bool {
		c, err := store.Case(ctx, timedOut.Summary.ID)
		return err == nil && c.Status == "closed"
	}, 20e9, 100e6)

	for name, wfID := range cases {
		t.Run(name, func(t *testing.T) {
			// A history need not be complete to replay: the agreed case is
			// still waiting for its confirmation application.
			h := fetchHistory(ctx, t, wfID)
			replay(t, h)
			if os.Getenv("CASEWORK_UPDATE_TESTDATA") == "1" {
				b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join("..", "workflows", "testdata", name+".json"), b, 0o644))
			}
		})
	}
}
