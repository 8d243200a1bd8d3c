package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// noticesOf lists the notices of stream as "kind:installment", in the
// order they were enqueued.
func (h *restartHarness) noticesOf(stream string) []string {
	var out []string
	for _, n := range h.notices {
		if n.Stream == stream && (n.Kind == NoticeReminder || n.Kind == NoticeDefault) {
			out = append(out, fmt.Sprintf("%s:%d", n.Kind, n.Installment))
		}
	}
	return out
}

// restartStep is the data of the case's performance_plan_restarted step.
func (h *restartHarness) restartStep() (data struct {
	Lines       []CarriedLine `json:"carried_lines"`
	OverpaidFen int64         `json:"overpaid_fen"`
	CreditedFen int64         `json:"credited_fen"`
}) {
	for _, e := range h.events {
		if e.Kind == "performance_plan_restarted" {
			require.NoError(h.t, json.Unmarshal(e.Data, &data))
			return data
		}
	}
	h.t.Fatal("no performance_plan_restarted step")
	return data
}

// TestRestartInDefaultNoticesOnce: the obligor pays nothing; installment 1
// defaults and is noticed (执行风险告知), then the plan's workflow fails and
// the court restarts supervision. From versionRestartLineStates the new
// plan starts with installment 1 in default, its reminders sent and its
// grace period as counted: it sends no second default notice for it, and
// still reminds the obligor of installments 2 and 3, and notices their
// defaults. Before the version (the old path, which running cases replay)
// the new plan notices installment 1's default a second time. Every
// expected notice is computed from the schedule and the policy: each
// reminder on its offset's day, each default when its grace period and
// late-recording window have run, sent by the plan running then.
func TestRestartInDefaultNoticesOnce(t *testing.T) {
	start := cst(2026, 3, 10)
	opened := policy.DateOf(start)
	failAt, restartAt := day(45), day(46)
	reg, err := policy.Default()
	require.NoError(t, err)
	pol, err := reg.Policy("CN")
	require.NoError(t, err)
	perf := pol.Performance
	terms := threeInstallments(opened.AddDays(1))
	planStart := start.Add(day(6)) // the decision confirms the agreement on day 6

	// Expected notices of each plan, and the grace period of each
	// installment, from the schedule and the policy.
	type expected struct{ failed, restarted, missed []string }
	var want expected
	graces := map[int]policy.Date{}
	reminded := map[int]int{} // by the failed plan
	at := func(t time.Time) *[]string {
		switch {
		case t.Before(start.Add(failAt)):
			return &want.failed
		case t.Before(start.Add(restartAt)):
			return &want.missed
		}
		return &want.restarted
	}
	for i, inst := range terms.Installments {
		no := i + 1
		for _, o := range perf.ReminderOffsets {
			on := o.SubFrom(inst.DueOn).Start()
			if on.Before(planStart) {
				continue // a plan started late does not send it late
			}
			list := at(on)
			*list = append(*list, fmt.Sprintf("%s:%d", NoticeReminder, no))
			if list == &want.failed {
				reminded[no]++
			}
		}
		grace, err := reg.Deadline("CN", inst.DueOn, perf.Grace)
		require.NoError(t, err)
		graces[no] = grace
		defaultsOn, err := reg.Deadline("CN", grace, perf.LateRecording)
		require.NoError(t, err)
		if list := at(defaultsOn.End()); list != &want.missed {
			*list = append(*list, fmt.Sprintf("%s:%d", NoticeDefault, no))
		}
	}
	// The scenario is what it means to test: installment 1 reminded and
	// noticed in default by the failed plan, the others after the restart.
	require.Equal(t, []string{"reminder:1", "reminder:1", "default_notice:1"}, want.failed)
	require.Empty(t, want.missed)
	restartedWant := want.restarted
	legacyWant := append([]string{"default_notice:1"}, want.restarted...)

	for _, tt := range []struct {
		name string
		// legacy replays a restart taken before versionRestartLineStates.
		legacy bool
		want   []string
		lines  []CarriedLine
	}{
		{"CarriesLineStates", false, restartedWant,
			[]CarriedLine{{No: 1, RemindersSent: reminded[1], NextReminder: len(perf.ReminderOffsets), Overdue: true, Defaulted: true, GraceEndsOn: graces[1]}}},
		{"BeforeTheVersion", true, legacyWant, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newRestartHarness(t, start, failAt)
			if tt.legacy {
				h.env.OnGetVersion(versionRestartLineStates, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			h.agreeAndConfirm(DecisionConfirmed, "")
			restarted := h.at(restartAt, UpdateRestartPerformance, RestartPlanCommand{Reason: "履行计划异常终止，重启督促", Actor: judge})
			// The case closes in default once the new plan has nothing left
			// to supervise, well before day 130.
			h.env.RegisterDelayedCallback(h.env.CancelWorkflow, day(130))
			h.execute()
			require.NoError(t, h.env.GetWorkflowError(), "the case closed by itself")

			require.NoError(t, restarted.err)
			require.Equal(t, StageDefaulted, restarted.view.Stage, "in default when its plan failed, supervised in default again")
			require.Equal(t, want.failed, h.noticesOf("plan/performance"))
			require.Equal(t, tt.want, h.noticesOf("plan/performance-2"))
			require.Equal(t, tt.lines, h.inputs["performance-2"].Lines)
			require.Equal(t, tt.lines, restarted.view.Performance.Lines)

			stored := h.ledgers["performance-2"]
			require.Equal(t, PlanDefaulted, stored.Stage, "every installment in default: supervision ended")
			for _, l := range stored.Installments {
				require.Equal(t, InstallmentDefaulted, l.State, "installment %d", l.No)
				require.Equal(t, graces[l.No], l.GraceEndsOn, "installment %d", l.No)
			}
			if tt.legacy {
				require.Zero(t, stored.Installments[0].RemindersSent, "the old path starts every line afresh")
				return
			}
			data := h.restartStep()
			require.Equal(t, tt.lines, data.Lines, "an auditor reads the line states carried")
			// Installment 1's reminders are the failed plan's; the new
			// plan's are those it sent, one per offset.
			require.Equal(t, []int{reminded[1], len(perf.ReminderOffsets), len(perf.ReminderOffsets)},
				[]int{stored.Installments[0].RemindersSent, stored.Installments[1].RemindersSent, stored.Installments[2].RemindersSent})
			kinds := h.kinds()
			require.Equal(t, []string{"performance_defaulted", "performance_plan_failed", "performance_plan_restarted", "performance_supervision_ended"}, kinds[len(kinds)-4:],
				"the case learns of the first default once")
		})
	}
}

// TestRestartCarriesOverpayment: the obligor pays the whole debt and more
// in one payment, the plan records the rest as interest or overpayment
// and is performed, and then its workflow fails before it ends. Restarted
// from versionRestartLineStates, the new plan starts performed with every
// line credited and the overpayment kept: what it credited to the lines
// and what it recorded above them add up to what was paid, to the fen,
// and none of the overpayment is credited to a line. Before the version
// the overpayment dropped out.
func TestRestartCarriesOverpayment(t *testing.T) {
	start := cst(2026, 3, 10)
	opened := policy.DateOf(start)
	terms := threeInstallments(opened.AddDays(1))
	const over = 12_345
	paid := terms.TotalFen + over
	for _, tt := range []struct {
		name   string
		legacy bool
		want   int64 // the new plan's overpayment
	}{{"CarriesOverpayment", false, over}, {"BeforeTheVersion", true, 0}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newRestartHarness(t, start, day(25))
			if tt.legacy {
				h.env.OnGetVersion(versionRestartLineStates, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			h.agreeAndConfirm(DecisionConfirmed, "")
			all := h.payAt(day(20), PerformancePlanID, PaymentCommand{AmountFen: paid, PaidOn: opened.AddDays(20), Reason: "一次性付清并多付", Actor: judge})
			restarted := h.at(day(26), UpdateRestartPerformance, RestartPlanCommand{Reason: "履行计划异常终止，重启督促", Actor: judge})
			h.runUntil(day(40))

			require.NoError(t, all.err)
			require.Equal(t, int64(over), all.view.OverpaidFen)
			require.NoError(t, restarted.err)
			require.Equal(t, tt.want, h.inputs["performance-2"].OverpaidFen)

			stored := h.ledgers["performance-2"]
			require.Equal(t, PlanPerformed, stored.Stage)
			require.Equal(t, tt.want, stored.OverpaidFen)
			require.Equal(t, terms.TotalFen, stored.PaidFen, "the lines are credited their amounts, not the overpayment")
			for i, l := range stored.Installments {
				require.Equal(t, terms.Installments[i].AmountFen, l.PaidFen, "installment %d", l.No)
			}
			require.Empty(t, h.allocated("plan/performance-2"), "nothing is credited again")
			require.Equal(t, StagePerformed, h.summary.Stage)
			if tt.legacy {
				return
			}
			require.Equal(t, paid, stored.PaidFen+stored.OverpaidFen, "what was paid is all in the new plan's accounts")
			data := h.restartStep()
			require.Equal(t, int64(over), data.OverpaidFen)
			require.Equal(t, terms.TotalFen, data.CreditedFen)
			var performed casefile.Event
			for _, e := range h.streams["plan/performance-2"] {
				if e.Kind == "plan_performed" {
					performed = e
				}
			}
			var step struct {
				OverpaidFen int64 `json:"overpaid_fen"`
			}
			require.NoError(t, json.Unmarshal(performed.Data, &step))
			require.Equal(t, int64(over), step.OverpaidFen, "the new plan's performance records the overpayment")
		})
	}
}

// TestCarriedLinesChecked: a plan refuses carried line states that name no
// installment or one twice, an accelerated line not in default, a negative
// reminder count or an overpayment out of range; it takes those that fit,
// with the flags each state means.
func TestCarriedLinesChecked(t *testing.T) {
	on := policy.NewDate(2026, 4, 10)
	in := PlanInput{Installments: []Installment{{DueOn: on, AmountFen: 100}, {DueOn: on.AddDays(30), AmountFen: 200}}}
	for _, tt := range []struct {
		name     string
		lines    []CarriedLine
		overpaid int64
		err      string
		want     []planLine // the lines' No, Reminders, Overdue, Defaulted, Accelerated
	}{
		{name: "InDefaultAndReminded", lines: []CarriedLine{{No: 1, RemindersSent: 2, Overdue: true, Defaulted: true, GraceEndsOn: on.AddDays(7)}, {No: 2, RemindersSent: 1}},
			overpaid: 5, want: []planLine{{No: 1, Reminders: 2, Overdue: true, Defaulted: true}, {No: 2, Reminders: 1}}},
		{name: "InDefaultIsOverdue", lines: []CarriedLine{{No: 1, Defaulted: true, GraceEndsOn: on.AddDays(7)}},
			want: []planLine{{No: 1, Overdue: true, Defaulted: true}, {No: 2}}},
		{name: "Accelerated", lines: []CarriedLine{{No: 2, Defaulted: true, Accelerated: true}},
			want: []planLine{{No: 1}, {No: 2, Defaulted: true, Accelerated: true}}},
		{name: "NoSuchInstallment", lines: []CarriedLine{{No: 3, Overdue: true}}, err: "carried line 3: no such installment"},
		{name: "NumberedZero", lines: []CarriedLine{{No: 0, Overdue: true}}, err: "carried line 0: no such installment"},
		{name: "Twice", lines: []CarriedLine{{No: 1, Overdue: true}, {No: 1, RemindersSent: 1}}, err: "carried line 1: carried twice"},
		{name: "NegativeReminders", lines: []CarriedLine{{No: 1, RemindersSent: -1}}, err: "carried line 1: -1 reminders sent"},
		{name: "NegativeNextReminder", lines: []CarriedLine{{No: 1, NextReminder: -1}}, err: "carried line 1: 0 reminders sent, next -1"},
		{name: "AcceleratedNotInDefault", lines: []CarriedLine{{No: 2, Accelerated: true}}, err: "accelerated but not in default"},
		{name: "NegativeOverpayment", overpaid: -1, err: "carried overpayment -1 fen out of range"},
		{name: "OverpaymentTooLarge", overpaid: maxFen + 1, err: "out of range"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := in
			in.Lines, in.OverpaidFen = tt.lines, tt.overpaid
			lines, err := planLines(in)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			var got []planLine
			for _, l := range lines {
				got = append(got, planLine{No: l.No, Reminders: l.Reminders, Overdue: l.Overdue, Defaulted: l.Defaulted, Accelerated: l.Accelerated})
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// TestCarriedRemindersNotSentAgain: a carried line's next reminder is past
// the last reminder the earlier plan sent, even when the restart comes on
// its day (which a late start would still send), and past those whose day
// is gone; a line in default keeps the grace period its default was
// counted from.
func TestCarriedRemindersNotSentAgain(t *testing.T) {
	due := policy.NewDate(2026, 4, 10)
	offsets := []policy.Period{policy.Days(7), policy.Days(1)}
	for _, tt := range []struct {
		name    string
		today   policy.Date
		carried CarriedLine
		want    int // the line's next reminder
	}{
		{"NoneSentBeforeTheFirst", due.AddDays(-8), CarriedLine{No: 1}, 0},
		{"FirstSentOnItsDay", due.AddDays(-7), CarriedLine{No: 1, RemindersSent: 1, NextReminder: 1}, 1},
		{"FirstSentDayGone", due.AddDays(-3), CarriedLine{No: 1, RemindersSent: 1, NextReminder: 1}, 1},
		{"NoneSentDayGone", due.AddDays(-3), CarriedLine{No: 1}, 1},
		// Started late, the earlier plan passed over the first and sent
		// the second on its day, and failed; restarted that day, the
		// second is not sent again though one reminder alone was sent.
		{"SecondSentOnItsDayAfterALateStart", due.AddDays(-1), CarriedLine{No: 1, RemindersSent: 1, NextReminder: 2}, 2},
		// A reminder decided but not enqueued when the plan failed counts
		// in the ledger, not in NextReminder: sent on its day, not lost.
		{"DecidedNotSentOnItsDay", due.AddDays(-1), CarriedLine{No: 1, RemindersSent: 2, NextReminder: 1}, 1},
		{"MoreThanTheOffsets", due.AddDays(-8), CarriedLine{No: 1, NextReminder: 3}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &plan{in: PlanInput{Lines: []CarriedLine{tt.carried}}, s: &PlanState{Lines: []planLine{{No: 1, DueOn: due, AmountFen: 100}}}}
			skipPastReminders(&p.s.Lines[0], offsets, tt.today)
			p.carryLines(offsets)
			require.Equal(t, tt.want, p.s.Lines[0].NextReminder)
		})
	}
	grace := due.AddDays(9)
	p := &plan{in: PlanInput{Lines: []CarriedLine{{No: 1, Defaulted: true, Overdue: true, GraceEndsOn: grace}}},
		s: &PlanState{Lines: []planLine{{No: 1, DueOn: due, AmountFen: 100, GraceEndsOn: due.AddDays(7)}}}}
	p.carryLines(offsets)
	require.Equal(t, grace, p.s.Lines[0].GraceEndsOn)
}

// TestRestartLineStatesCarryOn: a ledger lookup that fails refuses the
// restart and leaves the case as it was; the next restart carries the
// failed plan's line states and overpayment, and a restarted plan that
// fails before it stored a ledger passes them on unchanged.
func TestRestartLineStatesCarryOn(t *testing.T) {
	on := policy.NewDate(2026, 3, 10)
	h := newHarness(t, cst(2026, 3, 10))
	var rec *activities.Recorder
	lookups := 0
	stream := "plan/" + PerformancePlanID
	sent := []db.NoticeKey{
		{CaseID: "c1", Stream: stream, Installment: 1, Kind: NoticeReminder, Seq: 0},
		{CaseID: "c1", Stream: stream, Installment: 1, Kind: NoticeReminder, Seq: 1},
		{CaseID: "c1", Stream: stream, Installment: 1, Kind: NoticeDefault},
		{CaseID: "c1", Stream: stream, Installment: 2, Kind: NoticeReminder, Seq: 1},
	}
	ledger := db.Plan{CaseID: "c1", PlanID: PerformancePlanID, PaidFen: 100_000, OverpaidFen: 0,
		Installments: []db.PlanInstallment{
			{No: 1, DueOn: on.AddDays(31), AmountFen: 434_234, PaidFen: 100_000, PaidOn: on.AddDays(20), State: InstallmentDefaulted, RemindersSent: 2, GraceEndsOn: on.AddDays(38)},
			{No: 2, DueOn: on.AddDays(61), AmountFen: 434_233, State: InstallmentOverdue, RemindersSent: 1},
			{No: 3, DueOn: on.AddDays(91), AmountFen: 434_233, State: InstallmentScheduled},
		}}
	h.env.OnActivity(rec.PlanLedger, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanLedgerInput) (activities.PlanLedgerResult, error) {
			if lookups++; lookups == 1 {
				return activities.PlanLedgerResult{}, temporal.NewNonRetryableApplicationError("database unavailable", "unavailable", nil)
			}
			if in.PlanID != PerformancePlanID {
				return activities.PlanLedgerResult{}, nil
			}
			require.Equal(t, stream, in.NoticeStream, "the lookup asks for the plan's notices")
			return activities.PlanLedgerResult{Found: true, Plan: ledger, Notices: sent}, nil
		})
	inputs := map[string]PlanInput{}
	h.planRun = func(ctx workflow.Context, in PlanInput) (PlanResult, error) {
		inputs[in.PlanID] = in
		return PlanResult{}, errors.New("plan workflow failed")
	}
	h.agreeAndConfirm(DecisionConfirmed, "")
	refused := h.at(day(8), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启督促", Actor: judge})
	first := h.at(day(9), UpdateRestartPerformance, RestartPlanCommand{Reason: "重启督促", Actor: judge})
	second := h.at(day(10), UpdateRestartPerformance, RestartPlanCommand{Reason: "再次重启督促", Actor: judge})
	h.runUntil(day(11))

	require.ErrorContains(t, refused.err, "database unavailable")
	require.NoError(t, first.err)
	require.NoError(t, second.err)
	want := []CarriedLine{
		{No: 1, RemindersSent: 2, NextReminder: 2, Overdue: true, Defaulted: true, GraceEndsOn: on.AddDays(38)},
		{No: 2, RemindersSent: 1, NextReminder: 2, Overdue: true},
	}
	require.Equal(t, want, inputs["performance-2"].Lines)
	require.Equal(t, want, inputs["performance-3"].Lines, "carried on from performance-2, which stored no ledger")
	require.Equal(t, []CreditedInstallment{{No: 1, PaidFen: 100_000, PaidOn: on.AddDays(20)}}, inputs["performance-3"].Credited)
	require.Equal(t, "performance-3", second.view.Performance.PlanID)
	require.Len(t, second.view.Performance.FailedPlans, 2, "the refused restart recorded no failed plan")
	restarts := 0
	for _, k := range h.kinds() {
		if k == "performance_plan_restarted" {
			restarts++
		}
	}
	require.Equal(t, 2, restarts, "the refused restart took no step")
}

// TestCarriedLinesFromLedgerAndNotices: the line states a restart carries
// are the ledger's, with the reminders behind each line up to the last one
// enqueued by the failed plan or the plans before it, and a line in
// default carried in default only when its default notice was enqueued: a
// default decided but not yet noticed when the plan failed is decided and
// noticed again by the new plan, so it is not lost.
func TestCarriedLinesFromLedgerAndNotices(t *testing.T) {
	grace := policy.NewDate(2026, 4, 17)
	reminder := func(no, k int) db.NoticeKey { return db.NoticeKey{Installment: no, Kind: NoticeReminder, Seq: k} }
	defaultNotice := func(no int) db.NoticeKey { return db.NoticeKey{Installment: no, Kind: NoticeDefault} }
	for _, tt := range []struct {
		name    string
		lines   []LedgerLine
		notices []db.NoticeKey
		in      []CarriedLine
		want    []CarriedLine
	}{
		{name: "ScheduledCarriesNothing", lines: []LedgerLine{{No: 1, State: InstallmentScheduled}}},
		{name: "DefaultNoticed",
			lines:   []LedgerLine{{No: 1, State: InstallmentDefaulted, RemindersSent: 2, GraceEndsOn: grace}},
			notices: []db.NoticeKey{reminder(1, 0), reminder(1, 1), defaultNotice(1)},
			want:    []CarriedLine{{No: 1, RemindersSent: 2, NextReminder: 2, Overdue: true, Defaulted: true, GraceEndsOn: grace}}},
		{name: "DefaultDecidedNotNoticed",
			lines:   []LedgerLine{{No: 1, State: InstallmentDefaulted, RemindersSent: 2, GraceEndsOn: grace}},
			notices: []db.NoticeKey{reminder(1, 0), reminder(1, 1)},
			want:    []CarriedLine{{No: 1, RemindersSent: 2, NextReminder: 2, Overdue: true}}},
		{name: "DefaultNoticedByAnEarlierPlan",
			lines: []LedgerLine{{No: 1, State: InstallmentDefaulted, RemindersSent: 2, GraceEndsOn: grace}},
			in:    []CarriedLine{{No: 1, RemindersSent: 2, NextReminder: 2, Overdue: true, Defaulted: true, GraceEndsOn: grace}},
			want:  []CarriedLine{{No: 1, RemindersSent: 2, NextReminder: 2, Overdue: true, Defaulted: true, GraceEndsOn: grace}}},
		{name: "PaidAfterDefault", lines: []LedgerLine{{No: 1, State: InstallmentPaidAfterDefault, GraceEndsOn: grace}},
			want: []CarriedLine{{No: 1, Overdue: true, Defaulted: true, GraceEndsOn: grace}}},
		{name: "Accelerated", lines: []LedgerLine{{No: 2, State: InstallmentAccelerated}},
			want: []CarriedLine{{No: 2, Defaulted: true, Accelerated: true}}},
		{name: "LateStartSecondReminderOnly",
			lines: []LedgerLine{{No: 1, State: InstallmentReminded, RemindersSent: 1}}, notices: []db.NoticeKey{reminder(1, 1)},
			want: []CarriedLine{{No: 1, RemindersSent: 1, NextReminder: 2}}},
		{name: "ReminderDecidedNotEnqueued",
			lines: []LedgerLine{{No: 1, State: InstallmentReminded, RemindersSent: 1}},
			want:  []CarriedLine{{No: 1, RemindersSent: 1}}},
		{name: "RemindersOfTheEarlierPlanAndOwn",
			lines: []LedgerLine{{No: 1, State: InstallmentOverdue, RemindersSent: 2}}, notices: []db.NoticeKey{reminder(1, 1)},
			in:   []CarriedLine{{No: 1, RemindersSent: 1, NextReminder: 1}},
			want: []CarriedLine{{No: 1, RemindersSent: 2, NextReminder: 2, Overdue: true}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, carriedLines(tt.lines, tt.notices, tt.in))
		})
	}
}
