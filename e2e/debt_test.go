package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// TestEnforcementWithInterestAndCosts: through the API, a debtor paying
// 14,350 yuan on 13,027 of principal with the title's interest, costs and
// delay interest counted to the day paid discharges them all in the
// policy's order; only the rest is over. Bad components are refused.
func TestEnforcementWithInterestAndCosts(t *testing.T) {
	today := policy.DateOf(time.Now())
	b := judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 1_302_700)
	b.CostsFen, b.InterestFen, b.DelayInterestFrom = 17_600, 60_000, today.AddDays(-29)
	c := startEnforcement(t, realTime, b)
	require.NotNil(t, c.Enforcement.Debt)
	done := post(t, realTime, "court", "/cases/"+c.Summary.ID+"/enforcement/payments",
		map[string]any{"amount_fen": 1_435_000, "paid_on": c.Enforcement.CaseToday, "reason": "一次性履行，含利息和费用"})
	require.Equal(t, workflows.StageCompleted, done.Enforcement.Stage)
	// Thirty days of delay, the first and the day paid included:
	// 1,302,700 × 175 × 30 / 10^6 = 6,839 fen.
	days := int64(policy.DaysBetween(today.AddDays(-30), c.Enforcement.CaseToday))
	delay := 1_302_700 * 175 * days / 1_000_000
	require.Equal(t, delay, done.Enforcement.Debt.DelayInterestFen)
	owed := 17_600 + 60_000 + delay + 1_302_700
	require.Equal(t, owed, done.Enforcement.CollectedFen)
	require.Equal(t, 1_435_000-owed, done.Enforcement.OverpaidFen, "only what exceeds costs, interest and principal is over")

	bad := []struct {
		name string
		edit func(b *api.StartEnforcementBody)
	}{
		{"NegativeCosts", func(b *api.StartEnforcementBody) { b.CostsFen = -1 }},
		{"DelayBeforeTheDocument", func(b *api.StartEnforcementBody) { b.DelayInterestFrom = b.Title.DocumentDate.AddDays(-1) }},
		{"InterestWithSeveralApplicants", func(b *api.StartEnforcementBody) {
			fb, _ := fourRepresentatives()
			fb.CaseNumber, fb.InterestFen = b.CaseNumber, 100
			*b = fb
		}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			b := judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 1_302_700)
			tc.edit(&b)
			res := do(t, realTime, &court, http.MethodPost, "/cases/enforcement", b)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
			res.problem(t)
		})
	}
}
