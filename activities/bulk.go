package activities

import (
	"context"

	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// BulkChunkInput names a batch, the most rows one call may move and the
// legal day its steps are recorded on.
type BulkChunkInput struct {
	BatchID string      `json:"batch_id"`
	Limit   int         `json:"limit"`
	On      policy.Date `json:"on"`
	// From, To and Kind are BulkAdvanceChunk's: the stages rows leave,
	// the one they reach, and the step recorded for each.
	From []string `json:"from,omitempty"`
	To   string   `json:"to,omitempty"`
	Kind string   `json:"kind,omitempty"`
}

// BulkScreenChunk screens up to Limit received rows of a batch (查废).
// Each row leaves "received" once, so a retry moves the next rows, never
// the same ones; it reports how many it moved (0: none left).
func (r *Recorder) BulkScreenChunk(ctx context.Context, in BulkChunkInput) (int, error) {
	out, err := r.Store.BulkScreenChunk(ctx, in.BatchID, in.Limit, in.On)
	return out.Moved, err
}

// BulkPreserveChunk applies pre-suit preservation (以保促调) to up to
// Limit screened rows, once each.
func (r *Recorder) BulkPreserveChunk(ctx context.Context, in BulkChunkInput) (int, error) {
	return r.Store.BulkPreserveChunk(ctx, in.BatchID, in.Limit, in.On)
}

// BulkAdvanceChunk moves up to Limit rows from From to To, recording Kind
// for each, once each.
func (r *Recorder) BulkAdvanceChunk(ctx context.Context, in BulkChunkInput) (int, error) {
	return r.Store.BulkAdvanceChunk(ctx, in.BatchID, in.From, in.To, in.Kind, in.Limit, in.On)
}

// BulkRowResult is whether a row command took effect, and the row's stage
// after it.
type BulkRowResult struct {
	Applied bool   `json:"applied"`
	Stage   string `json:"stage"`
}

// BulkRowApply applies one command to one row: the move and its step in
// one transaction, guarded by the row's stage, so a retry changes nothing.
func (r *Recorder) BulkRowApply(ctx context.Context, in db.BulkRowCommand) (BulkRowResult, error) {
	applied, stage, err := r.Store.BulkRowApply(ctx, in)
	return BulkRowResult{Applied: applied, Stage: stage}, err
}

// BulkProgress counts a batch's rows by route.
func (r *Recorder) BulkProgress(ctx context.Context, batchID string) (db.BulkProgress, error) {
	return r.Store.BulkProgress(ctx, batchID)
}
