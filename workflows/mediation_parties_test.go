package workflows

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// partyMembers is the test's parties as a staged list holds them.
func partyMembers(ps []Party) []db.PartyListMember {
	ms := make([]db.PartyListMember, len(ps))
	for i, p := range ps {
		ms[i] = db.PartyListMember{ID: p.ID, Name: p.Name, Side: p.Side}
	}
	return ms
}

// A case whose parties travel by reference carries the list's digest and
// counts: every record names the list (the store names the parties from
// it), the summary and the view carry no parties, and the terms' obligor
// and obligees are checked against the list before anything changes.
func TestMediationPartiesByReference(t *testing.T) {
	start := cst(2026, 3, 10)
	agreedOn := policy.NewDate(2026, 3, 11)
	list := db.NewPartyList(partyMembers(parties))
	terms := func(mut func(*Terms)) *Terms {
		tm := threeInstallments(agreedOn)
		mut(tm)
		return tm
	}
	tests := []struct {
		name  string
		terms *Terms
		// refused is how the agreement is refused; "" when it is recorded.
		refused string
		asked   []string
	}{
		{"Agreed", terms(func(*Terms) {}), "", []string{"xx-construction", "zhang-san"}},
		{"ObligorNotAParty", terms(func(t *Terms) { t.Obligor = "stranger" }), RejectInvalid, []string{"stranger", "zhang-san"}},
		{"ObligeeNotAParty", terms(func(t *Terms) { t.Obligees = []string{"zhang-san", "li-si"} }), RejectInvalid, []string{"xx-construction", "zhang-san", "li-si"}},
		// The validator still refuses what it can see without the list,
		// and the store is not asked.
		{"ObligeeIsObligor", terms(func(t *Terms) { t.Obligees = []string{"xx-construction"} }), RejectInvalid, nil},
		{"NotSummingToTotal", terms(func(t *Terms) { t.TotalFen++ }), RejectInvalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, start)
			h.partyList = &list
			r := h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: tt.terms, Actor: mediator})
			h.runUntil(day(2))
			if tt.asked == nil {
				require.Empty(t, h.sidesAsked)
			} else {
				require.Equal(t, [][]string{tt.asked}, h.sidesAsked)
			}
			if tt.refused != "" {
				requireRejected(t, r, tt.refused)
				require.Equal(t, []string{"delegated"}, h.kinds(), "a refused agreement changes nothing")
			} else {
				require.NoError(t, r.err)
				require.Equal(t, StageAgreementReached, r.view.Stage)
				require.Equal(t, []string{"delegated", "agreement_reached"}, h.kinds())
				require.Empty(t, r.view.Parties, "a reader adds the parties from the store")
				require.Equal(t, &list, r.view.PartyList)
			}
			require.NotEmpty(t, h.records)
			for i, rec := range h.records {
				require.Equal(t, &list, rec.PartyList, "record %d names the list", i+1)
				require.Empty(t, rec.Summary.Parties, "record %d: the store names the parties", i+1)
			}
			var opened map[string]any
			require.NoError(t, json.Unmarshal(h.events[0].Data, &opened))
			require.Equal(t, map[string]any{"id": list.ID, "parties": 2.0, "applicants": 1.0, "respondents": 1.0}, opened["party_list"])
			require.Nil(t, opened["parties"])
		})
	}

	t.Run("InTheInputAsBefore", func(t *testing.T) {
		h := newHarness(t, start)
		r := h.at(day(1), UpdateRecordOutcome, OutcomeCommand{Outcome: OutcomeAgreed, Terms: threeInstallments(agreedOn), Actor: mediator})
		h.runUntil(day(2))
		require.NoError(t, r.err)
		require.Empty(t, h.sidesAsked)
		require.Equal(t, parties, r.view.Parties)
		for _, rec := range h.records {
			require.Nil(t, rec.PartyList)
			require.Equal(t, []string{"zhang-san", "xx-construction"}, rec.Summary.Parties)
		}
	})
}

// TestMediationPartiesByReferenceSize measures what a thousand parties
// weigh in the case's start and in each record of its steps, in the input
// and by reference.
func TestMediationPartiesByReferenceSize(t *testing.T) {
	var many []Party
	for i := range 1000 {
		side := SideApplicant
		if i%10 == 0 {
			side = SideRespondent
		}
		many = append(many, Party{ID: fmt.Sprintf("party-%04d", i), Name: fmt.Sprintf("当事人%04d（某某村民小组）", i), Side: side})
	}
	list := db.NewPartyList(partyMembers(many))
	base := MediationInput{
		CaseID: "c1", CaseNumber: "（2026）黔2301民诉前调1号", Court: "兴义市人民法院", Jurisdiction: "CN",
		Organisation: "兴义市人民调解委员会", Mediator: mediator.Subject, ClaimFen: 1_302_700, DelegatedBy: judge,
	}
	inInput, byRef := base, base
	inInput.Parties = many
	byRef.PartyList = &list
	size := func(v any) int {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return len(b)
	}
	ids := make([]string, len(many))
	for i, p := range many {
		ids[i] = p.ID
	}
	step := activities.RecordStepsInput{Summary: &casefile.Summary{ID: "c1", Parties: ids}, Events: []casefile.Event{{CaseID: "c1", Seq: 2}}}
	refStep := activities.RecordStepsInput{Summary: &casefile.Summary{ID: "c1"}, Events: step.Events, PartyList: &list}
	startIn, startRef := size(inInput), size(byRef)
	recIn, recRef := size(step), size(refStep)
	t.Logf("1000 parties: start input %d B in the input, %d B by reference; each record %d B, %d B", startIn, startRef, recIn, recRef)
	require.Less(t, startRef, 2_000)
	require.Less(t, recRef*10, recIn)
}
