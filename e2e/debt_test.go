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

// TestHistoricalEnforcementInTheLedger: an enforcement of a 2023 judgment,
// applied for on 2023-07-12 and paid on 2023-08-02, entered today, is in
// the ledger as opened and closed on those days, and the statistics count
// its 21 days to close from them.
func TestHistoricalEnforcementInTheLedger(t *testing.T) {
	applied, paid := policy.NewDate(2023, 7, 12), policy.NewDate(2023, 8, 2)
	b := judgmentEnforcement(policy.NewDate(2023, 5, 20), policy.NewDate(2023, 6, 30), 1_302_700)
	b.AppliedOn = applied
	c := startEnforcement(t, realTime, b)
	require.Equal(t, applied, c.Summary.OpenedOn)
	done := post(t, realTime, "court", "/cases/"+c.Summary.ID+"/enforcement/payments",
		map[string]any{"amount_fen": 1_302_700, "paid_on": paid, "reason": "2023年8月2日扣划"})
	require.Equal(t, workflows.StageCompleted, done.Enforcement.Stage)
	require.Equal(t, paid, done.Summary.ClosedOn)

	res := do(t, realTime, &court, http.MethodGet, "/statistics?process=enforcement&opened_from=2023-07-12&opened_to=2023-07-12", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var stats struct {
		Rows []struct {
			Closed             int64 `json:"closed"`
			AverageDaysToClose struct {
				Numerator   int64 `json:"numerator"`
				Denominator int64 `json:"denominator"`
			} `json:"average_days_to_close"`
		} `json:"rows"`
	}
	res.json(t, &stats)
	require.Len(t, stats.Rows, 1)
	require.Equal(t, int64(1), stats.Rows[0].Closed)
	require.Equal(t, int64(21), stats.Rows[0].AverageDaysToClose.Numerator, "days to close from the legal dates: %s", res.Body)
	require.Equal(t, int64(1), stats.Rows[0].AverageDaysToClose.Denominator)

	var steps []string
	for _, e := range timeline(t, realTime, c.Summary.ID) {
		if e.Kind == "enforcement_filed" || e.Kind == "enforcement_payment_recorded" || e.Kind == "enforcement_completed" {
			steps = append(steps, e.Kind+" "+e.CaseOn.String())
		}
	}
	require.Equal(t, []string{"enforcement_filed 2023-07-12", "enforcement_payment_recorded 2023-08-02", "enforcement_completed 2023-08-02"}, steps)
}
