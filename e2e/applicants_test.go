package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// fourRepresentatives enforce one judgment for four groups of workers,
// owed 30,000.01 yuan in all.
func fourRepresentatives() (api.StartEnforcementBody, []auth.Principal) {
	today := policy.DateOf(time.Now())
	b := judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 3_000_001)
	b.Parties = []api.PartyBody{{ID: obligor.Subject, Name: "某建筑公司", Side: "respondent"}}
	var reps []auth.Principal
	for i, owed := range []int64{1_000_000, 800_000, 700_001, 500_000} {
		id := fmt.Sprintf("rep-%d-%d", i+1, caseSeq.Add(1))
		b.Parties = append(b.Parties, api.PartyBody{ID: id, Name: fmt.Sprintf("工人代表%d", i+1), Side: "applicant"})
		b.Applicants = append(b.Applicants, api.ApplicantBody{ID: id, AmountFen: owed})
		reps = append(reps, auth.Principal{Subject: id, Role: casefile.RoleParty})
	}
	b.Applicant = b.Applicants[0].ID
	return b, reps
}

// TestEnforcementBySeveralApplicants: four worker representatives enforce
// one judgment; a detention measure is ordered; a third party's payment
// and the debtor's rest are divided among them exactly, each sees its own
// line, and each is told of completion; a standstill some of them did not
// agree to is refused. The applicants and their parties travel by
// reference: the workflow's input names their staged list and holds the
// respondent alone among its parties, each payment's step names its
// allocation, and the lines and applicant parties the case shows are the
// store's.
func TestEnforcementBySeveralApplicants(t *testing.T) {
	b, reps := fourRepresentatives()
	c := startEnforcement(t, realTime, b)
	id := c.Summary.ID
	require.Len(t, c.Enforcement.Applicants, 4)
	require.NotNil(t, c.Enforcement.ApplicantList, "the applicants travel by reference")
	require.Equal(t, workflows.ApplicantLine{ID: b.Applicants[0].ID, AmountFen: 1_000_000, OutstandingFen: 1_000_000}, c.Enforcement.Applicants[0])
	require.Len(t, c.Enforcement.Parties, 5, "the respondent and the four applicants, named from the ledger")
	started := fetchHistory(t.Context(), t, c.Summary.WorkflowID).Events[0].GetWorkflowExecutionStartedEventAttributes()
	input := string(started.GetInput().GetPayloads()[0].GetData())
	require.Contains(t, input, `"applicant_list":{"id":"sha256:`)
	require.NotContains(t, input, `"applicants":`, "no claim in the workflow's input")
	require.Contains(t, input, `"applicant_parties_by_list":true`)
	require.Contains(t, input, `"parties":[{"id":"`+obligor.Subject+`","name":"某建筑公司","side":"respondent"}]`, "the respondent alone among the input's parties")
	for _, a := range b.Applicants[1:] {
		require.NotContains(t, input, a.ID, "no applicant party in the workflow's input but the applicant")
	}
	seen := map[string]int{}
	for _, p := range c.Enforcement.Parties {
		seen[p.ID]++
	}
	require.Equal(t, 1, seen[obligor.Subject])
	for _, a := range b.Applicants {
		require.Equal(t, 1, seen[a.ID], "%s named once among the case's parties", a.ID)
	}
	path := "/cases/" + id + "/enforcement"
	today := c.Enforcement.CaseToday

	// Every applicant must agree to a standstill: one missing is refused
	// at once, a stranger in the place of one once the applicants are
	// read from the store; neither changes the case.
	var all []string
	for _, a := range b.Applicants {
		all = append(all, a.ID)
	}
	for _, agreed := range [][]string{all[1:], append(all[1:len(all):len(all)], stranger.Subject)} {
		res := do(t, realTime, &court, http.MethodPost, path+"/standstill", map[string]any{"until": today.AddDays(20), "reason": "x", "agreed_by": agreed, "on_end": "resume"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "agreed by %v: %s", agreed, res.Body)
		res.problem(t)
	}

	post(t, realTime, "court", path+"/measures", map[string]any{"kind": "detention", "days": 15, "reason": "拒不履行"})
	third := post(t, realTime, "court", path+"/payments", map[string]any{"amount_fen": 1_000_000, "paid_on": today, "reason": "案外人代为清偿"})
	var sum int64
	for i, l := range third.Enforcement.Applicants {
		require.Equal(t, b.Applicants[i].ID, l.ID)
		sum += l.CollectedFen
		require.Equal(t, l.AmountFen-l.CollectedFen, l.OutstandingFen)
	}
	require.Equal(t, int64(1_000_000), sum, "the parts add up to the payment")
	// Pro rata of 10,000 yuan on 30,000.01 yuan: exact shares 333,333.22,
	// 266,666.58, 233,333.59 and 166,666.61 fen; the two fen the floors
	// leave go to the largest remainders, the fourth's and the third's.
	require.Equal(t, []int64{333_333, 266_666, 233_334, 166_667}, []int64{
		third.Enforcement.Applicants[0].CollectedFen, third.Enforcement.Applicants[1].CollectedFen,
		third.Enforcement.Applicants[2].CollectedFen, third.Enforcement.Applicants[3].CollectedFen,
	})

	// A representative sees its own line, not the others'.
	res := do(t, realTime, &reps[2], http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var read api.CaseBody
	res.json(t, &read)
	require.Len(t, read.Enforcement.Applicants, 1)
	require.Equal(t, reps[2].Subject, read.Enforcement.Applicants[0].ID)
	require.Equal(t, int64(233_334), read.Enforcement.Applicants[0].CollectedFen)

	done := post(t, realTime, "court", path+"/payments", map[string]any{"amount_fen": 2_000_001, "paid_on": today, "reason": "扣划存款"})
	require.Equal(t, workflows.StageCompleted, done.Enforcement.Stage)
	for i, l := range done.Enforcement.Applicants {
		require.Equal(t, b.Applicants[i].AmountFen, l.CollectedFen, "%s paid in full", l.ID)
	}
	require.Equal(t, "paid_in_full", done.Enforcement.Outcome)
	require.Len(t, done.Enforcement.FollowUps, 2, "follow-up visits scheduled after completion")
	res = do(t, realTime, &court, http.MethodPost, "/cases/"+id+"/enforcement/follow-ups", map[string]any{"holds": true})
	require.Equal(t, http.StatusConflict, res.Status, "no visit is due yet: %s", res.Body)
	res.problem(t)
	res = do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/enforcement/follow-ups", map[string]any{"holds": true})
	require.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, res.Status, "body: %s", res.Body)

	ns := awaitNotices(t, id, 1+1+4) // filing, detention, completion ×4
	told := map[string]bool{}
	for _, n := range ns {
		if n.Kind == workflows.NoticeCompletion {
			told[n.Recipient] = true
		}
	}
	for _, r := range reps {
		require.True(t, told[r.Subject], "%s is told of completion", r.Subject)
	}
	requireDelivered(t, id, ns)

	// Each payment's step refers to its allocation; the chain and the
	// summary, whose parties the ledger's opening named, verify.
	res = do(t, realTime, &auditor, http.MethodGet, "/cases/"+id+"/timeline", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var tl api.TimelineBody
	res.json(t, &tl)
	var allocations []float64
	for _, e := range tl.Timeline {
		if e.Source != "case" || e.Kind != "enforcement_payment_recorded" {
			continue
		}
		data := e.Data.(map[string]any)
		require.NotContains(t, data, "shares", "no share per applicant in the step")
		a := data["allocation"].(map[string]any)
		allocations = append(allocations, a["no"].(float64))
		require.Equal(t, data["credited_fen"], a["credited_fen"], "the ledger took what the payment credited")
	}
	require.Equal(t, []float64{1, 2}, allocations)
	res = do(t, realTime, &auditor, http.MethodGet, "/cases/"+id+"/timeline/verify", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var v api.VerifyBody
	res.json(t, &v)
	require.True(t, v.Intact, "%+v", v.Breaks)
	require.NotContains(t, streamKinds(t, id, "enforcement"), "standstill_granted")
	replayAndKeep(t, "v7_enforcement_parties_by_reference", c.Summary.WorkflowID)

	// An insider with the owner's role raises a claim in the staged list:
	// the filing step names the list by its digest, and the auditor's
	// check finds the list no longer matches it.
	_, err := stack.Pool.Exec(t.Context(), "UPDATE wage_creditor_lists SET owed_fen = owed_fen + 100 WHERE list_id = $1 AND no = 2", c.Enforcement.ApplicantList.ID)
	require.NoError(t, err)
	res = do(t, realTime, &auditor, http.MethodGet, "/cases/"+id+"/timeline/verify", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res.json(t, &v)
	require.Equal(t, "broken", v.State)
	require.Len(t, v.Breaks, 1, "breaks: %+v", v.Breaks)
	require.Equal(t, "list", v.Breaks[0].Check)
	require.Equal(t, 1, v.Breaks[0].Seq, "the filing step names the list")
	require.Contains(t, v.Breaks[0].Why, "applicant list")
}

// TestEnforcementSettlementBySeveralApplicants: four worker
// representatives settle with the debtor; the settlement plan's obligees
// are all four, in their order, read from the staged list since the
// workflow's input holds none of them, and once the plan is paid each is
// told of completion.
func TestEnforcementSettlementBySeveralApplicants(t *testing.T) {
	b, reps := fourRepresentatives()
	c := startEnforcement(t, realTime, b)
	id := c.Summary.ID
	settled := post(t, realTime, "court", "/cases/"+id+"/enforcement/settlement", map[string]any{"installments": []api.InstallmentBody{
		{DueOn: c.Enforcement.CaseToday.AddDays(60), AmountFen: b.AmountFen},
	}})
	require.Equal(t, workflows.StageSettlement, settled.Enforcement.Stage)
	var plan workflows.PlanView
	require.Eventually(t, func() bool {
		res := do(t, realTime, &court, http.MethodGet, "/cases/"+id+"/plans/settlement-1", nil)
		if res.Status != http.StatusOK {
			return false
		}
		res.json(t, &plan)
		return true
	}, 10*time.Second, 20*time.Millisecond, "the settlement plan starts")
	var ids []string
	for _, r := range reps {
		ids = append(ids, r.Subject)
	}
	require.Equal(t, ids, plan.Obligees, "every applicant is an obligee of the settlement")
	res := do(t, realTime, &court, http.MethodPost, "/cases/"+id+"/plans/settlement-1/payments",
		map[string]any{"amount_fen": b.AmountFen, "paid_on": plan.CaseToday})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	awaitCaseClosed(t, id, 30*time.Second)
	sum, err := store.Case(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, "settlement_performed", sum.Outcome)
	// The plan sends its own notices too: wait for the case's four.
	var told []string
	require.Eventually(t, func() bool {
		ns, err := store.Notices(t.Context(), id)
		require.NoError(t, err)
		told = told[:0]
		for _, n := range ns {
			if n.Kind == workflows.NoticeCompletion {
				told = append(told, n.Recipient)
			}
		}
		return len(told) >= len(ids)
	}, 20*time.Second, 20*time.Millisecond, "completion notices")
	require.ElementsMatch(t, ids, told, "each applicant told of completion, once")
	replayAndKeep(t, "v7_enforcement_parties_by_reference_settled", c.Summary.WorkflowID)
}

// TestSeveralApplicantsRefused: claims that are not the case's, or an
// applicant party without a claim (by reference the applicants are the
// applicant parties), are refused with 422 before anything opens, and the
// number stays usable.
func TestSeveralApplicantsRefused(t *testing.T) {
	tests := []struct {
		name string
		edit func(b *api.StartEnforcementBody)
	}{
		{"SumNotTheAmount", func(b *api.StartEnforcementBody) { b.AmountFen++ }},
		{"NotAnApplicantParty", func(b *api.StartEnforcementBody) { b.Applicants[2].ID = obligor.Subject }},
		{"Twice", func(b *api.StartEnforcementBody) { b.Applicants[3].ID = b.Applicants[1].ID }},
		{"FirstIsNotTheApplicant", func(b *api.StartEnforcementBody) { b.Applicant = b.Applicants[1].ID }},
		{"UnknownRule", func(b *api.StartEnforcementBody) { b.Allocation = "first_come" }},
		{"ZeroClaim", func(b *api.StartEnforcementBody) { b.Applicants[0].AmountFen = 0 }},
		{"ApplicantPartyWithoutClaim", func(b *api.StartEnforcementBody) {
			b.Parties = append(b.Parties, api.PartyBody{ID: fmt.Sprintf("rep-5-%d", caseSeq.Add(1)), Name: "工人代表5", Side: "applicant"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := fourRepresentatives()
			tc.edit(&b)
			res := do(t, realTime, &court, http.MethodPost, "/cases/enforcement", b)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
			res.problem(t)
			fixed, _ := fourRepresentatives()
			fixed.CaseNumber = b.CaseNumber
			startEnforcement(t, realTime, fixed)
		})
	}
}
