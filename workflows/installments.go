package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// InstallmentPlan is performance supervision (督促履行, DOMAIN.md Process 1
// step 4) as a reusable component: an obligor owes a schedule of
// installments; before each due date the obligor is reminded, payments are
// recorded against the schedule, and an installment still outstanding when
// its grace period has run out is a default. Performance in full ends the
// plan, with a certificate of automatic performance (自动履行证明) when every
// installment was paid by its due date. The confirmed mediation agreement,
// settlements during enforcement (执行和解) and wage-arrears schedules all run
// on it; the parent process decides what a default leads to.

// Update and query names of the installment plan workflow.
const (
	UpdateRecordPayment = "record-payment"
	UpdateUrge          = "urge"
	// UpdateSettleBeforeEnforcement records a pre-enforcement settlement
	// (执前和解): a new schedule for what is outstanding replaces the rest.
	UpdateSettleBeforeEnforcement = "pre-enforcement-settlement"
	QueryPlan                     = "plan"
	// SignalPlanDefaulted tells the parent case of a plan's first default
	// while the plan goes on supervising the later installments.
	SignalPlanDefaulted = "plan-defaulted"
	// SignalEnforcementFiled tells a plan that enforcement of its document
	// has been filed: supervision ends and enforcement takes over.
	SignalEnforcementFiled = "enforcement-filed"
)

// PlanDefaultSignal is a plan's first default, as its parent learns it.
type PlanDefaultSignal struct {
	PlanID         string      `json:"plan_id"`
	Installment    int         `json:"installment"`
	DueOn          policy.Date `json:"due_on"`
	GraceEndsOn    policy.Date `json:"grace_ends_on"`
	OutstandingFen int64       `json:"outstanding_fen"`
}

// EnforcementFiledSignal names the enforcement case filed on a plan's
// document.
type EnforcementFiledSignal struct {
	CaseID     string      `json:"case_id"`
	CaseNumber string      `json:"case_number"`
	AmountFen  int64       `json:"amount_fen"`
	AppliedOn  policy.Date `json:"applied_on"`
}

// Stages of a plan; a closed plan's outcome is its stage.
const (
	PlanPerforming = "performing"
	PlanPerformed  = "performed"
	PlanDefaulted  = "defaulted"
	// PlanFailed is no stage of the plan's own: it is how a parent records
	// a plan workflow that failed instead of closing, so the parent's case
	// goes on in a state a clerk sees rather than failing with it.
	PlanFailed = "failed"
)

// States of one installment in the performance ledger (自动履行跟踪台账).
const (
	InstallmentScheduled  = "scheduled"
	InstallmentReminded   = "reminded"
	InstallmentPaid       = "paid"
	InstallmentPartlyPaid = "partly_paid"
	InstallmentOverdue    = "overdue"
	InstallmentDefaulted  = "defaulted"
	// InstallmentPaidAfterDefault was in default and has since been paid.
	InstallmentPaidAfterDefault = "paid_after_default"
	// InstallmentSuperseded: a pre-enforcement settlement took over what
	// it still owed (SupersededFen); what was paid on it stays paid.
	InstallmentSuperseded = "superseded"
)

// Kinds of notice a plan sends, each once per installment (or per urging).
const (
	NoticePerformance = "performance_notice" // 自动履行告知书, when the plan starts
	NoticeReminder    = "reminder"
	NoticeDefault     = "default_notice" // 执行风险告知
	NoticeUrge        = "urge"
	NoticeCertificate = "certificate" // 自动履行证明
	// NoticeSettlement tells the obligor of a pre-enforcement settlement's
	// new schedule (执前和解), once per settlement.
	NoticeSettlement = "settlement_notice"
)

// maxSettlementInstallments bounds a pre-enforcement settlement's schedule,
// as the agreement's own is bounded.
const maxSettlementInstallments = 120

// Consequences a default notice names (执行风险告知).
var DefaultConsequences = []string{"enforcement", "consumption_restriction", "dishonest_debtor_list"}

// planStream is the audit stream of a case's installment plan, under which
// its notices are enqueued too.
func planStream(planID string) string { return "plan/" + planID }

// PlanWorkflowID is the workflow ID of a case's installment plan.
func PlanWorkflowID(caseID, planID string) string { return "case/" + caseID + "/plan/" + planID }

// PlanInput starts an installment plan. State is set only when the
// workflow continues as new, carrying everything it knew.
type PlanInput struct {
	CaseID string `json:"case_id"`
	// PlanID names the plan within the case: "performance" for the
	// confirmed agreement, "settlement-1" for a settlement during enforcement.
	PlanID       string         `json:"plan_id"`
	Jurisdiction string         `json:"jurisdiction"`
	Clock        casetime.Clock `json:"clock"`
	Obligor      string         `json:"obligor"`
	Obligees     []string       `json:"obligees"`
	Installments []Installment  `json:"installments"`
	StartedBy    casefile.Actor `json:"started_by"`
	// SuperviseAfterDefault keeps supervising the later installments after
	// one defaults (每案必提醒): each keeps its reminders and, when missed,
	// its own default notice, until every installment is paid or in
	// default, or enforcement is filed. Plans started before it, and
	// settlements during enforcement (where a default resumes enforcement
	// of the original title), close at the first default.
	SuperviseAfterDefault bool `json:"supervise_after_default,omitempty"`
	// Acceleration is the agreement's acceleration clause: at the first
	// default the whole remainder falls due and the plan closes in default.
	Acceleration bool `json:"acceleration,omitempty"`
	// CertificateOnApplication: full, on-time performance makes the obligor
	// eligible for a certificate of automatic performance, which the body
	// that made the document issues on the obligor's application; the plan
	// does not issue one itself. NoCertificate: the plan is no document's
	// performance (a settlement during enforcement), so none is issued.
	CertificateOnApplication bool `json:"certificate_on_application,omitempty"`
	NoCertificate            bool `json:"no_certificate,omitempty"`
	// Credited carries what an earlier plan over the same installments, one
	// whose workflow failed, had credited to each: the lines start with it
	// paid (on the day it was), so nothing paid is lost or credited twice,
	// and only what is still owed is supervised. With Settlements it names
	// the settlements' lines too, numbered on from the installments.
	Credited []CreditedInstallment `json:"credited,omitempty"`
	// Settlements carries the pre-enforcement settlements that earlier plan
	// had recorded, in order: the new plan starts with each one's lines
	// after the installments and, once the credits are on them, with what
	// each took over superseded, so it runs the schedule the failed plan
	// was running. Only a restart sets it.
	Settlements []CarriedSettlement `json:"settlements,omitempty"`
	// Lines carries where that earlier plan's supervision of each line
	// stood: the reminders it sent, the lines it marked overdue and those
	// it found in default, with their grace periods. The new plan starts
	// with them, so it sends no reminder or default notice the earlier
	// plan had sent (the obligor and obligees are told once of a missed
	// installment) and supervises only what that plan had not reached.
	// Restarts before versionRestartLineStates carry none, and their lines
	// start scheduled.
	Lines []CarriedLine `json:"carried_lines,omitempty"`
	// OverpaidFen is what that earlier plan had recorded above the
	// schedule's debt (interest or overpayment): the new plan keeps it, so
	// it stays in the case's accounts, and credits none of it to a line.
	OverpaidFen int64 `json:"overpaid_fen,omitempty"`

	State *PlanState `json:"state,omitempty"`
}

// CarriedLine is where an earlier plan's supervision of one line stood.
type CarriedLine struct {
	No int `json:"no"`
	// RemindersSent is how many reminders that plan sent for the line, as
	// its ledger counts them; NextReminder is the first of the policy's
	// reminder offsets it had not sent (one past the last it enqueued).
	RemindersSent int  `json:"reminders_sent,omitempty"`
	NextReminder  int  `json:"next_reminder,omitempty"`
	Overdue       bool `json:"overdue,omitempty"`
	// Defaulted: the line's default was taken and noticed (执行风险告知);
	// Accelerated, by the acceleration clause. GraceEndsOn is the end of
	// the grace period the default was counted from.
	Defaulted   bool        `json:"defaulted,omitempty"`
	Accelerated bool        `json:"accelerated,omitempty"`
	GraceEndsOn policy.Date `json:"grace_ends_on,omitempty"`
}

// CreditedInstallment is what an earlier plan credited to one installment.
type CreditedInstallment struct {
	No      int         `json:"no"`
	PaidFen int64       `json:"paid_fen"`
	PaidOn  policy.Date `json:"paid_on"`
}

// CarriedSettlement is a pre-enforcement settlement an earlier plan had
// recorded, as a plan that takes over its schedule starts with it: the
// settlement as it was recorded, and the due date and amount of each of
// its installments, in the order of their numbers (Installments).
type CarriedSettlement struct {
	PreEnforcementSettlement
	Schedule []Installment `json:"schedule"`
}

// PlanState is everything the plan knows.
type PlanState struct {
	Stage       string        `json:"stage"`
	Policy      policy.Policy `json:"policy"`
	StartedOn   policy.Date   `json:"started_on"`
	Lines       []planLine    `json:"lines"`
	OverpaidFen int64         `json:"overpaid_fen"`
	Urges       int           `json:"urges"`
	Certificate *Certificate  `json:"certificate,omitempty"`
	// Defaulted is the number of the first installment in default (the one
	// whose default closed the plan, unless it supervises after a default).
	Defaulted int `json:"defaulted,omitempty"`
	// Eligible is set when full, on-time performance entitles the obligor to
	// a certificate issued on application (CertificateOnApplication).
	Eligible bool `json:"certificate_eligible,omitempty"`
	// EnforcementCase is the enforcement case whose filing ended supervision.
	EnforcementCase string `json:"enforcement_case,omitempty"`
	// Settlements are the pre-enforcement settlements (执前和解) recorded,
	// in order.
	Settlements []PreEnforcementSettlement `json:"settlements,omitempty"`
	ClosedOn    policy.Date                `json:"closed_on"`
	Journal     journal                    `json:"journal"`
	// Outbox holds notices decided but not yet delivered.
	Outbox []activities.NoticeInput `json:"outbox,omitempty"`
	// Version counts ledger changes; Recorded is the last one written.
	Version  int `json:"version"`
	Recorded int `json:"recorded"`
}

// planLine is one installment as the plan tracks it.
type planLine struct {
	No        int         `json:"no"`
	DueOn     policy.Date `json:"due_on"`
	AmountFen int64       `json:"amount_fen"`
	PaidFen   int64       `json:"paid_fen"`
	// PaidOn is the date of the last payment allocated to it; once it is
	// paid in full, the day it was.
	PaidOn      policy.Date `json:"paid_on"`
	GraceEndsOn policy.Date `json:"grace_ends_on"`
	// DefaultsOn is the last day of the policy's late-recording window
	// after the grace period: a payment made within the grace period but
	// recorded later still counts by its date, so the default is decided
	// only when this day ends. Zero without a window: GraceEndsOn.
	DefaultsOn   policy.Date `json:"defaults_on,omitempty"`
	NextReminder int         `json:"next_reminder"` // index into the policy's reminder offsets
	Reminders    int         `json:"reminders"`     // reminders sent
	Overdue      bool        `json:"overdue"`
	Defaulted    bool        `json:"defaulted"`
	// Accelerated: the acceleration clause brought it forward to a default.
	Accelerated bool `json:"accelerated,omitempty"`
	// Provisional: its grace period was counted on a calendar whose year's
	// arrangement was not yet published.
	Provisional bool `json:"provisional,omitempty"`
	// SupersededFen is what a pre-enforcement settlement (SupersededBy)
	// took over from it: owed no longer here but in the settlement's lines.
	SupersededFen int64 `json:"superseded_fen,omitempty"`
	SupersededBy  int   `json:"superseded_by,omitempty"`
	// Settlement is the pre-enforcement settlement that scheduled it; zero
	// for the document's own installments.
	Settlement int `json:"settlement,omitempty"`
}

func (l *planLine) outstanding() int64 { return l.AmountFen - l.PaidFen - l.SupersededFen }

// due is what the line itself is owed: its amount less what a settlement
// took over.
func (l *planLine) due() int64 { return l.AmountFen - l.SupersededFen }

// defaultsAt is the case time at which an installment still outstanding
// is in default.
func (l *planLine) defaultsAt() time.Time {
	if !l.DefaultsOn.IsZero() {
		return l.DefaultsOn.End()
	}
	return l.GraceEndsOn.End()
}

func (l *planLine) state() string {
	switch {
	case l.SupersededFen > 0:
		return InstallmentSuperseded
	case l.Defaulted && l.outstanding() == 0:
		return InstallmentPaidAfterDefault
	case l.Accelerated && l.outstanding() > 0:
		// A plan's accelerated lines are in default too, so paid they are
		// paid after default; a wage case's, paid, are paid.
		return InstallmentAccelerated
	case l.Defaulted:
		return InstallmentDefaulted
	case l.outstanding() == 0:
		return InstallmentPaid
	case l.Overdue:
		return InstallmentOverdue
	case l.PaidFen > 0:
		return InstallmentPartlyPaid
	case l.Reminders > 0:
		return InstallmentReminded
	}
	return InstallmentScheduled
}

// Certificate is a certificate of automatic performance (自动履行证明).
type Certificate struct {
	IssuedOn policy.Date `json:"issued_on"`
	Obligor  string      `json:"obligor"`
	TotalFen int64       `json:"total_fen"`
	Body     string      `json:"body"`
}

// PaymentCommand records a payment. A mediator or court records it; an
// obligee records it by confirming receipt; the obligor's own report is
// recorded as a report and does not change the ledger until confirmed.
type PaymentCommand struct {
	AmountFen int64          `json:"amount_fen"`
	PaidOn    policy.Date    `json:"paid_on"`
	Reason    string         `json:"reason,omitempty"`
	Actor     casefile.Actor `json:"actor"`
}

// UrgeCommand records that a mediator or the court urged performance
// (督促履行, 执前督促); the obligor is sent a notice.
type UrgeCommand struct {
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// PreEnforcementSettlementCommand records a pre-enforcement settlement
// (执前和解): after a default and before enforcement is filed, the obligee
// and the obligor agree a new schedule for everything outstanding. A
// mediator or the court records it, with the consent of every obligee.
type PreEnforcementSettlementCommand struct {
	Installments []Installment `json:"installments"`
	// ConsentedBy names the obligees who consented: every obligee of the
	// plan, and no one else.
	ConsentedBy []string       `json:"consented_by"`
	Reason      string         `json:"reason"`
	Actor       casefile.Actor `json:"actor"`
}

// PreEnforcementSettlement is a recorded pre-enforcement settlement.
type PreEnforcementSettlement struct {
	No             int            `json:"no"`
	AgreedOn       policy.Date    `json:"agreed_on"`
	RecordedBy     casefile.Actor `json:"recorded_by"`
	ConsentedBy    []string       `json:"consented_by"`
	OutstandingFen int64          `json:"outstanding_fen"`
	// Superseded are the numbers of the installments whose outstanding
	// amounts it took over; Installments those of its new ones.
	Superseded   []int `json:"superseded"`
	Installments []int `json:"installments"`
}

// LedgerLine is one installment of the performance ledger as it stands.
type LedgerLine struct {
	No             int         `json:"no"`
	DueOn          policy.Date `json:"due_on"`
	AmountFen      int64       `json:"amount_fen"`
	PaidFen        int64       `json:"paid_fen"`
	OutstandingFen int64       `json:"outstanding_fen"`
	State          string      `json:"state"`
	PaidOn         policy.Date `json:"paid_on"`
	RemindersSent  int         `json:"reminders_sent"`
	GraceEndsOn    policy.Date `json:"grace_ends_on"`
	// DefaultsOn is the last day of the late-recording window after the
	// grace period, when a default is decided (GraceEndsOn without one).
	DefaultsOn policy.Date `json:"defaults_on"`
	// Provisional: GraceEndsOn and DefaultsOn were counted on a calendar
	// whose year's arrangement was not yet published; they may move.
	Provisional bool `json:"provisional,omitempty"`
	// SupersededFen is what a pre-enforcement settlement (SupersededBy)
	// took over from the line; Settlement names the settlement that
	// scheduled it.
	SupersededFen int64 `json:"superseded_fen,omitempty"`
	SupersededBy  int   `json:"superseded_by,omitempty"`
	Settlement    int   `json:"settlement,omitempty"`
}

// PlanView is the live state of a plan, as the plan query returns it.
type PlanView struct {
	CaseID         string       `json:"case_id"`
	PlanID         string       `json:"plan_id"`
	Jurisdiction   string       `json:"jurisdiction"`
	Obligor        string       `json:"obligor"`
	Obligees       []string     `json:"obligees"`
	Stage          string       `json:"stage"`
	Outcome        string       `json:"outcome,omitempty"`
	OnTime         bool         `json:"on_time"`
	StartedOn      policy.Date  `json:"started_on"`
	CaseToday      policy.Date  `json:"case_today"`
	ClosedOn       policy.Date  `json:"closed_on"`
	Installments   []LedgerLine `json:"installments"`
	TotalFen       int64        `json:"total_fen"`
	PaidFen        int64        `json:"paid_fen"`
	OutstandingFen int64        `json:"outstanding_fen"`
	OverpaidFen    int64        `json:"overpaid_fen"`
	Urges          int          `json:"urges"`
	Defaulted      int          `json:"defaulted_installment,omitempty"`
	Certificate    *Certificate `json:"certificate,omitempty"`
	// CertificateEligible: performed in full on time, the obligor may apply
	// for the certificate.
	CertificateEligible   bool                       `json:"certificate_eligible,omitempty"`
	EnforcementCase       string                     `json:"enforcement_case,omitempty"`
	Settlements           []PreEnforcementSettlement `json:"settlements,omitempty"`
	SuperviseAfterDefault bool                       `json:"supervise_after_default,omitempty"`
	Acceleration          bool                       `json:"acceleration,omitempty"`
	ReminderOffsets       []policy.Period            `json:"reminder_offsets"`
	Grace                 policy.Period              `json:"grace"`
	Steps                 int                        `json:"steps"`
	Clock                 casetime.Clock             `json:"clock"`
	// Reported is set on the answer to a payment the obligor reported: it
	// is recorded, not yet credited.
	Reported bool `json:"reported,omitempty"`
}

// PlanResult is how the plan ended: performed (OnTime with a certificate,
// or late) or defaulted, for the parent to decide on enforcement.
type PlanResult struct {
	Outcome              string       `json:"outcome"`
	OnTime               bool         `json:"on_time"`
	TotalFen             int64        `json:"total_fen"`
	PaidFen              int64        `json:"paid_fen"`
	OutstandingFen       int64        `json:"outstanding_fen"`
	OverpaidFen          int64        `json:"overpaid_fen"`
	DefaultedInstallment int          `json:"defaulted_installment,omitempty"`
	ClosedOn             policy.Date  `json:"closed_on"`
	Certificate          *Certificate `json:"certificate,omitempty"`
	CertificateEligible  bool         `json:"certificate_eligible,omitempty"`
	EnforcementCase      string       `json:"enforcement_case,omitempty"`
	Installments         []LedgerLine `json:"installments"`
	// Failure is why the plan workflow failed, when Outcome is PlanFailed.
	Failure string `json:"failure,omitempty"`
	// Settlements are the pre-enforcement settlements the plan recorded.
	Settlements []PreEnforcementSettlement `json:"settlements,omitempty"`
}

type plan struct {
	in PlanInput
	s  *PlanState
	// sent is the ledger as this run last wrote it (see ledgerSent).
	sent ledgerSent
}

// InstallmentPlan runs one installment plan until it is performed or in
// default.
func InstallmentPlan(ctx workflow.Context, in PlanInput) (PlanResult, error) {
	p := &plan{in: in, s: in.State}
	fresh := p.s == nil
	if fresh {
		if err := p.init(ctx); err != nil {
			return PlanResult{}, err
		}
	}
	if err := p.registerHandlers(ctx); err != nil {
		return PlanResult{}, err
	}
	if fresh {
		if err := p.open(ctx); err != nil {
			return PlanResult{}, err
		}
	}

	life := newLifetime(ctx, &p.s.Journal, nil)
	life.grown = stepLimit(&life, &p.s.Journal, p.s.Journal.Seq)
	idle := func() bool { return !p.dirty() }
	for p.s.Stage == PlanPerforming {
		if err := p.flush(ctx); err != nil {
			return PlanResult{}, err
		}
		if life.due(ctx) {
			next := p.in
			next.State = p.s
			// The schedule, and what an earlier plan carried into it,
			// are the state's lines now; only a fresh run reads them from
			// the input (init, open), so the next run is not handed them
			// twice.
			next.Installments, next.Credited, next.Settlements, next.Lines, next.OverpaidFen = nil, nil, nil, nil, 0
			return PlanResult{}, continueAsNew(ctx, p.flush, idle, InstallmentPlan, next)
		}
		if p.advance(ctx) {
			continue
		}
		woke := func() bool { return p.dirty() || p.s.Stage != PlanPerforming || life.wakes(ctx) }
		// A passed instant is taken by advance on the next turn.
		next, _ := p.nextInstant()
		if _, err := waitUntil(ctx, p.in.Clock, next, woke); err != nil {
			return PlanResult{}, err
		}
	}

	if err := endRun(ctx, p.flush, idle); err != nil {
		return PlanResult{}, err
	}
	return p.result(), nil
}

// init fixes the case clock and an empty state, without yielding.
func (p *plan) init(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	p.in.Clock = p.in.Clock.Started(now)
	if err := p.in.Clock.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	if err := validatePlan(p.in); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	p.s = &PlanState{Stage: PlanPerforming}
	p.s.Journal = journal{CaseID: p.in.CaseID, Stream: planStream(p.in.PlanID), Clock: p.in.Clock}
	p.s.StartedOn = p.s.Journal.today(ctx)
	lines, err := planLines(p.in)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	p.s.Lines = lines
	for _, st := range p.in.Settlements {
		p.s.Settlements = append(p.s.Settlements, clonePreSettlement(st.PreEnforcementSettlement))
	}
	// What the earlier plan recorded above the debt stays recorded; the
	// lines' credits are only what Credited names.
	p.s.OverpaidFen = p.in.OverpaidFen
	for _, l := range p.s.Lines {
		if l.Defaulted {
			// The earlier plan's first default is this plan's: a later
			// one is not the case's first, and the case already knows it.
			p.s.Defaulted = l.No
			break
		}
	}
	return nil
}

func clonePreSettlement(st PreEnforcementSettlement) PreEnforcementSettlement {
	st.ConsentedBy = slices.Clone(st.ConsentedBy)
	st.Superseded = slices.Clone(st.Superseded)
	st.Installments = slices.Clone(st.Installments)
	return st
}

// planLines builds a plan's lines from its input: the installments, then
// each carried settlement's installments numbered on, then what was
// credited to each, and last what each settlement took over, in order: a
// line a settlement supersedes is credited nothing after it, so what it
// still owed then is its amount less its credits. It refuses an input
// whose settlements do not add up: each must take over exactly what it
// schedules, from lines numbered before its own, and leave nothing before
// them owed.
func planLines(in PlanInput) ([]planLine, error) {
	lines := make([]planLine, 0, len(in.Installments))
	for i, inst := range in.Installments {
		lines = append(lines, planLine{No: i + 1, DueOn: inst.DueOn, AmountFen: inst.AmountFen})
	}
	for i, st := range in.Settlements {
		switch {
		case st.No != i+1:
			return nil, fmt.Errorf("carried settlement %d: numbered %d", i+1, st.No)
		case len(st.Schedule) == 0 || len(st.Schedule) > maxSettlementInstallments:
			return nil, fmt.Errorf("carried settlement %d: 1 to %d installments, got %d", st.No, maxSettlementInstallments, len(st.Schedule))
		case len(st.Installments) != len(st.Schedule):
			return nil, fmt.Errorf("carried settlement %d: %d installment numbers for %d installments", st.No, len(st.Installments), len(st.Schedule))
		}
		var sum int64
		for k, inst := range st.Schedule {
			no := len(lines) + 1
			switch {
			case st.Installments[k] != no:
				return nil, fmt.Errorf("carried settlement %d: installment %d numbered %d", st.No, no, st.Installments[k])
			case inst.AmountFen <= 0 || inst.AmountFen > maxFen:
				return nil, fmt.Errorf("installment %d: amount %d fen out of range", no, inst.AmountFen)
			case inst.DueOn.IsZero():
				return nil, fmt.Errorf("installment %d: due date is required", no)
			case k > 0 && !inst.DueOn.After(st.Schedule[k-1].DueOn):
				return nil, fmt.Errorf("installment %d: due date %s must be after the previous one's", no, inst.DueOn)
			}
			if err := checkDate(fmt.Sprintf("installment %d: due date", no), inst.DueOn); err != nil {
				return nil, err
			}
			if sum += inst.AmountFen; sum > maxFen {
				return nil, fmt.Errorf("carried settlement %d: installments exceed the maximum %d fen", st.No, int64(maxFen))
			}
			lines = append(lines, planLine{No: no, DueOn: inst.DueOn, AmountFen: inst.AmountFen, Settlement: st.No})
		}
		if sum != st.OutstandingFen {
			return nil, fmt.Errorf("carried settlement %d: installments sum to %d fen, not the %d fen it took over", st.No, sum, st.OutstandingFen)
		}
	}
	seen := map[int]bool{}
	for _, c := range in.Credited {
		switch {
		case c.No < 1 || c.No > len(lines):
			return nil, fmt.Errorf("credited installment %d: no such installment", c.No)
		case seen[c.No]:
			return nil, fmt.Errorf("credited installment %d: credited twice", c.No)
		case c.PaidFen < 0 || c.PaidFen > lines[c.No-1].AmountFen:
			return nil, fmt.Errorf("credited installment %d: %d fen is not within its amount", c.No, c.PaidFen)
		case c.PaidFen > 0 && c.PaidOn.IsZero():
			return nil, fmt.Errorf("credited installment %d: the day it was paid is required", c.No)
		}
		seen[c.No] = true
		l := &lines[c.No-1]
		l.PaidFen, l.PaidOn = c.PaidFen, c.PaidOn
	}
	seen = map[int]bool{}
	for _, c := range in.Lines {
		switch {
		case c.No < 1 || c.No > len(lines):
			return nil, fmt.Errorf("carried line %d: no such installment", c.No)
		case seen[c.No]:
			return nil, fmt.Errorf("carried line %d: carried twice", c.No)
		case c.RemindersSent < 0 || c.NextReminder < 0:
			return nil, fmt.Errorf("carried line %d: %d reminders sent, next %d", c.No, c.RemindersSent, c.NextReminder)
		case c.Accelerated && !c.Defaulted:
			return nil, fmt.Errorf("carried line %d: accelerated but not in default", c.No)
		}
		seen[c.No] = true
		l := &lines[c.No-1]
		l.Reminders, l.Overdue, l.Defaulted, l.Accelerated = c.RemindersSent, c.Overdue || (c.Defaulted && !c.Accelerated), c.Defaulted, c.Accelerated
	}
	if in.OverpaidFen < 0 || in.OverpaidFen > maxFen {
		return nil, fmt.Errorf("carried overpayment %d fen out of range", in.OverpaidFen)
	}
	for _, st := range in.Settlements {
		first := st.Installments[0]
		var took int64
		for _, no := range st.Superseded {
			if no < 1 || no >= first {
				return nil, fmt.Errorf("carried settlement %d: supersedes installment %d, not one before its own", st.No, no)
			}
			l := &lines[no-1]
			o := l.outstanding()
			if o <= 0 {
				return nil, fmt.Errorf("carried settlement %d: supersedes installment %d, which owes nothing", st.No, no)
			}
			l.SupersededFen, l.SupersededBy = o, st.No
			took += o
		}
		if took != st.OutstandingFen {
			return nil, fmt.Errorf("carried settlement %d: takes over %d fen from its superseded installments, not %d", st.No, took, st.OutstandingFen)
		}
		for _, l := range lines[:first-1] {
			if l.outstanding() != 0 {
				return nil, fmt.Errorf("carried settlement %d: installment %d still owes %d fen after it", st.No, l.No, l.outstanding())
			}
		}
	}
	return lines, nil
}

// validatePlan checks what a plan needs to run: an obligor, obligees, and
// positive installments in due-date order. Unlike ValidateTerms it accepts
// a due date already past: a plan started after judicial confirmation may
// find its first installment overdue.
func validatePlan(in PlanInput) error {
	switch {
	case in.CaseID == "" || in.PlanID == "":
		return fmt.Errorf("a plan needs a case and a plan ID")
	case in.Obligor == "":
		return fmt.Errorf("a plan needs an obligor")
	case len(in.Obligees) == 0:
		return fmt.Errorf("a plan needs at least one obligee")
	case len(in.Installments) == 0:
		return fmt.Errorf("a plan needs at least one installment")
	}
	var sum int64
	for i, inst := range in.Installments {
		if inst.AmountFen <= 0 || inst.AmountFen > maxFen {
			return fmt.Errorf("installment %d: amount %d fen out of range", i+1, inst.AmountFen)
		}
		if sum += inst.AmountFen; sum > maxFen {
			return fmt.Errorf("installments exceed the maximum %d fen", int64(maxFen))
		}
		if inst.DueOn.IsZero() {
			return fmt.Errorf("installment %d: due date is required", i+1)
		}
		if err := checkDate(fmt.Sprintf("installment %d: due date", i+1), inst.DueOn); err != nil {
			return err
		}
		if i > 0 && !inst.DueOn.After(in.Installments[i-1].DueOn) {
			return fmt.Errorf("installment %d: due date %s must be after the previous one's", i+1, inst.DueOn)
		}
	}
	// The credits and carried settlements are checked as the lines are
	// built from them.
	_, err := planLines(in)
	return err
}

// open loads the policy, fixes each installment's grace period and sends
// the notice of automatic performance (自动履行告知书).
func (p *plan) open(ctx workflow.Context) error {
	pol, err := loadPolicy(ctx, p.in.Jurisdiction)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	perf := pol.Performance
	if err := p.sched().fixDeadlines(ctx, p.in.Jurisdiction, periods{perf.Grace, perf.LateRecording},
		perf.ReminderOffsets, p.s.StartedOn, nil); err != nil {
		return err
	}
	p.carryLines(perf.ReminderOffsets)
	p.s.Policy = pol
	data := map[string]any{
		"plan_id": p.in.PlanID, "obligor": p.in.Obligor, "obligees": p.in.Obligees,
		"installments": p.ledger(), "total_fen": p.total(),
		"reminder_offsets": pol.Performance.ReminderOffsets, "grace": pol.Performance.Grace,
		"late_recording": pol.Performance.LateRecording, "supervise_after_default": p.in.SuperviseAfterDefault,
		"acceleration": p.in.Acceleration, "time_scale": p.in.Clock.Scale,
	}
	if len(p.in.Credited) > 0 {
		data["credited"], data["credited_fen"] = p.in.Credited, p.paid()
	}
	if len(p.in.Settlements) > 0 {
		data["settlements"] = p.in.Settlements
	}
	// Only plans that carry line states or an overpayment say so: the
	// others' first steps stay as they were.
	if len(p.in.Lines) > 0 {
		data["carried_lines"] = p.in.Lines
	}
	if p.in.OverpaidFen > 0 {
		data["overpaid_fen"] = p.in.OverpaidFen
	}
	p.s.Journal.add(ctx, step{
		Kind: "plan_started", Actor: p.in.StartedBy, ReasonCode: "performance_supervision",
		Reason: fmt.Sprintf("performance supervision of %d installment(s), %s in total", len(p.s.Lines), yuan(p.total())),
		Data:   data,
	})
	carried := ""
	if p.paid() > 0 {
		carried = fmt.Sprintf("已履行 %s，尚欠 %s。", yuan(p.paid()), yuan(p.outstanding()))
	}
	body := fmt.Sprintf(
		"自动履行告知书：%s，请按约定履行 %d 期共 %s：%s。%s按期足额履行可申请自动履行证明；逾期未履行的，权利人可申请强制执行，您可能被限制高消费、纳入失信被执行人名单。",
		p.in.Obligor, len(p.s.Lines), yuan(p.total()), p.sched().text(), carried)
	if len(p.in.Settlements) > 0 {
		// The settlement's schedule is what is owed now: the obligor is
		// told it, not the installments it superseded.
		body = fmt.Sprintf(
			"自动履行告知书：%s，应履行共 %s，经执前和解按和解约定履行：%s。已履行 %s，尚欠 %s。逾期未履行的，权利人可申请强制执行，您可能被限制高消费、纳入失信被执行人名单。",
			p.in.Obligor, yuan(p.total()), p.settlementSchedule().text(), yuan(p.paid()), yuan(p.outstanding()))
	}
	p.notice(ctx, 0, NoticePerformance, 0, body)
	p.changed()
	if len(p.in.Credited) > 0 && p.outstanding() == 0 {
		// Only a plan carrying an earlier one's credits can start with
		// nothing owed: it is performed as it opens.
		p.performed(ctx)
	}
	return nil
}

// carryLines puts the carried lines' deadlines and reminders where the
// earlier plan left them, once fixDeadlines has counted them afresh: a
// line in default keeps the grace period its default was counted from,
// and a line's next reminder is after the last one the earlier plan sent
// (even when the restart comes on that reminder's day, when a late start
// would still send it); the ones whose day passed before this plan
// started are passed over as for any late start.
func (p *plan) carryLines(offsets []policy.Period) {
	for _, c := range p.in.Lines {
		l := &p.s.Lines[c.No-1]
		if c.Defaulted && !c.GraceEndsOn.IsZero() {
			l.GraceEndsOn = c.GraceEndsOn
		}
		l.NextReminder = min(max(l.NextReminder, c.NextReminder), len(offsets))
	}
}

// settlementSchedule is the settlements' lines that no later settlement
// superseded.
func (p *plan) settlementSchedule() schedule {
	var lines []planLine
	for _, l := range p.s.Lines {
		if l.Settlement > 0 && l.SupersededFen == 0 {
			lines = append(lines, l)
		}
	}
	return planSchedule(lines)
}

func (p *plan) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryPlan, func() (PlanView, error) {
		return p.view(ctx), nil
	}); err != nil {
		return err
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, SignalEnforcementFiled)
		for {
			var sig EnforcementFiledSignal
			ch.Receive(ctx, &sig)
			p.enforcementFiled(ctx, sig)
		}
	})
	return registerCommands(ctx, &p.s.Journal,
		command{UpdateRecordPayment, p.recordPayment, p.validatePayment},
		command{UpdateUrge, p.urge, p.validateUrge},
		command{UpdateSettleBeforeEnforcement, p.settleBeforeEnforcement, p.validateSettlement},
		command{UpdateRearmDeadlines, p.rearm, func(_ workflow.Context, cmd RearmCommand) error { return validateRearm(cmd) }},
	)
}

// rearm counts the open installments' grace periods and late-recording
// windows again after a publication; the due dates are agreed and stay.
func (p *plan) rearm(ctx workflow.Context, cmd RearmCommand) (RearmResult, error) {
	if p.s.Stage != PlanPerforming {
		return RearmResult{Version: p.s.Journal.Rearmed}, nil
	}
	res, seq, err := rearmDeadlines(ctx, &p.s.Journal, p.in.Jurisdiction, cmd, p.counted, p.changed)
	if err != nil || seq == 0 {
		return res, err
	}
	return res, p.s.Journal.awaitRecorded(ctx, seq)
}

// counted lists each open installment's counted days: the end of its grace
// period from its due date, and the end of the late-recording window after
// that.
func (p *plan) counted() []counted {
	pol := p.s.Policy.Performance
	var out []counted
	for i := range p.s.Lines {
		l := &p.s.Lines[i]
		if l.outstanding() == 0 || l.Defaulted || l.SupersededFen > 0 {
			continue
		}
		ref := fmt.Sprintf("installment %d", l.No)
		var chain []policy.Period
		if !pol.Grace.IsZero() {
			chain = append(chain, pol.Grace)
			out = append(out, counted{kind: "grace_period", ref: ref, from: l.DueOn, periods: slices.Clone(chain),
				get: func() policy.Date { return l.GraceEndsOn },
				set: func(on policy.Date, st policy.Status) { l.GraceEndsOn, l.Provisional = on, st == policy.Provisional }})
		}
		if w := pol.LateRecording; !w.IsZero() && !l.DefaultsOn.IsZero() {
			chain = append(chain, w)
			out = append(out, counted{kind: "late_recording", ref: ref, from: l.DueOn, periods: chain,
				get: func() policy.Date { return l.DefaultsOn },
				set: func(on policy.Date, st policy.Status) {
					l.DefaultsOn, l.Provisional = on, l.Provisional || st == policy.Provisional
				}})
		}
	}
	return out
}

// checkOpen refuses commands once the plan has closed, while it is still
// being opened, or once a grace period has run out (the timer may not have
// fired yet, but the default has happened).
func (p *plan) checkOpen(ctx workflow.Context) error {
	if p.s.Stage != PlanPerforming {
		return reject(RejectConflict, "the plan has closed: %s", p.s.Stage)
	}
	if p.s.Journal.Seq == 0 {
		return reject(RejectConflict, "the plan is still being started; try again")
	}
	if p.in.SuperviseAfterDefault {
		// A default does not close the plan: what the obligor pays later
		// is still credited, earliest installment first.
		return nil
	}
	now := p.s.Journal.caseNow(ctx)
	for _, l := range p.s.Lines {
		if l.outstanding() > 0 && !now.Before(l.defaultsAt()) {
			return reject(RejectConflict, "installment %d is in default: its grace period ended on %s", l.No, l.GraceEndsOn)
		}
	}
	return nil
}

// payer says how an actor's payment command counts: recorded (mediator,
// court, or an obligee confirming receipt) or only reported (the obligor).
func (p *plan) payer(a casefile.Actor) (credited bool, err error) {
	switch a.Role {
	case casefile.RoleMediator, casefile.RoleCourt:
		return true, nil
	case casefile.RoleParty:
		if slices.Contains(p.in.Obligees, a.Subject) {
			return true, nil
		}
		if a.Subject == p.in.Obligor {
			return false, nil
		}
	}
	return false, reject(RejectForbidden, "only a mediator, the court or a party to the plan may record a payment")
}

func (p *plan) validatePayment(ctx workflow.Context, cmd PaymentCommand) error {
	if _, err := p.payer(cmd.Actor); err != nil {
		return err
	}
	if err := checkAmount(cmd.AmountFen); err != nil {
		return err
	}
	if err := p.checkOpen(ctx); err != nil {
		return err
	}
	return checkPaidOn(cmd.PaidOn, p.s.Journal.today(ctx), p.s.StartedOn, "the plan started")
}

// allocation is the part of a payment credited to one installment.
type allocation struct {
	No        int   `json:"no"`
	AmountFen int64 `json:"amount_fen"`
}

func (p *plan) recordPayment(ctx workflow.Context, cmd PaymentCommand) (PlanView, error) {
	if p.s.Stage != PlanPerforming {
		// The plan closed between validation and now (a grace period ran
		// out in the same workflow task).
		return PlanView{}, reject(RejectConflict, "the plan has closed: %s", p.s.Stage)
	}
	credited, _ := p.payer(cmd.Actor)
	if !credited {
		seq := p.s.Journal.add(ctx, step{
			Kind: "payment_reported", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "reported_by_party",
			Data: map[string]any{"amount_fen": cmd.AmountFen, "paid_on": cmd.PaidOn, "reported_by": casefile.RoleParty},
		})
		if err := p.s.Journal.awaitRecorded(ctx, seq); err != nil {
			return PlanView{}, err
		}
		v := p.view(ctx)
		v.Reported = true
		return v, nil
	}
	// Earliest outstanding installment first, the rest spilling over.
	allocs, rest := p.sched().credit(cmd.AmountFen, cmd.PaidOn)
	code := "payment_recorded"
	if cmd.Actor.Role == casefile.RoleParty {
		code = "receipt_confirmed_by_obligee"
	}
	seq := p.s.Journal.add(ctx, step{
		Kind: "payment_recorded", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: code,
		Data: map[string]any{
			"amount_fen": cmd.AmountFen, "paid_on": cmd.PaidOn, "allocations": allocs,
			"overpaid_fen": rest, "outstanding_fen": p.outstanding(),
		},
	})
	if rest > 0 {
		p.s.OverpaidFen += rest
		seq = recordOverpayment(ctx, &p.s.Journal, rest, p.s.OverpaidFen, p.total(), cmd.PaidOn)
	}
	p.changed()
	if p.outstanding() == 0 {
		seq = p.performed(ctx)
	}
	if err := p.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return PlanView{}, err
	}
	return p.view(ctx), nil
}

func (p *plan) validateUrge(ctx workflow.Context, cmd UrgeCommand) error {
	if r := cmd.Actor.Role; r != casefile.RoleMediator && r != casefile.RoleCourt {
		return reject(RejectForbidden, "only a mediator or the court may urge performance")
	}
	if cmd.Reason == "" {
		return reject(RejectInvalid, "a reason is required when urging performance")
	}
	return p.checkOpen(ctx)
}

func (p *plan) urge(ctx workflow.Context, cmd UrgeCommand) (PlanView, error) {
	if p.s.Stage != PlanPerforming {
		return PlanView{}, reject(RejectConflict, "the plan has closed: %s", p.s.Stage)
	}
	p.s.Urges++
	// Urged while an installment is in default and no enforcement is filed
	// (the plan would have closed): pre-enforcement urging (执前督促).
	inDefault := p.inDefault()
	code, body := "urge_performance", fmt.Sprintf("履行督促：%s，尚欠 %s 未履行，请尽快履行。%s", p.in.Obligor, yuan(p.outstanding()), cmd.Reason)
	if len(inDefault) > 0 {
		code = "pre_enforcement_urging"
		body = fmt.Sprintf("执前督促：%s，第 %s 期已逾宽限期未履行，合计尚欠 %s。请尽快履行或与权利人协商和解；权利人可依法申请强制执行。%s",
			p.in.Obligor, joinNos(inDefault), yuan(p.outstanding()), cmd.Reason)
	}
	seq := p.s.Journal.add(ctx, step{
		Kind: "performance_urged", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: code,
		Data: map[string]any{"urge": p.s.Urges, "outstanding_fen": p.outstanding(), "in_default": inDefault},
	})
	p.notice(ctx, 0, NoticeUrge, p.s.Urges, body)
	if err := p.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return PlanView{}, err
	}
	return p.view(ctx), nil
}

// advance takes every step whose case time has come: reminders, an
// installment falling overdue, a grace period running out. It reports
// whether it took any.
func (p *plan) advance(ctx workflow.Context) bool {
	defaulted := false
	took := p.sched().advance(ctx, &p.s.Journal, p.s.Policy.Performance.ReminderOffsets, scheduleHooks{
		remind: func(ctx workflow.Context, l *planLine, k int) {
			p.notice(ctx, l.No, NoticeReminder, k, fmt.Sprintf(
				"履行提醒：%s，第 %d 期 %s 应于 %s 前履行，尚欠 %s。", p.in.Obligor, l.No, yuan(l.AmountFen), l.DueOn, yuan(l.outstanding())))
		},
		defaulted: func(ctx workflow.Context, l *planLine) { p.defaulted(ctx, l); defaulted = true },
		changed:   p.changed,
	})
	if defaulted {
		return true
	}
	if p.in.SuperviseAfterDefault && p.s.Stage == PlanPerforming && p.s.Defaulted > 0 && p.settled() {
		p.closeInDefault(ctx, "every_installment_paid_or_in_default",
			"every installment is paid or in default; nothing is left to supervise", nil)
		return true
	}
	return took
}

// sched is the plan's schedule (schedule.go).
func (p *plan) sched() schedule { return planSchedule(p.s.Lines) }

// settled reports whether no installment is left to supervise: each is
// paid or in default.
func (p *plan) settled() bool {
	for _, l := range p.s.Lines {
		if l.outstanding() > 0 && !l.Defaulted {
			return false
		}
	}
	return true
}

// closeInDefault ends supervision of a plan in default, saying why.
func (p *plan) closeInDefault(ctx workflow.Context, code, reason string, data map[string]any) {
	p.close(ctx, PlanDefaulted)
	if data == nil {
		data = map[string]any{}
	}
	data["outstanding_fen"] = p.outstanding()
	data["first_defaulted_installment"] = p.s.Defaulted
	p.s.Journal.add(ctx, step{
		Kind: "supervision_ended", Actor: casefile.System, ReasonCode: code, Reason: reason, Data: data,
	})
	p.changed()
}

// nextInstant returns the case time of the next step the plan will take by
// itself; ok is false when none is pending.
func (p *plan) nextInstant() (next time.Time, ok bool) {
	return p.sched().nextInstant(p.s.Policy.Performance.ReminderOffsets)
}

// defaulted closes the plan in default on installment l and tells the
// obligor what follows (执行风险告知).
func (p *plan) defaulted(ctx workflow.Context, l *planLine) {
	l.Defaulted = true
	first := p.s.Defaulted == 0
	if first {
		p.s.Defaulted = l.No
	}
	if !p.in.SuperviseAfterDefault || p.in.Acceleration {
		p.close(ctx, PlanDefaulted)
	}
	p.s.Journal.add(ctx, step{
		Kind: "installment_defaulted", Actor: casefile.System, ReasonCode: "grace_period_passed",
		Reason: fmt.Sprintf("installment %d still %s outstanding after the grace period ended on %s", l.No, yuan(l.outstanding()), l.GraceEndsOn),
		Data: map[string]any{
			"installment": l.No, "due_on": l.DueOn, "grace_ends_on": l.GraceEndsOn, "outstanding_fen": l.outstanding(),
			"plan_outstanding_fen": p.outstanding(), "consequences": DefaultConsequences,
		},
	})
	p.notice(ctx, l.No, NoticeDefault, 0, fmt.Sprintf(
		"执行风险告知书：%s，第 %d 期应于 %s 履行，宽限期至 %s 届满仍欠 %s，合计尚欠 %s。权利人可依法申请强制执行；您可能被采取限制高消费措施，并被纳入失信被执行人名单。",
		p.in.Obligor, l.No, l.DueOn, l.GraceEndsOn, yuan(l.outstanding()), yuan(p.outstanding())))
	if p.in.Acceleration {
		p.accelerate(ctx, l)
	} else if first && p.in.SuperviseAfterDefault {
		p.tellParentOfDefault(ctx, l)
	}
	p.changed()
}

// tellParentOfDefault signals the parent case of the plan's first default,
// so the case shows it in default while the plan supervises the rest.
func (p *plan) tellParentOfDefault(ctx workflow.Context, l *planLine) {
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return
	}
	// Not waited for: a parent that is gone has nothing to learn.
	workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalPlanDefaulted, PlanDefaultSignal{
		PlanID: p.in.PlanID, Installment: l.No, DueOn: l.DueOn, GraceEndsOn: l.GraceEndsOn, OutstandingFen: p.outstanding(),
	})
}

// enforcementFiled ends supervision: enforcement of the document has been
// filed and supervises what is owed from now on.
func (p *plan) enforcementFiled(ctx workflow.Context, sig EnforcementFiledSignal) {
	if p.s.Stage != PlanPerforming || sig.CaseID == "" {
		return
	}
	p.s.EnforcementCase = sig.CaseID
	p.closeInDefault(ctx, "enforcement_filed",
		fmt.Sprintf("enforcement %s was filed on %s for %s; supervision of the plan ends", sig.CaseNumber, sig.AppliedOn, yuan(sig.AmountFen)),
		map[string]any{"enforcement_case": sig.CaseID, "enforcement_case_number": sig.CaseNumber, "amount_fen": sig.AmountFen, "applied_on": sig.AppliedOn})
}

// accelerate applies the acceleration clause at the default of l: every
// later installment still outstanding falls due now, in default with it.
func (p *plan) accelerate(ctx workflow.Context, l *planLine) {
	var nos []int
	for i := range p.s.Lines {
		m := &p.s.Lines[i]
		if m.No > l.No && m.outstanding() > 0 && !m.Defaulted {
			m.Defaulted, m.Accelerated = true, true
			nos = append(nos, m.No)
		}
	}
	if len(nos) == 0 {
		return
	}
	p.s.Journal.add(ctx, step{
		Kind: "acceleration_applied", Actor: casefile.System, ReasonCode: "acceleration_clause",
		Reason: fmt.Sprintf("by the acceleration clause the remaining installments %v fall due with installment %d: %s outstanding in all", nos, l.No, yuan(p.outstanding())),
		Data:   map[string]any{"installment": l.No, "accelerated": nos, "plan_outstanding_fen": p.outstanding()},
	})
}

// performed closes the plan as performed, with a certificate when every
// installment was paid by its due date; it returns the last step's number.
func (p *plan) performed(ctx workflow.Context) int {
	p.close(ctx, PlanPerformed)
	onTime := p.onTime()
	seq := p.s.Journal.add(ctx, step{
		Kind: "plan_performed", Actor: casefile.System, ReasonCode: "performed_in_full",
		Reason: fmt.Sprintf("%s paid in full", yuan(p.total())),
		Data:   map[string]any{"total_fen": p.total(), "on_time": onTime, "overpaid_fen": p.s.OverpaidFen},
	})
	switch {
	case p.in.NoCertificate:
	case onTime && p.in.CertificateOnApplication:
		// Issued by the body that made the document, on the obligor's
		// application (the parent case takes it).
		p.s.Eligible = true
		seq = p.s.Journal.add(ctx, step{
			Kind: "certificate_eligible", Actor: casefile.System, ReasonCode: "automatic_performance",
			Reason: "every installment paid in full by its due date: the obligor may apply for a certificate of automatic performance",
			Data:   map[string]any{"total_fen": p.total(), "installments": len(p.s.Lines)},
		})
	case onTime:
		today := p.s.Journal.today(ctx)
		body := fmt.Sprintf("自动履行证明：%s 已按期足额自动履行 %d 期共 %s（%s 至 %s）。",
			p.in.Obligor, len(p.s.Lines), yuan(p.total()), p.s.StartedOn, today)
		p.s.Certificate = &Certificate{IssuedOn: today, Obligor: p.in.Obligor, TotalFen: p.total(), Body: body}
		seq = p.s.Journal.add(ctx, step{
			Kind: "certificate_issued", Actor: casefile.System, ReasonCode: "automatic_performance",
			Reason: "every installment paid in full by its due date", Data: p.s.Certificate,
		})
		p.notice(ctx, 0, NoticeCertificate, 0, body)
	}
	p.changed()
	return seq
}

func (p *plan) close(ctx workflow.Context, stage string) {
	p.s.Stage = stage
	p.s.ClosedOn = p.s.Journal.today(ctx)
}

// notice queues a notice to the obligor for delivery by the main loop.
func (p *plan) notice(ctx workflow.Context, installment int, kind string, seq int, body string) {
	p.s.Outbox = append(p.s.Outbox, activities.NoticeInput{
		CaseID: p.in.CaseID, Stream: p.s.Journal.Stream, Installment: installment, Kind: kind, Seq: seq,
		Recipient: p.in.Obligor, Body: body, CaseOn: p.s.Journal.today(ctx),
	})
}

func (p *plan) changed() { p.s.Version++ }

func (p *plan) dirty() bool {
	return len(p.s.Journal.Pending) > 0 || len(p.s.Outbox) > 0 || p.s.Version != p.s.Recorded
}

// flush records pending steps, then the ledger, then delivers queued
// notices: a notice goes out only after the step that decided it is in the
// audit trail.
func (p *plan) flush(ctx workflow.Context) error {
	return p.s.Journal.settle(ctx, p.flushOnce)
}

// flushOnce is one flush; see flush.
func (p *plan) flushOnce(ctx workflow.Context) error {
	if err := p.s.Journal.flush(ctx, nil); err != nil {
		return err
	}
	if p.s.Version != p.s.Recorded {
		version := p.s.Version
		in := activities.RecordPlanInput{Plan: p.record()}
		// A payment changes a line or a few: the write carries those, not
		// the whole ledger.
		all := in.Plan.Installments
		in.Plan.Installments = p.sent.delta(ctx, all)
		if c := p.s.Certificate; c != nil {
			in.Certificate = &db.PerformanceCertificate{CaseID: p.in.CaseID, PlanID: p.in.PlanID, Obligor: c.Obligor, TotalFen: c.TotalFen, IssuedOn: c.IssuedOn, Body: c.Body}
		}
		var rec *activities.Recorder
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.RecordPlan, in).Get(ctx, nil); err != nil {
			return err
		}
		p.sent.wrote(all)
		p.s.Recorded = version
	}
	return sendNotices(ctx, &p.s.Outbox, p.s.Policy.Notices)
}

func (p *plan) total() int64 { return p.sched().total() }

func (p *plan) paid() int64 { return p.sched().paid() }

func (p *plan) outstanding() int64 { return p.total() - p.paid() }

// onTime reports whether every installment was paid in full by its due date.
func (p *plan) onTime() bool {
	for _, l := range p.s.Lines {
		if l.outstanding() > 0 || l.PaidOn.After(l.DueOn) || l.SupersededFen > 0 {
			return false
		}
	}
	return true
}

func (p *plan) ledger() []LedgerLine { return p.sched().ledger() }

func (p *plan) outcome() string {
	if p.s.Stage == PlanPerforming {
		return ""
	}
	return p.s.Stage
}

func (p *plan) record() db.Plan {
	r := db.Plan{
		CaseID: p.in.CaseID, PlanID: p.in.PlanID, Obligor: p.in.Obligor, Stage: p.s.Stage,
		OnTime: p.s.Stage == PlanPerformed && p.onTime(), TotalFen: p.total(), PaidFen: p.paid(),
		OverpaidFen: p.s.OverpaidFen, StartedOn: p.s.StartedOn, ClosedOn: p.s.ClosedOn, Version: p.s.Version,
	}
	r.Installments = p.sched().records()
	for _, st := range p.s.Settlements {
		r.Settlements = append(r.Settlements, db.PlanSettlement{
			No: st.No, AgreedOn: st.AgreedOn, RecordedBy: st.RecordedBy, ConsentedBy: slices.Clone(st.ConsentedBy),
			OutstandingFen: st.OutstandingFen, Superseded: slices.Clone(st.Superseded), Installments: slices.Clone(st.Installments),
		})
	}
	return r
}

func (p *plan) view(ctx workflow.Context) PlanView {
	return PlanView{
		CaseID: p.in.CaseID, PlanID: p.in.PlanID, Jurisdiction: p.in.Jurisdiction, Obligor: p.in.Obligor,
		Obligees: slices.Clone(p.in.Obligees), Stage: p.s.Stage, Outcome: p.outcome(),
		OnTime: p.s.Stage == PlanPerformed && p.onTime(), StartedOn: p.s.StartedOn,
		CaseToday: p.s.Journal.today(ctx), ClosedOn: p.s.ClosedOn, Installments: p.ledger(),
		TotalFen: p.total(), PaidFen: p.paid(), OutstandingFen: p.outstanding(), OverpaidFen: p.s.OverpaidFen,
		Urges: p.s.Urges, Defaulted: p.s.Defaulted, Certificate: p.s.Certificate,
		CertificateEligible: p.s.Eligible, EnforcementCase: p.s.EnforcementCase,
		Settlements:           slices.Clone(p.s.Settlements),
		SuperviseAfterDefault: p.in.SuperviseAfterDefault, Acceleration: p.in.Acceleration,
		ReminderOffsets: slices.Clone(p.s.Policy.Performance.ReminderOffsets), Grace: p.s.Policy.Performance.Grace,
		Steps: p.s.Journal.Seq, Clock: p.in.Clock,
	}
}

func (p *plan) result() PlanResult {
	return PlanResult{
		Outcome: p.outcome(), OnTime: p.s.Stage == PlanPerformed && p.onTime(),
		TotalFen: p.total(), PaidFen: p.paid(), OutstandingFen: p.outstanding(), OverpaidFen: p.s.OverpaidFen,
		DefaultedInstallment: p.s.Defaulted, ClosedOn: p.s.ClosedOn, Certificate: p.s.Certificate,
		CertificateEligible: p.s.Eligible, EnforcementCase: p.s.EnforcementCase, Installments: p.ledger(),
		Settlements: slices.Clone(p.s.Settlements),
	}
}

// yuan formats an amount of fen as yuan with thousands separators,
// "13,027.00元", for notices people read.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	whole := fmt.Sprint(fen / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s%s.%02d元", sign, whole, fen%100)
}

// inDefault returns the numbers of the installments in default that are
// still owed something.
func (p *plan) inDefault() []int {
	var nos []int
	for _, l := range p.s.Lines {
		if l.Defaulted && l.outstanding() > 0 {
			nos = append(nos, l.No)
		}
	}
	return nos
}

// joinNos writes installment numbers as people read them: "1、2".
func joinNos(nos []int) string {
	var s string
	for i, n := range nos {
		if i > 0 {
			s += "、"
		}
		s += fmt.Sprint(n)
	}
	return s
}

// validateSettlement admits a pre-enforcement settlement (执前和解): by a
// mediator or the court, on a plan that supervises past a default and has
// an installment in default, before enforcement is filed (its filing
// closes the plan), with every obligee's consent, in a schedule of future
// due dates summing exactly to what is outstanding.
func (p *plan) validateSettlement(ctx workflow.Context, cmd PreEnforcementSettlementCommand) error {
	if r := cmd.Actor.Role; r != casefile.RoleMediator && r != casefile.RoleCourt {
		return reject(RejectForbidden, "only a mediator or the court may record a pre-enforcement settlement")
	}
	if !p.in.SuperviseAfterDefault {
		// Plans started before supervision went on past a default, and
		// settlements during enforcement, close at their first default.
		return reject(RejectConflict, "plan %s takes no pre-enforcement settlement: its supervision ends at the first default", p.in.PlanID)
	}
	if err := p.checkOpen(ctx); err != nil {
		return err
	}
	if len(p.inDefault()) == 0 {
		return reject(RejectConflict, "no installment is in default: a pre-enforcement settlement follows a default")
	}
	if cmd.Reason == "" {
		return reject(RejectInvalid, "a reason is required: how the settlement was reached")
	}
	consent := map[string]bool{}
	for _, o := range cmd.ConsentedBy {
		switch {
		case !slices.Contains(p.in.Obligees, o):
			return reject(RejectInvalid, "%q is not an obligee of the plan; consent is the obligees' (%v)", o, p.in.Obligees)
		case consent[o]:
			return reject(RejectInvalid, "obligee %q consents twice", o)
		}
		consent[o] = true
	}
	for _, o := range p.in.Obligees {
		if !consent[o] {
			return reject(RejectInvalid, "the consent of obligee %q is not recorded; every obligee must consent", o)
		}
	}
	return checkSettlement(cmd.Installments, p.s.Journal.today(ctx), p.outstanding())
}

// settleBeforeEnforcement records a pre-enforcement settlement: every
// installment still owed something (those in default and those not yet
// due) is superseded by the settlement's, which are supervised from now on
// with their own reminders, grace periods and default notices.
func (p *plan) settleBeforeEnforcement(ctx workflow.Context, cmd PreEnforcementSettlementCommand) (PlanView, error) {
	if p.s.Stage != PlanPerforming {
		return PlanView{}, reject(RejectConflict, "the plan has closed: %s", p.s.Stage)
	}
	today := p.s.Journal.today(ctx)
	outstanding := p.outstanding()
	n := len(p.s.Settlements) + 1
	// Every deadline is looked up before anything changes, so a failed
	// lookup leaves the plan as it was.
	pol := p.s.Policy.Performance
	lines := make([]planLine, 0, len(cmd.Installments))
	for i, in := range cmd.Installments {
		l := planLine{No: len(p.s.Lines) + i + 1, DueOn: in.DueOn, AmountFen: in.AmountFen, GraceEndsOn: in.DueOn, Settlement: n}
		var err error
		if !pol.Grace.IsZero() {
			if l.GraceEndsOn, err = deadline(ctx, p.in.Jurisdiction, l.DueOn, pol.Grace); err != nil {
				return PlanView{}, fmt.Errorf("grace period of installment %d: %w", l.No, err)
			}
		}
		if w := pol.LateRecording; !w.IsZero() {
			if l.DefaultsOn, err = deadline(ctx, p.in.Jurisdiction, l.GraceEndsOn, w); err != nil {
				return PlanView{}, fmt.Errorf("late-recording window of installment %d: %w", l.No, err)
			}
		}
		// Reminders whose day passed before the settlement are not sent late.
		skipPastReminders(&l, pol.ReminderOffsets, today)
		lines = append(lines, l)
	}
	// Other commands may have run while the deadlines were looked up.
	switch {
	case p.s.Stage != PlanPerforming:
		return PlanView{}, reject(RejectConflict, "the plan has closed: %s", p.s.Stage)
	case p.outstanding() != outstanding:
		return PlanView{}, reject(RejectConflict, "a payment was recorded meanwhile: %d fen are outstanding now, not %d", p.outstanding(), outstanding)
	case len(p.s.Settlements)+1 != n:
		return PlanView{}, reject(RejectConflict, "another settlement was recorded meanwhile")
	}
	st := PreEnforcementSettlement{
		No: n, AgreedOn: today, RecordedBy: cmd.Actor, ConsentedBy: slices.Clone(cmd.ConsentedBy), OutstandingFen: outstanding,
	}
	var superseded []map[string]any
	for i := range p.s.Lines {
		l := &p.s.Lines[i]
		if o := l.outstanding(); o > 0 {
			superseded = append(superseded, map[string]any{"installment": l.No, "state": l.state(), "outstanding_fen": o})
			l.SupersededFen, l.SupersededBy = o, n
			st.Superseded = append(st.Superseded, l.No)
		}
	}
	for _, l := range lines {
		st.Installments = append(st.Installments, l.No)
	}
	p.s.Lines = append(p.s.Lines, lines...)
	p.s.Settlements = append(p.s.Settlements, st)
	sched := p.ledger()[len(p.s.Lines)-len(lines):]
	seq := p.s.Journal.add(ctx, step{
		Kind: "pre_enforcement_settlement", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "pre_enforcement_settlement",
		Data: map[string]any{
			"settlement": n, "consented_by": st.ConsentedBy, "outstanding_fen": outstanding,
			"superseded": superseded, "installments": sched, "grace": pol.Grace, "reminder_offsets": pol.ReminderOffsets,
		},
	})
	text := planSchedule(lines).text()
	p.notice(ctx, 0, NoticeSettlement, n, fmt.Sprintf(
		"执前和解告知书：%s，经权利人同意，尚欠 %s 改按和解约定分 %d 期履行：%s。原第 %s 期不再另行督促；逾期未履行的，权利人可依法申请强制执行。",
		p.in.Obligor, yuan(outstanding), len(lines), text, joinNos(st.Superseded)))
	p.changed()
	if err := p.s.Journal.awaitRecorded(ctx, seq); err != nil {
		return PlanView{}, err
	}
	return p.view(ctx), nil
}
