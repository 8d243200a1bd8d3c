package activities

import (
	"context"

	"github.com/casework/casework/db"
)

// RecordPlanInput is an installment plan's ledger after a change, and its
// certificate of automatic performance once issued. Version orders the
// writes of one plan.
type RecordPlanInput struct {
	Plan        db.Plan                    `json:"plan"`
	Certificate *db.PerformanceCertificate `json:"certificate,omitempty"`
}

// RecordPlan writes the plan's ledger to the read model. It is an upsert
// keyed by case, plan and version, so a retry writes nothing twice and an
// older version never overwrites a newer one.
func (r *Recorder) RecordPlan(ctx context.Context, in RecordPlanInput) error {
	return r.Store.RecordPlan(ctx, in.Plan, in.Certificate)
}

// RecordCertificate stores a certificate of automatic performance issued
// on application; a retry stores nothing twice.
func (r *Recorder) RecordCertificate(ctx context.Context, c db.PerformanceCertificate) error {
	return r.Store.IssueCertificate(ctx, c)
}
