// Package allocation divides a payment among many creditors in whole fen,
// so that no fen is ever lost or invented: the parts always add up to the
// payment, no creditor gets more than they are owed, and what exceeds the
// total owed is returned as overpayment.
package allocation

import (
	"fmt"
	"math/bits"
	"slices"
)

// Rules of allocation.
const (
	// ProRata divides a payment in proportion to what each creditor is
	// owed, by the largest-remainder method.
	ProRata = "pro_rata"
	// HardshipFirst pays creditors in hardship first, pro rata among them,
	// then the rest pro rata (a factory paying its 13 neediest workers of
	// 20 first).
	HardshipFirst = "hardship_first"
)

// Rules lists every allocation rule.
var Rules = []string{ProRata, HardshipFirst}

// Claim is what one creditor is still owed.
type Claim struct {
	OwedFen  int64
	Hardship bool
}

// Allocate divides payment among claims under rule. It returns one part per
// claim, in claim order, and the overpayment beyond the total owed. Parts
// sum to payment - overpaid exactly and part i never exceeds claims[i].
// OwedFen; ties are broken by claim order, so the result is deterministic.
// Amounts must be non-negative and their sum must fit in an int64.
func Allocate(rule string, payment int64, claims []Claim) (parts []int64, overpaid int64, err error) {
	if payment < 0 {
		return nil, 0, fmt.Errorf("allocate: negative payment %d", payment)
	}
	var total, hardship int64
	for i, c := range claims {
		if c.OwedFen < 0 {
			return nil, 0, fmt.Errorf("allocate: claim %d owes a negative %d", i, c.OwedFen)
		}
		if total+c.OwedFen < 0 {
			return nil, 0, fmt.Errorf("allocate: the claims' sum overflows")
		}
		total += c.OwedFen
		if c.Hardship {
			hardship += c.OwedFen
		}
	}
	credit := min(payment, total)
	overpaid = payment - credit
	owed := make([]int64, len(claims))
	switch rule {
	case ProRata:
		for i, c := range claims {
			owed[i] = c.OwedFen
		}
		return largestRemainder(credit, owed), overpaid, nil
	case HardshipFirst:
		first := min(credit, hardship)
		for i, c := range claims {
			if c.Hardship {
				owed[i] = c.OwedFen
			}
		}
		parts = largestRemainder(first, owed)
		for i, c := range claims {
			owed[i] = 0
			if !c.Hardship {
				owed[i] = c.OwedFen
			}
		}
		for i, p := range largestRemainder(credit-first, owed) {
			parts[i] += p
		}
		return parts, overpaid, nil
	}
	return nil, 0, fmt.Errorf("allocate: unknown rule %q, want one of %v", rule, Rules)
}

// largestRemainder divides amount, at most sum(owed), in proportion to owed:
// each gets the floor of its exact share, and the fen left over go one each
// to the largest remainders, earlier claims first among equals.
func largestRemainder(amount int64, owed []int64) []int64 {
	parts := make([]int64, len(owed))
	var total int64
	for _, o := range owed {
		total += o
	}
	if amount == 0 || total == 0 {
		return parts
	}
	rems := make([]uint64, len(owed))
	left := amount
	for i, o := range owed {
		// amount*o can exceed int64; amount <= total keeps the high word
		// below total, as bits.Div64 requires.
		hi, lo := bits.Mul64(uint64(amount), uint64(o))
		q, r := bits.Div64(hi, lo, uint64(total))
		parts[i], rems[i] = int64(q), r
		left -= int64(q)
	}
	// left < len(owed), and at least left claims have a positive remainder,
	// so nobody with nothing owed, or already at their full share, gets a fen.
	order := make([]int, len(owed))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rems[a] > rems[b]:
			return -1
		case rems[a] < rems[b]:
			return 1
		}
		return 0
	})
	for _, i := range order[:left] {
		parts[i]++
	}
	return parts
}
