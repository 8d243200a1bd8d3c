package workflows

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	alloc "github.com/casework/casework/allocation"
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
// the case, every claimant's line is paid in full and each is told.
func TestSeveralApplicants(t *testing.T) {
	for _, rule := range []string{alloc.ProRata, alloc.HardshipFirst} {
		t.Run(rule, func(t *testing.T) {
			h := newEnfHarness(t, enfStart)
			claims, parties, total := eightClaimants()
			in := enfInput(enfToday, judgmentTitle())
			in.Applicant, in.Applicants, in.Allocation, in.Parties, in.AmountFen = claims[0].ID, claims, rule, parties, total
			third := h.on(enfToday.AddDays(3), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: 3_000_000, PaidOn: enfToday.AddDays(3), Reason: "案外人代为清偿", Actor: judge})
			rest := h.on(enfToday.AddDays(9), UpdateRecordEnforcementPayment, EnforcementPaymentCommand{AmountFen: total - 3_000_000 + 100, PaidOn: enfToday.AddDays(9), Actor: judge})
			res := h.run(in)
			require.NoError(t, third.err)
			require.NoError(t, rest.err)
			require.Equal(t, StageCompleted, res.Stage)

			owed := make([]alloc.Claim, len(claims))
			for i, c := range claims {
				owed[i] = alloc.Claim{OwedFen: c.AmountFen, Hardship: c.Hardship}
			}
			want, _, err := alloc.Allocate(rule, 3_000_000, owed)
			require.NoError(t, err)
			var sum int64
			for i, l := range third.view.Applicants {
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
				for i, l := range third.view.Applicants {
					if claims[i].Hardship {
						first += l.CollectedFen
					} else {
						require.Zero(t, l.CollectedFen, "%s waits for the claims in hardship", l.ID)
					}
				}
				require.Equal(t, int64(3_000_000), first)
			}
			for _, l := range rest.view.Applicants {
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
			require.Equal(t, rest.view.Applicants[0].ID, told[0])
			require.Len(t, told, 8, "every applicant is told of completion")
		})
	}
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
