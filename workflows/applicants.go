package workflows

import (
	"fmt"

	alloc "github.com/casework/casework/allocation"
)

// Several applicants (申请执行人) may enforce one title against one debtor:
// four worker representatives, eight claimants. Each has its own claim;
// every fen collected is divided among what each is still owed by the
// case's allocation rule (the allocation package: parts sum exactly, no
// one gets more than owed), and each applicant's line is its ledger.

// ApplicantClaim is one applicant's claim as the case is opened.
type ApplicantClaim struct {
	ID        string `json:"id"`
	AmountFen int64  `json:"amount_fen"`
	// Hardship puts the claim first under the hardship_first rule.
	Hardship bool `json:"hardship,omitempty"`
}

// ApplicantLine is one applicant's ledger: what it claims and what it has
// received.
type ApplicantLine struct {
	ID             string `json:"id"`
	AmountFen      int64  `json:"amount_fen"`
	Hardship       bool   `json:"hardship,omitempty"`
	CollectedFen   int64  `json:"collected_fen"`
	OutstandingFen int64  `json:"outstanding_fen"`
}

// ApplicantShare is the part of one payment credited to one applicant.
type ApplicantShare struct {
	Applicant string `json:"applicant"`
	AmountFen int64  `json:"amount_fen"`
}

// ValidateApplicants checks several applicants' claims against the case:
// each an applicant party, once, claims summing exactly to the amount.
func ValidateApplicants(claims []ApplicantClaim, rule string, amount int64, sides map[string]string) error {
	if len(claims) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var sum int64
	for i, c := range claims {
		switch {
		case sides[c.ID] != SideApplicant:
			return fmt.Errorf("applicant %d (%q) is not an applicant party to the case", i+1, c.ID)
		case seen[c.ID]:
			return fmt.Errorf("applicant %q is listed twice", c.ID)
		case c.AmountFen <= 0 || c.AmountFen > maxFen:
			return fmt.Errorf("applicant %q: claim %d fen out of range", c.ID, c.AmountFen)
		}
		seen[c.ID] = true
		if sum += c.AmountFen; sum > maxFen {
			return fmt.Errorf("the claims exceed the maximum %d fen", int64(maxFen))
		}
	}
	if sum != amount {
		return fmt.Errorf("the applicants' claims sum to %d fen, not the %d fen to be enforced", sum, amount)
	}
	switch rule {
	case "", alloc.ProRata, alloc.HardshipFirst:
	default:
		return fmt.Errorf("unknown allocation rule %q, want one of %v", rule, alloc.Rules)
	}
	return nil
}

// divide credits amount (at most what is outstanding in all) to the
// applicants' lines by the case's rule and returns each one's share.
func (e *enforcement) divide(amount int64) []ApplicantShare {
	lines := e.s.Applicants
	if len(lines) == 0 || amount <= 0 {
		return nil
	}
	claims := make([]alloc.Claim, len(lines))
	for i, l := range lines {
		claims[i] = alloc.Claim{OwedFen: l.OutstandingFen, Hardship: l.Hardship}
	}
	rule := e.in.Allocation
	if rule == "" {
		rule = alloc.ProRata
	}
	// The rule and the claims were validated when the case opened, and
	// amount never exceeds what is owed, so Allocate cannot fail here.
	parts, _, _ := alloc.Allocate(rule, amount, claims)
	shares := make([]ApplicantShare, 0, len(lines))
	for i, p := range parts {
		l := &e.s.Applicants[i]
		l.CollectedFen += p
		l.OutstandingFen -= p
		shares = append(shares, ApplicantShare{Applicant: l.ID, AmountFen: p})
	}
	return shares
}

// applicantIDs lists every applicant: the several, or the one.
func (e *enforcement) applicantIDs() []string {
	if len(e.s.Applicants) == 0 {
		return []string{e.in.Applicant}
	}
	ids := make([]string, 0, len(e.s.Applicants))
	for _, l := range e.s.Applicants {
		ids = append(ids, l.ID)
	}
	return ids
}

// ForParty keeps, for a party reading the case, only its own applicant
// line; the respondent, who owes them all, sees every line.
func (v *EnforcementView) ForParty(subject string) {
	if subject == v.Respondent || len(v.Applicants) == 0 {
		return
	}
	var own []ApplicantLine
	for _, l := range v.Applicants {
		if l.ID == subject {
			own = append(own, l)
		}
	}
	v.Applicants = own
}
