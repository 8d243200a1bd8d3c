package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

var (
	mediator = casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator}
	judge    = casefile.Actor{Subject: "judge-li", Role: casefile.RoleCourt}
	parties  = []Party{
		{ID: "zhang-san", Name: "张三", Side: SideApplicant},
		{ID: "xx-construction", Name: "某建筑公司", Side: SideRespondent},
	}
)

// harness runs one mediation workflow under the SDK's test environment,
// with time skipping, the real policy registry and the read-model write
// captured instead of stored.
type harness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	start   time.Time
	events  []casefile.Event
	summary *casefile.Summary
	// planResult is what the performance plan ends with; planErr, when
	// set, is how its workflow fails instead.
	planResult PlanResult
	planErr    error
	planInput  *PlanInput
	// planRun, when set, is the plan itself: it may signal the case and
	// take time before it ends.
	planRun func(workflow.Context, PlanInput) (PlanResult, error)
	updates int
	// partyList, when set, is how the case's parties travel: by reference
	// to the staged list of parties, which PartySides answers from.
	partyList *db.PartyList
	// records are the recording activity's inputs, in order.
	records []activities.RecordStepsInput
	// sidesAsked are the parties PartySides was asked about.
	sidesAsked [][]string
}

func newHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	return newHarnessWith(t, start, &activities.Policies{Registry: reg})
}

// newHarnessWith is newHarness answering policy lookups with pa.
func newHarnessWith(t *testing.T, start time.Time, pa *activities.Policies) *harness {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	h := &harness{t: t, env: ts.NewTestWorkflowEnvironment(), start: start}
	h.env.SetStartTime(start)
	h.env.RegisterWorkflow(NoticeDelivery)
	h.env.RegisterActivity(pa)
	rec := &activities.Recorder{}
	h.env.RegisterActivity(rec)
	// The performance plan is its own workflow with its own tests; here it
	// answers with whatever result the test sets.
	h.env.RegisterWorkflow(InstallmentPlan)
	h.env.OnWorkflow(InstallmentPlan, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in PlanInput) (PlanResult, error) {
			h.planInput = &in
			if h.planRun != nil {
				return h.planRun(ctx, in)
			}
			return h.planResult, h.planErr
		})
	h.env.OnActivity(rec.RecordSteps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepsInput) error {
			require.NotNil(t, in.Summary, "the mediation owns the case summary")
			for _, e := range in.Events {
				require.Equal(t, len(h.events)+1, e.Seq, "steps are recorded in order, once")
				h.events = append(h.events, e)
			}
			h.summary = in.Summary
			h.records = append(h.records, in)
			return nil
		})
	h.env.OnActivity(rec.PartySides, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PartySidesInput) ([]string, error) {
			require.Equal(t, h.partyList, &in.List, "the case asks about its own list")
			h.sidesAsked = append(h.sidesAsked, in.IDs)
			sides := make([]string, len(in.IDs))
			for i, id := range in.IDs {
				for _, p := range parties {
					if p.ID == id {
						sides[i] = p.Side
					}
				}
			}
			return sides, nil
		})
	return h
}

func (h *harness) run() MediationResult {
	h.execute()
	require.NoError(h.t, h.env.GetWorkflowError())
	var res MediationResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

// runUntil runs the case and stops it after d, for tests that care only
// about its first steps.
func (h *harness) runUntil(d time.Duration) {
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, d)
	h.execute()
	require.ErrorContains(h.t, h.env.GetWorkflowError(), "canceled")
}

func (h *harness) execute() {
	in := MediationInput{
		CaseID: "c1", CaseNumber: "（2026）黔2301民诉前调1号", Court: "兴义市人民法院", Jurisdiction: "CN",
		Organisation: "兴义市人民调解委员会", Mediator: mediator.Subject, Parties: parties,
		ClaimFen: 1_302_700, DelegatedBy: judge,
	}
	if h.partyList != nil {
		in.Parties, in.PartyList = nil, h.partyList
	}
	h.env.ExecuteWorkflow(Mediation, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
}

// updateResult is what came back from one command.
type updateResult struct {
	view MediationView
	err  error
}

// at sends a command after d of case time has passed.
func (h *harness) at(d time.Duration, name string, cmd any) *updateResult {
	r := &updateResult{}
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { r.err = err },
			OnComplete: func(v any, err error) {
				if err != nil {
					r.err = err
					return
				}
				r.view = v.(MediationView)
			},
		}, cmd)
	}, d)
	return r
}

func (h *harness) kinds() []string {
	var out []string
	for _, e := range h.events {
		out = append(out, e.Kind)
	}
	return out
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func cst(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, policy.CST) }

func threeInstallments(agreedOn policy.Date) *Terms {
	return &Terms{
		Obligor: "xx-construction", Obligees: []string{"zhang-san"}, TotalFen: 1_302_700,
		Installments: []Installment{
			{DueOn: agreedOn.AddDays(30), AmountFen: 434_234},
			{DueOn: agreedOn.AddDays(60), AmountFen: 434_233},
			{DueOn: agreedOn.AddDays(90), AmountFen: 434_233},
		},
	}
}

func requireRejected(t *testing.T, r *updateResult, kind string) {
	t.Helper()
	require.Error(t, r.err, "command should have been refused")
	got, _, ok := Rejection(r.err)
	require.True(t, ok, "got %v, want a rejection", r.err)
	require.Equal(t, kind, got)
}

func TestMediation(t *testing.T) {
	// 2026-03-10 is a Tuesday; 30 days later, 2026-04-09, is a Thursday.
	start := cst(2026, 3, 10)
	opened := policy.NewDate(2026, 3, 10)
	deadline := policy.NewDate(2026, 4, 9)

	t.Run("AgreementWithinDeadline", func(t *testing.T) {
		h := newHarness(t, start)
		agreed := h.at(day(5), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(opened.AddDays(5)), Actor: mediator})
		h.runUntil(day(6))
		require.NoError(t, agreed.err)
		require.Equal(t, StageAgreementReached, agreed.view.Stage)
		require.Equal(t, opened.AddDays(5), agreed.view.Agreement.AgreedOn)
		require.Equal(t, []string{"delegated", "agreement_reached"}, h.kinds())
		// Agreed is resolved, but the case stays open for judicial confirmation.
		require.Equal(t, casefile.StatusOpen, h.summary.Status)
		require.Equal(t, casefile.Resolved, h.summary.Resolution)
		require.Equal(t, "confirmation_application", h.summary.NextDeadline.Kind)
		require.Equal(t, policy.NewDate(2026, 4, 14), h.summary.NextDeadline.On, "30 days from the agreement on 2026-03-15")
		require.Equal(t, deadline, agreed.view.Deadline, "the mediation deadline comes from the policy: 30 days")
	})

	t.Run("OneExtensionThenAgreement", func(t *testing.T) {
		h := newHarness(t, start)
		ext := h.at(day(20), UpdateExtendDeadline, ExtendCommand{Reason: "双方同意延长调解期限", Actor: mediator})
		// Day 35 is past the original deadline but inside the extension.
		agreed := h.at(day(35), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(opened.AddDays(35)), Actor: mediator})
		h.runUntil(day(36))
		require.NoError(t, ext.err)
		require.Equal(t, policy.NewDate(2026, 4, 24), ext.view.Deadline, "extended by 15 days from 2026-04-09")
		require.Equal(t, 1, ext.view.ExtensionsUsed)
		require.NoError(t, agreed.err)
		require.Equal(t, StageAgreementReached, agreed.view.Stage)
		require.Equal(t, []string{"delegated", "deadline_extended", "agreement_reached"}, h.kinds())
	})

	t.Run("SecondExtensionRefused", func(t *testing.T) {
		h := newHarness(t, start)
		first := h.at(day(10), UpdateExtendDeadline, ExtendCommand{Reason: "双方同意", Actor: mediator})
		second := h.at(day(11), UpdateExtendDeadline, ExtendCommand{Reason: "再次延长", Actor: mediator})
		res := h.run()
		require.NoError(t, first.err)
		requireRejected(t, second, RejectConflict)
		require.Equal(t, StageReturnedForLitigation, res.Stage)
		require.Equal(t, ReasonMediationDeadline, res.Outcome)
		// The case returns to the court when 2026-04-24 has passed.
		require.Equal(t, policy.NewDate(2026, 4, 25).Start(), h.env.Now().In(policy.CST))
		require.Equal(t, []string{"delegated", "deadline_extended", "mediation_deadline_passed", "returned_for_litigation"}, h.kinds())
	})

	t.Run("Failure", func(t *testing.T) {
		h := newHarness(t, start)
		failed := h.at(day(3), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeFailed, Reason: "被申请人拒绝调解", Actor: mediator})
		res := h.run()
		require.NoError(t, failed.err)
		require.Equal(t, StageReturnedForLitigation, res.Stage)
		require.Equal(t, ReasonMediationFailed, res.Outcome)
		require.Equal(t, []string{"delegated", "mediation_failed", "returned_for_litigation"}, h.kinds())
		require.Equal(t, "被申请人拒绝调解", h.events[1].Reason)
		require.Equal(t, mediator, h.events[1].Actor)
		require.Equal(t, casefile.System, h.events[2].Actor)
	})

	t.Run("Withdrawal", func(t *testing.T) {
		h := newHarness(t, start)
		w := h.at(day(2), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeWithdrawn, Reason: "申请人撤回", Actor: mediator})
		res := h.run()
		require.NoError(t, w.err)
		require.Equal(t, StageWithdrawn, res.Stage)
		require.Equal(t, []string{"delegated", "withdrawn"}, h.kinds())
	})

	t.Run("Timeout", func(t *testing.T) {
		h := newHarness(t, start)
		res := h.run()
		require.Equal(t, StageReturnedForLitigation, res.Stage)
		require.Equal(t, ReasonMediationDeadline, res.Outcome)
		require.Equal(t, deadline.AddDays(1).Start(), h.env.Now().In(policy.CST), "returned when the last day has passed, not before")
		require.Equal(t, []string{"delegated", "mediation_deadline_passed", "returned_for_litigation"}, h.kinds())
		require.Equal(t, deadline.AddDays(1), h.events[1].CaseOn)
	})

	t.Run("DeadlineInSpringFestivalMovesToNextWorkingDay", func(t *testing.T) {
		// 2026-01-16 + 30 days = 2026-02-15, inside the 2026-02-15..23 break.
		h := newHarness(t, cst(2026, 1, 16))
		res := h.run()
		require.Equal(t, StageReturnedForLitigation, res.Stage)
		require.Equal(t, policy.NewDate(2026, 2, 25).Start(), h.env.Now().In(policy.CST))
	})
}

func TestMediationRefusesBadCommands(t *testing.T) {
	start := cst(2026, 3, 10)
	agreedOn := policy.NewDate(2026, 3, 11)
	terms := func(mut func(*Terms)) *Terms {
		tm := threeInstallments(agreedOn)
		mut(tm)
		return tm
	}
	tests := []struct {
		name string
		cmd  OutcomeCommand
		kind string
	}{
		{"NegativeAmount", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator, Terms: terms(func(t *Terms) {
			t.Installments[0].AmountFen, t.Installments[1].AmountFen = -100, 868_566
		})}, RejectInvalid},
		{"InstallmentsNotSummingToTotal", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator, Terms: terms(func(t *Terms) { t.TotalFen++ })}, RejectInvalid},
		{"DueDateBeforeAgreement", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator, Terms: terms(func(t *Terms) {
			t.Installments[0].DueOn = agreedOn.AddDays(-1)
		})}, RejectInvalid},
		{"DueDateOnAgreementDay", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator, Terms: terms(func(t *Terms) {
			t.Installments[0].DueOn = agreedOn
		})}, RejectInvalid},
		{"InstallmentsOutOfOrder", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator, Terms: terms(func(t *Terms) {
			t.Installments[1].DueOn = agreedOn.AddDays(100)
		})}, RejectInvalid},
		{"ObligorNotAParty", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator, Terms: terms(func(t *Terms) { t.Obligor = "stranger" })}, RejectInvalid},
		{"ObligeeIsObligor", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator, Terms: terms(func(t *Terms) { t.Obligees = []string{"xx-construction"} })}, RejectInvalid},
		{"AgreementWithoutTerms", OutcomeCommand{Outcome: OutcomeAgreed, Actor: mediator}, RejectInvalid},
		{"FailureWithoutReason", OutcomeCommand{Outcome: OutcomeFailed, Actor: mediator}, RejectInvalid},
		{"UnknownOutcome", OutcomeCommand{Outcome: "settled-ish", Reason: "x", Actor: mediator}, RejectInvalid},
		{"AnotherMediator", OutcomeCommand{Outcome: OutcomeFailed, Reason: "x", Actor: casefile.Actor{Subject: "mediator-zhao", Role: casefile.RoleMediator}}, RejectForbidden},
		{"CourtRecordingMediation", OutcomeCommand{Outcome: OutcomeFailed, Reason: "x", Actor: judge}, RejectForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, start)
			r := h.at(day(1), UpdateRecordOutcome, tt.cmd)
			res := h.run()
			requireRejected(t, r, tt.kind)
			// Nothing changed: the case ran to its deadline untouched.
			require.Equal(t, StageReturnedForLitigation, res.Stage)
			require.Equal(t, []string{"delegated", "mediation_deadline_passed", "returned_for_litigation"}, h.kinds())
		})
	}

	t.Run("CommandAfterClose", func(t *testing.T) {
		h := newHarness(t, start)
		h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeWithdrawn, Reason: "撤回", Actor: mediator})
		// Sent in the same instant as the withdrawal, after it: the case is
		// already closed when this one is validated.
		late := h.at(day(1), UpdateExtendDeadline, ExtendCommand{Reason: "late", Actor: mediator})
		h.run()
		requireRejected(t, late, RejectConflict)
		require.Equal(t, []string{"delegated", "withdrawn"}, h.kinds())
	})
}
