package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/policy"
)

// Boundary is the negotiation of a decades-old boundary dispute of
// DOMAIN.md Process 2 (边界草场纠纷): two or more parties, often in different
// jurisdictions, negotiate in rounds up the tiers of the "三二一" practice —
// village, then township, then the county, whose tier is final — with
// interim stabilisation (稳控) after incidents and, for a hard case, a case
// leader (领导包案) with a resolution deadline. A settlement signed by every
// party takes effect and is then followed up for years. Such a case can
// stay open for years with hundreds of steps, so its workflow continues as
// new to keep its history bounded, carrying its whole state.

// boundaryStream is the journal stream of the boundary process.
const boundaryStream = "boundary"

// boundaryStepsPerRun bounds the steps one workflow run takes before it
// continues as new, whatever the server suggests: a case negotiated for
// years must never approach the history limits. It is a technical bound,
// not a legal period.
const boundaryStepsPerRun = 500

// BoundaryWorkflowID is the workflow ID of a case's boundary negotiation.
func BoundaryWorkflowID(caseID string) string { return "case/" + caseID + "/boundary" }

// Update names of the boundary workflow; it answers UpdateOpened and
// QueryState too.
const (
	UpdateBoundaryScheduleRound  = "boundary-schedule-round"
	UpdateBoundaryRecordRound    = "boundary-record-round"
	UpdateBoundaryStabilise      = "boundary-stabilise"
	UpdateBoundaryEscalate       = "boundary-escalate"
	UpdateBoundaryAssignLeader   = "boundary-assign-case-leader"
	UpdateBoundarySettlement     = "boundary-settlement"
	UpdateBoundarySign           = "boundary-sign"
	UpdateBoundaryRecordFollowUp = "boundary-record-follow-up"
)

// Stages of a boundary case.
const (
	BoundaryNegotiating = "negotiating"
	// BoundarySigning: the settlement's terms are recorded and the parties
	// are signing.
	BoundarySigning = "signing"
	// BoundaryMonitoring: the settlement took effect; markers are checked
	// and follow-up visits made.
	BoundaryMonitoring = "monitoring"
	BoundaryClosed     = "closed"
)

// BoundarySettled is the outcome of a case whose settlement took effect.
const BoundarySettled = "settled"

// Tiers of the negotiation, lowest first ("三二一").
const (
	TierVillage  = "village"
	TierTownship = "township"
	TierCounty   = "county"
)

// boundaryTiers are the tiers in the order a case escalates through them.
var boundaryTiers = []string{TierVillage, TierTownship, TierCounty}

// Outcomes of a negotiation round.
const (
	RoundProgress             = "progress"
	RoundNoProgress           = "no_progress"
	RoundAgreementInPrinciple = "agreement_in_principle"
	RoundIncident             = "incident"
)

// Statuses of a round, and the kinds of deadline the ledger shows.
const (
	roundStatusScheduled       = "scheduled"
	roundStatusHeld            = "held"
	boundaryDeadlineResolution = "resolution_deadline"
	boundaryDeadlineFollowUp   = "boundary_follow_up"
)

// Statuses of a boundary marker, as a check finds it.
const (
	MarkerInstalled = "installed"
	MarkerIntact    = "intact"
	MarkerDamaged   = "damaged"
	MarkerMissing   = "missing"
)

// BoundaryParty is one side of the dispute: a village committee, a
// township or a joint party organisation (联合党组织), with whoever
// represents it. ID is the subject it signs in as.
type BoundaryParty struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Jurisdiction   string `json:"jurisdiction"`
	Representative string `json:"representative"`
}

// BoundaryInput opens a boundary case. State is set only when the workflow
// continues as new, carrying everything it knew.
type BoundaryInput struct {
	CaseID       string          `json:"case_id"`
	CaseNumber   string          `json:"case_number"`
	Court        string          `json:"court,omitempty"`
	Jurisdiction string          `json:"jurisdiction"`
	Title        string          `json:"title"`
	Parties      []BoundaryParty `json:"parties"`
	// Since is the year the dispute began (e.g. 1985), for the record.
	Since int `json:"since,omitempty"`
	// Organiser is the mediator subject who organises the negotiation.
	Organiser string `json:"organiser"`
	// CaseLeader is the supervisor assigned at opening, if any.
	CaseLeader string `json:"case_leader,omitempty"`
	// OpenedBy is named "actor" so the audit timeline attributes the
	// workflow's start to them.
	OpenedBy casefile.Actor `json:"actor"`
	Clock    casetime.Clock `json:"clock"`
	// MaxStepsPerRun overrides boundaryStepsPerRun (tests set it small).
	MaxStepsPerRun int `json:"max_steps_per_run,omitempty"`
	// SourceCaseID is the intake case this case was converted from, if
	// any.
	SourceCaseID string `json:"source_case_id,omitempty"`

	State *BoundaryState `json:"state,omitempty"`
}

// BoundaryRound is one negotiation round: scheduled, then held and
// recorded with its outcome.
type BoundaryRound struct {
	ID          string      `json:"id"`
	Tier        string      `json:"tier"`
	ScheduledOn policy.Date `json:"scheduled_on"`
	Venue       string      `json:"venue"`
	ScheduledBy string      `json:"scheduled_by"`
	Status      string      `json:"status"`
	HeldOn      policy.Date `json:"held_on,omitzero"`
	Outcome     string      `json:"outcome,omitempty"`
	Note        string      `json:"note,omitempty"`
	RecordedBy  string      `json:"recorded_by,omitempty"`
}

// BoundaryStabilisation is an interim measure (稳控) after an incident.
type BoundaryStabilisation struct {
	No int `json:"no"`
	// Incident describes what happened; Round names the round whose outcome
	// was the incident, when it happened at a round.
	Incident        string      `json:"incident,omitempty"`
	Round           string      `json:"round,omitempty"`
	Measure         string      `json:"measure"`
	ResponsibleUnit string      `json:"responsible_unit"`
	ReviewOn        policy.Date `json:"review_on"`
	RecordedOn      policy.Date `json:"recorded_on"`
	RecordedBy      string      `json:"recorded_by"`
	// ReviewDue is set once the review date has come.
	ReviewDue bool `json:"review_due,omitempty"`
}

// BoundaryEscalation is one move up the tiers.
type BoundaryEscalation struct {
	From       string      `json:"from"`
	To         string      `json:"to"`
	On         policy.Date `json:"on"`
	HeldRounds int         `json:"held_rounds"`
	Reason     string      `json:"reason,omitempty"`
	By         string      `json:"by"`
}

// BoundaryMarker is a boundary marker (界桩) the settlement sets, with what
// the latest check found.
type BoundaryMarker struct {
	ID          string      `json:"id"`
	Description string      `json:"description"`
	Coordinates string      `json:"coordinates"`
	Status      string      `json:"status,omitempty"`
	CheckedOn   policy.Date `json:"checked_on,omitzero"`
}

// BoundarySignature is one party's signature, given by its representative.
type BoundarySignature struct {
	Party    string      `json:"party"`
	SignedBy string      `json:"signed_by"`
	SignedOn policy.Date `json:"signed_on"`
}

// BoundarySettlement is the settlement agreement, its signatures and,
// once every party signed, its effective date.
type BoundarySettlement struct {
	Terms        string              `json:"terms"`
	Markers      []BoundaryMarker    `json:"markers"`
	GrazingRules string              `json:"grazing_rules"`
	Tier         string              `json:"tier"`
	RecordedOn   policy.Date         `json:"recorded_on"`
	RecordedBy   string              `json:"recorded_by"`
	Signatures   []BoundarySignature `json:"signatures"`
	EffectiveOn  policy.Date         `json:"effective_on,omitzero"`
	FollowUpTill policy.Date         `json:"follow_up_till,omitzero"`
}

// BoundaryMarkerCheck is what a follow-up visit found at one marker.
type BoundaryMarkerCheck struct {
	Marker string `json:"marker"`
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

// BoundaryFollowUp is one scheduled follow-up visit after the settlement.
type BoundaryFollowUp struct {
	No         int                   `json:"no"`
	DueOn      policy.Date           `json:"due_on"`
	Due        bool                  `json:"due,omitempty"`
	RecordedOn policy.Date           `json:"recorded_on,omitzero"`
	Holds      bool                  `json:"holds"`
	Note       string                `json:"note,omitempty"`
	Checks     []BoundaryMarkerCheck `json:"checks,omitempty"`
	By         string                `json:"by,omitempty"`
}

// BoundaryState is everything the workflow knows about the case; it is
// carried whole across continue-as-new.
type BoundaryState struct {
	Stage            string        `json:"stage"`
	Outcome          string        `json:"outcome,omitempty"`
	Tier             string        `json:"tier"`
	Policy           policy.Policy `json:"policy"`
	OpenedOn         policy.Date   `json:"opened_on"`
	OpenedAt         time.Time     `json:"opened_at"`
	CaseLeader       string        `json:"case_leader,omitempty"`
	LeaderAssignedOn policy.Date   `json:"leader_assigned_on,omitzero"`
	ResolveBy        policy.Date   `json:"resolve_by,omitzero"`
	// DeadlinePassed is set when the resolution deadline passed with no
	// settlement in effect; it stays set, for the record.
	DeadlinePassed bool                    `json:"deadline_passed,omitempty"`
	Rounds         []BoundaryRound         `json:"rounds,omitempty"`
	Stabilisations []BoundaryStabilisation `json:"stabilisations,omitempty"`
	Escalations    []BoundaryEscalation    `json:"escalations,omitempty"`
	Settlement     *BoundarySettlement     `json:"settlement,omitempty"`
	FollowUps      []BoundaryFollowUp      `json:"follow_ups,omitempty"`
	ClosedOn       policy.Date             `json:"closed_on"`
	ClosedAt       time.Time               `json:"closed_at"`
	// Runs counts the workflow runs the case has taken (1 before any
	// continue-as-new).
	Runs    int     `json:"runs"`
	Journal journal `json:"journal"`
}

// BoundaryView is the live state of a boundary case, as the state query
// and every command answer it.
type BoundaryView struct {
	CaseID           string          `json:"case_id"`
	CaseNumber       string          `json:"case_number"`
	Process          string          `json:"process"`
	Jurisdiction     string          `json:"jurisdiction"`
	Title            string          `json:"title"`
	SourceCaseID     string          `json:"source_case_id,omitempty"`
	Since            int             `json:"since,omitempty"`
	Parties          []BoundaryParty `json:"parties"`
	Organiser        string          `json:"organiser"`
	CaseLeader       string          `json:"case_leader,omitempty"`
	LeaderAssignedOn policy.Date     `json:"leader_assigned_on,omitzero"`
	ResolveBy        policy.Date     `json:"resolve_by,omitzero"`
	// Overdue: the resolution deadline passed and no settlement is in effect.
	Overdue           bool                    `json:"overdue"`
	Stage             string                  `json:"stage"`
	Status            string                  `json:"status"`
	Outcome           string                  `json:"outcome,omitempty"`
	Tier              string                  `json:"tier"`
	HeldRounds        map[string]int          `json:"held_rounds"`
	Rounds            []BoundaryRound         `json:"rounds"`
	Stabilisations    []BoundaryStabilisation `json:"stabilisations"`
	Escalations       []BoundaryEscalation    `json:"escalations"`
	Settlement        *BoundarySettlement     `json:"settlement,omitempty"`
	FollowUps         []BoundaryFollowUp      `json:"follow_ups"`
	OpenedOn          policy.Date             `json:"opened_on"`
	CaseToday         policy.Date             `json:"case_today"`
	ClosedOn          policy.Date             `json:"closed_on"`
	Steps             int                     `json:"steps"`
	Runs              int                     `json:"runs"`
	Clock             casetime.Clock          `json:"clock"`
	VillageMinRounds  int                     `json:"village_min_rounds"`
	TownshipMinRounds int                     `json:"township_min_rounds"`
	ResolutionPeriod  policy.Period           `json:"resolution_period"`
	FollowUpEvery     policy.Period           `json:"follow_up_every"`
	FollowUpFor       policy.Period           `json:"follow_up_for"`
}

// BoundaryResult is how the case ended.
type BoundaryResult struct {
	Stage   string `json:"stage"`
	Outcome string `json:"outcome"`
}

type boundary struct {
	in BoundaryInput
	s  *BoundaryState
	// rev counts changes made by handlers, so the main loop wakes to
	// recompute its timers.
	rev int
	// runStart is the journal's last step when this run began.
	runStart int
	// life decides when the run hands over to a new one.
	life *lifetime
}

// Boundary runs one boundary-dispute case until its follow-up visits are
// done, continuing as new as often as its history needs.
func Boundary(ctx workflow.Context, in BoundaryInput) (BoundaryResult, error) {
	b := &boundary{in: in, s: in.State}
	fresh := b.s == nil
	if fresh {
		if err := b.init(ctx); err != nil {
			return BoundaryResult{}, err
		}
	}
	b.s.Runs++
	b.runStart = b.s.Journal.Seq
	// Handlers are registered before the first yield, so an update sent with
	// the start is never refused for want of a handler.
	if err := b.registerHandlers(ctx); err != nil {
		return BoundaryResult{}, err
	}
	if fresh {
		if err := b.open(ctx); err != nil {
			return BoundaryResult{}, err
		}
	}

	life := newLifetime(ctx, &b.s.Journal, func() bool { return b.s.Journal.Seq-b.runStart >= b.stepsPerRun() })
	b.life = &life
	flush := func(ctx workflow.Context) error { return b.s.Journal.flush(ctx, b.summary()) }
	idle := func() bool { return len(b.s.Journal.Pending) == 0 }
	for b.s.Stage != BoundaryClosed {
		if err := b.s.Journal.flush(ctx, b.summary()); err != nil {
			return BoundaryResult{}, err
		}
		if b.shouldContinueAsNew(ctx) {
			next := b.in
			next.State = b.s
			return BoundaryResult{}, continueAsNew(ctx, flush, idle, Boundary, next)
		}
		// Wake when a timer is due, when a command changed the case, or when
		// the last handler of a run that has grown enough finished, so the
		// run hands over without waiting for the next command.
		at, due := b.nextTimer()
		rev := b.rev
		passed, err := waitUntil(ctx, b.in.Clock, at, func() bool {
			return len(b.s.Journal.Pending) > 0 || b.rev != rev || b.shouldContinueAsNew(ctx)
		})
		if err != nil {
			return BoundaryResult{}, err
		}
		if passed {
			due(ctx)
		}
	}

	// Record the last steps, then let every handler waiting on them return
	// before the workflow closes.
	if err := endRun(ctx, flush, idle); err != nil {
		return BoundaryResult{}, err
	}
	return BoundaryResult{Stage: b.s.Stage, Outcome: b.s.Outcome}, nil
}

// shouldContinueAsNew reports whether this run has grown enough to hand
// over to a new one, and can: everything recorded, no handler running.
// Boundary cases woke for it before continue-when-due, so it holds in every
// run.
func (b *boundary) shouldContinueAsNew(ctx workflow.Context) bool {
	return b.life.due(ctx) && len(b.s.Journal.Pending) == 0
}

func (b *boundary) stepsPerRun() int {
	if b.in.MaxStepsPerRun > 0 {
		return b.in.MaxStepsPerRun
	}
	return boundaryStepsPerRun
}

// init fixes the case clock and an empty state, without yielding.
func (b *boundary) init(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	b.in.Clock = b.in.Clock.Started(now)
	if err := b.in.Clock.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	if err := ValidateBoundaryInput(b.in); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	b.s = &BoundaryState{Stage: BoundaryNegotiating, Tier: TierVillage, OpenedAt: now}
	b.s.Journal = journal{CaseID: b.in.CaseID, Stream: boundaryStream, Clock: b.in.Clock}
	b.s.OpenedOn = b.s.Journal.today(ctx)
	return nil
}

// ValidateBoundaryInput checks what opening a case needs: at least two
// distinct, represented parties, a jurisdiction and an organiser.
func ValidateBoundaryInput(in BoundaryInput) error {
	if strings.TrimSpace(in.Jurisdiction) == "" {
		return fmt.Errorf("a boundary case needs the jurisdiction handling it")
	}
	if strings.TrimSpace(in.Organiser) == "" {
		return fmt.Errorf("a boundary case needs the mediator organising the negotiation")
	}
	if len(in.Parties) < 2 {
		return fmt.Errorf("a boundary dispute has at least two parties, got %d", len(in.Parties))
	}
	seen := map[string]bool{}
	for _, p := range in.Parties {
		switch {
		case strings.TrimSpace(p.ID) == "":
			return fmt.Errorf("every party needs an id")
		case seen[p.ID]:
			return fmt.Errorf("party %s is listed twice", p.ID)
		case strings.TrimSpace(p.Representative) == "":
			return fmt.Errorf("party %s has no representative", p.ID)
		case strings.TrimSpace(p.Jurisdiction) == "":
			return fmt.Errorf("party %s has no jurisdiction", p.ID)
		}
		seen[p.ID] = true
	}
	if in.Since != 0 && (in.Since < 1900 || in.Since > 2200) {
		return fmt.Errorf("since must be the year the dispute began, got %d", in.Since)
	}
	return nil
}

// open looks up the policy in force, records the opening and, when a case
// leader is named, sets the resolution deadline.
func (b *boundary) open(ctx workflow.Context) error {
	p, err := loadPolicy(ctx, b.in.Jurisdiction)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	b.s.Policy = p
	b.s.Journal.add(ctx, step{
		Kind: "boundary_opened", Actor: b.in.OpenedBy, ReasonCode: "hard_case_opened",
		Reason: fmt.Sprintf("boundary dispute %q opened for tiered negotiation", b.in.Title),
		Data: map[string]any{
			"title": b.in.Title, "since": b.in.Since, "parties": b.in.Parties, "organiser": b.in.Organiser,
			"tier": b.s.Tier, "village_min_rounds": p.Boundary.VillageMinRounds,
			"township_min_rounds": p.Boundary.TownshipMinRounds, "time_scale": b.in.Clock.Scale,
		},
	})
	if b.in.CaseLeader != "" {
		if _, err := b.assignLeader(ctx, b.in.CaseLeader, b.in.OpenedBy, "case leader named when the case opened"); err != nil {
			return err
		}
	}
	return nil
}

// assignLeader makes subject the case leader. The resolution deadline runs
// from the first assignment; handing the case over does not restart it.
func (b *boundary) assignLeader(ctx workflow.Context, subject string, by casefile.Actor, reason string) (int, error) {
	if b.s.ResolveBy.IsZero() && lookupFirst(ctx) {
		// The resolution deadline is looked up before the case changes: a
		// failed lookup leaves it as it was, and an assignment made while
		// this one waited keeps its own start.
		today := b.s.Journal.today(ctx)
		resolveBy, err := deadline(ctx, b.in.Jurisdiction, today, b.s.Policy.Boundary.ResolutionPeriod)
		if err != nil {
			return 0, fmt.Errorf("resolution deadline: %w", err)
		}
		if b.s.ResolveBy.IsZero() {
			b.s.LeaderAssignedOn, b.s.ResolveBy = today, resolveBy
		}
	}
	previous := b.s.CaseLeader
	b.s.CaseLeader = subject
	data := map[string]any{"case_leader": subject, "previous": previous}
	if b.s.ResolveBy.IsZero() {
		today := b.s.Journal.today(ctx)
		by, err := deadline(ctx, b.in.Jurisdiction, today, b.s.Policy.Boundary.ResolutionPeriod)
		if err != nil {
			b.s.CaseLeader = previous
			return 0, fmt.Errorf("resolution deadline: %w", err)
		}
		b.s.LeaderAssignedOn, b.s.ResolveBy = today, by
	}
	data["resolve_by"], data["resolution_period"] = b.s.ResolveBy, b.s.Policy.Boundary.ResolutionPeriod
	b.rev++
	return b.s.Journal.add(ctx, step{
		Kind: "case_leader_assigned", Actor: by, Reason: reason, ReasonCode: "leader_responsibility",
		Data: data,
	}), nil
}

// nextTimer returns the earliest pending timed step and what it does.
func (b *boundary) nextTimer() (time.Time, func(workflow.Context)) {
	var at time.Time
	var due func(workflow.Context)
	consider := func(t time.Time, f func(workflow.Context)) {
		if due == nil || t.Before(at) {
			at, due = t, f
		}
	}
	if !b.s.ResolveBy.IsZero() && !b.settled() && !b.s.DeadlinePassed {
		consider(b.s.ResolveBy.End(), b.resolutionDeadlinePassed)
	}
	for i := range b.s.Stabilisations {
		if st := &b.s.Stabilisations[i]; !st.ReviewDue {
			consider(st.ReviewOn.Start(), func(ctx workflow.Context) { b.reviewDue(ctx, i) })
		}
	}
	if f := b.nextFollowUp(); f != nil && !f.Due {
		consider(f.DueOn.Start(), func(ctx workflow.Context) { b.followUpDue(ctx, f) })
	}
	return at, due
}

func (b *boundary) settled() bool {
	return b.s.Settlement != nil && !b.s.Settlement.EffectiveOn.IsZero()
}

// nextFollowUp is the earliest scheduled visit not yet recorded.
func (b *boundary) nextFollowUp() *BoundaryFollowUp {
	for i := range b.s.FollowUps {
		if b.s.FollowUps[i].RecordedOn.IsZero() {
			return &b.s.FollowUps[i]
		}
	}
	return nil
}

// resolutionDeadlinePassed records that the case leader's deadline passed
// without a settlement in effect; the ledger then lists the case overdue.
func (b *boundary) resolutionDeadlinePassed(ctx workflow.Context) {
	b.s.DeadlinePassed = true
	b.s.Journal.add(ctx, step{
		At:   b.s.ResolveBy.End(),
		Kind: "resolution_deadline_passed", Actor: casefile.System, ReasonCode: "resolution_overdue",
		Reason: fmt.Sprintf("no settlement in effect by %s, the deadline given to case leader %s", b.s.ResolveBy, b.s.CaseLeader),
		Data:   map[string]any{"resolve_by": b.s.ResolveBy, "case_leader": b.s.CaseLeader, "stage": b.s.Stage, "tier": b.s.Tier},
	})
}

// reviewDue records that a stabilisation measure is due for review.
func (b *boundary) reviewDue(ctx workflow.Context, i int) {
	st := &b.s.Stabilisations[i]
	st.ReviewDue = true
	b.s.Journal.add(ctx, step{
		At:   st.ReviewOn.Start(),
		Kind: "stabilisation_review_due", Actor: casefile.System, ReasonCode: "stabilisation_review",
		Reason: fmt.Sprintf("stabilisation measure %d (%s, %s) is due for review", st.No, st.Measure, st.ResponsibleUnit),
		Data:   map[string]any{"stabilisation": st.No, "review_on": st.ReviewOn, "responsible_unit": st.ResponsibleUnit},
	})
}

// followUpDue records that a follow-up visit has fallen due.
func (b *boundary) followUpDue(ctx workflow.Context, f *BoundaryFollowUp) {
	f.Due = true
	b.s.Journal.add(ctx, step{
		At:   f.DueOn.Start(),
		Kind: "follow_up_due", Actor: casefile.System, ReasonCode: "follow_up_schedule",
		Reason: fmt.Sprintf("follow-up visit %d of %d after the settlement is due on %s", f.No, len(b.s.FollowUps), f.DueOn),
		Data:   map[string]any{"visit": f.No, "due_on": f.DueOn, "of": len(b.s.FollowUps)},
	})
}

// heldRounds counts the rounds held at tier.
func (b *boundary) heldRounds(tier string) int {
	n := 0
	for _, r := range b.s.Rounds {
		if r.Tier == tier && r.Status == roundStatusHeld {
			n++
		}
	}
	return n
}

func (b *boundary) status() casefile.Status {
	if b.s.Stage == BoundaryClosed {
		return casefile.StatusClosed
	}
	return casefile.StatusOpen
}

// pendingDeadline is the deadline the ledger shows: the resolution
// deadline until the settlement takes effect (still shown once passed, so
// the case lists as overdue), then the next follow-up visit.
func (b *boundary) pendingDeadline() *casefile.Deadline {
	if b.s.Stage == BoundaryClosed {
		return nil
	}
	if !b.settled() {
		if b.s.ResolveBy.IsZero() {
			return nil
		}
		return &casefile.Deadline{Kind: boundaryDeadlineResolution, On: b.s.ResolveBy, At: b.s.ResolveBy.End()}
	}
	if f := b.nextFollowUp(); f != nil {
		return &casefile.Deadline{Kind: boundaryDeadlineFollowUp, On: f.DueOn, At: f.DueOn.End()}
	}
	return nil
}

func (b *boundary) partyIDs() []string {
	ids := make([]string, 0, len(b.in.Parties))
	for _, p := range b.in.Parties {
		ids = append(ids, p.ID)
	}
	return ids
}

func (b *boundary) summary() *casefile.Summary {
	sum := &casefile.Summary{
		ID: b.in.CaseID, CaseNumber: b.in.CaseNumber, Process: casefile.ProcessBoundary,
		WorkflowID: BoundaryWorkflowID(b.in.CaseID), Court: b.in.Court, Jurisdiction: b.in.Jurisdiction,
		Mediator: b.in.Organiser, CaseLeader: b.s.CaseLeader, Parties: b.partyIDs(),
		Stage: b.s.Stage, Status: b.status(), Outcome: b.s.Outcome,
		Clock: b.in.Clock, OpenedOn: b.s.OpenedOn, ClosedOn: b.s.ClosedOn,
		OpenedAt: b.s.OpenedAt, ClosedAt: b.s.ClosedAt,
		NextDeadline: b.pendingDeadline(), SourceCaseID: b.in.SourceCaseID,
	}
	if b.settled() {
		sum.Resolution = casefile.Resolved
	}
	for _, f := range b.s.FollowUps {
		if f.Due {
			sum.FollowUpsDue++
		}
		if !f.RecordedOn.IsZero() {
			sum.FollowUpsDone++
		}
	}
	return sum
}

func (b *boundary) view(ctx workflow.Context) BoundaryView {
	held := map[string]int{}
	for _, t := range boundaryTiers {
		held[t] = b.heldRounds(t)
	}
	var settlement *BoundarySettlement
	if s := b.s.Settlement; s != nil {
		c := *s
		c.Markers = slices.Clone(s.Markers)
		c.Signatures = slices.Clone(s.Signatures)
		settlement = &c
	}
	bp := b.s.Policy.Boundary
	return BoundaryView{
		CaseID: b.in.CaseID, CaseNumber: b.in.CaseNumber, Process: string(casefile.ProcessBoundary),
		Jurisdiction: b.in.Jurisdiction, Title: b.in.Title, SourceCaseID: b.in.SourceCaseID, Since: b.in.Since,
		Parties: slices.Clone(b.in.Parties), Organiser: b.in.Organiser,
		CaseLeader: b.s.CaseLeader, LeaderAssignedOn: b.s.LeaderAssignedOn, ResolveBy: b.s.ResolveBy,
		Overdue: b.s.DeadlinePassed && !b.settled() && b.s.Stage != BoundaryClosed,
		Stage:   b.s.Stage, Status: string(b.status()), Outcome: b.s.Outcome, Tier: b.s.Tier, HeldRounds: held,
		Rounds: slices.Clone(b.s.Rounds), Stabilisations: slices.Clone(b.s.Stabilisations),
		Escalations: slices.Clone(b.s.Escalations), Settlement: settlement, FollowUps: slices.Clone(b.s.FollowUps),
		OpenedOn: b.s.OpenedOn, CaseToday: b.s.Journal.today(ctx), ClosedOn: b.s.ClosedOn,
		Steps: b.s.Journal.Seq, Runs: b.s.Runs, Clock: b.in.Clock,
		VillageMinRounds: bp.VillageMinRounds, TownshipMinRounds: bp.TownshipMinRounds,
		ResolutionPeriod: bp.ResolutionPeriod, FollowUpEvery: bp.FollowUpEvery, FollowUpFor: bp.FollowUpFor,
	}
}
