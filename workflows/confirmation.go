package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// After an agreement (DOMAIN.md Process 1 steps 3–4 and follow-up visits):
// the parties apply jointly for judicial confirmation (司法确认) within the
// policy window; the court accepts and decides within its period,
// extendable once. Confirmed, the agreement is enforceable and its
// performance is supervised by an installment plan; rejected, the parties
// may re-mediate or litigate; without an application in the window the
// agreement stays a plain contract. A case that closes with an agreement
// is then visited on the policy's follow-up schedule (回访).

// versionProcess1 guards the continuation past the agreement, so cases
// opened before it replay as they ran.
const versionProcess1 = "process1-confirmation"

// Stages after an agreement.
const (
	StageConfirmationApplied  = "confirmation_applied"
	StageConfirmationReview   = "confirmation_review"
	StageConfirmationRejected = "confirmation_rejected"
	StagePerforming           = "performing"
	StagePerformed            = "performed"
	StageDefaulted            = "defaulted"
	// StagePerformanceFailed: the performance plan's workflow failed (not
	// a default); the case is open and waits for a clerk.
	StagePerformanceFailed = "performance_plan_failed"
	StagePlainContract     = "plain_contract"
)

// Update names of the confirmation and follow-up steps.
const (
	UpdateApplyConfirmation  = "apply-confirmation"
	UpdateAcceptConfirmation = "accept-confirmation"
	UpdateExtendDecision     = "extend-confirmation-decision"
	UpdateDecideConfirmation = "decide-confirmation"
	UpdateRecordFollowUp     = "record-follow-up"
	UpdateApplyCertificate   = "apply-certificate"
	// UpdateRestartPerformance restarts performance supervision after the
	// plan's workflow failed.
	UpdateRestartPerformance = "restart-performance-plan"
)

// Decisions a court can take on an application for confirmation.
const (
	DecisionConfirmed = "confirmed"
	DecisionRejected  = "rejected"
)

// PerformancePlanID names the plan that supervises a confirmed agreement.
const PerformancePlanID = "performance"

// Confirmation is where judicial confirmation stands.
type Confirmation struct {
	ApplyBy         policy.Date `json:"apply_by"`
	Applicants      []string    `json:"applicants"`
	AppliedOn       policy.Date `json:"applied_on"`
	AcceptedOn      policy.Date `json:"accepted_on"`
	DecideBy        policy.Date `json:"decide_by"`
	Extensions      int         `json:"extensions"`
	DecisionOverdue bool        `json:"decision_overdue,omitempty"`
	Decision        string      `json:"decision,omitempty"`
	DecidedOn       policy.Date `json:"decided_on"`
}

// PerformanceState is the supervision of a confirmed agreement's performance.
type PerformanceState struct {
	PlanID     string      `json:"plan_id"`
	WorkflowID string      `json:"workflow_id"`
	Result     *PlanResult `json:"result,omitempty"`
	// FirstDefault is the plan's first default, signalled while the plan
	// goes on supervising the later installments.
	FirstDefault *PlanDefaultSignal `json:"first_default,omitempty"`
	// Certificate is the certificate of automatic performance, issued on
	// the obligor's application after full, on-time performance.
	Certificate *Certificate `json:"certificate,omitempty"`
	// Restarts counts the court's restarts of supervision after a plan's
	// workflow failed; restart n runs plan "performance-(n+1)".
	Restarts int `json:"restarts,omitempty"`
	// Credited is what the failed plans had credited, carried into the
	// current plan's ledger (see restartPlan), to the agreement's
	// installments and to the lines of Settlements.
	Credited []CreditedInstallment `json:"credited,omitempty"`
	// Settlements are the pre-enforcement settlements the failed plans had
	// recorded, which the current plan runs again (see restartPlan).
	Settlements []CarriedSettlement `json:"settlements,omitempty"`
	// Lines is where the failed plans' supervision of each line stood
	// (reminders sent, overdue, in default), and OverpaidFen what they had
	// recorded above the debt, both carried into the current plan (see
	// restartPlan); set only by restarts from versionRestartLineStates.
	Lines       []CarriedLine `json:"carried_lines,omitempty"`
	OverpaidFen int64         `json:"overpaid_fen,omitempty"`
	// FailedPlans are the plans whose workflow failed, oldest first.
	FailedPlans []FailedPlan `json:"failed_plans,omitempty"`
}

// FailedPlan is a performance plan whose workflow failed, and the court's
// restart of supervision after it.
type FailedPlan struct {
	PlanID      string         `json:"plan_id"`
	WorkflowID  string         `json:"workflow_id"`
	Failure     string         `json:"failure"`
	RestartedOn policy.Date    `json:"restarted_on"`
	RestartedBy casefile.Actor `json:"restarted_by"`
	Reason      string         `json:"reason"`
}

// FollowUp is one follow-up visit after the case closed.
type FollowUp struct {
	No        int         `json:"no"`
	DueOn     policy.Date `json:"due_on"`
	Due       bool        `json:"due"`
	VisitedOn policy.Date `json:"visited_on"`
	Holds     *bool       `json:"holds,omitempty"`
	Note      string      `json:"note,omitempty"`
	By        string      `json:"by,omitempty"`
}

// ApplyConfirmationCommand is one party's application for confirmation;
// the application is joint once every party to the terms has applied.
type ApplyConfirmationCommand struct {
	Reason string         `json:"reason,omitempty"`
	Actor  casefile.Actor `json:"actor"`
}

// CourtCommand is a court's acceptance or extension, with its reason.
type CourtCommand struct {
	Reason string         `json:"reason,omitempty"`
	Actor  casefile.Actor `json:"actor"`
}

// DecideConfirmationCommand is the court's decision.
type DecideConfirmationCommand struct {
	Decision string         `json:"decision"`
	Reason   string         `json:"reason,omitempty"`
	Actor    casefile.Actor `json:"actor"`
}

// CertificateCommand is the obligor's application for a certificate of
// automatic performance (自动履行证明), made by the obligor or taken by the
// court at its counter.
type CertificateCommand struct {
	Reason string         `json:"reason,omitempty"`
	Actor  casefile.Actor `json:"actor"`
}

// RestartPlanCommand is the court's restart of performance supervision
// after the plan's workflow failed, with its reason.
type RestartPlanCommand struct {
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// FollowUpCommand records a follow-up visit.
type FollowUpCommand struct {
	Holds bool           `json:"holds"`
	Note  string         `json:"note,omitempty"`
	Actor casefile.Actor `json:"actor"`
}

// finished reports whether the case has nothing left to do.
func (m *mediation) finished() bool {
	if m.s.Version < 1 {
		return m.s.Stage != StageMediating
	}
	switch m.s.Stage {
	case StageReturnedForLitigation, StageWithdrawn, StageConfirmationRejected:
		return true
	case StageDefaulted:
		// In default while its plan still supervises the later
		// installments, the case stays open until the plan ends.
		return !m.s.ClosedOn.IsZero()
	case StagePerformed, StagePlainContract:
		return m.nextFollowUp() == nil
	}
	return false
}

func (m *mediation) childRunning() bool {
	return m.plan != nil && m.s.Performance != nil && m.s.Performance.Result == nil
}

// advance takes the steps that follow from the case's state rather than
// from time: starting performance supervision once confirmed, and closing
// once the plan has ended.
func (m *mediation) advance(ctx workflow.Context) error {
	supervisedInDefault := m.s.Stage == StageDefaulted && m.s.ClosedOn.IsZero() && m.s.Performance != nil
	if m.s.Stage != StagePerforming && !supervisedInDefault {
		return nil
	}
	p := m.s.Performance
	if p.Result == nil {
		if m.plan == nil {
			m.startPlan(ctx)
		}
		return nil
	}
	switch p.Result.Outcome {
	case PlanPerformed:
		m.close(ctx, StagePerformed, "performed")
		m.s.Journal.add(ctx, step{
			Kind: "performed", Actor: casefile.System, ReasonCode: "automatic_performance",
			Reason: fmt.Sprintf("the obligor performed in full (%d fen)", p.Result.PaidFen),
			Data:   map[string]any{"on_time": p.Result.OnTime, "paid_fen": p.Result.PaidFen, "overpaid_fen": p.Result.OverpaidFen, "certificate": p.Result.Certificate != nil},
		})
		return m.scheduleFollowUps(ctx)
	case PlanDefaulted:
		m.close(ctx, StageDefaulted, "defaulted")
		if supervisedInDefault {
			reason := "supervision of performance ended with installments in default; the obligee may apply for enforcement"
			if p.Result.EnforcementCase != "" {
				reason = "supervision of performance ended: enforcement case " + p.Result.EnforcementCase + " was filed"
			}
			m.s.Journal.add(ctx, step{
				Kind: "performance_supervision_ended", Actor: casefile.System, ReasonCode: "performance_default",
				Reason: reason,
				Data: map[string]any{"outstanding_fen": p.Result.OutstandingFen, "defaulted_installment": p.Result.DefaultedInstallment,
					"enforcement_case": p.Result.EnforcementCase, "installments": p.Result.Installments},
			})
			return nil
		}
		m.s.Journal.add(ctx, step{
			Kind: "performance_defaulted", Actor: casefile.System, ReasonCode: "performance_default",
			Reason: fmt.Sprintf("installment %d was not paid by the end of its grace period; the obligee may apply for enforcement", p.Result.DefaultedInstallment),
			Data:   map[string]any{"outstanding_fen": p.Result.OutstandingFen, "defaulted_installment": p.Result.DefaultedInstallment},
		})
		return nil
	case PlanFailed:
		// The case stays open, its steps and ledger as they were, for a
		// clerk to see and take up; it does not fail with its plan.
		m.s.Stage = StagePerformanceFailed
		m.s.Journal.add(ctx, step{
			Kind: "performance_plan_failed", Actor: casefile.System, ReasonCode: "performance_plan_failed",
			Reason: fmt.Sprintf("performance supervision could not run: %s; the case awaits a clerk", p.Result.Failure),
			Data:   map[string]any{"plan_id": p.PlanID, "workflow_id": p.WorkflowID, "failure": p.Result.Failure},
		})
		return nil
	}
	return fmt.Errorf("performance plan ended with unknown outcome %q", p.Result.Outcome)
}

// planDefaulted takes the plan's first default: the case is in default
// (the obligee may apply for enforcement) while the plan goes on
// supervising the later installments.
func (m *mediation) planDefaulted(ctx workflow.Context, sig PlanDefaultSignal) {
	p := m.s.Performance
	if m.s.Stage != StagePerforming || p == nil || p.FirstDefault != nil || sig.PlanID != p.PlanID {
		return
	}
	p.FirstDefault = &sig
	m.s.Stage = StageDefaulted
	m.s.Outcome = "defaulted"
	m.s.Journal.add(ctx, step{
		Kind: "performance_defaulted", Actor: casefile.System, ReasonCode: "performance_default",
		Reason: fmt.Sprintf("installment %d was not paid by the end of its grace period (%s); the obligee may apply for enforcement, and the later installments are still supervised", sig.Installment, sig.GraceEndsOn),
		Data:   map[string]any{"outstanding_fen": sig.OutstandingFen, "defaulted_installment": sig.Installment, "still_supervised": true},
	})
	m.rev++
}

// startPlan starts the installment plan that supervises performance as a
// child workflow, and collects its result when it ends.
func (m *mediation) startPlan(ctx workflow.Context) {
	a := m.s.Agreement
	p := m.s.Performance
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: p.WorkflowID, TaskQueue: TaskQueue,
		// The plan belongs to the case: it must not outlive a case that is
		// terminated by an operator.
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	m.plan = workflow.ExecuteChildWorkflow(cctx, InstallmentPlan, PlanInput{
		CaseID: m.in.CaseID, PlanID: p.PlanID, Jurisdiction: m.in.Jurisdiction, Clock: m.in.Clock,
		Obligor: a.Terms.Obligor, Obligees: a.Terms.Obligees, Installments: a.Terms.Installments,
		StartedBy: casefile.System,
		// Every installment is supervised to its end; the certificate is
		// the court's to issue on the obligor's application.
		SuperviseAfterDefault: true, Acceleration: a.Terms.Acceleration, CertificateOnApplication: true,
		// Set only on a restart: what the failed plans had credited, and
		// the pre-enforcement settlements they had recorded.
		Credited: p.Credited, Settlements: p.Settlements,
		Lines: p.Lines, OverpaidFen: p.OverpaidFen,
	})
	workflow.Go(ctx, func(gctx workflow.Context) {
		if r, err := planOutcome(gctx, m.plan); err != nil {
			m.planErr = err
		} else {
			p.Result = &r
		}
		m.rev++
	})
}

// nextTimer returns the next case-time instant at which time itself moves
// the case, and what happens then; zero when only a person can.
func (m *mediation) nextTimer() (time.Time, func(workflow.Context)) {
	c := m.s.Confirmation
	switch m.s.Stage {
	case StageMediating:
		return m.s.Deadline.End(), m.deadlinePassed
	case StageAgreementReached:
		if m.s.Version >= 1 && c != nil {
			return c.ApplyBy.End(), m.applicationWindowPassed
		}
	case StageConfirmationReview:
		if !c.DecisionOverdue {
			return c.DecideBy.End(), m.decisionOverdue
		}
	case StagePerformed, StagePlainContract:
		if f := m.nextFollowUp(); f != nil && !f.Due {
			return f.DueOn.Start(), m.followUpDue
		}
	}
	return time.Time{}, nil
}

// pendingDeadline is the deadline the ledger shows for the case: the last
// day of the step it waits for.
func (m *mediation) pendingDeadline() *casefile.Deadline {
	dl := func(kind string, on policy.Date) *casefile.Deadline {
		if on.IsZero() {
			return nil
		}
		return &casefile.Deadline{Kind: kind, On: on, At: on.End()}
	}
	c := m.s.Confirmation
	switch m.s.Stage {
	case StageMediating:
		return dl("mediation", m.s.Deadline)
	case StageAgreementReached:
		if m.s.Version >= 1 && c != nil {
			return dl("confirmation_application", c.ApplyBy)
		}
	case StageConfirmationReview:
		return dl("confirmation_decision", c.DecideBy)
	case StagePerformed, StagePlainContract:
		if f := m.nextFollowUp(); f != nil {
			return dl("follow_up", f.DueOn)
		}
	}
	return nil
}

func (m *mediation) applicationWindowPassed(ctx workflow.Context) {
	at := m.s.Confirmation.ApplyBy.End()
	m.closeAt(ctx, StagePlainContract, "not_confirmed", at)
	m.s.Journal.add(ctx, step{
		At:   at,
		Kind: "confirmation_window_passed", Actor: casefile.System, ReasonCode: "no_confirmation_application",
		Reason: fmt.Sprintf("no joint application for judicial confirmation by %s; the agreement stays a contract", m.s.Confirmation.ApplyBy),
		Data:   map[string]any{"apply_by": m.s.Confirmation.ApplyBy, "applicants": m.s.Confirmation.Applicants},
	})
	if err := m.scheduleFollowUps(ctx); err != nil {
		m.planErr = err
	}
}

func (m *mediation) decisionOverdue(ctx workflow.Context) {
	m.s.Confirmation.DecisionOverdue = true
	m.s.Journal.add(ctx, step{
		At:   m.s.Confirmation.DecideBy.End(),
		Kind: "confirmation_decision_overdue", Actor: casefile.System, ReasonCode: "decision_period_passed",
		Reason: fmt.Sprintf("the court has not decided by %s", m.s.Confirmation.DecideBy),
		Data:   map[string]any{"decide_by": m.s.Confirmation.DecideBy},
	})
}

// scheduleFollowUps sets the follow-up visits, counted from the closing day.
func (m *mediation) scheduleFollowUps(ctx workflow.Context) error {
	fs, err := scheduleFollowUps(ctx, m.in.Jurisdiction, m.s.ClosedOn, m.s.Policy.FollowUps)
	m.s.FollowUps = append(m.s.FollowUps, fs...)
	return err
}

func (m *mediation) nextFollowUp() *FollowUp { return nextFollowUp(m.s.FollowUps) }

func (m *mediation) followUpDue(ctx workflow.Context) {
	followUpFallsDue(ctx, &m.s.Journal, m.nextFollowUp(), m.in.Mediator)
}

// checkStage refuses a command unless the case follows the continued
// process and stands at one of stages.
func (m *mediation) checkStage(stages ...string) error {
	if m.s.Version < 1 {
		return reject(RejectConflict, "this case was opened before judicial confirmation was supported and ended at the agreement")
	}
	if !slices.Contains(stages, m.s.Stage) {
		return reject(RejectConflict, "the case is %s", m.s.Stage)
	}
	return nil
}

func checkCourt(a casefile.Actor) error {
	if a.Role != casefile.RoleCourt {
		return reject(RejectForbidden, "only the court may do this")
	}
	return nil
}

func (m *mediation) termsParties() []string {
	t := m.s.Agreement.Terms
	return append([]string{t.Obligor}, t.Obligees...)
}

func (m *mediation) validateApply(ctx workflow.Context, cmd ApplyConfirmationCommand) error {
	if err := m.checkStage(StageAgreementReached); err != nil {
		return err
	}
	c := m.s.Confirmation
	if c == nil {
		return reject(RejectConflict, "the agreement is still being recorded; try again")
	}
	if cmd.Actor.Role != casefile.RoleParty || !slices.Contains(m.termsParties(), cmd.Actor.Subject) {
		return reject(RejectForbidden, "only a party to the agreement may apply for its confirmation")
	}
	if slices.Contains(c.Applicants, cmd.Actor.Subject) {
		return reject(RejectConflict, "%s has already applied", cmd.Actor.Subject)
	}
	if today := m.s.Journal.today(ctx); today.After(c.ApplyBy) {
		return reject(RejectConflict, "the window to apply for confirmation ended on %s", c.ApplyBy)
	}
	return nil
}

func (m *mediation) applyConfirmation(ctx workflow.Context, cmd ApplyConfirmationCommand) (MediationView, error) {
	c := m.s.Confirmation
	c.Applicants = append(c.Applicants, cmd.Actor.Subject)
	seq := m.s.Journal.add(ctx, step{
		Kind: "confirmation_applied_by_party", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "joint_application",
		Data: map[string]any{"applicants": c.Applicants, "parties": m.termsParties()},
	})
	if len(c.Applicants) == len(m.termsParties()) {
		c.AppliedOn = m.s.Journal.today(ctx)
		m.s.Stage = StageConfirmationApplied
		seq = m.s.Journal.add(ctx, step{
			Kind: "confirmation_application_filed", Actor: casefile.System, ReasonCode: "joint_application",
			Reason: "every party to the agreement has applied for judicial confirmation",
			Data:   map[string]any{"applied_on": c.AppliedOn, "court": m.in.Court},
		})
	}
	return m.finishCommand(ctx, seq)
}

func (m *mediation) validateAccept(_ workflow.Context, cmd CourtCommand) error {
	if err := checkCourt(cmd.Actor); err != nil {
		return err
	}
	return m.checkStage(StageConfirmationApplied)
}

func (m *mediation) acceptConfirmation(ctx workflow.Context, cmd CourtCommand) (MediationView, error) {
	if lookupFirst(ctx) {
		// The decision deadline is looked up before the case changes: a
		// failed lookup leaves it as it was.
		acceptedOn := m.s.Journal.today(ctx)
		by, err := deadline(ctx, m.in.Jurisdiction, acceptedOn, m.s.Policy.Confirmation.DecideWithin)
		if err != nil {
			return MediationView{}, fmt.Errorf("decision deadline: %w", err)
		}
		if m.s.Stage != StageConfirmationApplied {
			return MediationView{}, reject(RejectConflict, "the case moved on while the application was accepted: %s", m.s.Stage)
		}
		m.s.Stage = StageConfirmationReview
		m.s.Confirmation.AcceptedOn, m.s.Confirmation.DecideBy = acceptedOn, by
		seq := m.s.Journal.add(ctx, step{
			Kind: "confirmation_accepted", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "application_accepted",
			Data: map[string]any{"decide_by": by, "period": m.s.Policy.Confirmation.DecideWithin},
		})
		return m.finishCommand(ctx, seq)
	}
	// Claim the stage before the deadline lookup yields.
	m.s.Stage = StageConfirmationReview
	c := m.s.Confirmation
	c.AcceptedOn = m.s.Journal.today(ctx)
	by, err := deadline(ctx, m.in.Jurisdiction, c.AcceptedOn, m.s.Policy.Confirmation.DecideWithin)
	if err != nil {
		return MediationView{}, fmt.Errorf("decision deadline: %w", err)
	}
	c.DecideBy = by
	seq := m.s.Journal.add(ctx, step{
		Kind: "confirmation_accepted", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "application_accepted",
		Data: map[string]any{"decide_by": by, "period": m.s.Policy.Confirmation.DecideWithin},
	})
	return m.finishCommand(ctx, seq)
}

func (m *mediation) validateExtendDecision(_ workflow.Context, cmd CourtCommand) error {
	if err := checkCourt(cmd.Actor); err != nil {
		return err
	}
	if err := m.checkStage(StageConfirmationReview); err != nil {
		return err
	}
	if max := m.s.Policy.Confirmation.MaxDecisionExtensions; m.s.Confirmation.Extensions >= max {
		return reject(RejectConflict, "the decision period may be extended %d time(s) and has been extended %d", max, m.s.Confirmation.Extensions)
	}
	if cmd.Reason == "" {
		return reject(RejectInvalid, "a reason for extending the decision period is required")
	}
	return nil
}

func (m *mediation) extendDecision(ctx workflow.Context, cmd CourtCommand) (MediationView, error) {
	c := m.s.Confirmation
	c.Extensions++
	old := c.DecideBy
	by, err := deadline(ctx, m.in.Jurisdiction, old, m.s.Policy.Confirmation.DecisionExtension)
	if err != nil {
		c.Extensions--
		return MediationView{}, fmt.Errorf("extended decision deadline: %w", err)
	}
	c.DecideBy, c.DecisionOverdue = by, false
	seq := m.s.Journal.add(ctx, step{
		Kind: "confirmation_decision_extended", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "decision_period_extended",
		Data: map[string]any{"from": old, "to": by, "period": m.s.Policy.Confirmation.DecisionExtension},
	})
	return m.finishCommand(ctx, seq)
}

func (m *mediation) validateDecide(_ workflow.Context, cmd DecideConfirmationCommand) error {
	if err := checkCourt(cmd.Actor); err != nil {
		return err
	}
	if err := m.checkStage(StageConfirmationReview); err != nil {
		return err
	}
	switch cmd.Decision {
	case DecisionConfirmed:
	case DecisionRejected:
		if cmd.Reason == "" {
			return reject(RejectInvalid, "a rejection needs its reason")
		}
	default:
		return reject(RejectInvalid, "decision must be confirmed or rejected, got %q", cmd.Decision)
	}
	return nil
}

func (m *mediation) decideConfirmation(ctx workflow.Context, cmd DecideConfirmationCommand) (MediationView, error) {
	c := m.s.Confirmation
	c.Decision, c.DecidedOn = cmd.Decision, m.s.Journal.today(ctx)
	var seq int
	if cmd.Decision == DecisionConfirmed {
		m.s.Stage = StagePerforming
		m.s.Performance = &PerformanceState{PlanID: PerformancePlanID, WorkflowID: PlanWorkflowID(m.in.CaseID, PerformancePlanID)}
		seq = m.s.Journal.add(ctx, step{
			Kind: "confirmed", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "judicial_confirmation",
			Data: map[string]any{"decided_on": c.DecidedOn, "enforceable": true, "plan": m.s.Performance.WorkflowID},
		})
	} else {
		m.close(ctx, StageConfirmationRejected, "confirmation_rejected")
		seq = m.s.Journal.add(ctx, step{
			Kind: "confirmation_rejected", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "judicial_confirmation_rejected",
			Data: map[string]any{"decided_on": c.DecidedOn, "next": "the parties may mediate again or litigate"},
		})
	}
	return m.finishCommand(ctx, seq)
}

func (m *mediation) validateFollowUp(_ workflow.Context, cmd FollowUpCommand) error {
	if err := m.checkMediator(cmd.Actor); err != nil {
		return err
	}
	if err := m.checkStage(StagePerformed, StagePlainContract); err != nil {
		return err
	}
	return checkFollowUp(m.s.FollowUps)
}

func (m *mediation) validateCertificate(_ workflow.Context, cmd CertificateCommand) error {
	a := m.s.Agreement
	switch {
	case cmd.Actor.Role == casefile.RoleCourt:
	case cmd.Actor.Role == casefile.RoleParty && a != nil && cmd.Actor.Subject == a.Terms.Obligor:
	default:
		return reject(RejectForbidden, "only the obligor, or the court on the obligor's application, may apply for the certificate")
	}
	p := m.s.Performance
	switch {
	case p == nil || p.Result == nil:
		return reject(RejectConflict, "the case is %s: a certificate follows full performance", m.s.Stage)
	case p.Certificate != nil:
		return reject(RejectConflict, "the certificate was issued on %s", p.Certificate.IssuedOn)
	case p.Result.Certificate != nil:
		return reject(RejectConflict, "the certificate was issued on %s", p.Result.Certificate.IssuedOn)
	case !p.Result.CertificateEligible:
		return reject(RejectConflict, "a certificate of automatic performance is issued only for full performance of every installment by its due date")
	}
	return nil
}

// applyCertificate issues the certificate on the obligor's application, in
// the name of the court that confirmed the agreement, and sends it to the
// obligor.
func (m *mediation) applyCertificate(ctx workflow.Context, cmd CertificateCommand) (MediationView, error) {
	p, a := m.s.Performance, m.s.Agreement
	today := m.s.Journal.today(ctx)
	body := fmt.Sprintf("自动履行证明：经申请，%s 确认 %s 已按期足额自动履行调解协议 %d 期共 %s（至 %s 履行完毕）。",
		m.in.Court, a.Terms.Obligor, len(a.Terms.Installments), yuan(p.Result.TotalFen), p.Result.ClosedOn)
	p.Certificate = &Certificate{IssuedOn: today, Obligor: a.Terms.Obligor, TotalFen: p.Result.TotalFen, Body: body}
	m.s.Journal.add(ctx, step{
		Kind: "certificate_applied", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "obligor_application",
		Data: map[string]any{"obligor": a.Terms.Obligor},
	})
	seq := m.s.Journal.add(ctx, step{
		Kind: "certificate_issued", Actor: casefile.System, ReasonCode: "automatic_performance",
		Reason: fmt.Sprintf("issued by %s on the obligor's application: every installment paid in full by its due date", m.in.Court),
		Data:   p.Certificate,
	})
	if _, err := m.finishCommand(ctx, seq); err != nil {
		return MediationView{}, err
	}
	var rec *activities.Recorder
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.RecordCertificate, db.PerformanceCertificate{
		CaseID: m.in.CaseID, PlanID: p.PlanID, Obligor: a.Terms.Obligor, TotalFen: p.Result.TotalFen, IssuedOn: today, Body: body,
	}).Get(ctx, nil); err != nil {
		return MediationView{}, err
	}
	outbox := []activities.NoticeInput{{
		CaseID: m.in.CaseID, Stream: m.s.Journal.Stream, Kind: NoticeCertificate,
		Recipient: a.Terms.Obligor, Body: body, CaseOn: today,
	}}
	if err := sendNotices(ctx, &outbox, m.s.Policy.Notices); err != nil {
		return MediationView{}, err
	}
	return m.view(ctx), nil
}

func (m *mediation) recordFollowUp(ctx workflow.Context, cmd FollowUpCommand) (MediationView, error) {
	return m.finishCommand(ctx, visitFollowUp(ctx, &m.s.Journal, m.s.FollowUps, cmd))
}

// finishCommand wakes the main loop and returns once the command's step is
// recorded.
func (m *mediation) finishCommand(ctx workflow.Context, seq int) (MediationView, error) {
	m.rev++
	if err := m.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return MediationView{}, err
	}
	return m.view(ctx), nil
}

// versionPlanRestart marks the runs in which the court restarted
// performance supervision, so what a restart does can change later under
// a version of its own. Runs that never take the command are unchanged.
const versionPlanRestart = "performance-plan-restart"

// versionRestartSettlements marks the restarts of a failed plan that had
// recorded a pre-enforcement settlement: before it such a restart was
// refused (409); from it the new plan runs the settlements again. It is
// asked only when the failed plan's ledger holds a settlement's lines, so
// every other restart replays as it ran.
const versionRestartSettlements = "performance-plan-restart-settlements"

// versionRestartLineStates marks the restarts that carry, besides the
// credits, where the failed plan's supervision of each line stood
// (PlanInput.Lines: reminders sent, overdue, in default) and what it had
// recorded above the debt (PlanInput.OverpaidFen). Before it a restarted
// plan started every line scheduled, so it sent a second default notice
// (执行风险告知) for an installment already in default, and the overpayment
// dropped out of the case's accounts; restarts taken then replay as they
// ran.
const versionRestartLineStates = "performance-plan-restart-line-states"

func (m *mediation) validateRestartPlan(_ workflow.Context, cmd RestartPlanCommand) error {
	if err := checkCourt(cmd.Actor); err != nil {
		return err
	}
	if err := m.checkStage(StagePerformanceFailed); err != nil {
		return err
	}
	if p := m.s.Performance; p == nil || p.Result == nil || p.Result.Outcome != PlanFailed {
		return reject(RejectConflict, "the case has no failed performance plan to restart")
	}
	if strings.TrimSpace(cmd.Reason) == "" {
		return reject(RejectInvalid, "a reason for restarting performance supervision is required")
	}
	return nil
}

// restartPlan restarts performance supervision after the plan's workflow
// failed (or an operator terminated it).
//
// The new plan runs under a new plan ID, "performance-2" for the first
// restart, and so under a new workflow ID, rather than again under the
// failed plan's ID with ALLOW_DUPLICATE_FAILED_ONLY: the failed plan's
// ledger row in the plans read model (keyed by case and plan, written only
// by a newer version) and its audit stream ("plan/performance", numbered
// from 1) stay exactly as it left them, so an auditor reads what it did and
// where it stopped, while the new plan writes a ledger row and a stream of
// its own instead of being refused by the row's version or colliding with
// the stream's step numbers.
//
// Nothing the failed plan credited is lost or credited twice: the new plan
// runs the schedule the failed plan was running with what the failed plan
// had credited to each line already paid, on the day it was
// (PlanInput.Credited), so it supervises only what is still owed and still
// knows whether every installment was paid on time. That schedule is the
// agreement's installments and, when the failed plan had recorded
// pre-enforcement settlements (执前和解), each settlement again
// (PlanInput.Settlements): its lines numbered on after the agreement's,
// with their due dates and amounts, and what it took over from the lines
// before superseded, so the settlement's remaining lines are supervised
// and the superseded ones are not. The credits and settlements come from
// the failed plan's last ledger: its result's, when the parent has one,
// else the one the plans read model stored (written in the same flush
// that answers each payment or settlement, so every one acknowledged is in
// it), else, when it never stored one, what it had itself carried. The
// step records which, and what was carried.
func (m *mediation) restartPlan(ctx workflow.Context, cmd RestartPlanCommand) (MediationView, error) {
	workflow.GetVersion(ctx, versionPlanRestart, workflow.DefaultVersion, 1)
	p := m.s.Performance
	oldPlan, oldWorkflow, failure := p.PlanID, p.WorkflowID, p.Result.Failure
	states := workflow.GetVersion(ctx, versionRestartLineStates, workflow.DefaultVersion, 1) >= 1
	carried, err := m.failedPlanSchedule(ctx, p, states)
	if err != nil {
		return MediationView{}, err
	}
	credited, settlements, from := carried.credited, carried.settlements, carried.from
	// The ledger lookup yielded: the case may have moved on meanwhile.
	if m.s.Stage != StagePerformanceFailed || p.PlanID != oldPlan {
		return MediationView{}, reject(RejectConflict, "the case moved on while supervision was restarted: %s", m.s.Stage)
	}
	var creditedFen int64
	for _, c := range credited {
		creditedFen += c.PaidFen
	}
	today := m.s.Journal.today(ctx)
	p.FailedPlans = append(p.FailedPlans, FailedPlan{
		PlanID: oldPlan, WorkflowID: oldWorkflow, Failure: failure, RestartedOn: today, RestartedBy: cmd.Actor, Reason: cmd.Reason,
	})
	p.Restarts++
	p.PlanID = fmt.Sprintf("%s-%d", PerformancePlanID, p.Restarts+1)
	p.WorkflowID = PlanWorkflowID(m.in.CaseID, p.PlanID)
	p.Result, p.Credited, p.Settlements = nil, credited, settlements
	p.Lines, p.OverpaidFen = carried.lines, carried.overpaidFen
	// The main loop starts the new plan (advance); a case in default when
	// its plan failed is supervised in default again.
	m.plan = nil
	m.s.Stage = StagePerforming
	if p.FirstDefault != nil {
		m.s.Stage = StageDefaulted
	}
	data := map[string]any{
		"old_plan_id": oldPlan, "old_workflow_id": oldWorkflow, "failure": failure,
		"new_plan_id": p.PlanID, "new_workflow_id": p.WorkflowID, "restart": p.Restarts,
		"credited": credited, "credited_fen": creditedFen,
		"outstanding_fen": m.s.Agreement.Terms.TotalFen - creditedFen, "credits_from": from,
		"carried": "the new plan runs the agreement's installments with what the failed plan credited to each already paid; only the rest is supervised",
	}
	if len(settlements) > 0 {
		// Only restarts that carry a settlement say so: the others'
		// steps stay as they were.
		data["settlements"] = settlements
		data["carried"] = "the new plan runs the agreement's installments and the failed plan's pre-enforcement settlements (the superseded amounts, the settlements' lines with their due dates) with what the failed plan credited to each line already paid; only the rest is supervised"
	}
	if states {
		// Only restarts from versionRestartLineStates say so: the earlier
		// ones' steps stay as they were.
		data["carried_lines"], data["overpaid_fen"] = carried.lines, carried.overpaidFen
		if len(carried.lines) > 0 || carried.overpaidFen > 0 {
			data["carried"] = data["carried"].(string) + "; each line starts where the failed plan's supervision of it stood (reminders sent, overdue, in default and noticed), so no notice it sent is sent again, and what it recorded above the debt stays recorded"
		}
	}
	seq := m.s.Journal.add(ctx, step{
		Kind: "performance_plan_restarted", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "performance_plan_restarted",
		Data: data,
	})
	return m.finishCommand(ctx, seq)
}

// Where a restart took the failed plan's credits from.
const (
	creditsFromResult    = "plan_result"
	creditsFromLedger    = "plans_read_model"
	creditsFromCarried   = "carried_into_failed_plan"
	creditsFromNoneFound = "none_recorded"
)

// failedSchedule is what a restart carries from the failed plan into the
// new one.
type failedSchedule struct {
	credited    []CreditedInstallment
	settlements []CarriedSettlement
	// lines and overpaidFen are carried only with versionRestartLineStates.
	lines       []CarriedLine
	overpaidFen int64
	// from is where they were read from.
	from string
}

// failedPlanSchedule returns what the failed plan p had credited to each
// line of its schedule, the pre-enforcement settlements it had recorded,
// where they were read from and, with states, where its supervision of
// each line stood and what it recorded above the debt.
func (m *mediation) failedPlanSchedule(ctx workflow.Context, p *PerformanceState, states bool) (failedSchedule, error) {
	credited, settlements, lines, overpaid, from, err := m.readFailedPlan(ctx, p, states)
	if err != nil {
		return failedSchedule{}, err
	}
	out := failedSchedule{credited: credited, settlements: settlements, from: from}
	if !states {
		return out, nil
	}
	out.lines, out.overpaidFen = lines, overpaid
	// The new plan checks them as it starts; checked here too, a ledger
	// that does not add up is refused to the court instead of failing the
	// new plan.
	in := PlanInput{Installments: m.s.Agreement.Terms.Installments, Credited: credited, Settlements: settlements, Lines: lines, OverpaidFen: overpaid}
	if _, err := planLines(in); err != nil {
		return failedSchedule{}, reject(RejectConflict, "the ledger of plan %s does not add up to its schedule: %v", p.PlanID, err)
	}
	return out, nil
}

// readFailedPlan reads the failed plan p's last ledger (see restartPlan):
// its credits, settlements, line states and overpayment, and where they
// were read from. With states the lookup also reads which notices the
// plan enqueued, so the line states say which reminders and default
// notices were sent; without it (restarts before versionRestartLineStates)
// the lookup is as it was and the line states are not carried
// (failedPlanSchedule).
func (m *mediation) readFailedPlan(ctx workflow.Context, p *PerformanceState, states bool) ([]CreditedInstallment, []CarriedSettlement, []CarriedLine, int64, string, error) {
	var lines []LedgerLine
	var recorded []PreEnforcementSettlement
	var overpaid int64
	var notices []db.NoticeKey
	from := creditsFromResult
	if r := p.Result; r != nil && len(r.Installments) > 0 {
		// No notices are read here: a plan whose workflow failed leaves no
		// ledger in its result (planOutcome), so only a result recorded
		// otherwise comes this way, and its lines in default are noticed
		// again rather than taken as noticed unread.
		lines, recorded, overpaid = r.Installments, r.Settlements, r.OverpaidFen
	} else {
		var rec *activities.Recorder
		var res activities.PlanLedgerResult
		in := activities.PlanLedgerInput{CaseID: m.in.CaseID, PlanID: p.PlanID}
		if states {
			in.NoticeStream = planStream(p.PlanID)
		}
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.PlanLedger, in).Get(ctx, &res); err != nil {
			return nil, nil, nil, 0, "", fmt.Errorf("ledger of failed plan %s: %w", p.PlanID, err)
		}
		if !res.Found {
			// The plan never stored its ledger, so it credited, settled,
			// noticed and overpaid nothing of its own; what was carried
			// into it is carried on.
			if len(p.Credited) > 0 || len(p.Settlements) > 0 || len(p.Lines) > 0 || p.OverpaidFen > 0 {
				return slices.Clone(p.Credited), slices.Clone(p.Settlements), slices.Clone(p.Lines), p.OverpaidFen, creditsFromCarried, nil
			}
			return nil, nil, nil, 0, creditsFromNoneFound, nil
		}
		from = creditsFromLedger
		overpaid, notices = res.Plan.OverpaidFen, res.Notices
		for _, l := range res.Plan.Installments {
			lines = append(lines, LedgerLine{No: l.No, DueOn: l.DueOn, AmountFen: l.AmountFen, PaidFen: l.PaidFen, PaidOn: l.PaidOn,
				State: l.State, RemindersSent: l.RemindersSent, GraceEndsOn: l.GraceEndsOn,
				SupersededFen: l.SupersededFen, SupersededBy: l.SupersededBy, Settlement: l.Settlement})
		}
		for _, st := range res.Plan.Settlements {
			recorded = append(recorded, PreEnforcementSettlement{
				No: st.No, AgreedOn: st.AgreedOn, RecordedBy: st.RecordedBy, ConsentedBy: st.ConsentedBy,
				OutstandingFen: st.OutstandingFen, Superseded: st.Superseded, Installments: st.Installments,
			})
		}
	}
	terms := m.s.Agreement.Terms
	n := len(terms.Installments)
	var credited []CreditedInstallment
	settled := false
	for _, l := range lines {
		if l.No > n {
			settled = true
		}
		if l.PaidFen > 0 {
			credited = append(credited, CreditedInstallment{No: l.No, PaidFen: l.PaidFen, PaidOn: l.PaidOn})
		}
	}
	carried := carriedLines(lines, notices, p.Lines)
	if !settled {
		return credited, nil, carried, overpaid, from, nil
	}
	if workflow.GetVersion(ctx, versionRestartSettlements, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		for _, l := range lines {
			if l.No > n {
				return nil, nil, nil, 0, "", reject(RejectConflict, "plan %s had a pre-enforcement settlement (installment %d); a restart runs only the agreement's own schedule", p.PlanID, l.No)
			}
		}
	}
	settlements, err := carriedSettlements(p.PlanID, n, lines, recorded)
	if err != nil {
		return nil, nil, nil, 0, "", err
	}
	// The new plan checks them as it starts; checked here too, a ledger
	// that does not add up is refused to the court instead of failing the
	// new plan.
	if _, err := planLines(PlanInput{Installments: terms.Installments, Credited: credited, Settlements: settlements}); err != nil {
		return nil, nil, nil, 0, "", reject(RejectConflict, "the ledger of plan %s does not add up to its schedule: %v", p.PlanID, err)
	}
	return credited, settlements, carried, overpaid, from, nil
}

// carriedLines is where a failed plan's supervision of each line stood:
// its ledger's states and reminder counts, the notices it enqueued
// (notices) and what was carried into it (in, from the plans before it).
// A line's reminders are behind it up to the last one any of those plans
// enqueued; a line in default is carried in default only when its default
// notice was enqueued (by it or before it), so a default decided but not
// yet sent when the plan failed is decided and noticed again by the new
// plan, not lost; a line paid after its default needs no notice any more.
// A superseded line's state hides the rest, but nothing is supervised on
// it any more. Lines still scheduled and unreminded carry nothing.
func carriedLines(lines []LedgerLine, notices []db.NoticeKey, in []CarriedLine) []CarriedLine {
	before := map[int]CarriedLine{}
	for _, c := range in {
		before[c.No] = c
	}
	next, noticed := map[int]int{}, map[int]bool{}
	for _, n := range notices {
		switch n.Kind {
		case NoticeReminder:
			next[n.Installment] = max(next[n.Installment], n.Seq+1)
		case NoticeDefault:
			noticed[n.Installment] = true
		}
	}
	var out []CarriedLine
	for _, l := range lines {
		b := before[l.No]
		c := CarriedLine{No: l.No, RemindersSent: l.RemindersSent, NextReminder: max(next[l.No], b.NextReminder)}
		switch l.State {
		case InstallmentDefaulted:
			c.Overdue = true
			if noticed[l.No] || b.Defaulted {
				c.Defaulted, c.GraceEndsOn = true, l.GraceEndsOn
			}
		case InstallmentPaidAfterDefault:
			c.Overdue, c.Defaulted, c.GraceEndsOn = true, true, l.GraceEndsOn
		case InstallmentAccelerated:
			c.Defaulted, c.Accelerated = true, true
		case InstallmentOverdue:
			c.Overdue = true
		}
		if c != (CarriedLine{No: l.No}) {
			out = append(out, c)
		}
	}
	return out
}

// carriedSettlements are the pre-enforcement settlements of a failed plan
// over n agreement installments, from its ledger lines and the settlements
// it recorded, each with its installments' due dates and amounts. A ledger
// stored before the settlements were kept names none: its lines after the
// agreement's are one settlement's when no settlement superseded them, and
// that settlement is rebuilt from the lines (what each superseded line
// still owed is its amount less its credits, as nothing is credited to a
// line after a settlement took it over); with more than one, which lines
// are whose cannot be told, and the restart is refused.
func carriedSettlements(planID string, n int, lines []LedgerLine, recorded []PreEnforcementSettlement) ([]CarriedSettlement, error) {
	byNo := map[int]LedgerLine{}
	for _, l := range lines {
		byNo[l.No] = l
	}
	if len(recorded) == 0 {
		st := PreEnforcementSettlement{No: 1}
		for _, l := range lines {
			switch {
			case l.State == InstallmentSuperseded && l.No > n:
				return nil, reject(RejectConflict, "the stored ledger of plan %s predates the record of its settlements and holds more than one (installment %d was superseded by a later one); which lines are whose cannot be told", planID, l.No)
			case l.State == InstallmentSuperseded:
				st.Superseded = append(st.Superseded, l.No)
				st.OutstandingFen += l.AmountFen - l.PaidFen
			case l.No > n:
				st.Installments = append(st.Installments, l.No)
			}
		}
		recorded = []PreEnforcementSettlement{st}
	}
	out := make([]CarriedSettlement, 0, len(recorded))
	for _, st := range recorded {
		c := CarriedSettlement{PreEnforcementSettlement: clonePreSettlement(st)}
		for _, no := range st.Installments {
			l, ok := byNo[no]
			if !ok {
				return nil, reject(RejectConflict, "the ledger of plan %s has no installment %d of its settlement %d", planID, no, st.No)
			}
			c.Schedule = append(c.Schedule, Installment{DueOn: l.DueOn, AmountFen: l.AmountFen})
		}
		out = append(out, c)
	}
	return out, nil
}
