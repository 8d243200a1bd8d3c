package policy

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"
)

// ErrInvalidPolicy is wrapped by every error returned by Policy.Validate.
var ErrInvalidPolicy = errors.New("invalid policy")

// Asset kinds, the keys of EnforcementPolicy.FreezeTerms. The terms differ
// by kind of property under the SPC interpretation of the Civil Procedure
// Law (bank deposits 1 year, movables 2 years, real property and other
// property rights 3 years).
const (
	AssetBankDeposit        = "bank_deposit"
	AssetMovable            = "movable"
	AssetRealProperty       = "real_property"
	AssetOtherPropertyRight = "other_property_right"
)

// AssetKinds lists every asset kind a policy must give a freeze term for.
var AssetKinds = []string{AssetBankDeposit, AssetMovable, AssetRealProperty, AssetOtherPropertyRight}

// jurisdictionPattern accepts ISO 3166-1/3166-2 style codes with optional
// local suffixes ("CN", "CN-52", "CN-52-QXN"); the hyphen is what the
// registry's prefix fallback walks along.
var jurisdictionPattern = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,10})*$`)

// Policy holds every legal period for one jurisdiction. A zero field means
// "not set here" and is inherited from the parent policy; consequently a
// child cannot set a count such as MaxExtensions back to 0 — give the child
// its own complete policy with no parent for that.
type Policy struct {
	// Jurisdiction is the code the policy applies to: "CN" for the national
	// default, "CN-52" for Guizhou, "CN-52-QXN" for an autonomous prefecture.
	Jurisdiction string `json:"jurisdiction"`
	// Parent is the policy zero fields are inherited from. When empty it is
	// the nearest known code prefix ("CN-52" for "CN-52-QXN", else "CN").
	Parent string `json:"parent,omitempty"`
	// Name is a human-readable name of the jurisdiction.
	Name string `json:"name,omitempty"`
	// Notes explains the legal source of periods, keyed by JSON field path
	// ("mediation.period"); it is documentation and never drives behaviour.
	Notes map[string]string `json:"notes,omitempty"`

	Mediation    MediationPolicy    `json:"mediation"`
	Confirmation ConfirmationPolicy `json:"confirmation"`
	Performance  PerformancePolicy  `json:"performance"`
	PaymentOrder PaymentOrderPolicy `json:"payment_order"`
	Enforcement  EnforcementPolicy  `json:"enforcement"`
	Boundary     BoundaryPolicy     `json:"boundary"`
	Wage         WagePolicy         `json:"wage"`
	Bulk         BulkPolicy         `json:"bulk"`
	Notices      NoticePolicy       `json:"notices"`
	Intake       IntakePolicy       `json:"intake"`
	// FollowUps are the offsets after closing at which a case is followed
	// up, in increasing order.
	FollowUps []Period `json:"follow_ups"`
}

// MediationPolicy sets the length of a mediation.
type MediationPolicy struct {
	Period        Period `json:"period"`
	Extension     Period `json:"extension"`
	MaxExtensions int    `json:"max_extensions"`
}

// ConfirmationPolicy sets the periods of judicial confirmation of a
// mediation agreement (司法确认).
type ConfirmationPolicy struct {
	// ApplyWithin runs from the mediation agreement taking effect.
	ApplyWithin Period `json:"apply_within"`
	// DecideWithin runs from the court accepting the application.
	DecideWithin          Period `json:"decide_within"`
	DecisionExtension     Period `json:"decision_extension"`
	MaxDecisionExtensions int    `json:"max_decision_extensions"`
}

// PerformancePolicy sets reminders around a performance due date.
type PerformancePolicy struct {
	// ReminderOffsets are periods before the due date, strictly decreasing.
	ReminderOffsets []Period `json:"reminder_offsets"`
	// Grace is how long after the due date the case waits before treating
	// it as unperformed. Zero means no grace (at the root policy only).
	Grace Period `json:"grace"`
	// LateRecording is how long after the grace period a payment made
	// within it may still be recorded and count by its date: the default is
	// decided only when this window ends. Zero: decided when grace ends.
	LateRecording Period `json:"late_recording,omitempty"`
}

// PaymentOrderPolicy sets the periods of the supervision procedure (督促程序).
type PaymentOrderPolicy struct {
	// ObjectionPeriod runs from service of the payment order.
	ObjectionPeriod Period `json:"objection_period"`
}

// Components of a debt under enforcement, as an application order names them.
const (
	DebtCosts     = "costs"
	DebtInterest  = "interest"
	DebtPrincipal = "principal"
)

// DebtComponents lists the components of a debt.
var DebtComponents = []string{DebtCosts, DebtInterest, DebtPrincipal}

// EnforcementPolicy sets the periods of applying for and conducting
// enforcement.
type EnforcementPolicy struct {
	// ApplicationWindow is the period for applying for enforcement.
	ApplicationWindow Period `json:"application_window"`
	// LastInstallmentRuleFrom is the document date from which an instalment
	// obligation's window runs from the last instalment's due date; for
	// earlier documents it runs from each instalment's own due date.
	LastInstallmentRuleFrom Date `json:"last_installment_rule_from"`
	// FreezeTerms is the maximum term of a freeze or seizure by asset kind.
	FreezeTerms map[string]Period `json:"freeze_terms"`
	// RenewalReminder is how long before a freeze expires to remind.
	RenewalReminder Period `json:"renewal_reminder"`
	// RecheckEvery and RecheckFor govern property re-checks after an
	// enforcement is terminated for the time being (终结本次执行).
	RecheckEvery Period `json:"recheck_every"`
	RecheckFor   Period `json:"recheck_for"`
	// SuspensionRunOn is how long the application period runs on after a
	// suspension (中止) that arose in its final stretch of the same length
	// ends (Civil Code art. 194, applied to the enforcement period by the
	// Civil Procedure Law).
	SuspensionRunOn Period `json:"suspension_run_on"`
	// DelayInterestPerMillion is the daily rate, in millionths of the
	// principal outstanding, of the interest for delayed performance
	// (迟延履行期间的债务利息, its doubled part): 175 is 日万分之一点七五.
	DelayInterestPerMillion int64 `json:"delay_interest_per_million,omitempty"`
	// ApplicationOrder is the order in which a payment discharges what is
	// owed: some order of costs, interest and principal.
	ApplicationOrder []string `json:"application_order,omitempty"`
	// StandstillMax is the longest standstill (暂缓执行) granted at once;
	// zero: none.
	StandstillMax Period `json:"standstill_max,omitempty"`
}

// BoundaryPolicy sets the tiers and follow-up of a multi-party negotiation
// of a hard dispute, such as a decades-old grassland boundary ("三二一":
// at least 3 rounds at village level, 2 at township level, then the county
// decides).
type BoundaryPolicy struct {
	VillageMinRounds  int `json:"village_min_rounds"`
	TownshipMinRounds int `json:"township_min_rounds"`
	// ResolutionPeriod is the deadline a case leader (包案领导) is given to
	// resolve a hard case, from the day the leader is assigned.
	ResolutionPeriod Period `json:"resolution_period"`
	// FollowUpEvery and FollowUpFor govern implementation monitoring and
	// follow-up visits after the settlement is signed.
	FollowUpEvery Period `json:"follow_up_every"`
	FollowUpFor   Period `json:"follow_up_for"`
}

// Risk grades of a dispute at intake (风险等级), lowest first.
const (
	RiskGreen  = "green"
	RiskYellow = "yellow"
	RiskRed    = "red"
)

// RiskGrades lists the risk grades, lowest first.
var RiskGrades = []string{RiskGreen, RiskYellow, RiskRed}

// UrgencyTier is one urgency tier of intake and the period a handler has,
// from the dispatch (派单), to record the outcome of a dispute in it.
type UrgencyTier struct {
	Name     string `json:"name"`
	Handling Period `json:"handling"`
}

// IntakePolicy sets the periods of the one-window intake and supervision
// of disputes (点单、接单、派单、办单、评单).
type IntakePolicy struct {
	// Tiers are the urgency tiers, the most urgent first, each with its
	// handling period; a more urgent tier never has a longer period.
	Tiers []UrgencyTier `json:"tiers"`
	// RegradeTiers maps a risk grade to the least urgent tier a dispute
	// re-graded to it is handled in: re-graded red, it moves up to that
	// tier (never down) and its handling deadline is counted again.
	RegradeTiers map[string]string `json:"regrade_tiers,omitempty"`
	// CaseLeaderGrades are the risk grades that call for a case-leader
	// record (领导包案, 一案一档); a dispute marked hard needs one too.
	CaseLeaderGrades []string `json:"case_leader_grades"`
	// CaseLeaderPeriod is the resolution deadline a case leader is given,
	// from the record.
	CaseLeaderPeriod Period `json:"case_leader_period"`
	// FollowUps are the centre's follow-up visits (回访) after the outcome
	// is recorded, in increasing order.
	FollowUps []Period `json:"follow_ups"`
	// RatingWindow is how long after the outcome the party may rate the
	// handling (评单).
	RatingWindow Period `json:"rating_window"`
}

// Tier returns the urgency tier named name.
func (p IntakePolicy) Tier(name string) (UrgencyTier, bool) {
	i := slices.IndexFunc(p.Tiers, func(t UrgencyTier) bool { return t.Name == name })
	if i < 0 {
		return UrgencyTier{}, false
	}
	return p.Tiers[i], true
}

// MoreUrgent reports whether tier a is more urgent than tier b.
func (p IntakePolicy) MoreUrgent(a, b string) bool {
	ia := slices.IndexFunc(p.Tiers, func(t UrgencyTier) bool { return t.Name == a })
	ib := slices.IndexFunc(p.Tiers, func(t UrgencyTier) bool { return t.Name == b })
	return ia >= 0 && ib >= 0 && ia < ib
}

// Escalation kinds of a missed wage installment, in the order the seeds
// describe them.
const (
	EscalateNotice            = "default_notice"
	EscalateLabourInspection  = "labour_inspection_referral"
	EscalateGuaranteeDrawdown = "wage_guarantee_drawdown"
	EscalateBlacklist         = "blacklist"
	EscalatePaymentOrder      = "payment_order"
)

// EscalationKinds lists the escalation kinds a policy may name.
var EscalationKinds = []string{EscalateNotice, EscalateLabourInspection, EscalateGuaranteeDrawdown, EscalateBlacklist, EscalatePaymentOrder}

// EscalationStep is one step taken after a missed installment: Kind, due
// After the default (the end of the grace period).
type EscalationStep struct {
	Kind  string `json:"kind"`
	After Period `json:"after"`
}

// WagePolicy sets what follows a missed installment of wage or rent
// arrears (欠薪/欠租): escalation steps in order of their periods; a payment
// order is followed by enforcement once its objection period has passed.
type WagePolicy struct {
	Escalation []EscalationStep `json:"escalation"`
}

// BulkPolicy sets the periods of a batch of financial disputes (批量金融
// 纠纷, seed 001): how long the pre-filing mediation runs once the batch
// has been screened and preserved; a payment order issued after it runs
// PaymentOrder.ObjectionPeriod.
type BulkPolicy struct {
	MediationPeriod Period `json:"mediation_period"`
}

// NoticePolicy bounds the delivery of one notice through its channel:
// how many attempts, how the retries back off, and how long one attempt
// may take, before the notice is marked undeliverable for a clerk to serve
// another way. These are real-time durations of a delivery process, not
// legal periods, so they are counted in seconds rather than as periods of
// the legal calendar.
type NoticePolicy struct {
	// Attempts is the number of delivery attempts, the first included.
	Attempts int `json:"attempts"`
	// FirstRetrySeconds is the wait before the second attempt; each later
	// wait doubles, up to MaxRetrySeconds.
	FirstRetrySeconds int `json:"first_retry_seconds"`
	MaxRetrySeconds   int `json:"max_retry_seconds"`
	// AttemptTimeoutSeconds bounds one attempt.
	AttemptTimeoutSeconds int `json:"attempt_timeout_seconds"`
}

// Bounds of a notice policy: enough to keep a delivery finite and its
// history small, wide enough for any channel.
const (
	MaxNoticeAttempts       = 1000
	MaxNoticeRetrySeconds   = 7 * 24 * 3600
	MaxNoticeTimeoutSeconds = 3600
)

// IsZero reports whether no delivery rule is set.
func (n NoticePolicy) IsZero() bool { return n == NoticePolicy{} }

// FirstRetry, MaxRetry and AttemptTimeout return the policy's durations.
func (n NoticePolicy) FirstRetry() time.Duration {
	return time.Duration(n.FirstRetrySeconds) * time.Second
}
func (n NoticePolicy) MaxRetry() time.Duration { return time.Duration(n.MaxRetrySeconds) * time.Second }
func (n NoticePolicy) AttemptTimeout() time.Duration {
	return time.Duration(n.AttemptTimeoutSeconds) * time.Second
}

// Validate checks that every required period is present and consistent. It
// is meant for a resolved policy, after inheritance; all problems are
// reported together, each prefixed with its JSON field path.
func (p Policy) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	required := func(field string, v Period) {
		switch {
		case !v.valid():
			bad(field, "negative component in %+v", v)
		case v.IsZero():
			bad(field, "required, must be non-zero")
		}
	}
	optional := func(field string, v Period) {
		if !v.valid() {
			bad(field, "negative component in %+v", v)
		}
	}
	count := func(field string, n int, ext string, v Period) {
		if n < 0 {
			bad(field, "must not be negative, got %d", n)
		}
		if n > 0 {
			required(ext, v)
		} else {
			optional(ext, v)
		}
	}

	if !jurisdictionPattern.MatchString(p.Jurisdiction) {
		bad("jurisdiction", "got %q, want a code like CN, CN-52 or CN-52-QXN", p.Jurisdiction)
	}
	if p.Parent != "" && p.Parent == p.Jurisdiction {
		bad("parent", "a policy cannot be its own parent")
	}

	required("mediation.period", p.Mediation.Period)
	count("mediation.max_extensions", p.Mediation.MaxExtensions, "mediation.extension", p.Mediation.Extension)

	required("confirmation.apply_within", p.Confirmation.ApplyWithin)
	required("confirmation.decide_within", p.Confirmation.DecideWithin)
	count("confirmation.max_decision_extensions", p.Confirmation.MaxDecisionExtensions,
		"confirmation.decision_extension", p.Confirmation.DecisionExtension)

	if len(p.Performance.ReminderOffsets) == 0 {
		bad("performance.reminder_offsets", "required, at least one offset")
	}
	for i, o := range p.Performance.ReminderOffsets {
		required(fmt.Sprintf("performance.reminder_offsets[%d]", i), o)
		if i > 0 && !p.Performance.ReminderOffsets[i-1].longerThan(o) {
			bad("performance.reminder_offsets", "must be strictly decreasing, got %s before %s",
				p.Performance.ReminderOffsets[i-1], o)
		}
	}
	optional("performance.grace", p.Performance.Grace)
	optional("performance.late_recording", p.Performance.LateRecording)

	required("payment_order.objection_period", p.PaymentOrder.ObjectionPeriod)
	required("bulk.mediation_period", p.Bulk.MediationPeriod)

	e := p.Enforcement
	required("enforcement.application_window", e.ApplicationWindow)
	if e.LastInstallmentRuleFrom.IsZero() {
		bad("enforcement.last_installment_rule_from", "required")
	}
	for _, k := range AssetKinds {
		v, ok := e.FreezeTerms[k]
		if !ok {
			bad("enforcement.freeze_terms."+k, "required")
			continue
		}
		required("enforcement.freeze_terms."+k, v)
		if e.RenewalReminder.valid() && !e.RenewalReminder.IsZero() && !v.longerThan(e.RenewalReminder) {
			bad("enforcement.renewal_reminder", "%s is not shorter than the %s term %s", e.RenewalReminder, k, v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(e.FreezeTerms)) {
		if !slices.Contains(AssetKinds, k) {
			bad("enforcement.freeze_terms."+k, "unknown asset kind, want one of %v", AssetKinds)
		}
	}
	required("enforcement.renewal_reminder", e.RenewalReminder)
	required("enforcement.recheck_every", e.RecheckEvery)
	required("enforcement.recheck_for", e.RecheckFor)
	required("enforcement.suspension_run_on", e.SuspensionRunOn)
	optional("enforcement.standstill_max", e.StandstillMax)
	if e.DelayInterestPerMillion < 0 || e.DelayInterestPerMillion > 10_000 {
		bad("enforcement.delay_interest_per_million", "%d is not a daily rate between 0 and 10000 millionths", e.DelayInterestPerMillion)
	}
	if o := e.ApplicationOrder; o != nil {
		sorted := slices.Clone(o)
		slices.Sort(sorted)
		if !slices.Equal(sorted, []string{DebtCosts, DebtInterest, DebtPrincipal}) {
			bad("enforcement.application_order", "%v is not an order of %v", o, DebtComponents)
		}
	}
	if !e.RecheckFor.IsZero() && !e.RecheckEvery.IsZero() && !e.RecheckFor.longerThan(e.RecheckEvery) {
		bad("enforcement.recheck_for", "%s is not longer than recheck_every %s", e.RecheckFor, e.RecheckEvery)
	}

	b := p.Boundary
	if b.VillageMinRounds < 1 || b.TownshipMinRounds < 1 {
		bad("boundary", "village_min_rounds and township_min_rounds must be at least 1, got %d and %d", b.VillageMinRounds, b.TownshipMinRounds)
	}
	required("boundary.resolution_period", b.ResolutionPeriod)
	required("boundary.follow_up_every", b.FollowUpEvery)
	required("boundary.follow_up_for", b.FollowUpFor)
	if !b.FollowUpFor.IsZero() && !b.FollowUpEvery.IsZero() && !b.FollowUpFor.longerThan(b.FollowUpEvery) {
		bad("boundary.follow_up_for", "%s is not longer than follow_up_every %s", b.FollowUpFor, b.FollowUpEvery)
	}

	if len(p.Wage.Escalation) == 0 {
		bad("wage.escalation", "required, at least one step")
	}
	for i, st := range p.Wage.Escalation {
		field := fmt.Sprintf("wage.escalation[%d]", i)
		if !slices.Contains(EscalationKinds, st.Kind) {
			bad(field+".kind", "unknown kind %q, want one of %v", st.Kind, EscalationKinds)
		}
		optional(field+".after", st.After)
		if i > 0 && p.Wage.Escalation[i-1].After.longerThan(st.After) {
			bad(field+".after", "steps must be in order of their periods, got %s after %s", st.After, p.Wage.Escalation[i-1].After)
		}
	}

	n := p.Notices
	between := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			bad(field, "must be from %d to %d, got %d", lo, hi, v)
		}
	}
	between("notices.attempts", n.Attempts, 1, MaxNoticeAttempts)
	between("notices.first_retry_seconds", n.FirstRetrySeconds, 1, MaxNoticeRetrySeconds)
	between("notices.max_retry_seconds", n.MaxRetrySeconds, 1, MaxNoticeRetrySeconds)
	between("notices.attempt_timeout_seconds", n.AttemptTimeoutSeconds, 1, MaxNoticeTimeoutSeconds)
	if n.FirstRetrySeconds > n.MaxRetrySeconds {
		bad("notices.max_retry_seconds", "%d is shorter than first_retry_seconds %d", n.MaxRetrySeconds, n.FirstRetrySeconds)
	}

	in := p.Intake
	if len(in.Tiers) == 0 {
		bad("intake.tiers", "required, at least one urgency tier")
	}
	tiers := map[string]bool{}
	for i, t := range in.Tiers {
		field := fmt.Sprintf("intake.tiers[%d]", i)
		if t.Name == "" || tiers[t.Name] {
			bad(field+".name", "a tier needs a name of its own, got %q", t.Name)
		}
		tiers[t.Name] = true
		required(field+".handling", t.Handling)
		if i > 0 && t.Handling.valid() && in.Tiers[i-1].Handling.longerThan(t.Handling) {
			bad(field+".handling", "a less urgent tier cannot have a shorter period: %s after %s", t.Handling, in.Tiers[i-1].Handling)
		}
	}
	for _, g := range slices.Sorted(maps.Keys(in.RegradeTiers)) {
		if !slices.Contains(RiskGrades, g) {
			bad("intake.regrade_tiers."+g, "unknown risk grade, want one of %v", RiskGrades)
		}
		if !tiers[in.RegradeTiers[g]] {
			bad("intake.regrade_tiers."+g, "unknown tier %q", in.RegradeTiers[g])
		}
	}
	for _, g := range in.CaseLeaderGrades {
		if !slices.Contains(RiskGrades, g) {
			bad("intake.case_leader_grades", "unknown risk grade %q, want one of %v", g, RiskGrades)
		}
	}
	required("intake.case_leader_period", in.CaseLeaderPeriod)
	required("intake.rating_window", in.RatingWindow)
	if len(in.FollowUps) == 0 {
		bad("intake.follow_ups", "required, at least one offset")
	}
	for i, f := range in.FollowUps {
		required(fmt.Sprintf("intake.follow_ups[%d]", i), f)
		if i > 0 && !f.longerThan(in.FollowUps[i-1]) {
			bad("intake.follow_ups", "must be strictly increasing, got %s after %s", f, in.FollowUps[i-1])
		}
	}

	if len(p.FollowUps) == 0 {
		bad("follow_ups", "required, at least one offset")
	}
	for i, f := range p.FollowUps {
		required(fmt.Sprintf("follow_ups[%d]", i), f)
		if i > 0 && !f.longerThan(p.FollowUps[i-1]) {
			bad("follow_ups", "must be strictly increasing, got %s after %s", f, p.FollowUps[i-1])
		}
	}

	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w %q: %w", ErrInvalidPolicy, p.Jurisdiction, err)
	}
	return nil
}

// EnforcementWindowStart returns the dates from which the enforcement
// application window runs, for a document dated documentDate whose
// obligation falls due on dueDates (one date, or one per instalment).
// Documents dated on or after LastInstallmentRuleFrom count a single window
// from the last instalment's due date; earlier documents count a window
// from each instalment's own due date, returned in ascending order. The
// window itself is ApplicationWindow counted from each start.
func (p Policy) EnforcementWindowStart(documentDate Date, dueDates []Date) []Date {
	var due []Date
	for _, d := range dueDates {
		if !d.IsZero() {
			due = append(due, d)
		}
	}
	if len(due) == 0 {
		return nil
	}
	from := p.Enforcement.LastInstallmentRuleFrom
	if !from.IsZero() && !documentDate.Before(from) {
		return []Date{slices.MaxFunc(due, Date.Compare)}
	}
	slices.SortFunc(due, Date.Compare)
	return slices.Compact(due)
}

// inherit returns p with every zero field taken from parent. FreezeTerms and
// Notes are merged key by key, so a child can change one asset kind's term.
func (p Policy) inherit(parent Policy) Policy {
	period := func(v *Period, pv Period) {
		if v.IsZero() {
			*v = pv
		}
	}
	number := func(v *int, pv int) {
		if *v == 0 {
			*v = pv
		}
	}
	list := func(v *[]Period, pv []Period) {
		if len(*v) == 0 {
			*v = slices.Clone(pv)
		}
	}
	if p.Name == "" {
		p.Name = parent.Name
	}
	p.Notes = mergeMaps(parent.Notes, p.Notes)

	period(&p.Mediation.Period, parent.Mediation.Period)
	period(&p.Mediation.Extension, parent.Mediation.Extension)
	number(&p.Mediation.MaxExtensions, parent.Mediation.MaxExtensions)

	period(&p.Confirmation.ApplyWithin, parent.Confirmation.ApplyWithin)
	period(&p.Confirmation.DecideWithin, parent.Confirmation.DecideWithin)
	period(&p.Confirmation.DecisionExtension, parent.Confirmation.DecisionExtension)
	number(&p.Confirmation.MaxDecisionExtensions, parent.Confirmation.MaxDecisionExtensions)

	list(&p.Performance.ReminderOffsets, parent.Performance.ReminderOffsets)
	period(&p.Performance.Grace, parent.Performance.Grace)
	period(&p.Performance.LateRecording, parent.Performance.LateRecording)

	period(&p.PaymentOrder.ObjectionPeriod, parent.PaymentOrder.ObjectionPeriod)
	period(&p.Bulk.MediationPeriod, parent.Bulk.MediationPeriod)

	e, pe := &p.Enforcement, parent.Enforcement
	period(&e.ApplicationWindow, pe.ApplicationWindow)
	if e.LastInstallmentRuleFrom.IsZero() {
		e.LastInstallmentRuleFrom = pe.LastInstallmentRuleFrom
	}
	e.FreezeTerms = mergeMaps(pe.FreezeTerms, e.FreezeTerms)
	period(&e.RenewalReminder, pe.RenewalReminder)
	period(&e.RecheckEvery, pe.RecheckEvery)
	period(&e.RecheckFor, pe.RecheckFor)
	period(&e.SuspensionRunOn, pe.SuspensionRunOn)
	period(&e.StandstillMax, pe.StandstillMax)
	if e.DelayInterestPerMillion == 0 {
		e.DelayInterestPerMillion = pe.DelayInterestPerMillion
	}
	if e.ApplicationOrder == nil {
		e.ApplicationOrder = slices.Clone(pe.ApplicationOrder)
	}

	b, pb := &p.Boundary, parent.Boundary
	number(&b.VillageMinRounds, pb.VillageMinRounds)
	number(&b.TownshipMinRounds, pb.TownshipMinRounds)
	period(&b.ResolutionPeriod, pb.ResolutionPeriod)
	period(&b.FollowUpEvery, pb.FollowUpEvery)
	period(&b.FollowUpFor, pb.FollowUpFor)
	if len(p.Wage.Escalation) == 0 {
		p.Wage.Escalation = slices.Clone(parent.Wage.Escalation)
	}

	n, pn := &p.Notices, parent.Notices
	number(&n.Attempts, pn.Attempts)
	number(&n.FirstRetrySeconds, pn.FirstRetrySeconds)
	number(&n.MaxRetrySeconds, pn.MaxRetrySeconds)
	number(&n.AttemptTimeoutSeconds, pn.AttemptTimeoutSeconds)

	in, pin := &p.Intake, parent.Intake
	if len(in.Tiers) == 0 {
		in.Tiers = slices.Clone(pin.Tiers)
	}
	in.RegradeTiers = mergeMaps(pin.RegradeTiers, in.RegradeTiers)
	if len(in.CaseLeaderGrades) == 0 {
		in.CaseLeaderGrades = slices.Clone(pin.CaseLeaderGrades)
	}
	period(&in.CaseLeaderPeriod, pin.CaseLeaderPeriod)
	list(&in.FollowUps, pin.FollowUps)
	period(&in.RatingWindow, pin.RatingWindow)

	list(&p.FollowUps, parent.FollowUps)
	return p
}

// mergeMaps returns a new map of base overlaid with over, or nil when both
// are empty.
func mergeMaps[V any](base, over map[string]V) map[string]V {
	if len(base) == 0 && len(over) == 0 {
		return nil
	}
	m := make(map[string]V, len(base)+len(over))
	maps.Copy(m, base)
	maps.Copy(m, over)
	return m
}

// clone returns a deep copy of p, so that callers can change a returned
// policy without changing the registry's.
func (p Policy) clone() Policy {
	p.Notes = maps.Clone(p.Notes)
	p.Performance.ReminderOffsets = slices.Clone(p.Performance.ReminderOffsets)
	p.Enforcement.FreezeTerms = maps.Clone(p.Enforcement.FreezeTerms)
	p.Enforcement.ApplicationOrder = slices.Clone(p.Enforcement.ApplicationOrder)
	p.FollowUps = slices.Clone(p.FollowUps)
	p.Wage.Escalation = slices.Clone(p.Wage.Escalation)
	p.Intake.Tiers = slices.Clone(p.Intake.Tiers)
	p.Intake.RegradeTiers = maps.Clone(p.Intake.RegradeTiers)
	p.Intake.CaseLeaderGrades = slices.Clone(p.Intake.CaseLeaderGrades)
	p.Intake.FollowUps = slices.Clone(p.Intake.FollowUps)
	return p
}
