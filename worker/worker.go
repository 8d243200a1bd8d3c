// Package worker assembles the Temporal worker that runs casework's
// workflows and activities.
package worker

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/archive"
	"github.com/casework/casework/db"
	"github.com/casework/casework/notify"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// Deps are what activities need from the outside world.
type Deps struct {
	Store    *db.Store
	Policies *policy.Registry
	// Channel delivers notices; nil means the built-in inbox, logged.
	Channel notify.Channel
	// HistoryExportEvery is how often closed runs' histories are copied
	// into the store; zero means archive.DefaultInterval.
	HistoryExportEvery time.Duration
	// Tuning sizes the Temporal worker; its zero value is the SDK's
	// defaults.
	Tuning Tuning
}

// Tuning is how many tasks the worker runs at once and how long it drains
// when stopped. The sticky cache is not here: it is the process's, set
// with sdkworker.SetStickyWorkflowCacheSize before the first worker.
type Tuning struct {
	// WorkflowTasks bounds the workflow tasks run at once
	// (MaxConcurrentWorkflowTaskExecutionSize); zero is the SDK's 1,000.
	WorkflowTasks int
	// Activities bounds the activities run at once
	// (MaxConcurrentActivityExecutionSize); zero is the SDK's 1,000.
	Activities int
	// StopTimeout is how long Stop waits for the tasks in flight to finish
	// before cancelling the activities still running (WorkerStopTimeout);
	// zero cancels them at once.
	StopTimeout time.Duration
}

func (t Tuning) options() sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentWorkflowTaskExecutionSize: t.WorkflowTasks,
		MaxConcurrentActivityExecutionSize:     t.Activities,
		WorkerStopTimeout:                      t.StopTimeout,
	}
}

// New returns a worker polling the casework task queue, with every workflow
// and activity registered. While it runs, it also keeps the history of
// every run that closes (archive.Exporter). Stop stops polling, waits up
// to d.Tuning.StopTimeout for the tasks in flight, and returns.
func New(c client.Client, d Deps) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, d.Tuning.options())
	RegisterWorkflows(w)
	RegisterActivities(w, d)
	// Re-arming after a calendar publication sends updates to the cases,
	// so it needs the client.
	w.RegisterActivity(&activities.Rearmer{Store: d.Store, Temporal: c})
	return &withExporter{Worker: w, exporter: &archive.Exporter{Temporal: c, Store: d.Store, Interval: d.HistoryExportEvery}}
}

// withExporter runs the history exporter beside the Temporal worker, from
// Start to Stop.
type withExporter struct {
	sdkworker.Worker
	exporter *archive.Exporter
	stop     context.CancelFunc
	done     sync.WaitGroup
}

func (w *withExporter) Start() error {
	if err := w.Worker.Start(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	w.done.Go(func() { w.exporter.Run(ctx) })
	return nil
}

func (w *withExporter) Run(interruptCh <-chan any) error {
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	w.done.Go(func() { w.exporter.Run(ctx) })
	defer w.halt()
	return w.Worker.Run(interruptCh)
}

func (w *withExporter) Stop() {
	w.halt()
	w.Worker.Stop()
}

func (w *withExporter) halt() {
	if w.stop != nil {
		w.stop()
	}
	w.done.Wait()
}

// RegisterWorkflows registers every casework workflow on r; the replay tests
// use it too, so they replay exactly what production runs.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(workflows.Mediation)
	r.RegisterWorkflow(workflows.InstallmentPlan)
	r.RegisterWorkflow(workflows.Enforcement)
	r.RegisterWorkflow(workflows.Boundary)
	r.RegisterWorkflow(workflows.Wage)
	r.RegisterWorkflow(workflows.Intake)
	r.RegisterWorkflow(workflows.NoticeDelivery)
	r.RegisterWorkflow(workflows.CalendarRearm)
	r.RegisterWorkflow(workflows.Bulk)
}

// RegisterActivities registers every casework activity on r.
func RegisterActivities(r sdkworker.ActivityRegistry, d Deps) {
	// Calendars published in the database take the place of the files'
	// for new lookups, as soon as they are published.
	live := &policy.Live{Base: d.Policies}
	if d.Store != nil {
		live.Published = d.Store
	}
	r.RegisterActivity(&activities.Recorder{Store: d.Store, Calendars: live})
	r.RegisterActivity(&activities.Policies{Registry: d.Policies, Calendars: live})
	r.RegisterActivity(&activities.Notifier{Store: d.Store, Channel: noticeChannel(d)})
}

// noticeChannel is the deployment's channel, or the built-in inbox with a
// log line per notice.
func noticeChannel(d Deps) notify.Channel {
	if d.Channel != nil {
		return d.Channel
	}
	return notify.All{notify.Inbox{Store: d.Store}, notify.Log{}}
}
