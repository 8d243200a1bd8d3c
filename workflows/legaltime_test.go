package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
)

// TestMediationOpenedDecember2026 is the case: a mediation
// delegated on 2026-12-02, before the State Council has published 2027,
// gets its 30-day deadline on the first working day after New Year's Day
// (a statutory holiday by rule) and the weekend, not on 2027-01-01.
func TestMediationOpenedDecember2026(t *testing.T) {
	h := newHarness(t, time.Date(2026, 12, 2, 9, 0, 0, 0, policy.CST))
	h.runUntil(time.Hour)
	require.NotNil(t, h.summary)
	require.NotNil(t, h.summary.NextDeadline)
	require.Equal(t, "mediation", h.summary.NextDeadline.Kind)
	require.Equal(t, policy.NewDate(2027, 1, 4), h.summary.NextDeadline.On,
		"got %s, want Monday 2027-01-04", h.summary.NextDeadline.On)
}
