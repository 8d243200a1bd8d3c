package workflows

import (
	"fmt"
	"reflect"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// journal numbers a case's steps and hands them to the recording activity.
// Steps are numbered in the workflow, so the number is the same on every
// replay and retry and the read model can key on it; that is what makes the
// write idempotent.
type journal struct {
	CaseID  string           `json:"case_id"`
	Stream  string           `json:"stream"`
	Clock   casetime.Clock   `json:"clock"`
	Seq     int              `json:"seq"`     // last step numbered
	Flushed int              `json:"flushed"` // last step recorded
	Pending []casefile.Event `json:"pending,omitempty"`
	// Rearmed is the last calendars' version the stream's deadlines were
	// re-counted with (rearmDeadlines); 0 when none was.
	Rearmed int64 `json:"rearmed,omitempty"`
	// RearmedCounted and RearmedMoved are what that re-arm counted and
	// moved, answered again to a retried one.
	RearmedCounted int `json:"rearmed_counted,omitempty"`
	RearmedMoved   int `json:"rearmed_moved,omitempty"`
	// flushing is set while a flush runs (see settle); never carried.
	flushing bool
	// runBytes is what the steps added in this run weigh (their data and
	// reasons), each recorded once through an activity's input; never
	// carried, so each run counts from zero.
	runBytes int
}

// step is what a process says about one step it took.
type step struct {
	Kind       string
	Actor      casefile.Actor
	Reason     string
	ReasonCode string
	Data       any
	// At is the case time the step happened in law, for steps a deadline
	// takes: a timer fires a little after its instant, more so under a
	// compressed clock, but the law's date is the deadline's. Zero means now.
	At time.Time
}

// caseNow returns the current case time.
func (j *journal) caseNow(ctx workflow.Context) time.Time {
	return j.Clock.CaseTime(workflow.Now(ctx))
}

// today returns the current legal calendar date of the case.
func (j *journal) today(ctx workflow.Context) policy.Date {
	return policy.DateOf(j.caseNow(ctx))
}

// add numbers s and queues it for recording; it returns the step's number.
func (j *journal) add(ctx workflow.Context, s step) int {
	j.Seq++
	now := workflow.Now(ctx)
	caseAt := j.Clock.CaseTime(now)
	if !s.At.IsZero() && s.At.Before(caseAt) {
		caseAt = s.At
	}
	e := casefile.Event{
		CaseID: j.CaseID, Stream: j.Stream, Seq: j.Seq, Kind: s.Kind, Actor: s.Actor,
		RealAt: now, CaseAt: caseAt, CaseOn: policy.DateOf(caseAt),
		Reason: s.Reason, ReasonCode: s.ReasonCode,
	}
	if s.Data != nil {
		e.Data = casefile.Data(s.Data)
	}
	j.runBytes += len(e.Data) + len(e.Reason) + len(e.Kind)
	j.Pending = append(j.Pending, e)
	return j.Seq
}

// flush records the pending steps together with the case summary after
// them; a child process that does not own the case summary passes nil.
func (j *journal) flush(ctx workflow.Context, sum *casefile.Summary) error {
	return j.flushWith(ctx, sum, nil, nil)
}

// flushWith is flush carrying what the recording activity writes in the
// same transaction: a wage case opening its creditor ledger with its first
// steps, an installment ledger as it stands after the steps (its header
// and changed lines).
func (j *journal) flushWith(ctx workflow.Context, sum *casefile.Summary, opening *activities.WageOpening, plan *db.Plan) error {
	return j.record(ctx, sum, activities.RecordStepsInput{WageOpening: opening, Plan: plan})
}

// flushParties is flush for a case whose parties travel by reference: the
// store names them from the staged list with every record.
func (j *journal) flushParties(ctx workflow.Context, sum *casefile.Summary, parties *db.PartyList) error {
	return j.record(ctx, sum, activities.RecordStepsInput{PartyList: parties})
}

// record records the pending steps and sum with what in carries besides.
func (j *journal) record(ctx workflow.Context, sum *casefile.Summary, in activities.RecordStepsInput) error {
	if len(j.Pending) == 0 {
		return nil
	}
	batch := j.Pending
	if sum != nil {
		sum.LastSeq = batch[len(batch)-1].Seq
		if d := sum.NextDeadline; d != nil && j.Rearmed > 0 {
			// Counted again since a publication: the read model takes
			// its calendar status as it is now.
			next := *d
			next.Recounted = true
			sum.NextDeadline = &next
		}
	}
	ctx = workflow.WithActivityOptions(ctx, recordOptions)
	var rec *activities.Recorder
	in.Summary, in.Events = sum, batch
	if err := workflow.ExecuteActivity(ctx, rec.RecordSteps, in).Get(ctx, nil); err != nil {
		return err
	}
	j.Pending = j.Pending[len(batch):]
	j.Flushed = batch[len(batch)-1].Seq
	return nil
}

// drain lets every running update handler finish, recording the steps they
// add as they go, and returns once all have finished and every step is
// recorded: the state is then whole and can be handed to the next run.
func (j *journal) drain(ctx workflow.Context, summary func() *casefile.Summary) error {
	return endRun(ctx,
		func(ctx workflow.Context) error { return j.flush(ctx, summary()) },
		func() bool { return len(j.Pending) == 0 })
}

// endRun is how every case workflow ends a run, whether it closes or
// continues as new: it flushes (steps, ledger, notices) and lets every
// running update handler finish, flushing again what they add as they go (a
// handler waits for its step to be recorded, so waiting for handlers without
// flushing would never end), until all have finished and idle reports
// nothing left to flush.
func endRun(ctx workflow.Context, flush func(workflow.Context) error, idle func() bool) error {
	for {
		if err := flush(ctx); err != nil {
			return err
		}
		if workflow.AllHandlersFinished(ctx) && idle() {
			return nil
		}
		if err := workflow.Await(ctx, func() bool {
			return workflow.AllHandlersFinished(ctx) || !idle()
		}); err != nil {
			return err
		}
	}
}

// continueAsNew ends the run with endRun and hands next, the workflow's
// input carrying its whole state, to a new run of wf.
func continueAsNew(ctx workflow.Context, flush func(workflow.Context) error, idle func() bool, wf, next any) error {
	if err := endRun(ctx, flush, idle); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, wf, next)
}

// versionLookupFirst guards commands that look a deadline up before they
// change anything, then check the case still allows them: before it they
// claimed the stage first, and a failed lookup left the case half-changed.
const versionLookupFirst = "deadline-lookup-first"

// lookupFirst reports whether this run looks deadlines up before a
// command changes the case.
func lookupFirst(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionLookupFirst, workflow.DefaultVersion, 1) >= 1
}

// versionPlanFailure guards recording a failed child plan as the parent's
// state: before it, the parent failed with its child.
const versionPlanFailure = "child-plan-failure-is-a-state"

// planOutcome waits for a child plan to end and returns its result, or,
// when the plan workflow failed, a PlanFailed result naming why. Runs
// recorded before versionPlanFailure get the failure, and fail with it.
func planOutcome(ctx workflow.Context, f workflow.ChildWorkflowFuture) (PlanResult, error) {
	var r PlanResult
	err := f.Get(ctx, &r)
	if err != nil && workflow.GetVersion(ctx, versionPlanFailure, workflow.DefaultVersion, 1) >= 1 {
		return PlanResult{Outcome: PlanFailed, Failure: err.Error()}, nil
	}
	return r, err
}

// versionContinueWhenDue guards waking a main loop's wait when continuing
// as new is due: before it, the wait woke only for a change or a timer, so
// under a steady stream of commands the handler of the latest one was
// always still running when the loop looked, and the run never ended.
const versionContinueWhenDue = "continue-when-due"

// lifetime decides when a long workflow's run hands over to a new one.
// Every case workflow's main loop checks due after flushing and adds wakes
// to the condition of its wait.
type lifetime struct {
	wake bool
	// grown, when set, is the workflow's own reason to continue besides
	// Temporal's suggestion (a boundary case's steps per run).
	grown func() bool
	// j, in runs that weigh their steps, is the journal whose weight in
	// this run counts against runBytesPerRun.
	j *journal
}

// versionRunBytes guards continuing as new once a run's steps weigh
// runBytesPerRun: before it only the number of events (Temporal's
// suggestion) and steps counted, and an enforcement case whose payments
// divide among a thousand applicants put some 50 KB in each step.
const versionRunBytes = "continue-when-heavy"

// runBytesPerRun is the weight of steps after which a run continues as
// new: each step is in history once as a recording activity's input, so a
// run stays well under Temporal's 10 MB warning whatever its steps hold.
const runBytesPerRun = 4 << 20

// newLifetime fixes, once per run, whether the wait wakes when
// continuing is due, and whether the weight of the steps j records counts.
func newLifetime(ctx workflow.Context, j *journal, grown func() bool) lifetime {
	v := workflow.GetVersion(ctx, versionContinueWhenDue, workflow.DefaultVersion, 1)
	l := lifetime{wake: v >= 1, grown: grown}
	if j != nil && workflow.GetVersion(ctx, versionRunBytes, workflow.DefaultVersion, 1) >= 1 {
		l.j = j
	}
	return l
}

// due reports whether the run has grown enough to continue as new and
// can: Temporal suggests it (or the workflow's own limit is reached) and
// no update handler is running.
func (l lifetime) due(ctx workflow.Context) bool {
	grown := workflow.GetInfo(ctx).GetContinueAsNewSuggested() || (l.grown != nil && l.grown()) ||
		(l.j != nil && l.j.runBytes >= runBytesPerRun)
	return grown && workflow.AllHandlersFinished(ctx)
}

// wakes is due for the main loop's wait, in runs that wake for it.
func (l lifetime) wakes(ctx workflow.Context) bool { return l.wake && l.due(ctx) }

// command is one update a case workflow takes: its handler, and the
// validator that refuses it without a trace.
type command struct {
	name      string
	handler   any
	validator any
}

// registerCommands registers a workflow's commands as updates with their
// validators. With a journal, each answer's size counts in the run's
// weight (see runBytesPerRun): an answer is in history, and a case's view
// can be large (an enforcement case of a thousand applicants answers each
// payment with every applicant's line).
func registerCommands(ctx workflow.Context, j *journal, cmds ...command) error {
	for _, c := range cmds {
		handler := c.handler
		if j != nil {
			handler = weighed(j, handler)
		}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, c.name, handler,
			workflow.UpdateHandlerOptions{Validator: c.validator}); err != nil {
			return fmt.Errorf("register %s: %w", c.name, err)
		}
	}
	return nil
}

// registerStateAndOpened registers the state query every case answers and
// the "opened" update the API sends with the start, which returns once the
// case's first step is recorded.
func registerStateAndOpened[V any](ctx workflow.Context, j *journal, view func(workflow.Context) V) error {
	return registerStateAndOpenedWhen(ctx, j, view, nil)
}

// registerStateAndOpenedWhen is registerStateAndOpened whose "opened"
// update also waits until ready holds (nil: nothing more), for a case whose
// read model holds more than its steps: the answer to the start must find
// it all readable.
func registerStateAndOpenedWhen[V any](ctx workflow.Context, j *journal, view func(workflow.Context) V, ready func() bool) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (V, error) {
		return view(ctx), nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandler(ctx, UpdateOpened, func(ctx workflow.Context) (V, error) {
		if err := workflow.Await(ctx, func() bool { return j.Flushed >= 1 && (ready == nil || ready()) }); err != nil {
			var zero V
			return zero, err
		}
		return view(ctx), nil
	})
}

// waitUntil waits until case time reaches at, or until woke holds; with
// at zero there is no deadline and only woke ends the wait. It reports
// passed when at has already come, without waiting: the caller then takes
// the step that falls due.
func waitUntil(ctx workflow.Context, clock casetime.Clock, at time.Time, woke func() bool) (passed bool, err error) {
	if at.IsZero() {
		return false, workflow.Await(ctx, woke)
	}
	wait := clock.RealDuration(at.Sub(clock.CaseTime(workflow.Now(ctx))))
	if wait <= 0 {
		return true, nil
	}
	return false, awaitOrTimeout(ctx, wait, woke)
}

// versionCancelTimers guards cancelling a wait's timer once the wait ends
// early: histories recorded before it left such timers to fire unheeded.
const versionCancelTimers = "cancel-wait-timers"

// awaitOrTimeout waits until cond holds or d of real time has passed,
// whichever is first, like workflow.AwaitWithTimeout; but when cond wins it
// cancels the timer. Without that every command a case receives leaves a
// timer behind that later fires for nothing, crowding the history and the
// auditor's timeline of a case that lives for years.
func awaitOrTimeout(ctx workflow.Context, d time.Duration, cond func() bool) error {
	if workflow.GetVersion(ctx, versionCancelTimers, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		_, err := workflow.AwaitWithTimeout(ctx, d, cond)
		return err
	}
	if cond() {
		return nil
	}
	tctx, cancel := workflow.WithCancel(ctx)
	timer := workflow.NewTimer(tctx, d)
	err := workflow.Await(ctx, func() bool { return timer.IsReady() || cond() })
	if !timer.IsReady() {
		cancel()
	}
	return err
}

// awaitRecorded blocks an update handler until its step is in the read
// model, so a caller who reads the timeline after a command sees it; in
// runs that continue when due, also until the flush that recorded it has
// ended (ledger and notices too). The handler then finishes in the same
// workflow task as the flush, where the main loop's wait sees every
// handler finished: a handler that finished in the middle of a flush left
// that moment to pass while the main loop waited on an activity, the next
// command arrived, and under a steady stream the run never handed over.
func (j *journal) awaitRecorded(ctx workflow.Context, seq int) error {
	if workflow.GetVersion(ctx, versionContinueWhenDue, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return workflow.Await(ctx, func() bool { return j.Flushed >= seq })
	}
	return workflow.Await(ctx, func() bool { return j.Flushed >= seq && !j.flushing })
}

// settle runs one flush of a workflow (steps, then its ledger and
// notices), marking the journal busy while it lasts; see awaitRecorded.
func (j *journal) settle(ctx workflow.Context, flush func(workflow.Context) error) error {
	j.flushing = true
	defer func() { j.flushing = false }()
	return flush(ctx)
}

// stepsPerRun bounds the steps one run of a case takes before it
// continues as new whatever Temporal suggests (the server suggests it only
// at about 10,000 events, and a command costs some seventeen): so every
// run stays well under 10,240 events.
const stepsPerRun = 500

// stepLimit is a lifetime's own reason to continue: this run, which began
// at step runStart, has taken stepsPerRun steps; only in runs that wake
// when continuing is due.
func stepLimit(life *lifetime, j *journal, runStart int) func() bool {
	return func() bool { return life.wake && j.Seq-runStart >= stepsPerRun }
}

// recordOptions retry the read-model write for as long as it takes: a case
// must not move on while its audit trail is behind, and the write is
// idempotent. The wait between attempts stays short (10 s), because the
// case's clock does not wait: the longer a case waits after PostgreSQL is
// back, the later its next reminder or default is decided (under the fault
// suite's compressed time a minute's backoff was over a week of legal time,
// and a reminder whose successor fell due meanwhile was passed over). Only
// the activity type and ID of a scheduled activity are checked on replay,
// so the change leaves recorded histories as they were.
var recordOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Second,
	},
}

// localPolicyOptions bound the in-process policy lookups.
var localPolicyOptions = workflow.LocalActivityOptions{
	ScheduleToCloseTimeout: 10 * time.Second,
	RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 3},
}

// loadPolicy fetches the jurisdiction's policy once; its result is recorded
// in history, so a later change of the policy files never changes a running
// case's replay.
func loadPolicy(ctx workflow.Context, jurisdiction string) (policy.Policy, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, localPolicyOptions)
	var pa *activities.Policies
	var p policy.Policy
	err := workflow.ExecuteLocalActivity(ctx, pa.LoadPolicy, jurisdiction).Get(ctx, &p)
	return p, err
}

// deadline computes the last day of period counted from from, with the
// jurisdiction's holiday calendar; the result is recorded in history.
func deadline(ctx workflow.Context, jurisdiction string, from policy.Date, period policy.Period) (policy.Date, error) {
	on, _, err := deadlineOn(ctx, jurisdiction, from, period)
	return on, err
}

// deadlineOn is deadline with the calendar status of the day's year: a
// provisional day may move when the year's arrangement is published. (The
// same lookup; histories recorded before the status carry only whether
// the calendar covered the year.)
func deadlineOn(ctx workflow.Context, jurisdiction string, from policy.Date, period policy.Period) (policy.Date, policy.Status, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, localPolicyOptions)
	var pa *activities.Policies
	var out activities.DeadlineResult
	err := workflow.ExecuteLocalActivity(ctx, pa.Deadline, activities.DeadlineInput{
		Jurisdiction: jurisdiction, From: from, Period: period,
	}).Get(ctx, &out)
	status := out.Calendar
	if status == "" && out.CalendarCovered {
		status = policy.Official
	}
	return out.On, status, err
}

// weighed wraps an update handler, func(workflow.Context, C) (V, error),
// so that the encoded size of each answer it gives is added to j's run
// weight. Encoding is deterministic, so replay weighs the same.
func weighed(j *journal, handler any) any {
	fn := reflect.ValueOf(handler)
	t := fn.Type()
	if t.Kind() != reflect.Func || t.NumOut() != 2 {
		return handler
	}
	// Calling the handler through reflection and encoding its answer are
	// deterministic; workflowcheck cannot see that through reflect.
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		out := fn.Call(args) //workflowcheck:ignore
		if out[1].IsNil() {
			j.runBytes += len(casefile.Data(out[0].Interface())) //workflowcheck:ignore
		}
		return out
	}).Interface()
}
