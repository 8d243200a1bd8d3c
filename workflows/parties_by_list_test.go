package workflows

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"

	alloc "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
)

// Tests of applicant parties by reference (ApplicantPartiesByList): the
// input holds the respondent only, and the applicants' IDs are read from
// the staged list when a settlement, a standstill or completion needs
// them.

// claimantIDs are the claims' applicant IDs in their order.
func claimantIDs(claims []ApplicantClaim) []string {
	ids := make([]string, len(claims))
	for i, c := range claims {
		ids[i] = c.ID
	}
	return ids
}

// completionNotices are the recipients of the case's completion notices,
// in the order they were sent.
func (h *enfHarness) completionNotices() []string {
	var told []string
	for _, n := range h.sent(enforcementStream) {
		if n.Kind == NoticeCompletion {
			told = append(told, n.Recipient)
		}
	}
	return told
}

// TestApplicantPartiesByListSettlement: eight claimants settle the rest
// after two payments, and the settlement is paid off. By reference the
// settlement plan's obligees are every applicant, in the list's order,
// read once (when the settlement is reached, before the case changes),
// and each applicant is told of completion; the steps are those of a case
// whose applicant parties travel in the input.
func TestApplicantPartiesByListSettlement(t *testing.T) {
	due := enfToday.AddDays(40)
	planWF := PlanWorkflowID(enfCaseID, "settlement-1")
	run := func(t *testing.T, partiesByList bool) (*enfHarness, []ApplicantClaim) {
		h := newEnfHarness(t, enfStart)
		claims, parties, total := eightClaimants()
		in := enfInput(enfToday, judgmentTitle())
		in.Applicant, in.Applicants, in.Allocation, in.Parties, in.AmountFen = claims[0].ID, claims, alloc.HardshipFirst, parties, total
		if partiesByList {
			in = h.byParties(in)
		} else {
			in = h.byRef(in)
		}
		rest := total - 1_000_000 - 7
		pays := []*enfUpdate{
			h.on(enfToday.AddDays(2), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 1_000_000, PaidOn: enfToday.AddDays(2), Actor: judge}),
			h.on(enfToday.AddDays(3), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 7, PaidOn: enfToday.AddDays(3), Actor: judge}),
		}
		settled := h.on(enfToday.AddDays(10), UpdateSettle, SettleCommand{Reason: "余款和解", Actor: judge, Installments: []Installment{{DueOn: due, AmountFen: rest}}})
		paidOff := h.onWorkflow(enfToday.AddDays(12), planWF, UpdateRecordPayment, PaymentCommand{AmountFen: rest, PaidOn: enfToday.AddDays(12), Actor: judge})
		res := h.run(in)
		require.Equal(t, StageCompleted, res.Stage)
		for _, u := range append(pays, settled, paidOff) {
			require.NoError(t, u.err)
		}
		require.Equal(t, StageSettlement, settled.view.Stage)
		return h, claims
	}
	inInput, _ := run(t, false)
	h, claims := run(t, true)
	var obligees []string
	stepData(t, h.events["plan/settlement-1"], "plan_started", "obligees", &obligees)
	require.Equal(t, claimantIDs(claims), obligees, "every applicant is an obligee of the settlement, in the list's order")
	var before []string
	stepData(t, inInput.events["plan/settlement-1"], "plan_started", "obligees", &before)
	require.Equal(t, before, obligees, "the same obligees as with the applicant parties in the input")
	require.Equal(t, inInput.kinds(enforcementStream), h.kinds(enforcementStream), "the same steps")
	require.Equal(t, inInput.kinds("plan/settlement-1"), h.kinds("plan/settlement-1"))
	require.Equal(t, claimantIDs(claims), h.completionNotices(), "every applicant told of completion, once")
	// Each is told its own claim, paid in full.
	var bodies []string
	for _, n := range h.notices {
		if n.Stream == enforcementStream && n.Kind == NoticeCompletion {
			bodies = append(bodies, n.Body)
		}
	}
	for i, c := range claims {
		require.Contains(t, bodies[i], "其中您的债权 "+yuan(c.AmountFen)+" 已全部到位", "notice to %s", c.ID)
	}
	require.Equal(t, 1, h.listReads, "read once, when the settlement was reached")
	for _, l := range h.applicantLines() {
		require.Zero(t, l.OutstandingFen, "%s paid in full", l.ID)
	}

	var filed map[string]any
	stepData(t, h.events[enforcementStream], "enforcement_filed", "", &filed)
	require.Len(t, filed["parties"], 1, "the filing names the respondent among its parties")
	require.Equal(t, true, filed["applicant_parties_by_list"])
	require.Contains(t, filed, "applicant_list", "and the applicants' list by its digest")
}

// TestApplicantPartiesByListStandstill: every applicant party must agree
// to a standstill, and none other, when they are the list's lines: one
// missing, the respondent, the same applicant twice for another, a
// stranger in the place of one are refused and change nothing; all
// agreeing holds the case. The stranger's is refused only once the
// applicants are read, after which the check is the one every case makes.
func TestApplicantPartiesByListStandstill(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	claims, parties, total := eightClaimants()
	in := enfInput(enfToday, judgmentTitle())
	in.Applicant, in.Applicants, in.Parties, in.AmountFen = claims[0].ID, claims, parties, total
	in = h.byParties(in)
	all := claimantIDs(claims)
	until := enfToday.AddDays(20)
	agreeing := func(ids []string) StandstillCommand {
		return StandstillCommand{Until: until, Reason: "全体申请执行人同意", AgreedBy: ids, OnEnd: StandstillResume, Actor: judge}
	}
	refused := []struct {
		name   string
		agreed []string
	}{
		{"OneMissing", all[1:]},
		{"Respondent", append(slices.Clone(all[1:]), "xx-construction")},
		{"OneTwice", append(slices.Clone(all[1:]), all[1])},
		{"Stranger", append(slices.Clone(all[1:]), "li-si")},
		{"StrangerToo", append(slices.Clone(all), "li-si")},
	}
	var us []*enfUpdate
	for _, r := range refused {
		us = append(us, h.on(enfToday, UpdateStandstill, agreeing(r.agreed)))
	}
	// The same refused again once the applicants were read: refused by
	// the check every case makes.
	again := h.on(enfToday, UpdateStandstill, agreeing(append(slices.Clone(all[1:]), "li-si")))
	held := h.on(enfToday, UpdateStandstill, agreeing(slices.Clone(all)))
	h.on(until.AddDays(2), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: total, PaidOn: until.AddDays(2), Actor: judge})
	res := h.run(in)
	for i, r := range refused {
		t.Run(r.name, func(t *testing.T) { requireEnfRejected(t, us[i], RejectInvalid) })
	}
	requireEnfRejected(t, again, RejectInvalid)
	require.NoError(t, held.err)
	require.Equal(t, StageStandstill, held.view.Stage)
	require.Equal(t, all, held.view.Standstills[0].AgreedBy)
	require.Equal(t, StageCompleted, res.Stage)
	n := 0
	for _, k := range h.kinds(enforcementStream) {
		if k == "standstill_granted" {
			n++
		}
	}
	require.Equal(t, 1, n, "only the standstill every applicant agreed to is on the record")
	require.Equal(t, 1, h.listReads, "the applicants read once, by the first command the case itself could not refuse")
	require.Equal(t, all, h.completionNotices())
}

// TestApplicantPartiesByListReadFails: when the applicants cannot be read
// (the staged list no longer matches its digest), a settlement, a
// standstill and the payment that would complete the case are refused as
// the case's state not allowing them (409, never 500) and leave the case
// as it was; a payment that needs no applicant is taken.
func TestApplicantPartiesByListReadFails(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	claims, parties, total := eightClaimants()
	in := enfInput(enfToday, judgmentTitle())
	in.Applicant, in.Applicants, in.Parties, in.AmountFen = claims[0].ID, claims, parties, total
	in = h.byParties(in)
	h.listChanged = true
	d := enfToday.AddDays(2)
	settle := h.on(d, UpdateSettle, SettleCommand{Reason: "和解", Actor: judge, Installments: []Installment{{DueOn: d.AddDays(30), AmountFen: total}}})
	hold := h.on(d, UpdateStandstill, StandstillCommand{Until: d.AddDays(10), Reason: "同意", AgreedBy: claimantIDs(claims), OnEnd: StandstillResume, Actor: judge})
	full := h.on(d, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: total, PaidOn: d, Actor: judge})
	part := h.on(d, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 100, PaidOn: d, Actor: judge})
	h.noVisits = true
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 10*24*time.Hour)
	h.env.ExecuteWorkflow(Enforcement, in)
	for _, u := range []*enfUpdate{settle, hold, full} {
		require.Error(t, u.err)
		kind, _, rejected := Rejection(u.err)
		require.True(t, rejected, "a failed read is a refusal (409), not a fault (500): %v", u.err)
		require.Equal(t, RejectConflict, kind)
		require.ErrorContains(t, u.err, "could not be read")
	}
	require.NoError(t, part.err)
	require.Equal(t, StageEnforcing, part.view.Stage)
	require.Equal(t, int64(100), part.view.CollectedFen, "only the payment that needed no applicant")
	require.Empty(t, part.view.Settlements)
	require.Empty(t, part.view.Standstills)
	require.Equal(t, []string{"enforcement_filed", "enforcement_payment_recorded"}, h.kinds(enforcementStream))
	require.Len(t, h.allocated, 1, "the failed payment allocated nothing")
	require.Equal(t, 3, h.listReads)
}

// TestApplicantPartiesByListRefused: an input whose applicant parties are
// the list's lines opens no case when it has no list, no applicant, an
// applicant who is the respondent, an applicant party of its own, or a
// list that does not add up.
func TestApplicantPartiesByListRefused(t *testing.T) {
	tests := []struct {
		name string
		edit func(in *EnforcementInput)
	}{
		{"NoList", func(in *EnforcementInput) { in.ApplicantList = nil }},
		{"NoApplicant", func(in *EnforcementInput) { in.Applicant = "" }},
		{"ApplicantIsTheRespondent", func(in *EnforcementInput) { in.Applicant = in.Respondent }},
		{"ApplicantPartyInTheInput", func(in *EnforcementInput) {
			in.Parties = append(slices.Clone(in.Parties), Party{ID: "worker-1", Name: "工人1", Side: SideApplicant})
		}},
		{"SumShort", func(in *EnforcementInput) { in.ApplicantList.OwedFen-- }},
		{"NoClaim", func(in *EnforcementInput) { in.ApplicantList.Creditors, in.ApplicantList.Hardship = 0, 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			claims, parties, total := eightClaimants()
			in := enfInput(enfToday, judgmentTitle())
			in.Applicant, in.Applicants, in.Parties, in.AmountFen = claims[0].ID, claims, parties, total
			in = h.byParties(in)
			list := *in.ApplicantList
			in.ApplicantList = &list
			tc.edit(&in)
			h.env.ExecuteWorkflow(Enforcement, in)
			require.True(t, h.env.IsWorkflowCompleted())
			require.Error(t, h.env.GetWorkflowError())
			require.Empty(t, h.events, "nothing is recorded")
		})
	}
}

// thousandClaimants are a thousand workers against one debtor.
func thousandClaimants() ([]ApplicantClaim, []Party, int64) {
	parties := []Party{{ID: "xx-construction", Name: "某建筑公司", Side: SideRespondent}}
	var claims []ApplicantClaim
	var total int64
	for i := range 1_000 {
		id := fmt.Sprintf("worker-%04d", i+1)
		claims = append(claims, ApplicantClaim{ID: id, AmountFen: 1_000_000 + int64(i), Hardship: i%7 == 0})
		parties = append(parties, Party{ID: id, Name: fmt.Sprintf("工人%04d", i+1), Side: SideApplicant})
		total += 1_000_000 + int64(i)
	}
	return claims, parties, total
}

// TestApplicantPartiesByListInputIsSmall: a case of a thousand applicants
// starts with an input of about a kilobyte once their parties travel by
// reference too, where their parties alone made it tens of kilobytes (in
// every run's history and every continue-as-new); the case still tells
// each applicant of completion.
func TestApplicantPartiesByListInputIsSmall(t *testing.T) {
	claims, parties, total := thousandClaimants()
	h := newEnfHarness(t, enfStart)
	in := enfInput(enfToday, judgmentTitle())
	in.Applicant, in.Applicants, in.Parties, in.AmountFen = claims[0].ID, claims, parties, total
	size := func(in EnforcementInput) int {
		p, err := converter.GetDefaultDataConverter().ToPayload(in)
		require.NoError(t, err)
		return len(p.GetData())
	}
	inInput, byRef, byParties := size(in), size(h.byRef(in)), size(h.byParties(in))
	t.Logf("start input of 1,000 applicants: %d bytes with claims and parties in it, %d with the claims by reference, %d with the parties by reference too",
		inInput, byRef, byParties)
	require.Greater(t, byRef, 40_000, "the applicant parties alone weigh tens of kilobytes")
	require.Less(t, byParties, 2_000, "by reference the input does not grow with the applicants")

	in = h.byParties(in)
	done := h.on(enfToday.AddDays(1), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: total, PaidOn: enfToday.AddDays(1), Actor: judge})
	res := h.run(in)
	require.NoError(t, done.err)
	require.Equal(t, StageCompleted, res.Stage)
	require.Equal(t, claimantIDs(claims), h.completionNotices(), "each of the thousand told of completion, once")
	require.Equal(t, 1, h.listReads)
	require.Len(t, h.summary.Parties, 1+len(claims), "the store holds every party")
	require.Equal(t, casefile.StatusClosed, h.summary.Status)
}

// TestApplicantPartiesByListHoldsTheRunThroughASettlement: asked to
// continue as new while a settlement is performed, a case whose applicant
// parties travel by reference hands over only once the settlement's end
// is taken, so the applicants read when it was reached are its plan's
// obligees and those told of completion, read once; the next run is
// started with the respondent alone among its parties.
func TestApplicantPartiesByListHoldsTheRunThroughASettlement(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	claims, parties, total := eightClaimants()
	in := enfInput(enfToday, judgmentTitle())
	in.Applicant, in.Applicants, in.Parties, in.AmountFen = claims[0].ID, claims, parties, total
	in = h.byParties(in)
	h.noVisits = true
	settled := h.on(enfToday.AddDays(1), UpdateSettle, SettleCommand{Reason: "和解", Actor: judge, Installments: []Installment{{DueOn: enfToday.AddDays(30), AmountFen: total}}})
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, 2*24*time.Hour)
	paid := h.onWorkflow(enfToday.AddDays(5), PlanWorkflowID(enfCaseID, "settlement-1"), UpdateRecordPayment, PaymentCommand{AmountFen: total, PaidOn: enfToday.AddDays(5), Actor: judge})
	h.env.ExecuteWorkflow(Enforcement, in)
	next := continuedInput[EnforcementInput](t, h.env.GetWorkflowError())
	require.NoError(t, settled.err)
	require.NoError(t, paid.err)
	require.Equal(t, []string{"enforcement_filed", "settlement_reached", "settlement_performed", "enforcement_completed"}, h.kinds(enforcementStream),
		"the run held until the settlement's end was taken")
	require.Equal(t, StageCompleted, next.State.Stage)
	require.Equal(t, claimantIDs(claims), h.completionNotices())
	require.Equal(t, 1, h.listReads, "read once, when the settlement was reached")
	require.True(t, next.ApplicantPartiesByList)
	require.Equal(t, []Party{parties[0]}, next.Parties, "the next run is started with the respondent alone")
}
