package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/policy"
)

// TestAgreementLookupFailureLeavesTheCaseAsItWas fails the confirmation
// window's lookup while an agreement is recorded: the command fails, the
// case is still mediating with nothing recorded, and the same command
// given again once lookups work takes effect.
func TestAgreementLookupFailureLeavesTheCaseAsItWas(t *testing.T) {
	start := cst(2026, 3, 10)
	h := newHarness(t, start)
	reg, err := policy.Default()
	require.NoError(t, err)
	real := &activities.Policies{Registry: reg}
	down := false
	var pa *activities.Policies
	h.env.OnActivity(pa.Deadline, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.DeadlineInput) (activities.DeadlineResult, error) {
			if down {
				return activities.DeadlineResult{}, temporal.NewNonRetryableApplicationError("calendar unavailable", "Unavailable", nil)
			}
			return real.Deadline(ctx, in)
		})
	h.env.RegisterDelayedCallback(func() { down = true }, day(1)-time.Hour)
	h.env.RegisterDelayedCallback(func() { down = false }, day(1)+time.Hour)
	terms := threeInstallments(policy.DateOf(start).AddDays(1))
	failed := h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: terms, Actor: mediator})
	state := h.at(day(1)+30*time.Minute, UpdateExtendDeadline, ExtendCommand{Reason: "双方同意", Actor: mediator})
	again := h.at(day(2), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(policy.DateOf(start).AddDays(2)), Actor: mediator})
	h.runUntil(day(3))

	require.ErrorContains(t, failed.err, "calendar unavailable")
	require.Error(t, state.err, "the extension needs a lookup too, and fails without changing the case")
	require.NoError(t, again.err)
	require.Equal(t, StageAgreementReached, again.view.Stage)
	require.NotNil(t, again.view.Confirmation)
	require.Equal(t, []string{"delegated", "agreement_reached"}, h.kinds())
}

// TestFailedPerformancePlanIsACaseState lets the confirmed agreement's
// plan workflow fail: the mediation case does not fail with it but records
// the failure and waits, open, in a stage a clerk sees.
func TestFailedPerformancePlanIsACaseState(t *testing.T) {
	h := newHarness(t, cst(2026, 3, 10))
	h.planErr = errors.New("installment 1: grace period ends after the calendar")
	_, decided := h.agreeAndConfirm(DecisionConfirmed, "")
	h.runUntil(day(30))
	require.NoError(t, decided.err)
	require.Equal(t, StagePerformanceFailed, h.summary.Stage)
	require.Equal(t, "performance_plan_failed", h.kinds()[len(h.kinds())-1])
	require.Contains(t, h.events[len(h.events)-1].Reason, "grace period ends after the calendar")
}

// TestFarDatesAreRefused: a due date the policy's periods would carry past
// a four-digit year is refused by every validator, so it can never fail a
// case that counts from it.
func TestFarDatesAreRefused(t *testing.T) {
	far := policy.NewDate(9999, 12, 31)
	opened := policy.NewDate(2026, 3, 10)
	t.Run("Terms", func(t *testing.T) {
		terms := threeInstallments(opened)
		terms.Installments[2].DueOn = far
		require.ErrorContains(t, ValidateTerms(*terms, parties, opened), "latest date a case takes")
	})
	t.Run("Plan", func(t *testing.T) {
		err := validatePlan(PlanInput{CaseID: "c1", PlanID: "p", Obligor: "o", Obligees: []string{"e"},
			Installments: []Installment{{DueOn: far, AmountFen: 100}}})
		require.ErrorContains(t, err, "latest date a case takes")
	})
	t.Run("Wage", func(t *testing.T) {
		in := wageInput(creditors(100), []Installment{{DueOn: far, AmountFen: 100}}, "pro_rata", false)
		require.ErrorContains(t, ValidateWage(in, opened), "latest date a case takes")
	})
	t.Run("Title", func(t *testing.T) {
		title := judgmentTitle()
		title.DueDates = []policy.Date{far}
		require.ErrorContains(t, ValidateTitle(title), "latest date a case takes")
	})
	t.Run("LatestDateStillRuns", func(t *testing.T) {
		// The latest date a case takes, with the longest period counted
		// from it, is still a date the workflow can carry.
		reg, err := policy.Default()
		require.NoError(t, err)
		on, err := reg.Deadline("CN", LatestDate, policy.Years(2))
		require.NoError(t, err)
		b, err := on.MarshalJSON()
		require.NoError(t, err)
		var back policy.Date
		require.NoError(t, back.UnmarshalJSON(b), "got %s", b)
	})
}
