package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

// InquiryCommand records a property inquiry (网络查控) and its findings.
type InquiryCommand struct {
	Found    bool           `json:"found"`
	Findings []Finding      `json:"findings,omitempty"`
	Note     string         `json:"note,omitempty"`
	Actor    casefile.Actor `json:"actor"`
}

// MeasureCommand orders a measure. AssetKind is required for a freeze or
// seizure, AmountFen for a fine, Days for a detention.
type MeasureCommand struct {
	Kind        string         `json:"kind"`
	AssetKind   string         `json:"asset_kind,omitempty"`
	Description string         `json:"description,omitempty"`
	AmountFen   int64          `json:"amount_fen,omitempty"`
	Days        int            `json:"days,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	Actor       casefile.Actor `json:"actor"`
}

// MeasureRefCommand renews or lifts one measure.
type MeasureRefCommand struct {
	MeasureID string         `json:"measure_id"`
	Reason    string         `json:"reason,omitempty"`
	Actor     casefile.Actor `json:"actor"`
}

// EnforcementPaymentCommand records money collected for the applicant.
type EnforcementPaymentCommand struct {
	AmountFen int64          `json:"amount_fen"`
	PaidOn    policy.Date    `json:"paid_on"`
	Reason    string         `json:"reason,omitempty"`
	Actor     casefile.Actor `json:"actor"`
}

// SettleCommand records a settlement during enforcement (执行和解): the
// outstanding amount in new installments.
type SettleCommand struct {
	Installments []Installment  `json:"installments"`
	Reason       string         `json:"reason,omitempty"`
	Actor        casefile.Actor `json:"actor"`
}

// TerminateRoundCommand terminates this round of enforcement (终本).
type TerminateRoundCommand struct {
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// RecheckCommand records a property re-check after termination.
type RecheckCommand struct {
	Found    bool           `json:"found"`
	Findings []Finding      `json:"findings,omitempty"`
	Note     string         `json:"note,omitempty"`
	Actor    casefile.Actor `json:"actor"`
}

func (e *enforcement) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (EnforcementView, error) {
		return e.view(ctx), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateOpened, func(ctx workflow.Context) (EnforcementView, error) {
		if err := workflow.Await(ctx, func() bool { return e.s.Journal.Flushed >= 1 || e.refused != nil }); err != nil {
			return EnforcementView{}, err
		}
		if e.refused != nil {
			return EnforcementView{}, e.refused
		}
		return e.view(ctx), nil
	}); err != nil {
		return err
	}
	return registerCommands(ctx, &e.s.Journal,
		command{UpdateRecordInquiry, e.recordInquiry, e.validateInquiry},
		command{UpdateOrderMeasure, e.orderMeasure, e.validateMeasure},
		command{UpdateRenewMeasure, e.renewMeasure, e.validateRenew},
		command{UpdateLiftMeasure, e.liftMeasure, e.validateLift},
		command{UpdateRecordEnforcementPayment, e.recordPayment, e.validatePayment},
		command{UpdateSettle, e.settle, e.validateSettle},
		command{UpdateTerminateRound, e.terminateRound, e.validateTerminate},
		command{UpdateRecordRecheck, e.recordRecheck, e.validateRecheck},
		command{UpdateStandstill, e.standstill, e.validateStandstill},
		command{UpdateRecordEnforcementVisit, e.recordVisit, e.validateVisit},
		command{UpdateRearmDeadlines, e.rearm, func(_ workflow.Context, cmd RearmCommand) error { return validateRearm(cmd) }},
	)
}

// checkCourtIn refuses a command unless a court gives it while the case
// stands at one of stages.
func (e *enforcement) checkCourtIn(a casefile.Actor, stages ...string) error {
	if err := checkCourt(a); err != nil {
		return err
	}
	if e.s.Journal.Seq == 0 {
		return reject(RejectConflict, "the case is still being opened; try again")
	}
	if !slices.Contains(stages, e.s.Stage) {
		return reject(RejectConflict, "the enforcement case is %s", e.s.Stage)
	}
	return nil
}

func validateFindings(found bool, fs []Finding) error {
	if found != (len(fs) > 0) {
		return reject(RejectInvalid, "found must be true exactly when findings are listed (got found=%t with %d findings)", found, len(fs))
	}
	for i, f := range fs {
		if !slices.Contains(policy.AssetKinds, f.AssetKind) {
			return reject(RejectInvalid, "finding %d: asset kind must be one of %v, got %q", i+1, policy.AssetKinds, f.AssetKind)
		}
		if f.Description == "" {
			return reject(RejectInvalid, "finding %d: a description is required", i+1)
		}
		if f.ValueFen < 0 || f.ValueFen > maxFen {
			return reject(RejectInvalid, "finding %d: value %d fen out of range", i+1, f.ValueFen)
		}
	}
	return nil
}

func (e *enforcement) validateInquiry(_ workflow.Context, cmd InquiryCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing, StageSettlement); err != nil {
		return err
	}
	return validateFindings(cmd.Found, cmd.Findings)
}

func (e *enforcement) recordInquiry(ctx workflow.Context, cmd InquiryCommand) (EnforcementView, error) {
	q := Inquiry{
		No: len(e.s.Inquiries) + 1, RecordedOn: e.s.Journal.today(ctx), By: cmd.Actor.Subject,
		Found: cmd.Found, Findings: slices.Clone(cmd.Findings),
	}
	e.s.Inquiries = append(e.s.Inquiries, q)
	code := "property_found"
	if !q.Found {
		code = "no_property_found"
	}
	seq := e.s.Journal.add(ctx, step{
		Kind: "property_inquiry_recorded", Actor: cmd.Actor, Reason: cmd.Note, ReasonCode: code,
		Data: map[string]any{"inquiry": q.No, "found": q.Found, "findings": q.Findings},
	})
	return e.finishCommand(ctx, seq)
}

func (e *enforcement) validateMeasure(_ workflow.Context, cmd MeasureCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing); err != nil {
		return err
	}
	if !slices.Contains(MeasureKinds, cmd.Kind) {
		return reject(RejectInvalid, "measure kind must be one of %v, got %q", MeasureKinds, cmd.Kind)
	}
	freezeLike := cmd.Kind == MeasureFreeze || cmd.Kind == MeasureSeizure
	switch {
	case freezeLike && !slices.Contains(policy.AssetKinds, cmd.AssetKind):
		return reject(RejectInvalid, "a %s needs an asset kind, one of %v; got %q", cmd.Kind, policy.AssetKinds, cmd.AssetKind)
	case !freezeLike && cmd.AssetKind != "":
		return reject(RejectInvalid, "only a freeze or seizure names an asset kind")
	case freezeLike && cmd.Description == "":
		return reject(RejectInvalid, "a %s needs a description of the property", cmd.Kind)
	case cmd.Kind == MeasureFine && (cmd.AmountFen <= 0 || cmd.AmountFen > maxFen):
		return reject(RejectInvalid, "a fine needs a positive amount of fen, got %d", cmd.AmountFen)
	case cmd.Kind != MeasureFine && cmd.AmountFen != 0:
		return reject(RejectInvalid, "only a fine has an amount")
	case cmd.Kind == MeasureDetention && (cmd.Days < 1 || cmd.Days > maxDetentionDays):
		return reject(RejectInvalid, "a detention lasts 1 to %d days, got %d", maxDetentionDays, cmd.Days)
	case cmd.Kind != MeasureDetention && cmd.Days != 0:
		return reject(RejectInvalid, "only a detention has a number of days")
	case (cmd.Kind == MeasureSummons || cmd.Kind == MeasureSearch || cmd.Kind == MeasureDetention) && cmd.Reason == "":
		return reject(RejectInvalid, "a %s needs its reason", cmd.Kind)
	}
	if cmd.Kind == MeasureDishonestList || cmd.Kind == MeasureConsumptionRestriction || cmd.Kind == MeasureDetention {
		for _, m := range e.s.Measures {
			if m.Kind == cmd.Kind && m.Status == MeasureActive {
				return reject(RejectConflict, "a %s is already in force (%s)", cmd.Kind, m.ID)
			}
		}
	}
	return nil
}

func (e *enforcement) orderMeasure(ctx workflow.Context, cmd MeasureCommand) (EnforcementView, error) {
	today := e.s.Journal.today(ctx)
	m := Measure{
		Kind: cmd.Kind, AssetKind: cmd.AssetKind, Description: cmd.Description, AmountFen: cmd.AmountFen,
		Days: cmd.Days, OrderedBy: cmd.Actor.Subject, OrderedOn: today, Status: MeasureActive,
	}
	switch {
	case m.renewable():
		m.Term, m.TermLimit = 1, e.s.Policy.Enforcement.FreezeTerms[m.AssetKind]
		on, status, err := deadlineOn(ctx, e.in.Jurisdiction, today, m.TermLimit)
		if err != nil {
			return EnforcementView{}, fmt.Errorf("%s term: %w", m.Kind, err)
		}
		m.ExpiresOn, m.RemindOn = on, e.s.Policy.Enforcement.RenewalReminder.SubFrom(on)
		m.Provisional = status == policy.Provisional
	case m.Kind == MeasureDetention:
		// A detention is served day by day: it is not a period for acting,
		// so its end does not move off a rest day.
		m.ExpiresOn = today.AddDays(m.Days)
	}
	if e.s.Stage != StageEnforcing {
		return EnforcementView{}, reject(RejectConflict, "the enforcement case is %s", e.s.Stage)
	}
	m.No = len(e.s.Measures) + 1
	m.ID = fmt.Sprintf("m%d", m.No)
	e.s.Measures = append(e.s.Measures, m)
	seq := e.s.Journal.add(ctx, step{
		Kind: "measure_ordered", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "measure_" + m.Kind,
		Data: map[string]any{
			"measure": m.ID, "kind": m.Kind, "asset_kind": m.AssetKind, "description": m.Description,
			"amount_fen": m.AmountFen, "days": m.Days, "ordered_by": m.OrderedBy, "ordered_on": m.OrderedOn,
			"term": m.TermLimit, "expires_on": m.ExpiresOn, "remind_on": m.RemindOn,
		},
	})
	e.notice(ctx, e.in.Respondent, NoticeMeasure, measureNoticeBody(e.in, m))
	return e.finishCommand(ctx, seq)
}

// measureNames are the measures' names in the notices people read.
var measureNames = map[string]string{
	MeasureFreeze: "冻结", MeasureSeizure: "查封、扣押", MeasureConsumptionRestriction: "限制消费",
	MeasureDishonestList: "纳入失信被执行人名单", MeasureDetention: "拘留", MeasureSummons: "传唤",
	MeasureFine: "罚款", MeasureSearch: "搜查",
}

func measureNoticeBody(in EnforcementInput, m Measure) string {
	switch m.Kind {
	case MeasureFreeze, MeasureSeizure:
		return fmt.Sprintf("执行裁定：%s 案，对被执行人 %s 的财产（%s）采取%s措施，期限至 %s%s。", in.CaseNumber, in.Respondent, m.Description, measureNames[m.Kind], m.ExpiresOn, provisionalNote(m.Provisional))
	case MeasureConsumptionRestriction:
		return fmt.Sprintf("限制消费令：%s 案，被执行人 %s 未按执行通知书履行义务，自 %s 起限制高消费。", in.CaseNumber, in.Respondent, m.OrderedOn)
	case MeasureDishonestList:
		return fmt.Sprintf("失信决定书：%s 案，被执行人 %s 自 %s 起纳入失信被执行人名单；履行完毕后将予以信用修复。", in.CaseNumber, in.Respondent, m.OrderedOn)
	case MeasureDetention:
		return fmt.Sprintf("拘留决定书：%s 案，对 %s 司法拘留 %d 日，至 %s 止；履行或和解的可提前解除。", in.CaseNumber, in.Respondent, m.Days, m.ExpiresOn)
	case MeasureFine:
		return fmt.Sprintf("罚款决定书：%s 案，对 %s 罚款 %s。", in.CaseNumber, in.Respondent, yuan(m.AmountFen))
	}
	return fmt.Sprintf("执行措施通知：%s 案，对 %s 采取%s措施。%s", in.CaseNumber, in.Respondent, measureNames[m.Kind], m.Description)
}

// measure returns the measure with id, or nil.
func (e *enforcement) measure(id string) *Measure {
	for i := range e.s.Measures {
		if e.s.Measures[i].ID == id {
			return &e.s.Measures[i]
		}
	}
	return nil
}

func (e *enforcement) validateRenew(ctx workflow.Context, cmd MeasureRefCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing, StageSettlement, StageTerminatedRound, StageClosedAfterRechecks, StageStandstill); err != nil {
		return err
	}
	m := e.measure(cmd.MeasureID)
	switch {
	case m == nil:
		return reject(RejectInvalid, "the case has no measure %q", cmd.MeasureID)
	case !m.renewable():
		return reject(RejectInvalid, "only a freeze or seizure is renewed; %s is a %s", m.ID, m.Kind)
	case m.Status != MeasureActive && m.Status != MeasureSuspended:
		return reject(RejectConflict, "measure %s is %s", m.ID, m.Status)
	case m.Renewing:
		return reject(RejectConflict, "measure %s is being renewed", m.ID)
	}
	if today := e.s.Journal.today(ctx); today.After(m.ExpiresOn) {
		return reject(RejectConflict, "measure %s expired on %s", m.ID, m.ExpiresOn)
	}
	return nil
}

func (e *enforcement) renewMeasure(ctx workflow.Context, cmd MeasureRefCommand) (EnforcementView, error) {
	m := e.measure(cmd.MeasureID)
	// Claim the renewal before the deadline lookup yields.
	m.Renewing = true
	from := m.ExpiresOn
	to, status, err := deadlineOn(ctx, e.in.Jurisdiction, from, m.TermLimit)
	m = e.measure(cmd.MeasureID)
	m.Renewing = false
	if err != nil {
		return EnforcementView{}, fmt.Errorf("renewed term: %w", err)
	}
	if m.Status != MeasureActive {
		return EnforcementView{}, reject(RejectConflict, "measure %s is %s", m.ID, m.Status)
	}
	m.Term++
	m.ExpiresOn, m.RemindOn, m.Reminded = to, e.s.Policy.Enforcement.RenewalReminder.SubFrom(to), false
	m.Provisional = status == policy.Provisional
	m.Renewals = append(m.Renewals, Renewal{RenewedOn: e.s.Journal.today(ctx), By: cmd.Actor.Subject, From: from, To: to})
	seq := e.s.Journal.add(ctx, step{
		Kind: "measure_renewed", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "measure_renewal",
		Data: map[string]any{"measure": m.ID, "kind": m.Kind, "term": m.Term, "from": from, "to": to, "remind_on": m.RemindOn},
	})
	return e.finishCommand(ctx, seq)
}

func (e *enforcement) validateLift(_ workflow.Context, cmd MeasureRefCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing, StageSettlement, StageTerminatedRound, StageClosedAfterRechecks, StageStandstill); err != nil {
		return err
	}
	m := e.measure(cmd.MeasureID)
	switch {
	case m == nil:
		return reject(RejectInvalid, "the case has no measure %q", cmd.MeasureID)
	case m.Status != MeasureActive && m.Status != MeasureSuspended:
		return reject(RejectConflict, "measure %s is %s", m.ID, m.Status)
	case m.Renewing:
		return reject(RejectConflict, "measure %s is being renewed", m.ID)
	case cmd.Reason == "":
		return reject(RejectInvalid, "lifting a measure needs its reason")
	}
	return nil
}

func (e *enforcement) liftMeasure(ctx workflow.Context, cmd MeasureRefCommand) (EnforcementView, error) {
	m := e.measure(cmd.MeasureID)
	m.Status, m.EndedOn, m.EndedBy, m.EndReason = MeasureLifted, e.s.Journal.today(ctx), cmd.Actor.Subject, cmd.Reason
	seq := e.s.Journal.add(ctx, step{
		Kind: "measure_lifted", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "lifted_by_court",
		Data: map[string]any{"measure": m.ID, "kind": m.Kind},
	})
	return e.finishCommand(ctx, seq)
}

func (e *enforcement) validatePayment(ctx workflow.Context, cmd EnforcementPaymentCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing, StageTerminatedRound, StageStandstill); err != nil {
		if e.s.Stage == StageSettlement && cmd.Actor.Role == casefile.RoleCourt {
			return reject(RejectConflict, "a settlement is being performed: record payments against plan %s", e.currentSettlement().PlanID)
		}
		return err
	}
	today := e.s.Journal.today(ctx)
	switch {
	case cmd.AmountFen <= 0 || cmd.AmountFen > maxFen:
		return reject(RejectInvalid, "a payment must be a positive amount of fen up to %d, got %d", int64(maxFen), cmd.AmountFen)
	case cmd.PaidOn.IsZero():
		return reject(RejectInvalid, "the payment date is required")
	case cmd.PaidOn.After(today):
		return reject(RejectInvalid, "payment date %s is in the future (today is %s)", cmd.PaidOn, today)
	case cmd.PaidOn.Before(e.in.AppliedOn):
		return reject(RejectInvalid, "payment date %s is before the application for enforcement on %s", cmd.PaidOn, e.in.AppliedOn)
	case e.s.Debt != nil && e.s.Payments > 0 && cmd.PaidOn.Before(e.s.LastPaidOn):
		// Delay interest has been counted to the last payment on the
		// principal then outstanding; an earlier payment would change it.
		return reject(RejectInvalid, "payment date %s is before the last payment recorded, on %s: payments on a debt with interest are recorded in date order", cmd.PaidOn, e.s.LastPaidOn)
	}
	return nil
}

func (e *enforcement) recordPayment(ctx workflow.Context, cmd EnforcementPaymentCommand) (EnforcementView, error) {
	if e.byRef() {
		// One collection at a time is allocated against the stored
		// ledger; the lock is let go once its steps are taken, before it
		// waits for them to be recorded. The case may have moved while
		// this payment waited for it.
		if err := e.allocating.Lock(ctx); err != nil {
			return EnforcementView{}, err
		}
		if e.partiesByList() && e.completes(cmd.AmountFen, cmd.PaidOn) {
			// Completion tells each applicant: they are read before
			// anything changes, so a failed read leaves the case as it
			// was. Collections change the debt only under the lock.
			if err := e.loadApplicants(ctx); err != nil {
				e.allocating.Unlock()
				return EnforcementView{}, err
			}
		}
		if err := e.validatePayment(ctx, cmd); err != nil {
			e.allocating.Unlock()
			return EnforcementView{}, err
		}
	}
	parts, over := e.discharge(cmd.AmountFen, cmd.PaidOn)
	credited := cmd.AmountFen - over
	shares := e.divide(credited)
	e.s.CollectedFen += credited
	e.s.OverpaidFen += over
	e.s.Payments++
	if e.s.LastPaidOn.Before(cmd.PaidOn) {
		e.s.LastPaidOn = cmd.PaidOn
	}
	var allocated *ApplicantAllocation
	if e.byRef() {
		// The totals moved first, so a command taken while this yields
		// sees what is still outstanding.
		var err error
		if allocated, err = e.allocateStored(ctx, credited); err != nil {
			e.allocating.Unlock()
			return EnforcementView{}, err
		}
	}
	seq := e.addOn(ctx, cmd.PaidOn, step{
		Kind: "enforcement_payment_recorded", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "money_collected",
		Data: withAllocation(map[string]any{
			"payment": e.s.Payments, "amount_fen": cmd.AmountFen, "paid_on": cmd.PaidOn, "credited_fen": credited,
			"overpaid_fen": over, "collected_fen": e.s.CollectedFen, "outstanding_fen": e.outstanding(),
			"shares": shares, "applied": parts,
		}, allocated, e.byRef()),
	})
	seq = e.ledgerMismatch(ctx, allocated, credited, seq)
	if e.outstanding() == 0 {
		grade := CreditPaidInFull
		for _, m := range e.s.Measures {
			if m.Kind == MeasureDetention {
				grade = CreditPaidAfterCoerce
			}
		}
		seq = e.complete(ctx, "paid_in_full", grade)
	}
	if e.byRef() {
		e.allocating.Unlock()
	}
	return e.finishCommand(ctx, seq)
}

func (e *enforcement) validateSettle(ctx workflow.Context, cmd SettleCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing); err != nil {
		return err
	}
	return checkSettlement(cmd.Installments, e.s.Journal.today(ctx), e.outstanding())
}

func (e *enforcement) settle(ctx workflow.Context, cmd SettleCommand) (EnforcementView, error) {
	if e.partiesByList() {
		// The settlement plan's obligees are the applicants: read before
		// the case changes, and the command checked again, the case may
		// have moved while they were read.
		if err := e.loadApplicants(ctx); err != nil {
			return EnforcementView{}, err
		}
		if err := e.validateSettle(ctx, cmd); err != nil {
			return EnforcementView{}, err
		}
	}
	n := len(e.s.Settlements) + 1
	planID := fmt.Sprintf("settlement-%d", n)
	st := Settlement{
		No: n, PlanID: planID, WorkflowID: PlanWorkflowID(e.in.CaseID, planID),
		AgreedOn: e.s.Journal.today(ctx), Installments: slices.Clone(cmd.Installments),
	}
	e.s.Settlements = append(e.s.Settlements, st)
	e.s.Stage = StageSettlement
	seq := e.s.Journal.add(ctx, step{
		Kind: "settlement_reached", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "enforcement_settlement",
		Data: map[string]any{"settlement": n, "plan_id": planID, "plan": st.WorkflowID, "installments": st.Installments, "outstanding_fen": e.outstanding()},
	})
	// A debtor detained to compel payment is released early once a
	// settlement is reached (seed 002: "the rest settled, released early").
	if workflow.GetVersion(ctx, versionReleaseOnSettlement, workflow.DefaultVersion, 1) >= 1 {
		for i := range e.s.Measures {
			m := &e.s.Measures[i]
			if m.Kind != MeasureDetention || m.Status != MeasureActive {
				continue
			}
			m.Status, m.EndedOn, m.EndedBy, m.EndReason = MeasureLifted, e.s.Journal.today(ctx), cmd.Actor.Subject, "released early on settlement"
			seq = e.s.Journal.add(ctx, step{
				Kind: "measure_lifted", Actor: cmd.Actor, Reason: "released early on settlement", ReasonCode: "detention_lifted_on_settlement",
				Data: map[string]any{"measure": m.ID, "kind": m.Kind, "settlement": n},
			})
		}
	}
	return e.finishCommand(ctx, seq)
}

// versionReleaseOnSettlement guards releasing a detained debtor when a
// settlement is reached; cases settled before it replay as they ran.
const versionReleaseOnSettlement = "release-detention-on-settlement"

func (e *enforcement) validateTerminate(_ workflow.Context, cmd TerminateRoundCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing); err != nil {
		return err
	}
	if cmd.Reason == "" {
		return reject(RejectInvalid, "terminating the round needs its reason")
	}
	if len(e.s.Inquiries) == 0 {
		return reject(RejectConflict, "the round can be terminated only after a property inquiry")
	}
	if last := e.s.Inquiries[len(e.s.Inquiries)-1]; last.Found {
		return reject(RejectConflict, "the latest property inquiry (%d, %s) found property", last.No, last.RecordedOn)
	}
	return nil
}

// maxRechecks bounds the re-checks one termination schedules, whatever
// the policy's periods: a re-check period of zero would otherwise never end.
const maxRechecks = 120

func (e *enforcement) terminateRound(ctx workflow.Context, cmd TerminateRoundCommand) (EnforcementView, error) {
	first := lookupFirst(ctx)
	prev := e.s.Stage
	if !first {
		// Claim the stage before the deadline lookups yield.
		e.s.Stage = StageTerminatedRound
	}
	fail := func(err error) (EnforcementView, error) {
		e.s.Stage = StageEnforcing
		if first {
			e.s.Stage = prev
		}
		return EnforcementView{}, err
	}
	today := e.s.Journal.today(ctx)
	pol := e.s.Policy.Enforcement
	t := Termination{No: len(e.s.Terminations) + 1, TerminatedOn: today, Reason: cmd.Reason, By: cmd.Actor.Subject}
	var err error
	if t.RecheckUntil, err = deadline(ctx, e.in.Jurisdiction, today, pol.RecheckFor); err != nil {
		return fail(fmt.Errorf("re-check period: %w", err))
	}
	// Each re-check is counted from the termination, not from the one
	// before, so a re-check moved off a rest day does not shift the rest.
	for k := 1; ; k++ {
		if first && (pol.RecheckEvery.IsZero() || k > maxRechecks) {
			break
		}
		every := policy.Period{Years: pol.RecheckEvery.Years * k, Months: pol.RecheckEvery.Months * k, Days: pol.RecheckEvery.Days * k}
		due, err := deadline(ctx, e.in.Jurisdiction, today, every)
		if err != nil {
			return fail(fmt.Errorf("re-check %d: %w", k, err))
		}
		if due.After(t.RecheckUntil) {
			break
		}
		t.Rechecks = append(t.Rechecks, Recheck{No: k, DueOn: due})
	}
	if first {
		// Every lookup is done; only now does the case change, if it still
		// allows the termination.
		if e.s.Stage != StageEnforcing {
			return EnforcementView{}, reject(RejectConflict, "the case moved on while the round was terminated: %s", e.s.Stage)
		}
		e.s.Stage = StageTerminatedRound
	}
	e.s.Terminations = append(e.s.Terminations, t)
	seq := e.s.Journal.add(ctx, step{
		Kind: "round_terminated", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "no_property_found",
		Data: map[string]any{
			"termination": t.No, "terminated_on": today, "recheck_every": pol.RecheckEvery, "recheck_for": pol.RecheckFor,
			"recheck_until": t.RecheckUntil, "rechecks": len(t.Rechecks), "outstanding_fen": e.outstanding(),
		},
	})
	return e.finishCommand(ctx, seq)
}

func (e *enforcement) validateRecheck(_ workflow.Context, cmd RecheckCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageTerminatedRound); err != nil {
		return err
	}
	if e.currentTermination() == nil {
		return reject(RejectConflict, "the round is still being terminated; try again")
	}
	return validateFindings(cmd.Found, cmd.Findings)
}

// recordRecheck records a re-check against the earliest one due, or as an
// unscheduled check (a lead from the applicant) when none is due. Property
// found resumes enforcement (恢复执行); the last scheduled re-check finding
// nothing closes the case.
func (e *enforcement) recordRecheck(ctx workflow.Context, cmd RecheckCommand) (EnforcementView, error) {
	t := e.currentTermination()
	today := e.s.Journal.today(ctx)
	no := 0
	if r := nextRecheck(t); r != nil && r.Due {
		r.RecordedOn, r.Found, r.Findings = today, cmd.Found, slices.Clone(cmd.Findings)
		no = r.No
	} else {
		t.Unscheduled++
	}
	code := "property_found"
	if !cmd.Found {
		code = "no_property_found"
	}
	seq := e.s.Journal.add(ctx, step{
		Kind: "property_recheck_recorded", Actor: cmd.Actor, Reason: cmd.Note, ReasonCode: code,
		Data: map[string]any{"recheck": no, "scheduled": no > 0, "found": cmd.Found, "findings": cmd.Findings},
	})
	switch {
	case cmd.Found:
		t.ResumedOn = today
		e.s.Stage = StageEnforcing
		e.s.Inquiries = append(e.s.Inquiries, Inquiry{
			No: len(e.s.Inquiries) + 1, RecordedOn: today, By: cmd.Actor.Subject, Found: true, Findings: slices.Clone(cmd.Findings),
		})
		seq = e.s.Journal.add(ctx, step{
			Kind: "enforcement_resumed", Actor: cmd.Actor, ReasonCode: "property_found_on_recheck",
			Reason: fmt.Sprintf("property found on re-check after termination %d; enforcement resumes for %s", t.No, yuan(e.outstanding())),
			Data:   map[string]any{"termination": t.No, "findings": cmd.Findings, "outstanding_fen": e.outstanding()},
		})
	case no > 0 && nextRecheck(t) == nil:
		e.s.Stage, e.s.Outcome = StageClosedAfterRechecks, StageClosedAfterRechecks
		e.s.ClosedOn, e.s.ClosedAt = today, workflow.Now(ctx)
		seq = e.s.Journal.add(ctx, step{
			Kind: "closed_after_rechecks", Actor: casefile.System, ReasonCode: "rechecks_exhausted",
			Reason: fmt.Sprintf("no property found in %d re-checks until %s; %s remains outstanding", len(t.Rechecks), t.RecheckUntil, yuan(e.outstanding())),
			Data:   map[string]any{"termination": t.No, "rechecks": len(t.Rechecks), "recheck_until": t.RecheckUntil, "outstanding_fen": e.outstanding()},
		})
	}
	return e.finishCommand(ctx, seq)
}

// finishCommand wakes the main loop and returns once the command's step is
// recorded.
func (e *enforcement) finishCommand(ctx workflow.Context, seq int) (EnforcementView, error) {
	e.rev++
	if err := e.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return EnforcementView{}, err
	}
	return e.view(ctx), nil
}

func (e *enforcement) validateVisit(_ workflow.Context, cmd FollowUpCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageCompleted); err != nil {
		return err
	}
	return checkFollowUp(e.s.FollowUps)
}

// recordVisit records the earliest due follow-up visit of a completed case:
// whether performance holds (no new dispute, the parties satisfied).
func (e *enforcement) recordVisit(ctx workflow.Context, cmd FollowUpCommand) (EnforcementView, error) {
	return e.finishCommand(ctx, visitFollowUp(ctx, &e.s.Journal, e.s.FollowUps, cmd))
}

// rearm counts the case's pending deadlines again after a publication.
func (e *enforcement) rearm(ctx workflow.Context, cmd RearmCommand) (RearmResult, error) {
	res, seq, err := rearmDeadlines(ctx, &e.s.Journal, e.in.Jurisdiction, cmd, e.counted, func() { e.rev++ })
	if err != nil || seq == 0 {
		return res, err
	}
	return res, e.s.Journal.awaitRecorded(ctx, seq)
}

// counted lists the enforcement case's pending counted deadlines: each
// running freeze's or seizure's term (its first from the order, each
// renewal from the end of the one before), each scheduled property
// re-check (counted from the termination), and the follow-up visits after
// completion. A detention is served day by day and is not counted.
func (e *enforcement) counted() []counted {
	var out []counted
	for i := range e.s.Measures {
		m := &e.s.Measures[i]
		if (m.Status != MeasureActive && m.Status != MeasureSuspended) || !m.renewable() || m.Renewing || m.ExpiresOn.IsZero() || m.Term < 1 {
			continue
		}
		reminder := e.s.Policy.Enforcement.RenewalReminder
		out = append(out, counted{kind: "measure_renewal", ref: "measure " + m.ID, from: m.OrderedOn,
			periods: repeat(m.TermLimit, m.TermLimit, m.Term-1),
			get:     func() policy.Date { return m.ExpiresOn },
			set: func(on policy.Date, st policy.Status) {
				if on != m.ExpiresOn {
					m.ExpiresOn, m.RemindOn = on, reminder.SubFrom(on)
				}
				m.Provisional = st == policy.Provisional
			}})
	}
	for i := range e.s.Terminations {
		t := &e.s.Terminations[i]
		if !t.ResumedOn.IsZero() {
			continue
		}
		pol := e.s.Policy.Enforcement
		for k := range t.Rechecks {
			r := &t.Rechecks[k]
			if r.Due || !r.RecordedOn.IsZero() {
				continue
			}
			every := policy.Period{Years: pol.RecheckEvery.Years * r.No, Months: pol.RecheckEvery.Months * r.No, Days: pol.RecheckEvery.Days * r.No}
			get, set := keep(&r.DueOn)
			out = append(out, counted{kind: "property_recheck", ref: fmt.Sprintf("round %d re-check %d", t.No, r.No),
				from: t.TerminatedOn, periods: []policy.Period{every}, get: get, set: set})
		}
	}
	if e.s.Stage == StageCompleted {
		out = append(out, followUpsCounted(e.s.FollowUps, e.s.ClosedOn, e.s.Policy.FollowUps)...)
	}
	return out
}
