package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db/dbq"
)

// A wage case's creditors travel by reference: the API stages the list
// here before the case starts, and the workflow carries only its digest
// and totals. Ten thousand creditors are some 640 KB of JSON; carried in
// the workflow's input they would be in every run's history and every
// continue-as-new.

// WageListCreditor is one creditor of a staged list, in its order.
type WageListCreditor struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	OwedFen  int64  `json:"owed_fen"`
	Hardship bool   `json:"hardship,omitempty"`
}

// WageList is a staged creditor list as a workflow refers to it.
type WageList struct {
	// ID is the list's digest: the same creditors stage the same list.
	ID        string `json:"id"`
	Creditors int    `json:"creditors"`
	OwedFen   int64  `json:"owed_fen"`
	Hardship  int    `json:"hardship"`
}

// WageListID is the digest of a creditor list, in its order.
func WageListID(cs []WageListCreditor) string {
	b, _ := json.Marshal(cs)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// StageWageList stages a creditor list and returns its reference; staging
// the same list again changes nothing.
func (s *Store) StageWageList(ctx context.Context, cs []WageListCreditor) (WageList, error) {
	l := WageList{ID: WageListID(cs), Creditors: len(cs)}
	p := dbq.WageListStageParams{ListID: l.ID}
	for i, c := range cs {
		p.Nos = append(p.Nos, int32(i+1))
		p.CreditorIds = append(p.CreditorIds, c.ID)
		p.Names = append(p.Names, c.Name)
		p.OwedFen = append(p.OwedFen, c.OwedFen)
		p.Hardship = append(p.Hardship, c.Hardship)
		l.OwedFen += c.OwedFen
		if c.Hardship {
			l.Hardship++
		}
	}
	q := dbq.New(s.pool)
	if _, err := q.WageListStage(ctx, p); err != nil {
		return WageList{}, fmt.Errorf("stage creditor list: %w", err)
	}
	// What is stored under the digest is what was asked for, or the
	// reference is refused.
	t, err := q.WageListTotals(ctx, l.ID)
	if err != nil {
		return WageList{}, fmt.Errorf("stage creditor list: %w", err)
	}
	if int(t.Creditors) != l.Creditors || t.OwedFen != l.OwedFen || int(t.Hardship) != l.Hardship {
		return WageList{}, fmt.Errorf("creditor list %s holds %d creditors owed %d fen, not %d owed %d", l.ID, t.Creditors, t.OwedFen, l.Creditors, l.OwedFen)
	}
	return l, nil
}

// ErrListChanged: the lines stored under a list's ID are not the list its
// digest names (edited in the database). Reading again cannot mend it.
var ErrListChanged = errors.New("staged list does not match its digest")

// WageListCreditorIDs returns the creditor IDs of staged list l, in its
// order, once the lines stored under it hash to its digest and count its
// creditors: a case whose parties travel by reference gets the very
// parties its opening step's digest covers, or an error.
func (s *Store) WageListCreditorIDs(ctx context.Context, l WageList) ([]string, error) {
	lines, err := s.WageListLines(ctx, l)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(lines))
	for i, c := range lines {
		ids[i] = c.ID
	}
	return ids, nil
}

// WageListLines reads a staged list's lines in their order, as
// WageListCreditorIDs reads their IDs: only while they hash to the list's
// digest.
func (s *Store) WageListLines(ctx context.Context, l WageList) ([]WageListCreditor, error) {
	rows, err := dbq.New(s.pool).WageListLines(ctx, l.ID)
	if err != nil {
		return nil, fmt.Errorf("creditors of list %s: %w", l.ID, err)
	}
	lines := make([]WageListCreditor, len(rows))
	for i, r := range rows {
		lines[i] = WageListCreditor{ID: r.CreditorID, Name: r.Name, OwedFen: r.OwedFen, Hardship: r.Hardship}
	}
	if len(lines) != l.Creditors || WageListID(lines) != l.ID {
		return nil, fmt.Errorf("creditors of list %s: %w: %d lines stored for %d creditors", l.ID, ErrListChanged, len(lines), l.Creditors)
	}
	return lines, nil
}

// StepsWith is what RecordStepsWith writes with a case's steps, in their
// transaction.
type StepsWith struct {
	// WageList, on a wage case's first steps, opens its creditor ledger
	// from the staged list at WageVersion and names the creditors among
	// the summary's parties after those it names (the debtor), so the
	// summary's keyed digest covers every party the row holds.
	WageList    *WageList
	WageVersion int
	// Plan is the installment ledger as it stands after the steps: its
	// header and the lines changed since the last write (see RecordPlan).
	Plan *Plan
	// PartyList names the parties of a case whose parties travel by
	// reference, read from the staged list, among the summary's parties.
	PartyList *PartyList
}

// RecordStepsWith records a case's steps and summary, as RecordSteps
// does, with what w names, in one transaction: one round trip where a wage
// payment would otherwise take two. A retry changes nothing. It fails when
// an opened creditor ledger does not hold the list's creditors and debts.
func (s *Store) RecordStepsWith(ctx context.Context, sum *casefile.Summary, events []casefile.Event, w StepsWith) error {
	if !s.key.Valid() {
		return fmt.Errorf("record steps: %w", audit.ErrNoKey)
	}
	if sum == nil && (w.WageList != nil || w.PartyList != nil) {
		return fmt.Errorf("record steps: the case's summary is required")
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if l := w.PartyList; l != nil {
			parties, err := nameParties(ctx, q, sum.Parties, *l)
			if err != nil {
				return err
			}
			named := *sum
			named.Parties = parties
			sum = &named
		}
		if l := w.WageList; l != nil {
			if _, err := q.WageCreditorsFromList(ctx, dbq.WageCreditorsFromListParams{CaseID: sum.ID, ListID: l.ID, Version: int32(w.WageVersion)}); err != nil {
				return err
			}
			t, err := q.WageCreditorTotals(ctx, sum.ID)
			if err != nil {
				return err
			}
			if int(t.Creditors) != l.Creditors || t.OwedFen != l.OwedFen {
				return fmt.Errorf("the ledger holds %d creditors owed %d fen; list %s has %d owed %d", t.Creditors, t.OwedFen, l.ID, l.Creditors, l.OwedFen)
			}
			ids, err := q.WageListCreditorIDs(ctx, l.ID)
			if err != nil {
				return err
			}
			named := *sum
			named.Parties = slices.Clone(sum.Parties)
			for _, id := range ids {
				if !slices.Contains(sum.Parties, id) {
					named.Parties = append(named.Parties, id)
				}
			}
			sum = &named
		}
		if err := recordSteps(ctx, q, s.key, sum, events); err != nil {
			return err
		}
		if w.Plan != nil {
			return recordPlan(ctx, q, *w.Plan, nil)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record steps with ledger: %w", err)
	}
	return nil
}

// WageAllocation is what one payment credited the creditors.
type WageAllocation struct {
	No          int   `json:"no"`
	CreditedFen int64 `json:"credited_fen"`
	Creditors   int   `json:"creditors"`
	HardshipFen int64 `json:"hardship_fen"`
}

// ErrAllocatedOtherwise: the payment's number was allocated before with
// another amount or rule. A workflow numbers its payments one after
// another, so this means its history and the store disagree; retrying
// cannot mend it.
var ErrAllocatedOtherwise = errors.New("payment already allocated otherwise")

// AllocateWagePayment divides payment p among a case's creditors by its
// rule, against the stored ledger, writes the lines it changed at
// p.Version and keeps what it credited, in one transaction. A payment
// already allocated is not allocated again: its kept result is returned.
func (s *Store) AllocateWagePayment(ctx context.Context, caseID string, p WagePayment) (WageAllocation, error) {
	var out WageAllocation
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := dbq.New(tx)
		// The lines are locked first, so two attempts at one payment
		// cannot both find it unallocated.
		rows, err := q.WageCreditorClaims(ctx, caseID)
		if err != nil {
			return err
		}
		kept, err := q.WageAllocationGet(ctx, dbq.WageAllocationGetParams{CaseID: caseID, No: int32(p.No)})
		switch {
		case err == nil && (kept.AmountFen != p.AmountFen || kept.Rule != p.Rule):
			return fmt.Errorf("%w: payment %d was allocated as %d fen by %s, not %d by %s",
				ErrAllocatedOtherwise, p.No, kept.AmountFen, kept.Rule, p.AmountFen, p.Rule)
		case err == nil:
			out = WageAllocation{No: p.No, CreditedFen: kept.CreditedFen, Creditors: int(kept.Creditors), HardshipFen: kept.HardshipFen}
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		case len(rows) == 0:
			return fmt.Errorf("case %s has no creditor ledger", caseID)
		}
		claims := make([]allot.Claim, len(rows))
		for i, r := range rows {
			if int(r.No) != i+1 {
				return fmt.Errorf("creditor line %d is at position %d: the ledger has a gap", r.No, i+1)
			}
			claims[i] = allot.Claim{OwedFen: r.OwedFen - r.PaidFen, Hardship: r.Hardship}
		}
		parts, _, err := allot.Allocate(p.Rule, p.AmountFen, claims)
		if err != nil {
			return fmt.Errorf("allocate payment %d: %w", p.No, err)
		}
		out = WageAllocation{No: p.No}
		var nos []int32
		var fen []int64
		for i, part := range parts {
			if part == 0 {
				continue
			}
			nos, fen = append(nos, int32(i+1)), append(fen, rows[i].PaidFen+part)
			out.CreditedFen += part
			out.Creditors++
			if rows[i].Hardship {
				out.HardshipFen += part
			}
		}
		if len(nos) > 0 {
			n, err := q.WageCreditorPay(ctx, dbq.WageCreditorPayParams{CaseID: caseID, Version: int32(p.Version), Nos: nos, PaidFen: fen})
			if err != nil {
				return err
			}
			if int(n) != len(nos) {
				return fmt.Errorf("payment %d wrote %d of %d creditor lines", p.No, n, len(nos))
			}
		}
		return q.WageAllocationInsert(ctx, dbq.WageAllocationInsertParams{
			CaseID: caseID, No: int32(p.No), AmountFen: p.AmountFen, Rule: p.Rule, CreditedFen: out.CreditedFen,
			Creditors: int32(out.Creditors), HardshipFen: out.HardshipFen, Version: int32(p.Version),
		})
	})
	if err != nil {
		return WageAllocation{}, fmt.Errorf("allocate wage payment %s #%d: %w", caseID, p.No, err)
	}
	return out, nil
}
