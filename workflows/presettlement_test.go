package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
)

// supervised is the plan of a confirmed agreement: it supervises past the
// first default and takes a pre-enforcement settlement.
func supervised(in *PlanInput) { in.SuperviseAfterDefault, in.CertificateOnApplication = true, true }

func requirePlanRejected(t *testing.T, what string, r *planUpdate, kind string) {
	t.Helper()
	require.Error(t, r.err, "%s: should have been refused", what)
	got, _, ok := Rejection(r.err)
	require.True(t, ok, "%s: got %v, want a rejection", what, r.err)
	require.Equal(t, kind, got, "%s: %v", what, r.err)
}

func noticeBody(h *planHarness, kind string, seq int) string {
	for _, n := range h.notices {
		if n.Kind == kind && n.Seq == seq {
			return n.Body
		}
	}
	h.t.Fatalf("no %s notice %d", kind, seq)
	return ""
}

// TestPreEnforcementSettlementPerformed: installment 1 is missed; the
// mediator urges (an ordinary urging before the default, 执前督促 after),
// then records a settlement the obligee consents to. The three original
// installments are superseded, the settlement's two are reminded of and
// paid on their due dates, and the plan closes performed, late (no
// certificate), with the superseded lines in its ledger.
func TestPreEnforcementSettlementPerformed(t *testing.T) {
	h := newPlanHarness(t, planStart)
	h.input = supervised
	settledOn := h.defaultsOn(due1).AddDays(3)
	new1, new2 := settledOn.AddDays(20), settledOn.AddDays(50)
	early := h.on(due1.AddDays(-3), UpdateUrge, UrgeCommand{Reason: "电话督促", Actor: mediator})
	urged := h.on(settledOn.AddDays(-1), UpdateUrge, UrgeCommand{Reason: "约谈被申请人", Actor: mediator})
	settle := h.on(settledOn, UpdateSettleBeforeEnforcement, PreEnforcementSettlementCommand{
		Installments: []Installment{{DueOn: new1, AmountFen: 700_000}, {DueOn: new2, AmountFen: 602_700}},
		ConsentedBy:  []string{obligee.Subject}, Reason: "双方达成执前和解", Actor: mediator,
	})
	pay1 := h.on(new1, UpdateRecordPayment, PaymentCommand{AmountFen: 700_000, PaidOn: new1, Actor: obligee})
	pay2 := h.on(new2, UpdateRecordPayment, PaymentCommand{AmountFen: 602_700, PaidOn: new2, Actor: obligee})
	res := h.run(threeDue()...)
	for i, u := range []*planUpdate{early, urged, settle, pay1, pay2} {
		require.NoError(t, u.err, "command %d", i+1)
	}

	require.True(t, strings.HasPrefix(noticeBody(h, NoticeUrge, 1), "履行督促"), "before the default an ordinary urging: %s", noticeBody(h, NoticeUrge, 1))
	body := noticeBody(h, NoticeUrge, 2)
	require.True(t, strings.HasPrefix(body, "执前督促"), "in default, before enforcement: %s", body)
	require.Contains(t, body, "第 1 期")

	v := settle.view
	require.Equal(t, []string{InstallmentSuperseded, InstallmentSuperseded, InstallmentSuperseded, InstallmentScheduled, InstallmentScheduled}, states(v.Installments))
	require.Equal(t, int64(1_302_700), v.TotalFen, "the total owed is unchanged")
	require.Equal(t, int64(1_302_700), v.OutstandingFen)
	for i, l := range v.Installments[:3] {
		require.Equal(t, threeDue()[i].AmountFen, l.SupersededFen, "installment %d", l.No)
		require.Equal(t, 1, l.SupersededBy)
		require.Zero(t, l.OutstandingFen)
	}
	for i, l := range v.Installments[3:] {
		require.Equal(t, 4+i, l.No)
		require.Equal(t, 1, l.Settlement)
		grace, err := h.reg.Deadline("CN", l.DueOn, policy.Days(7))
		require.NoError(t, err)
		require.Equal(t, grace, l.GraceEndsOn, "installment %d has its own grace period from the policy", l.No)
	}
	require.Len(t, v.Settlements, 1)
	require.Equal(t, PreEnforcementSettlement{
		No: 1, AgreedOn: settledOn, RecordedBy: mediator, ConsentedBy: []string{obligee.Subject},
		OutstandingFen: 1_302_700, Superseded: []int{1, 2, 3}, Installments: []int{4, 5},
	}, v.Settlements[0])

	require.Equal(t, PlanPerformed, res.Outcome)
	require.False(t, res.OnTime, "performed after a default")
	require.False(t, res.CertificateEligible)
	require.Equal(t, []string{InstallmentSuperseded, InstallmentSuperseded, InstallmentSuperseded, InstallmentPaid, InstallmentPaid}, states(res.Installments))

	step := h.event("pre_enforcement_settlement")
	require.Equal(t, settledOn, step.CaseOn)
	require.Equal(t, "pre_enforcement_settlement", step.ReasonCode)
	got := h.sent()
	require.Contains(t, got, sent{0, NoticeSettlement, 1, settledOn}, "the obligor is told the new schedule")
	for _, no := range []int{4, 5} {
		due := map[int]policy.Date{4: new1, 5: new2}[no]
		require.Contains(t, got, sent{no, NoticeReminder, 0, due.AddDays(-7)}, "installment %d reminded 7 days before", no)
		require.Contains(t, got, sent{no, NoticeReminder, 1, due.AddDays(-1)}, "installment %d reminded 1 day before", no)
	}
	for _, s := range got {
		require.False(t, (s.Installment == 2 || s.Installment == 3) && s.On.After(settledOn), "nothing for a superseded installment after the settlement: %+v", s)
		require.False(t, s.Kind == NoticeDefault && s.Installment != 1, "only installment 1 defaulted: %+v", s)
	}
	last := h.ledgers["performance"]
	require.Equal(t, InstallmentSuperseded, last.Installments[0].State, "the stored ledger shows the superseded lines")
	require.Len(t, last.Installments, 5)
}

// TestPreEnforcementSettlementDefaults: the settlement's installments are
// not paid either: each gets its own default notice and the plan closes in
// default once nothing is left to supervise. What was paid before the
// settlement stays paid on its line.
func TestPreEnforcementSettlementDefaults(t *testing.T) {
	h := newPlanHarness(t, planStart)
	h.input = supervised
	settledOn := h.defaultsOn(due1).AddDays(1)
	new1, new2 := settledOn.AddDays(10), settledOn.AddDays(40)
	paid := h.on(due1.AddDays(2), UpdateRecordPayment, PaymentCommand{AmountFen: 34_234, PaidOn: due1.AddDays(2), Actor: judge})
	settle := h.on(settledOn, UpdateSettleBeforeEnforcement, PreEnforcementSettlementCommand{
		Installments: []Installment{{DueOn: new1, AmountFen: 600_000}, {DueOn: new2, AmountFen: 668_466}},
		ConsentedBy:  []string{obligee.Subject}, Reason: "执前和解", Actor: judge,
	})
	res := h.run(threeDue()...)
	require.NoError(t, paid.err)
	require.NoError(t, settle.err)
	require.Equal(t, PlanDefaulted, res.Outcome)
	require.Equal(t, []string{InstallmentSuperseded, InstallmentSuperseded, InstallmentSuperseded, InstallmentDefaulted, InstallmentDefaulted}, states(res.Installments))
	require.Equal(t, int64(34_234), res.Installments[0].PaidFen)
	require.Equal(t, int64(400_000), res.Installments[0].SupersededFen)
	require.Equal(t, int64(1_268_466), res.OutstandingFen)
	require.Equal(t, 1, res.DefaultedInstallment, "the first default is still the one named")
	require.Equal(t, h.defaultsOn(new2).AddDays(1), res.ClosedOn)
	defaults := map[int]policy.Date{}
	for _, s := range h.sent() {
		if s.Kind == NoticeDefault {
			defaults[s.Installment] = s.On
		}
	}
	require.Equal(t, map[int]policy.Date{1: h.defaultsOn(due1).AddDays(1), 4: h.defaultsOn(new1).AddDays(1), 5: h.defaultsOn(new2).AddDays(1)}, defaults,
		"each missed settlement installment gets its own default notice on its day")
	require.Equal(t, "supervision_ended", h.kinds()[len(h.kinds())-1])
}

// TestPreEnforcementSettlementRefused: every command the validator refuses
// leaves no step and changes nothing; the good one after them is taken.
func TestPreEnforcementSettlementRefused(t *testing.T) {
	h := newPlanHarness(t, planStart)
	h.input = supervised
	day := h.defaultsOn(due1).AddDays(2)
	today := day
	good := func(mut func(*PreEnforcementSettlementCommand)) PreEnforcementSettlementCommand {
		c := PreEnforcementSettlementCommand{
			Installments: []Installment{{DueOn: today.AddDays(30), AmountFen: 1_000_000}, {DueOn: today.AddDays(60), AmountFen: 302_700}},
			ConsentedBy:  []string{obligee.Subject}, Reason: "执前和解", Actor: mediator,
		}
		if mut != nil {
			mut(&c)
		}
		return c
	}
	many := make([]Installment, maxSettlementInstallments+1)
	for i := range many {
		many[i] = Installment{DueOn: today.AddDays(i + 1), AmountFen: 1}
	}
	tests := []struct {
		name string
		on   policy.Date
		cmd  PreEnforcementSettlementCommand
		kind string
	}{
		{"before any default", due1.AddDays(1), good(nil), RejectConflict},
		{"by the obligee", day, good(func(c *PreEnforcementSettlementCommand) { c.Actor = obligee }), RejectForbidden},
		{"by the obligor", day, good(func(c *PreEnforcementSettlementCommand) { c.Actor = obligor }), RejectForbidden},
		{"no consent", day, good(func(c *PreEnforcementSettlementCommand) { c.ConsentedBy = nil }), RejectInvalid},
		{"consent of a stranger", day, good(func(c *PreEnforcementSettlementCommand) { c.ConsentedBy = []string{"li-si"} }), RejectInvalid},
		{"consent twice", day, good(func(c *PreEnforcementSettlementCommand) { c.ConsentedBy = []string{obligee.Subject, obligee.Subject} }), RejectInvalid},
		{"no reason", day, good(func(c *PreEnforcementSettlementCommand) { c.Reason = "" }), RejectInvalid},
		{"sum below outstanding", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments[1].AmountFen-- }), RejectInvalid},
		{"sum above outstanding", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments[1].AmountFen++ }), RejectInvalid},
		{"due today", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments[0].DueOn = today }), RejectInvalid},
		{"due in the past", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments[0].DueOn = today.AddDays(-5) }), RejectInvalid},
		{"not in order", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments[1].DueOn = today.AddDays(30) }), RejectInvalid},
		{"after 2199", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments[1].DueOn = policy.NewDate(2200, 1, 1) }), RejectInvalid},
		{"zero amount", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments[0].AmountFen = 0 }), RejectInvalid},
		{"none", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments = nil }), RejectInvalid},
		{"too many", day, good(func(c *PreEnforcementSettlementCommand) { c.Installments = many }), RejectInvalid},
	}
	var refused []*planUpdate
	for _, tc := range tests {
		refused = append(refused, h.on(tc.on, UpdateSettleBeforeEnforcement, tc.cmd))
	}
	ok := h.after(day.Start().Add(13*time.Hour).Sub(planStart), UpdateSettleBeforeEnforcement, good(nil))
	h.run(threeDue()...)
	for i, tc := range tests {
		requirePlanRejected(t, tc.name, refused[i], tc.kind)
	}
	require.NoError(t, ok.err)
	n := 0
	for _, k := range h.kinds() {
		if k == "pre_enforcement_settlement" {
			n++
		}
	}
	require.Equal(t, 1, n, "only the good settlement is recorded")
	require.Len(t, ok.view.Settlements, 1)
}

// TestPreEnforcementSettlementNotTaken: a plan that closes at its first
// default (started before supervision went on past a default, or a
// settlement during enforcement) takes none. (A plan whose supervision
// ended because enforcement was filed has closed; the API answers 409 for
// it, see e2e.)
func TestPreEnforcementSettlementNotTaken(t *testing.T) {
	h := newPlanHarness(t, planStart)
	on := due1.AddDays(1)
	r := h.on(on, UpdateSettleBeforeEnforcement, PreEnforcementSettlementCommand{
		Installments: []Installment{{DueOn: on.AddDays(30), AmountFen: 1_302_700}},
		ConsentedBy:  []string{obligee.Subject}, Reason: "执前和解", Actor: judge,
	})
	h.run(threeDue()...)
	requirePlanRejected(t, "plan without supervision past a default", r, RejectConflict)
	require.NotContains(t, h.kinds(), "pre_enforcement_settlement")
}
