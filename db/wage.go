package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/db/dbq"
)

// WageCreditor is one line of a wage arrears case's per-creditor ledger.
type WageCreditor struct {
	CaseID     string    `json:"case_id"`
	CreditorID string    `json:"creditor_id"`
	No         int       `json:"no"`
	Name       string    `json:"name"`
	OwedFen    int64     `json:"owed_fen"`
	PaidFen    int64     `json:"paid_fen"`
	Hardship   bool      `json:"hardship"`
	Version    int       `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// WageLedger is a wage case's ledger after a change: its installment ledger
// (stored like an installment plan's) and the creditors whose lines changed.
// Version orders the writes of one case.
type WageLedger struct {
	CaseID    string         `json:"case_id"`
	Version   int            `json:"version"`
	Plan      Plan           `json:"plan"`
	Creditors []WageCreditor `json:"creditors,omitempty"`
}

// WageTotals sums a case's per-creditor ledger.
type WageTotals struct {
	Creditors int   `json:"creditors"`
	OwedFen   int64 `json:"owed_fen"`
	PaidFen   int64 `json:"paid_fen"`
}

// RecordWage writes a wage case's changed creditor lines in one
// statement, then its installment ledger. Each row keeps the newest
// version written, so a retried activity changes nothing and an older
// write never overwrites a newer one.
func (s *Store) RecordWage(ctx context.Context, l WageLedger) error {
	if len(l.Creditors) > 0 {
		p := dbq.WageCreditorUpsertParams{CaseID: l.CaseID, Version: int32(l.Version)}
		for _, c := range l.Creditors {
			p.CreditorIds = append(p.CreditorIds, c.CreditorID)
			p.Nos = append(p.Nos, int32(c.No))
			p.Names = append(p.Names, c.Name)
			p.OwedFen = append(p.OwedFen, c.OwedFen)
			p.PaidFen = append(p.PaidFen, c.PaidFen)
			p.Hardship = append(p.Hardship, c.Hardship)
		}
		// One statement: every changed line is written, or none.
		_, err := dbq.New(s.pool).WageCreditorUpsert(ctx, p)
		if err != nil {
			return fmt.Errorf("record wage ledger %s v%d: %w", l.CaseID, l.Version, err)
		}
	}
	l.Plan.Version = l.Version
	return s.RecordPlan(ctx, l.Plan, nil)
}

// WageCreditors returns up to limit creditor lines of a case in their
// order, after position after (0 for the first page).
func (s *Store) WageCreditors(ctx context.Context, caseID string, after, limit int) ([]WageCreditor, error) {
	rows, err := dbq.New(s.pool).WageCreditorList(ctx, dbq.WageCreditorListParams{CaseID: caseID, After: int32(after), Max: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("wage creditors of %s: %w", caseID, err)
	}
	out := make([]WageCreditor, 0, len(rows))
	for _, r := range rows {
		out = append(out, wageCreditorOf(r))
	}
	return out, nil
}

// WageCreditor returns one creditor's line.
func (s *Store) WageCreditor(ctx context.Context, caseID, creditorID string) (WageCreditor, error) {
	r, err := dbq.New(s.pool).WageCreditorGet(ctx, dbq.WageCreditorGetParams{CaseID: caseID, CreditorID: creditorID})
	if errors.Is(err, pgx.ErrNoRows) {
		return WageCreditor{}, fmt.Errorf("wage creditor %s/%s: %w", caseID, creditorID, ErrNotFound)
	}
	if err != nil {
		return WageCreditor{}, fmt.Errorf("wage creditor %s/%s: %w", caseID, creditorID, err)
	}
	return wageCreditorOf(r), nil
}

// WageTotals sums the per-creditor ledger of a case.
func (s *Store) WageTotals(ctx context.Context, caseID string) (WageTotals, error) {
	r, err := dbq.New(s.pool).WageCreditorTotals(ctx, caseID)
	if err != nil {
		return WageTotals{}, fmt.Errorf("wage totals of %s: %w", caseID, err)
	}
	return WageTotals{Creditors: int(r.Creditors), OwedFen: r.OwedFen, PaidFen: r.PaidFen}, nil
}

func wageCreditorOf(r dbq.WageCreditor) WageCreditor {
	return WageCreditor{
		CaseID: r.CaseID, CreditorID: r.CreditorID, No: int(r.No), Name: r.Name, OwedFen: r.OwedFen,
		PaidFen: r.PaidFen, Hardship: r.Hardship, Version: int(r.Version), UpdatedAt: r.UpdatedAt,
	}
}

// WagePayment is one payment to a wage case's creditors, to be allocated
// against the stored creditor ledger by Rule (allocation.ProRata or
// HardshipFirst). Version is the case's ledger version once it was made.
type WagePayment struct {
	No        int    `json:"no"`
	AmountFen int64  `json:"amount_fen"`
	Rule      string `json:"rule"`
	Version   int    `json:"version"`
}

// WagePaymentApplied is what one payment credited: the sum and how many
// creditors shared it. Skipped is set for a payment already in the ledger
// (a retried write), which is not allocated again.
type WagePaymentApplied struct {
	No          int   `json:"no"`
	CreditedFen int64 `json:"credited_fen"`
	Creditors   int   `json:"creditors"`
	Skipped     bool  `json:"skipped,omitempty"`
}

// ApplyWagePayments allocates payments, in order, against a case's stored
// creditor lines and writes the lines they changed at version, in one
// transaction; then it writes the installment ledger. The workflow that
// made the payments allocates them the same way against the same lines, so
// a payment travels as its amount, not as ten thousand lines; the sums
// returned let it check that both agree. A payment whose version the lines
// already hold was applied by an earlier try and is skipped.
func (s *Store) ApplyWagePayments(ctx context.Context, caseID string, version int, plan Plan, payments []WagePayment) ([]WagePaymentApplied, error) {
	var out []WagePaymentApplied
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = out[:0]
		q := dbq.New(tx)
		rows, err := q.WageCreditorClaims(ctx, caseID)
		if err != nil {
			return err
		}
		applied := 0
		claims := make([]allot.Claim, len(rows))
		paid := make([]int64, len(rows))
		for i, r := range rows {
			if int(r.No) != i+1 {
				return fmt.Errorf("creditor line %d is at position %d: the ledger has a gap", r.No, i+1)
			}
			applied = max(applied, int(r.Version))
			paid[i] = r.PaidFen
			claims[i] = allot.Claim{OwedFen: r.OwedFen - r.PaidFen, Hardship: r.Hardship}
		}
		changed := make([]bool, len(rows))
		for _, p := range payments {
			if p.Version <= applied {
				out = append(out, WagePaymentApplied{No: p.No, Skipped: true})
				continue
			}
			parts, _, err := allot.Allocate(p.Rule, p.AmountFen, claims)
			if err != nil {
				return fmt.Errorf("allocate payment %d: %w", p.No, err)
			}
			a := WagePaymentApplied{No: p.No}
			for i, part := range parts {
				if part == 0 {
					continue
				}
				paid[i] += part
				claims[i].OwedFen -= part
				changed[i] = true
				a.CreditedFen += part
				a.Creditors++
			}
			out = append(out, a)
		}
		var nos []int32
		var fen []int64
		for i, c := range changed {
			if c {
				nos, fen = append(nos, int32(i+1)), append(fen, paid[i])
			}
		}
		if len(nos) == 0 {
			return nil
		}
		_, err = q.WageCreditorSetPaid(ctx, dbq.WageCreditorSetPaidParams{CaseID: caseID, Version: int32(version), Nos: nos, PaidFen: fen})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apply wage payments %s v%d: %w", caseID, version, err)
	}
	plan.Version = version
	if err := s.RecordPlan(ctx, plan, nil); err != nil {
		return nil, err
	}
	return out, nil
}
