package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	alloc "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
)

// eightClaimants are eight claimants against one debtor, owed unequal
// sums that add up to 100,000.01 yuan.
func eightClaimants() ([]ApplicantClaim, []Party, int64) {
	parties := []Party{{ID: "xx-construction", Name: "某建筑公司", Side: SideRespondent}}
	var claims []ApplicantClaim
	var total int64
	for i := range 8 {
		id := fmt.Sprintf("worker-%d", i+1)
		amount := int64(1_000_000 + i*57_143)
		if i == 7 {
			amount = 10_000_001 - total
		}
		claims = append(claims, ApplicantClaim{ID: id, AmountFen: amount, Hardship: i < 3})
		parties = append(parties, Party{ID: id, Name: fmt.Sprintf("工人%d", i+1), Side: SideApplicant})
		total += amount
	}
	return claims, parties, total
}

// TestSeveralApplicants: a third party's 30,000-yuan payment is divided
// among eight claimants exactly, by the case's rule; the rest completes
// the case, every claimant's line is paid in full and each is told. The
// applicants and their parties travel by reference, as the API opens a
// case now; or the applicants by reference and their parties in the
// input, or both in the input (legacy), as cases opened before still run.
func TestSeveralApplicants(t *testing.T) {
	for _, rule := range []string{alloc.ProRata, alloc.HardshipFirst} {
		for _, mode := range []string{"parties_by_reference", "by_reference", "legacy"} {
			t.Run(rule+"/"+mode, func(t *testing.T) { severalApplicants(t, rule, mode) })
		}
	}
}

func severalApplicants(t *testing.T, rule, mode string) {
	h := newEnfHarness(t, enfStart)
	claims, parties, total := eightClaimants()
	in := enfInput(enfToday, judgmentTitle())
	in.Applicant, in.Applicants, in.Allocation, in.Parties, in.AmountFen = claims[0].ID, claims, rule, parties, total
	legacy := mode == "legacy"
	switch mode {
	case "by_reference":
		in = h.byRef(in)
	case "parties_by_reference":
		in = h.byParties(in)
		require.Equal(t, []Party{parties[0]}, in.Parties, "only the respondent travels in the input")
	}
	third := h.on(enfToday.AddDays(3), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 3_000_000, PaidOn: enfToday.AddDays(3), Reason: "案外人代为清偿", Actor: judge})
	rest := h.on(enfToday.AddDays(9), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: total - 3_000_000 + 100, PaidOn: enfToday.AddDays(9), Actor: judge})
	res := h.run(in)
	require.NoError(t, third.err)
	require.NoError(t, rest.err)
	require.Equal(t, StageCompleted, res.Stage)
	afterThird, afterRest := third.view.Applicants, rest.view.Applicants
	if !legacy {
		// The workflow holds no line: the store's ledger has them.
		require.Empty(t, third.view.Applicants)
		require.Equal(t, in.ApplicantList, third.view.ApplicantList)
		require.Equal(t, []Party{parties[0]}, third.view.Parties, "the applicant parties are the ledger's lines, which a reader adds")
		require.Len(t, h.summary.Parties, len(parties), "the store holds every party")
		afterThird, afterRest = h.linesAfter(1), h.applicantLines()
		require.Len(t, h.allocated, 2, "each payment allocated once")
	}

	owed := make([]alloc.Claim, len(claims))
	for i, c := range claims {
		owed[i] = alloc.Claim{OwedFen: c.AmountFen, Hardship: c.Hardship}
	}
	want, _, err := alloc.Allocate(rule, 3_000_000, owed)
	require.NoError(t, err)
	var sum int64
	require.Len(t, afterThird, len(claims))
	for i, l := range afterThird {
		require.Equal(t, claims[i].ID, l.ID)
		require.Equal(t, want[i], l.CollectedFen, "%s's share of the third party's payment", l.ID)
		require.Equal(t, l.AmountFen-l.CollectedFen, l.OutstandingFen)
		sum += l.CollectedFen
	}
	require.Equal(t, int64(3_000_000), sum, "the parts add up to the payment, to the fen")
	if rule == alloc.HardshipFirst {
		// The three in hardship are owed more than 30,000 yuan: they
		// share all of it, the others none yet.
		var first int64
		for i, l := range afterThird {
			if claims[i].Hardship {
				first += l.CollectedFen
			} else {
				require.Zero(t, l.CollectedFen, "%s waits for the claims in hardship", l.ID)
			}
		}
		require.Equal(t, int64(3_000_000), first)
	}
	require.Len(t, afterRest, len(claims))
	for _, l := range afterRest {
		require.Equal(t, l.AmountFen, l.CollectedFen, "%s paid in full", l.ID)
		require.Zero(t, l.OutstandingFen)
	}
	require.Equal(t, int64(100), rest.view.OverpaidFen, "what exceeds the debt is kept, not shared out")
	var told []string
	for _, n := range h.sent(enforcementStream) {
		if n.Kind == NoticeCompletion {
			told = append(told, n.Recipient)
		}
	}
	require.Equal(t, claims[0].ID, told[0])
	require.Len(t, told, 8, "every applicant is told of completion")
	var ids []string
	for _, c := range claims {
		ids = append(ids, c.ID)
	}
	require.Equal(t, ids, told, "each once, in the list's order")
	wantReads := 0
	if mode == "parties_by_reference" {
		// Read once, before the payment that completes the case.
		wantReads = 1
	}
	require.Equal(t, wantReads, h.listReads, "the staged list's applicants read")
}

// linesAfter is the applicants' ledger as the store held it after
// allocation no.
func (h *enfHarness) linesAfter(no int) []ApplicantLine {
	h.t.Helper()
	paid, ok := h.collected[no]
	require.True(h.t, ok, "allocation %d made", no)
	out := h.applicantLines()
	for i := range out {
		out[i].CollectedFen, out[i].OutstandingFen = paid[i], out[i].AmountFen-paid[i]
	}
	return out
}

// TestApplicantsByReferenceAllocateAsInInput: the same payments, and a
// settlement paid off, to the same eight claimants, credit each the same
// fen whether the applicants travel by reference (allocated against the
// store's ledger) or in the input (divided in the workflow), under either
// rule; the steps are the same but for what they carry: by reference an
// allocation's number and totals, not a share per applicant.
func TestApplicantsByReferenceAllocateAsInInput(t *testing.T) {
	for _, rule := range []string{alloc.ProRata, alloc.HardshipFirst} {
		t.Run(rule, func(t *testing.T) {
			claims, parties, total := eightClaimants()
			amounts := []int64{1_234_567, 7, 2_000_001, 999_999}
			var rest int64 = total
			for _, a := range amounts {
				rest -= a
			}
			due := enfToday.AddDays(40)
			planWF := PlanWorkflowID(enfCaseID, "settlement-1")
			run := func(legacy bool) (*enfHarness, []*enfUpdate) {
				h := newEnfHarness(t, enfStart)
				in := enfInput(enfToday, judgmentTitle())
				in.Applicant, in.Applicants, in.Allocation, in.Parties, in.AmountFen = claims[0].ID, claims, rule, parties, total
				if !legacy {
					in = h.byRef(in)
				}
				var pays []*enfUpdate
				for i, a := range amounts {
					d := enfToday.AddDays(2 + i)
					pays = append(pays, h.on(d, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: a, PaidOn: d, Actor: judge}))
				}
				settled := h.on(enfToday.AddDays(10), UpdateSettle, SettleCommand{Reason: "余款和解", Actor: judge, Installments: []Installment{{DueOn: due, AmountFen: rest}}})
				paidOff := h.onWorkflow(enfToday.AddDays(12), planWF, UpdateRecordPayment, PaymentCommand{AmountFen: rest, PaidOn: enfToday.AddDays(12), Actor: judge})
				res := h.run(in)
				require.Equal(t, StageCompleted, res.Stage)
				for _, u := range append(pays, settled, paidOff) {
					require.NoError(t, u.err)
				}
				return h, pays
			}
			legacy, inInput := run(true)
			byRef, _ := run(false)
			require.Equal(t, legacy.kinds(enforcementStream), byRef.kinds(enforcementStream), "the same steps, no ledger mismatch")
			require.Len(t, byRef.allocated, len(amounts)+1, "each payment and the settlement allocated once")
			for i, u := range inInput {
				require.Equal(t, u.view.Applicants, byRef.linesAfter(i+1), "payment %d", i+1)
			}
			// The settlement's shares, in the input's step, are what its
			// allocation credited the stored lines.
			var shares []ApplicantShare
			stepData(t, legacy.events[enforcementStream], "settlement_performed", "shares", &shares)
			after := byRef.linesAfter(len(amounts) + 1)
			before := byRef.linesAfter(len(amounts))
			want := ApplicantAllocation{No: len(amounts) + 1, CreditedFen: rest}
			for i, sh := range shares {
				require.Equal(t, sh.AmountFen, after[i].CollectedFen-before[i].CollectedFen, "%s's share of the settlement", sh.Applicant)
				if sh.AmountFen > 0 {
					want.Applicants++
				}
				if claims[i].Hardship {
					want.HardshipFen += sh.AmountFen
				}
			}
			var a ApplicantAllocation
			stepData(t, byRef.events[enforcementStream], "settlement_performed", "allocation", &a)
			require.Equal(t, want, a)
			for _, l := range byRef.applicantLines() {
				require.Zero(t, l.OutstandingFen, "%s paid in full", l.ID)
			}
			var pay map[string]any
			stepData(t, byRef.events[enforcementStream], "enforcement_payment_recorded", "", &pay)
			require.NotContains(t, pay, "shares", "by reference a payment's step carries no share")
			require.Contains(t, pay, "allocation")
		})
	}
}

// stepData decodes the data of the first step of kind, or its key, into v.
func stepData(t *testing.T, events []casefile.Event, kind, key string, v any) {
	t.Helper()
	for _, e := range events {
		if e.Kind != kind {
			continue
		}
		if key == "" {
			require.NoError(t, json.Unmarshal(e.Data, v))
			return
		}
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(e.Data, &m))
		require.Contains(t, m, key)
		require.NoError(t, json.Unmarshal(m[key], v))
		return
	}
	t.Fatalf("no %s step", kind)
}

// TestSeveralApplicantsRefused: claims that do not add up, a claimant who
// is not an applicant party, or one listed twice, open no case.
func TestSeveralApplicantsRefused(t *testing.T) {
	claims, parties, total := eightClaimants()
	tests := []struct {
		name string
		edit func(in *EnforcementInput)
	}{
		{"SumShort", func(in *EnforcementInput) { in.AmountFen = total + 1 }},
		{"NotAParty", func(in *EnforcementInput) { in.Applicants[3].ID = "li-si" }},
		{"Twice", func(in *EnforcementInput) { in.Applicants[2].ID = in.Applicants[1].ID }},
		{"ZeroClaim", func(in *EnforcementInput) {
			in.Applicants[7].AmountFen += in.Applicants[6].AmountFen
			in.Applicants[6].AmountFen = 0
		}},
		{"UnknownRule", func(in *EnforcementInput) { in.Allocation = "first_come" }},
		{"LeadNotFirst", func(in *EnforcementInput) { in.Applicant = claims[1].ID }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			in := enfInput(enfToday, judgmentTitle())
			in.Applicant, in.Parties, in.AmountFen = claims[0].ID, parties, total
			in.Applicants = append([]ApplicantClaim(nil), claims...)
			tc.edit(&in)
			h.env.ExecuteWorkflow(Enforcement, in)
			require.True(t, h.env.IsWorkflowCompleted())
			require.Error(t, h.env.GetWorkflowError())
			require.Empty(t, h.events, "nothing is recorded")
		})
	}
}

// byRefClaimants opens the eight claimants' case by reference in h.
func byRefClaimants(h *enfHarness, rule string) (EnforcementInput, []ApplicantClaim, int64) {
	claims, parties, total := eightClaimants()
	in := enfInput(enfToday, judgmentTitle())
	in.Applicant, in.Applicants, in.Allocation, in.Parties, in.AmountFen = claims[0].ID, claims, rule, parties, total
	return h.byRef(in), claims, total
}

// TestApplicantsByReferenceLedgerMismatch: a stored ledger changed outside
// the case takes less than a payment credited, and a store that holds the
// allocation's number with another amount takes nothing: each payment
// stands, with a creditor_ledger_mismatch step saying what the ledger took.
func TestApplicantsByReferenceLedgerMismatch(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	in, claims, total := byRefClaimants(h, alloc.ProRata)
	h.allocatedOtherwise = map[int]bool{2: true}
	h.env.RegisterDelayedCallback(func() {
		// Someone writes the lines as paid but a fen each.
		for i := range h.lines {
			h.lines[i].PaidFen = h.lines[i].OwedFen - 1
		}
	}, 2*24*time.Hour)
	edited := h.on(enfToday.AddDays(3), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 100, PaidOn: enfToday.AddDays(3), Actor: judge})
	otherwise := h.on(enfToday.AddDays(4), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 50, PaidOn: enfToday.AddDays(4), Actor: judge})
	h.noVisits = true
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 10*24*time.Hour)
	h.env.ExecuteWorkflow(Enforcement, in)
	require.NoError(t, edited.err)
	require.NoError(t, otherwise.err)
	require.Equal(t, int64(150), otherwise.view.CollectedFen, "both payments stand")
	require.Equal(t, total-150, otherwise.view.OutstandingFen)
	require.Equal(t, []string{"enforcement_filed", "enforcement_payment_recorded", "creditor_ledger_mismatch", "enforcement_payment_recorded", "creditor_ledger_mismatch"},
		h.kinds(enforcementStream))
	var first, second map[string]any
	var n int
	for _, e := range h.events[enforcementStream] {
		if e.Kind != "creditor_ledger_mismatch" {
			continue
		}
		n++
		m := map[string]any{}
		require.NoError(t, json.Unmarshal(e.Data, &m))
		if n == 1 {
			first = m
		} else {
			second = m
			require.Contains(t, e.Reason, "allocated otherwise")
		}
	}
	require.Equal(t, map[string]any{"allocation": 1.0, "credited_fen": 100.0, "creditor_ledger_fen": float64(len(claims))}, first, "the edited ledger took a fen a line")
	require.Equal(t, map[string]any{"allocation": 2.0, "credited_fen": 50.0, "creditor_ledger_fen": 0.0}, second)
}

// TestApplicantsByReferenceConcurrentPayments: payments taken at the same
// moment are allocated against the stored ledger one at a time, each once,
// numbered as their steps are, and credit each applicant what dividing
// them in the workflow in that order does; the rest, paid later, completes
// the case.
func TestApplicantsByReferenceConcurrentPayments(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	in, claims, total := byRefClaimants(h, alloc.HardshipFirst)
	amounts := []int64{3_000_000, 1_111_111, 2}
	var paid int64
	var us []*enfUpdate
	for _, a := range amounts {
		paid += a
		us = append(us, h.at(26*time.Hour, UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: a, PaidOn: enfToday.AddDays(1), Actor: judge}))
	}
	h.on(enfToday.AddDays(5), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: total - paid, PaidOn: enfToday.AddDays(5), Actor: judge})
	res := h.run(in)
	require.Equal(t, StageCompleted, res.Stage)
	for _, u := range us {
		require.NoError(t, u.err)
	}
	require.Len(t, h.allocated, len(amounts)+1, "each payment allocated once")
	owed := make([]alloc.Claim, len(claims))
	for i, c := range claims {
		owed[i] = alloc.Claim{OwedFen: c.AmountFen, Hardship: c.Hardship}
	}
	no := 0
	for _, e := range h.events[enforcementStream] {
		if e.Kind != "enforcement_payment_recorded" {
			continue
		}
		no++
		var step struct {
			Payment     int                 `json:"payment"`
			CreditedFen int64               `json:"credited_fen"`
			Allocation  ApplicantAllocation `json:"allocation"`
		}
		require.NoError(t, json.Unmarshal(e.Data, &step))
		require.Equal(t, no, step.Payment)
		require.Equal(t, no, step.Allocation.No, "the step refers to its own allocation")
		require.Equal(t, step.CreditedFen, step.Allocation.CreditedFen)
		parts, _, err := alloc.Allocate(alloc.HardshipFirst, step.CreditedFen, owed)
		require.NoError(t, err)
		for i, part := range parts {
			owed[i].OwedFen -= part
			require.Equal(t, claims[i].AmountFen-owed[i].OwedFen, h.collected[no][i], "payment %d, %s", no, claims[i].ID)
		}
	}
	require.Equal(t, len(amounts)+1, no)
	require.NotContains(t, h.kinds(enforcementStream), "creditor_ledger_mismatch")
}

// TestApplicantsByReferenceStandstill: by reference, every applicant
// party must agree to a standstill, and none other may.
func TestApplicantsByReferenceStandstill(t *testing.T) {
	h := newEnfHarness(t, enfStart)
	in, claims, total := byRefClaimants(h, alloc.ProRata)
	var all []string
	for _, c := range claims {
		all = append(all, c.ID)
	}
	until := enfToday.AddDays(20)
	short := h.on(enfToday, UpdateStandstill, StandstillCommand{Until: until, Reason: "x", AgreedBy: all[1:], OnEnd: StandstillResume, Actor: judge})
	stranger := h.on(enfToday, UpdateStandstill, StandstillCommand{Until: until, Reason: "x", AgreedBy: append(slices.Clone(all), "li-si"), OnEnd: StandstillResume, Actor: judge})
	held := h.on(enfToday, UpdateStandstill, StandstillCommand{Until: until, Reason: "全体申请执行人同意", AgreedBy: all, OnEnd: StandstillResume, Actor: judge})
	h.on(until.AddDays(2), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: total, PaidOn: until.AddDays(2), Actor: judge})
	res := h.run(in)
	requireEnfRejected(t, short, RejectInvalid)
	requireEnfRejected(t, stranger, RejectInvalid)
	require.NoError(t, held.err)
	require.Equal(t, StageCompleted, res.Stage)
	for _, l := range h.applicantLines() {
		require.Zero(t, l.OutstandingFen, "%s paid in full", l.ID)
	}
}

// TestApplicantListRefused: a reference whose totals are not the case's,
// or that lists the applicants too, opens no case.
func TestApplicantListRefused(t *testing.T) {
	tests := []struct {
		name string
		edit func(in *EnforcementInput)
	}{
		{"SumShort", func(in *EnforcementInput) { in.ApplicantList.OwedFen-- }},
		{"FewerThanTheApplicantParties", func(in *EnforcementInput) { in.ApplicantList.Creditors-- }},
		{"NoID", func(in *EnforcementInput) { in.ApplicantList.ID = "" }},
		{"AlsoListed", func(in *EnforcementInput) {
			in.Applicants = []ApplicantClaim{{ID: in.Applicant, AmountFen: in.AmountFen}}
		}},
		{"UnknownRule", func(in *EnforcementInput) { in.Allocation = "first_come" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			in, _, _ := byRefClaimants(h, alloc.ProRata)
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
