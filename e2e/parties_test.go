package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
)

// TestMediationPartiesByReference: a mediation case of a thousand parties,
// every name full of characters JSON escapes, opens with its parties
// staged in the store: the workflow's input carries the list's digest and
// counts, not the names; each party reads the case and sees every party;
// an agreement naming someone who is not a party is refused with nothing
// changed; the chain verifies; and an insider's edit of the staged list
// is caught, never shown as the parties.
func TestMediationPartiesByReference(t *testing.T) {
	b := startBody(newCaseNumber())
	b.Parties = nil
	for i := range 1000 {
		side := "applicant"
		if i == 0 {
			side = "respondent"
		}
		b.Parties = append(b.Parties, api.PartyBody{ID: fmt.Sprintf("villager-%04d", i), Name: fmt.Sprintf("村民<%d>&\"某\"", i), Side: side})
	}
	res := do(t, realTime, &court, http.MethodPost, "/cases/mediation", b)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	id := c.Summary.ID
	require.NotNil(t, c.Mediation.PartyList, "the parties travel by reference")
	require.Equal(t, 1000, c.Mediation.PartyList.Parties)
	require.Len(t, c.Mediation.Parties, 1000, "named from the store")
	require.Equal(t, `村民<7>&"某"`, c.Mediation.Parties[7].Name)

	started := fetchHistory(t.Context(), t, c.Summary.WorkflowID).Events[0].GetWorkflowExecutionStartedEventAttributes()
	input := started.GetInput().GetPayloads()[0].GetData()
	require.Contains(t, string(input), `"party_list":{"id":"sha256:`)
	require.NotContains(t, string(input), "村民", "no party's name in the workflow's input")
	require.Less(t, len(input), 2_000, "the start input of a thousand parties")
	t.Logf("a thousand parties: workflow start input %d B", len(input))

	// A party far down the list reads the case, as the row names it.
	party := auth.Principal{Subject: "villager-0999", Role: casefile.RoleParty}
	res = do(t, realTime, &party, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var seen api.CaseBody
	res.json(t, &seen)
	require.Len(t, seen.Mediation.Parties, 1000)

	today := c.Mediation.CaseToday
	terms := func(obligor string) map[string]any {
		return map[string]any{"outcome": "agreed", "terms": map[string]any{
			"obligor": obligor, "obligees": []string{"villager-0001", "villager-0500"}, "total_fen": 1_302_700,
			"installments": []map[string]any{{"due_on": today.AddDays(30), "amount_fen": 1_302_700}},
		}}
	}
	res = do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/outcome", terms("li-si"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
	require.Contains(t, res.problem(t)["detail"], `obligor "li-si" is not a party to the case`)
	res = do(t, realTime, &mediator, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &seen)
	require.Equal(t, "mediating", seen.Mediation.Stage, "a refused agreement changes nothing")

	res = do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/outcome", terms("villager-0000"))
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &seen)
	require.Equal(t, "agreement_reached", seen.Mediation.Stage)
	v := verify(t, realTime, &auditor, id)
	require.True(t, v.Intact, "breaks %+v unverified %+v", v.Breaks, v.Unverified)

	// The application's own role cannot change a staged list; an insider
	// with the owner's role renames a party in it.
	_, err := store.Pool().Exec(t.Context(), "UPDATE party_lists SET name = 'forged' WHERE list_id = $1", c.Mediation.PartyList.ID)
	require.ErrorContains(t, err, "permission denied")
	_, err = stack.Pool.Exec(t.Context(), "UPDATE party_lists SET name = 'forged' WHERE list_id = $1 AND no = 8", c.Mediation.PartyList.ID)
	require.NoError(t, err)
	res = do(t, realTime, &mediator, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, "body: %s", res.Body)
	require.Contains(t, res.problem(t)["detail"], "integrity check")
	// The auditor's check finds it: the opening step names the list by its
	// digest, which the list no longer matches.
	v = verify(t, realTime, &auditor, id)
	require.Equal(t, "broken", v.State)
	require.Len(t, v.Breaks, 1, "breaks: %+v", v.Breaks)
	require.Equal(t, api.VerifyBreak{Stream: "mediation", Seq: 1, Check: "list", Why: v.Breaks[0].Why}, v.Breaks[0])
	require.Contains(t, v.Breaks[0].Why, "differs from its digest")
}
