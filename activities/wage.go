package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/casework/casework/db"
)

// RecordWageInput is a wage arrears case's ledger after a change.
type RecordWageInput struct {
	Ledger db.WageLedger `json:"ledger"`
}

// RecordWage writes a wage case's installment and per-creditor ledger to
// the read model; every row is keyed by case and guarded by version, so a
// retry writes nothing twice.
func (r *Recorder) RecordWage(ctx context.Context, in RecordWageInput) error {
	return r.Store.RecordWage(ctx, in.Ledger)
}

// ApplyWagePaymentsInput is the payments a wage case took since its ledger
// was last written, each by its amount, and its installment ledger after
// them.
type ApplyWagePaymentsInput struct {
	CaseID   string           `json:"case_id"`
	Version  int              `json:"version"`
	Plan     db.Plan          `json:"plan"`
	Payments []db.WagePayment `json:"payments"`
}

// ApplyWagePaymentsResult is what each payment credited, as allocated
// against the stored creditor ledger.
type ApplyWagePaymentsResult struct {
	Applied []db.WagePaymentApplied `json:"applied"`
}

// ApplyWagePayments allocates the payments against the stored creditor
// ledger and writes it; a retry changes nothing.
func (r *Recorder) ApplyWagePayments(ctx context.Context, in ApplyWagePaymentsInput) (ApplyWagePaymentsResult, error) {
	applied, err := r.Store.ApplyWagePayments(ctx, in.CaseID, in.Version, in.Plan, in.Payments)
	return ApplyWagePaymentsResult{Applied: applied}, err
}

// AllocateWagePaymentInput is one payment of a wage case whose creditors
// travel by reference: the amount credited to the creditors, by the
// case's rule.
type AllocateWagePaymentInput struct {
	CaseID  string         `json:"case_id"`
	Payment db.WagePayment `json:"payment"`
}

// ErrTypeAllocatedOtherwise is the type of the non-retryable error
// AllocateWagePayment fails with when the payment's number was allocated
// before with another amount or rule.
const ErrTypeAllocatedOtherwise = "allocated_otherwise"

// AllocateWagePayment divides a payment among the stored creditor lines
// and keeps what it credited; a retry returns the kept result and
// allocates nothing again. An enforcement case whose applicants travel by
// reference allocates each collection with it, its applicants the
// creditors.
func (r *Recorder) AllocateWagePayment(ctx context.Context, in AllocateWagePaymentInput) (db.WageAllocation, error) {
	a, err := r.Store.AllocateWagePayment(ctx, in.CaseID, in.Payment)
	if errors.Is(err, db.ErrAllocatedOtherwise) {
		return a, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeAllocatedOtherwise, err)
	}
	return a, err
}

// WageListCreditorIDsInput names a staged creditor list.
type WageListCreditorIDsInput struct {
	List db.WageList `json:"list"`
}

// WageListCreditorIDsResult is a staged list's creditor IDs in its order.
type WageListCreditorIDsResult struct {
	IDs []string `json:"ids"`
	// OwedFen is each one's claim, in the same order: a completion notice
	// tells each applicant its own.
	OwedFen []int64 `json:"owed_fen,omitempty"`
}

// ErrTypeListChanged is the type of the non-retryable error
// WageListCreditorIDs fails with when the lines stored under a list's ID
// are not those its digest names.
const ErrTypeListChanged = "list_changed"

// WageListCreditorIDs reads a staged list's creditor IDs, checked against
// its digest. A staged list never changes, so a retry reads the same. An
// enforcement case whose applicant parties travel by reference reads them
// with it when it needs them: a settlement's obligees, the applicants who
// must agree to a standstill, those told of completion.
func (r *Recorder) WageListCreditorIDs(ctx context.Context, in WageListCreditorIDsInput) (WageListCreditorIDsResult, error) {
	lines, err := r.Store.WageListLines(ctx, in.List)
	if errors.Is(err, db.ErrListChanged) {
		return WageListCreditorIDsResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeListChanged, err)
	}
	var out WageListCreditorIDsResult
	for _, l := range lines {
		out.IDs, out.OwedFen = append(out.IDs, l.ID), append(out.OwedFen, l.OwedFen)
	}
	return out, err
}
