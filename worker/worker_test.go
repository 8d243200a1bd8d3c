package worker

import (
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"
)

// TestTuningOptions: each setting reaches the SDK's option it names, and
// the zero Tuning is the SDK's defaults.
func TestTuningOptions(t *testing.T) {
	got := Tuning{WorkflowTasks: 50, Activities: 20, StopTimeout: 45 * time.Second}.options()
	want := sdkworker.Options{MaxConcurrentWorkflowTaskExecutionSize: 50, MaxConcurrentActivityExecutionSize: 20, WorkerStopTimeout: 45 * time.Second}
	if got.MaxConcurrentWorkflowTaskExecutionSize != want.MaxConcurrentWorkflowTaskExecutionSize ||
		got.MaxConcurrentActivityExecutionSize != want.MaxConcurrentActivityExecutionSize ||
		got.WorkerStopTimeout != want.WorkerStopTimeout {
		t.Fatalf("options() = %+v, want %+v", got, want)
	}
	zero := Tuning{}.options()
	if zero.MaxConcurrentWorkflowTaskExecutionSize != 0 || zero.MaxConcurrentActivityExecutionSize != 0 || zero.WorkerStopTimeout != 0 {
		t.Fatalf("Tuning{}.options() = %+v, want the SDK's defaults (zero)", zero)
	}
}
