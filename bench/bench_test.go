// Package bench measures casework's API against the raw Temporal client
// doing exactly what the API does, side by side on one server in one run:
// rounds alternate between the two, so a noisy machine slows both alike
// and the ratio stays meaningful. It runs only when CASEWORK_BENCH is set
// (make bench); it prints a table and writes the figures as JSON.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/casework/casework/api"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/devstack"
	"github.com/casework/casework/internal/payload"
	"github.com/casework/casework/internal/stacktest"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/worker"
	"github.com/casework/casework/workflows"
)

var court = auth.Principal{Subject: "judge-li", Role: casefile.RoleCourt, Court: "兴义市人民法院", Jurisdiction: "CN-52"}

// env is the stack under measurement.
type env struct {
	t        *testing.T
	temporal client.Client
	store    *db.Store
	srv      *httptest.Server
	token    string
	http     *http.Client
	seq      atomic.Int64
	// jurisdiction is the cases'; CN-52 unless a benchmark needs its own.
	jurisdiction string
	stack        *stacktest.Stack
	keys         *auth.Keys
	quiet        *slog.Logger
	reg          *policy.Registry
	// clock and openedOn, when set, are every raw-opened case's: one
	// clock shared by all, so their deadlines fall at one instant.
	clock    casetime.Clock
	openedOn policy.Date
}

// newEnv starts the stack: Temporal (the dev server, or Temporal's own
// server under CASEWORK_TEMPORAL=server), PostgreSQL, a worker and the API,
// all but the servers in this process.
func newEnv(t *testing.T) *env {
	ctx := context.Background()
	stack, err := stacktest.Start(ctx, true)
	require.NoError(t, err)
	t.Cleanup(stack.Stop)
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	// No gzip on loopback, as casework dials a frontend on the same
	// machine (TEMPORAL_GRPC_COMPRESSION).
	tc, err := client.Dial(client.Options{HostPort: stack.Temporal.HostPort, Logger: sdklog.NewStructuredLogger(quiet), DataConverter: payload.Converter,
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	reg, err := policy.Default()
	require.NoError(t, err)
	store := db.NewStore(stack.AppPool, audit.RandomKey())
	w := worker.New(tc, worker.Deps{Store: store, Policies: reg})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	keys, err := auth.NewKeys([]byte("bench-secret-bench-secret-bench-secret-0123456789"))
	require.NoError(t, err)
	h, _ := api.New(&api.Server{Temporal: tc, Store: store, Keys: keys, TimeScale: 1, Log: quiet, Policies: reg})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tok, err := keys.Mint(court, 2*time.Hour)
	require.NoError(t, err)
	return &env{t: t, temporal: tc, store: store, srv: srv, token: tok, jurisdiction: "CN-52", stack: stack, keys: keys, quiet: quiet, reg: reg,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func TestBench(t *testing.T) {
	if os.Getenv("CASEWORK_BENCH") == "" {
		t.Skip("set CASEWORK_BENCH=1 (make bench) to run the side-by-side benchmark")
	}
	e := newEnv(t)

	// CASEWORK_BENCH_CPUPROFILE writes a CPU profile of the measured part:
	// the API, the worker and the raw client all run in this process, so
	// it shows where a start, a command and a read spend their time
	// (go tool pprof -top -cum FILE).
	if f := os.Getenv("CASEWORK_BENCH_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		require.NoError(t, err)
		require.NoError(t, pprof.StartCPUProfile(out))
		t.Cleanup(func() { pprof.StopCPUProfile(); _ = out.Close() })
	}

	rounds := 4
	var results []result
	for _, conc := range []int{1, 8, 32} {
		n := 12 * conc
		if conc == 1 {
			n = 30
		}
		results = append(results, e.sideBySide(fmt.Sprintf("case starts, concurrency %d", conc), rounds, conc, n,
			e.apiStart, e.rawStart)...)
	}
	wageID, wageWF := e.openWage()
	results = append(results, e.sideBySide("commands (wage payment), concurrency 8", rounds, 8, 96,
		func() error { return e.apiPay(wageID) }, func() error { return e.rawPay(wageWF) })...)
	results = append(results, e.sideBySide("read one case, concurrency 8", rounds, 8, 200,
		func() error { return e.apiRead(wageID) }, func() error { return e.rawRead(wageWF) })...)
	results = append(results, e.sideBySide("ledger list, concurrency 8", rounds, 8, 200,
		e.apiLedger, e.rawLedger)...)

	report(t, results)
}

// result is one side of one measurement.
type result struct {
	What     string  `json:"what"`
	Side     string  `json:"side"`
	Server   string  `json:"server"`
	Ops      int     `json:"ops"`
	Failed   int     `json:"failed"`
	PerSec   float64 `json:"per_second"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	RatioAPI float64 `json:"api_to_raw_ratio,omitempty"`
}

// sideBySide runs api and raw alternately for rounds rounds of n operations
// at concurrency conc each, and returns both sides with the throughput
// ratio api/raw.
func (e *env) sideBySide(what string, rounds, conc, n int, apiOp, rawOp func() error) []result {
	type side struct {
		lat     []time.Duration
		elapsed time.Duration
		failed  int
	}
	var sides [2]side
	ops := [2]func() error{apiOp, rawOp}
	for r := range rounds {
		order := []int{0, 1}
		if r%2 == 1 {
			order = []int{1, 0}
		}
		for _, s := range order {
			lat, elapsed, failed := run(conc, n, ops[s])
			sides[s].lat = append(sides[s].lat, lat...)
			sides[s].elapsed += elapsed
			sides[s].failed += failed
		}
	}
	out := make([]result, 2)
	for i, name := range []string{"api", "raw"} {
		s := sides[i]
		slices.Sort(s.lat)
		out[i] = result{What: what, Side: name, Server: serverName(), Ops: len(s.lat), Failed: s.failed,
			PerSec: float64(len(s.lat)) / s.elapsed.Seconds(), P50ms: ms(pct(s.lat, 50)), P99ms: ms(pct(s.lat, 99))}
	}
	out[0].RatioAPI = out[0].PerSec / out[1].PerSec
	e.t.Logf("%s: api %.1f/s, raw %.1f/s, ratio %.2f", what, out[0].PerSec, out[1].PerSec, out[0].RatioAPI)
	return out
}

// run does n operations with conc workers and returns each latency.
func run(conc, n int, op func() error) ([]time.Duration, time.Duration, int) {
	var (
		mu     sync.Mutex
		lat    []time.Duration
		failed atomic.Int64
		next   atomic.Int64
		wg     sync.WaitGroup
	)
	began := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				if err := op(); err != nil {
					failed.Add(1)
					continue
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, time.Since(began), int(failed.Load())
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (e *env) number() string {
	return fmt.Sprintf("（2026）黔2301民诉前调B%d-%d号", time.Now().UnixNano()%1_000_000_000, e.seq.Add(1))
}

func (e *env) mediationBody(number string) api.StartMediationBody {
	return api.StartMediationBody{
		CaseNumber: number, Jurisdiction: e.jurisdiction, Organisation: "兴义市人民调解委员会", Mediator: "mediator-wang",
		Subject: "拖欠工程款", ClaimFen: 1_302_700,
		Parties: []api.PartyBody{{ID: "zhang-san", Name: "张三", Side: "applicant"}, {ID: "xx-construction", Name: "某建筑公司", Side: "respondent"}},
	}
}

func (e *env) do(method, path string, body any, wantStatus int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := e.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return nil
}

func (e *env) apiStart() error {
	return e.do(http.MethodPost, "/cases/mediation", e.mediationBody(e.number()), http.StatusCreated)
}

// rawStart does what the API's open does: update-with-start of the same
// workflow with the same input and the "opened" update.
func (e *env) rawStart() error {
	_, err := e.rawOpen()
	return err
}

// rawOpen is rawStart returning the case's workflow ID.
func (e *env) rawOpen() (string, error) {
	number := e.number()
	b := e.mediationBody(number)
	id := workflows.CaseID(number)
	in := workflows.MediationInput{
		CaseID: id, CaseNumber: number, Court: court.Court, Jurisdiction: b.Jurisdiction, Organisation: b.Organisation,
		Mediator: b.Mediator, ClaimFen: b.ClaimFen, Subject: b.Subject, DelegatedBy: court.Actor(), Clock: casetime.Clock{Scale: 1},
	}
	if e.clock.Scale != 0 {
		in.Clock, in.OpenedOn = e.clock, e.openedOn
	}
	for _, p := range b.Parties {
		in.Parties = append(in.Parties, workflows.Party{ID: p.ID, Name: p.Name, Side: p.Side})
	}
	ctx := context.Background()
	start := e.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflows.MediationWorkflowID(id), TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, workflows.Mediation, in)
	h, err := e.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID: workflows.MediationWorkflowID(id), UpdateName: workflows.UpdateOpened, UpdateID: fmt.Sprintf("opened:%d", e.seq.Add(1)),
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return "", err
	}
	var v workflows.MediationView
	return workflows.MediationWorkflowID(id), h.Get(ctx, &v)
}

// openWage opens the wage case the command and read measurements use: a
// debt large enough for thousands of one-fen payments.
func (e *env) openWage() (id, workflowID string) {
	number := fmt.Sprintf("（2026）黔2301民特B%d号", time.Now().UnixNano()%1_000_000_000)
	due := policy.DateOf(time.Now()).AddDays(60)
	body := map[string]any{
		"case_number": number, "jurisdiction": "CN-52", "allocation": "pro_rata",
		"debtor":    map[string]any{"id": "xx-contractor", "name": "某建筑劳务有限公司"},
		"creditors": []map[string]any{{"id": "worker-1", "name": "王一", "owed_fen": 50_000_000}, {"id": "worker-2", "name": "李二", "owed_fen": 50_000_000}},
		"schedule":  []map[string]any{{"due_on": due, "amount_fen": 100_000_000}},
	}
	require.NoError(e.t, e.do(http.MethodPost, "/cases/wage", body, http.StatusCreated))
	id = workflows.CaseID(number)
	return id, workflows.WageWorkflowID(id)
}

func (e *env) apiPay(id string) error {
	return e.do(http.MethodPost, "/cases/"+id+"/wage/payments",
		map[string]any{"amount_fen": 1, "paid_on": policy.DateOf(time.Now())}, http.StatusOK)
}

func (e *env) rawPay(workflowID string) error {
	ctx := context.Background()
	h, err := e.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: workflows.UpdateRecordWagePayment, UpdateID: fmt.Sprintf("pay:%d", e.seq.Add(1)),
		Args:         []any{workflows.WagePaymentCommand{AmountFen: 1, PaidOn: policy.DateOf(time.Now()), Actor: court.Actor()}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var v workflows.WageView
	return h.Get(ctx, &v)
}

func (e *env) apiRead(id string) error {
	return e.do(http.MethodGet, "/cases/"+id, nil, http.StatusOK)
}

func (e *env) rawRead(workflowID string) error {
	res, err := e.temporal.QueryWorkflow(context.Background(), workflowID, "", workflows.QueryState)
	if err != nil {
		return err
	}
	var v workflows.WageView
	return res.Get(&v)
}

func (e *env) apiLedger() error {
	return e.do(http.MethodGet, "/ledger?state=open&limit=50", nil, http.StatusOK)
}

// rawLedger is the ledger query the API runs, straight on the store.
func (e *env) rawLedger() error {
	_, err := e.store.Ledger(context.Background(), db.LedgerFilter{CaseFilter: db.CaseFilter{State: db.StateOpen, Jurisdiction: court.Jurisdiction}, Limit: 50})
	return err
}

func report(t *testing.T, rs []result) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-42s %-4s %7s %6s %9s %9s %9s %7s\n", "measurement ("+serverName()+")", "side", "ops", "failed", "per sec", "p50 ms", "p99 ms", "api/raw")
	for _, r := range rs {
		ratio := ""
		if r.Side == "api" {
			ratio = fmt.Sprintf("%.2f", r.RatioAPI)
		}
		fmt.Fprintf(&b, "%-42s %-4s %7d %6d %9.1f %9.1f %9.1f %7s\n", r.What, r.Side, r.Ops, r.Failed, r.PerSec, r.P50ms, r.P99ms, ratio)
	}
	fmt.Print(b.String())
	out := os.Getenv("CASEWORK_BENCH_JSON")
	if out == "" {
		out = "bench.json"
	}
	j, err := json.MarshalIndent(rs, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, j, 0o644))
	t.Logf("figures written to %s", out)
	for _, r := range rs {
		require.Zero(t, r.Failed, "%s (%s): every operation succeeded", r.What, r.Side)
	}
}

// serverName names the Temporal server the figures come from: the CLI's
// dev server, or Temporal's own server on PostgreSQL under make bench-stack.
func serverName() string {
	if os.Getenv("CASEWORK_TEMPORAL") == "server" {
		return "temporal server " + devstack.TemporalServerVersion + " on PostgreSQL"
	}
	return "temporal CLI dev server (SQLite)"
}
