// Package activities holds casework's side effects: everything a workflow
// does to the outside world goes through one of these, and each is
// idempotent, so Temporal's retries never do anything twice.
package activities

import (
	"context"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// Recorder writes case steps to the read model.
type Recorder struct {
	Store *db.Store
	// Calendars, when set, says whether a summary's pending deadline falls
	// in a year whose holiday arrangement is provisional.
	Calendars *policy.Live
}

// RecordStepsInput is a batch of steps and the case summary after them.
type RecordStepsInput struct {
	Summary *casefile.Summary `json:"summary,omitempty"`
	Events  []casefile.Event  `json:"events"`
	// WageOpening, on a wage case's first steps when its creditors travel
	// by reference, opens its creditor ledger from the staged list in the
	// same transaction and names the creditors among its parties.
	WageOpening *WageOpening `json:"wage_opening,omitempty"`
	// Plan, when set, is the installment ledger after the steps, written
	// in their transaction.
	Plan *db.Plan `json:"plan,omitempty"`
	// PartyList, on every record of a case whose parties travel by
	// reference, names the staged list's parties among the summary's.
	PartyList *db.PartyList `json:"party_list,omitempty"`
}

// WageOpening is the staged creditor list a wage case opens its ledger
// from, at a ledger version.
type WageOpening struct {
	List    db.WageList `json:"list"`
	Version int         `json:"version"`
}

// agreedDates are the kinds of pending deadline whose day the parties
// agreed (a wage schedule's due dates, workflows.wage's pendingDeadline):
// no calendar counts them, so none makes them provisional.
var agreedDates = map[string]bool{"installment_due": true}

// RecordSteps stores the steps and the summary. Steps are keyed by case and
// step number, so a retry after a crash writes nothing twice.
func (r *Recorder) RecordSteps(ctx context.Context, in RecordStepsInput) error {
	if d := in.Summary; d != nil && d.NextDeadline != nil && d.NextDeadline.Calendar == "" && r.Calendars != nil &&
		!agreedDates[d.NextDeadline.Kind] {
		// The workflow records the date; whether its year's arrangement
		// is published is the read model's to say. The store keeps a
		// deadline provisional while it stays the same, so a publication
		// between computing and recording it cannot hide that it was
		// computed on a provisional calendar for longer than that moment.
		reg, _, err := r.Calendars.Registry(ctx)
		if err != nil {
			return err
		}
		if cal, err := reg.Calendar(d.Jurisdiction); err == nil {
			next := *d.NextDeadline
			next.Calendar = cal.Status(next.On.Year())
			sum := *d
			sum.NextDeadline = &next
			in.Summary = &sum
		}
	}
	if in.WageOpening != nil || in.Plan != nil || in.PartyList != nil {
		w := db.StepsWith{Plan: in.Plan, PartyList: in.PartyList}
		if o := in.WageOpening; o != nil {
			w.WageList, w.WageVersion = &o.List, o.Version
		}
		return r.Store.RecordStepsWith(ctx, in.Summary, in.Events, w)
	}
	return r.Store.RecordSteps(ctx, in.Summary, in.Events)
}
