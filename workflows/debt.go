package workflows

import (
	"fmt"
	"math/big"

	"github.com/casework/casework/policy"
)

// A debt under enforcement may be more than its principal: the costs of
// realising it (执行费 and the like), the interest its title awards, and
// the interest for delayed performance (迟延履行期间的债务利息) that accrues
// on the principal outstanding from the day after the performance period
// ends at the policy's daily rate. A payment discharges the components in
// the policy's order (Civil Code art. 561: costs, interest, principal), so
// a judgment debtor paying 14,350 yuan on 13,027 of principal pays off
// the interest too rather than "overpaying".

// Debt is what is still owed, by component, and how far delay interest has
// been counted.
type Debt struct {
	PrincipalFen int64 `json:"principal_fen"`
	InterestFen  int64 `json:"interest_fen"`
	CostsFen     int64 `json:"costs_fen"`
	// DelayInterestFen is all delay interest accrued so far (part of
	// InterestFen until paid).
	DelayInterestFen int64 `json:"delay_interest_fen"`
	// AccruedThrough is the last day delay interest has been counted for;
	// zero when none accrues.
	AccruedThrough policy.Date `json:"accrued_through,omitzero"`
	// Remainder is the part of a fen accrued but not yet a whole fen, in
	// millionths of a fen, so no fraction is ever lost between payments.
	Remainder int64 `json:"remainder_millionths"`
}

// DebtParts is how one payment was applied.
type DebtParts struct {
	CostsFen     int64 `json:"costs_fen"`
	InterestFen  int64 `json:"interest_fen"`
	PrincipalFen int64 `json:"principal_fen"`
}

func (d *Debt) total() int64 { return d.PrincipalFen + d.InterestFen + d.CostsFen }

// accrue counts delay interest on the principal outstanding for every day
// after AccruedThrough up to and including to, at perMillion a day.
func (d *Debt) accrue(to policy.Date, perMillion int64) {
	if d.AccruedThrough.IsZero() || !to.After(d.AccruedThrough) {
		return
	}
	days := int64(policy.DaysBetween(d.AccruedThrough, to))
	d.AccruedThrough = to
	if d.PrincipalFen == 0 || perMillion == 0 {
		return
	}
	// principal × rate × days can exceed int64 over years of a large debt.
	n := new(big.Int).Mul(big.NewInt(d.PrincipalFen), big.NewInt(perMillion))
	n.Mul(n, big.NewInt(days))
	n.Add(n, big.NewInt(d.Remainder))
	q, r := new(big.Int).QuoRem(n, big.NewInt(1_000_000), new(big.Int))
	d.Remainder = r.Int64()
	if !q.IsInt64() || q.Int64() > maxFen {
		q = big.NewInt(maxFen)
	}
	d.InterestFen += q.Int64()
	d.DelayInterestFen += q.Int64()
}

// apply discharges up to amount in order and returns the parts; what is
// left over exceeds the whole debt.
func (d *Debt) apply(amount int64, order []string) (DebtParts, int64) {
	var parts DebtParts
	take := func(owed *int64, part *int64) {
		n := min(amount, *owed)
		*owed -= n
		*part += n
		amount -= n
	}
	if len(order) == 0 {
		order = policy.DebtComponents
	}
	for _, c := range order {
		switch c {
		case policy.DebtCosts:
			take(&d.CostsFen, &parts.CostsFen)
		case policy.DebtInterest:
			take(&d.InterestFen, &parts.InterestFen)
		case policy.DebtPrincipal:
			take(&d.PrincipalFen, &parts.PrincipalFen)
		}
	}
	return parts, amount
}

// ValidateDebt checks the components an enforcement is opened with.
func ValidateDebt(costs, interest int64, delayFrom, documentDate policy.Date, applicants int) error {
	switch {
	case costs < 0 || costs > maxFen:
		return fmt.Errorf("costs %d fen out of range", costs)
	case interest < 0 || interest > maxFen:
		return fmt.Errorf("interest %d fen out of range", interest)
	case !delayFrom.IsZero() && delayFrom.Before(documentDate):
		return fmt.Errorf("delay interest from %s is before the document date %s", delayFrom, documentDate)
	case !delayFrom.IsZero():
		if err := checkDate("delay interest from", delayFrom); err != nil {
			return err
		}
	}
	if applicants > 0 && (costs > 0 || interest > 0 || !delayFrom.IsZero()) {
		return fmt.Errorf("costs and interest are not yet divided among several applicants: enforce them in a case of one applicant")
	}
	return nil
}

// hasDebt reports whether the case was opened with components besides the
// principal.
func (in EnforcementInput) hasDebt() bool {
	return in.CostsFen > 0 || in.InterestFen > 0 || !in.DelayInterestFrom.IsZero()
}
