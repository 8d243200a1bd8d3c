package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
)

// defaultsOn is the day an installment due on due is decided in default:
// the grace period, then the late-recording window, each counted by the
// policy.
func (h *planHarness) defaultsOn(due policy.Date) policy.Date {
	h.t.Helper()
	p, err := h.reg.Policy("CN")
	require.NoError(h.t, err)
	grace, err := h.reg.Deadline("CN", due, p.Performance.Grace)
	require.NoError(h.t, err)
	on, err := h.reg.Deadline("CN", grace, p.Performance.LateRecording)
	require.NoError(h.t, err)
	return on
}

// TestSupervisionPastTheFirstDefault: a plan of a confirmed agreement
// keeps every installment's reminders and its own default notice after the
// first default (每案必提醒、每案必督促), credits what is paid late, and with
// an acceleration clause makes the remainder due at the first default.
func TestSupervisionPastTheFirstDefault(t *testing.T) {
	supervise := func(in *PlanInput) { in.SuperviseAfterDefault, in.CertificateOnApplication = true, true }
	tests := []struct {
		name   string
		input  func(*PlanInput)
		pays   func(h *planHarness) []*planUpdate
		want   func(t *testing.T, h *planHarness, res PlanResult)
		states []string
	}{
		{
			name:   "NobodyPays",
			input:  supervise,
			states: []string{InstallmentDefaulted, InstallmentDefaulted, InstallmentDefaulted},
			want: func(t *testing.T, h *planHarness, res PlanResult) {
				require.Equal(t, PlanDefaulted, res.Outcome)
				require.Equal(t, 1, res.DefaultedInstallment, "the first default is the one named")
				require.Equal(t, int64(1_302_700), res.OutstandingFen)
				require.Equal(t, h.defaultsOn(due3).AddDays(1), res.ClosedOn, "supervision ends when the last installment is in default")
				var want []sent
				want = append(want, sent{0, NoticePerformance, 0, startedOn})
				for i, due := range []policy.Date{due1, due2, due3} {
					want = append(want,
						sent{i + 1, NoticeReminder, 0, due.AddDays(-7)},
						sent{i + 1, NoticeReminder, 1, due.AddDays(-1)})
				}
				got := h.sent()
				defaults := 0
				for _, n := range got {
					if n.Kind == NoticeDefault {
						defaults++
						require.Equal(t, h.defaultsOn([]policy.Date{due1, due2, due3}[n.Installment-1]).AddDays(1), n.On,
							"installment %d's own default notice on its day", n.Installment)
					}
				}
				require.Equal(t, 3, defaults, "each missed installment gets its own default notice")
				for _, w := range want {
					require.Contains(t, got, w, "every installment is reminded of")
				}
				require.Equal(t, "supervision_ended", h.kinds()[len(h.kinds())-1])
			},
		},
		{
			name:  "PaidLateAfterADefault",
			input: supervise,
			pays: func(h *planHarness) []*planUpdate {
				late := h.defaultsOn(due1).AddDays(2)
				return []*planUpdate{
					h.on(late, UpdateRecordPayment, PaymentCommand{AmountFen: 434_234, PaidOn: late, Actor: obligee}),
					h.on(due2.AddDays(-1), UpdateRecordPayment, PaymentCommand{AmountFen: 434_233, PaidOn: due2.AddDays(-1), Actor: obligee}),
					h.on(due3, UpdateRecordPayment, PaymentCommand{AmountFen: 434_233, PaidOn: due3, Actor: obligee}),
				}
			},
			states: []string{InstallmentPaidAfterDefault, InstallmentPaid, InstallmentPaid},
			want: func(t *testing.T, h *planHarness, res PlanResult) {
				require.Equal(t, PlanPerformed, res.Outcome, "paid in full in the end")
				require.False(t, res.OnTime)
				require.False(t, res.CertificateEligible, "no certificate after a default")
				require.Nil(t, res.Certificate)
				require.Zero(t, res.OutstandingFen)
			},
		},
		{
			name:  "Acceleration",
			input: func(in *PlanInput) { supervise(in); in.Acceleration = true },
			pays: func(h *planHarness) []*planUpdate {
				return []*planUpdate{h.on(due1.AddDays(-2), UpdateRecordPayment, PaymentCommand{AmountFen: 100_000, PaidOn: due1.AddDays(-2), Actor: obligee})}
			},
			states: []string{InstallmentDefaulted, InstallmentAccelerated, InstallmentAccelerated},
			want: func(t *testing.T, h *planHarness, res PlanResult) {
				require.Equal(t, PlanDefaulted, res.Outcome)
				require.Equal(t, h.defaultsOn(due1).AddDays(1), res.ClosedOn, "the whole remainder fell due at the first default")
				require.Equal(t, int64(1_202_700), res.OutstandingFen)
				require.Contains(t, h.kinds(), "acceleration_applied")
				n := 0
				for _, s := range h.sent() {
					if s.Kind == NoticeDefault {
						n++
					}
				}
				require.Equal(t, 1, n, "one default notice names the whole remainder")
			},
		},
		{
			name:  "PaidInGraceRecordedLate",
			input: supervise,
			pays: func(h *planHarness) []*planUpdate {
				// Paid on each due date, but the receipts reach the clerk
				// only after the grace period, inside the window.
				var out []*planUpdate
				for i, due := range []policy.Date{due1, due2, due3} {
					amount := threeDue()[i].AmountFen
					out = append(out, h.on(h.defaultsOn(due).AddDays(-1), UpdateRecordPayment, PaymentCommand{AmountFen: amount, PaidOn: due, Actor: obligee}))
				}
				return out
			},
			states: []string{InstallmentPaid, InstallmentPaid, InstallmentPaid},
			want: func(t *testing.T, h *planHarness, res PlanResult) {
				require.Equal(t, PlanPerformed, res.Outcome)
				require.True(t, res.OnTime, "judged by the day it was paid")
				require.True(t, res.CertificateEligible)
				require.Nil(t, res.Certificate, "the certificate is issued on application, not by the plan")
				require.NotContains(t, h.kinds(), "installment_defaulted")
				require.Equal(t, "certificate_eligible", h.kinds()[len(h.kinds())-1])
				for _, s := range h.sent() {
					require.NotEqual(t, NoticeCertificate, s.Kind)
					require.NotEqual(t, NoticeDefault, s.Kind)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newPlanHarness(t, planStart)
			h.input = tc.input
			var pays []*planUpdate
			if tc.pays != nil {
				pays = tc.pays(h)
			}
			res := h.run(threeDue()...)
			for i, p := range pays {
				require.NoError(t, p.err, "payment %d", i+1)
			}
			require.Equal(t, tc.states, states(res.Installments))
			tc.want(t, h, res)
		})
	}
}

// TestEnforcementFiledEndsSupervision: once enforcement of the agreement
// is filed, the plan stops reminding and closes, naming the case.
func TestEnforcementFiledEndsSupervision(t *testing.T) {
	h := newPlanHarness(t, planStart)
	h.input = func(in *PlanInput) { in.SuperviseAfterDefault = true }
	filed := h.defaultsOn(due1).AddDays(3)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalEnforcementFiled, EnforcementFiledSignal{CaseID: "e1", CaseNumber: "（2026）黔2301执1号", AmountFen: 1_302_700, AppliedOn: filed})
	}, filed.Start().Add(12*time.Hour).Sub(planStart))
	res := h.run(threeDue()...)
	require.Equal(t, PlanDefaulted, res.Outcome)
	require.Equal(t, "e1", res.EnforcementCase)
	require.Equal(t, filed, res.ClosedOn)
	require.Equal(t, []string{InstallmentDefaulted, InstallmentScheduled, InstallmentScheduled}, states(res.Installments))
	for _, s := range h.sent() {
		require.False(t, s.Installment > 1, "no reminder after enforcement was filed: %+v", s)
	}
	require.Equal(t, "supervision_ended", h.kinds()[len(h.kinds())-1])
}
