package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/casework/casework/api"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/workflows"
)

var clerk = auth.Principal{Subject: "clerk-bank", Role: casefile.RoleIntakeClerk, Court: "兴义市人民法院",
	Jurisdiction: "CN-52", Organisation: "某银行股份有限公司兴义分行"}

// bulkPlan is what the test does with row i (1-based) of its generated
// file, and so what each row must end as.
type bulkPlan struct {
	terminated, noPhone, repaired, resolved, failed, objects bool
}

func planOf(i int) bulkPlan {
	p := bulkPlan{terminated: i%4 == 0, noPhone: i%20 == 1}
	p.repaired = p.noPhone && i%40 == 1
	p.resolved = (!p.terminated && !p.noPhone && i%10 == 3) || (p.repaired && i%80 == 1)
	p.failed = !p.terminated && !p.noPhone && i%100 == 7
	p.objects = i%25 == 6
	return p
}

// final is the stage row i must end in.
func (p bulkPlan) final() string {
	switch {
	case p.terminated:
		return workflows.RowWrittenOff
	case p.noPhone && !p.repaired:
		return workflows.RowFiled
	case p.resolved:
		return workflows.RowResolved
	case p.objects:
		return workflows.RowFiled
	}
	return workflows.RowEffective
}

func bulkFile(n int, prefix string) []byte {
	var b strings.Builder
	b.WriteString(strings.Join(api.BatchColumns, ",") + "\n")
	for i := 1; i <= n; i++ {
		phone := fmt.Sprintf("138%08d", i)
		if planOf(i).noPhone {
			phone = ""
		}
		fmt.Fprintf(&b, "债务人%d,5223011990%07d%d,%s,%s-%05d,%d.%02d,%d.5,20\n", i, i, i%10, phone, prefix, i, 1000+i, i%100, i%7)
	}
	return []byte(b.String())
}

func postCSV(t *testing.T, srv *httptest.Server, body []byte, contentType string) response {
	t.Helper()
	return do(t, srv, &clerk, http.MethodPost, "/batches", body, "Content-Type", contentType)
}

func bulkCounts(t *testing.T) (batches, rows int) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, stack.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM bulk_batches), (SELECT count(*) FROM bulk_rows)`).Scan(&batches, &rows))
	return batches, rows
}

// workerProc is a casework worker process of the test's own, to kill -9.
type workerProc struct {
	bin, log string
	env      []string
	cmd      *exec.Cmd
	done     chan struct{}
}

func (w *workerProc) start(t *testing.T) {
	f, err := os.OpenFile(w.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	cmd := exec.Command(w.bin, "worker")
	cmd.Env, cmd.Stdout, cmd.Stderr = w.env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = f.Close(); close(done) }()
	w.cmd, w.done = cmd, done
}

func (w *workerProc) kill() {
	if w.cmd == nil {
		return
	}
	_ = syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
	<-w.done
	w.cmd = nil
}

type batchAnswer struct {
	api.BatchBody
}

func getBatch(t *testing.T, srv *httptest.Server, id string) batchAnswer {
	t.Helper()
	res := do(t, srv, &court, http.MethodGet, "/batches/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var b batchAnswer
	res.json(t, &b)
	return b
}

func waitBatch(t *testing.T, srv *httptest.Server, id string, within time.Duration, what string, ok func(batchAnswer) bool) batchAnswer {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		b := getBatch(t, srv, id)
		if ok(b) {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; batch %+v", what, within, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// commandAll sends one command per row, eight at a time.
func commandAll(t *testing.T, srv *httptest.Server, id string, rows []int, path string, body func(int) any) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan string, len(rows))
	for _, i := range rows {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			b, _ := json.Marshal(body(i))
			res := do(t, srv, &court, http.MethodPost, fmt.Sprintf("/batches/%s/rows/%d/%s", id, i, path), b)
			if res.Status != http.StatusOK {
				errs <- fmt.Sprintf("row %d %s: %d %s", i, path, res.Status, res.Body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func docxText(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			require.NoError(t, err)
			x, err := io.ReadAll(rc)
			require.NoError(t, err)
			return string(x)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

// TestBulkBatchOf2000SurvivesAWorkerKill files 2,000 disputes from one
// CSV file, kills -9 the worker processing them half-way through the
// screen, and ends with every row processed exactly once and the funnel
// exact, as computed from the file.
func TestBulkBatchOf2000SurvivesAWorkerKill(t *testing.T) {
	const n = 2000
	ctx := context.Background()
	// Half a legal day per second: mediation (30 days) runs a minute, the
	// objection period about half of one.
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: 43200})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	// Rows run on a worker process of this test's own, so it can be killed.
	inProcess.Stop()
	t.Cleanup(func() { require.NoError(t, startWorker()) })
	dir := t.TempDir()
	w := &workerProc{bin: filepath.Join(dir, "casework"), log: filepath.Join(dir, "worker.log"), env: append(os.Environ(),
		"DATABASE_URL="+stack.AppURL, "TEMPORAL_ADDRESS="+stack.Temporal.HostPort,
		"CASEWORK_AUDIT_KEY="+audit.GenerateKey(), "CASEWORK_LOG_LEVEL=WARN", "CASEWORK_METRICS_ADDR=")}
	build := exec.Command("go", "build", "-o", w.bin, "../cmd/casework")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run(), "build casework")
	t.Cleanup(w.kill)

	// The 终本 registry: every fourth debtor has a ruling elsewhere.
	for i := 4; i <= n; i += 4 {
		_, err := stack.Pool.Exec(ctx, `INSERT INTO terminated_debtors VALUES ($1, '某区人民法院', $2, '2025-06-30') ON CONFLICT DO NOTHING`,
			fmt.Sprintf("5223011990%07d%d", i, i%10), fmt.Sprintf("（2025）黔执%d号", i))
		require.NoError(t, err)
	}
	// Hold rows 1001 on: the screen stops half-way, in its sixth chunk.
	hold, err := stack.Pool.Begin(ctx)
	require.NoError(t, err)
	released := false
	t.Cleanup(func() {
		if !released {
			_ = hold.Rollback(ctx)
		}
	})

	file := bulkFile(n, "HT2026")
	res := postCSV(t, srv, file, "text/csv; charset=utf-8")
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var filed batchAnswer
	res.json(t, &filed)
	id := filed.BatchID
	require.Equal(t, n, filed.RowsTotal)
	_, err = hold.Exec(ctx, `SELECT 1 FROM bulk_rows WHERE batch_id = $1 AND row_no > 1000 FOR UPDATE`, id)
	require.NoError(t, err)
	// The same file again is the same batch.
	again := postCSV(t, srv, file, "text/csv")
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Body)

	w.start(t)
	half := waitBatch(t, srv, id, time.Minute, "half the rows screened", func(b batchAnswer) bool { return b.Progress.Screened >= n/2 })
	time.Sleep(500 * time.Millisecond)
	w.kill()
	killedAt := getBatch(t, srv, id).Progress.Screened
	t.Logf("worker killed with %d of %d rows screened (%d at first sight)", killedAt, n, half.Progress.Screened)
	require.Equal(t, n/2, killedAt, "the screen was held at half")
	require.NoError(t, hold.Rollback(ctx))
	released = true
	w.start(t)

	// The killed chunk is retried once its start-to-close timeout passes.
	waitBatch(t, srv, id, 3*time.Minute, "mediation", func(b batchAnswer) bool {
		return b.Live != nil && b.Live.Phase == workflows.BulkMediation
	})
	var repair, resolve, fail, resolveRepaired, object []int
	for i := 1; i <= n; i++ {
		p := planOf(i)
		switch {
		case p.repaired:
			repair = append(repair, i)
			if p.resolved {
				resolveRepaired = append(resolveRepaired, i)
			}
		case p.resolved:
			resolve = append(resolve, i)
		case p.failed:
			fail = append(fail, i)
		}
		if p.final() == workflows.RowFiled && !(p.noPhone && !p.repaired) {
			object = append(object, i)
		}
	}
	commandAll(t, srv, id, repair, "contact", func(i int) any {
		return map[string]string{"phone": fmt.Sprintf("139%08d", i), "address": "贵州省兴义市"}
	})
	commandAll(t, srv, id, append(resolve, resolveRepaired...), "mediation", func(int) any { return map[string]string{"outcome": "resolved", "reason": "分期还款"} })
	commandAll(t, srv, id, fail, "mediation", func(int) any { return map[string]string{"outcome": "failed", "reason": "拒绝调解"} })
	require.Equal(t, workflows.BulkMediation, getBatch(t, srv, id).Live.Phase, "every mediation command came within the period")

	waitBatch(t, srv, id, 3*time.Minute, "payment orders", func(b batchAnswer) bool {
		return b.Live != nil && b.Live.Phase == workflows.BulkObjection
	})
	commandAll(t, srv, id, object, "objection", func(int) any { return map[string]string{"reason": "借款金额有异议"} })
	done := waitBatch(t, srv, id, 3*time.Minute, "every row done", func(b batchAnswer) bool { return b.Progress.Done == n })

	want := map[string]int{}
	for i := 1; i <= n; i++ {
		want[planOf(i).final()]++
	}
	p := done.Progress
	require.Equal(t, map[string]int{workflows.RowWrittenOff: p.WrittenOff, workflows.RowResolved: p.Resolved,
		workflows.RowEffective: p.Effective, workflows.RowFiled: p.Filed}, want)
	require.Equal(t, n, p.Screened)
	for i := 1; i <= n; i++ {
		var stage string
		require.NoError(t, stack.Pool.QueryRow(ctx, `SELECT stage FROM bulk_rows WHERE batch_id = $1 AND row_no = $2`, id, i).Scan(&stage))
		require.Equal(t, planOf(i).final(), stage, "row %d", i)
	}
	// Exactly once: one screen step a row, one preservation a row not
	// written off, one payment order a row that reached it.
	steps := map[string]int{}
	rows, err := stack.Pool.Query(ctx, `SELECT kind, count(*) FROM bulk_row_steps WHERE batch_id = $1 GROUP BY kind`, id)
	require.NoError(t, err)
	for rows.Next() {
		var k string
		var c int
		require.NoError(t, rows.Scan(&k, &c))
		steps[k] = c
	}
	require.NoError(t, rows.Err())
	orders := want[workflows.RowEffective] + len(object)
	require.Equal(t, n, steps["screened"])
	require.Equal(t, want[workflows.RowWrittenOff], steps["write_off_certificate"])
	require.Equal(t, n-want[workflows.RowWrittenOff], steps["preservation"])
	require.Equal(t, orders, steps["payment_order_issued"])
	require.Equal(t, len(object), steps["objection"])
	require.Equal(t, want[workflows.RowFiled], steps["filed"])
	require.Equal(t, len(repair), steps["contact_repaired"])

	// The funnel of the statistics, against the file's figures.
	res = do(t, srv, &court, http.MethodGet, "/statistics", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var stats api.StatisticsBody
	res.json(t, &stats)
	require.NotNil(t, stats.Bulk)
	require.Equal(t, n, stats.Bulk.Denominator)
	require.Equal(t, n, stats.Bulk.Received)
	require.Equal(t, want[workflows.RowWrittenOff], stats.Bulk.ScreenedOut)
	require.Equal(t, want[workflows.RowResolved], stats.Bulk.ResolvedBeforeFiling)
	require.Equal(t, want[workflows.RowEffective], stats.Bulk.ByPaymentOrder)
	require.Equal(t, want[workflows.RowFiled], stats.Bulk.Filed)
	t.Logf("funnel: received %d, screened out %d, resolved before filing %d, by payment order %d, filed %d",
		stats.Bulk.Received, stats.Bulk.ScreenedOut, stats.Bulk.ResolvedBeforeFiling, stats.Bulk.ByPaymentOrder, stats.Bulk.Filed)

	// Documents: a payment order and a write-off certificate, as DOCX.
	res = do(t, srv, &clerk, http.MethodGet, "/batches/"+id+"/documents/2/payment_order", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	text := docxText(t, res.Body)
	require.Contains(t, text, "支付令")
	require.Contains(t, text, "债务人2")
	require.Contains(t, text, "1,002.02") // row 2's principal
	res = do(t, srv, &clerk, http.MethodGet, "/batches/"+id+"/documents/4/write_off", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.Contains(t, docxText(t, res.Body), "终结本次执行程序")
	res = do(t, srv, &clerk, http.MethodGet, "/batches/"+id+"/documents/4/payment_order", nil)
	require.Equal(t, http.StatusConflict, res.Status, "a written-off row has no payment order")
	res = do(t, srv, &otherCourt, http.MethodGet, "/batches/"+id, nil)
	require.Equal(t, http.StatusNotFound, res.Status, "another court's batch is not there")
}

// A file with any bad row is refused whole with a per-row report, and
// nothing is stored.
func TestBulkHostileFilesAreRefusedAndStoreNothing(t *testing.T) {
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: compressed})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	header := strings.Join(api.BatchColumns, ",") + "\n"
	good := "张三,52230119900000011,13800000001,HX-1,1000.00,0,0\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(header + good)
	require.NoError(t, err)
	huge := header + strings.Repeat("张三,522301199000000111,13800000001,HX-9,1000.00,0,0\n", 25000)
	tests := []struct {
		name, body, contentType string
		status                  int
		location                string
	}{
		{"GBKNotSaidSo", gbk, "text/csv", 422, "body.rows[1].debtor_name"},
		{"DuplicateRows", header + "张三,522301199000000111,1,HX-1,1,0,0\n李四,522301199000000222,1,HX-1,2,0,0\n", "text/csv", 422, "body.rows[2].contract_no"},
		{"NegativeAmount", header + "张三,522301199000000111,1,HX-1,-1000.00,0,0\n", "text/csv", 422, "body.rows[1].principal"},
		{"ThreeDecimals", header + "张三,522301199000000111,1,HX-1,10.001,0,0\n", "text/csv", 422, "body.rows[1].principal"},
		{"Overflow", header + "张三,522301199000000111,1,HX-1,99999999999999999999,0,0\n", "text/csv", 422, "body.rows[1].principal"},
		{"MissingField", header + "张三,522301199000000111,1,HX-1,1\n", "text/csv", 422, "body.rows[1]"},
		{"AlreadyImported", header + "张三,522301199000000111,1,HX-OK-1,1,0,0\n", "text/csv", 422, "body.rows[1].contract_no"},
		{"OverTheSizeLimit", huge, "text/csv", 413, ""},
		{"NotCSV", `{"rows":[]}`, "application/json", 415, ""},
	}
	// One batch filed first, whose contract another file repeats.
	res := postCSV(t, srv, []byte(header+"王五,522301199000000333,13800000003,HX-OK-1,1000.00,0,0\n"), "text/csv")
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	batches, rows := bulkCounts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := postCSV(t, srv, []byte(tt.body), tt.contentType)
			require.Equal(t, tt.status, res.Status, "body: %.500s", res.Body)
			p := res.problem(t)
			if tt.location != "" {
				errs, _ := p["errors"].([]any)
				require.NotEmpty(t, errs, "a per-row report: %s", res.Body)
				var locs []string
				for _, e := range errs {
					locs = append(locs, e.(map[string]any)["location"].(string))
				}
				require.Contains(t, locs, tt.location)
			}
			b, r := bulkCounts(t)
			require.Equal(t, batches, b, "no batch stored")
			require.Equal(t, rows, r, "no row stored")
		})
	}
	// A GBK file that says so is taken.
	gbkFile, err := simplifiedchinese.GBK.NewEncoder().String(header + "赵六,522301199000000444,13800000004,HX-GBK-1,88.80,0,0\n")
	require.NoError(t, err)
	res = postCSV(t, srv, []byte(gbkFile), "text/csv; charset=gbk")
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var gb batchAnswer
	res.json(t, &gb)
	row := do(t, srv, &clerk, http.MethodGet, "/batches/"+gb.BatchID+"/rows/1", nil)
	require.Equal(t, http.StatusOK, row.Status, "body: %s", row.Body)
	require.Contains(t, string(row.Body), "赵六")
	require.Contains(t, string(row.Body), `"principal_fen":8880`)
	// Only an intake clerk files.
	res = do(t, srv, &court, http.MethodPost, "/batches", []byte(header+good), "Content-Type", "text/csv")
	require.Equal(t, http.StatusForbidden, res.Status)
}

// A row command with an Idempotency-Key is keyed as a case's commands
// are: the same key and body again is answered with the same row, the
// command done once; the same key with another body is refused 422; the
// key is the caller's own and the row's own; its outcome is kept in
// PostgreSQL.
func TestBulkRowCommandIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: 1})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	uniq := time.Now().UnixNano() % 1e11
	var file strings.Builder
	file.WriteString(strings.Join(api.BatchColumns, ",") + "\n")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&file, "债务人%d,5224%013d%d,1380000000%d,IK%d-%d,100.%02d,0,0\n", i, uniq*10+int64(i), i, i, uniq, i, i)
	}
	res := postCSV(t, srv, []byte(file.String()), "text/csv")
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var filed batchAnswer
	res.json(t, &filed)
	id := filed.BatchID
	waitBatch(t, srv, id, time.Minute, "mediation", func(b batchAnswer) bool { return b.Live != nil && b.Live.Phase == workflows.BulkMediation })

	path := func(row int) string { return fmt.Sprintf("/batches/%s/rows/%d/mediation", id, row) }
	resolved := map[string]string{"outcome": "resolved", "reason": "一次性还款"}
	first := do(t, srv, &court, http.MethodPost, path(1), resolved, "Idempotency-Key", "settle-1")
	require.Equal(t, http.StatusOK, first.Status, "body: %s", first.Body)
	again := do(t, srv, &court, http.MethodPost, path(1), resolved, "Idempotency-Key", "settle-1")
	require.Equal(t, http.StatusOK, again.Status, "the retry is answered, not refused: %s", again.Body)
	var a, b api.BatchRowBody
	first.json(t, &a)
	again.json(t, &b)
	require.Equal(t, a, b, "the same answer")
	require.Equal(t, workflows.RowResolved, b.Stage)
	steps := func(row int, kind string) (n int) {
		require.NoError(t, stack.Pool.QueryRow(ctx, `SELECT count(*) FROM bulk_row_steps WHERE batch_id = $1 AND row_no = $2 AND kind = $3`, id, row, kind).Scan(&n))
		return n
	}
	require.Equal(t, 1, steps(1, "mediation_resolved"), "done once")

	// Another body under the key is refused, and changes nothing.
	other := do(t, srv, &court, http.MethodPost, path(1), map[string]string{"outcome": "failed", "reason": "拒绝调解"}, "Idempotency-Key", "settle-1")
	require.Equal(t, http.StatusUnprocessableEntity, other.Status, "body: %s", other.Body)
	require.Contains(t, string(other.Body), "settle-1")
	require.Equal(t, 0, steps(1, "mediation_failed"))
	// Without a key, or with another caller's, the repeat finds the row moved on.
	require.Equal(t, http.StatusConflict, do(t, srv, &court, http.MethodPost, path(1), resolved).Status)
	colleague := auth.Principal{Subject: "judge-wu", Role: casefile.RoleCourt, Court: court.Court, Jurisdiction: court.Jurisdiction}
	require.Equal(t, http.StatusConflict, do(t, srv, &colleague, http.MethodPost, path(1), resolved, "Idempotency-Key", "settle-1").Status,
		"a key is its caller's own")
	require.Equal(t, 1, steps(1, "mediation_resolved"))

	// The key is the row's own: on row 2 it is a new command.
	second := do(t, srv, &court, http.MethodPost, path(2), resolved, "Idempotency-Key", "settle-1")
	require.Equal(t, http.StatusOK, second.Status, "body: %s", second.Body)
	require.Equal(t, 1, steps(2, "mediation_resolved"))

	// The outcomes are kept in PostgreSQL, filed under the batch.
	var kept int
	require.NoError(t, stack.Pool.QueryRow(ctx, `SELECT count(*) FROM idempotency_keys WHERE case_id = $1 AND outcome IS NOT NULL`, id).Scan(&kept))
	require.Equal(t, 2, kept)
}
