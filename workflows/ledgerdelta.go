package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/db"
)

// versionPlanDeltas guards writing only the installment lines changed
// since the last write: before it every write of a plan's ledger (a
// payment, a reminder, an overdue mark) carried every line, up to 120 of
// them, into the workflow's history each time.
const versionPlanDeltas = "plan-record-deltas"

// ledgerSent is the installment ledger as this run last wrote it to the
// read model, so that the next write carries only the lines changed since.
// It lives in memory only, never in the carried state: replay rebuilds it
// from the same writes, and a new run (after continuing as new, or a
// restarted plan) starts with none, so its first write carries every line
// once. The store keeps the lines a write leaves out as they were.
type ledgerSent struct {
	lines []db.PlanInstallment
}

// delta returns the lines of all that a write carries: in runs under
// versionPlanDeltas those that differ from the last write, every line
// before it. Lines are compared by position, in the schedule's order, so
// nothing depends on a map's order; a line moved or added differs, and is
// sent, which is always safe.
func (s *ledgerSent) delta(ctx workflow.Context, all []db.PlanInstallment) []db.PlanInstallment {
	if workflow.GetVersion(ctx, versionPlanDeltas, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return all
	}
	var out []db.PlanInstallment
	for i, l := range all {
		if i < len(s.lines) && s.lines[i] == l {
			continue
		}
		out = append(out, l)
	}
	return out
}

// wrote notes that a write carrying the lines that differ from all has
// succeeded. Called only once the activity returns, so a write still
// retrying (or abandoned) leaves its lines to be sent again by the next.
// all is the whole ledger as it stood when the write was made, not as it
// stands when it returns: handlers may have changed it meanwhile.
func (s *ledgerSent) wrote(all []db.PlanInstallment) { s.lines = all }
