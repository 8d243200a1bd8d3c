package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/policy"
)

// Re-arming (issue 9): a deadline counted on a provisional calendar may
// move when the year's arrangement is published. The publication sends
// every open case an update carrying the calendars' version; the case
// counts each of its pending counted deadlines again from its start day and
// period (the same local activity that counted it first, so the answer is
// in history and replays as it was), moves the ones whose day changed,
// records a deadline_moved step for each, and wakes its main loop so the
// timer waits for the new day. A case takes each version once: the same
// publication again changes nothing. Agreed dates (an installment's due
// day, a standstill's last day) are not counted and never move.

// UpdateRearmDeadlines is the update that re-arms a case's deadlines.
const UpdateRearmDeadlines = activities.UpdateRearmDeadlines

// Reason codes of a deadline_moved step.
const (
	ReasonCalendarPublished = "calendar_published"
)

// The publication a case takes, and its answer (defined with the activity
// that sends them).
type (
	RearmCommand = activities.RearmCommand
	DeadlineMove = activities.DeadlineMove
	RearmResult  = activities.RearmResult
)

// counted is one pending deadline a holiday calendar counts: where its day
// is kept and how it was counted (periods one after another from from: an
// extension counts from the day it extends).
type counted struct {
	kind, ref string
	from      policy.Date
	periods   []policy.Period
	// plusDay[i], when set, counts period i from the day after the day
	// before it (a payment order's objection period runs from the day
	// after it is issued).
	plusDay map[int]bool
	// get and set read and write the day in the case's state, so that a
	// deadline changed by a command while the re-count ran is left alone.
	get func() policy.Date
	set func(on policy.Date, status policy.Status)
}

func validateRearm(cmd RearmCommand) error {
	if cmd.Version <= 0 {
		return reject(RejectInvalid, "a re-arm needs the calendars' version published")
	}
	return nil
}

// rearmDeadlines re-counts the deadlines list returns and moves the changed
// ones; j keeps the stream's last re-armed version. changed wakes the main
// loop. It returns the number of the last step it added (0 for none).
func rearmDeadlines(ctx workflow.Context, j *journal, jurisdiction string, cmd RearmCommand,
	list func() []counted, changed func()) (RearmResult, int, error) {
	done := &j.Rearmed
	already := func() RearmResult {
		r := RearmResult{Version: *done}
		if cmd.Version == *done {
			r.CountedBefore, r.MovedBefore = j.RearmedCounted, j.RearmedMoved
		}
		return r
	}
	if cmd.Version <= *done {
		return already(), 0, nil
	}
	type recount struct {
		old, on policy.Date
		status  policy.Status
	}
	// A deadline whose day has passed has been taken (or is about to be,
	// its timer firing): the law has run, and no publication revives it.
	today := j.today(ctx)
	pendingOnly := func(cs []counted) []counted {
		out := cs[:0:0]
		for _, c := range cs {
			if !c.get().Before(today) {
				out = append(out, c)
			}
		}
		return out
	}
	items := pendingOnly(list())
	got := make(map[string]recount, len(items))
	// Read every day before the first lookup yields: a command may change
	// the state (and move its slices) while the lookups run.
	olds := make([]policy.Date, len(items))
	for i, c := range items {
		olds[i] = c.get()
	}
	seen := int64(0)
	for i, c := range items {
		on, status := c.from, policy.Status("")
		for k, p := range c.periods {
			if c.plusDay[k] {
				on = on.AddDays(1)
			}
			r, err := countDeadline(ctx, jurisdiction, on, p)
			if err != nil {
				return RearmResult{}, 0, fmt.Errorf("re-count %s %s: %w", c.kind, c.ref, err)
			}
			on, status = r.On, r.Calendar
			seen = max(seen, r.CalendarVersion)
		}
		got[c.kind+"/"+c.ref] = recount{old: olds[i], on: on, status: status}
	}
	if len(items) > 0 && seen < cmd.Version {
		// The worker has not read this publication yet; nothing changes,
		// and the publisher retries.
		return RearmResult{}, 0, fmt.Errorf("calendars version %d not yet in force on this worker (read %d)", cmd.Version, seen)
	}
	if cmd.Version <= *done {
		// Another re-arm finished while this one counted.
		return already(), 0, nil
	}
	res := RearmResult{Version: cmd.Version, Applied: true, Counted: len(items)}
	seq := 0
	// Apply against the state as it is now: a deadline a command moved
	// or ended meanwhile is left as the command left it.
	for _, c := range pendingOnly(list()) {
		r, ok := got[c.kind+"/"+c.ref]
		if !ok || c.get() != r.old {
			continue
		}
		c.set(r.on, r.status)
		if r.on == r.old {
			continue
		}
		res.Moved = append(res.Moved, DeadlineMove{Kind: c.kind, Ref: c.ref, From: r.old, To: r.on})
		reason := fmt.Sprintf("the %d holiday arrangement of %s was published (calendars version %d): %s moves from %s to %s",
			cmd.Year, cmd.Jurisdiction, cmd.Version, c.kind, r.old, r.on)
		if c.ref != "" {
			reason = fmt.Sprintf("the %d holiday arrangement of %s was published (calendars version %d): %s (%s) moves from %s to %s",
				cmd.Year, cmd.Jurisdiction, cmd.Version, c.kind, c.ref, r.old, r.on)
		}
		seq = j.add(ctx, step{
			Kind: "deadline_moved", Actor: cmd.Actor, ReasonCode: ReasonCalendarPublished, Reason: reason,
			Data: map[string]any{
				"deadline": c.kind, "ref": c.ref, "from": r.old, "to": r.on,
				"calendar_version": cmd.Version, "calendar": r.status,
				"jurisdiction": cmd.Jurisdiction, "year": cmd.Year,
			},
		})
	}
	if len(res.Moved) == 0 && len(items) > 0 {
		// Nothing moved, but the audit trail says the deadlines were
		// counted again, and the read model learns their calendar status.
		seq = j.add(ctx, step{
			Kind: "deadlines_recounted", Actor: cmd.Actor, ReasonCode: ReasonCalendarPublished,
			Reason: fmt.Sprintf("the %d holiday arrangement of %s was published (calendars version %d): %d pending deadline(s) counted again, none moved",
				cmd.Year, cmd.Jurisdiction, cmd.Version, len(items)),
			Data: map[string]any{"calendar_version": cmd.Version, "counted": len(items), "jurisdiction": cmd.Jurisdiction, "year": cmd.Year},
		})
	}
	*done = cmd.Version
	j.RearmedCounted, j.RearmedMoved = len(items), len(res.Moved)
	changed()
	return res, seq, nil
}

// countDeadline is deadlineOn with the whole answer: the day, its year's
// calendar status and the calendars' version counted with.
func countDeadline(ctx workflow.Context, jurisdiction string, from policy.Date, period policy.Period) (activities.DeadlineResult, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, localPolicyOptions)
	var pa *activities.Policies
	var out activities.DeadlineResult
	err := workflow.ExecuteLocalActivity(ctx, pa.Deadline, activities.DeadlineInput{
		Jurisdiction: jurisdiction, From: from, Period: period,
	}).Get(ctx, &out)
	return out, err
}

// keep returns get and set for a day kept in *on.
func keep(on *policy.Date) (func() policy.Date, func(policy.Date, policy.Status)) {
	return func() policy.Date { return *on }, func(d policy.Date, _ policy.Status) { *on = d }
}

// followUpsCounted lists the visits not yet due, counted from closedOn.
func followUpsCounted(fs []FollowUp, closedOn policy.Date, offsets []policy.Period) []counted {
	var out []counted
	for i := range fs {
		f := &fs[i]
		if f.Due || !f.VisitedOn.IsZero() || f.No < 1 || f.No > len(offsets) {
			continue
		}
		get, set := keep(&f.DueOn)
		out = append(out, counted{kind: "follow_up", ref: fmt.Sprintf("visit %d", f.No),
			from: closedOn, periods: []policy.Period{offsets[f.No-1]}, get: get, set: set})
	}
	return out
}

// repeat is n copies of p: an extension counted n times.
func repeat(first policy.Period, p policy.Period, n int) []policy.Period {
	out := []policy.Period{first}
	for range n {
		out = append(out, p)
	}
	return out
}

// provisionalNote is what a notice adds after a day counted on a
// provisional calendar: the reader learns the day may still move.
func provisionalNote(provisional bool) string {
	if !provisional {
		return ""
	}
	return "（该日按尚未公布的年度放假安排暂定计算，公布后可能调整）"
}
