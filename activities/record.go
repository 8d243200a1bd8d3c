// Package activities holds casework's side effects: everything a workflow
// does to the outside world goes through one of these, and each is
// idempotent, so Temporal's retries never do anything twice.
package activities

import (
	"context"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
)

// Recorder writes case steps to the read model.
type Recorder struct {
	Store *db.Store
}

// RecordStepsInput is a batch of steps and the case summary after them.
type RecordStepsInput struct {
	Summary *casefile.Summary `json:"summary,omitempty"`
	Events  []casefile.Event  `json:"events"`
}

// RecordSteps stores the steps and the summary. Steps are keyed by case and
// step number, so a retry after a crash writes nothing twice.
func (r *Recorder) RecordSteps(ctx context.Context, in RecordStepsInput) error {
	return r.Store.RecordSteps(ctx, in.Summary, in.Events)
}
