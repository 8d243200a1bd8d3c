package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	alloc "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
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

// applicantIDs lists every applicant: the several, or the one. By
// reference, the several are the case's applicant parties, each of which
// has its claim in the list; when the applicant parties travel by
// reference too, they are the list's lines as loadApplicants read them
// (nil before).
func (e *enforcement) applicantIDs() []string {
	if e.partiesByList() {
		return e.listed
	}
	if e.byRef() {
		var ids []string
		for _, p := range e.in.Parties {
			if p.Side == SideApplicant {
				ids = append(ids, p.ID)
			}
		}
		return ids
	}
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

// Several applicants travel by reference in cases opened since: the API
// stages their claims as a creditor list of the wage process
// (db/wage_lists.go), the case opens its creditor ledger from the list with
// its first steps, and every fen collected is allocated against the stored
// ledger by the same activity a wage payment is (AllocateWagePayment),
// which keeps what it credited. The workflow carries the list's totals; a
// collection's step carries its allocation's number and totals, not a
// share per applicant.

// byRef reports whether the applicants travel by reference.
func (e *enforcement) byRef() bool { return e.in.ApplicantList != nil }

// claimants is how many applicants have claims of their own: zero for a
// case of one applicant.
func (e *enforcement) claimants() int {
	if e.byRef() {
		return e.in.ApplicantList.Creditors
	}
	return len(e.in.Applicants)
}

// rule is the case's allocation rule.
func (e *enforcement) rule() string {
	if e.in.Allocation == "" {
		return alloc.ProRata
	}
	return e.in.Allocation
}

// ValidateApplicantList checks a staged list of applicants' claims against
// the case: a claim for each applicant party, summing exactly to the
// amount, and a known rule. The list's lines were checked when staged.
func ValidateApplicantList(l db.WageList, rule string, amount int64, parties []Party) error {
	n := 0
	for _, p := range parties {
		if p.Side == SideApplicant {
			n++
		}
	}
	if l.ID != "" && l.Creditors != n {
		return fmt.Errorf("the applicant list holds %d claims for the case's %d applicant parties", l.Creditors, n)
	}
	return validateList(l, rule, amount)
}

// validateList checks a staged list's totals against the case: at least
// one claim, summing exactly to the amount, and a known rule. When the
// applicant parties travel by reference, its count is theirs.
func validateList(l db.WageList, rule string, amount int64) error {
	switch {
	case l.ID == "":
		return fmt.Errorf("the applicant list has no ID")
	case l.Creditors < 1:
		return fmt.Errorf("the applicant list holds no claim")
	case l.Hardship < 0 || l.Hardship > l.Creditors:
		return fmt.Errorf("the applicant list has %d claims in hardship of %d", l.Hardship, l.Creditors)
	case l.OwedFen != amount:
		return fmt.Errorf("the applicants' claims sum to %d fen, not the %d fen to be enforced", l.OwedFen, amount)
	}
	switch rule {
	case "", alloc.ProRata, alloc.HardshipFirst:
	default:
		return fmt.Errorf("unknown allocation rule %q, want one of %v", rule, alloc.Rules)
	}
	return nil
}

// ApplicantAllocation is what one collection credited the applicants'
// stored lines, kept in the store under its number (the step refers to
// it; the shares are the ledger's).
type ApplicantAllocation struct {
	No          int   `json:"no"`
	CreditedFen int64 `json:"credited_fen"`
	// Applicants counts the applicants who received part of it.
	Applicants  int   `json:"applicants"`
	HardshipFen int64 `json:"hardship_fen"`
	// Failure is why the store allocated nothing under the number.
	Failure string `json:"failure,omitempty"`
}

// allocateStored divides amount, collected, among the applicants' stored
// lines by the case's rule. The activity keeps what it credited under the
// allocation's number, so a retry credits nothing again; a number the
// store allocated otherwise credits nothing, and the step says why. The
// caller holds e.allocating; nil: nothing to allocate.
func (e *enforcement) allocateStored(ctx workflow.Context, amount int64) (*ApplicantAllocation, error) {
	if amount <= 0 {
		return nil, nil
	}
	// The ledger opens with the first steps; nothing is collected before.
	if err := workflow.Await(ctx, func() bool { return e.s.ApplicantsOpened }); err != nil {
		return nil, err
	}
	e.s.Allocations++
	no := e.s.Allocations
	in := activities.AllocateWagePaymentInput{CaseID: e.in.CaseID, Payment: db.WagePayment{
		// The ledger opened at version 1; allocation n writes version n+1.
		No: no, AmountFen: amount, Rule: e.rule(), Version: no + 1,
	}}
	var rec *activities.Recorder
	var a db.WageAllocation
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.AllocateWagePayment, in).Get(ctx, &a)
	out := &ApplicantAllocation{No: no, CreditedFen: a.CreditedFen, Applicants: a.Creditors, HardshipFen: a.HardshipFen}
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeAllocatedOtherwise:
		out = &ApplicantAllocation{No: no, Failure: appErr.Error()}
	case err != nil:
		return nil, err
	}
	return out, nil
}

// ledgerMismatch puts on the record that the applicants' stored ledger did
// not take the credited amount a collection credited them (changed outside
// the case): the collection stands, the difference is for a clerk and the
// auditor. It returns the last step's number, seq when all is well.
func (e *enforcement) ledgerMismatch(ctx workflow.Context, a *ApplicantAllocation, credited int64, seq int) int {
	if a == nil || a.CreditedFen == credited {
		return seq
	}
	reason := fmt.Sprintf("allocation %d: the applicants' ledger took %s of the %s collected for them", a.No, yuan(a.CreditedFen), yuan(credited))
	if a.Failure != "" {
		reason += ": " + a.Failure
	}
	return e.s.Journal.add(ctx, step{
		Kind: "creditor_ledger_mismatch", Actor: casefile.System, ReasonCode: "creditor_ledger_changed_outside_the_case",
		Reason: reason,
		Data:   map[string]any{"allocation": a.No, "credited_fen": credited, "creditor_ledger_fen": a.CreditedFen},
	})
}

// withAllocation puts a collection's allocation in its step's data in
// place of the shares, when the applicants travel by reference.
func withAllocation(data map[string]any, a *ApplicantAllocation, byRef bool) map[string]any {
	if byRef {
		delete(data, "shares")
		data["allocation"] = a
	}
	return data
}

// The applicant parties travel by reference too in cases opened since
// (ApplicantPartiesByList): the API sends the workflow only the other
// parties, and the applicants are the staged list's lines, first the
// applicant who applied (the API checks that against the list it
// staged). The rare moments that need each applicant's ID read them from
// the store with one activity, before the case changes.

// partiesByList reports whether the applicant parties are the staged
// list's lines rather than parties in the input.
func (e *enforcement) partiesByList() bool { return e.in.ApplicantPartiesByList }

// validatePartiesByList checks the input of a case whose applicant
// parties are its list's lines, as far as the workflow can before it
// reads them: the list is there, the applicant is named and is none of
// the other parties, and none of those is an applicant party.
func validatePartiesByList(in EnforcementInput, sides map[string]string) error {
	switch {
	case in.ApplicantList == nil:
		return fmt.Errorf("the applicant parties can be a list's lines only when the applicants are listed by reference")
	case in.Applicant == "":
		return fmt.Errorf("an enforcement case needs its applicant")
	case sides[in.Applicant] != "":
		return fmt.Errorf("applicant %q is a %s party: the applicant parties are the applicant list's lines", in.Applicant, sides[in.Applicant])
	}
	for _, p := range in.Parties {
		if p.Side == SideApplicant {
			return fmt.Errorf("party %q is an applicant party: the applicant parties are the applicant list's lines, not the input's", p.ID)
		}
	}
	return nil
}

// loadApplicants reads the applicants' IDs from the staged list when the
// applicant parties travel by reference and they are not yet read this
// run; otherwise it does nothing. A caller reads them before it changes
// the case, so a failed read leaves the case as it was. What is read must
// be the list the case opened with: as many as its creditors, the
// applicant first (the activity checks the lines against the digest).
func (e *enforcement) loadApplicants(ctx workflow.Context) error {
	if !e.partiesByList() || e.listed != nil {
		return nil
	}
	l := e.in.ApplicantList
	var rec *activities.Recorder
	var out activities.WageListCreditorIDsResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.WageListCreditorIDs,
		activities.WageListCreditorIDsInput{List: *l}).Get(ctx, &out)
	// The read retries through outages; what ends it is a list that no
	// longer matches its digest, which no retry mends: the command is
	// refused as the case's state not allowing it, and nothing changed.
	switch {
	case err != nil:
		return reject(RejectConflict, "the applicants of list %s could not be read: %v", l.ID, err)
	case len(out.IDs) != l.Creditors:
		return reject(RejectConflict, "list %s holds %d applicants, not %d", l.ID, len(out.IDs), l.Creditors)
	case out.IDs[0] != e.in.Applicant:
		return reject(RejectConflict, "list %s begins with %q, not the applicant %q", l.ID, out.IDs[0], e.in.Applicant)
	}
	e.listed = out.IDs
	if len(out.OwedFen) == len(out.IDs) {
		e.listedOwed = out.OwedFen
	}
	return nil
}

// completes reports whether a payment of amount on would discharge the
// whole debt, completing the case; it changes nothing.
func (e *enforcement) completes(amount int64, on policy.Date) bool {
	if e.s.Debt == nil {
		return amount >= e.outstanding()
	}
	d := *e.s.Debt
	d.accrue(on, e.s.Policy.Enforcement.DelayInterestPerMillion)
	d.apply(amount, e.s.Policy.Enforcement.ApplicationOrder)
	return d.total() == 0
}
