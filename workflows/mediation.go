package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// Mediation is the delegated pre-litigation mediation of DOMAIN.md Process 1
// (委派调解): a court hands a dispute to a mediation organisation, which has a
// policy-set period to reach an agreement, extendable by the parties'
// agreement. Failure or the period passing returns the case to the court to
// be filed as litigation (转立案).

// Update and query names of the mediation workflow.
const (
	UpdateRecordOutcome  = "record-outcome"
	UpdateExtendDeadline = "extend-deadline"
	// UpdateOpened waits until the case is open and its first step recorded;
	// the API sends it with the start, so the caller can read what it made.
	UpdateOpened = "opened"
	QueryState   = "state"
)

// Stages of a mediation case.
const (
	StageMediating             = "mediating"
	StageAgreementReached      = "agreement_reached"
	StageReturnedForLitigation = "returned_for_litigation"
	StageWithdrawn             = "withdrawn"
)

// Outcomes a mediator can record.
const (
	OutcomeAgreed    = "agreed"
	OutcomeFailed    = "failed"
	OutcomeWithdrawn = "withdrawn"
)

// Reason codes recorded with the steps, for auditors and statistics.
const (
	ReasonMediationFailed       = "mediation_failed"
	ReasonMediationDeadline     = "mediation_deadline_passed"
	ReasonWithdrawn             = "withdrawn_by_applicant"
	ReasonPartiesAgreeExtension = "parties_agree_extension"
)

// MediationInput starts a mediation case. State is set only when the
// workflow continues as new, carrying everything it knew.
type MediationInput struct {
	CaseID       string `json:"case_id"`
	CaseNumber   string `json:"case_number"`
	Court        string `json:"court"`
	Jurisdiction string `json:"jurisdiction"`
	Organisation string `json:"organisation"`
	Mediator     string `json:"mediator"`
	// Parties are the parties when they travel in the input (cases
	// opened before PartyList, and cases converted from intake).
	Parties []Party `json:"parties"`
	// PartyList refers to the parties staged in the store (db/parties.go):
	// a case opened through the API since carries only the list's digest
	// and counts, and Parties is empty.
	PartyList   *db.PartyList  `json:"party_list,omitempty"`
	ClaimFen    int64          `json:"claim_fen"`
	Subject     string         `json:"subject"`
	DelegatedBy casefile.Actor `json:"delegated_by"`
	Clock       casetime.Clock `json:"clock"`
	// OpenedOn is set for a case entered after the fact: the legal date it
	// opened, from which its deadlines count; zero means today.
	OpenedOn policy.Date `json:"opened_on,omitzero"`
	// SourceCaseID is the intake case this case was converted from, if
	// any; the ledger links the two.
	SourceCaseID string `json:"source_case_id,omitempty"`

	State *MediationState `json:"state,omitempty"`
}

// MediationState is everything the workflow knows about the case.
type MediationState struct {
	// Version is the behaviour a case follows, fixed when it opened.
	Version        workflow.Version `json:"version"`
	Stage          string           `json:"stage"`
	Outcome        string           `json:"outcome,omitempty"`
	Policy         policy.Policy    `json:"policy"`
	OpenedOn       policy.Date      `json:"opened_on"`
	OpenedAt       time.Time        `json:"opened_at"`
	Deadline       policy.Date      `json:"deadline"`
	ExtensionsUsed int              `json:"extensions_used"`
	Agreement      *Agreement       `json:"agreement,omitempty"`
	ClosedOn       policy.Date      `json:"closed_on"`
	ClosedAt       time.Time        `json:"closed_at"`
	Journal        journal          `json:"journal"`

	Confirmation *Confirmation     `json:"confirmation,omitempty"`
	Performance  *PerformanceState `json:"performance,omitempty"`
	FollowUps    []FollowUp        `json:"follow_ups,omitempty"`
}

// Agreement is a mediation agreement (调解协议) and the date it was reached.
type Agreement struct {
	Terms    Terms       `json:"terms"`
	AgreedOn policy.Date `json:"agreed_on"`
	Mediator string      `json:"mediator"`
}

// OutcomeCommand records what mediation came to. Terms are required for an
// agreement and refused otherwise.
type OutcomeCommand struct {
	Outcome string         `json:"outcome"`
	Terms   *Terms         `json:"terms,omitempty"`
	Reason  string         `json:"reason,omitempty"`
	Actor   casefile.Actor `json:"actor"`
}

// ExtendCommand extends the mediation period once the parties agree.
type ExtendCommand struct {
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// MediationView is the live state of a case, as the state query returns it.
type MediationView struct {
	CaseID       string `json:"case_id"`
	CaseNumber   string `json:"case_number"`
	Process      string `json:"process"`
	Court        string `json:"court"`
	Jurisdiction string `json:"jurisdiction"`
	Organisation string `json:"organisation"`
	Mediator     string `json:"mediator"`
	// Parties is empty for a case whose parties travel by reference: a
	// reader adds them from PartyList.
	Parties            []Party           `json:"parties"`
	PartyList          *db.PartyList     `json:"party_list,omitempty"`
	ClaimFen           int64             `json:"claim_fen"`
	Subject            string            `json:"subject,omitempty"`
	Stage              string            `json:"stage"`
	Status             string            `json:"status"`
	Outcome            string            `json:"outcome,omitempty"`
	OpenedOn           policy.Date       `json:"opened_on"`
	CaseToday          policy.Date       `json:"case_today"`
	Deadline           policy.Date       `json:"deadline"`
	ExtensionsUsed     int               `json:"extensions_used"`
	ExtensionsAllowed  int               `json:"extensions_allowed"`
	Agreement          *Agreement        `json:"agreement,omitempty"`
	Confirmation       *Confirmation     `json:"confirmation,omitempty"`
	Performance        *PerformanceState `json:"performance,omitempty"`
	FollowUps          []FollowUp        `json:"follow_ups,omitempty"`
	ClosedOn           policy.Date       `json:"closed_on"`
	Steps              int               `json:"steps"`
	Clock              casetime.Clock    `json:"clock"`
	MediationPeriod    policy.Period     `json:"mediation_period"`
	ExtensionPeriod    policy.Period     `json:"extension_period"`
	CalendarDaysToLast int               `json:"days_to_deadline"`
}

// MediationResult is how the mediation ended.
type MediationResult struct {
	Stage     string     `json:"stage"`
	Outcome   string     `json:"outcome"`
	Agreement *Agreement `json:"agreement,omitempty"`
}

type mediation struct {
	in MediationInput
	s  *MediationState
	// rev counts changes made by handlers and children, so the main loop
	// wakes to recompute its timers.
	rev int
	// plan is the running performance plan, if any (not carried across
	// continue-as-new, which waits until no child runs).
	plan workflow.ChildWorkflowFuture
	// planErr is a failure of the plan itself (not a default), which fails
	// the case so an operator sees it.
	planErr error
}

// Mediation runs one delegated mediation case to its outcome.
func Mediation(ctx workflow.Context, in MediationInput) (MediationResult, error) {
	m := &mediation{in: in, s: in.State}
	fresh := m.s == nil
	if fresh {
		if err := m.init(ctx); err != nil {
			return MediationResult{}, err
		}
	}
	// Handlers are registered before the first yield, so an update sent with
	// the start is never refused for want of a handler.
	if err := m.registerHandlers(ctx); err != nil {
		return MediationResult{}, err
	}
	if fresh {
		if err := m.open(ctx); err != nil {
			return MediationResult{}, err
		}
	}

	// A running performance plan is a child of this run: the run hands
	// over only once it has ended.
	life := newLifetime(ctx, &m.s.Journal, nil)
	life.grown = stepLimit(&life, &m.s.Journal, m.s.Journal.Seq)
	flush := m.flush
	idle := func() bool { return len(m.s.Journal.Pending) == 0 }
	for !m.finished() {
		if err := m.flush(ctx); err != nil {
			return MediationResult{}, err
		}
		canNow := life.due(ctx)
		if !life.wake {
			// Runs recorded before continue-when-due drained handlers here.
			canNow = workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		}
		if canNow && !m.childRunning() {
			next := m.in
			next.State = m.s
			return MediationResult{}, continueAsNew(ctx, flush, idle, Mediation, next)
		}
		if m.planErr != nil {
			return MediationResult{}, fmt.Errorf("performance plan: %w", m.planErr)
		}
		if err := m.advance(ctx); err != nil {
			return MediationResult{}, err
		}
		if len(m.s.Journal.Pending) > 0 {
			continue
		}
		// Wake when the timer is due, when a command changed the case (an
		// extension moves a deadline, so the wait is recomputed) or when a
		// child process ended.
		at, due := m.nextTimer()
		rev := m.rev
		passed, err := waitUntil(ctx, m.in.Clock, at, func() bool {
			return len(m.s.Journal.Pending) > 0 || m.rev != rev || (life.wakes(ctx) && !m.childRunning())
		})
		if err != nil {
			return MediationResult{}, err
		}
		if passed {
			due(ctx)
		}
	}

	// Record the last steps, then let every handler waiting on them return
	// before the workflow closes.
	if err := endRun(ctx, flush, idle); err != nil {
		return MediationResult{}, err
	}
	return MediationResult{Stage: m.s.Stage, Outcome: m.s.Outcome, Agreement: m.s.Agreement}, nil
}

// init fixes the case clock and an empty state, without yielding.
func (m *mediation) init(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	m.in.Clock = m.in.Clock.Started(now)
	if err := m.in.Clock.Validate(); err != nil {
		return err
	}
	m.s = &MediationState{Stage: StageMediating, OpenedAt: now}
	// Cases opened from this version on continue past the agreement into
	// judicial confirmation, performance and follow-up visits; cases opened
	// before it end at the agreement, as they did.
	m.s.Version = workflow.GetVersion(ctx, versionProcess1, workflow.DefaultVersion, 1)
	m.s.Journal = journal{CaseID: m.in.CaseID, Stream: "mediation", Clock: m.in.Clock}
	m.s.OpenedOn = m.s.Journal.today(ctx)
	if !m.in.OpenedOn.IsZero() && m.in.OpenedOn.Before(m.s.OpenedOn) {
		m.s.OpenedOn = m.in.OpenedOn
	}
	return nil
}

// open looks up the policy in force and sets the mediation deadline.
func (m *mediation) open(ctx workflow.Context) error {
	p, err := loadPolicy(ctx, m.in.Jurisdiction)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	m.s.Policy = p
	var calendar policy.Status
	m.s.Deadline, calendar, err = deadlineOn(ctx, m.in.Jurisdiction, m.s.OpenedOn, p.Mediation.Period)
	if err != nil {
		return fmt.Errorf("mediation deadline: %w", err)
	}
	data := map[string]any{
		"court": m.in.Court, "organisation": m.in.Organisation, "mediator": m.in.Mediator,
		"parties": m.in.Parties, "claim_fen": m.in.ClaimFen, "subject": m.in.Subject,
		"deadline": m.s.Deadline, "period": p.Mediation.Period, "time_scale": m.in.Clock.Scale,
		// Counted on a provisional calendar, the deadline may move.
		"deadline_calendar": calendar,
	}
	if l := m.in.PartyList; l != nil {
		// The list's digest and counts; its parties are in the store.
		data["party_list"] = l
	}
	m.s.Journal.add(ctx, step{
		Kind: "delegated", Actor: m.in.DelegatedBy, ReasonCode: "court_delegation",
		Reason: fmt.Sprintf("delegated to %s for pre-litigation mediation", m.in.Organisation),
		Data:   data,
	})
	return nil
}

func (m *mediation) registerHandlers(ctx workflow.Context) error {
	if err := registerStateAndOpened(ctx, &m.s.Journal, m.view); err != nil {
		return err
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, SignalPlanDefaulted)
		for {
			var sig PlanDefaultSignal
			ch.Receive(ctx, &sig)
			m.planDefaulted(ctx, sig)
		}
	})
	return registerCommands(ctx, &m.s.Journal,
		command{UpdateRecordOutcome, m.recordOutcome, m.validateOutcome},
		command{UpdateExtendDeadline, m.extend, m.validateExtend},
		command{UpdateApplyConfirmation, m.applyConfirmation, m.validateApply},
		command{UpdateAcceptConfirmation, m.acceptConfirmation, m.validateAccept},
		command{UpdateExtendDecision, m.extendDecision, m.validateExtendDecision},
		command{UpdateDecideConfirmation, m.decideConfirmation, m.validateDecide},
		command{UpdateRecordFollowUp, m.recordFollowUp, m.validateFollowUp},
		command{UpdateApplyCertificate, m.applyCertificate, m.validateCertificate},
		command{UpdateRestartPerformance, m.restartPlan, m.validateRestartPlan},
		command{UpdateRearmDeadlines, m.rearm, func(_ workflow.Context, cmd RearmCommand) error { return validateRearm(cmd) }},
	)
}

// rearm counts the case's pending deadlines again after a publication.
func (m *mediation) rearm(ctx workflow.Context, cmd RearmCommand) (RearmResult, error) {
	res, seq, err := rearmDeadlines(ctx, &m.s.Journal, m.in.Jurisdiction, cmd, m.counted, func() { m.rev++ })
	if err != nil || seq == 0 {
		return res, err
	}
	return res, m.s.Journal.awaitRecorded(ctx, seq)
}

// counted lists the case's pending deadlines a calendar counts, with how
// each was counted: the mediation period and its extensions from the day
// the case opened, the confirmation window from the agreement, the
// decision period and its extensions from the acceptance, the follow-up
// visits from the closing day.
func (m *mediation) counted() []counted {
	pol, c := m.s.Policy, m.s.Confirmation
	switch m.s.Stage {
	case StageMediating:
		if m.s.Deadline.IsZero() {
			return nil
		}
		get, set := keep(&m.s.Deadline)
		return []counted{{kind: "mediation", from: m.s.OpenedOn,
			periods: repeat(pol.Mediation.Period, pol.Mediation.Extension, m.s.ExtensionsUsed), get: get, set: set}}
	case StageAgreementReached:
		if c != nil && m.s.Agreement != nil && !c.ApplyBy.IsZero() {
			get, set := keep(&c.ApplyBy)
			return []counted{{kind: "confirmation_application", from: m.s.Agreement.AgreedOn,
				periods: []policy.Period{pol.Confirmation.ApplyWithin}, get: get, set: set}}
		}
	case StageConfirmationReview:
		if c != nil && !c.DecisionOverdue && !c.AcceptedOn.IsZero() {
			get, set := keep(&c.DecideBy)
			return []counted{{kind: "confirmation_decision", from: c.AcceptedOn,
				periods: repeat(pol.Confirmation.DecideWithin, pol.Confirmation.DecisionExtension, c.Extensions), get: get, set: set}}
		}
	case StagePerformed, StagePlainContract:
		return followUpsCounted(m.s.FollowUps, m.s.ClosedOn, pol.FollowUps)
	}
	return nil
}

// checkOpen refuses any command once mediation has ended or its period has
// run out (the timer may not have fired yet, but the law has).
func (m *mediation) checkOpen(ctx workflow.Context) error {
	if m.s.Stage != StageMediating {
		return reject(RejectConflict, "mediation has ended: case is %s", m.s.Stage)
	}
	if m.s.Deadline.IsZero() {
		return reject(RejectConflict, "the case is still being opened; try again")
	}
	if today := m.s.Journal.today(ctx); today.After(m.s.Deadline) {
		return reject(RejectConflict, "the mediation period ended on %s", m.s.Deadline)
	}
	return nil
}

func (m *mediation) checkMediator(a casefile.Actor) error {
	if a.Role != casefile.RoleMediator || a.Subject != m.in.Mediator {
		return reject(RejectForbidden, "only the assigned mediator may do this")
	}
	return nil
}

func (m *mediation) validateOutcome(ctx workflow.Context, cmd OutcomeCommand) error {
	if err := m.checkMediator(cmd.Actor); err != nil {
		return err
	}
	if err := m.checkOpen(ctx); err != nil {
		return err
	}
	switch cmd.Outcome {
	case OutcomeAgreed:
		if cmd.Terms == nil {
			return reject(RejectInvalid, "an agreement needs its terms")
		}
		if err := m.validateTerms(*cmd.Terms, m.s.Journal.today(ctx)); err != nil {
			return reject(RejectInvalid, "%s", err.Error())
		}
	case OutcomeFailed, OutcomeWithdrawn:
		if cmd.Terms != nil {
			return reject(RejectInvalid, "terms are only recorded with an agreement")
		}
		if cmd.Reason == "" {
			return reject(RejectInvalid, "a reason is required when mediation %s", cmd.Outcome)
		}
	default:
		return reject(RejectInvalid, "outcome must be agreed, failed or withdrawn, got %q", cmd.Outcome)
	}
	return nil
}

func (m *mediation) recordOutcome(ctx workflow.Context, cmd OutcomeCommand) (MediationView, error) {
	var seq int
	switch cmd.Outcome {
	case OutcomeAgreed:
		if err := m.checkTermsParties(ctx, *cmd.Terms); err != nil {
			return MediationView{}, err
		}
		agreement := &Agreement{Terms: *cmd.Terms, AgreedOn: m.s.Journal.today(ctx), Mediator: cmd.Actor.Subject}
		if m.s.Version >= 1 && lookupFirst(ctx) {
			// The confirmation window is looked up before the case changes:
			// a failed lookup leaves it as it was, and the command can be
			// given again.
			by, err := deadline(ctx, m.in.Jurisdiction, agreement.AgreedOn, m.s.Policy.Confirmation.ApplyWithin)
			if err != nil {
				return MediationView{}, fmt.Errorf("confirmation window: %w", err)
			}
			if m.s.Stage != StageMediating {
				return MediationView{}, reject(RejectConflict, "the case moved on while the agreement was recorded: %s", m.s.Stage)
			}
			m.s.Agreement = agreement
			m.s.Stage, m.s.Outcome = StageAgreementReached, OutcomeAgreed
			m.s.Confirmation = &Confirmation{ApplyBy: by}
			seq = m.s.Journal.add(ctx, step{
				Kind: "agreement_reached", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "mediation_agreement",
				Data: map[string]any{"agreement": agreement, "confirmation_apply_by": by},
			})
			break
		}
		m.s.Agreement = agreement
		data := map[string]any{"agreement": m.s.Agreement}
		if m.s.Version >= 1 {
			// Claim the stage before the deadline lookup yields.
			m.s.Stage, m.s.Outcome = StageAgreementReached, OutcomeAgreed
			by, err := deadline(ctx, m.in.Jurisdiction, m.s.Agreement.AgreedOn, m.s.Policy.Confirmation.ApplyWithin)
			if err != nil {
				return MediationView{}, fmt.Errorf("confirmation window: %w", err)
			}
			m.s.Confirmation = &Confirmation{ApplyBy: by}
			data["confirmation_apply_by"] = by
		} else {
			m.close(ctx, StageAgreementReached, OutcomeAgreed)
		}
		seq = m.s.Journal.add(ctx, step{
			Kind: "agreement_reached", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "mediation_agreement",
			Data: data,
		})
	case OutcomeFailed:
		m.s.Journal.add(ctx, step{Kind: "mediation_failed", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: ReasonMediationFailed})
		seq = m.returnToCourt(ctx, ReasonMediationFailed, time.Time{})
	case OutcomeWithdrawn:
		m.close(ctx, StageWithdrawn, OutcomeWithdrawn)
		seq = m.s.Journal.add(ctx, step{Kind: "withdrawn", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: ReasonWithdrawn})
	}
	m.rev++
	if err := m.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return MediationView{}, err
	}
	return m.view(ctx), nil
}

func (m *mediation) validateExtend(ctx workflow.Context, cmd ExtendCommand) error {
	if err := m.checkMediator(cmd.Actor); err != nil {
		return err
	}
	if err := m.checkOpen(ctx); err != nil {
		return err
	}
	if max := m.s.Policy.Mediation.MaxExtensions; m.s.ExtensionsUsed >= max {
		return reject(RejectConflict, "the mediation period may be extended %d time(s) and has been extended %d", max, m.s.ExtensionsUsed)
	}
	if cmd.Reason == "" {
		return reject(RejectInvalid, "a reason recording the parties' agreement to extend is required")
	}
	return nil
}

func (m *mediation) extend(ctx workflow.Context, cmd ExtendCommand) (MediationView, error) {
	// Claim the extension before the policy lookup yields, so a second
	// extension arriving meanwhile is refused rather than applied twice.
	m.s.ExtensionsUsed++
	old := m.s.Deadline
	next, err := deadline(ctx, m.in.Jurisdiction, old, m.s.Policy.Mediation.Extension)
	if err != nil {
		m.s.ExtensionsUsed--
		return MediationView{}, fmt.Errorf("extended deadline: %w", err)
	}
	if m.s.Stage != StageMediating {
		// The case closed while the deadline was being computed.
		m.s.ExtensionsUsed--
		return MediationView{}, reject(RejectConflict, "mediation has ended: case is %s", m.s.Stage)
	}
	m.s.Deadline = next
	m.rev++
	seq := m.s.Journal.add(ctx, step{
		Kind: "deadline_extended", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: ReasonPartiesAgreeExtension,
		Data: map[string]any{"from": old, "to": next, "period": m.s.Policy.Mediation.Extension, "extension": m.s.ExtensionsUsed},
	})
	if err := m.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return MediationView{}, err
	}
	return m.view(ctx), nil
}

func (m *mediation) deadlinePassed(ctx workflow.Context) {
	at := m.s.Deadline.End()
	m.s.Journal.add(ctx, step{
		At:   at,
		Kind: "mediation_deadline_passed", Actor: casefile.System, ReasonCode: ReasonMediationDeadline,
		Reason: fmt.Sprintf("no agreement by the last day of the mediation period, %s", m.s.Deadline),
		Data:   map[string]any{"deadline": m.s.Deadline, "extensions_used": m.s.ExtensionsUsed},
	})
	m.returnToCourt(ctx, ReasonMediationDeadline, at)
}

// returnToCourt ends mediation and hands the case back to the court to be
// filed as litigation (转立案).
// at is the case time it happens when a deadline, not a person, caused it.
func (m *mediation) returnToCourt(ctx workflow.Context, why string, at time.Time) int {
	m.closeAt(ctx, StageReturnedForLitigation, why, at)
	return m.s.Journal.add(ctx, step{
		At:   at,
		Kind: "returned_for_litigation", Actor: casefile.System, ReasonCode: why,
		Reason: fmt.Sprintf("returned to %s to be filed as litigation", m.in.Court),
		Data:   map[string]any{"court": m.in.Court},
	})
}

func (m *mediation) close(ctx workflow.Context, stage, outcome string) {
	m.closeAt(ctx, stage, outcome, time.Time{})
}

// closeAt closes the case on the legal date of case time at (zero: today).
func (m *mediation) closeAt(ctx workflow.Context, stage, outcome string, at time.Time) {
	m.s.Stage, m.s.Outcome = stage, outcome
	m.s.ClosedOn = m.s.Journal.today(ctx)
	if !at.IsZero() && policy.DateOf(at).Before(m.s.ClosedOn) {
		m.s.ClosedOn = policy.DateOf(at)
	}
	m.s.ClosedAt = workflow.Now(ctx)
}

func (m *mediation) status() casefile.Status {
	if m.s.ClosedOn.IsZero() {
		return casefile.StatusOpen
	}
	return casefile.StatusClosed
}

func (m *mediation) summary() *casefile.Summary {
	// By reference the store names the parties from the staged list.
	parties := make([]string, 0, len(m.in.Parties))
	for _, p := range m.in.Parties {
		parties = append(parties, p.ID)
	}
	sum := &casefile.Summary{
		ID: m.in.CaseID, CaseNumber: m.in.CaseNumber, Process: casefile.ProcessMediation,
		WorkflowID: MediationWorkflowID(m.in.CaseID), Court: m.in.Court, Jurisdiction: m.in.Jurisdiction,
		Organisation: m.in.Organisation, Mediator: m.in.Mediator, Parties: parties,
		Stage: m.s.Stage, Status: m.status(), Outcome: m.s.Outcome, ClaimFen: m.in.ClaimFen,
		Clock: m.in.Clock, OpenedOn: m.s.OpenedOn, ClosedOn: m.s.ClosedOn,
		OpenedAt: m.s.OpenedAt, ClosedAt: m.s.ClosedAt, SourceCaseID: m.in.SourceCaseID,
	}
	switch {
	case m.s.Agreement != nil:
		sum.Resolution = casefile.Resolved
	case m.s.Stage == StageReturnedForLitigation || m.s.Stage == StageWithdrawn:
		sum.Resolution = casefile.Unresolved
	}
	if p := m.s.Performance; p != nil && p.Result != nil {
		switch p.Result.Outcome {
		case PlanPerformed:
			sum.Performance = casefile.PerformedAutomatically
		case PlanDefaulted:
			sum.Performance = casefile.PerformanceDefaulted
		}
	}
	if m.s.Stage == StageDefaulted {
		sum.Performance = casefile.PerformanceDefaulted
	}
	sum.NextDeadline = m.pendingDeadline()
	sum.FollowUpsDue, sum.FollowUpsDone = countFollowUps(m.s.FollowUps)
	return sum
}

func (m *mediation) view(ctx workflow.Context) MediationView {
	today := m.s.Journal.today(ctx)
	return MediationView{
		CaseID: m.in.CaseID, CaseNumber: m.in.CaseNumber, Process: string(casefile.ProcessMediation),
		Court: m.in.Court, Jurisdiction: m.in.Jurisdiction, Organisation: m.in.Organisation,
		Mediator: m.in.Mediator, Parties: slices.Clone(m.in.Parties), PartyList: m.in.PartyList, ClaimFen: m.in.ClaimFen, Subject: m.in.Subject,
		Stage: m.s.Stage, Status: string(m.status()), Outcome: m.s.Outcome,
		OpenedOn: m.s.OpenedOn, CaseToday: today, Deadline: m.s.Deadline,
		ExtensionsUsed: m.s.ExtensionsUsed, ExtensionsAllowed: m.s.Policy.Mediation.MaxExtensions,
		Agreement: m.s.Agreement, Confirmation: m.s.Confirmation, Performance: m.s.Performance,
		FollowUps: slices.Clone(m.s.FollowUps), ClosedOn: m.s.ClosedOn, Steps: m.s.Journal.Seq, Clock: m.in.Clock,
		MediationPeriod: m.s.Policy.Mediation.Period, ExtensionPeriod: m.s.Policy.Mediation.Extension,
		CalendarDaysToLast: policy.DaysBetween(today, m.s.Deadline),
	}
}

// flush records pending steps with the case's summary; by reference, the
// store names the parties from the staged list.
func (m *mediation) flush(ctx workflow.Context) error {
	if m.in.PartyList != nil {
		return m.s.Journal.flushParties(ctx, m.summary(), m.in.PartyList)
	}
	return m.s.Journal.flush(ctx, m.summary())
}

// validateTerms checks terms as the update's validator can: against the
// parties in the input, or, by reference, all but whether the obligor and
// obligees are parties, which checkTermsParties asks the store.
func (m *mediation) validateTerms(t Terms, agreedOn policy.Date) error {
	if m.in.PartyList == nil {
		return ValidateTerms(t, m.in.Parties, agreedOn)
	}
	return validateTermsOf(t, func(string) bool { return true }, agreedOn)
}

// checkTermsParties checks, for a case whose parties travel by reference,
// that the obligor and obligees of terms are parties in its staged list,
// before anything changes, and that mediation is still open after the
// lookup yielded.
func (m *mediation) checkTermsParties(ctx workflow.Context, t Terms) error {
	if m.in.PartyList == nil {
		return nil
	}
	ids := append([]string{t.Obligor}, t.Obligees...)
	sides, err := partySides(ctx, *m.in.PartyList, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if i >= len(sides) || sides[i] == "" {
			what := "obligee"
			if i == 0 {
				what = "obligor"
			}
			return reject(RejectInvalid, "%s %q is not a party to the case", what, id)
		}
	}
	return m.checkOpen(ctx)
}
