// Package worker assembles the Temporal worker that runs casework's
// workflows and activities.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// Deps are what activities need from the outside world.
type Deps struct {
	Store    *db.Store
	Policies *policy.Registry
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
}

// RegisterActivities registers every casework activity on r.
func RegisterActivities(r sdkworker.ActivityRegistry, d Deps) {
	r.RegisterActivity(&activities.Recorder{Store: d.Store})
	r.RegisterActivity(&activities.Policies{Registry: d.Policies})
}
