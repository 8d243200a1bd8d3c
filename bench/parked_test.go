package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casetime"
	"github.com/casework/casework/policy"
)

// parkedFigures are what TestBenchParked measures.
type parkedFigures struct {
	Server string `json:"server"`
	Cases  int    `json:"cases"`
	// StartsPerSec is the start rate of each successive thousand cases.
	StartsPerSec   []float64 `json:"starts_per_second_by_thousand"`
	OpenSeconds    float64   `json:"open_seconds"`
	ProcessRSSMB   float64   `json:"worker_api_process_rss_mb"`
	HeapInUseMB    float64   `json:"worker_api_heap_in_use_mb"`
	TemporalRSSMB  float64   `json:"temporal_server_rss_mb"`
	DatabaseMB     float64   `json:"database_mb"`
	Scale          int64     `json:"time_scale"`
	LegalDaySecond float64   `json:"real_seconds_per_legal_day"`
	WakeHalfSec    float64   `json:"wake_up_half_handled_seconds"`
	Wake90Sec      float64   `json:"wake_up_90pct_handled_seconds"`
	WakeAllSec     float64   `json:"wake_up_all_handled_seconds"`
	WakeAllDays    float64   `json:"wake_up_all_handled_legal_days"`
	WakePerSec     float64   `json:"wake_up_cases_per_second"`
}

// TestBenchParked opens CASEWORK_BENCH_PARKED mediation cases (make
// bench-parked: 10,000) parked on their deadline timers, reports the start
// rate as the count grows, this process's memory (the worker and the API),
// the Temporal server's and the database's size once all are open, then
// lets every deadline fall at one instant (the cases share one clock and
// one opening day) and reports how long until the read model shows every
// case handled (returned for litigation).
func TestBenchParked(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CASEWORK_BENCH_PARKED"))
	if n <= 0 {
		t.Skip("set CASEWORK_BENCH_PARKED=10000 (make bench-parked) to run the parked-cases benchmark")
	}
	rate := 12.0 // expected starts a second, to size the parking window
	if r, err := strconv.ParseFloat(os.Getenv("CASEWORK_BENCH_PARKED_RATE"), 64); err == nil && r > 0 {
		rate = r
	}
	e := newEnv(t)
	e.jurisdiction = "CN-52-B2"
	ctx := context.Background()
	reg, err := policy.Default()
	require.NoError(t, err)

	// One clock for all: the deadline instant falls once every case is
	// open, whatever the order they open in.
	began := time.Now()
	today := policy.DateOf(began)
	due, err := reg.Deadline(e.jurisdiction, today, policy.Days(30))
	require.NoError(t, err)
	window := time.Duration(float64(n)/rate*float64(time.Second)) + 90*time.Second
	scale := int64(due.End().Sub(began) / window)
	require.Positive(t, scale)
	e.clock = casetime.Clock{Scale: scale, RealEpoch: began, CaseEpoch: began}
	e.openedOn = today
	wake := began.Add(due.End().Sub(began) / time.Duration(scale))
	t.Logf("%d cases at scale %d (%.1f s a legal day); their deadline %s passes at %s", n, scale,
		86400/float64(scale), due, wake.Format(time.TimeOnly))

	var next atomic.Int64
	var mu sync.Mutex
	var thousands []float64
	lastMark := began
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				for attempt := 0; ; attempt++ {
					if _, err := e.rawOpen(); err == nil {
						break
					} else {
						require.Less(t, attempt, 5, "open case %d: %v", i, err)
					}
					time.Sleep(time.Second)
				}
				if i%1000 == 0 {
					mu.Lock()
					now := time.Now()
					thousands = append(thousands, 1000/now.Sub(lastMark).Seconds())
					lastMark = now
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	opened := time.Since(began)
	require.True(t, time.Now().Before(wake.Add(-10*time.Second)),
		"opening took %s, past the parking window: set CASEWORK_BENCH_PARKED_RATE lower", opened)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var dbBytes int64
	require.NoError(t, e.stack.Pool.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&dbBytes))
	f := parkedFigures{Server: serverName(), Cases: n, StartsPerSec: thousands, OpenSeconds: opened.Seconds(),
		ProcessRSSMB: rssMB(os.Getpid()), HeapInUseMB: float64(ms.HeapInuse) / (1 << 20),
		TemporalRSSMB: rssMB(e.stack.Temporal.PID()), DatabaseMB: float64(dbBytes) / (1 << 20),
		Scale: scale, LegalDaySecond: 86400 / float64(scale)}

	open := func() int {
		var c int
		require.NoError(t, e.stack.Pool.QueryRow(ctx,
			"SELECT count(*) FROM cases WHERE jurisdiction = $1 AND status = 'open'", e.jurisdiction).Scan(&c))
		return c
	}
	require.Equal(t, n, open(), "every case parked, none handled yet")
	time.Sleep(time.Until(wake))
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		left := open()
		s := time.Since(wake).Seconds()
		if f.WakeHalfSec == 0 && left <= n/2 {
			f.WakeHalfSec = s
		}
		if f.Wake90Sec == 0 && left <= n/10 {
			f.Wake90Sec = s
		}
		if left == 0 {
			f.WakeAllSec = s
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.Positive(t, f.WakeAllSec, "every case handled within 30 minutes")
	f.WakeAllDays = f.WakeAllSec / f.LegalDaySecond
	f.WakePerSec = float64(n) / f.WakeAllSec

	var b strings.Builder
	fmt.Fprintf(&b, "\n%d open cases parked on timers (%s)\n", n, f.Server)
	fmt.Fprintf(&b, "  opened in %.0f s; starts/s by thousand: %s\n", f.OpenSeconds, fmtRates(thousands))
	fmt.Fprintf(&b, "  worker+API process RSS %.0f MB (heap in use %.0f MB), Temporal server RSS %.0f MB, database %.0f MB\n",
		f.ProcessRSSMB, f.HeapInUseMB, f.TemporalRSSMB, f.DatabaseMB)
	fmt.Fprintf(&b, "  mass wake-up of %d deadlines at one instant: half handled after %.1f s, 90%% after %.1f s, all after %.1f s (%.0f/s);\n"+
		"  at this run's scale that is %.2f legal days; under 86400x compression one legal day is 1 s\n",
		n, f.WakeHalfSec, f.Wake90Sec, f.WakeAllSec, f.WakePerSec, f.WakeAllDays)
	fmt.Print(b.String())
	out := os.Getenv("CASEWORK_BENCH_JSON")
	if out == "" {
		out = "bench-parked.json"
	}
	j, err := json.MarshalIndent(f, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, j, 0o644))
}

func fmtRates(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.0f", r)
	}
	return strings.Join(parts, " ")
}

// rssMB reads a process's resident set from /proc; 0 when unknown.
func rssMB(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
