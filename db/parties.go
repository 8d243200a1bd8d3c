package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/casework/casework/db/dbq"
)

// A case's parties travel by reference: the API stages the list here
// before the case starts, and the workflow carries only its digest and
// counts. A thousand parties with their names are some 100 KB of JSON;
// carried in the workflow they would be in every run's input and every
// record of the case's summary.

// PartyListMember is one party of a staged list, in its order.
type PartyListMember struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Side is applicant or respondent.
	Side string `json:"side"`
}

// Party sides a staged list holds (workflows.SideApplicant and
// SideRespondent).
const (
	SideApplicant  = "applicant"
	SideRespondent = "respondent"
)

// PartyList is a staged party list as a workflow refers to it.
type PartyList struct {
	// ID is the list's digest: the same parties stage the same list.
	ID          string `json:"id"`
	Parties     int    `json:"parties"`
	Applicants  int    `json:"applicants"`
	Respondents int    `json:"respondents"`
}

// ErrPartyListAltered: the stored list is not the one its digest names;
// someone changed the rows after they were staged.
var ErrPartyListAltered = errors.New("party list altered in the store")

// PartyListID is the digest of a party list, in its order.
func PartyListID(ms []PartyListMember) string {
	b, _ := json.Marshal(ms)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// NewPartyList is the reference to a list of parties.
func NewPartyList(ms []PartyListMember) PartyList {
	l := PartyList{ID: PartyListID(ms), Parties: len(ms)}
	for _, m := range ms {
		switch m.Side {
		case SideApplicant:
			l.Applicants++
		case SideRespondent:
			l.Respondents++
		}
	}
	return l
}

// StagePartyList stages a party list and returns its reference; staging
// the same list again changes nothing. Members need distinct IDs and a
// known side each.
func (s *Store) StagePartyList(ctx context.Context, ms []PartyListMember) (PartyList, error) {
	l := NewPartyList(ms)
	if l.Applicants+l.Respondents != l.Parties {
		return PartyList{}, fmt.Errorf("stage party list: a party's side is neither %s nor %s", SideApplicant, SideRespondent)
	}
	p := dbq.PartyListStageParams{ListID: l.ID}
	for i, m := range ms {
		p.Nos = append(p.Nos, int32(i+1))
		p.PartyIds = append(p.PartyIds, m.ID)
		p.Names = append(p.Names, m.Name)
		p.Sides = append(p.Sides, m.Side)
	}
	q := dbq.New(s.pool)
	if _, err := q.PartyListStage(ctx, p); err != nil {
		return PartyList{}, fmt.Errorf("stage party list: %w", err)
	}
	// What is stored under the digest is what was asked for, or the
	// reference is refused.
	if _, err := partyListMembers(ctx, q, l); err != nil {
		return PartyList{}, fmt.Errorf("stage party list: %w", err)
	}
	return l, nil
}

// PartyListMembers reads a staged list's parties, in order, and checks
// them against the reference: rows changed since they were staged are
// ErrPartyListAltered, never an answer.
func (s *Store) PartyListMembers(ctx context.Context, l PartyList) ([]PartyListMember, error) {
	ms, err := partyListMembers(ctx, dbq.New(s.pool), l)
	if err != nil {
		return nil, fmt.Errorf("party list %s: %w", l.ID, err)
	}
	return ms, nil
}

func partyListMembers(ctx context.Context, q *dbq.Queries, l PartyList) ([]PartyListMember, error) {
	rows, err := q.PartyListMembers(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	ms := make([]PartyListMember, len(rows))
	for i, r := range rows {
		if int(r.No) != i+1 {
			return nil, fmt.Errorf("%w: member %d is at position %d", ErrPartyListAltered, r.No, i+1)
		}
		ms[i] = PartyListMember{ID: r.PartyID, Name: r.Name, Side: r.Side}
	}
	if got := NewPartyList(ms); got != l {
		return nil, fmt.Errorf("%w: it holds %d parties (%d applicants, %d respondents) with digest %s, not %d (%d, %d) with %s",
			ErrPartyListAltered, got.Parties, got.Applicants, got.Respondents, got.ID, l.Parties, l.Applicants, l.Respondents, l.ID)
	}
	return ms, nil
}

// PartySides answers, for each of ids, its side in the staged list, or ""
// when it is not a party: a workflow that carries the list by reference
// checks the parties a command names with it.
func (s *Store) PartySides(ctx context.Context, l PartyList, ids []string) ([]string, error) {
	ms, err := s.PartyListMembers(ctx, l)
	if err != nil {
		return nil, err
	}
	side := make(map[string]string, len(ms))
	for _, m := range ms {
		side[m.ID] = m.Side
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = side[id]
	}
	return out, nil
}

// nameParties adds a staged list's parties to the summary's, after those
// it names, so the row holds (and its keyed digest covers) the parties the
// list holds, read from the list each time: a row edited in the store is
// not signed again as it was left.
func nameParties(ctx context.Context, q *dbq.Queries, parties []string, l PartyList) ([]string, error) {
	ms, err := partyListMembers(ctx, q, l)
	if err != nil {
		return nil, fmt.Errorf("party list %s: %w", l.ID, err)
	}
	named := slices.Clone(parties)
	for _, m := range ms {
		if !slices.Contains(parties, m.ID) {
			named = append(named, m.ID)
		}
	}
	return named, nil
}
