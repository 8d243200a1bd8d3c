// Package worker assembles the Temporal worker that runs casework's
// workflows and activities.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/casework/casework/activities"
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
}

// New returns a worker polling the casework task queue, with every workflow
// and activity registered.
func New(c client.Client, d Deps) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{})
	RegisterWorkflows(w)
	RegisterActivities(w, d)
	return w
}

// RegisterWorkflows registers every casework workflow on r; the replay tests
// use it too, so they replay exactly what production runs.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflow(workflows.Mediation)
	r.RegisterWorkflow(workflows.InstallmentPlan)
	r.RegisterWorkflow(workflows.Enforcement)
	r.RegisterWorkflow(workflows.Boundary)
	r.RegisterWorkflow(workflows.Wage)
	r.RegisterWorkflow(workflows.NoticeDelivery)
}

// RegisterActivities registers every casework activity on r.
func RegisterActivities(r sdkworker.ActivityRegistry, d Deps) {
	r.RegisterActivity(&activities.Recorder{Store: d.Store})
	r.RegisterActivity(&activities.Policies{Registry: d.Policies})
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
