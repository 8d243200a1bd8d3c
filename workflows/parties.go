package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/db"
)

// A case's parties may travel by reference (db/parties.go): the workflow
// carries the staged list's digest and counts, and asks the store about the
// parties a command names before it changes anything.

// partySides asks the store for the sides of ids in a staged party list
// ("" for one that is not a party). It retries through outages; a list
// that fails its digest refuses the command as a conflict, with nothing
// changed.
func partySides(ctx workflow.Context, l db.PartyList, ids []string) ([]string, error) {
	var sides []string
	var rec *activities.Recorder
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.PartySides,
		activities.PartySidesInput{List: l, IDs: ids}).Get(ctx, &sides)
	if err != nil {
		return nil, reject(RejectConflict, "the case's parties could not be checked: %v", err)
	}
	if len(sides) != len(ids) {
		return nil, reject(RejectConflict, "the case's parties could not be checked: %d answers for %d parties", len(sides), len(ids))
	}
	return sides, nil
}
