package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
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
	// Parked are the cases opened first on a real-time clock, whose
	// deadline falls 30 legal days after the run; Woken the cases opened
	// last on one compressed clock, whose deadlines fall at one instant.
	Parked int `json:"parked_cases"`
	Woken  int `json:"woken_cases"`
	// StartsPerSec is the start rate of each successive thousand cases,
	// StartsPerTenK of each successive ten thousand (both phases, in
	// order).
	StartsPerSec   []float64 `json:"starts_per_second_by_thousand"`
	StartsPerTenK  []float64 `json:"starts_per_second_by_ten_thousand,omitempty"`
	ParkSeconds    float64   `json:"park_phase_seconds,omitempty"`
	ParkCut        bool      `json:"park_phase_cut_by_budget,omitempty"`
	WakeRateGuess  float64   `json:"wake_phase_rate_guess_per_second"`
	WakeOpenSec    float64   `json:"wake_phase_open_seconds"`
	OpenSeconds    float64   `json:"open_seconds"`
	ProcessRSSMB   float64   `json:"worker_api_process_rss_mb"`
	ProcessPeakMB  float64   `json:"worker_api_process_peak_rss_mb"`
	HeapInUseMB    float64   `json:"worker_api_heap_in_use_mb"`
	TemporalRSSMB  float64   `json:"temporal_server_rss_mb"`
	DatabaseMB     float64   `json:"database_mb"`
	TemporalDBMB   float64   `json:"temporal_database_mb,omitempty"`
	VisibilityDBMB float64   `json:"temporal_visibility_database_mb,omitempty"`
	Scale          int64     `json:"time_scale"`
	LegalDaySecond float64   `json:"real_seconds_per_legal_day"`
	WakeHalfSec    float64   `json:"wake_up_half_handled_seconds"`
	Wake90Sec      float64   `json:"wake_up_90pct_handled_seconds"`
	WakeAllSec     float64   `json:"wake_up_all_handled_seconds"`
	WakeAllDays    float64   `json:"wake_up_all_handled_legal_days"`
	WakePerSec     float64   `json:"wake_up_cases_per_second"`
	// CPU seconds spent during the wake-up (from its instant until every
	// case was handled) by this process (worker, API, the benchmark's
	// polling), the Temporal server and PostgreSQL (postmaster and its
	// backends), with the machine's load average at the start and end.
	WakeCPUProcess  float64    `json:"wake_up_cpu_seconds_worker_process"`
	WakeCPUTemporal float64    `json:"wake_up_cpu_seconds_temporal_server"`
	WakeCPUPostgres float64    `json:"wake_up_cpu_seconds_postgres"`
	LoadAverages    [3]float64 `json:"load_average_at_wake_up_start_end_and_after_opening"`
	AfterWake       struct {
		ProcessRSSMB   float64 `json:"worker_api_process_rss_mb"`
		HeapInUseMB    float64 `json:"worker_api_heap_in_use_mb"`
		TemporalRSSMB  float64 `json:"temporal_server_rss_mb"`
		DatabaseMB     float64 `json:"database_mb"`
		TemporalDBMB   float64 `json:"temporal_database_mb,omitempty"`
		VisibilityDBMB float64 `json:"temporal_visibility_database_mb,omitempty"`
	} `json:"after_wake_up"`
}

// TestBenchParked opens CASEWORK_BENCH_PARKED mediation cases (make
// bench-parked: 10,000; make bench-parked-stack: 100,000 on Temporal's own
// server) and measures a mass wake-up of CASEWORK_BENCH_PARKED_WAKE of them
// (default: min(N, 10,000)).
//
// The first N−WAKE cases are parked on a real-time clock: their 30-day
// deadline falls long after the run, so they stay open, filling the
// worker's cache and the server as real open cases do. The WAKE cases are
// opened last, all on one compressed clock and one opening day, so their
// deadlines pass at one instant once all are open; the clock is computed
// when they begin, from the start rate measured over the parked cases
// (CASEWORK_BENCH_PARKED_RATE overrides it, and is the guess when none are
// parked). It reports the start rate as the count grows, this process's
// memory (the worker and the API), the Temporal server's, the databases'
// sizes once all are open, then how long until the read model shows every
// woken case handled (returned for litigation), and the CPU time worker,
// server and PostgreSQL spent on it. CASEWORK_BENCH_CPUPROFILE writes a CPU
// profile of this process during the wake-up.
//
// CASEWORK_BENCH_PARKED_BUDGET (a duration, e.g. 60m) stops opening parked
// cases when it has passed and goes on with those opened; the report says
// how many.
func TestBenchParked(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CASEWORK_BENCH_PARKED"))
	if n <= 0 {
		t.Skip("set CASEWORK_BENCH_PARKED=10000 (make bench-parked) to run the parked-cases benchmark")
	}
	wakeN := min(n, 10000)
	if w, err := strconv.Atoi(os.Getenv("CASEWORK_BENCH_PARKED_WAKE")); err == nil && w > 0 {
		wakeN = min(n, w)
	}
	rate := 12.0 // expected starts a second, to size the parking window
	rateGiven := false
	if r, err := strconv.ParseFloat(os.Getenv("CASEWORK_BENCH_PARKED_RATE"), 64); err == nil && r > 0 {
		rate, rateGiven = r, true
	}
	var budget time.Duration
	if s := os.Getenv("CASEWORK_BENCH_PARKED_BUDGET"); s != "" {
		var err error
		budget, err = time.ParseDuration(s)
		require.NoError(t, err, "CASEWORK_BENCH_PARKED_BUDGET")
	}
	e := newEnv(t)
	e.jurisdiction = "CN-52-B2"
	ctx := context.Background()
	reg, err := policy.Default()
	require.NoError(t, err)

	// Starts are counted by thousand across both phases.
	var mu sync.Mutex
	var thousands []float64
	var marks []time.Time // when each thousand was claimed
	claimed := 0
	lastMark := time.Now()
	// open opens count cases, 32 at a time, until stopAt if it is set;
	// it returns how many it opened.
	open := func(count int, stopAt time.Time) int {
		var next, done atomic.Int64
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for {
					if !stopAt.IsZero() && time.Now().After(stopAt) {
						return
					}
					i := int(next.Add(1))
					if i > count {
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
					done.Add(1)
					mu.Lock()
					claimed++
					if claimed%1000 == 0 {
						now := time.Now()
						thousands = append(thousands, 1000/now.Sub(lastMark).Seconds())
						marks = append(marks, now)
						lastMark = now
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return int(done.Load())
	}

	began := time.Now()
	today := policy.DateOf(began)
	f := parkedFigures{Server: serverName()}

	// Phase 1: the parked cases, on a real-time clock (their 30-day
	// deadline is a month away).
	parkN := n - wakeN
	if parkN > 0 {
		e.clock = casetime.Clock{Scale: 1, RealEpoch: began, CaseEpoch: began}
		e.openedOn = today
		var stopAt time.Time
		if budget > 0 {
			stopAt = began.Add(budget)
		}
		t.Logf("parking %d cases on a real-time clock, then waking %d", parkN, wakeN)
		got := open(parkN, stopAt)
		f.ParkSeconds = time.Since(began).Seconds()
		f.ParkCut = got < parkN
		if f.ParkCut {
			t.Logf("parking budget %s passed: %d of %d parked", budget, got, parkN)
		}
		parkN = got
		// The rate of the last ten thousand (or as many as there are),
		// less 30 % for a slower moment, sizes the window.
		if !rateGiven {
			mu.Lock()
			k := min(10, len(marks)-1)
			if k > 0 {
				rate = float64(k*1000) / marks[len(marks)-1].Sub(marks[len(marks)-1-k]).Seconds()
			} else {
				rate = float64(parkN) / f.ParkSeconds
			}
			mu.Unlock()
			rate *= 0.7
		}
	}
	f.Parked, f.Woken, f.Cases = parkN, wakeN, parkN+wakeN
	f.WakeRateGuess = rate

	// Phase 2: one clock for all the woken cases: the deadline instant
	// falls once every one is open, whatever the order they open in.
	wakeBegan := time.Now()
	wakeToday := policy.DateOf(wakeBegan)
	due, err := reg.Deadline(e.jurisdiction, wakeToday, policy.Days(30))
	require.NoError(t, err)
	window := time.Duration(float64(wakeN)/rate*float64(time.Second)) + 90*time.Second
	scale := int64(due.End().Sub(wakeBegan) / window)
	require.Positive(t, scale)
	e.clock = casetime.Clock{Scale: scale, RealEpoch: wakeBegan, CaseEpoch: wakeBegan}
	e.openedOn = wakeToday
	wake := wakeBegan.Add(due.End().Sub(wakeBegan) / time.Duration(scale))
	t.Logf("%d cases at scale %d (%.1f s a legal day, window %s at %.1f starts/s); their deadline %s passes at %s", wakeN, scale,
		86400/float64(scale), window.Round(time.Second), rate, due, wake.Format(time.TimeOnly))
	got := open(wakeN, time.Time{})
	require.Equal(t, wakeN, got)
	f.WakeOpenSec = time.Since(wakeBegan).Seconds()
	opened := time.Since(began)
	require.True(t, time.Now().Before(wake.Add(-10*time.Second)),
		"opening took %s, past the parking window: set CASEWORK_BENCH_PARKED_RATE lower", time.Since(wakeBegan))
	f.StartsPerSec = thousands
	for i := 0; i+10 <= len(marks); i += 10 {
		from := began
		if i > 0 {
			from = marks[i-1]
		}
		f.StartsPerTenK = append(f.StartsPerTenK, 10000/marks[i+9].Sub(from).Seconds())
	}

	sizes := func() (rss, heap, temporalRSS, app, tdb, vis float64) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		app, tdb, vis = databaseSizes(t, e)
		return rssMB(os.Getpid()), float64(ms.HeapInuse) / (1 << 20), rssMB(e.stack.Temporal.PID()), app, tdb, vis
	}
	f.OpenSeconds = opened.Seconds()
	f.ProcessRSSMB, f.HeapInUseMB, f.TemporalRSSMB, f.DatabaseMB, f.TemporalDBMB, f.VisibilityDBMB = sizes()
	f.Scale, f.LegalDaySecond = scale, 86400/float64(scale)
	f.LoadAverages[2] = loadAverage()

	openCases := func() int {
		var c int
		require.NoError(t, e.stack.Pool.QueryRow(ctx,
			"SELECT count(*) FROM cases WHERE jurisdiction = $1 AND status = 'open'", e.jurisdiction).Scan(&c))
		return c
	}
	require.Equal(t, parkN+wakeN, openCases(), "every case parked, none handled yet")
	pgPID := postmasterPID(e)
	time.Sleep(time.Until(wake))

	// The wake-up: a CPU profile of this process and the CPU time of
	// each process from the instant until every woken case is handled.
	if out := os.Getenv("CASEWORK_BENCH_CPUPROFILE"); out != "" {
		fh, err := os.Create(out)
		require.NoError(t, err)
		require.NoError(t, pprof.StartCPUProfile(fh))
		defer func() { pprof.StopCPUProfile(); _ = fh.Close() }()
	}
	cpu0 := [3]float64{cpuSeconds(os.Getpid(), false), cpuSeconds(e.stack.Temporal.PID(), false), cpuSeconds(pgPID, true)}
	f.LoadAverages[0] = loadAverage()
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		left := openCases() - parkN
		s := time.Since(wake).Seconds()
		if f.WakeHalfSec == 0 && left <= wakeN/2 {
			f.WakeHalfSec = s
		}
		if f.Wake90Sec == 0 && left <= wakeN/10 {
			f.Wake90Sec = s
		}
		if left <= 0 {
			f.WakeAllSec = s
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.WakeCPUProcess = cpuSeconds(os.Getpid(), false) - cpu0[0]
	f.WakeCPUTemporal = cpuSeconds(e.stack.Temporal.PID(), false) - cpu0[1]
	f.WakeCPUPostgres = cpuSeconds(pgPID, true) - cpu0[2]
	f.LoadAverages[1] = loadAverage()
	pprof.StopCPUProfile()
	require.Positive(t, f.WakeAllSec, "every case handled within 30 minutes")
	require.Equal(t, parkN, openCases(), "the parked cases stay open")
	f.WakeAllDays = f.WakeAllSec / f.LegalDaySecond
	f.WakePerSec = float64(wakeN) / f.WakeAllSec
	a := &f.AfterWake
	a.ProcessRSSMB, a.HeapInUseMB, a.TemporalRSSMB, a.DatabaseMB, a.TemporalDBMB, a.VisibilityDBMB = sizes()
	f.ProcessPeakMB = peakRSSMB(os.Getpid())

	var b strings.Builder
	fmt.Fprintf(&b, "\n%d open cases (%d parked, %d woken) on timers (%s)\n", f.Cases, parkN, wakeN, f.Server)
	fmt.Fprintf(&b, "  opened in %.0f s (parked in %.0f s%s, woken cases in %.0f s); starts/s by thousand: %s\n", f.OpenSeconds, f.ParkSeconds,
		map[bool]string{true: ", cut by the budget", false: ""}[f.ParkCut], f.WakeOpenSec, fmtRates(thousands))
	if len(f.StartsPerTenK) > 0 {
		fmt.Fprintf(&b, "  starts/s by ten thousand: %s\n", fmtRates(f.StartsPerTenK))
	}
	fmt.Fprintf(&b, "  worker+API process RSS %.0f MB (heap in use %.0f MB), Temporal server RSS %.0f MB, database %.0f MB, Temporal's %.0f MB + visibility %.0f MB\n",
		f.ProcessRSSMB, f.HeapInUseMB, f.TemporalRSSMB, f.DatabaseMB, f.TemporalDBMB, f.VisibilityDBMB)
	fmt.Fprintf(&b, "  after the wake-up: process RSS %.0f MB (peak %.0f MB, heap in use %.0f MB), Temporal server RSS %.0f MB, database %.0f MB, Temporal's %.0f MB + visibility %.0f MB\n",
		a.ProcessRSSMB, f.ProcessPeakMB, a.HeapInUseMB, a.TemporalRSSMB, a.DatabaseMB, a.TemporalDBMB, a.VisibilityDBMB)
	fmt.Fprintf(&b, "  mass wake-up of %d deadlines at one instant: half handled after %.1f s, 90%% after %.1f s, all after %.1f s (%.0f/s);\n"+
		"  at this run's scale that is %.2f legal days; under 86400x compression one legal day is 1 s\n",
		wakeN, f.WakeHalfSec, f.Wake90Sec, f.WakeAllSec, f.WakePerSec, f.WakeAllDays)
	fmt.Fprintf(&b, "  CPU during the wake-up: this process %.1f s, Temporal server %.1f s, PostgreSQL %.1f s (load %.1f at its start, %.1f at its end)\n",
		f.WakeCPUProcess, f.WakeCPUTemporal, f.WakeCPUPostgres, f.LoadAverages[0], f.LoadAverages[1])
	fmt.Print(b.String())
	out := os.Getenv("CASEWORK_BENCH_JSON")
	if out == "" {
		out = "bench-parked.json"
	}
	j, err := json.MarshalIndent(f, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, j, 0o644))
}

// databaseSizes is the application database's size and, when Temporal's
// own server keeps its databases on the same cluster, theirs, in MB.
func databaseSizes(t *testing.T, e *env) (app, temporal, visibility float64) {
	rows, err := e.stack.Pool.Query(context.Background(),
		"SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname IN (current_database(), 'temporal', 'temporal_visibility')")
	require.NoError(t, err)
	defer rows.Close()
	var current string
	require.NoError(t, e.stack.Pool.QueryRow(context.Background(), "SELECT current_database()").Scan(&current))
	for rows.Next() {
		var name string
		var size int64
		require.NoError(t, rows.Scan(&name, &size))
		mb := float64(size) / (1 << 20)
		switch name {
		case current:
			app = mb
		case "temporal":
			temporal = mb
		case "temporal_visibility":
			visibility = mb
		}
	}
	require.NoError(t, rows.Err())
	return app, temporal, visibility
}

// postmasterPID is the PostgreSQL server's process ID, from its
// postmaster.pid; 0 when unknown.
func postmasterPID(e *env) int {
	b, err := os.ReadFile(filepath.Join(e.stack.Postgres.Dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// cpuSeconds is a process's user and system CPU time from /proc/PID/stat,
// with its reaped children's; with children, also that of its live
// children (PostgreSQL's backends). 0 when unknown.
func cpuSeconds(pid int, children bool) float64 {
	if pid <= 0 {
		return 0
	}
	const hz = 100 // USER_HZ on Linux
	stat := func(pid int) (ppid int, ticks float64, ok bool) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, 0, false
		}
		// Fields after the command name, which is in parentheses.
		s := string(b)
		fs := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fs) < 15 {
			return 0, 0, false
		}
		ppid, _ = strconv.Atoi(fs[1])
		for _, k := range []int{11, 12, 13, 14} { // utime stime cutime cstime
			v, _ := strconv.ParseFloat(fs[k], 64)
			ticks += v
		}
		return ppid, ticks, true
	}
	_, total, ok := stat(pid)
	if !ok {
		return 0
	}
	if children {
		ents, _ := os.ReadDir("/proc")
		for _, d := range ents {
			c, err := strconv.Atoi(d.Name())
			if err != nil {
				continue
			}
			if ppid, ticks, ok := stat(c); ok && ppid == pid {
				total += ticks
			}
		}
	}
	return total / hz
}

// loadAverage is the one-minute load average; 0 when unknown.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return v
}

func fmtRates(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.0f", r)
	}
	return strings.Join(parts, " ")
}

// rssMB reads a process's resident set from /proc; 0 when unknown.
func rssMB(pid int) float64 { return statusMB(pid, "VmRSS:") }

// peakRSSMB is a process's peak resident set; 0 when unknown.
func peakRSSMB(pid int) float64 { return statusMB(pid, "VmHWM:") }

func statusMB(pid int, field string) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
