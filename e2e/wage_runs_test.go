package e2e

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/api"
	"github.com/casework/casework/policy"
)

// TestWageRunsStayBoundedOnTheServer pays a wage case with many creditors
// through the API, one payment after another, on the real server, for each
// allocation rule; then it walks the case's runs back from the last and
// counts each run's history events and bytes as the server holds them.
// Every run stays under 10,240 events and 10 MB, the case continued as new,
// and in the end the steps, the creditor ledger and the case agree to the
// fen with what was paid. The short form (300 creditors, 260 payments)
// runs in make test; CASEWORK_WAGE_CREDITORS and CASEWORK_WAGE_PAYMENTS
// set the long form (make wage-long: 10,000 and 1,000).
func TestWageRunsStayBoundedOnTheServer(t *testing.T) {
	creditors, payments := envInt("CASEWORK_WAGE_CREDITORS", 300), envInt("CASEWORK_WAGE_PAYMENTS", 260)
	for _, rule := range []string{allot.ProRata, allot.HardshipFirst} {
		t.Run(rule, func(t *testing.T) { boundedWageRuns(t, rule, creditors, payments) })
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func boundedWageRuns(t *testing.T, rule string, n, payments int) {
	ctx := t.Context()
	today := policy.DateOf(time.Now())
	var cs []map[string]any
	var owed int64
	for i := range n {
		o := 300_000 + int64(i%97)*1_013
		owed += o
		cs = append(cs, map[string]any{"id": fmt.Sprintf("w%05d", i+1), "name": fmt.Sprintf("劳动者%05d", i+1), "owed_fen": o, "hardship": i%9 == 0})
	}
	res := do(t, realTime, &court, http.MethodPost, "/cases/wage", map[string]any{
		"case_number": fmt.Sprintf("（2026）黔2301民特欠薪%d号", time.Now().UnixNano()),
		"debtor":      map[string]any{"id": wageDebtor.Subject, "name": "某建筑劳务有限公司"},
		"creditors":   cs,
		"schedule":    []map[string]any{{"due_on": today.AddDays(200), "amount_fen": owed}},
		"allocation":  rule,
	})
	require.Equal(t, http.StatusCreated, res.Status, "body: %.500s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	id := c.Summary.ID

	amount := func(k int) int64 { return 100_000 + int64(k%13)*7_919 }
	var paid int64
	began := time.Now()
	for k := 1; k <= payments; k++ {
		r := do(t, realTime, &court, http.MethodPost, "/cases/"+id+"/wage/payments",
			map[string]any{"amount_fen": amount(k), "paid_on": today}, "Idempotency-Key", fmt.Sprintf("pay-%s-%d", id, k))
		require.Equal(t, http.StatusOK, r.Status, "payment %d: %.500s", k, r.Body)
		paid += amount(k)
	}
	took := time.Since(began)

	// The runs, from the last back to the first.
	wfID := c.Summary.WorkflowID
	runID, runs := "", 0
	for {
		runs++
		require.LessOrEqual(t, runs, 1_000)
		it := temporal.GetWorkflowHistory(ctx, wfID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events, bytes, prev := 0, 0, ""
		for it.HasNext() {
			e, err := it.Next()
			require.NoError(t, err)
			events++
			bytes += proto.Size(e)
			if a := e.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				prev = a.GetContinuedExecutionRunId()
			}
		}
		t.Logf("%s: run %s: %d events, %.2f MB", rule, runLabel(runID), events, float64(bytes)/1e6)
		require.Less(t, events, 10_240, "run %s", runLabel(runID))
		require.Less(t, bytes, 10_000_000, "run %s", runLabel(runID))
		if prev == "" {
			break
		}
		runID = prev
	}
	require.Greater(t, runs, 1, "the case continued as new")

	// What was paid is in the steps, the creditor ledger and the case.
	var credited, over int64
	var recorded int
	require.NoError(t, store.Pool().QueryRow(ctx, `SELECT count(*), coalesce(sum((data->>'credited_fen')::bigint), 0)
		FROM case_events WHERE case_id = $1 AND stream = 'wage' AND kind = 'payment_recorded'`, id).Scan(&recorded, &credited))
	require.NoError(t, store.Pool().QueryRow(ctx, `SELECT coalesce(sum((data->>'overpaid_fen')::bigint), 0)
		FROM case_events WHERE case_id = $1 AND stream = 'wage' AND kind = 'overpayment_recorded'`, id).Scan(&over))
	require.Equal(t, payments, recorded, "each payment recorded once")
	require.Equal(t, paid, credited+over, "the steps account for every fen paid")
	r := do(t, realTime, &court, http.MethodGet, "/cases/"+id+"/wage/creditors?limit=1", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var ledger struct {
		Totals struct {
			Creditors int   `json:"creditors"`
			PaidFen   int64 `json:"paid_fen"`
		} `json:"totals"`
	}
	r.json(t, &ledger)
	require.Equal(t, n, ledger.Totals.Creditors)
	require.Equal(t, credited, ledger.Totals.PaidFen, "the creditor ledger holds what the steps credited")
	var allocated int
	require.NoError(t, store.Pool().QueryRow(ctx, `SELECT count(*) FROM wage_payment_allocations WHERE case_id = $1`, id).Scan(&allocated))
	require.Equal(t, payments, allocated, "each payment allocated once")
	r = do(t, realTime, &court, http.MethodGet, "/cases/"+id, nil)
	var now api.CaseBody
	r.json(t, &now)
	require.Equal(t, credited, now.Wage.PaidFen, "the case's state equals the state computed from its steps")
	t.Logf("%s: %d creditors, %d payments in %s (%.1f/s), %d runs; credited %d fen, overpaid %d",
		rule, n, payments, took.Round(time.Millisecond), float64(payments)/took.Seconds(), runs, credited, over)
}

func runLabel(runID string) string {
	if runID == "" {
		return "latest"
	}
	return runID
}
