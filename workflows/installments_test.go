package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

var (
	obligee = casefile.Actor{Subject: "zhang-san", Role: casefile.RoleParty}
	obligor = casefile.Actor{Subject: "xx-construction", Role: casefile.RoleParty}
)

// planHarness runs one installment plan under the SDK's test environment
// with time skipping and the real policy registry; the read-model writes
// and the notice outbox are captured instead of stored.
type planHarness struct {
	// input, when set, adjusts the plan's input before it runs.
	input     func(*PlanInput)
	t         *testing.T
	env       *testsuite.TestWorkflowEnvironment
	reg       *policy.Registry
	start     time.Time
	events    []casefile.Event
	notices   []activities.NoticeInput
	delivered []int64
	records   []activities.RecordPlanInput
	// ledgers are the plans as the read model holds them after records.
	ledgers planStore
	updates int
	// channel, when set, answers each delivery attempt instead of a
	// channel that always takes the notice.
	channel       func(id int64) error
	attempts      map[int64]int
	undeliverable []activities.UndeliverableInput
	policies      *activities.Policies
}

func newPlanHarness(t *testing.T, start time.Time) *planHarness {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	return newPlanHarnessWith(t, start, reg)
}

// newPlanHarnessWith is newPlanHarness with the policies of reg.
func newPlanHarnessWith(t *testing.T, start time.Time, reg *policy.Registry) *planHarness {
	return newPlanHarnessPolicies(t, start, reg, nil)
}

// newPlanHarnessPolicies is newPlanHarnessWith answering policy lookups
// with pa (nil: reg's).
func newPlanHarnessPolicies(t *testing.T, start time.Time, reg *policy.Registry, pa *activities.Policies) *planHarness {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	h := &planHarness{t: t, env: ts.NewTestWorkflowEnvironment(), reg: reg, start: start, policies: pa, ledgers: planStore{}}
	h.env.SetStartTime(start)
	h.env.RegisterWorkflow(NoticeDelivery)
	if h.policies == nil {
		h.policies = &activities.Policies{Registry: reg}
	}
	h.env.RegisterActivity(h.policies)
	rec := &activities.Recorder{}
	h.env.RegisterActivity(rec)
	h.env.OnActivity(rec.RecordSteps, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordStepsInput) error {
			require.Nil(t, in.Summary, "a plan never writes the case summary")
			for _, e := range in.Events {
				require.Equal(t, "plan/performance", e.Stream)
				require.Equal(t, len(h.events)+1, e.Seq, "steps are recorded in order, once")
				h.events = append(h.events, e)
			}
			return nil
		})
	h.env.OnActivity(rec.RecordPlan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordPlanInput) error {
			h.records = append(h.records, in)
			h.ledgers.record(in.Plan)
			return nil
		})
	n := &activities.Notifier{}
	h.env.RegisterActivity(n)
	h.env.OnActivity(n.EnqueueNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeInput) (int64, error) {
			h.notices = append(h.notices, in)
			return int64(len(h.notices)), nil
		})
	h.attempts = map[int64]int{}
	h.env.OnActivity(n.DeliverNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, id int64) error {
			h.attempts[id]++
			if h.channel != nil {
				if err := h.channel(id); err != nil {
					return err
				}
			}
			h.delivered = append(h.delivered, id)
			return nil
		})
	h.env.OnActivity(n.MarkNoticeUndeliverable, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.UndeliverableInput) error {
			h.undeliverable = append(h.undeliverable, in)
			return nil
		})
	return h
}

func (h *planHarness) run(inst ...Installment) PlanResult {
	in := PlanInput{
		CaseID: "c1", PlanID: "performance", Jurisdiction: "CN", Obligor: obligor.Subject,
		Obligees: []string{obligee.Subject}, Installments: inst, StartedBy: judge,
	}
	if h.input != nil {
		h.input(&in)
	}
	h.env.ExecuteWorkflow(InstallmentPlan, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res PlanResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

// planUpdate is what came back from one command.
type planUpdate struct {
	view PlanView
	err  error
}

// on sends a command at noon (case time) of the legal date d.
func (h *planHarness) on(d policy.Date, name string, cmd any) *planUpdate {
	return h.after(d.Start().Add(12*time.Hour).Sub(h.start), name, cmd)
}

// after sends a command once delay has passed.
func (h *planHarness) after(delay time.Duration, name string, cmd any) *planUpdate {
	r := &planUpdate{}
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
				r.view = v.(PlanView)
			},
		}, cmd)
	}, delay)
	return r
}

func (h *planHarness) kinds() []string {
	var out []string
	for _, e := range h.events {
		out = append(out, e.Kind)
	}
	return out
}

func (h *planHarness) event(kind string) casefile.Event {
	for _, e := range h.events {
		if e.Kind == kind {
			return e
		}
	}
	h.t.Fatalf("no %s step in %v", kind, h.kinds())
	return casefile.Event{}
}

// sent is a notice as the tests compare them: key and case date.
type sent struct {
	Installment int
	Kind        string
	Seq         int
	On          policy.Date
}

func (h *planHarness) sent() []sent {
	var out []sent
	for _, n := range h.notices {
		require.Equal(h.t, "c1", n.CaseID)
		require.Equal(h.t, "plan/performance", n.Stream)
		require.Equal(h.t, obligor.Subject, n.Recipient)
		out = append(out, sent{n.Installment, n.Kind, n.Seq, n.CaseOn})
	}
	require.Len(h.t, h.delivered, len(h.notices), "every enqueued notice is delivered")
	return out
}

func states(lines []LedgerLine) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.State)
	}
	return out
}

var (
	// 2026-03-10 is a Tuesday.
	planStart = cst(2026, 3, 10)
	startedOn = policy.NewDate(2026, 3, 10)
	due1      = policy.NewDate(2026, 4, 10)
	due2      = policy.NewDate(2026, 5, 11)
	due3      = policy.NewDate(2026, 6, 10)
)

func threeDue() []Installment {
	return []Installment{{DueOn: due1, AmountFen: 434_234}, {DueOn: due2, AmountFen: 434_233}, {DueOn: due3, AmountFen: 434_233}}
}

func TestInstallmentPlanPerformedOnTime(t *testing.T) {
	h := newPlanHarness(t, planStart)
	reminders := h.reg
	p, err := reminders.Policy("CN")
	require.NoError(t, err)
	offsets := p.Performance.ReminderOffsets
	require.Len(t, offsets, 2, "the test assumes the default policy of two reminders")

	// Each installment is paid on the day before it falls due, after both
	// of its reminders.
	var pays []*planUpdate
	for _, in := range threeDue() {
		pays = append(pays, h.on(in.DueOn.AddDays(-1), UpdateRecordPayment, PaymentCommand{AmountFen: in.AmountFen, PaidOn: in.DueOn.AddDays(-1), Actor: judge}))
	}
	res := h.run(threeDue()...)
	for i, r := range pays {
		require.NoError(t, r.err, "payment %d", i+1)
	}
	require.Equal(t, []string{InstallmentPaid, InstallmentScheduled, InstallmentScheduled}, states(pays[0].view.Installments))
	require.Equal(t, []string{InstallmentPaid, InstallmentPaid, InstallmentScheduled}, states(pays[1].view.Installments))

	require.Equal(t, PlanPerformed, res.Outcome)
	require.True(t, res.OnTime)
	require.Equal(t, int64(1_302_700), res.PaidFen)
	require.Zero(t, res.OutstandingFen)
	require.Zero(t, res.OverpaidFen)
	require.NotNil(t, res.Certificate, "full, on-time performance earns a certificate")
	require.Equal(t, due3.AddDays(-1), res.Certificate.IssuedOn)
	require.Equal(t, []string{InstallmentPaid, InstallmentPaid, InstallmentPaid}, states(res.Installments))
	for _, l := range res.Installments {
		require.Equal(t, 2, l.RemindersSent, "installment %d: got %d reminders, want 2", l.No, l.RemindersSent)
	}

	want := []sent{{0, NoticePerformance, 0, startedOn}}
	for i, in := range threeDue() {
		for k, o := range offsets {
			want = append(want, sent{i + 1, NoticeReminder, k, o.SubFrom(in.DueOn)})
		}
	}
	want = append(want, sent{0, NoticeCertificate, 0, due3.AddDays(-1)})
	require.Equal(t, want, h.sent())
	// The policy's 7 and 1 days: the first installment's reminders.
	require.Equal(t, policy.NewDate(2026, 4, 3), h.notices[1].CaseOn)
	require.Equal(t, policy.NewDate(2026, 4, 9), h.notices[2].CaseOn)

	require.Equal(t, []string{
		"plan_started",
		"reminder_sent", "reminder_sent", "payment_recorded",
		"reminder_sent", "reminder_sent", "payment_recorded",
		"reminder_sent", "reminder_sent", "payment_recorded",
		"plan_performed", "certificate_issued",
	}, h.kinds())

	last := h.records[len(h.records)-1]
	require.Equal(t, PlanPerformed, last.Plan.Stage)
	require.True(t, last.Plan.OnTime)
	require.NotNil(t, last.Certificate)
	require.Len(t, h.ledgers["performance"].Installments, 3)
	for i := 1; i < len(h.records); i++ {
		require.Greater(t, h.records[i].Plan.Version, h.records[i-1].Plan.Version, "ledger versions increase")
	}
}

func TestInstallmentPlanPartialPaymentThenDefault(t *testing.T) {
	h := newPlanHarness(t, planStart)
	pay := h.on(policy.NewDate(2026, 4, 5), UpdateRecordPayment, PaymentCommand{
		AmountFen: 200_000, PaidOn: policy.NewDate(2026, 4, 5), Reason: "收到部分款项", Actor: obligee,
	})
	res := h.run(threeDue()...)
	require.NoError(t, pay.err)
	require.Equal(t, InstallmentPartlyPaid, pay.view.Installments[0].State)
	require.Equal(t, int64(234_234), pay.view.Installments[0].OutstandingFen)

	grace, err := h.reg.Deadline("CN", due1, policy.Days(7))
	require.NoError(t, err)
	require.Equal(t, PlanDefaulted, res.Outcome)
	require.Equal(t, 1, res.DefaultedInstallment)
	require.False(t, res.OnTime)
	require.Nil(t, res.Certificate)
	require.Equal(t, int64(200_000), res.PaidFen)
	require.Equal(t, int64(1_102_700), res.OutstandingFen)
	require.Equal(t, []string{InstallmentDefaulted, InstallmentScheduled, InstallmentScheduled}, states(res.Installments))
	require.Equal(t, grace, res.Installments[0].GraceEndsOn)
	// The default is decided when the late-recording window after the
	// grace period ends: a payment made in grace may still be recorded.
	window, err := h.reg.Deadline("CN", grace, policy.Days(3))
	require.NoError(t, err)
	require.Equal(t, window.End(), h.env.Now().In(policy.CST), "default when the late-recording window has run out, not before")
	require.Equal(t, window.AddDays(1), res.ClosedOn)

	require.Equal(t, []sent{
		{0, NoticePerformance, 0, startedOn},
		{1, NoticeReminder, 0, policy.NewDate(2026, 4, 3)},
		{1, NoticeReminder, 1, policy.NewDate(2026, 4, 9)},
		{1, NoticeDefault, 0, window.AddDays(1)},
	}, h.sent())
	body := h.notices[3].Body
	for _, c := range []string{"强制执行", "限制高消费", "失信被执行人名单"} {
		require.Contains(t, body, c, "the default notice names the consequences")
	}
	require.Equal(t, []string{
		"plan_started", "reminder_sent", "payment_recorded", "reminder_sent",
		"installment_overdue", "installment_defaulted",
	}, h.kinds())
	paid := h.event("payment_recorded")
	require.Equal(t, obligee, paid.Actor)
	require.Equal(t, "receipt_confirmed_by_obligee", paid.ReasonCode)
	var data struct{ Consequences []string }
	require.NoError(t, json.Unmarshal(h.event("installment_defaulted").Data, &data))
	require.Equal(t, DefaultConsequences, data.Consequences)
}

func TestInstallmentPlanPaidLateWithinGrace(t *testing.T) {
	h := newPlanHarness(t, planStart)
	one := []Installment{{DueOn: due1, AmountFen: 1_302_700}}
	late := due1.AddDays(2)
	pay := h.on(late, UpdateRecordPayment, PaymentCommand{AmountFen: 1_302_700, PaidOn: late, Actor: mediator})
	res := h.run(one...)
	require.NoError(t, pay.err)
	require.Equal(t, PlanPerformed, res.Outcome)
	require.False(t, res.OnTime, "paid after the due date")
	require.Nil(t, res.Certificate, "no certificate for late performance")
	require.Equal(t, []string{"plan_started", "reminder_sent", "reminder_sent", "installment_overdue", "payment_recorded", "plan_performed"}, h.kinds())
	require.Equal(t, late, res.Installments[0].PaidOn)
}

func TestInstallmentPlanOverpayment(t *testing.T) {
	// 13,027 yuan owed, 14,350 paid: 1,323 yuan is kept as interest or
	// overpayment, not lost.
	h := newPlanHarness(t, planStart)
	paidOn := policy.NewDate(2026, 3, 20)
	pay := h.on(paidOn, UpdateRecordPayment, PaymentCommand{AmountFen: 1_435_000, PaidOn: paidOn, Actor: mediator})
	res := h.run(Installment{DueOn: due1, AmountFen: 1_302_700})
	require.NoError(t, pay.err)
	require.Equal(t, int64(132_300), pay.view.OverpaidFen)
	require.Equal(t, PlanPerformed, res.Outcome)
	require.Equal(t, int64(1_302_700), res.PaidFen)
	require.Equal(t, int64(132_300), res.OverpaidFen)
	require.Equal(t, res.PaidFen+res.OverpaidFen, int64(1_435_000), "every fen paid is accounted for")
	require.True(t, res.OnTime)
	require.NotNil(t, res.Certificate)
	require.Equal(t, []string{"plan_started", "payment_recorded", "overpayment_recorded", "plan_performed", "certificate_issued"}, h.kinds())
	var over struct {
		OverpaidFen int64 `json:"overpaid_fen"`
	}
	require.NoError(t, json.Unmarshal(h.event("overpayment_recorded").Data, &over))
	require.Equal(t, int64(132_300), over.OverpaidFen)
	require.Equal(t, int64(132_300), h.records[len(h.records)-1].Plan.OverpaidFen)
	// Paid before any reminder was due: none went out.
	require.Equal(t, []sent{{0, NoticePerformance, 0, startedOn}, {0, NoticeCertificate, 0, paidOn}}, h.sent())
}

func TestInstallmentPlanPaymentSpillsOver(t *testing.T) {
	h := newPlanHarness(t, planStart)
	on := policy.NewDate(2026, 3, 12)
	pay := h.on(on, UpdateRecordPayment, PaymentCommand{AmountFen: 500_000, PaidOn: on, Actor: judge})
	urge1 := h.on(on.AddDays(1), UpdateUrge, UrgeCommand{Reason: "电话督促履行", Actor: mediator})
	urge2 := h.on(on.AddDays(2), UpdateUrge, UrgeCommand{Reason: "执前督促", Actor: judge})
	rest := h.on(on.AddDays(3), UpdateRecordPayment, PaymentCommand{AmountFen: 802_700, PaidOn: on.AddDays(3), Actor: judge})
	res := h.run(threeDue()...)
	require.NoError(t, pay.err)
	require.Equal(t, []int64{434_234, 65_766, 0}, []int64{
		pay.view.Installments[0].PaidFen, pay.view.Installments[1].PaidFen, pay.view.Installments[2].PaidFen,
	}, "earliest installment first, the rest to the next")
	require.Equal(t, []string{InstallmentPaid, InstallmentPartlyPaid, InstallmentScheduled}, states(pay.view.Installments))
	require.NoError(t, urge1.err)
	require.NoError(t, urge2.err)
	require.Equal(t, 2, urge2.view.Urges)
	require.NoError(t, rest.err)
	require.Equal(t, PlanPerformed, res.Outcome)
	require.Zero(t, res.OverpaidFen)
	require.Equal(t, []sent{
		{0, NoticePerformance, 0, startedOn},
		{0, NoticeUrge, 1, on.AddDays(1)},
		{0, NoticeUrge, 2, on.AddDays(2)},
		{0, NoticeCertificate, 0, on.AddDays(3)},
	}, h.sent())
}

func TestInstallmentPlanObligorReportIsNotCredited(t *testing.T) {
	h := newPlanHarness(t, planStart)
	on := policy.NewDate(2026, 3, 12)
	report := h.on(on, UpdateRecordPayment, PaymentCommand{AmountFen: 1_302_700, PaidOn: on, Reason: "已转账", Actor: obligor})
	confirm := h.on(on.AddDays(1), UpdateRecordPayment, PaymentCommand{AmountFen: 1_302_700, PaidOn: on, Reason: "确认收到", Actor: obligee})
	res := h.run(Installment{DueOn: due1, AmountFen: 1_302_700})
	require.NoError(t, report.err)
	require.True(t, report.view.Reported)
	require.Zero(t, report.view.PaidFen, "a report is not a payment until the obligee or an official records it")
	require.NoError(t, confirm.err)
	require.Equal(t, PlanPerformed, res.Outcome)
	require.Equal(t, []string{"plan_started", "payment_reported", "payment_recorded", "plan_performed", "certificate_issued"}, h.kinds())
	require.Equal(t, "reported_by_party", h.event("payment_reported").ReasonCode)
}

func TestInstallmentPlanRefusesBadCommands(t *testing.T) {
	on := policy.NewDate(2026, 3, 12)
	auditor := casefile.Actor{Subject: "auditor-chen", Role: casefile.RoleAuditor}
	stranger := casefile.Actor{Subject: "li-si", Role: casefile.RoleParty}
	tests := []struct {
		name   string
		update string
		cmd    any
		kind   string
	}{
		{"NegativeAmount", UpdateRecordPayment, PaymentCommand{AmountFen: -100, PaidOn: on, Actor: judge}, RejectInvalid},
		{"ZeroAmount", UpdateRecordPayment, PaymentCommand{AmountFen: 0, PaidOn: on, Actor: judge}, RejectInvalid},
		{"HugeAmount", UpdateRecordPayment, PaymentCommand{AmountFen: maxFen + 1, PaidOn: on, Actor: judge}, RejectInvalid},
		{"FuturePaidOn", UpdateRecordPayment, PaymentCommand{AmountFen: 100, PaidOn: on.AddDays(1), Actor: judge}, RejectInvalid},
		{"PaidBeforePlanStarted", UpdateRecordPayment, PaymentCommand{AmountFen: 100, PaidOn: startedOn.AddDays(-1), Actor: judge}, RejectInvalid},
		{"NoPaidOn", UpdateRecordPayment, PaymentCommand{AmountFen: 100, Actor: judge}, RejectInvalid},
		{"AuditorRecordsPayment", UpdateRecordPayment, PaymentCommand{AmountFen: 100, PaidOn: on, Actor: auditor}, RejectForbidden},
		{"StrangerRecordsPayment", UpdateRecordPayment, PaymentCommand{AmountFen: 100, PaidOn: on, Actor: stranger}, RejectForbidden},
		{"UrgeWithoutReason", UpdateUrge, UrgeCommand{Actor: mediator}, RejectInvalid},
		{"PartyUrges", UpdateUrge, UrgeCommand{Reason: "x", Actor: obligee}, RejectForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newPlanHarness(t, planStart)
			r := h.on(on, tt.update, tt.cmd)
			res := h.run(Installment{DueOn: due1, AmountFen: 1_302_700})
			requireRejected(t, &updateResult{err: r.err}, tt.kind)
			// Nothing changed: the plan ran to its default untouched.
			require.Equal(t, PlanDefaulted, res.Outcome)
			require.Zero(t, res.PaidFen)
			require.Equal(t, []string{"plan_started", "reminder_sent", "reminder_sent", "installment_overdue", "installment_defaulted"}, h.kinds())
		})
	}

	t.Run("PaymentAfterClose", func(t *testing.T) {
		h := newPlanHarness(t, planStart)
		h.on(on, UpdateRecordPayment, PaymentCommand{AmountFen: 1_302_700, PaidOn: on, Actor: judge})
		// Sent in the same instant, after the payment that closed the plan.
		late := h.on(on, UpdateRecordPayment, PaymentCommand{AmountFen: 100, PaidOn: on, Actor: judge})
		res := h.run(Installment{DueOn: due1, AmountFen: 1_302_700})
		requireRejected(t, &updateResult{err: late.err}, RejectConflict)
		require.Zero(t, res.OverpaidFen, "the refused payment left no trace")
		require.Equal(t, []string{"plan_started", "payment_recorded", "plan_performed", "certificate_issued"}, h.kinds())
	})

	t.Run("PaymentAfterWindowBeforeTimer", func(t *testing.T) {
		// The late-recording window after the grace period has run out at
		// 00:00; a payment recorded in that same instant is refused,
		// whatever order the timer fires in.
		h := newPlanHarness(t, planStart)
		grace, err := h.reg.Deadline("CN", due1, policy.Days(7))
		require.NoError(t, err)
		window, err := h.reg.Deadline("CN", grace, policy.Days(3))
		require.NoError(t, err)
		late := h.after(window.End().Sub(planStart), UpdateRecordPayment, PaymentCommand{AmountFen: 100, PaidOn: grace, Actor: judge})
		res := h.run(Installment{DueOn: due1, AmountFen: 1_302_700})
		requireRejected(t, &updateResult{err: late.err}, RejectConflict)
		require.Equal(t, PlanDefaulted, res.Outcome)
		require.Zero(t, res.PaidFen)
	})
}

func TestInstallmentPlanRefusesBadInput(t *testing.T) {
	h := newPlanHarness(t, planStart)
	h.env.ExecuteWorkflow(InstallmentPlan, PlanInput{
		CaseID: "c1", PlanID: "performance", Jurisdiction: "CN", Obligor: obligor.Subject,
		Obligees: []string{obligee.Subject}, StartedBy: judge,
		Installments: []Installment{{DueOn: due2, AmountFen: 100}, {DueOn: due1, AmountFen: 100}},
	})
	require.True(t, h.env.IsWorkflowCompleted())
	require.Error(t, h.env.GetWorkflowError(), "installments out of order are refused")
	require.Empty(t, h.events)
	require.Empty(t, h.notices)
}

func TestYuan(t *testing.T) {
	tests := []struct {
		fen  int64
		want string
	}{
		{0, "0.00元"}, {5, "0.05元"}, {1_302_700, "13,027.00元"}, {132_300, "1,323.00元"},
		{100_000_000_000_000, "1,000,000,000,000.00元"}, {-123_456, "-1,234.56元"},
	}
	for _, tt := range tests {
		if got := yuan(tt.fen); got != tt.want {
			t.Errorf("yuan(%d): got %q, want %q", tt.fen, got, tt.want)
		}
	}
}
