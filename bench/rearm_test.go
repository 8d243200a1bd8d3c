package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// rearmFigures are what TestBenchRearm measures.
type rearmFigures struct {
	Server        string  `json:"server"`
	Cases         int     `json:"cases"`
	StartsPerSec  float64 `json:"starts_per_second"`
	RearmSeconds  float64 `json:"rearm_seconds"`
	CasesPerSec   float64 `json:"rearm_cases_per_second"`
	Moved         int     `json:"deadlines_moved"`
	Failed        int     `json:"failed"`
	BaselineP99ms float64 `json:"command_p99_ms_before"`
	BaselineMaxms float64 `json:"command_max_ms_before"`
	DuringP99ms   float64 `json:"command_p99_ms_during"`
	DuringMaxms   float64 `json:"command_max_ms_during"`
	DuringOps     int     `json:"commands_during"`
}

// TestBenchRearm re-arms CASEWORK_BENCH_REARM open cases (make
// bench-rearm: 10,000) after a publication that moves every one's
// deadline, and reports the cases re-armed per second and the longest
// pause of the cases' other commands meanwhile: a steady stream of updates
// to random cases, measured before the publication and during the re-arm.
func TestBenchRearm(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CASEWORK_BENCH_REARM"))
	if n <= 0 {
		t.Skip("set CASEWORK_BENCH_REARM=10000 (make bench-rearm) to run the re-arm benchmark")
	}
	e := newEnv(t)
	e.jurisdiction = "CN-52-B1" // its own: the publication concerns only these cases

	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				for attempt := 0; ; attempt++ {
					id, err := e.rawOpen()
					if err == nil {
						ids[i] = id
						break
					}
					require.Less(t, attempt, 5, "open case %d: %v", i, err)
					time.Sleep(time.Second)
				}
			}
		})
	}
	wg.Wait()
	startRate := float64(n) / time.Since(began).Seconds()
	t.Logf("%d cases open in %s (%.1f/s)", n, time.Since(began).Round(time.Second), startRate)

	// Every case's deadline is the same day: the publication makes it a
	// rest day, so every one moves.
	ctx := context.Background()
	reg, err := policy.Default()
	require.NoError(t, err)
	day, err := reg.Deadline(e.jurisdiction, policy.DateOf(time.Now()), policy.Days(30))
	require.NoError(t, err)

	sample := func(stop <-chan struct{}) []time.Duration {
		var mu sync.Mutex
		var out []time.Duration
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					id := ids[rand.IntN(len(ids))]
					t0 := time.Now()
					h, err := e.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
						WorkflowID: id, UpdateName: workflows.UpdateOpened, UpdateID: fmt.Sprintf("sample:%d", e.seq.Add(1)),
						WaitForStage: client.WorkflowUpdateStageCompleted,
					})
					if err == nil {
						var v workflows.MediationView
						err = h.Get(ctx, &v)
					}
					d := time.Since(t0)
					if err == nil {
						mu.Lock()
						out = append(out, d)
						mu.Unlock()
					}
					time.Sleep(20 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		slices.Sort(out)
		return out
	}
	stop := make(chan struct{})
	go func() { time.Sleep(10 * time.Second); close(stop) }()
	before := sample(stop)

	y := policy.CalendarYear{Jurisdiction: e.jurisdiction, Year: day.Year(), Source: "BENCHMARK FIXTURE: not a real notice",
		Holidays: []policy.Holiday{{Date: day, Name: "测试节"}}}
	pub, _, err := e.store.PublishCalendar(ctx, y, "bench")
	require.NoError(t, err)
	stop = make(chan struct{})
	duringCh := make(chan []time.Duration)
	go func() { duringCh <- sample(stop) }()
	t0 := time.Now()
	id, err := workflows.StartCalendarRearm(ctx, e.temporal, workflows.RearmCommand{Version: pub.Version, Jurisdiction: y.Jurisdiction, Year: y.Year,
		Actor: casefile.Actor{Subject: "bench", Role: casefile.RoleCourtAdmin}})
	require.NoError(t, err)
	var progress db.RearmProgress
	require.NoError(t, e.temporal.GetWorkflow(ctx, id, "").Get(ctx, &progress))
	took := time.Since(t0)
	close(stop)
	during := <-duringCh

	f := rearmFigures{Server: serverName(), Cases: n, StartsPerSec: startRate, RearmSeconds: took.Seconds(),
		CasesPerSec: float64(progress.Cases) / took.Seconds(), Moved: progress.Moved, Failed: progress.Failed,
		BaselineP99ms: ms(pct(before, 99)), BaselineMaxms: ms(pct(before, 100)),
		DuringP99ms: ms(pct(during, 99)), DuringMaxms: ms(pct(during, 100)), DuringOps: len(during)}
	fmt.Printf("\nre-arm of %d open cases (%s)\n  starts: %.1f/s\n  re-arm: %.1f s, %.1f cases/s, %d deadlines moved, %d failed\n"+
		"  other commands before: p99 %.1f ms, max %.1f ms (%d)\n  other commands during: p99 %.1f ms, max %.1f ms (%d)\n",
		n, f.Server, f.StartsPerSec, f.RearmSeconds, f.CasesPerSec, f.Moved, f.Failed,
		f.BaselineP99ms, f.BaselineMaxms, len(before), f.DuringP99ms, f.DuringMaxms, f.DuringOps)
	out := os.Getenv("CASEWORK_BENCH_JSON")
	if out == "" {
		out = "bench-rearm.json"
	}
	j, err := json.MarshalIndent(f, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, j, 0o644))
	require.Equal(t, n, progress.Cases, "every case took the publication")
	require.Equal(t, n, progress.Moved, "every case's deadline moved")
	require.Zero(t, progress.Failed)
}
