package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// TestPartyLists: a staged list reads back as staged, staging it again
// changes nothing, every record of the case names its parties from the
// list (an edit of the case row's parties does not survive the next
// record, signed as the insider left it), and a list edited in the store
// is refused, never read or signed.
func TestPartyLists(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	var ms []db.PartyListMember
	for i := range 1000 {
		side := db.SideApplicant
		if i == 0 {
			side = db.SideRespondent
		}
		ms = append(ms, db.PartyListMember{ID: fmt.Sprintf("p-%04d", i), Name: fmt.Sprintf("当事人%d <&>", i), Side: side})
	}
	l, err := s.StagePartyList(ctx, ms)
	require.NoError(t, err)
	require.Equal(t, db.PartyList{ID: db.PartyListID(ms), Parties: 1000, Applicants: 999, Respondents: 1}, l)
	again, err := s.StagePartyList(ctx, ms)
	require.NoError(t, err)
	require.Equal(t, l, again)
	got, err := s.PartyListMembers(ctx, l)
	require.NoError(t, err)
	require.Equal(t, ms, got)
	sides, err := s.PartySides(ctx, l, []string{"p-0000", "p-0999", "stranger"})
	require.NoError(t, err)
	require.Equal(t, []string{db.SideRespondent, db.SideApplicant, ""}, sides)

	_, err = s.StagePartyList(ctx, []db.PartyListMember{{ID: "a", Side: "judge"}})
	require.Error(t, err, "a side is applicant or respondent")
	_, err = s.StagePartyList(ctx, []db.PartyListMember{{ID: "a", Side: db.SideApplicant}, {ID: "a", Side: db.SideRespondent}})
	require.Error(t, err, "a party is listed once")

	sum := casefile.Summary{ID: "pl1", CaseNumber: "（2026）黔2301民诉前调7号", Process: casefile.ProcessMediation, WorkflowID: "case/pl1/mediation",
		Court: "兴义市人民法院", Jurisdiction: "CN", Mediator: "med-1", Stage: "mediating",
		Status: casefile.StatusOpen, OpenedOn: policy.NewDate(2026, 3, 2)}
	step := func(seq int) []casefile.Event {
		return []casefile.Event{{CaseID: "pl1", Stream: "mediation", Seq: seq, Kind: "note", Actor: casefile.System,
			RealAt: time.Now(), CaseAt: time.Now(), CaseOn: policy.NewDate(2026, 3, 2)}}
	}
	record := func(seq int) error {
		sum.LastSeq = seq
		return s.RecordStepsWith(ctx, &sum, step(seq), db.StepsWith{PartyList: &l})
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	require.NoError(t, record(1))
	c, err := s.CaseChecked(ctx, "pl1")
	require.NoError(t, err)
	require.Equal(t, ids, c.Parties, "the row names every party of the list")
	require.NoError(t, record(1), "a retry changes nothing")

	_, err = s.Pool().Exec(ctx, "UPDATE cases SET parties = array_append(parties, 'insider') WHERE id = 'pl1'")
	require.NoError(t, err)
	_, err = s.CaseChecked(ctx, "pl1")
	require.ErrorIs(t, err, db.ErrTampered)
	require.NoError(t, record(2))
	c, err = s.CaseChecked(ctx, "pl1")
	require.NoError(t, err)
	require.Equal(t, ids, c.Parties, "the next record names the list's parties, not the edited row's")

	_, err = s.Pool().Exec(ctx, "UPDATE party_lists SET name = 'forged' WHERE list_id = $1 AND no = 5", l.ID)
	require.NoError(t, err)
	_, err = s.PartyListMembers(ctx, l)
	require.ErrorIs(t, err, db.ErrPartyListAltered)
	_, err = s.PartySides(ctx, l, []string{"p-0004"})
	require.ErrorIs(t, err, db.ErrPartyListAltered)
	require.ErrorIs(t, record(3), db.ErrPartyListAltered, "an altered list is not signed")
	_, err = s.StagePartyList(ctx, ms)
	require.ErrorIs(t, err, db.ErrPartyListAltered, "staging it again does not hide the edit")
}
