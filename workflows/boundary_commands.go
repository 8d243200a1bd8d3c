package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

// Who may do what on a boundary case: the organising mediator or the case
// leader (a supervisor) schedules and records rounds, stabilisation,
// escalation, the settlement's terms and follow-up visits; a court, or the
// case leader handing over, assigns the case leader; each party signs the
// settlement for itself. Auditors only read.

// ScheduleRoundCommand schedules a negotiation round at the current tier.
type ScheduleRoundCommand struct {
	// Tier, when given, must be the case's current tier.
	Tier  string         `json:"tier,omitempty"`
	On    policy.Date    `json:"on"`
	Venue string         `json:"venue"`
	Actor casefile.Actor `json:"actor"`
}

// RecordRoundCommand records a scheduled round as held, with its outcome.
type RecordRoundCommand struct {
	Round   string         `json:"round"`
	Outcome string         `json:"outcome"`
	Note    string         `json:"note,omitempty"`
	Actor   casefile.Actor `json:"actor"`
}

// StabiliseCommand records an interim stabilisation measure (稳控) after
// an incident: one reported with it, or the latest round's.
type StabiliseCommand struct {
	Incident        string         `json:"incident,omitempty"`
	Measure         string         `json:"measure"`
	ResponsibleUnit string         `json:"responsible_unit"`
	ReviewOn        policy.Date    `json:"review_on"`
	Actor           casefile.Actor `json:"actor"`
}

// EscalateCommand moves the negotiation up one tier.
type EscalateCommand struct {
	// To, when given, must be the next tier.
	To     string         `json:"to,omitempty"`
	Reason string         `json:"reason,omitempty"`
	Actor  casefile.Actor `json:"actor"`
}

// AssignLeaderCommand assigns (or hands over) the case leader (领导包案).
type AssignLeaderCommand struct {
	CaseLeader string         `json:"case_leader"`
	Reason     string         `json:"reason,omitempty"`
	Actor      casefile.Actor `json:"actor"`
}

// SettlementCommand records the settlement's terms; recorded again before
// every party signed, it amends them and the signatures start over.
type SettlementCommand struct {
	Terms        string           `json:"terms"`
	Markers      []BoundaryMarker `json:"markers"`
	GrazingRules string           `json:"grazing_rules"`
	Actor        casefile.Actor   `json:"actor"`
}

// SignCommand is a party signing the settlement through its representative.
type SignCommand struct {
	Actor casefile.Actor `json:"actor"`
}

// BoundaryFollowUpCommand records the earliest due follow-up visit.
type BoundaryFollowUpCommand struct {
	Holds  bool                  `json:"holds"`
	Note   string                `json:"note,omitempty"`
	Checks []BoundaryMarkerCheck `json:"checks,omitempty"`
	Actor  casefile.Actor        `json:"actor"`
}

func (b *boundary) registerHandlers(ctx workflow.Context) error {
	if err := registerStateAndOpened(ctx, &b.s.Journal, b.view); err != nil {
		return err
	}
	return registerCommands(ctx, &b.s.Journal,
		command{UpdateBoundaryScheduleRound, b.scheduleRound, b.validateSchedule},
		command{UpdateBoundaryRecordRound, b.recordRound, b.validateRecordRound},
		command{UpdateBoundaryStabilise, b.stabilise, b.validateStabilise},
		command{UpdateBoundaryEscalate, b.escalate, b.validateEscalate},
		command{UpdateBoundaryAssignLeader, b.assignLeaderCommand, b.validateAssignLeader},
		command{UpdateBoundarySettlement, b.recordSettlement, b.validateSettlement},
		command{UpdateBoundarySign, b.sign, b.validateSign},
		command{UpdateBoundaryRecordFollowUp, b.recordFollowUp, b.validateFollowUp},
		command{UpdateRearmDeadlines, b.rearm, func(_ workflow.Context, cmd RearmCommand) error { return validateRearm(cmd) }},
	)
}

// finish wakes the main loop, waits until the step is recorded and
// answers with the case after it.
func (b *boundary) finish(ctx workflow.Context, seq int) (BoundaryView, error) {
	b.rev++
	if err := b.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return BoundaryView{}, err
	}
	return b.view(ctx), nil
}

// checkOrganiser refuses anyone but the organising mediator and the case
// leader.
func (b *boundary) checkOrganiser(a casefile.Actor) error {
	switch {
	case a.Role == casefile.RoleMediator && a.Subject == b.in.Organiser:
		return nil
	case a.Role == casefile.RoleSupervisor && b.s.CaseLeader != "" && a.Subject == b.s.CaseLeader:
		return nil
	}
	return reject(RejectForbidden, "only the organising mediator or the case leader may do this")
}

// checkStage refuses a command before the case is open or unless it
// stands at one of stages.
func (b *boundary) checkStage(stages ...string) error {
	if b.s.Journal.Seq == 0 {
		return reject(RejectConflict, "the case is still being opened; try again")
	}
	if !slices.Contains(stages, b.s.Stage) {
		return reject(RejectConflict, "the boundary case is %s", b.s.Stage)
	}
	return nil
}

func (b *boundary) round(id string) *BoundaryRound {
	for i := range b.s.Rounds {
		if b.s.Rounds[i].ID == id {
			return &b.s.Rounds[i]
		}
	}
	return nil
}

// pendingRound is a round scheduled and not yet recorded, if any.
func (b *boundary) pendingRound() *BoundaryRound {
	for i := range b.s.Rounds {
		if b.s.Rounds[i].Status == roundStatusScheduled {
			return &b.s.Rounds[i]
		}
	}
	return nil
}

func (b *boundary) validateSchedule(ctx workflow.Context, cmd ScheduleRoundCommand) error {
	if err := b.checkOrganiser(cmd.Actor); err != nil {
		return err
	}
	if err := b.checkStage(BoundaryNegotiating); err != nil {
		return err
	}
	if cmd.Tier != "" && !slices.Contains(boundaryTiers, cmd.Tier) {
		return reject(RejectInvalid, "tier must be village, township or county, got %q", cmd.Tier)
	}
	if cmd.Tier != "" && cmd.Tier != b.s.Tier {
		return reject(RejectConflict, "the negotiation is at %s tier, not %s", b.s.Tier, cmd.Tier)
	}
	if cmd.On.IsZero() {
		return reject(RejectInvalid, "a round needs its date")
	}
	if today := b.s.Journal.today(ctx); cmd.On.Before(today) {
		return reject(RejectInvalid, "a round cannot be scheduled in the past: %s is before today, %s", cmd.On, today)
	}
	if strings.TrimSpace(cmd.Venue) == "" {
		return reject(RejectInvalid, "a round needs its venue")
	}
	return nil
}

func (b *boundary) scheduleRound(ctx workflow.Context, cmd ScheduleRoundCommand) (BoundaryView, error) {
	r := BoundaryRound{
		ID: fmt.Sprintf("r%d", len(b.s.Rounds)+1), Tier: b.s.Tier, ScheduledOn: cmd.On, Venue: cmd.Venue,
		ScheduledBy: cmd.Actor.Subject, Status: roundStatusScheduled,
	}
	b.s.Rounds = append(b.s.Rounds, r)
	seq := b.s.Journal.add(ctx, step{
		Kind: "round_scheduled", Actor: cmd.Actor, ReasonCode: "negotiation_round",
		Reason: fmt.Sprintf("%s-tier round %s scheduled for %s at %s", r.Tier, r.ID, r.ScheduledOn, r.Venue),
		Data:   map[string]any{"round": r.ID, "tier": r.Tier, "on": r.ScheduledOn, "venue": r.Venue},
	})
	return b.finish(ctx, seq)
}

func (b *boundary) validateRecordRound(ctx workflow.Context, cmd RecordRoundCommand) error {
	if err := b.checkOrganiser(cmd.Actor); err != nil {
		return err
	}
	if err := b.checkStage(BoundaryNegotiating); err != nil {
		return err
	}
	r := b.round(cmd.Round)
	if r == nil {
		return reject(RejectInvalid, "no round %q on this case", cmd.Round)
	}
	if r.Status != roundStatusScheduled {
		return reject(RejectConflict, "round %s was already recorded on %s", r.ID, r.HeldOn)
	}
	switch cmd.Outcome {
	case RoundProgress, RoundNoProgress, RoundAgreementInPrinciple:
	case RoundIncident:
		if strings.TrimSpace(cmd.Note) == "" {
			return reject(RejectInvalid, "an incident needs a note saying what happened")
		}
	default:
		return reject(RejectInvalid, "outcome must be progress, no_progress, agreement_in_principle or incident, got %q", cmd.Outcome)
	}
	if today := b.s.Journal.today(ctx); today.Before(r.ScheduledOn) {
		return reject(RejectConflict, "round %s is scheduled for %s; today is %s", r.ID, r.ScheduledOn, today)
	}
	return nil
}

func (b *boundary) recordRound(ctx workflow.Context, cmd RecordRoundCommand) (BoundaryView, error) {
	r := b.round(cmd.Round)
	r.Status, r.HeldOn, r.Outcome, r.Note, r.RecordedBy = roundStatusHeld, b.s.Journal.today(ctx), cmd.Outcome, cmd.Note, cmd.Actor.Subject
	seq := b.s.Journal.add(ctx, step{
		Kind: "round_held", Actor: cmd.Actor, Reason: cmd.Note, ReasonCode: "round_" + cmd.Outcome,
		Data: map[string]any{
			"round": r.ID, "tier": r.Tier, "held_on": r.HeldOn, "outcome": r.Outcome,
			"held_at_tier": b.heldRounds(r.Tier), "venue": r.Venue,
		},
	})
	return b.finish(ctx, seq)
}

// incidentRound is the latest held round if its outcome was an incident
// no stabilisation has answered yet.
func (b *boundary) incidentRound() *BoundaryRound {
	var last *BoundaryRound
	for i := range b.s.Rounds {
		if b.s.Rounds[i].Status == roundStatusHeld {
			last = &b.s.Rounds[i]
		}
	}
	if last == nil || last.Outcome != RoundIncident {
		return nil
	}
	for _, st := range b.s.Stabilisations {
		if st.Round == last.ID {
			return nil
		}
	}
	return last
}

func (b *boundary) validateStabilise(ctx workflow.Context, cmd StabiliseCommand) error {
	if err := b.checkOrganiser(cmd.Actor); err != nil {
		return err
	}
	if err := b.checkStage(BoundaryNegotiating, BoundarySigning, BoundaryMonitoring); err != nil {
		return err
	}
	if strings.TrimSpace(cmd.Incident) == "" && b.incidentRound() == nil {
		return reject(RejectInvalid, "stabilisation follows an incident: describe it, or record a round with outcome incident first")
	}
	if strings.TrimSpace(cmd.Measure) == "" || strings.TrimSpace(cmd.ResponsibleUnit) == "" {
		return reject(RejectInvalid, "a stabilisation measure needs the measure and the unit responsible for it")
	}
	if today := b.s.Journal.today(ctx); !cmd.ReviewOn.After(today) {
		return reject(RejectInvalid, "the review date must be after today (%s), got %s", today, cmd.ReviewOn)
	}
	return nil
}

func (b *boundary) stabilise(ctx workflow.Context, cmd StabiliseCommand) (BoundaryView, error) {
	st := BoundaryStabilisation{
		No: len(b.s.Stabilisations) + 1, Incident: cmd.Incident, Measure: cmd.Measure,
		ResponsibleUnit: cmd.ResponsibleUnit, ReviewOn: cmd.ReviewOn,
		RecordedOn: b.s.Journal.today(ctx), RecordedBy: cmd.Actor.Subject,
	}
	if strings.TrimSpace(cmd.Incident) == "" {
		r := b.incidentRound()
		st.Round, st.Incident = r.ID, r.Note
	}
	b.s.Stabilisations = append(b.s.Stabilisations, st)
	seq := b.s.Journal.add(ctx, step{
		Kind: "stabilisation_measure", Actor: cmd.Actor, Reason: st.Incident, ReasonCode: "incident_stabilisation",
		Data: map[string]any{
			"stabilisation": st.No, "incident": st.Incident, "round": st.Round, "measure": st.Measure,
			"responsible_unit": st.ResponsibleUnit, "review_on": st.ReviewOn,
		},
	})
	return b.finish(ctx, seq)
}

func (b *boundary) validateEscalate(_ workflow.Context, cmd EscalateCommand) error {
	if err := b.checkOrganiser(cmd.Actor); err != nil {
		return err
	}
	if err := b.checkStage(BoundaryNegotiating); err != nil {
		return err
	}
	if cmd.To != "" && !slices.Contains(boundaryTiers, cmd.To) {
		return reject(RejectInvalid, "tier must be village, township or county, got %q", cmd.To)
	}
	i := slices.Index(boundaryTiers, b.s.Tier)
	if i == len(boundaryTiers)-1 {
		return reject(RejectConflict, "the county tier is final: it decides the dispute if the parties do not agree")
	}
	if next := boundaryTiers[i+1]; cmd.To != "" && cmd.To != next {
		return reject(RejectConflict, "from %s tier the case escalates to %s, not %s", b.s.Tier, next, cmd.To)
	}
	min := b.s.Policy.Boundary.VillageMinRounds
	if b.s.Tier == TierTownship {
		min = b.s.Policy.Boundary.TownshipMinRounds
	}
	if held := b.heldRounds(b.s.Tier); held < min {
		return reject(RejectConflict, "escalation from %s tier needs at least %d held rounds there, %d held", b.s.Tier, min, held)
	}
	if r := b.pendingRound(); r != nil {
		return reject(RejectConflict, "round %s is scheduled for %s; record it before escalating", r.ID, r.ScheduledOn)
	}
	return nil
}

func (b *boundary) escalate(ctx workflow.Context, cmd EscalateCommand) (BoundaryView, error) {
	from := b.s.Tier
	to := boundaryTiers[slices.Index(boundaryTiers, from)+1]
	e := BoundaryEscalation{From: from, To: to, On: b.s.Journal.today(ctx), HeldRounds: b.heldRounds(from), Reason: cmd.Reason, By: cmd.Actor.Subject}
	b.s.Tier = to
	b.s.Escalations = append(b.s.Escalations, e)
	seq := b.s.Journal.add(ctx, step{
		Kind: "escalated", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "tier_escalation",
		Data: map[string]any{"from": from, "to": to, "held_rounds": e.HeldRounds, "final": to == TierCounty},
	})
	return b.finish(ctx, seq)
}

func (b *boundary) validateAssignLeader(_ workflow.Context, cmd AssignLeaderCommand) error {
	switch {
	case cmd.Actor.Role == casefile.RoleCourt:
	case cmd.Actor.Role == casefile.RoleSupervisor && b.s.CaseLeader != "" && cmd.Actor.Subject == b.s.CaseLeader:
	default:
		return reject(RejectForbidden, "only a court, or the case leader handing the case over, may assign the case leader")
	}
	if err := b.checkStage(BoundaryNegotiating, BoundarySigning, BoundaryMonitoring); err != nil {
		return err
	}
	if strings.TrimSpace(cmd.CaseLeader) == "" {
		return reject(RejectInvalid, "name the case leader")
	}
	if cmd.CaseLeader == b.s.CaseLeader {
		return reject(RejectConflict, "%s already leads this case", cmd.CaseLeader)
	}
	return nil
}

func (b *boundary) assignLeaderCommand(ctx workflow.Context, cmd AssignLeaderCommand) (BoundaryView, error) {
	seq, err := b.assignLeader(ctx, cmd.CaseLeader, cmd.Actor, cmd.Reason)
	if err != nil {
		return BoundaryView{}, err
	}
	return b.finish(ctx, seq)
}

func (b *boundary) validateSettlement(_ workflow.Context, cmd SettlementCommand) error {
	if err := b.checkOrganiser(cmd.Actor); err != nil {
		return err
	}
	if err := b.checkStage(BoundaryNegotiating, BoundarySigning); err != nil {
		return err
	}
	if b.heldRounds(TierVillage)+b.heldRounds(TierTownship)+b.heldRounds(TierCounty) == 0 {
		return reject(RejectConflict, "a settlement follows at least one held round")
	}
	if r := b.pendingRound(); r != nil {
		return reject(RejectConflict, "round %s is scheduled for %s; record it first", r.ID, r.ScheduledOn)
	}
	if strings.TrimSpace(cmd.Terms) == "" || strings.TrimSpace(cmd.GrazingRules) == "" {
		return reject(RejectInvalid, "a settlement needs its terms and its grazing rules")
	}
	if len(cmd.Markers) == 0 {
		return reject(RejectInvalid, "a settlement sets at least one boundary marker")
	}
	seen := map[string]bool{}
	for _, m := range cmd.Markers {
		switch {
		case strings.TrimSpace(m.ID) == "":
			return reject(RejectInvalid, "every boundary marker needs an id")
		case seen[m.ID]:
			return reject(RejectInvalid, "boundary marker %s is listed twice", m.ID)
		case strings.TrimSpace(m.Description) == "" || strings.TrimSpace(m.Coordinates) == "":
			return reject(RejectInvalid, "boundary marker %s needs a description and coordinates", m.ID)
		case m.Status != "" || !m.CheckedOn.IsZero():
			return reject(RejectInvalid, "boundary marker %s: status is recorded by follow-up checks", m.ID)
		}
		seen[m.ID] = true
	}
	return nil
}

func (b *boundary) recordSettlement(ctx workflow.Context, cmd SettlementCommand) (BoundaryView, error) {
	kind := "settlement_terms_recorded"
	if b.s.Settlement != nil {
		kind = "settlement_terms_amended"
	}
	b.s.Settlement = &BoundarySettlement{
		Terms: cmd.Terms, Markers: slices.Clone(cmd.Markers), GrazingRules: cmd.GrazingRules, Tier: b.s.Tier,
		RecordedOn: b.s.Journal.today(ctx), RecordedBy: cmd.Actor.Subject, Signatures: []BoundarySignature{},
	}
	b.s.Stage = BoundarySigning
	seq := b.s.Journal.add(ctx, step{
		Kind: kind, Actor: cmd.Actor, ReasonCode: "settlement_agreement",
		Reason: fmt.Sprintf("settlement reached at %s tier; every party is to sign", b.s.Tier),
		Data: map[string]any{
			"terms": cmd.Terms, "markers": cmd.Markers, "grazing_rules": cmd.GrazingRules, "tier": b.s.Tier,
			"county_decision": b.s.Tier == TierCounty, "signatories": b.partyIDs(),
		},
	})
	return b.finish(ctx, seq)
}

func (b *boundary) party(id string) *BoundaryParty {
	for i := range b.in.Parties {
		if b.in.Parties[i].ID == id {
			return &b.in.Parties[i]
		}
	}
	return nil
}

func (b *boundary) signed(party string) *BoundarySignature {
	if b.s.Settlement == nil {
		return nil
	}
	for i := range b.s.Settlement.Signatures {
		if b.s.Settlement.Signatures[i].Party == party {
			return &b.s.Settlement.Signatures[i]
		}
	}
	return nil
}

func (b *boundary) validateSign(_ workflow.Context, cmd SignCommand) error {
	if cmd.Actor.Role != casefile.RoleParty || b.party(cmd.Actor.Subject) == nil {
		return reject(RejectForbidden, "only a party to the dispute signs its settlement")
	}
	if b.s.Journal.Seq > 0 && b.s.Stage == BoundaryNegotiating {
		return reject(RejectConflict, "there is no settlement to sign yet: its terms have not been recorded")
	}
	if err := b.checkStage(BoundarySigning); err != nil {
		return err
	}
	if s := b.signed(cmd.Actor.Subject); s != nil {
		return reject(RejectConflict, "%s already signed, on %s by %s", s.Party, s.SignedOn, s.SignedBy)
	}
	return nil
}

func (b *boundary) sign(ctx workflow.Context, cmd SignCommand) (BoundaryView, error) {
	p := b.party(cmd.Actor.Subject)
	today := b.s.Journal.today(ctx)
	st := b.s.Settlement
	// Claim the signature (and, with the last one, the stage) before the
	// schedule lookups yield, so a second signature meanwhile is refused.
	st.Signatures = append(st.Signatures, BoundarySignature{Party: p.ID, SignedBy: p.Representative, SignedOn: today})
	all := len(st.Signatures) == len(b.in.Parties)
	var visits []BoundaryFollowUp
	var till policy.Date
	if all {
		b.s.Stage = BoundaryMonitoring
		var err error
		if visits, till, err = b.followUpSchedule(ctx, today); err != nil {
			st.Signatures = st.Signatures[:len(st.Signatures)-1]
			b.s.Stage = BoundarySigning
			return BoundaryView{}, err
		}
	}
	seq := b.s.Journal.add(ctx, step{
		Kind: "settlement_signed", Actor: cmd.Actor, ReasonCode: "party_signature",
		Reason: fmt.Sprintf("%s signed for %s", p.Representative, p.Name),
		Data:   map[string]any{"party": p.ID, "representative": p.Representative, "signed": len(st.Signatures), "of": len(b.in.Parties)},
	})
	if !all {
		return b.finish(ctx, seq)
	}
	// Every party signed: the settlement takes effect.
	st.EffectiveOn, st.FollowUpTill = today, till
	b.s.Outcome = BoundarySettled
	b.s.FollowUps = visits
	seq = b.s.Journal.add(ctx, step{
		Kind: "settlement_effective", Actor: casefile.System, ReasonCode: "all_parties_signed",
		Reason: fmt.Sprintf("signed by all %d parties; in effect from %s, followed up until %s", len(b.in.Parties), today, till),
		Data: map[string]any{
			"effective_on": today, "follow_up_every": b.s.Policy.Boundary.FollowUpEvery,
			"follow_up_for": b.s.Policy.Boundary.FollowUpFor, "follow_up_till": till, "visits": len(visits),
			"resolve_by": b.s.ResolveBy, "deadline_passed": b.s.DeadlinePassed,
		},
	})
	return b.finish(ctx, seq)
}

// followUpSchedule lists the follow-up visits from the effective date.
// Each is counted from that date, not from the visit before, so a visit
// moved off a rest day does not shift the rest.
func (b *boundary) followUpSchedule(ctx workflow.Context, from policy.Date) ([]BoundaryFollowUp, policy.Date, error) {
	pol := b.s.Policy.Boundary
	till, err := deadline(ctx, b.in.Jurisdiction, from, pol.FollowUpFor)
	if err != nil {
		return nil, policy.Date{}, fmt.Errorf("follow-up period: %w", err)
	}
	var visits []BoundaryFollowUp
	for k := 1; ; k++ {
		every := policy.Period{Years: pol.FollowUpEvery.Years * k, Months: pol.FollowUpEvery.Months * k, Days: pol.FollowUpEvery.Days * k}
		due, err := deadline(ctx, b.in.Jurisdiction, from, every)
		if err != nil {
			return nil, policy.Date{}, fmt.Errorf("follow-up visit %d: %w", k, err)
		}
		if due.After(till) {
			break
		}
		visits = append(visits, BoundaryFollowUp{No: k, DueOn: due})
	}
	return visits, till, nil
}

func (b *boundary) validateFollowUp(ctx workflow.Context, cmd BoundaryFollowUpCommand) error {
	if err := b.checkOrganiser(cmd.Actor); err != nil {
		return err
	}
	if err := b.checkStage(BoundaryMonitoring); err != nil {
		return err
	}
	f := b.nextFollowUp()
	if f == nil {
		return reject(RejectConflict, "the follow-up visits are being scheduled; try again")
	}
	if today := b.s.Journal.today(ctx); today.Before(f.DueOn) {
		return reject(RejectConflict, "follow-up visit %d is due on %s; today is %s", f.No, f.DueOn, today)
	}
	if !cmd.Holds && strings.TrimSpace(cmd.Note) == "" {
		return reject(RejectInvalid, "a visit finding the settlement does not hold needs a note saying how")
	}
	seen := map[string]bool{}
	for _, c := range cmd.Checks {
		if !slices.ContainsFunc(b.s.Settlement.Markers, func(m BoundaryMarker) bool { return m.ID == c.Marker }) {
			return reject(RejectInvalid, "no boundary marker %q in the settlement", c.Marker)
		}
		if seen[c.Marker] {
			return reject(RejectInvalid, "boundary marker %s is checked twice", c.Marker)
		}
		seen[c.Marker] = true
		switch c.Status {
		case MarkerInstalled, MarkerIntact, MarkerDamaged, MarkerMissing:
		default:
			return reject(RejectInvalid, "marker status must be installed, intact, damaged or missing, got %q", c.Status)
		}
	}
	return nil
}

func (b *boundary) recordFollowUp(ctx workflow.Context, cmd BoundaryFollowUpCommand) (BoundaryView, error) {
	today := b.s.Journal.today(ctx)
	f := b.nextFollowUp()
	f.RecordedOn, f.Holds, f.Note, f.Checks, f.By = today, cmd.Holds, cmd.Note, slices.Clone(cmd.Checks), cmd.Actor.Subject
	for _, c := range cmd.Checks {
		for i := range b.s.Settlement.Markers {
			if m := &b.s.Settlement.Markers[i]; m.ID == c.Marker {
				m.Status, m.CheckedOn = c.Status, today
			}
		}
	}
	code := "agreement_holds"
	if !cmd.Holds {
		code = "agreement_not_holding"
	}
	seq := b.s.Journal.add(ctx, step{
		Kind: "follow_up_visit", Actor: cmd.Actor, Reason: cmd.Note, ReasonCode: code,
		Data: map[string]any{"visit": f.No, "due_on": f.DueOn, "holds": cmd.Holds, "checks": cmd.Checks, "of": len(b.s.FollowUps)},
	})
	if b.nextFollowUp() == nil {
		b.s.Stage, b.s.ClosedOn, b.s.ClosedAt = BoundaryClosed, today, workflow.Now(ctx)
		seq = b.s.Journal.add(ctx, step{
			Kind: "boundary_closed", Actor: casefile.System, ReasonCode: "follow_up_completed",
			Reason: fmt.Sprintf("all %d follow-up visits made; the case is closed out (销号)", len(b.s.FollowUps)),
			Data:   map[string]any{"visits": len(b.s.FollowUps), "effective_on": b.s.Settlement.EffectiveOn},
		})
	}
	return b.finish(ctx, seq)
}

// rearm counts the case's pending deadlines again after a publication.
func (b *boundary) rearm(ctx workflow.Context, cmd RearmCommand) (RearmResult, error) {
	res, seq, err := rearmDeadlines(ctx, &b.s.Journal, b.in.Jurisdiction, cmd, b.counted, func() { b.rev++ })
	if err != nil || seq == 0 {
		return res, err
	}
	return res, b.s.Journal.awaitRecorded(ctx, seq)
}

// counted lists the case's pending counted deadlines: the case leader's
// resolution deadline from the first assignment, and each follow-up visit
// not yet due, counted from the settlement's effective date.
func (b *boundary) counted() []counted {
	var out []counted
	pol := b.s.Policy.Boundary
	if !b.s.ResolveBy.IsZero() && !b.settled() && !b.s.DeadlinePassed && !b.s.LeaderAssignedOn.IsZero() {
		get, set := keep(&b.s.ResolveBy)
		out = append(out, counted{kind: "resolution", from: b.s.LeaderAssignedOn,
			periods: []policy.Period{pol.ResolutionPeriod}, get: get, set: set})
	}
	if b.s.Stage == BoundaryMonitoring && b.settled() {
		from := b.s.Settlement.EffectiveOn
		for i := range b.s.FollowUps {
			f := &b.s.FollowUps[i]
			if f.Due || !f.RecordedOn.IsZero() {
				continue
			}
			every := policy.Period{Years: pol.FollowUpEvery.Years * f.No, Months: pol.FollowUpEvery.Months * f.No, Days: pol.FollowUpEvery.Days * f.No}
			get, set := keep(&f.DueOn)
			out = append(out, counted{kind: "follow_up", ref: fmt.Sprintf("visit %d", f.No),
				from: from, periods: []policy.Period{every}, get: get, set: set})
		}
	}
	return out
}
