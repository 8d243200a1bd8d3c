package activities

import (
	"context"

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
