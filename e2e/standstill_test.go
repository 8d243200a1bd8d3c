package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// TestStandstillThroughTheAPI: the applicant agrees to a month without
// freezing; the freeze is suspended, a new measure is refused, a payment
// is credited, and under compressed time the month ends and the freeze
// resumes. Bad standstills are refused with a reason and change nothing.
func TestStandstillThroughTheAPI(t *testing.T) {
	srv := newServer(t, 86400) // a legal day per second
	today := policy.DateOf(time.Now())
	c := startEnforcement(t, srv, judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 1_302_700))
	path := "/cases/" + c.Summary.ID + "/enforcement"
	post(t, srv, "court", path+"/measures", map[string]any{"kind": "freeze", "asset_kind": "bank_deposit", "description": "某银行账户"})
	d := c.Enforcement.CaseToday

	bad := []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"LongerThanThreeMonths", map[string]any{"until": d.AddDays(120), "reason": "x", "agreed_by": []string{applicant.Subject}, "on_end": "resume"}, 422},
		{"ApplicantDidNotAgree", map[string]any{"until": d.AddDays(20), "reason": "x", "agreed_by": []string{stranger.Subject}, "on_end": "resume"}, 422},
		{"NoReason", map[string]any{"until": d.AddDays(20), "agreed_by": []string{applicant.Subject}, "on_end": "resume"}, 422},
		{"UnknownEnd", map[string]any{"until": d.AddDays(20), "reason": "x", "agreed_by": []string{applicant.Subject}, "on_end": "forget"}, 422},
		{"BadDate", map[string]any{"until": "2026-02-30", "reason": "x", "agreed_by": []string{applicant.Subject}, "on_end": "resume"}, 422},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			res := do(t, srv, &court, http.MethodPost, path+"/standstill", b.body)
			require.Equal(t, b.status, res.Status, "body: %s", res.Body)
			res.problem(t)
		})
	}
	res := do(t, srv, &applicant, http.MethodPost, path+"/standstill", map[string]any{"until": d.AddDays(20), "reason": "x", "agreed_by": []string{applicant.Subject}, "on_end": "resume"})
	require.Equal(t, http.StatusForbidden, res.Status, "a party does not grant it: %s", res.Body)

	held := post(t, srv, "court", path+"/standstill", map[string]any{"until": d.AddDays(5), "reason": "申请执行人同意暂缓执行", "agreed_by": []string{applicant.Subject}, "on_end": "resume"})
	require.Equal(t, workflows.StageStandstill, held.Enforcement.Stage)
	require.Equal(t, workflows.MeasureSuspended, held.Enforcement.Measures[0].Status)
	require.Equal(t, "standstill_end", held.Summary.NextDeadline.Kind)
	res = do(t, srv, &court, http.MethodPost, path+"/measures", map[string]any{"kind": "consumption_restriction"})
	require.Equal(t, http.StatusConflict, res.Status, "no measure during a standstill: %s", res.Body)
	paid := post(t, srv, "court", path+"/payments", map[string]any{"amount_fen": 300_000, "paid_on": held.Enforcement.CaseToday})
	require.Equal(t, int64(300_000), paid.Enforcement.CollectedFen)

	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), c.Summary.ID)
		require.NoError(t, err)
		return s.Stage == workflows.StageEnforcing
	}, 30*time.Second, 100*time.Millisecond, "the standstill ends with its last day")
	res = do(t, srv, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil)
	require.Equal(t, http.StatusOK, res.Status)
	var read struct {
		Enforcement workflows.EnforcementView `json:"enforcement"`
	}
	res.json(t, &read)
	require.Equal(t, workflows.MeasureActive, read.Enforcement.Measures[0].Status, "the freeze resumes")
	require.Contains(t, streamKinds(t, c.Summary.ID, "enforcement"), "standstill_ended")
	replayAndKeep(t, "v4_enforcement_standstill", c.Summary.WorkflowID)
}
