package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

var (
	applicantParty  = casefile.Actor{Subject: "zhang-san", Role: casefile.RoleParty}
	respondentParty = casefile.Actor{Subject: "xx-construction", Role: casefile.RoleParty}
)

// until returns how long after the harness start the case-time instant at
// is, plus an hour, so a command lands just after it.
func (h *harness) until(at time.Time) time.Duration { return at.Sub(h.start) + time.Hour }

// agreeAndConfirm queues an agreement on day 1, both parties' applications
// on days 2 and 3, acceptance on day 4 and a decision on day 6.
func (h *harness) agreeAndConfirm(decision, reason string) (accepted, decided *updateResult) {
	h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(policy.DateOf(h.start).AddDays(1)), Actor: mediator})
	h.at(day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: applicantParty})
	h.at(day(3), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: respondentParty})
	accepted = h.at(day(4), UpdateAcceptConfirmation, CourtCommand{Actor: judge})
	decided = h.at(day(6), UpdateDecideConfirmation, DecideConfirmationCommand{Decision: decision, Reason: reason, Actor: judge})
	return accepted, decided
}

// visitFollowUps records both follow-up visits a day after they fall due.
func (h *harness) visitFollowUps(closedOn policy.Date, holds ...bool) {
	reg, err := policy.Default()
	require.NoError(h.t, err)
	p, err := reg.Policy("CN")
	require.NoError(h.t, err)
	for i, period := range p.FollowUps {
		due, err := reg.Deadline("CN", closedOn, period)
		require.NoError(h.t, err)
		h.at(h.until(due.Start())+day(1), UpdateRecordFollowUp, FollowUpCommand{Holds: holds[i], Note: "回访：协议履行情况良好", Actor: mediator})
	}
}

func TestConfirmation(t *testing.T) {
	start := cst(2026, 3, 10)
	opened := policy.DateOf(start)

	t.Run("NoApplicationStaysAContract", func(t *testing.T) {
		h := newHarness(t, start)
		h.at(day(5), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(opened.AddDays(5)), Actor: mediator})
		// Agreed 2026-03-15; the window ends 2026-04-14; closed 2026-04-15.
		closed := policy.NewDate(2026, 4, 15)
		h.visitFollowUps(closed, true, true)
		res := h.run()
		require.Equal(t, StagePlainContract, res.Stage)
		require.Equal(t, []string{"delegated", "agreement_reached", "confirmation_window_passed",
			"follow_up_due", "follow_up_visited", "follow_up_due", "follow_up_visited"}, h.kinds())
		require.Equal(t, closed, h.events[2].CaseOn)
		// Follow-ups 30 and 90 days after closing: 2026-05-15 (Fri) and 2026-07-14 (Tue).
		require.Equal(t, policy.NewDate(2026, 5, 15), h.events[3].CaseOn)
		require.Equal(t, policy.NewDate(2026, 7, 14), h.events[5].CaseOn)
		require.Equal(t, casefile.StatusClosed, h.summary.Status)
		require.Equal(t, casefile.Resolved, h.summary.Resolution)
		require.Nil(t, h.summary.NextDeadline, "nothing left to do")
		require.Nil(t, h.planInput, "an unconfirmed agreement is not supervised")
		require.Equal(t, 2, h.summary.FollowUpsDue, "both visits fell due")
		require.Equal(t, 2, h.summary.FollowUpsDone, "and both were made")
	})

	t.Run("ConfirmedAndPerformedOnTime", func(t *testing.T) {
		h := newHarness(t, start)
		h.planResult = PlanResult{Outcome: PlanPerformed, OnTime: true, TotalFen: 1_302_700, PaidFen: 1_302_700, Certificate: &Certificate{}}
		accepted, decided := h.agreeAndConfirm(DecisionConfirmed, "")
		// Decided on day 6 and the (test) plan ends at once: closed that day.
		h.visitFollowUps(opened.AddDays(6), true, true)
		res := h.run()
		require.NoError(t, accepted.err)
		require.Equal(t, policy.NewDate(2026, 3, 30), accepted.view.Confirmation.DecideBy, "15 days from acceptance on 2026-03-14, then past the weekend")
		require.NoError(t, decided.err)
		require.Equal(t, StagePerformed, res.Stage)
		require.Equal(t, []string{"delegated", "agreement_reached", "confirmation_applied_by_party", "confirmation_applied_by_party",
			"confirmation_application_filed", "confirmation_accepted", "confirmed", "performed",
			"follow_up_due", "follow_up_visited", "follow_up_due", "follow_up_visited"}, h.kinds())
		require.NotNil(t, h.planInput)
		require.Equal(t, PlanWorkflowID("c1", PerformancePlanID), PlanWorkflowID(h.planInput.CaseID, h.planInput.PlanID))
		require.Equal(t, int64(1_302_700), sumFen(h.planInput.Installments))
		require.Equal(t, casefile.PerformedAutomatically, h.summary.Performance)
	})

	t.Run("Rejected", func(t *testing.T) {
		h := newHarness(t, start)
		_, decided := h.agreeAndConfirm(DecisionRejected, "协议内容违反法律强制性规定")
		res := h.run()
		require.NoError(t, decided.err)
		require.Equal(t, StageConfirmationRejected, res.Stage)
		require.Equal(t, "confirmation_rejected", h.events[len(h.events)-1].Kind)
		require.Equal(t, casefile.StatusClosed, h.summary.Status)
		require.Nil(t, h.planInput)
	})

	t.Run("ConfirmedThenDefaulted", func(t *testing.T) {
		h := newHarness(t, start)
		h.planResult = PlanResult{Outcome: PlanDefaulted, TotalFen: 1_302_700, PaidFen: 434_234, OutstandingFen: 868_466, DefaultedInstallment: 2}
		h.agreeAndConfirm(DecisionConfirmed, "")
		res := h.run()
		require.Equal(t, StageDefaulted, res.Stage)
		last := h.events[len(h.events)-1]
		require.Equal(t, "performance_defaulted", last.Kind)
		require.Contains(t, last.Reason, "apply for enforcement")
		require.Equal(t, casefile.PerformanceDefaulted, h.summary.Performance)
	})

	t.Run("DefaultedWhileLaterInstallmentsAreSupervised", func(t *testing.T) {
		h := newHarness(t, start)
		var midway casefile.Summary
		h.planRun = func(ctx workflow.Context, in PlanInput) (PlanResult, error) {
			require.True(t, in.SuperviseAfterDefault, "a confirmed agreement is supervised past its first default")
			require.True(t, in.CertificateOnApplication)
			parent := workflow.GetInfo(ctx).ParentWorkflowExecution
			workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalPlanDefaulted, PlanDefaultSignal{
				PlanID: in.PlanID, Installment: 1, DueOn: in.Installments[0].DueOn, OutstandingFen: 1_302_700,
			})
			_ = workflow.Sleep(ctx, 40*24*time.Hour)
			midway = *h.summary
			_ = workflow.Sleep(ctx, 40*24*time.Hour)
			return PlanResult{Outcome: PlanDefaulted, TotalFen: 1_302_700, OutstandingFen: 1_302_700, DefaultedInstallment: 1}, nil
		}
		h.agreeAndConfirm(DecisionConfirmed, "")
		res := h.run()
		require.Equal(t, StageDefaulted, midway.Stage, "in default at the first default")
		require.Equal(t, casefile.StatusOpen, midway.Status, "and still open while the plan supervises the rest")
		require.Equal(t, casefile.PerformanceDefaulted, midway.Performance)
		require.Equal(t, StageDefaulted, res.Stage)
		require.Equal(t, casefile.StatusClosed, h.summary.Status)
		kinds := h.kinds()
		require.Equal(t, []string{"performance_defaulted", "performance_supervision_ended"}, kinds[len(kinds)-2:])
	})

	t.Run("DecisionExtendedOnceThenOverdue", func(t *testing.T) {
		h := newHarness(t, start)
		h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(opened.AddDays(1)), Actor: mediator})
		h.at(day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: applicantParty})
		h.at(day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: respondentParty})
		h.at(day(4), UpdateAcceptConfirmation, CourtCommand{Actor: judge})
		ext := h.at(day(10), UpdateExtendDecision, CourtCommand{Reason: "案情复杂，经院长批准延长", Actor: judge})
		again := h.at(day(11), UpdateExtendDecision, CourtCommand{Reason: "再次延长", Actor: judge})
		h.runUntil(day(60))
		require.NoError(t, ext.err)
		// 2026-03-30 + 10 days = 2026-04-09 (Thu).
		require.Equal(t, policy.NewDate(2026, 4, 9), ext.view.Confirmation.DecideBy)
		requireRejected(t, again, RejectConflict)
		last := h.events[len(h.events)-1]
		require.Equal(t, "confirmation_decision_overdue", last.Kind)
		require.Equal(t, policy.NewDate(2026, 4, 10), last.CaseOn)
		require.Equal(t, "confirmation_decision", h.summary.NextDeadline.Kind)
	})
}

func TestConfirmationRefusesBadCommands(t *testing.T) {
	start := cst(2026, 3, 10)
	opened := policy.DateOf(start)
	stranger := casefile.Actor{Subject: "li-si", Role: casefile.RoleParty}
	tests := []struct {
		name string
		at   time.Duration
		upd  string
		cmd  any
		kind string
	}{
		{"ApplyByNonParty", day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: stranger}, RejectForbidden},
		{"ApplyByMediator", day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: mediator}, RejectForbidden},
		{"ApplyTwice", day(2) + time.Hour, UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: applicantParty}, RejectConflict},
		{"ApplyAfterWindow", day(40), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: respondentParty}, RejectConflict},
		{"AcceptBeforeJointApplication", day(2) + 2*time.Hour, UpdateAcceptConfirmation, CourtCommand{Actor: judge}, RejectConflict},
		{"AcceptByMediator", day(2) + 2*time.Hour, UpdateAcceptConfirmation, CourtCommand{Actor: mediator}, RejectForbidden},
		{"DecideBeforeAcceptance", day(2) + 2*time.Hour, UpdateDecideConfirmation, DecideConfirmationCommand{Decision: DecisionConfirmed, Actor: judge}, RejectConflict},
		{"FollowUpBeforeClose", day(3), UpdateRecordFollowUp, FollowUpCommand{Holds: true, Actor: mediator}, RejectConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, start)
			h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(opened.AddDays(1)), Actor: mediator})
			h.at(day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: applicantParty})
			r := h.at(tt.at, tt.upd, tt.cmd)
			h.runUntil(day(45))
			requireRejected(t, r, tt.kind)
			require.Equal(t, []string{"delegated", "agreement_reached", "confirmation_applied_by_party", "confirmation_window_passed"}, h.kinds()[:4],
				"refused commands leave no step")
		})
	}

	t.Run("InvalidDecisions", func(t *testing.T) {
		h := newHarness(t, start)
		h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(opened.AddDays(1)), Actor: mediator})
		h.at(day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: applicantParty})
		h.at(day(2), UpdateApplyConfirmation, ApplyConfirmationCommand{Actor: respondentParty})
		h.at(day(3), UpdateAcceptConfirmation, CourtCommand{Actor: judge})
		unknown := h.at(day(4), UpdateDecideConfirmation, DecideConfirmationCommand{Decision: "maybe", Actor: judge})
		noReason := h.at(day(4)+time.Hour, UpdateDecideConfirmation, DecideConfirmationCommand{Decision: DecisionRejected, Actor: judge})
		byParty := h.at(day(4)+2*time.Hour, UpdateDecideConfirmation, DecideConfirmationCommand{Decision: DecisionConfirmed, Actor: applicantParty})
		h.runUntil(day(5))
		requireRejected(t, unknown, RejectInvalid)
		requireRejected(t, noReason, RejectInvalid)
		requireRejected(t, byParty, RejectForbidden)
		require.Equal(t, "confirmation_accepted", h.events[len(h.events)-1].Kind)
	})
}

func sumFen(in []Installment) int64 {
	var s int64
	for _, i := range in {
		s += i.AmountFen
	}
	return s
}
