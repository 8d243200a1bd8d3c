package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// restartHarness runs a mediation case whose performance plans are the
// real InstallmentPlan, except that the first one fails at failAt, with the
// plans read model kept in memory.
type restartHarness struct {
	*harness
	streams map[string][]casefile.Event
	ledgers planStore // the plans as stored, by plan
	inputs  map[string]PlanInput
	notices []activities.NoticeInput
}

func newRestartHarness(t *testing.T, start time.Time, failAt time.Duration) *restartHarness {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	var ts testsuite.WorkflowTestSuite
	h := &restartHarness{
		harness: &harness{t: t, env: ts.NewTestWorkflowEnvironment(), start: start},
		streams: map[string][]casefile.Event{}, ledgers: planStore{}, inputs: map[string]PlanInput{},
	}
	env := h.env
	env.SetStartTime(start)
	env.RegisterWorkflow(NoticeDelivery)
	env.RegisterActivity(&activities.Policies{Registry: reg})
	rec := &activities.Recorder{}
	env.RegisterActivity(rec)
	env.RegisterWorkflow(InstallmentPlan)
	env.OnWorkflow(InstallmentPlan, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in PlanInput) (PlanResult, error) {
			h.inputs[in.PlanID] = in
			if in.PlanID != PerformancePlanID {
				return InstallmentPlan(ctx, in)
			}
			// The first plan supervises, takes payments, then its workflow
			// fails as an operator's termination or a defect would end it.
			workflow.Go(ctx, func(ctx workflow.Context) { _, _ = InstallmentPlan(ctx, in) })
			_ = workflow.Sleep(ctx, start.Add(failAt).Sub(workflow.Now(ctx)))
			return PlanResult{}, errors.New("plan workflow terminated by an operator")
		})
	env.OnActivity(rec.RecordSteps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepsInput) error {
			for _, e := range in.Events {
				require.Equal(t, in.Summary != nil, e.Stream == "mediation", "only the case's stream writes the summary")
				require.Equal(t, len(h.streams[e.Stream])+1, e.Seq, "steps of %s are recorded in order, once", e.Stream)
				h.streams[e.Stream] = append(h.streams[e.Stream], e)
				if e.Stream == "mediation" {
					h.events = append(h.events, e)
				}
			}
			if in.Summary != nil {
				h.summary = in.Summary
			}
			return nil
		})
	env.OnActivity(rec.RecordPlan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordPlanInput) error {
			h.ledgers.record(in.Plan)
			return nil
		})
	env.OnActivity(rec.PlanLedger, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanLedgerInput) (activities.PlanLedgerResult, error) {
			require.Equal(t, "c1", in.CaseID)
			last, ok := h.ledgers[in.PlanID]
			res := activities.PlanLedgerResult{Found: ok, Plan: last}
			for _, n := range h.notices {
				if ok && in.NoticeStream != "" && n.Stream == in.NoticeStream {
					res.Notices = append(res.Notices, db.NoticeKey{CaseID: n.CaseID, Stream: n.Stream, Installment: n.Installment, Kind: n.Kind, Seq: n.Seq})
				}
			}
			return res, nil
		})
	n := &activities.Notifier{}
	env.RegisterActivity(n)
	env.OnActivity(n.EnqueueNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeInput) (int64, error) {
			h.notices = append(h.notices, in)
			return int64(len(h.notices)), nil
		})
	env.OnActivity(n.DeliverNotice, mock.Anything, mock.Anything).Return(nil)
	return h
}

// planResult is what came back from one command to a plan.
type planResult struct {
	view PlanView
	err  error
}

// payAt records a payment to plan planID of case c1 after d.
func (h *restartHarness) payAt(d time.Duration, planID string, cmd PaymentCommand) *planResult {
	return h.planAt(d, planID, UpdateRecordPayment, cmd)
}

// planAt sends command name to plan planID of case c1 after d.
func (h *restartHarness) planAt(d time.Duration, planID, name string, cmd any) *planResult {
	r := &planResult{}
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	h.env.RegisterDelayedCallback(func() {
		r.err = h.env.UpdateWorkflowByID(PlanWorkflowID("c1", planID), name, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { r.err = err },
			OnComplete: func(v any, err error) {
				if err != nil {
					r.err = err
					return
				}
				r.view = v.(PlanView)
			},
		}, cmd)
	}, d)
	return r
}

// allocated sums what the payment steps of stream credited to each
// installment.
func (h *restartHarness) allocated(stream string) map[int]int64 {
	out := map[int]int64{}
	for _, e := range h.streams[stream] {
		if e.Kind != "payment_recorded" {
			continue
		}
		var data struct {
			Allocations []allocation `json:"allocations"`
		}
		require.NoError(h.t, json.Unmarshal(e.Data, &data))
		for _, a := range data.Allocations {
			out[a.No] += a.AmountFen
		}
	}
	return out
}

// TestRestartFailedPerformancePlan: the confirmed agreement's plan takes
// the first installment, then its workflow fails; the court restarts
// supervision, the new plan "performance-2" carries the first installment
// as paid, the obligor pays the rest to it and the case ends performed,
// each payment credited once.
func TestRestartFailedPerformancePlan(t *testing.T) {
	start := cst(2026, 3, 10)
	opened := policy.DateOf(start)
	h := newRestartHarness(t, start, day(25))
	_, decided := h.agreeAndConfirm(DecisionConfirmed, "")
	// Installments of 434,234, 434,233 and 434,233 fen fall due on days
	// 31, 61 and 91.
	first := h.payAt(day(20), PerformancePlanID, PaymentCommand{AmountFen: 434_234, PaidOn: opened.AddDays(20), Reason: "银行转账", Actor: judge})
	early := h.at(day(10), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启", Actor: judge})
	byMediator := h.at(day(26), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启", Actor: mediator})
	byParty := h.at(day(26), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启", Actor: applicantParty})
	noReason := h.at(day(26), UpdateRestartPerformance, RestartPlanCommand{Reason: "  ", Actor: judge})
	restarted := h.at(day(27), UpdateRestartPerformance, RestartPlanCommand{Reason: "履行计划被误终止，经庭长批准重启督促", Actor: judge})
	again := h.at(day(28), UpdateRestartPerformance, RestartPlanCommand{Reason: "再次重启", Actor: judge})
	second := h.payAt(day(50), "performance-2", PaymentCommand{AmountFen: 434_233, PaidOn: opened.AddDays(50), Actor: judge})
	third := h.payAt(day(80), "performance-2", PaymentCommand{AmountFen: 434_233, PaidOn: opened.AddDays(80), Actor: judge})
	h.runUntil(day(85))

	require.NoError(t, decided.err)
	require.NoError(t, first.err)
	requireRejected(t, early, RejectConflict)
	requireRejected(t, byMediator, RejectForbidden)
	requireRejected(t, byParty, RejectForbidden)
	requireRejected(t, noReason, RejectInvalid)
	requireRejected(t, again, RejectConflict)

	require.NoError(t, restarted.err)
	require.Equal(t, StagePerforming, restarted.view.Stage)
	perf := restarted.view.Performance
	require.Equal(t, "performance-2", perf.PlanID)
	require.Equal(t, PlanWorkflowID("c1", "performance-2"), perf.WorkflowID)
	require.Len(t, perf.FailedPlans, 1)
	require.Equal(t, PerformancePlanID, perf.FailedPlans[0].PlanID)
	require.Contains(t, perf.FailedPlans[0].Failure, "terminated by an operator")
	want := []CreditedInstallment{{No: 1, PaidFen: 434_234, PaidOn: opened.AddDays(20)}}
	require.Equal(t, want, perf.Credited)
	require.Equal(t, want, h.inputs["performance-2"].Credited, "the new plan starts with the failed plan's credits")

	var step casefile.Event
	for _, e := range h.events {
		if e.Kind == "performance_plan_restarted" {
			step = e
		}
	}
	require.Equal(t, judge, step.Actor)
	require.Equal(t, "履行计划被误终止，经庭长批准重启督促", step.Reason)
	var data struct {
		Old         string `json:"old_plan_id"`
		New         string `json:"new_plan_id"`
		CreditedFen int64  `json:"credited_fen"`
		From        string `json:"credits_from"`
	}
	require.NoError(t, json.Unmarshal(step.Data, &data))
	require.Equal(t, PerformancePlanID, data.Old)
	require.Equal(t, "performance-2", data.New)
	require.Equal(t, int64(434_234), data.CreditedFen)
	require.Equal(t, creditsFromLedger, data.From)

	require.NoError(t, second.err)
	require.NoError(t, third.err)
	v := third.view
	require.Equal(t, PlanPerformed, v.Stage)
	require.Equal(t, int64(1_302_700), v.PaidFen)
	require.Zero(t, v.OverpaidFen, "nothing credited twice")
	require.True(t, v.OnTime, "each installment was paid by its due date, the first before the failure")
	for i, l := range v.Installments {
		require.Equal(t, l.AmountFen, l.PaidFen, "installment %d", l.No)
		require.Equal(t, opened.AddDays(20+30*i), l.PaidOn, "installment %d", l.No)
	}
	// Each payment is credited once, by the plan that took it.
	require.Equal(t, map[int]int64{1: 434_234}, h.allocated("plan/performance"))
	require.Equal(t, map[int]int64{2: 434_233, 3: 434_233}, h.allocated("plan/performance-2"))
	require.Equal(t, int64(434_234), h.ledgers[PerformancePlanID].PaidFen, "the failed plan's ledger stays as it left it")
	require.Equal(t, int64(1_302_700), h.ledgers["performance-2"].PaidFen)

	require.Equal(t, StagePerformed, h.summary.Stage)
	require.Equal(t, casefile.PerformedAutomatically, h.summary.Performance)
	kinds := h.kinds()
	require.Equal(t, []string{"confirmed", "performance_plan_failed", "performance_plan_restarted", "performed"}, kinds[len(kinds)-4:])
}

// TestEnforcementEndsTheCurrentPlan: enforcement of a confirmed agreement
// tells the plan the title names that enforcement took over, the
// restarted plan once the court restarted a failed one, and "performance"
// for titles that name none.
func TestEnforcementEndsTheCurrentPlan(t *testing.T) {
	for _, tt := range []struct{ name, plan, want string }{
		{"FirstPlan", "", PlanWorkflowID("c1", PerformancePlanID)},
		{"RestartedPlan", "performance-2", PlanWorkflowID("c1", "performance-2")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			var got []string
			h.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, SignalEnforcementFiled, mock.Anything).Return(
				func(_, workflowID, _, _ string, _ any) error {
					got = append(got, workflowID)
					return nil
				})
			title := EnforceableTitle{
				Kind: TitleConfirmedMediationAgreement, DocumentNumber: "（2025）黔2301民特1号", DocumentDate: enfToday.AddDays(-60),
				SourceCaseID: "c1", SourcePlanID: tt.plan, DueDates: []policy.Date{enfToday.AddDays(-30)},
			}
			h.env.RegisterDelayedCallback(h.env.CancelWorkflow, day(2))
			h.env.ExecuteWorkflow(Enforcement, enfInput(enfToday, title))
			require.ErrorContains(t, h.env.GetWorkflowError(), "canceled")
			require.Equal(t, []string{tt.want}, got)
		})
	}
}

// TestRestartInDefault: a plan that had signalled a default fails before
// it stored any ledger. Restarted, the case is supervised in default again
// (the obligee may still apply for enforcement), the restart says no
// credits were recorded, and the new plan's end closes the case.
func TestRestartInDefault(t *testing.T) {
	h := newHarness(t, cst(2026, 3, 10))
	var rec *activities.Recorder
	h.env.OnActivity(rec.PlanLedger, mock.Anything, mock.Anything).Return(activities.PlanLedgerResult{}, nil)
	var second PlanInput
	h.planRun = func(ctx workflow.Context, in PlanInput) (PlanResult, error) {
		if in.PlanID != PerformancePlanID {
			second = in
			_ = workflow.Sleep(ctx, day(10))
			return PlanResult{Outcome: PlanDefaulted, TotalFen: 1_302_700, OutstandingFen: 1_302_700, DefaultedInstallment: 1}, nil
		}
		parent := workflow.GetInfo(ctx).ParentWorkflowExecution
		workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalPlanDefaulted, PlanDefaultSignal{
			PlanID: in.PlanID, Installment: 1, DueOn: in.Installments[0].DueOn, OutstandingFen: 1_302_700,
		})
		_ = workflow.Sleep(ctx, day(40))
		return PlanResult{}, errors.New("plan workflow terminated by an operator")
	}
	h.agreeAndConfirm(DecisionConfirmed, "")
	restarted := h.at(day(50), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启督促", Actor: judge})
	res := h.run()

	require.NoError(t, restarted.err)
	require.Equal(t, StageDefaulted, restarted.view.Stage, "in default again, supervised")
	require.Equal(t, "performance-2", second.PlanID)
	require.Empty(t, second.Credited)
	require.True(t, second.SuperviseAfterDefault)
	require.Equal(t, StageDefaulted, res.Stage)
	require.Equal(t, casefile.StatusClosed, h.summary.Status)
	kinds := h.kinds()
	require.Equal(t, []string{"performance_defaulted", "performance_plan_failed", "performance_plan_restarted", "performance_supervision_ended"}, kinds[len(kinds)-4:])
	var data struct {
		From string `json:"credits_from"`
	}
	require.NoError(t, json.Unmarshal(h.events[len(h.events)-2].Data, &data))
	require.Equal(t, creditsFromNoneFound, data.From)
}

// TestFailedPlanCreditsCarryOn: a restarted plan that fails before it
// stored a ledger passes on the credits carried into it.
func TestFailedPlanCreditsCarryOn(t *testing.T) {
	h := newHarness(t, cst(2026, 3, 10))
	var rec *activities.Recorder
	h.env.OnActivity(rec.PlanLedger, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanLedgerInput) (activities.PlanLedgerResult, error) {
			if in.PlanID != PerformancePlanID {
				return activities.PlanLedgerResult{}, nil
			}
			return activities.PlanLedgerResult{Found: true, Plan: db.Plan{CaseID: "c1", PlanID: PerformancePlanID, PaidFen: 500_000,
				Installments: []db.PlanInstallment{
					{No: 1, AmountFen: 434_234, PaidFen: 434_234, PaidOn: policy.NewDate(2026, 3, 20)},
					{No: 2, AmountFen: 434_233, PaidFen: 65_766, PaidOn: policy.NewDate(2026, 3, 21)},
					{No: 3, AmountFen: 434_233},
				}}}, nil
		})
	inputs := map[string]PlanInput{}
	h.planRun = func(ctx workflow.Context, in PlanInput) (PlanResult, error) {
		inputs[in.PlanID] = in
		return PlanResult{}, errors.New("plan workflow failed")
	}
	h.agreeAndConfirm(DecisionConfirmed, "")
	first := h.at(day(8), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启督促", Actor: judge})
	second := h.at(day(9), UpdateRestartPerformance, RestartPlanCommand{Reason: "再次重启督促", Actor: judge})
	h.runUntil(day(10))

	require.NoError(t, first.err)
	require.NoError(t, second.err)
	want := []CreditedInstallment{{No: 1, PaidFen: 434_234, PaidOn: policy.NewDate(2026, 3, 20)}, {No: 2, PaidFen: 65_766, PaidOn: policy.NewDate(2026, 3, 21)}}
	require.Equal(t, want, inputs["performance-2"].Credited)
	require.Equal(t, want, inputs["performance-3"].Credited, "carried on from performance-2, which stored no ledger")
	require.Equal(t, "performance-3", second.view.Performance.PlanID)
	require.Len(t, second.view.Performance.FailedPlans, 2)
	require.Equal(t, StagePerformanceFailed, h.summary.Stage, "performance-3 failed too, and waits for the court")
}

// TestRestartAfterPreEnforcementSettlement: the plan takes part of the
// first installment, the installment defaults, a pre-enforcement
// settlement replaces what is owed with two installments of its own, the
// obligor pays part of the first, and then the plan's workflow fails. The
// court restarts supervision: the new plan runs the same schedule, the
// agreement's installments superseded as they were and the settlement's
// two lines with their due dates, what the failed plan credited already
// paid, and supervises what the settlement still has owed. Paid to it, the
// case ends performed (late: a settlement followed a default), each
// payment credited once, by the plan that took it.
func TestRestartAfterPreEnforcementSettlement(t *testing.T) {
	start := cst(2026, 3, 10)
	opened := policy.DateOf(start)
	h := newRestartHarness(t, start, day(65))
	_, decided := h.agreeAndConfirm(DecisionConfirmed, "")
	// Installments of 434,234, 434,233 and 434,233 fen fall due on days
	// 31, 61 and 91; the first defaults when its grace period and the
	// late-recording window have passed, at the end of day 41.
	part := h.payAt(day(20), PerformancePlanID, PaymentCommand{AmountFen: 100_000, PaidOn: opened.AddDays(20), Reason: "部分履行", Actor: judge})
	settledOn := opened.AddDays(43)
	due4, due5 := opened.AddDays(71), opened.AddDays(101)
	settle := h.planAt(day(43), PerformancePlanID, UpdateSettleBeforeEnforcement, PreEnforcementSettlementCommand{
		Installments: []Installment{{DueOn: due4, AmountFen: 600_000}, {DueOn: due5, AmountFen: 602_700}},
		ConsentedBy:  []string{"zhang-san"}, Reason: "双方达成执前和解", Actor: mediator,
	})
	toSettlement := h.payAt(day(60), PerformancePlanID, PaymentCommand{AmountFen: 250_000, PaidOn: opened.AddDays(60), Actor: judge})
	restarted := h.at(day(66), UpdateRestartPerformance, RestartPlanCommand{Reason: "履行计划异常终止，重启督促", Actor: judge})
	rest4 := h.payAt(day(70), "performance-2", PaymentCommand{AmountFen: 350_000, PaidOn: opened.AddDays(70), Actor: judge})
	line5 := h.payAt(day(100), "performance-2", PaymentCommand{AmountFen: 602_700, PaidOn: opened.AddDays(100), Actor: judge})
	h.runUntil(day(110))

	for i, r := range []*planResult{part, settle, toSettlement, rest4, line5} {
		require.NoError(t, r.err, "plan command %d", i+1)
	}
	require.NoError(t, decided.err)
	require.NoError(t, restarted.err)
	require.Equal(t, StageDefaulted, restarted.view.Stage, "in default when its plan failed, supervised in default again")
	require.Equal(t, []string{InstallmentSuperseded, InstallmentSuperseded, InstallmentSuperseded, InstallmentPartlyPaid, InstallmentScheduled},
		states(toSettlement.view.Installments), "the failed plan's schedule when it failed")

	// The new plan is started with the failed plan's credits and its
	// settlement, as the step records them.
	wantCredited := []CreditedInstallment{{No: 1, PaidFen: 100_000, PaidOn: opened.AddDays(20)}, {No: 4, PaidFen: 250_000, PaidOn: opened.AddDays(60)}}
	wantSettlement := CarriedSettlement{
		PreEnforcementSettlement: PreEnforcementSettlement{
			No: 1, AgreedOn: settledOn, RecordedBy: mediator, ConsentedBy: []string{"zhang-san"},
			OutstandingFen: 1_202_700, Superseded: []int{1, 2, 3}, Installments: []int{4, 5},
		},
		Schedule: []Installment{{DueOn: due4, AmountFen: 600_000}, {DueOn: due5, AmountFen: 602_700}},
	}
	in := h.inputs["performance-2"]
	require.Equal(t, wantCredited, in.Credited)
	require.Equal(t, []CarriedSettlement{wantSettlement}, in.Settlements)
	perf := restarted.view.Performance
	require.Equal(t, "performance-2", perf.PlanID)
	require.Equal(t, wantCredited, perf.Credited)
	require.Equal(t, []CarriedSettlement{wantSettlement}, perf.Settlements)
	var step casefile.Event
	for _, e := range h.events {
		if e.Kind == "performance_plan_restarted" {
			step = e
		}
	}
	var data struct {
		CreditedFen    int64               `json:"credited_fen"`
		OutstandingFen int64               `json:"outstanding_fen"`
		From           string              `json:"credits_from"`
		Settlements    []CarriedSettlement `json:"settlements"`
		Carried        string              `json:"carried"`
	}
	require.NoError(t, json.Unmarshal(step.Data, &data))
	require.Equal(t, int64(350_000), data.CreditedFen)
	require.Equal(t, int64(952_700), data.OutstandingFen)
	require.Equal(t, creditsFromLedger, data.From)
	require.Equal(t, []CarriedSettlement{wantSettlement}, data.Settlements, "an auditor reads the settlement carried")
	require.Contains(t, data.Carried, "pre-enforcement settlements")

	// The new plan supervises the settlement's remaining lines only.
	v := rest4.view
	require.Equal(t, []string{InstallmentSuperseded, InstallmentSuperseded, InstallmentSuperseded, InstallmentPaid, InstallmentScheduled}, states(v.Installments))
	require.Equal(t, []int64{334_234, 434_233, 434_233, 0, 0}, supersededFen(v.Installments))
	require.Equal(t, []int{0, 0, 0, 1, 1}, settlementOf(v.Installments))
	require.Equal(t, int64(1_302_700), v.TotalFen)
	require.Equal(t, int64(602_700), v.OutstandingFen)
	require.Len(t, v.Settlements, 1)
	reg, err := policy.Default()
	require.NoError(t, err)
	for _, l := range v.Installments[3:] {
		grace, err := reg.Deadline("CN", l.DueOn, policy.Days(7))
		require.NoError(t, err)
		require.Equal(t, grace, l.GraceEndsOn, "installment %d keeps its own grace period", l.No)
	}

	// The new plan tells the obligor the settlement's schedule, not the
	// installments it superseded.
	var told string
	for _, n := range h.notices {
		if n.Stream == "plan/performance-2" && n.Kind == NoticePerformance {
			told = n.Body
		}
	}
	require.Contains(t, told, "执前和解")
	require.Contains(t, told, "第 4 期 "+due4.String()+" 前 6,000.00元；第 5 期 "+due5.String()+" 前 6,027.00元")
	require.NotContains(t, told, "第 2 期")
	require.Contains(t, told, "已履行 3,500.00元，尚欠 9,527.00元")

	done := line5.view
	require.Equal(t, PlanPerformed, done.Stage)
	require.False(t, done.OnTime, "performed under a settlement after a default")
	require.Equal(t, int64(1_302_700), done.PaidFen)
	require.Zero(t, done.OutstandingFen)
	require.Zero(t, done.OverpaidFen, "nothing credited twice")
	var owed, paid int64
	for _, l := range done.Installments {
		owed += l.AmountFen - l.SupersededFen
		paid += l.PaidFen
		require.Zero(t, l.OutstandingFen, "installment %d", l.No)
	}
	require.Equal(t, int64(1_302_700), owed, "the schedule still sums exactly to the agreement")
	require.Equal(t, int64(1_302_700), paid)
	require.Equal(t, map[int]int64{1: 100_000, 4: 250_000}, h.allocated("plan/performance"))
	require.Equal(t, map[int]int64{4: 350_000, 5: 602_700}, h.allocated("plan/performance-2"), "the earlier credits are not credited again")
	stored := h.ledgers["performance-2"]
	require.Equal(t, int64(1_302_700), stored.PaidFen)
	require.Len(t, stored.Settlements, 1)
	require.Equal(t, int64(334_234), stored.Installments[0].SupersededFen)
	require.Equal(t, int64(350_000), h.ledgers[PerformancePlanID].PaidFen, "the failed plan's ledger stays as it left it")

	require.Equal(t, StagePerformed, h.summary.Stage)
	kinds := h.kinds()
	require.Equal(t, []string{"performance_plan_failed", "performance_plan_restarted", "performed"}, kinds[len(kinds)-3:])
}

// TestRestartLegacySettlementLedger: a failed plan's ledger stored before
// the settlements were kept still holds the settlement's lines; with one
// settlement, the restart rebuilds it from them, and with two, which lines
// are whose cannot be told and the restart is refused. A restart taken
// before versionRestartSettlements is refused as it was.
func TestRestartLegacySettlementLedger(t *testing.T) {
	on := policy.NewDate(2026, 3, 10)
	one := []db.PlanInstallment{
		{No: 1, DueOn: on.AddDays(31), AmountFen: 434_234, PaidFen: 100_000, PaidOn: on.AddDays(20), State: InstallmentSuperseded},
		{No: 2, DueOn: on.AddDays(61), AmountFen: 434_233, State: InstallmentSuperseded},
		{No: 3, DueOn: on.AddDays(91), AmountFen: 434_233, State: InstallmentSuperseded},
		{No: 4, DueOn: on.AddDays(71), AmountFen: 600_000, PaidFen: 250_000, PaidOn: on.AddDays(60), State: InstallmentPartlyPaid},
		{No: 5, DueOn: on.AddDays(101), AmountFen: 602_700, State: InstallmentScheduled},
	}
	two := append(slices.Clone(one[:3]),
		db.PlanInstallment{No: 4, DueOn: on.AddDays(71), AmountFen: 1_202_700, State: InstallmentSuperseded},
		db.PlanInstallment{No: 5, DueOn: on.AddDays(101), AmountFen: 1_202_700, State: InstallmentScheduled})
	for _, tt := range []struct {
		name  string
		lines []db.PlanInstallment
		// beforeVersion replays a restart taken before
		// versionRestartSettlements: it is refused as it was then.
		beforeVersion bool
	}{{"OneSettlement", one, false}, {"TwoSettlements", two, false}, {"BeforeTheVersion", one, true}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cst(2026, 3, 10))
			if tt.beforeVersion {
				h.env.OnGetVersion(versionRestartSettlements, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			var rec *activities.Recorder
			h.env.OnActivity(rec.PlanLedger, mock.Anything, mock.Anything).Return(activities.PlanLedgerResult{Found: true,
				Plan: db.Plan{CaseID: "c1", PlanID: PerformancePlanID, PaidFen: 350_000, Installments: tt.lines}}, nil)
			inputs := map[string]PlanInput{}
			h.planRun = func(ctx workflow.Context, in PlanInput) (PlanResult, error) {
				inputs[in.PlanID] = in
				if in.PlanID == PerformancePlanID {
					return PlanResult{}, errors.New("plan workflow failed")
				}
				_ = workflow.Sleep(ctx, day(30))
				return PlanResult{}, nil
			}
			h.agreeAndConfirm(DecisionConfirmed, "")
			restarted := h.at(day(8), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启督促", Actor: judge})
			h.runUntil(day(10))

			if tt.name != "OneSettlement" {
				requireRejected(t, restarted, RejectConflict)
				require.NotContains(t, inputs, "performance-2")
				if tt.beforeVersion {
					require.ErrorContains(t, restarted.err, "a restart runs only the agreement's own schedule")
				}
				return
			}
			require.NoError(t, restarted.err)
			in := inputs["performance-2"]
			require.Equal(t, []CreditedInstallment{{No: 1, PaidFen: 100_000, PaidOn: on.AddDays(20)}, {No: 4, PaidFen: 250_000, PaidOn: on.AddDays(60)}}, in.Credited)
			require.Equal(t, []CarriedSettlement{{
				PreEnforcementSettlement: PreEnforcementSettlement{No: 1, OutstandingFen: 1_202_700, Superseded: []int{1, 2, 3}, Installments: []int{4, 5}},
				Schedule:                 []Installment{{DueOn: on.AddDays(71), AmountFen: 600_000}, {DueOn: on.AddDays(101), AmountFen: 602_700}},
			}}, in.Settlements)
		})
	}
}

func supersededFen(ls []LedgerLine) []int64 {
	var out []int64
	for _, l := range ls {
		out = append(out, l.SupersededFen)
	}
	return out
}

func settlementOf(ls []LedgerLine) []int {
	var out []int
	for _, l := range ls {
		out = append(out, l.Settlement)
	}
	return out
}
