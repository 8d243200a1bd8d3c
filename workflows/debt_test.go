package workflows

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
)

func TestDebtAccrueAndApply(t *testing.T) {
	from := policy.NewDate(2025, 10, 16)
	tests := []struct {
		name      string
		principal int64
		to        []policy.Date // successive counts
		interest  int64
		remainder int64
	}{
		// 1,302,700 × 175 × 82 days = 18,693,745,000 millionths.
		{"EightyTwoDays", 1_302_700, []policy.Date{policy.NewDate(2026, 1, 5)}, 18_693, 745_000},
		// The same days counted in two goes lose no fraction.
		{"InTwoGoes", 1_302_700, []policy.Date{policy.NewDate(2025, 11, 30), policy.NewDate(2026, 1, 5)}, 18_693, 745_000},
		{"NothingBeforeTheDelay", 1_302_700, []policy.Date{policy.NewDate(2025, 10, 15)}, 0, 0},
		// 10^14 fen for 60 years does not overflow.
		{"Huge", maxFen, []policy.Date{policy.NewDate(2085, 10, 15)}, maxFen, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Debt{PrincipalFen: tc.principal, AccruedThrough: from.AddDays(-1)}
			for _, to := range tc.to {
				d.accrue(to, 175)
			}
			require.Equal(t, tc.interest, d.InterestFen)
			require.Equal(t, tc.interest, d.DelayInterestFen)
			if tc.name != "Huge" {
				require.Equal(t, tc.remainder, d.Remainder)
			}
		})
	}

	order := []string{policy.DebtCosts, policy.DebtInterest, policy.DebtPrincipal}
	d := Debt{PrincipalFen: 1_302_700, InterestFen: 132_300, CostsFen: 5_000}
	parts, over := d.apply(100_000, order)
	require.Equal(t, DebtParts{CostsFen: 5_000, InterestFen: 95_000}, parts, "costs first, then interest")
	require.Zero(t, over)
	parts, over = d.apply(1_400_000, order)
	require.Equal(t, DebtParts{InterestFen: 37_300, PrincipalFen: 1_302_700}, parts)
	require.Equal(t, int64(60_000), over, "only what exceeds the whole debt is over")
	require.Zero(t, d.total())
}

// TestEnforcementWithInterest: a judgment debtor paying 14,350 yuan on a
// principal of 13,027 with interest and costs discharges costs, interest
// (the title's and the delay interest counted to the day paid) and the
// principal, in the policy's order; only the rest is over.
func TestEnforcementWithInterest(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	in := enfInput(enfToday, judgmentTitle())
	in.CostsFen, in.InterestFen, in.DelayInterestFrom = 20_000, 60_000, policy.NewDate(2025, 10, 16)
	part := h.on(enfToday, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 50_000, PaidOn: enfToday, Actor: judge})
	early := h.on(enfToday.AddDays(1), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 100, PaidOn: enfToday.AddDays(-1), Actor: judge})
	rest := h.on(enfToday.AddDays(10), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_435_000, PaidOn: enfToday.AddDays(10), Actor: judge})
	res := h.run(in)
	require.NoError(t, part.err)
	requireEnfRejected(t, early, RejectInvalid)
	require.NoError(t, rest.err)
	require.Equal(t, StageCompleted, res.Stage)

	// 82 days of delay to 2026-01-05 on 1,302,700: 18,693 fen (and 0.745).
	d1 := part.view.Debt
	require.Equal(t, int64(18_693), d1.DelayInterestFen)
	require.Zero(t, d1.CostsFen, "costs first")
	require.Equal(t, int64(60_000+18_693-30_000), d1.InterestFen, "then interest")
	require.Equal(t, int64(1_302_700), d1.PrincipalFen)

	// Ten more days on the same principal: 1,302,700 × 175 × 10 + 745,000
	// millionths = 2,280 fen (and 0.47).
	d2 := rest.view.Debt
	require.Equal(t, int64(18_693+2_280), d2.DelayInterestFen)
	require.Zero(t, d2.total())
	owed := int64(20_000 + 60_000 + 18_693 + 2_280 + 1_302_700)
	require.Equal(t, 50_000+1_435_000-owed, rest.view.OverpaidFen)
	require.Equal(t, owed, rest.view.CollectedFen)
	require.Zero(t, rest.view.OutstandingFen)
}
