package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// Intake is the one window for every dispute of seed 004 (点单、接单、派单、
// 办单、评单): a request comes in at the window of a dispute-resolution
// centre (a visit, a call, a referral, online) and is registered with its
// parties, summary, risk grade (green, yellow, red) and urgency tier; a
// dispatcher assigns it to a handler (a mediation committee, a township, a
// court, a department), who accepts it or returns it with a reason, to be
// dispatched again; the handler records the outcome within the policy's
// period for the tier, counted from the dispatch, or the case is escalated
// to the centre; the risk may be re-graded at any time, and a red or hard
// dispute gets a case-leader record (一案一档). After the outcome the centre
// follows the dispute up and the parties rate the handling within the
// policy's window; a dispute that needs a court process becomes a Process 1
// mediation case, linked both ways.

// intakeStream is the journal stream of the intake process.
const intakeStream = "intake"

// IntakeWorkflowID is the workflow ID of a case's intake process.
func IntakeWorkflowID(caseID string) string { return "case/" + caseID + "/intake" }

// Update names of the intake workflow; it answers UpdateOpened and
// QueryState too.
const (
	UpdateIntakeDispatch   = "intake-dispatch"
	UpdateIntakeAccept     = "intake-accept"
	UpdateIntakeReturn     = "intake-return"
	UpdateIntakeRegrade    = "intake-regrade"
	UpdateIntakeCaseLeader = "intake-case-leader"
	UpdateIntakeOutcome    = "intake-outcome"
	UpdateIntakeFollowUp   = "intake-follow-up"
	UpdateIntakeRate       = "intake-rate"
	UpdateIntakeConvert    = "intake-convert"
	// UpdateIntakeJointReview records a monthly joint meeting's review of
	// an overdue dispute (月度联席会议).
	UpdateIntakeJointReview = "intake-joint-review"
	// UpdateIntakeConvertBoundary converts a dispute into a Process 2
	// boundary-dispute negotiation.
	UpdateIntakeConvertBoundary = "intake-convert-boundary"
)

// Stages of an intake case.
const (
	// IntakeRegistered: received and registered, waiting for a dispatch
	// (again, after a handler returned it).
	IntakeRegistered = "registered"
	// IntakeDispatched: assigned to a handler who has not accepted yet.
	IntakeDispatched = "dispatched"
	// IntakeHandling: the handler accepted and is handling it.
	IntakeHandling = "handling"
	// IntakeFollowingUp: the outcome is recorded; the centre follows up and
	// the parties may rate the handling.
	IntakeFollowingUp = "following_up"
	// IntakeAwaitingConversion: the handler found it needs a court process.
	IntakeAwaitingConversion = "awaiting_conversion"
	// IntakeConverted: it became a Process 1 mediation case (closed).
	IntakeConverted = "converted"
	// IntakeClosed: closed out (销号) after follow-up and rating.
	IntakeClosed = "closed"
)

// Channels a request comes in by.
const (
	ChannelVisit    = "visit"
	ChannelCall     = "call"
	ChannelReferral = "referral"
	ChannelOnline   = "online"
)

// IntakeChannels lists the channels.
var IntakeChannels = []string{ChannelVisit, ChannelCall, ChannelReferral, ChannelOnline}

// Kinds of handler a dispute is dispatched to.
const (
	HandlerMediationCommittee = "mediation_committee"
	HandlerTownship           = "township"
	HandlerCourt              = "court"
	HandlerDepartment         = "department"
)

// HandlerKinds lists the handler kinds.
var HandlerKinds = []string{HandlerMediationCommittee, HandlerTownship, HandlerCourt, HandlerDepartment}

// Outcomes a handler records.
const (
	IntakeResolved    = "resolved"
	IntakeNotResolved = "not_resolved"
	IntakeNeedsCourt  = "needs_court"
)

// IntakeConvertedOutcome is the outcome of a case that became a mediation case.
const IntakeConvertedOutcome = "converted_to_mediation"

// IntakeConvertedBoundaryOutcome is the outcome of a case that became a
// boundary-dispute negotiation.
const IntakeConvertedBoundaryOutcome = "converted_to_boundary"

// Decisions a monthly joint meeting takes on an overdue dispute.
const (
	ReviewRedispatch        = "redispatch"
	ReviewAssignCaseLeader  = "assign_case_leader"
	ReviewNewResolutionDate = "new_resolution_date"
	ReviewReferToCourt      = "refer_to_court"
)

// ReviewDecisions lists the joint meeting's decisions.
var ReviewDecisions = []string{ReviewRedispatch, ReviewAssignCaseLeader, ReviewNewResolutionDate, ReviewReferToCourt}

// Kinds of deadline an intake case shows.
const (
	intakeDeadlineHandling   = "intake_handling"
	intakeDeadlineRating     = "intake_rating"
	intakeDeadlineCaseLeader = "case_leader_resolution"
)

// Notices of an intake case: an overdue handling, to the dispatcher who
// dispatched it and to the case leader.
const (
	NoticeHandlingOverdue       = "handling_overdue"
	NoticeHandlingOverdueLeader = "handling_overdue_leader"
)

// intakeStepsPerRun bounds the steps of one run, as for a boundary case.
const intakeStepsPerRun = 500

// IntakeInput opens an intake case. State is set only when the workflow
// continues as new, carrying everything it knew.
type IntakeInput struct {
	CaseID       string `json:"case_id"`
	CaseNumber   string `json:"case_number"`
	Jurisdiction string `json:"jurisdiction"`
	Channel      string `json:"channel"`
	// Parties are the parties when they travel in the input (cases
	// registered before PartyList).
	Parties []Party `json:"parties"`
	// PartyList refers to the parties staged in the store (db/parties.go):
	// a dispute registered through the API since carries the list's digest
	// and counts, and Parties is empty. A mediation case converted from it
	// refers to the same list.
	PartyList *db.PartyList `json:"party_list,omitempty"`
	Summary   string        `json:"summary"`
	Risk      string        `json:"risk"`
	Urgency   string        `json:"urgency"`
	// ReceivedBy is named "actor" so the audit timeline attributes the
	// workflow's start to them: the window's dispatcher.
	ReceivedBy casefile.Actor `json:"actor"`
	Clock      casetime.Clock `json:"clock"`
	// MaxStepsPerRun overrides intakeStepsPerRun (tests set it small).
	MaxStepsPerRun int `json:"max_steps_per_run,omitempty"`

	State *IntakeState `json:"state,omitempty"`
}

// IntakeHandler is who a dispute is dispatched to: the unit and the user
// who accepts and handles it for the unit (a mediator, or a court).
type IntakeHandler struct {
	Kind    string        `json:"kind"`
	Unit    string        `json:"unit"`
	Subject string        `json:"subject"`
	Role    casefile.Role `json:"role"`
}

// IntakeDispatch is one dispatch (派单) and what the handler did with it.
type IntakeDispatch struct {
	No           int           `json:"no"`
	Handler      IntakeHandler `json:"handler"`
	DispatchedOn policy.Date   `json:"dispatched_on"`
	DispatchedBy string        `json:"dispatched_by"`
	Urgency      string        `json:"urgency"`
	HandleBy     policy.Date   `json:"handle_by"`
	AcceptedOn   policy.Date   `json:"accepted_on,omitzero"`
	ReturnedOn   policy.Date   `json:"returned_on,omitzero"`
	ReturnReason string        `json:"return_reason,omitempty"`
	// Overdue is set when HandleBy passed without an outcome.
	Overdue bool `json:"overdue,omitempty"`
	// Withdrawn is set when the centre took an overdue dispatch back.
	Withdrawn bool `json:"withdrawn,omitempty"`
}

// IntakeRegrade is one re-grading of the risk.
type IntakeRegrade struct {
	From        string      `json:"from"`
	To          string      `json:"to"`
	Hard        bool        `json:"hard"`
	UrgencyFrom string      `json:"urgency_from"`
	UrgencyTo   string      `json:"urgency_to"`
	Reason      string      `json:"reason"`
	On          policy.Date `json:"on"`
	By          string      `json:"by"`
}

// IntakeCaseLeader is the case-leader record of a red or hard dispute
// (领导包案, 一案一档).
type IntakeCaseLeader struct {
	LeadDepartment   string        `json:"lead_department"`
	Leader           string        `json:"leader"`
	CooperatingUnits []string      `json:"cooperating_units"`
	Measures         string        `json:"measures"`
	RecordedOn       policy.Date   `json:"recorded_on"`
	ResolveBy        policy.Date   `json:"resolve_by"`
	RecordedBy       string        `json:"recorded_by"`
	DeadlinePassed   bool          `json:"deadline_passed,omitempty"`
	ResolutionPeriod policy.Period `json:"resolution_period"`
}

// IntakeResult is the outcome the handler recorded (办单).
type IntakeResult struct {
	Outcome    string      `json:"outcome"`
	Note       string      `json:"note,omitempty"`
	RecordedOn policy.Date `json:"recorded_on"`
	By         string      `json:"by"`
	// OnTime: recorded by the handling deadline of its dispatch.
	OnTime bool `json:"on_time"`
}

// IntakeRating is a party's rating of the handling (评单).
type IntakeRating struct {
	Party   string      `json:"party"`
	Score   int         `json:"score"`
	Comment string      `json:"comment,omitempty"`
	RatedOn policy.Date `json:"rated_on"`
}

// IntakeConversion is the case a dispute became: a mediation case, or,
// where Process says boundary, a boundary-dispute negotiation whose
// organiser is Mediator.
type IntakeConversion struct {
	Process      string      `json:"process,omitempty"`
	CaseID       string      `json:"case_id"`
	CaseNumber   string      `json:"case_number"`
	WorkflowID   string      `json:"workflow_id"`
	Court        string      `json:"court"`
	Organisation string      `json:"organisation"`
	Mediator     string      `json:"mediator"`
	CaseLeader   string      `json:"case_leader,omitempty"`
	ConvertedOn  policy.Date `json:"converted_on"`
	By           string      `json:"by"`
}

// IntakeJointReview is a monthly joint meeting's review of an overdue
// dispute (月度联席会议): when it met, who took part, what it decided and
// why. It records the decision; carrying it out (a dispatch, a case-leader
// record, a conversion) takes that command.
type IntakeJointReview struct {
	No           int         `json:"no"`
	Month        string      `json:"month"`
	MeetingOn    policy.Date `json:"meeting_on"`
	Participants []string    `json:"participants"`
	Decision     string      `json:"decision"`
	ResolveBy    policy.Date `json:"resolve_by,omitzero"`
	Reason       string      `json:"reason"`
	Dispatch     int         `json:"dispatch"`
	RecordedOn   policy.Date `json:"recorded_on"`
	By           string      `json:"by"`
}

// IntakeState is everything the workflow knows about the case; it is
// carried whole across continue-as-new.
type IntakeState struct {
	Stage      string           `json:"stage"`
	Outcome    string           `json:"outcome,omitempty"`
	Policy     policy.Policy    `json:"policy"`
	OpenedOn   policy.Date      `json:"opened_on"`
	OpenedAt   time.Time        `json:"opened_at"`
	Risk       string           `json:"risk"`
	Hard       bool             `json:"hard,omitempty"`
	Urgency    string           `json:"urgency"`
	Regrades   []IntakeRegrade  `json:"regrades,omitempty"`
	Dispatches []IntakeDispatch `json:"dispatches,omitempty"`
	// EscalatedTo is where an overdue dispute went: the centre.
	EscalatedTo  string                   `json:"escalated_to,omitempty"`
	CaseLeader   *IntakeCaseLeader        `json:"case_leader,omitempty"`
	Result       *IntakeResult            `json:"result,omitempty"`
	FollowUps    []FollowUp               `json:"follow_ups,omitempty"`
	RateBy       policy.Date              `json:"rate_by,omitzero"`
	Ratings      []IntakeRating           `json:"ratings,omitempty"`
	RatingClosed bool                     `json:"rating_closed,omitempty"`
	Conversion   *IntakeConversion        `json:"conversion,omitempty"`
	JointReviews []IntakeJointReview      `json:"joint_reviews,omitempty"`
	ClosedOn     policy.Date              `json:"closed_on"`
	ClosedAt     time.Time                `json:"closed_at"`
	Runs         int                      `json:"runs"`
	Journal      journal                  `json:"journal"`
	Outbox       []activities.NoticeInput `json:"outbox,omitempty"`
}

// IntakeView is the live state of an intake case.
type IntakeView struct {
	CaseID       string `json:"case_id"`
	CaseNumber   string `json:"case_number"`
	Process      string `json:"process"`
	Jurisdiction string `json:"jurisdiction"`
	Channel      string `json:"channel"`
	// Parties is empty for a dispute whose parties travel by reference: a
	// reader adds them from PartyList.
	Parties            []Party              `json:"parties"`
	PartyList          *db.PartyList        `json:"party_list,omitempty"`
	Summary            string               `json:"summary"`
	Risk               string               `json:"risk"`
	Hard               bool                 `json:"hard"`
	Urgency            string               `json:"urgency"`
	Stage              string               `json:"stage"`
	Status             string               `json:"status"`
	Outcome            string               `json:"outcome,omitempty"`
	Handler            *IntakeHandler       `json:"handler,omitempty"`
	HandleBy           policy.Date          `json:"handle_by,omitzero"`
	Overdue            bool                 `json:"overdue"`
	EscalatedTo        string               `json:"escalated_to,omitempty"`
	Dispatches         []IntakeDispatch     `json:"dispatches"`
	Regrades           []IntakeRegrade      `json:"regrades"`
	CaseLeader         *IntakeCaseLeader    `json:"case_leader,omitempty"`
	CaseLeaderRequired bool                 `json:"case_leader_required"`
	Result             *IntakeResult        `json:"result,omitempty"`
	FollowUps          []FollowUp           `json:"follow_ups"`
	RateBy             policy.Date          `json:"rate_by,omitzero"`
	Ratings            []IntakeRating       `json:"ratings"`
	RatingClosed       bool                 `json:"rating_closed"`
	Conversion         *IntakeConversion    `json:"conversion,omitempty"`
	JointReviews       []IntakeJointReview  `json:"joint_reviews"`
	OpenedOn           policy.Date          `json:"opened_on"`
	CaseToday          policy.Date          `json:"case_today"`
	ClosedOn           policy.Date          `json:"closed_on"`
	Steps              int                  `json:"steps"`
	Runs               int                  `json:"runs"`
	Clock              casetime.Clock       `json:"clock"`
	Tiers              []policy.UrgencyTier `json:"tiers"`
	RatingWindow       policy.Period        `json:"rating_window"`
}

// IntakeEnd is how the case ended.
type IntakeEnd struct {
	Stage   string `json:"stage"`
	Outcome string `json:"outcome"`
}

type intake struct {
	in IntakeInput
	s  *IntakeState
	// rev counts changes made by handlers, so the main loop wakes to
	// recompute its timers.
	rev      int
	runStart int
	life     *lifetime
}

// Intake runs one dispute from the window to its close-out or its
// conversion into a mediation case, continuing as new as its history needs.
func Intake(ctx workflow.Context, in IntakeInput) (IntakeEnd, error) {
	w := &intake{in: in, s: in.State}
	fresh := w.s == nil
	if fresh {
		if err := w.init(ctx); err != nil {
			return IntakeEnd{}, err
		}
	}
	w.s.Runs++
	w.runStart = w.s.Journal.Seq
	// Handlers are registered before the first yield, so an update sent with
	// the start is never refused for want of a handler.
	if err := w.registerHandlers(ctx); err != nil {
		return IntakeEnd{}, err
	}
	if fresh {
		if err := w.open(ctx); err != nil {
			return IntakeEnd{}, err
		}
	}

	life := newLifetime(ctx, &w.s.Journal, func() bool { return w.s.Journal.Seq-w.runStart >= w.stepsPerRun() })
	w.life = &life
	flush := w.flush
	idle := func() bool { return len(w.s.Journal.Pending) == 0 && len(w.s.Outbox) == 0 }
	for !w.closed() {
		if err := w.s.Journal.settle(ctx, flush); err != nil {
			return IntakeEnd{}, err
		}
		if w.life.due(ctx) && idle() {
			next := w.in
			next.State = w.s
			return IntakeEnd{}, continueAsNew(ctx, flush, idle, Intake, next)
		}
		at, due := w.nextTimer()
		rev := w.rev
		passed, err := waitUntil(ctx, w.in.Clock, at, func() bool {
			return len(w.s.Journal.Pending) > 0 || w.rev != rev || (w.life.due(ctx) && idle())
		})
		if err != nil {
			return IntakeEnd{}, err
		}
		if passed {
			due(ctx)
		}
	}
	if err := endRun(ctx, flush, idle); err != nil {
		return IntakeEnd{}, err
	}
	return IntakeEnd{Stage: w.s.Stage, Outcome: w.s.Outcome}, nil
}

func (w *intake) stepsPerRun() int {
	if w.in.MaxStepsPerRun > 0 {
		return w.in.MaxStepsPerRun
	}
	return intakeStepsPerRun
}

// flush records the pending steps with the case summary, then writes and
// starts the delivery of the notices they decided.
func (w *intake) flush(ctx workflow.Context) error {
	record := w.s.Journal.flush
	if l := w.in.PartyList; l != nil {
		// By reference the store names the parties from the list.
		record = func(ctx workflow.Context, sum *casefile.Summary) error { return w.s.Journal.flushParties(ctx, sum, l) }
	}
	if err := record(ctx, w.summary()); err != nil {
		return err
	}
	return sendNotices(ctx, &w.s.Outbox, w.s.Policy.Notices)
}

func (w *intake) closed() bool {
	return w.s.Stage == IntakeClosed || w.s.Stage == IntakeConverted
}

// init fixes the case clock and an empty state, without yielding.
func (w *intake) init(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	w.in.Clock = w.in.Clock.Started(now)
	if err := w.in.Clock.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	if err := ValidateIntakeInput(w.in); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	w.s = &IntakeState{Stage: IntakeRegistered, OpenedAt: now, Risk: w.in.Risk, Urgency: w.in.Urgency}
	w.s.Journal = journal{CaseID: w.in.CaseID, Stream: intakeStream, Clock: w.in.Clock}
	w.s.OpenedOn = w.s.Journal.today(ctx)
	return nil
}

// ValidateIntakeInput checks what registering a dispute needs; the tier is
// checked against the policy by the API and again when the case opens.
func ValidateIntakeInput(in IntakeInput) error {
	if strings.TrimSpace(in.Jurisdiction) == "" {
		return fmt.Errorf("a dispute needs the jurisdiction whose centre receives it")
	}
	if !slices.Contains(IntakeChannels, in.Channel) {
		return fmt.Errorf("channel must be one of %v, got %q", IntakeChannels, in.Channel)
	}
	if strings.TrimSpace(in.Summary) == "" {
		return fmt.Errorf("a dispute needs a summary of what it is about")
	}
	if !slices.Contains(policy.RiskGrades, in.Risk) {
		return fmt.Errorf("risk must be one of %v, got %q", policy.RiskGrades, in.Risk)
	}
	if strings.TrimSpace(in.Urgency) == "" {
		return fmt.Errorf("a dispute needs its urgency tier")
	}
	if l := in.PartyList; l != nil {
		switch {
		case len(in.Parties) > 0:
			return fmt.Errorf("the parties are listed or referred to, not both")
		case l.ID == "" || l.Parties == 0:
			return fmt.Errorf("a dispute needs at least one party")
		case l.Applicants < 0 || l.Respondents < 0 || l.Applicants+l.Respondents != l.Parties:
			return fmt.Errorf("the party list has %d parties but %d applicants and %d respondents", l.Parties, l.Applicants, l.Respondents)
		}
		return nil
	}
	if len(in.Parties) == 0 {
		return fmt.Errorf("a dispute needs at least one party")
	}
	seen := map[string]bool{}
	for _, p := range in.Parties {
		switch {
		case strings.TrimSpace(p.ID) == "":
			return fmt.Errorf("every party needs an id")
		case seen[p.ID]:
			return fmt.Errorf("party %s is listed twice", p.ID)
		case p.Side != SideApplicant && p.Side != SideRespondent:
			return fmt.Errorf("party %s: side must be applicant or respondent, got %q", p.ID, p.Side)
		}
		seen[p.ID] = true
	}
	return nil
}

// open looks up the policy in force and records the registration. An
// urgency tier the policy does not know (the API refuses one) is handled
// in the least urgent tier, and the step says so.
func (w *intake) open(ctx workflow.Context) error {
	p, err := loadPolicy(ctx, w.in.Jurisdiction)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	w.s.Policy = p
	data := map[string]any{
		"channel": w.in.Channel, "parties": w.in.Parties, "summary": w.in.Summary,
		"risk": w.s.Risk, "urgency": w.s.Urgency, "time_scale": w.in.Clock.Scale,
	}
	if l := w.in.PartyList; l != nil {
		// The list's digest and counts; its parties are in the store.
		data["party_list"] = l
	}
	if _, ok := p.Intake.Tier(w.s.Urgency); !ok && len(p.Intake.Tiers) > 0 {
		data["urgency_asked"] = w.s.Urgency
		w.s.Urgency = p.Intake.Tiers[len(p.Intake.Tiers)-1].Name
		data["urgency"] = w.s.Urgency
	}
	if t, ok := p.Intake.Tier(w.s.Urgency); ok {
		data["handling_period"] = t.Handling
	}
	w.s.Journal.add(ctx, step{
		Kind: "intake_registered", Actor: w.in.ReceivedBy, ReasonCode: "request_" + w.in.Channel,
		Reason: fmt.Sprintf("dispute received by %s at the window, graded %s, %s", w.in.Channel, w.s.Risk, w.s.Urgency),
		Data:   data,
	})
	return nil
}

// current is the latest dispatch still in force (not returned or taken
// back), or nil.
func (w *intake) current() *IntakeDispatch {
	if n := len(w.s.Dispatches); n > 0 {
		d := &w.s.Dispatches[n-1]
		if d.ReturnedOn.IsZero() && !d.Withdrawn {
			return d
		}
	}
	return nil
}

// caseLeaderRequired reports whether the risk grade, or the dispute being
// hard, calls for a case-leader record.
func (w *intake) caseLeaderRequired() bool {
	return w.s.Hard || slices.Contains(w.s.Policy.Intake.CaseLeaderGrades, w.s.Risk)
}

// nextTimer returns the earliest pending timed step and what it does.
func (w *intake) nextTimer() (time.Time, func(workflow.Context)) {
	var at time.Time
	var due func(workflow.Context)
	consider := func(t time.Time, f func(workflow.Context)) {
		if due == nil || t.Before(at) {
			at, due = t, f
		}
	}
	if d := w.current(); d != nil && !d.Overdue && (w.s.Stage == IntakeDispatched || w.s.Stage == IntakeHandling) {
		consider(d.HandleBy.End(), w.handlingOverdue)
	}
	if l := w.s.CaseLeader; l != nil && !l.DeadlinePassed && w.s.Result == nil && !w.closed() {
		consider(l.ResolveBy.End(), w.caseLeaderDeadlinePassed)
	}
	if w.s.Stage == IntakeFollowingUp {
		if f := nextFollowUp(w.s.FollowUps); f != nil && !f.Due {
			consider(f.DueOn.Start(), func(ctx workflow.Context) { followUpFallsDue(ctx, &w.s.Journal, f, w.dispatcher()) })
		}
		if !w.s.RatingClosed {
			consider(w.s.RateBy.End(), w.ratingWindowCloses)
		}
	}
	return at, due
}

// dispatcher is who dispatched the case last, or who received it.
func (w *intake) dispatcher() string {
	if n := len(w.s.Dispatches); n > 0 {
		return w.s.Dispatches[n-1].DispatchedBy
	}
	return w.in.ReceivedBy.Subject
}

// handlingOverdue records that the handler did not record an outcome by
// the deadline: the case is escalated to the centre, and the dispatcher
// (and the case leader, if any) is sent a notice.
func (w *intake) handlingOverdue(ctx workflow.Context) {
	d := w.current()
	d.Overdue = true
	w.s.EscalatedTo = "centre"
	seq := w.s.Journal.add(ctx, step{
		At:   d.HandleBy.End(),
		Kind: "handling_overdue", Actor: casefile.System, ReasonCode: "handling_period_passed",
		Reason: fmt.Sprintf("%s (%s) recorded no outcome by %s; escalated to the centre", d.Handler.Unit, d.Handler.Subject, d.HandleBy),
		Data: map[string]any{
			"dispatch": d.No, "handler": d.Handler, "handle_by": d.HandleBy, "urgency": d.Urgency,
			"stage": w.s.Stage, "escalated_to": w.s.EscalatedTo,
		},
	})
	body := fmt.Sprintf("纠纷 %s 已超过办理期限（%s）：承办单位 %s 未报送办理结果，已提级至中心督办。", w.in.CaseNumber, d.HandleBy, d.Handler.Unit)
	notice := func(kind, to string) {
		w.s.Outbox = append(w.s.Outbox, activities.NoticeInput{
			CaseID: w.in.CaseID, Stream: intakeStream, Installment: d.No, Kind: kind, Seq: seq,
			Recipient: to, CaseOn: d.HandleBy, Body: body,
		})
	}
	notice(NoticeHandlingOverdue, d.DispatchedBy)
	if l := w.s.CaseLeader; l != nil && l.Leader != d.DispatchedBy {
		notice(NoticeHandlingOverdueLeader, l.Leader)
	}
}

// caseLeaderDeadlinePassed records that the case leader's resolution
// deadline passed with no outcome.
func (w *intake) caseLeaderDeadlinePassed(ctx workflow.Context) {
	l := w.s.CaseLeader
	l.DeadlinePassed = true
	w.s.Journal.add(ctx, step{
		At:   l.ResolveBy.End(),
		Kind: "case_leader_deadline_passed", Actor: casefile.System, ReasonCode: "resolution_overdue",
		Reason: fmt.Sprintf("no outcome by %s, the resolution deadline of case leader %s", l.ResolveBy, l.Leader),
		Data:   map[string]any{"resolve_by": l.ResolveBy, "case_leader": l.Leader, "lead_department": l.LeadDepartment},
	})
}

// ratingWindowCloses records the end of the rating window.
func (w *intake) ratingWindowCloses(ctx workflow.Context) {
	w.s.RatingClosed = true
	w.s.Journal.add(ctx, step{
		At:   w.s.RateBy.End(),
		Kind: "rating_window_closed", Actor: casefile.System, ReasonCode: "rating_window",
		Reason: fmt.Sprintf("the rating window closed on %s with %d rating(s)", w.s.RateBy, len(w.s.Ratings)),
		Data:   map[string]any{"rate_by": w.s.RateBy, "ratings": len(w.s.Ratings)},
	})
	w.closeIfDone(ctx)
}

// closeIfDone closes the case out (销号) once every follow-up visit is made
// and the rating window has closed.
func (w *intake) closeIfDone(ctx workflow.Context) int {
	if w.s.Stage != IntakeFollowingUp || !w.s.RatingClosed || nextFollowUp(w.s.FollowUps) != nil {
		return 0
	}
	w.s.Stage, w.s.Outcome = IntakeClosed, w.s.Result.Outcome
	w.s.ClosedOn, w.s.ClosedAt = w.s.Journal.today(ctx), workflow.Now(ctx)
	return w.s.Journal.add(ctx, step{
		Kind: "intake_closed", Actor: casefile.System, ReasonCode: "closed_out",
		Reason: fmt.Sprintf("followed up %d time(s), rated %d time(s); closed out (销号)", len(w.s.FollowUps), len(w.s.Ratings)),
		Data:   map[string]any{"outcome": w.s.Result.Outcome, "follow_ups": len(w.s.FollowUps), "ratings": len(w.s.Ratings)},
	})
}

func (w *intake) status() casefile.Status {
	if w.closed() {
		return casefile.StatusClosed
	}
	return casefile.StatusOpen
}

// pendingDeadline is the deadline the ledger shows: the handling deadline
// while the dispute is dispatched or handled (still shown once passed, so
// the case lists as overdue), then the next follow-up visit or the end of
// the rating window.
func (w *intake) pendingDeadline() *casefile.Deadline {
	ds := w.deadlines()
	if len(ds) == 0 {
		return nil
	}
	first := ds[0]
	for _, d := range ds[1:] {
		if d.On.Before(first.On) {
			first = d
		}
	}
	return &first
}

// deadlines are the case's pending deadlines, as its view lists them.
func (w *intake) deadlines() []casefile.Deadline {
	v := IntakeView{Stage: w.s.Stage, CaseLeader: w.s.CaseLeader, FollowUps: w.s.FollowUps, RateBy: w.s.RateBy, RatingClosed: w.s.RatingClosed}
	if d := w.current(); d != nil {
		v.HandleBy = d.HandleBy
	}
	return v.Deadlines()
}

func (w *intake) partyIDs() []string {
	ids := make([]string, 0, len(w.in.Parties))
	for _, p := range w.in.Parties {
		ids = append(ids, p.ID)
	}
	return ids
}

func (w *intake) summary() *casefile.Summary {
	sum := &casefile.Summary{
		ID: w.in.CaseID, CaseNumber: w.in.CaseNumber, Process: casefile.ProcessIntake,
		WorkflowID: IntakeWorkflowID(w.in.CaseID), Jurisdiction: w.in.Jurisdiction, Parties: w.partyIDs(),
		Stage: w.s.Stage, Status: w.status(), Outcome: w.s.Outcome,
		Clock: w.in.Clock, OpenedOn: w.s.OpenedOn, ClosedOn: w.s.ClosedOn,
		OpenedAt: w.s.OpenedAt, ClosedAt: w.s.ClosedAt,
		NextDeadline: w.pendingDeadline(),
	}
	if n := len(w.s.Dispatches); n > 0 {
		h := w.s.Dispatches[n-1].Handler
		sum.Organisation = h.Unit
		if h.Role == casefile.RoleMediator {
			// A mediator reads the cases assigned to them.
			sum.Mediator = h.Subject
		}
	}
	if l := w.s.CaseLeader; l != nil {
		sum.CaseLeader = l.Leader
	}
	if r := w.s.Result; r != nil {
		switch r.Outcome {
		case IntakeResolved:
			sum.Resolution = casefile.Resolved
		default:
			sum.Resolution = casefile.Unresolved
		}
	}
	sum.FollowUpsDue, sum.FollowUpsDone = countFollowUps(w.s.FollowUps)
	return sum
}

func (w *intake) view(ctx workflow.Context) IntakeView {
	v := IntakeView{
		CaseID: w.in.CaseID, CaseNumber: w.in.CaseNumber, Process: string(casefile.ProcessIntake),
		Jurisdiction: w.in.Jurisdiction, Channel: w.in.Channel, Parties: slices.Clone(w.in.Parties), PartyList: w.in.PartyList,
		Summary: w.in.Summary, Risk: w.s.Risk, Hard: w.s.Hard, Urgency: w.s.Urgency,
		Stage: w.s.Stage, Status: string(w.status()), Outcome: w.s.Outcome, EscalatedTo: w.s.EscalatedTo,
		Dispatches: slices.Clone(w.s.Dispatches), Regrades: slices.Clone(w.s.Regrades),
		CaseLeaderRequired: w.caseLeaderRequired(),
		FollowUps:          slices.Clone(w.s.FollowUps), RateBy: w.s.RateBy, Ratings: slices.Clone(w.s.Ratings),
		RatingClosed: w.s.RatingClosed, OpenedOn: w.s.OpenedOn, CaseToday: w.s.Journal.today(ctx),
		ClosedOn: w.s.ClosedOn, Steps: w.s.Journal.Seq, Runs: w.s.Runs, Clock: w.in.Clock,
		Tiers: slices.Clone(w.s.Policy.Intake.Tiers), RatingWindow: w.s.Policy.Intake.RatingWindow,
	}
	if v.Dispatches == nil {
		v.Dispatches = []IntakeDispatch{}
	}
	if v.Regrades == nil {
		v.Regrades = []IntakeRegrade{}
	}
	if v.FollowUps == nil {
		v.FollowUps = []FollowUp{}
	}
	if v.Ratings == nil {
		v.Ratings = []IntakeRating{}
	}
	v.JointReviews = make([]IntakeJointReview, 0, len(w.s.JointReviews))
	for _, r := range w.s.JointReviews {
		r.Participants = slices.Clone(r.Participants)
		v.JointReviews = append(v.JointReviews, r)
	}
	if d := w.current(); d != nil {
		h := d.Handler
		v.Handler, v.HandleBy, v.Overdue = &h, d.HandleBy, d.Overdue && w.s.Result == nil
	}
	if l := w.s.CaseLeader; l != nil {
		c := *l
		c.CooperatingUnits = slices.Clone(l.CooperatingUnits)
		v.CaseLeader = &c
	}
	if r := w.s.Result; r != nil {
		c := *r
		v.Result = &c
	}
	if c := w.s.Conversion; c != nil {
		cc := *c
		v.Conversion = &cc
	}
	return v
}

// Deadlines lists the intake case's pending deadlines.
func (v *IntakeView) Deadlines() []casefile.Deadline {
	var out []casefile.Deadline
	switch v.Stage {
	case IntakeDispatched, IntakeHandling:
		out = append(out, pending(intakeDeadlineHandling, v.HandleBy)...)
		if v.CaseLeader != nil {
			out = append(out, pending(intakeDeadlineCaseLeader, v.CaseLeader.ResolveBy)...)
		}
	case IntakeFollowingUp:
		out = append(out, followUpDeadlines(v.FollowUps)...)
		if !v.RatingClosed {
			out = append(out, pending(intakeDeadlineRating, v.RateBy)...)
		}
	}
	return out
}
