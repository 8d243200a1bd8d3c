package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// TestCaseCheckedTellsAFlushFromAnEdit: a summary row read just before a
// flush, checked against the digest the flush recorded, fails
// CheckSummary as an edited row would (the access check saw this under
// load and answered 503); CaseChecked reads row and digest in one snapshot,
// passes the flushed case and still catches a row edited in the database.
func TestCaseCheckedTellsAFlushFromAnEdit(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	sum := casefile.Summary{ID: "m1", CaseNumber: "（2026）黔2301民特9号", Process: casefile.ProcessMediation, WorkflowID: "case/m1/mediation",
		Court: "兴义市人民法院", Jurisdiction: "CN", Mediator: "med-1", Parties: []string{"a", "b"}, Stage: "mediating",
		Status: casefile.StatusOpen, OpenedOn: policy.NewDate(2026, 3, 2)}
	step := func(seq int) casefile.Event {
		return casefile.Event{CaseID: "m1", Stream: "mediation", Seq: seq, Kind: "note", Actor: casefile.System,
			RealAt: time.Now(), CaseAt: time.Now(), CaseOn: policy.NewDate(2026, 3, 2)}
	}
	sum.LastSeq = 1
	require.NoError(t, s.RecordSteps(ctx, &sum, []casefile.Event{step(1)}))
	stale, err := s.Case(ctx, "m1")
	require.NoError(t, err)
	require.NoError(t, s.CheckSummary(ctx, stale))

	// A flush commits after the row was read.
	sum.LastSeq, sum.Stage = 2, "agreed"
	require.NoError(t, s.RecordSteps(ctx, &sum, []casefile.Event{step(2)}))
	require.ErrorIs(t, s.CheckSummary(ctx, stale), db.ErrTampered, "the stale row against the new digest")
	fresh, err := s.CaseChecked(ctx, "m1")
	require.NoError(t, err, "row and digest of one snapshot match")
	require.Equal(t, "agreed", fresh.Stage)
	require.Equal(t, 2, fresh.LastSeq)

	// An edit in the database is still caught, and the row returned.
	_, err = s.Pool().Exec(ctx, "UPDATE cases SET mediator = 'insider' WHERE id = 'm1'")
	require.NoError(t, err)
	edited, err := s.CaseChecked(ctx, "m1")
	require.ErrorIs(t, err, db.ErrTampered)
	require.Equal(t, "insider", edited.Mediator)

	_, err = s.CaseChecked(ctx, "nope")
	require.ErrorIs(t, err, db.ErrNotFound)
}
