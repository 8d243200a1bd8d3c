package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/casework/casework/api"
	"github.com/casework/casework/internal/payload"
	"github.com/casework/casework/workflows"
)

// No input, however odd, kills a case or burns its number: each is refused
// with a 4xx problem that says why, the number then opens normally, and no
// workflow the test started failed or was terminated.
func TestNoInputKillsACase(t *testing.T) {
	var numbers []string
	open := func(body api.StartMediationBody) response {
		numbers = append(numbers, body.CaseNumber)
		return do(t, fast, &court, http.MethodPost, "/cases/mediation", body)
	}

	t.Run("a jurisdiction without a policy", func(t *testing.T) {
		b := startBody(newCaseNumber())
		b.Jurisdiction = "XX-99"
		court := court
		court.Jurisdiction = "XX"
		res := do(t, fast, &court, http.MethodPost, "/cases/mediation", b)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
		require.Contains(t, res.problem(t)["detail"], "no legal policy")
		b.Jurisdiction = "CN-52"
		res = open(b)
		require.Equal(t, http.StatusCreated, res.Status, "the number is still usable: %s", res.Body)
	})

	t.Run("a due date the calendar cannot carry", func(t *testing.T) {
		c := startCase(t, fast)
		numbers = append(numbers, c.Summary.CaseNumber)
		agree := func(due string) response {
			return do(t, fast, &mediator, http.MethodPost, "/cases/"+c.Summary.ID+"/outcome", map[string]any{
				"outcome": "agreed", "terms": map[string]any{
					"obligor": "xx-construction", "obligees": []string{applicant.Subject}, "total_fen": 1_302_700,
					"installments": []map[string]any{{"due_on": due, "amount_fen": 1_302_700}},
				},
			})
		}
		for _, due := range []string{"9999-12-31", "2200-01-01"} {
			res := agree(due)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "due %s: %s", due, res.Body)
			require.Contains(t, res.problem(t)["detail"], "outside the dates casework supports")
		}
		res := do(t, fast, &auditor, http.MethodGet, "/cases/"+c.Summary.ID, nil)
		require.Equal(t, http.StatusOK, res.Status)
		var now api.CaseBody
		res.json(t, &now)
		require.Equal(t, workflows.StageMediating, now.Mediation.Stage, "nothing changed")
	})

	t.Run("a thousand parties whose names are markup", func(t *testing.T) {
		b := startBody(newCaseNumber())
		b.Parties = b.Parties[:2]
		for i := range 998 {
			b.Parties = append(b.Parties, api.PartyBody{ID: fmt.Sprintf("p-%d", i), Name: strings.Repeat("<", 190), Side: "applicant"})
		}
		// Sent as a browser would, without escaping markup: under the
		// 1 MiB body limit.
		raw, err := payload.Encode(b)
		require.NoError(t, err)
		require.Less(t, len(raw), 1<<20)
		numbers = append(numbers, b.CaseNumber)
		res := do(t, fast, &court, http.MethodPost, "/cases/mediation", raw)
		require.Equal(t, http.StatusCreated, res.Status, "body: %.300s", res.Body)
		var c api.CaseBody
		res.json(t, &c)
		res = do(t, fast, &auditor, http.MethodGet, "/cases/"+c.Summary.ID, nil)
		require.Equal(t, http.StatusOK, res.Status)
		var got api.CaseBody
		res.json(t, &got)
		require.Len(t, got.Mediation.Parties, 1000)
		require.Equal(t, strings.Repeat("<", 190), got.Mediation.Parties[999].Name, "stored verbatim")
	})

	t.Run("a case number typed another way names the same case", func(t *testing.T) {
		n := newCaseNumber()
		res := open(startBody(n))
		require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
		var first api.CaseBody
		res.json(t, &first)
		typed := strings.NewReplacer("（", "(", "）", ") ").Replace(n)
		res = open(startBody(typed))
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var again api.CaseBody
		res.json(t, &again)
		require.Equal(t, first.Summary.ID, again.Summary.ID)
	})

	t.Run("two disputes opened at once under one number", func(t *testing.T) {
		n := newCaseNumber()
		numbers = append(numbers, n)
		a, b := startBody(n), startBody(n)
		b.ClaimFen = 9_999
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, body := range []api.StartMediationBody{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = do(t, fast, &court, http.MethodPost, "/cases/mediation", body).Status
			}()
		}
		wg.Wait()
		require.ElementsMatch(t, []int{http.StatusCreated, http.StatusConflict}, statuses)
	})

	t.Run("a number already used is not shown to a caller outside it", func(t *testing.T) {
		c := startCase(t, fast)
		b := startBody(c.Summary.CaseNumber)
		b.Jurisdiction = "CN-11"
		res := do(t, fast, &otherCourt, http.MethodPost, "/cases/mediation", b)
		require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
		require.NotContains(t, string(res.Body), c.Summary.ID)
		require.NotContains(t, string(res.Body), "张三")
	})

	// Every workflow of every case above is running or closed normally.
	requireNoneFailed(t, numbers)
}

// requireNoneFailed lists the status of each case's workflows and fails if
// any failed, was terminated or timed out.
func requireNoneFailed(t *testing.T, caseNumbers []string) {
	t.Helper()
	for _, n := range caseNumbers {
		id := workflows.CaseID(n)
		res, err := temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId STARTS_WITH 'case/%s/'", id),
		})
		require.NoError(t, err)
		for _, e := range res.Executions {
			t.Logf("%s %s %s", n, e.Execution.WorkflowId, e.Status)
			switch e.Status {
			case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
				t.Errorf("case %s: workflow %s is %s", n, e.Execution.WorkflowId, e.Status)
			}
		}
	}
}
