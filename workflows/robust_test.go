package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/policy"
)

// lookupsDown makes every deadline lookup in env fail from one delay to
// another, answering the others from the real registry.
func lookupsDown(t *testing.T, env *testsuite.TestWorkflowEnvironment, from, to time.Duration) {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	real := &activities.Policies{Registry: reg}
	down := false
	var pa *activities.Policies
	env.OnActivity(pa.Deadline, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.DeadlineInput) (activities.DeadlineResult, error) {
			if down {
				return activities.DeadlineResult{}, temporal.NewNonRetryableApplicationError("calendar unavailable", "Unavailable", nil)
			}
			return real.Deadline(ctx, in)
		})
	env.RegisterDelayedCallback(func() { down = true }, from)
	env.RegisterDelayedCallback(func() { down = false }, to)
}

// TestTerminationLookupFailureLeavesTheCaseAsItWas fails the re-check
// lookups of a termination: the command fails and the round is still
// being enforced; given again, the termination takes effect.
func TestTerminationLookupFailureLeavesTheCaseAsItWas(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	noon := 3 * time.Hour // enfStart is 09:00
	lookupsDown(t, h.env, day(1)+noon-time.Hour, day(1)+noon+time.Hour)
	nothing := h.on(enfToday, UpdateRecordInquiry, InquiryCommand{Found: false, Actor: judge})
	failed := h.on(enfToday.AddDays(1), UpdateTerminateRound, TerminateRoundCommand{Reason: "未发现财产", Actor: judge})
	measure := h.on(enfToday.AddDays(2), UpdateOrderMeasure, MeasureCommand{Kind: MeasureConsumptionRestriction, Actor: judge})
	again := h.on(enfToday.AddDays(3), UpdateTerminateRound, TerminateRoundCommand{Reason: "未发现财产", Actor: judge})
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, day(5))
	h.env.ExecuteWorkflow(Enforcement, enfInput(enfToday, judgmentTitle()))
	require.ErrorContains(t, h.env.GetWorkflowError(), "canceled")
	require.NoError(t, nothing.err)
	require.ErrorContains(t, failed.err, "calendar unavailable")
	require.NoError(t, measure.err, "the round is still being enforced after the failed termination")
	require.NoError(t, again.err)
	require.Equal(t, StageTerminatedRound, again.view.Stage)
	require.Len(t, again.view.Terminations, 1)
	require.Len(t, again.view.Terminations[0].Rechecks, 10, "every six months for five years")
}

// TestAgreementLookupFailureLeavesTheCaseAsItWas fails the confirmation
// window's lookup while an agreement is recorded: the command fails, the
// case is still mediating with nothing recorded, and the same command
// given again once lookups work takes effect.
func TestAgreementLookupFailureLeavesTheCaseAsItWas(t *testing.T) {
	start := cst(2026, 3, 10)
	h := newHarness(t, start)
	lookupsDown(t, h.env, day(1)-time.Hour, day(1)+time.Hour)
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

// TestFailedSettlementPlanResumesEnforcement lets a settlement's plan
// workflow fail: the enforcement case does not fail with it; it records
// the failure and enforcement of the original title resumes, so the next
// payment completes the case.
func TestFailedSettlementPlanResumesEnforcement(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	h.env.OnWorkflow(InstallmentPlan, mock.Anything, mock.Anything).Return(PlanResult{}, errors.New("settlement plan: calendar unavailable"))
	settle := h.on(enfToday.AddDays(1), UpdateSettle, SettleCommand{Actor: judge, Installments: []Installment{{DueOn: enfToday.AddDays(40), AmountFen: 1_302_700}}})
	paid := h.on(enfToday.AddDays(3), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_302_700, PaidOn: enfToday.AddDays(3), Actor: judge})
	res := h.run(enfInput(enfToday, judgmentTitle()))
	require.NoError(t, settle.err)
	require.NoError(t, paid.err)
	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, append([]string{
		"enforcement_filed", "settlement_reached", "settlement_plan_failed", "enforcement_payment_recorded", "enforcement_completed",
	}, visits...), h.kinds(enforcementStream))
	require.Equal(t, PlanFailed, paid.view.Settlements[0].Result.Outcome)
	require.Contains(t, paid.view.Settlements[0].Result.Failure, "calendar unavailable")
}
