package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

// Follow-up visits (回访) after a case closes, at the policy's offsets from
// the closing day: each falls due on its day (a step), and the case stays
// open to record it until every visit has been recorded. A performed
// mediation and an enforcement completed (执行完毕) follow up the same way.

// scheduleFollowUps counts the visits from closedOn.
func scheduleFollowUps(ctx workflow.Context, jurisdiction string, closedOn policy.Date, offsets []policy.Period) ([]FollowUp, error) {
	var out []FollowUp
	for i, period := range offsets {
		due, err := deadline(ctx, jurisdiction, closedOn, period)
		if err != nil {
			return nil, fmt.Errorf("follow-up %d: %w", i+1, err)
		}
		out = append(out, FollowUp{No: i + 1, DueOn: due})
	}
	return out, nil
}

// nextFollowUp is the earliest visit not yet recorded, or nil.
func nextFollowUp(fs []FollowUp) *FollowUp {
	for i := range fs {
		if fs[i].VisitedOn.IsZero() {
			return &fs[i]
		}
	}
	return nil
}

// followUpFallsDue marks f due and records the step, dated its day.
func followUpFallsDue(ctx workflow.Context, j *journal, f *FollowUp, visitor string) {
	f.Due = true
	j.add(ctx, step{
		At:   f.DueOn.Start(),
		Kind: "follow_up_due", Actor: casefile.System, ReasonCode: "follow_up_schedule",
		Reason: fmt.Sprintf("follow-up visit %d is due on %s", f.No, f.DueOn),
		Data:   map[string]any{"no": f.No, "due_on": f.DueOn, "mediator": visitor},
	})
}

// checkFollowUp refuses a visit when none is due.
func checkFollowUp(fs []FollowUp) error {
	f := nextFollowUp(fs)
	if f == nil {
		return reject(RejectConflict, "every follow-up visit has been recorded")
	}
	if !f.Due {
		return reject(RejectConflict, "follow-up visit %d is due on %s", f.No, f.DueOn)
	}
	return nil
}

// visitFollowUp records the earliest due visit and returns its step.
func visitFollowUp(ctx workflow.Context, j *journal, fs []FollowUp, cmd FollowUpCommand) int {
	f := nextFollowUp(fs)
	holds := cmd.Holds
	f.VisitedOn, f.Holds, f.Note, f.By = j.today(ctx), &holds, cmd.Note, cmd.Actor.Subject
	code := "agreement_holds"
	if !holds {
		code = "agreement_not_holding"
	}
	return j.add(ctx, step{
		Kind: "follow_up_visited", Actor: cmd.Actor, Reason: cmd.Note, ReasonCode: code,
		Data: map[string]any{"no": f.No, "due_on": f.DueOn, "holds": holds},
	})
}

// countFollowUps is how many visits fell due and how many were made.
func countFollowUps(fs []FollowUp) (due, done int) {
	for _, f := range fs {
		if f.Due {
			due++
		}
		if !f.VisitedOn.IsZero() {
			done++
		}
	}
	return due, done
}
