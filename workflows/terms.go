package workflows

import (
	"fmt"

	"github.com/casework/casework/policy"
)

// Party is a party to a case. ID is the subject the party signs in as, so
// that a party can be shown only its own cases.
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Side is applicant (申请人) or respondent (被申请人).
	Side string `json:"side"`
}

// Party sides.
const (
	SideApplicant  = "applicant"
	SideRespondent = "respondent"
)

// Installment is one payment of a performance schedule, in integer fen.
type Installment struct {
	DueOn     policy.Date `json:"due_on"`
	AmountFen int64       `json:"amount_fen"`
}

// Terms are what a mediation agreement obliges: who pays whom, how much,
// and when. A single payment is a schedule of one installment.
type Terms struct {
	Obligor      string        `json:"obligor"`
	Obligees     []string      `json:"obligees"`
	TotalFen     int64         `json:"total_fen"`
	Installments []Installment `json:"installments"`
	// Acceleration is an acceleration clause (加速到期): if an installment
	// is in default, the whole remainder falls due at once.
	Acceleration bool `json:"acceleration,omitempty"`
}

// InvalidTermsError says why terms cannot be accepted.
type InvalidTermsError struct{ Reason string }

func (e *InvalidTermsError) Error() string { return "invalid terms: " + e.Reason }

// LatestDate is the last date a case takes: every period the policy
// counts from a date up to it (a grace period, an escalation, the two-year
// enforcement window, a re-check) still ends in a four-digit year, which is
// what legal calendar dates are; a later date would fail the case that
// counts from it, so every validator refuses one.
var LatestDate = policy.NewDate(2199, 12, 31)

// checkDate refuses a date after LatestDate.
func checkDate(what string, d policy.Date) error {
	if d.After(LatestDate) {
		return fmt.Errorf("%s %s is after %s, the latest date a case takes", what, d, LatestDate)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return &InvalidTermsError{Reason: fmt.Sprintf(format, args...)}
}

// maxFen bounds any amount at one trillion yuan, far above any claim, so
// sums of installments cannot overflow int64.
const maxFen = 100_000_000_000_000

// ValidateTerms checks terms agreed on agreedOn between parties: the obligor
// and obligees are distinct parties to the case, every amount is positive,
// the installments add up exactly to the total, and each falls due after the
// agreement date and after the one before it.
func ValidateTerms(t Terms, parties []Party, agreedOn policy.Date) error {
	known := make(map[string]bool, len(parties))
	for _, p := range parties {
		known[p.ID] = true
	}
	return validateTermsOf(t, func(id string) bool { return known[id] }, agreedOn)
}

// validateTermsOf is ValidateTerms with known saying who is a party. A
// case whose parties travel by reference passes one that admits any ID,
// and checks the obligor and obligees against its staged list before it
// records the terms (mediation.checkTermsParties).
func validateTermsOf(t Terms, known func(string) bool, agreedOn policy.Date) error {
	if t.Obligor == "" || !known(t.Obligor) {
		return invalid("obligor %q is not a party to the case", t.Obligor)
	}
	if len(t.Obligees) == 0 {
		return invalid("at least one obligee is required")
	}
	seen := map[string]bool{}
	for _, o := range t.Obligees {
		if !known(o) {
			return invalid("obligee %q is not a party to the case", o)
		}
		if o == t.Obligor {
			return invalid("obligee %q is also the obligor", o)
		}
		if seen[o] {
			return invalid("obligee %q listed twice", o)
		}
		seen[o] = true
	}
	if t.TotalFen <= 0 {
		return invalid("total must be a positive amount of fen, got %d", t.TotalFen)
	}
	if t.TotalFen > maxFen {
		return invalid("total %d fen exceeds the maximum %d", t.TotalFen, int64(maxFen))
	}
	if len(t.Installments) == 0 {
		return invalid("a performance schedule of at least one payment is required")
	}
	var sum int64
	prev := agreedOn
	for i, in := range t.Installments {
		n := i + 1
		if in.AmountFen <= 0 {
			return invalid("installment %d: amount must be positive, got %d fen", n, in.AmountFen)
		}
		if in.AmountFen > t.TotalFen {
			return invalid("installment %d: amount %d fen exceeds the total %d", n, in.AmountFen, t.TotalFen)
		}
		sum += in.AmountFen
		if in.DueOn.IsZero() {
			return invalid("installment %d: due date is required", n)
		}
		if err := checkDate(fmt.Sprintf("installment %d: due date", n), in.DueOn); err != nil {
			return invalid("%s", err.Error())
		}
		if !in.DueOn.After(agreedOn) {
			return invalid("installment %d: due date %s must be after the agreement date %s", n, in.DueOn, agreedOn)
		}
		if !in.DueOn.After(prev) {
			return invalid("installment %d: due date %s must be after the previous installment's %s", n, in.DueOn, prev)
		}
		prev = in.DueOn
	}
	if sum != t.TotalFen {
		return invalid("installments sum to %d fen, not the total %d fen", sum, t.TotalFen)
	}
	return nil
}

// checkSettlement refuses a settlement's schedule (执行和解, 执前和解) unless
// it has 1 to maxSettlementInstallments installments of positive amounts,
// due one after another after today, summing exactly to what is
// outstanding.
func checkSettlement(insts []Installment, today policy.Date, outstanding int64) error {
	if n := len(insts); n == 0 || n > maxSettlementInstallments {
		return reject(RejectInvalid, "a settlement needs 1 to %d installments, got %d", maxSettlementInstallments, n)
	}
	prev := today
	var sum int64
	for i, in := range insts {
		n := i + 1
		switch {
		case in.AmountFen <= 0 || in.AmountFen > maxFen:
			return reject(RejectInvalid, "installment %d: amount must be a positive amount of fen, got %d", n, in.AmountFen)
		case in.DueOn.IsZero():
			return reject(RejectInvalid, "installment %d: due date is required", n)
		case in.DueOn.After(LatestDate):
			return reject(RejectInvalid, "%s", checkDate(fmt.Sprintf("installment %d: due date", n), in.DueOn).Error())
		case !in.DueOn.After(prev):
			return reject(RejectInvalid, "installment %d: due date %s must be after %s", n, in.DueOn, prev)
		}
		if sum += in.AmountFen; sum > maxFen {
			return reject(RejectInvalid, "installments exceed the maximum %d fen", int64(maxFen))
		}
		prev = in.DueOn
	}
	if sum != outstanding {
		return reject(RejectInvalid, "the installments sum to %d fen, not the %d fen outstanding", sum, outstanding)
	}
	return nil
}
