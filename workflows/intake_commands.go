package workflows

import (
	"fmt"
	"slices"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// Who may do what on an intake case: the window's dispatchers dispatch,
// re-grade, keep the case-leader record and follow up; the handler of the
// current dispatch accepts, returns, re-grades and records the outcome; the
// case leader (a supervisor) re-grades and hands the record over; each
// party rates; a court converts a dispute that needs a court process; a
// court or the case leader converts it into a boundary negotiation; the
// window records the monthly joint meeting's review of an overdue one.

// DispatchCommand assigns the dispute to a handler (派单).
type DispatchCommand struct {
	Handler IntakeHandler  `json:"handler"`
	Note    string         `json:"note,omitempty"`
	Actor   casefile.Actor `json:"actor"`
}

// AcceptCommand is the handler accepting the dispute (接单).
type AcceptCommand struct {
	Actor casefile.Actor `json:"actor"`
}

// ReturnCommand is the handler returning the dispute, with its reason.
type ReturnCommand struct {
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// RegradeCommand re-grades the dispute's risk, with its reason; Hard marks
// (or unmarks) it a hard case.
type RegradeCommand struct {
	Risk   string         `json:"risk"`
	Hard   bool           `json:"hard,omitempty"`
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// CaseLeaderCommand records (or amends) the case-leader record.
type CaseLeaderCommand struct {
	LeadDepartment   string         `json:"lead_department"`
	Leader           string         `json:"leader"`
	CooperatingUnits []string       `json:"cooperating_units,omitempty"`
	Measures         string         `json:"measures"`
	Actor            casefile.Actor `json:"actor"`
}

// IntakeOutcomeCommand is the handler recording the outcome (办单).
type IntakeOutcomeCommand struct {
	Outcome string         `json:"outcome"`
	Note    string         `json:"note,omitempty"`
	Actor   casefile.Actor `json:"actor"`
}

// RateCommand is a party rating the handling (评单), 1 to 5.
type RateCommand struct {
	Score   int            `json:"score"`
	Comment string         `json:"comment,omitempty"`
	Actor   casefile.Actor `json:"actor"`
}

// ConvertCommand turns a dispute that needs a court process into a
// Process 1 mediation case, as POST /cases/mediation opens one.
type ConvertCommand struct {
	CaseNumber   string         `json:"case_number"`
	Court        string         `json:"court"`
	Organisation string         `json:"organisation"`
	Mediator     string         `json:"mediator"`
	ClaimFen     int64          `json:"claim_fen"`
	Subject      string         `json:"subject,omitempty"`
	Actor        casefile.Actor `json:"actor"`
}

// JointReviewCommand records a monthly joint meeting's review of an
// overdue dispute (月度联席会议): the meeting's day, its participants (units
// and people), its decision and the reason; ResolveBy is the new
// resolution date a new_resolution_date decision sets. Month is the month
// whose overdue list the meeting reviewed, YYYY-MM, by default the
// meeting's own.
type JointReviewCommand struct {
	Month        string         `json:"month,omitempty"`
	MeetingOn    policy.Date    `json:"meeting_on"`
	Participants []string       `json:"participants"`
	Decision     string         `json:"decision"`
	ResolveBy    policy.Date    `json:"resolve_by,omitzero"`
	Reason       string         `json:"reason"`
	Actor        casefile.Actor `json:"actor"`
}

// BoundaryConversionParty is what a boundary case needs of one of the
// dispute's parties: its jurisdiction and who represents it.
type BoundaryConversionParty struct {
	ID             string `json:"id"`
	Jurisdiction   string `json:"jurisdiction"`
	Representative string `json:"representative"`
}

// ConvertBoundaryCommand turns a dispute into a Process 2 boundary-dispute
// negotiation, as POST /cases/boundary opens one (a court, or the
// dispute's case leader, a supervisor): every party of the
// dispute with its jurisdiction and representative, the organising
// mediator and, if one is named, the case leader. Title defaults to the
// dispute's summary.
type ConvertBoundaryCommand struct {
	CaseNumber string                    `json:"case_number"`
	Court      string                    `json:"court,omitempty"`
	Title      string                    `json:"title,omitempty"`
	Since      int                       `json:"since,omitempty"`
	Organiser  string                    `json:"organiser"`
	CaseLeader string                    `json:"case_leader,omitempty"`
	Parties    []BoundaryConversionParty `json:"parties"`
	Actor      casefile.Actor            `json:"actor"`
}

func (w *intake) registerHandlers(ctx workflow.Context) error {
	if err := registerStateAndOpened(ctx, &w.s.Journal, w.view); err != nil {
		return err
	}
	return registerCommands(ctx, &w.s.Journal,
		command{UpdateIntakeDispatch, w.dispatch, w.validateDispatch},
		command{UpdateIntakeAccept, w.accept, w.validateAccept},
		command{UpdateIntakeReturn, w.returnCase, w.validateReturn},
		command{UpdateIntakeRegrade, w.regrade, w.validateRegrade},
		command{UpdateIntakeCaseLeader, w.recordCaseLeader, w.validateCaseLeader},
		command{UpdateIntakeOutcome, w.recordOutcome, w.validateOutcome},
		command{UpdateIntakeFollowUp, w.followUp, w.validateFollowUp},
		command{UpdateIntakeRate, w.rate, w.validateRate},
		command{UpdateIntakeConvert, w.convert, w.validateConvert},
		command{UpdateIntakeJointReview, w.jointReview, w.validateJointReview},
		command{UpdateIntakeConvertBoundary, w.convertBoundary, w.validateConvertBoundary},
		command{UpdateRearmDeadlines, w.rearm, func(_ workflow.Context, cmd RearmCommand) error { return validateRearm(cmd) }},
	)
}

// rearm counts the dispute's pending deadlines again after a publication.
func (w *intake) rearm(ctx workflow.Context, cmd RearmCommand) (RearmResult, error) {
	res, seq, err := rearmDeadlines(ctx, &w.s.Journal, w.in.Jurisdiction, cmd, w.counted, func() { w.rev++ })
	if err != nil || seq == 0 {
		return res, err
	}
	return res, w.s.Journal.awaitRecorded(ctx, seq)
}

// counted lists the dispute's pending counted deadlines: the handling
// period of the dispatch in force (its tier's, from the dispatch day), and
// after the outcome the follow-up visits and the rating window, from the
// day it was recorded. The case leader's resolution deadline is left as
// counted: an amended record keeps the first one's deadline but not its day.
func (w *intake) counted() []counted {
	var out []counted
	ip := w.s.Policy.Intake
	if d := w.current(); d != nil && !d.Overdue && w.s.Result == nil &&
		(w.s.Stage == IntakeDispatched || w.s.Stage == IntakeHandling) {
		if tier, ok := ip.Tier(w.s.Urgency); ok {
			get, set := keep(&d.HandleBy)
			out = append(out, counted{kind: "handling", ref: fmt.Sprintf("dispatch %d", d.No), from: d.DispatchedOn,
				periods: []policy.Period{tier.Handling}, get: get, set: set})
		}
	}
	if r := w.s.Result; r != nil && !w.closed() {
		out = append(out, followUpsCounted(w.s.FollowUps, r.RecordedOn, ip.FollowUps)...)
		if !w.s.RateBy.IsZero() && !w.s.RatingClosed {
			get, set := keep(&w.s.RateBy)
			out = append(out, counted{kind: "rating_window", from: r.RecordedOn, periods: []policy.Period{ip.RatingWindow}, get: get, set: set})
		}
	}
	return out
}

// finish wakes the main loop, waits until the step is recorded and
// answers with the case after it.
func (w *intake) finish(ctx workflow.Context, seq int) (IntakeView, error) {
	w.rev++
	if err := w.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return IntakeView{}, err
	}
	return w.view(ctx), nil
}

// checkStage refuses a command before the case is open or unless it
// stands at one of stages.
func (w *intake) checkStage(stages ...string) error {
	if w.s.Journal.Seq == 0 {
		return reject(RejectConflict, "the case is still being opened; try again")
	}
	if !slices.Contains(stages, w.s.Stage) {
		return reject(RejectConflict, "the dispute is %s", w.s.Stage)
	}
	return nil
}

func checkDispatcher(a casefile.Actor) error {
	if a.Role != casefile.RoleDispatcher {
		return reject(RejectForbidden, "only the centre's window (a dispatcher) may do this")
	}
	return nil
}

// isHandler reports whether a is the handler of the current dispatch.
func (w *intake) isHandler(a casefile.Actor) bool {
	d := w.current()
	return d != nil && a.Subject == d.Handler.Subject && a.Role == d.Handler.Role
}

func (w *intake) isLeader(a casefile.Actor) bool {
	return a.Role == casefile.RoleSupervisor && w.s.CaseLeader != nil && w.s.CaseLeader.Leader == a.Subject
}

func (w *intake) validateDispatch(_ workflow.Context, cmd DispatchCommand) error {
	if err := checkDispatcher(cmd.Actor); err != nil {
		return err
	}
	if err := w.checkStage(IntakeRegistered, IntakeDispatched, IntakeHandling); err != nil {
		return err
	}
	if d := w.current(); d != nil && !d.Overdue {
		return reject(RejectConflict, "the dispute is with %s until %s; it can be dispatched again once returned or overdue", d.Handler.Unit, d.HandleBy)
	}
	h := cmd.Handler
	switch {
	case !slices.Contains(HandlerKinds, h.Kind):
		return reject(RejectInvalid, "handler kind must be one of %v, got %q", HandlerKinds, h.Kind)
	case strings.TrimSpace(h.Unit) == "" || strings.TrimSpace(h.Subject) == "":
		return reject(RejectInvalid, "a handler needs its unit and the user who handles it")
	case h.Role != casefile.RoleMediator && h.Role != casefile.RoleCourt:
		return reject(RejectInvalid, "a handler signs in as a mediator or a court, got %q", h.Role)
	case (h.Kind == HandlerCourt) != (h.Role == casefile.RoleCourt):
		return reject(RejectInvalid, "a court handles as a court, every other unit as a mediator")
	}
	return nil
}

func (w *intake) dispatch(ctx workflow.Context, cmd DispatchCommand) (IntakeView, error) {
	today := w.s.Journal.today(ctx)
	tier, _ := w.s.Policy.Intake.Tier(w.s.Urgency)
	// The deadline is looked up before the case changes, and the case
	// checked again after: a command taken meanwhile wins.
	handleBy, err := deadline(ctx, w.in.Jurisdiction, today, tier.Handling)
	if err != nil {
		return IntakeView{}, fmt.Errorf("handling deadline: %w", err)
	}
	if d := w.current(); d != nil && !d.Overdue || w.closed() || w.s.Result != nil {
		return IntakeView{}, reject(RejectConflict, "the dispute changed while it was being dispatched; try again")
	}
	data := map[string]any{}
	if d := w.current(); d != nil {
		// The centre takes an overdue dispatch back.
		d.Withdrawn = true
		data["withdrawn"] = d.No
	}
	d := IntakeDispatch{
		No: len(w.s.Dispatches) + 1, Handler: cmd.Handler, DispatchedOn: today, DispatchedBy: cmd.Actor.Subject,
		Urgency: w.s.Urgency, HandleBy: handleBy,
	}
	w.s.Dispatches = append(w.s.Dispatches, d)
	w.s.Stage = IntakeDispatched
	data["dispatch"], data["handler"], data["urgency"], data["handling_period"], data["handle_by"] = d.No, d.Handler, d.Urgency, tier.Handling, handleBy
	seq := w.s.Journal.add(ctx, step{
		Kind: "intake_dispatched", Actor: cmd.Actor, Reason: cmd.Note, ReasonCode: "dispatch_" + cmd.Handler.Kind,
		Data: data,
	})
	return w.finish(ctx, seq)
}

func (w *intake) validateAccept(_ workflow.Context, cmd AcceptCommand) error {
	if err := w.checkStage(IntakeDispatched, IntakeHandling); err != nil {
		return err
	}
	if !w.isHandler(cmd.Actor) {
		return reject(RejectForbidden, "only the handler the dispute was dispatched to may accept it")
	}
	if w.s.Stage == IntakeHandling {
		return reject(RejectConflict, "the dispute was already accepted on %s", w.current().AcceptedOn)
	}
	return nil
}

func (w *intake) accept(ctx workflow.Context, cmd AcceptCommand) (IntakeView, error) {
	d := w.current()
	d.AcceptedOn = w.s.Journal.today(ctx)
	w.s.Stage = IntakeHandling
	seq := w.s.Journal.add(ctx, step{
		Kind: "intake_accepted", Actor: cmd.Actor, ReasonCode: "handler_accepted",
		Reason: fmt.Sprintf("%s accepted the dispute; to handle by %s", d.Handler.Unit, d.HandleBy),
		Data:   map[string]any{"dispatch": d.No, "handle_by": d.HandleBy},
	})
	return w.finish(ctx, seq)
}

func (w *intake) validateReturn(_ workflow.Context, cmd ReturnCommand) error {
	if err := w.checkStage(IntakeDispatched, IntakeHandling); err != nil {
		return err
	}
	if !w.isHandler(cmd.Actor) {
		return reject(RejectForbidden, "only the handler the dispute was dispatched to may return it")
	}
	if strings.TrimSpace(cmd.Reason) == "" {
		return reject(RejectInvalid, "a returned dispute needs the reason, for the centre to dispatch it elsewhere")
	}
	return nil
}

func (w *intake) returnCase(ctx workflow.Context, cmd ReturnCommand) (IntakeView, error) {
	d := w.current()
	d.ReturnedOn, d.ReturnReason = w.s.Journal.today(ctx), cmd.Reason
	w.s.Stage = IntakeRegistered
	seq := w.s.Journal.add(ctx, step{
		Kind: "intake_returned", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "handler_returned",
		Data: map[string]any{"dispatch": d.No, "handler": d.Handler},
	})
	return w.finish(ctx, seq)
}

func (w *intake) validateRegrade(_ workflow.Context, cmd RegradeCommand) error {
	if cmd.Actor.Role != casefile.RoleDispatcher && !w.isHandler(cmd.Actor) && !w.isLeader(cmd.Actor) {
		return reject(RejectForbidden, "only the window, the handler or the case leader may re-grade the dispute")
	}
	if err := w.checkStage(IntakeRegistered, IntakeDispatched, IntakeHandling, IntakeFollowingUp, IntakeAwaitingConversion); err != nil {
		return err
	}
	if !slices.Contains(policy.RiskGrades, cmd.Risk) {
		return reject(RejectInvalid, "risk must be one of %v, got %q", policy.RiskGrades, cmd.Risk)
	}
	if strings.TrimSpace(cmd.Reason) == "" {
		return reject(RejectInvalid, "a re-grading needs its reason")
	}
	if cmd.Risk == w.s.Risk && cmd.Hard == w.s.Hard {
		return reject(RejectConflict, "the dispute is already graded %s", cmd.Risk)
	}
	return nil
}

func (w *intake) regrade(ctx workflow.Context, cmd RegradeCommand) (IntakeView, error) {
	ip := w.s.Policy.Intake
	urgency := w.s.Urgency
	if t, ok := ip.RegradeTiers[cmd.Risk]; ok && ip.MoreUrgent(t, urgency) {
		urgency = t
	}
	// A dispute moved to a more urgent tier while it is being handled is
	// given that tier's period, counted from the dispatch again.
	var handleBy policy.Date
	d := w.current()
	handling := d != nil && (w.s.Stage == IntakeDispatched || w.s.Stage == IntakeHandling)
	if handling && urgency != w.s.Urgency {
		tier, _ := ip.Tier(urgency)
		var err error
		if handleBy, err = deadline(ctx, w.in.Jurisdiction, d.DispatchedOn, tier.Handling); err != nil {
			return IntakeView{}, fmt.Errorf("handling deadline: %w", err)
		}
	}
	r := IntakeRegrade{
		From: w.s.Risk, To: cmd.Risk, Hard: cmd.Hard, UrgencyFrom: w.s.Urgency, UrgencyTo: urgency,
		Reason: cmd.Reason, On: w.s.Journal.today(ctx), By: cmd.Actor.Subject,
	}
	w.s.Risk, w.s.Hard, w.s.Urgency = cmd.Risk, cmd.Hard, urgency
	w.s.Regrades = append(w.s.Regrades, r)
	data := map[string]any{
		"from": r.From, "to": r.To, "hard": r.Hard, "urgency_from": r.UrgencyFrom, "urgency_to": r.UrgencyTo,
		"case_leader_required": w.caseLeaderRequired() && w.s.CaseLeader == nil,
	}
	if !handleBy.IsZero() && d == w.current() && !d.Overdue {
		d.Urgency = urgency
		if handleBy.Before(d.HandleBy) {
			d.HandleBy = handleBy
		}
		data["handle_by"] = d.HandleBy
	}
	seq := w.s.Journal.add(ctx, step{
		Kind: "risk_regraded", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "regrade_" + cmd.Risk,
		Data: data,
	})
	return w.finish(ctx, seq)
}

func (w *intake) validateCaseLeader(_ workflow.Context, cmd CaseLeaderCommand) error {
	if cmd.Actor.Role != casefile.RoleDispatcher && !w.isLeader(cmd.Actor) {
		return reject(RejectForbidden, "only the window, or the case leader handing over, keeps the case-leader record")
	}
	if err := w.checkStage(IntakeRegistered, IntakeDispatched, IntakeHandling, IntakeFollowingUp, IntakeAwaitingConversion); err != nil {
		return err
	}
	if !w.caseLeaderRequired() {
		return reject(RejectConflict, "a case-leader record is for a hard dispute or one graded %v; this one is %s",
			w.s.Policy.Intake.CaseLeaderGrades, w.s.Risk)
	}
	if strings.TrimSpace(cmd.LeadDepartment) == "" || strings.TrimSpace(cmd.Leader) == "" || strings.TrimSpace(cmd.Measures) == "" {
		return reject(RejectInvalid, "a case-leader record names the lead department, the case leader and the measures")
	}
	seen := map[string]bool{}
	for _, u := range cmd.CooperatingUnits {
		if strings.TrimSpace(u) == "" || seen[u] {
			return reject(RejectInvalid, "each cooperating unit is named once, got %q", u)
		}
		seen[u] = true
	}
	return nil
}

func (w *intake) recordCaseLeader(ctx workflow.Context, cmd CaseLeaderCommand) (IntakeView, error) {
	today := w.s.Journal.today(ctx)
	period := w.s.Policy.Intake.CaseLeaderPeriod
	var resolveBy policy.Date
	if w.s.CaseLeader == nil {
		var err error
		if resolveBy, err = deadline(ctx, w.in.Jurisdiction, today, period); err != nil {
			return IntakeView{}, fmt.Errorf("resolution deadline: %w", err)
		}
	}
	kind, previous := "case_leader_recorded", ""
	if l := w.s.CaseLeader; l != nil {
		// Amending the record keeps the deadline of the first one.
		kind, previous, resolveBy, period = "case_leader_amended", l.Leader, l.ResolveBy, l.ResolutionPeriod
	}
	l := &IntakeCaseLeader{
		LeadDepartment: cmd.LeadDepartment, Leader: cmd.Leader, CooperatingUnits: slices.Clone(cmd.CooperatingUnits),
		Measures: cmd.Measures, RecordedOn: today, ResolveBy: resolveBy, RecordedBy: cmd.Actor.Subject,
		ResolutionPeriod: period,
	}
	if w.s.CaseLeader != nil {
		l.DeadlinePassed = w.s.CaseLeader.DeadlinePassed
	}
	w.s.CaseLeader = l
	seq := w.s.Journal.add(ctx, step{
		Kind: kind, Actor: cmd.Actor, ReasonCode: "leader_responsibility",
		Reason: fmt.Sprintf("%s leads, with %s; to resolve by %s", l.Leader, l.LeadDepartment, l.ResolveBy),
		Data: map[string]any{
			"lead_department": l.LeadDepartment, "case_leader": l.Leader, "previous": previous,
			"cooperating_units": l.CooperatingUnits, "measures": l.Measures, "resolve_by": l.ResolveBy,
			"resolution_period": period, "risk": w.s.Risk, "hard": w.s.Hard,
		},
	})
	return w.finish(ctx, seq)
}

func (w *intake) validateOutcome(_ workflow.Context, cmd IntakeOutcomeCommand) error {
	if err := w.checkStage(IntakeDispatched, IntakeHandling); err != nil {
		return err
	}
	if !w.isHandler(cmd.Actor) {
		return reject(RejectForbidden, "only the handler of the dispute records its outcome")
	}
	if w.s.Stage != IntakeHandling {
		return reject(RejectConflict, "the handler has not accepted the dispute yet")
	}
	switch cmd.Outcome {
	case IntakeResolved:
	case IntakeNotResolved, IntakeNeedsCourt:
		if strings.TrimSpace(cmd.Note) == "" {
			return reject(RejectInvalid, "outcome %s needs a note saying why", cmd.Outcome)
		}
	default:
		return reject(RejectInvalid, "outcome must be resolved, not_resolved or needs_court, got %q", cmd.Outcome)
	}
	return nil
}

func (w *intake) recordOutcome(ctx workflow.Context, cmd IntakeOutcomeCommand) (IntakeView, error) {
	today := w.s.Journal.today(ctx)
	var visits []FollowUp
	var rateBy policy.Date
	if cmd.Outcome != IntakeNeedsCourt {
		// Lookups first: a failure leaves the case as it was.
		var err error
		if visits, err = scheduleFollowUps(ctx, w.in.Jurisdiction, today, w.s.Policy.Intake.FollowUps); err != nil {
			return IntakeView{}, err
		}
		if rateBy, err = deadline(ctx, w.in.Jurisdiction, today, w.s.Policy.Intake.RatingWindow); err != nil {
			return IntakeView{}, fmt.Errorf("rating window: %w", err)
		}
	}
	d := w.current()
	if w.s.Stage != IntakeHandling || d == nil {
		return IntakeView{}, reject(RejectConflict, "the dispute changed while the outcome was being recorded; try again")
	}
	r := &IntakeResult{Outcome: cmd.Outcome, Note: cmd.Note, RecordedOn: today, By: cmd.Actor.Subject, OnTime: !today.After(d.HandleBy)}
	w.s.Result = r
	data := map[string]any{
		"outcome": r.Outcome, "dispatch": d.No, "handle_by": d.HandleBy, "on_time": r.OnTime, "handler": d.Handler,
	}
	if cmd.Outcome == IntakeNeedsCourt {
		w.s.Stage = IntakeAwaitingConversion
	} else {
		w.s.Stage, w.s.FollowUps, w.s.RateBy = IntakeFollowingUp, visits, rateBy
		data["follow_ups"], data["rate_by"] = visits, rateBy
	}
	seq := w.s.Journal.add(ctx, step{
		Kind: "intake_outcome_recorded", Actor: cmd.Actor, Reason: cmd.Note, ReasonCode: "outcome_" + cmd.Outcome,
		Data: data,
	})
	return w.finish(ctx, seq)
}

func (w *intake) validateFollowUp(_ workflow.Context, cmd FollowUpCommand) error {
	if err := checkDispatcher(cmd.Actor); err != nil {
		return err
	}
	if err := w.checkStage(IntakeFollowingUp); err != nil {
		return err
	}
	if err := checkFollowUp(w.s.FollowUps); err != nil {
		return err
	}
	if !cmd.Holds && strings.TrimSpace(cmd.Note) == "" {
		return reject(RejectInvalid, "a visit finding the outcome does not hold needs a note saying how")
	}
	return nil
}

func (w *intake) followUp(ctx workflow.Context, cmd FollowUpCommand) (IntakeView, error) {
	seq := visitFollowUp(ctx, &w.s.Journal, w.s.FollowUps, cmd)
	if s := w.closeIfDone(ctx); s > 0 {
		seq = s
	}
	return w.finish(ctx, seq)
}

// parties is how many parties the dispute has.
func (w *intake) parties() int {
	if l := w.in.PartyList; l != nil {
		return l.Parties
	}
	return len(w.in.Parties)
}

// partyName is the name of a party in the input, or "".
func (w *intake) partyName(id string) string {
	if p := w.party(id); p != nil {
		return p.Name
	}
	return ""
}

func (w *intake) party(id string) *Party {
	for i := range w.in.Parties {
		if w.in.Parties[i].ID == id {
			return &w.in.Parties[i]
		}
	}
	return nil
}

func (w *intake) validateRate(ctx workflow.Context, cmd RateCommand) error {
	// By reference, whether the rater is a party is the list's to say
	// (rate asks it); the validator checks the role.
	if cmd.Actor.Role != casefile.RoleParty || (w.in.PartyList == nil && w.party(cmd.Actor.Subject) == nil) {
		return reject(RejectForbidden, "only a party to the dispute rates its handling")
	}
	if w.s.Journal.Seq > 0 && w.s.Result == nil {
		return reject(RejectConflict, "there is nothing to rate yet: the handler has recorded no outcome")
	}
	if err := w.checkStage(IntakeFollowingUp, IntakeClosed); err != nil {
		return err
	}
	if today := w.s.Journal.today(ctx); w.s.RatingClosed || today.After(w.s.RateBy) {
		return reject(RejectConflict, "the rating window closed on %s", w.s.RateBy)
	}
	if cmd.Score < 1 || cmd.Score > 5 {
		return reject(RejectInvalid, "a rating is 1 to 5, got %d", cmd.Score)
	}
	if slices.ContainsFunc(w.s.Ratings, func(r IntakeRating) bool { return r.Party == cmd.Actor.Subject }) {
		return reject(RejectConflict, "%s has already rated the handling", cmd.Actor.Subject)
	}
	return nil
}

func (w *intake) rate(ctx workflow.Context, cmd RateCommand) (IntakeView, error) {
	if l := w.in.PartyList; l != nil {
		// Asked before anything changes; the case may have moved while
		// the store answered (another rating by the same party), so the
		// command is checked again.
		sides, err := partySides(ctx, *l, []string{cmd.Actor.Subject})
		if err != nil {
			return IntakeView{}, err
		}
		if sides[0] == "" {
			return IntakeView{}, reject(RejectForbidden, "only a party to the dispute rates its handling")
		}
		if err := w.validateRate(ctx, cmd); err != nil {
			return IntakeView{}, err
		}
	}
	r := IntakeRating{Party: cmd.Actor.Subject, Score: cmd.Score, Comment: cmd.Comment, RatedOn: w.s.Journal.today(ctx)}
	w.s.Ratings = append(w.s.Ratings, r)
	seq := w.s.Journal.add(ctx, step{
		Kind: "intake_rated", Actor: cmd.Actor, Reason: cmd.Comment, ReasonCode: fmt.Sprintf("rating_%d", cmd.Score),
		Data: map[string]any{"score": r.Score, "rate_by": w.s.RateBy, "handler": w.handlerOfResult()},
	})
	return w.finish(ctx, seq)
}

// handlerOfResult is the handler whose outcome is rated.
func (w *intake) handlerOfResult() string {
	if w.s.Result != nil {
		return w.s.Result.By
	}
	return ""
}

func (w *intake) validateConvert(_ workflow.Context, cmd ConvertCommand) error {
	if cmd.Actor.Role != casefile.RoleCourt {
		return reject(RejectForbidden, "only a court converts a dispute into a mediation case")
	}
	if w.s.Journal.Seq > 0 && w.s.Stage == IntakeConverted {
		return reject(RejectConflict, "the dispute was already converted into case %s", w.s.Conversion.CaseID)
	}
	if err := w.checkStage(IntakeAwaitingConversion); err != nil {
		return err
	}
	if w.s.Conversion != nil {
		return reject(RejectConflict, "the dispute is being converted into case %s", w.s.Conversion.CaseID)
	}
	switch {
	case strings.TrimSpace(cmd.CaseNumber) == "" || strings.TrimSpace(cmd.Court) == "":
		return reject(RejectInvalid, "a mediation case needs its case number and court")
	case CaseID(cmd.CaseNumber) == w.in.CaseID || CanonicalCaseNumber(cmd.CaseNumber) == CanonicalCaseNumber(w.in.CaseNumber):
		return reject(RejectInvalid, "the mediation case needs a case number of its own, not the dispute's")
	case strings.TrimSpace(cmd.Organisation) == "" || strings.TrimSpace(cmd.Mediator) == "":
		return reject(RejectInvalid, "a mediation case needs its organisation and mediator")
	case cmd.ClaimFen < 0:
		return reject(RejectInvalid, "claim_fen must not be negative")
	}
	var applicant, respondent bool
	for _, p := range w.in.Parties {
		applicant = applicant || p.Side == SideApplicant
		respondent = respondent || p.Side == SideRespondent
	}
	if l := w.in.PartyList; l != nil {
		applicant, respondent = l.Applicants > 0, l.Respondents > 0
	}
	if !applicant || !respondent {
		return reject(RejectConflict, "a mediation case needs at least one applicant and one respondent among the dispute's parties")
	}
	return nil
}

func (w *intake) convert(ctx workflow.Context, cmd ConvertCommand) (IntakeView, error) {
	number := strings.TrimSpace(cmd.CaseNumber)
	id := CaseID(number)
	subject := cmd.Subject
	if subject == "" {
		subject = w.in.Summary
	}
	// Claim the conversion before starting, so a second command meanwhile
	// is refused.
	conv := &IntakeConversion{
		CaseID: id, CaseNumber: number, WorkflowID: MediationWorkflowID(id), Court: cmd.Court,
		Organisation: cmd.Organisation, Mediator: cmd.Mediator, ConvertedOn: w.s.Journal.today(ctx), By: cmd.Actor.Subject,
	}
	w.s.Conversion = conv
	in := MediationInput{
		CaseID: id, CaseNumber: number, Court: cmd.Court, Jurisdiction: w.in.Jurisdiction,
		Organisation: cmd.Organisation, Mediator: cmd.Mediator, Parties: slices.Clone(w.in.Parties), PartyList: w.in.PartyList,
		ClaimFen: cmd.ClaimFen, Subject: subject, DelegatedBy: cmd.Actor,
		Clock: casetime.Clock{Scale: w.in.Clock.Scale}, SourceCaseID: w.in.CaseID,
	}
	// Started as POST /cases/mediation starts it: the workflow ID is the
	// case number's, so it can never open twice; it is abandoned to run on
	// its own when this case closes.
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            conv.WorkflowID,
		TaskQueue:             TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	})
	f := workflow.ExecuteChildWorkflow(cctx, Mediation, in)
	if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		w.s.Conversion = nil
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return IntakeView{}, reject(RejectConflict, "case number %s is already used by another case", number)
		}
		return IntakeView{}, fmt.Errorf("start the mediation case: %w", err)
	}
	w.s.Stage, w.s.Outcome = IntakeConverted, IntakeConvertedOutcome
	w.s.ClosedOn, w.s.ClosedAt = conv.ConvertedOn, workflow.Now(ctx)
	seq := w.s.Journal.add(ctx, step{
		Kind: "converted_to_mediation", Actor: cmd.Actor, ReasonCode: "needs_court_process",
		Reason: fmt.Sprintf("converted into mediation case %s (%s), delegated to %s", number, id, cmd.Organisation),
		Data: map[string]any{
			"case_id": id, "case_number": number, "workflow_id": conv.WorkflowID, "court": cmd.Court,
			"organisation": cmd.Organisation, "mediator": cmd.Mediator, "claim_fen": cmd.ClaimFen,
		},
	})
	return w.finish(ctx, seq)
}

// everOverdue is the latest dispatch whose handling went overdue, or nil.
func (w *intake) everOverdue() *IntakeDispatch {
	for i := len(w.s.Dispatches) - 1; i >= 0; i-- {
		if w.s.Dispatches[i].Overdue {
			return &w.s.Dispatches[i]
		}
	}
	return nil
}

// MonthBounds returns the first and last day of month s (YYYY-MM), a
// month of the years 1900 to 2199.
func MonthBounds(s string) (policy.Date, policy.Date, error) {
	first, err := policy.ParseDate(s + "-01")
	if err != nil || len(s) != 7 {
		return policy.Date{}, policy.Date{}, fmt.Errorf("month %q is not a month like 2026-03", s)
	}
	if y := first.Year(); y < 1900 || y > 2199 {
		return policy.Date{}, policy.Date{}, fmt.Errorf("month %s is outside the years 1900 to 2199", s)
	}
	return first, first.AddMonths(1).AddDays(-1), nil
}

// overdueEnded is the day the overdue handling of dispatch od ended: it
// was returned, dispatched again or its outcome recorded; zero while it
// lasts. It agrees with the monthly list's ending steps.
func (w *intake) overdueEnded(od *IntakeDispatch) policy.Date {
	if !od.ReturnedOn.IsZero() {
		return od.ReturnedOn
	}
	if od.No < len(w.s.Dispatches) {
		return w.s.Dispatches[od.No].DispatchedOn
	}
	if w.s.Result != nil {
		return w.s.Result.RecordedOn
	}
	return policy.Date{}
}

// reviewMonth is the month a review command reviews, YYYY-MM.
func reviewMonth(cmd JointReviewCommand) string {
	if cmd.Month != "" {
		return cmd.Month
	}
	return cmd.MeetingOn.String()[:7]
}

func (w *intake) validateJointReview(ctx workflow.Context, cmd JointReviewCommand) error {
	if err := checkDispatcher(cmd.Actor); err != nil {
		return err
	}
	if err := w.checkStage(IntakeRegistered, IntakeDispatched, IntakeHandling, IntakeFollowingUp, IntakeAwaitingConversion); err != nil {
		return err
	}
	od := w.everOverdue()
	if od == nil {
		return reject(RejectConflict, "the dispute's handling was never overdue; a joint meeting reviews overdue disputes")
	}
	today := w.s.Journal.today(ctx)
	switch {
	case cmd.MeetingOn.IsZero():
		return reject(RejectInvalid, "a review needs the day of the joint meeting")
	case cmd.MeetingOn.After(today):
		return reject(RejectInvalid, "the joint meeting of %s has not been held yet (today is %s)", cmd.MeetingOn, today)
	case !cmd.MeetingOn.After(od.HandleBy):
		return reject(RejectInvalid, "the joint meeting of %s was held before the handling went overdue (deadline %s)", cmd.MeetingOn, od.HandleBy)
	}
	if err := checkDate("the joint meeting's day", cmd.MeetingOn); err != nil {
		return reject(RejectInvalid, "%s", err)
	}
	if cmd.Month != "" {
		first, last, err := MonthBounds(cmd.Month)
		if err != nil {
			return reject(RejectInvalid, "%s", err)
		}
		if first.After(cmd.MeetingOn) {
			return reject(RejectInvalid, "a meeting on %s cannot review month %s, which had not begun", cmd.MeetingOn, cmd.Month)
		}
		if !od.HandleBy.Before(last) {
			return reject(RejectInvalid, "the dispute was not yet overdue in %s: its handling deadline was %s", cmd.Month, od.HandleBy)
		}
	}
	if len(cmd.Participants) == 0 || len(cmd.Participants) > 50 {
		return reject(RejectInvalid, "a joint meeting names its participants (units and people), 1 to 50, got %d", len(cmd.Participants))
	}
	seen := map[string]bool{}
	for _, p := range cmd.Participants {
		if strings.TrimSpace(p) == "" || seen[p] {
			return reject(RejectInvalid, "each participant is named once, got %q", p)
		}
		seen[p] = true
	}
	if !slices.Contains(ReviewDecisions, cmd.Decision) {
		return reject(RejectInvalid, "decision must be one of %v, got %q", ReviewDecisions, cmd.Decision)
	}
	if strings.TrimSpace(cmd.Reason) == "" {
		return reject(RejectInvalid, "a joint meeting's decision needs its reason")
	}
	if cmd.Decision == ReviewNewResolutionDate {
		if cmd.ResolveBy.IsZero() || !cmd.ResolveBy.After(today) {
			return reject(RejectInvalid, "a new resolution date must be after today (%s), got %q", today, cmd.ResolveBy)
		}
		if err := checkDate("the new resolution date", cmd.ResolveBy); err != nil {
			return reject(RejectInvalid, "%s", err)
		}
	} else if !cmd.ResolveBy.IsZero() {
		return reject(RejectInvalid, "resolve_by is for a new_resolution_date decision, not %s", cmd.Decision)
	}
	month := reviewMonth(cmd)
	if first, _, err := MonthBounds(month); err != nil {
		return reject(RejectInvalid, "%s", err)
	} else if ended := w.overdueEnded(od); !ended.IsZero() && ended.Before(first) {
		return reject(RejectConflict, "the dispute was no longer overdue in %s: its overdue handling ended on %s; name the month reviewed", month, ended)
	}
	if slices.ContainsFunc(w.s.JointReviews, func(r IntakeJointReview) bool { return r.Month == month }) {
		return reject(RejectConflict, "the joint meeting's review of %s is already recorded on this dispute", month)
	}
	return nil
}

func (w *intake) jointReview(ctx workflow.Context, cmd JointReviewCommand) (IntakeView, error) {
	od := w.everOverdue()
	r := IntakeJointReview{
		No: len(w.s.JointReviews) + 1, Month: reviewMonth(cmd), MeetingOn: cmd.MeetingOn,
		Participants: slices.Clone(cmd.Participants), Decision: cmd.Decision, ResolveBy: cmd.ResolveBy,
		Reason: cmd.Reason, Dispatch: od.No, RecordedOn: w.s.Journal.today(ctx), By: cmd.Actor.Subject,
	}
	w.s.JointReviews = append(w.s.JointReviews, r)
	data := map[string]any{
		"review": r.No, "month": r.Month, "meeting_on": r.MeetingOn, "participants": r.Participants,
		"decision": r.Decision, "dispatch": r.Dispatch, "handle_by": od.HandleBy, "handler": od.Handler,
	}
	if !r.ResolveBy.IsZero() {
		data["resolve_by"] = r.ResolveBy
	}
	seq := w.s.Journal.add(ctx, step{
		Kind: "joint_meeting_reviewed", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "joint_meeting_" + cmd.Decision,
		Data: data,
	})
	return w.finish(ctx, seq)
}

// boundaryInput is the boundary case cmd opens from the dispute, its
// parties named as name says (the input's parties, or the staged list's).
func (w *intake) boundaryInput(cmd ConvertBoundaryCommand, name func(id string) string) BoundaryInput {
	number := strings.TrimSpace(cmd.CaseNumber)
	id := CaseID(number)
	title := cmd.Title
	if title == "" {
		title = w.in.Summary
	}
	in := BoundaryInput{
		CaseID: id, CaseNumber: number, Court: cmd.Court, Jurisdiction: w.in.Jurisdiction, Title: title,
		Since: cmd.Since, Organiser: cmd.Organiser, CaseLeader: cmd.CaseLeader, OpenedBy: cmd.Actor,
		Clock: casetime.Clock{Scale: w.in.Clock.Scale}, SourceCaseID: w.in.CaseID,
	}
	for _, cp := range cmd.Parties {
		bp := BoundaryParty{ID: cp.ID, Name: name(cp.ID), Jurisdiction: cp.Jurisdiction, Representative: cp.Representative}
		in.Parties = append(in.Parties, bp)
	}
	return in
}

func (w *intake) validateConvertBoundary(_ workflow.Context, cmd ConvertBoundaryCommand) error {
	if cmd.Actor.Role != casefile.RoleCourt && !w.isLeader(cmd.Actor) {
		return reject(RejectForbidden, "only a court, or the dispute's case leader, opens a boundary-dispute negotiation from it")
	}
	if w.s.Journal.Seq > 0 && w.s.Stage == IntakeConverted {
		return reject(RejectConflict, "the dispute was already converted into case %s", w.s.Conversion.CaseID)
	}
	if err := w.checkStage(IntakeAwaitingConversion); err != nil {
		return err
	}
	if w.s.Conversion != nil {
		return reject(RejectConflict, "the dispute is being converted into case %s", w.s.Conversion.CaseID)
	}
	switch {
	case strings.TrimSpace(cmd.CaseNumber) == "":
		return reject(RejectInvalid, "a boundary case needs its case number")
	case CaseID(cmd.CaseNumber) == w.in.CaseID || CanonicalCaseNumber(cmd.CaseNumber) == CanonicalCaseNumber(w.in.CaseNumber):
		return reject(RejectInvalid, "the boundary case needs a case number of its own, not the dispute's")
	case len(cmd.Parties) != w.parties():
		return reject(RejectInvalid, "name every party of the dispute (%d), with its jurisdiction and representative; got %d", w.parties(), len(cmd.Parties))
	}
	// By reference, the parties named are checked against the staged list
	// when the conversion is made (convertBoundary).
	for _, p := range cmd.Parties {
		if w.in.PartyList == nil && w.party(p.ID) == nil {
			return reject(RejectInvalid, "%s is not a party to the dispute", p.ID)
		}
	}
	if err := ValidateBoundaryInput(w.boundaryInput(cmd, w.partyName)); err != nil {
		return reject(RejectInvalid, "%s", err)
	}
	return nil
}

func (w *intake) convertBoundary(ctx workflow.Context, cmd ConvertBoundaryCommand) (IntakeView, error) {
	name := w.partyName
	if l := w.in.PartyList; l != nil {
		// The parties' names come from the staged list, read before
		// anything changes; the case may have moved meanwhile, so the
		// command is checked again.
		var ms []db.PartyListMember
		var rec *activities.Recorder
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.PartyListMembers, *l).Get(ctx, &ms); err != nil {
			return IntakeView{}, reject(RejectConflict, "the dispute's parties could not be read: %v", err)
		}
		names := make(map[string]string, len(ms))
		for _, m := range ms {
			names[m.ID] = m.Name
		}
		for _, p := range cmd.Parties {
			if _, ok := names[p.ID]; !ok {
				return IntakeView{}, reject(RejectInvalid, "%s is not a party to the dispute", p.ID)
			}
		}
		if err := w.validateConvertBoundary(ctx, cmd); err != nil {
			return IntakeView{}, err
		}
		name = func(id string) string { return names[id] }
	}
	in := w.boundaryInput(cmd, name)
	// Claim the conversion before starting, so a second command meanwhile
	// is refused.
	conv := &IntakeConversion{
		Process: string(casefile.ProcessBoundary), CaseID: in.CaseID, CaseNumber: in.CaseNumber,
		WorkflowID: BoundaryWorkflowID(in.CaseID), Court: cmd.Court, Mediator: cmd.Organiser,
		CaseLeader: cmd.CaseLeader, ConvertedOn: w.s.Journal.today(ctx), By: cmd.Actor.Subject,
	}
	w.s.Conversion = conv
	// Started as POST /cases/boundary starts it, under the case number's
	// own workflow ID, and abandoned to run on its own.
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            conv.WorkflowID,
		TaskQueue:             TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	})
	f := workflow.ExecuteChildWorkflow(cctx, Boundary, in)
	if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		w.s.Conversion = nil
		if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return IntakeView{}, reject(RejectConflict, "case number %s is already used by another case", in.CaseNumber)
		}
		return IntakeView{}, fmt.Errorf("start the boundary case: %w", err)
	}
	w.s.Stage, w.s.Outcome = IntakeConverted, IntakeConvertedBoundaryOutcome
	w.s.ClosedOn, w.s.ClosedAt = conv.ConvertedOn, workflow.Now(ctx)
	seq := w.s.Journal.add(ctx, step{
		Kind: "converted_to_boundary", Actor: cmd.Actor, ReasonCode: "needs_boundary_negotiation",
		Reason: fmt.Sprintf("converted into boundary case %s (%s), organised by %s", in.CaseNumber, in.CaseID, cmd.Organiser),
		Data: map[string]any{
			"case_id": in.CaseID, "case_number": in.CaseNumber, "workflow_id": conv.WorkflowID, "court": cmd.Court,
			"organiser": cmd.Organiser, "case_leader": cmd.CaseLeader, "title": in.Title, "parties": in.Parties,
		},
	})
	return w.finish(ctx, seq)
}
