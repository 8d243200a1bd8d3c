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

// TestStoredPartiesAreNotSignedAgainWhenEdited: a summary without parties
// (a wage or enforcement case sends its creditors once) keeps the stored
// ones and signs them again; an insider's edit of them is refused, not
// vouched for, until the row is as it was signed.
func TestStoredPartiesAreNotSignedAgainWhenEdited(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	sum := casefile.Summary{ID: "w1", CaseNumber: "（2026）黔2301民初5号", Process: casefile.ProcessWage, WorkflowID: "case/w1/wage",
		Court: "兴义市人民法院", Jurisdiction: "CN", Parties: []string{"debtor", "creditor-1", "creditor-2"}, Stage: "performing",
		Status: casefile.StatusOpen, OpenedOn: policy.NewDate(2026, 3, 2)}
	step := func(seq int) []casefile.Event {
		return []casefile.Event{{CaseID: "w1", Stream: "wage", Seq: seq, Kind: "note", Actor: casefile.System,
			RealAt: time.Now(), CaseAt: time.Now(), CaseOn: policy.NewDate(2026, 3, 2)}}
	}
	record := func(seq int, parties []string) error {
		next := sum
		next.LastSeq, next.Parties = seq, parties
		return s.RecordSteps(ctx, &next, step(seq))
	}
	require.NoError(t, record(1, sum.Parties))
	require.NoError(t, record(2, nil), "the stored parties are kept and signed again")
	c, err := s.CaseChecked(ctx, "w1")
	require.NoError(t, err)
	require.Equal(t, sum.Parties, c.Parties)

	_, err = s.Pool().Exec(ctx, "UPDATE cases SET parties = array_append(parties, 'insider') WHERE id = 'w1'")
	require.NoError(t, err)
	require.ErrorIs(t, record(3, nil), db.ErrTampered, "an edited row is not signed again")
	_, err = s.CaseChecked(ctx, "w1")
	require.ErrorIs(t, err, db.ErrTampered, "and still fails its check")

	_, err = s.Pool().Exec(ctx, "UPDATE cases SET parties = array_remove(parties, 'insider') WHERE id = 'w1'")
	require.NoError(t, err)
	require.NoError(t, record(3, nil), "restored, the case records again")
	c, err = s.CaseChecked(ctx, "w1")
	require.NoError(t, err)
	require.Equal(t, sum.Parties, c.Parties)
	require.Equal(t, 3, c.LastSeq)
}
