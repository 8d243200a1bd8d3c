package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/workflows"
)

// process1Scale runs a legal day in a second: the 15-day confirmation
// decision window outlasts the commands before it, the 90-day follow-up
// takes a minute and a half.
const process1Scale = 86400

// TestBenchProcess1 runs CASEWORK_BENCH_PROCESS1 whole Process 1 cases
// (make bench-process1: 96) through the HTTP API under compressed time, 32
// at a time, as the people in them would: a court delegates, the mediator
// records an agreement, both parties apply for judicial confirmation, the
// court accepts and confirms, the obligor pays the installment in full,
// the mediator records both follow-up visits when they fall due and the
// case closes. It reports cases completed per second, and each case's
// time from delegation to closing in real and legal time.
func TestBenchProcess1(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CASEWORK_BENCH_PROCESS1"))
	if n <= 0 {
		t.Skip("set CASEWORK_BENCH_PROCESS1=96 (make bench-process1) to run the Process 1 benchmark")
	}
	e := newEnv(t)
	h, _ := api.New(&api.Server{Temporal: e.temporal, Store: e.store, Keys: e.keys, TimeScale: process1Scale, Log: e.quiet, Policies: e.reg})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tokens := map[string]string{}
	for name, p := range map[string]auth.Principal{
		"court":     court,
		"mediator":  {Subject: "mediator-wang", Role: casefile.RoleMediator},
		"zhang-san": {Subject: "zhang-san", Role: casefile.RoleParty},
		"obligor":   {Subject: "xx-construction", Role: casefile.RoleParty},
	} {
		tok, err := e.keys.Mint(p, 2*time.Hour)
		require.NoError(t, err)
		tokens[name] = tok
	}
	call := func(who, method, path string, body any, out any) (int, error) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+tokens[who])
		req.Header.Set("Content-Type", "application/json")
		res, err := e.http.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			return res.StatusCode, fmt.Errorf("%s %s as %s: %d %s", method, path, who, res.StatusCode, b)
		}
		if out != nil {
			return res.StatusCode, json.Unmarshal(b, out)
		}
		return res.StatusCode, nil
	}
	// until retries step every 100 ms until it succeeds, for 10 minutes.
	until := func(step func() error) error {
		var err error
		for end := time.Now().Add(10 * time.Minute); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if err = step(); err == nil {
				return nil
			}
		}
		return err
	}
	pol, err := e.reg.Policy(e.jurisdiction)
	require.NoError(t, err)
	visits := len(pol.FollowUps)
	one := func() (time.Duration, float64, error) {
		t0 := time.Now()
		var c api.CaseBody
		if _, err := call("court", http.MethodPost, "/cases/mediation", e.mediationBody(e.number()), &c); err != nil {
			return 0, 0, err
		}
		id, opened := c.Summary.ID, c.Mediation.CaseToday
		base := "/cases/" + id
		steps := []struct {
			who, path string
			body      any
		}{
			{"mediator", base + "/outcome", map[string]any{"outcome": "agreed", "terms": api.TermsBody{
				Obligor: "xx-construction", Obligees: []string{"zhang-san"}, TotalFen: 1_302_700,
				Installments: []api.InstallmentBody{{DueOn: opened.AddDays(60), AmountFen: 1_302_700}}}}},
			{"zhang-san", base + "/confirmation/applications", map[string]any{}},
			{"obligor", base + "/confirmation/applications", map[string]any{}},
			{"court", base + "/confirmation/acceptance", map[string]any{}},
			{"court", base + "/confirmation/decision", map[string]any{"decision": "confirmed"}},
		}
		for _, s := range steps {
			if _, err := call(s.who, http.MethodPost, s.path, s.body, nil); err != nil {
				return 0, 0, err
			}
		}
		// The plan is a child workflow: pay once it takes payments.
		if err := until(func() error {
			var v api.CaseBody
			if _, err := call("court", http.MethodGet, base, nil, &v); err != nil {
				return err
			}
			_, err := call("court", http.MethodPost, base+"/plans/performance/payments",
				map[string]any{"amount_fen": 1_302_700, "paid_on": v.Mediation.CaseToday, "reason": "一次性付清"}, nil)
			return err
		}); err != nil {
			return 0, 0, err
		}
		// Each follow-up visit is recorded the day it falls due; the case is
		// done once the last one is.
		err := until(func() error {
			var v api.CaseBody
			if _, err := call("court", http.MethodGet, base, nil, &v); err != nil {
				return err
			}
			sum := v.Summary
			if sum.Stage == workflows.StagePerformed && sum.FollowUpsDone == visits {
				return nil
			}
			if sum.FollowUpsDue > sum.FollowUpsDone {
				if _, err := call("mediator", http.MethodPost, base+"/follow-ups", map[string]any{"holds": true, "note": "回访：协议已履行"}, nil); err != nil {
					return err
				}
			}
			return fmt.Errorf("case %s is %s, %d of %d visits made", id, sum.Stage, sum.FollowUpsDone, visits)
		})
		if err != nil {
			return 0, 0, err
		}
		took := time.Since(t0)
		return took, took.Seconds() * process1Scale / 86400, nil
	}

	const conc = 32
	var mu sync.Mutex
	var took []time.Duration
	var days []float64
	var failed []string
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	began := time.Now()
	for range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d, legal, err := one()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, err.Error())
				return
			}
			took, days = append(took, d), append(days, legal)
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	slices.Sort(took)
	slices.Sort(days)
	perSec := float64(len(took)) / elapsed.Seconds()
	fmt.Printf("\nProcess 1 end to end through the API (%s), %d cases, %d at a time, a legal day in %.0f s\n"+
		"  completed %d in %.0f s: %.2f cases/s; each took p50 %.0f s, p99 %.0f s of real time, %.0f legal days at p50\n",
		serverName(), n, conc, 86400.0/process1Scale, len(took), elapsed.Seconds(), perSec,
		pct(took, 50).Seconds(), pct(took, 99).Seconds(), days[len(days)/2])
	out := os.Getenv("CASEWORK_BENCH_JSON")
	if out == "" {
		out = "bench-process1.json"
	}
	j, _ := json.MarshalIndent(map[string]any{"server": serverName(), "cases": n, "concurrency": conc, "completed": len(took),
		"seconds": elapsed.Seconds(), "cases_per_second": perSec, "p50_seconds": pct(took, 50).Seconds(),
		"p99_seconds": pct(took, 99).Seconds(), "legal_days_p50": days[len(days)/2], "failed": failed}, "", "  ")
	require.NoError(t, os.WriteFile(out, j, 0o644))
	require.Empty(t, failed)
}
