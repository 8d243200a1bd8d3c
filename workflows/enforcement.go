package workflows

import (
	"fmt"
	"maps"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// Enforcement is compulsory enforcement (强制执行, DOMAIN.md Process 1 step
// 5) as a case of its own, started by a court on an enforceable title
// within the application window: property inquiry, measures that each
// carry their own expiry and renewal reminder, settlement during
// enforcement as an installment plan, completion with credit repair, or
// termination of the round (终本) followed by periodic property re-checks
// that can resume it.

// EnforcementWorkflowID is the workflow ID of an enforcement case.
func EnforcementWorkflowID(caseID string) string { return "case/" + caseID + "/enforcement" }

// enforcementStream is the journal stream of the enforcement process.
const enforcementStream = "enforcement"

// Update names of the enforcement workflow; it also answers UpdateOpened
// and QueryState.
const (
	UpdateRecordInquiry            = "record-inquiry"
	UpdateOrderMeasure             = "order-measure"
	UpdateRenewMeasure             = "renew-measure"
	UpdateLiftMeasure              = "lift-measure"
	UpdateRecordEnforcementPayment = "record-enforcement-payment"
	UpdateSettle                   = "settle"
	UpdateTerminateRound           = "terminate-round"
	UpdateRecordRecheck            = "record-recheck"
	UpdateRecordEnforcementVisit   = "record-enforcement-follow-up"
)

// Stages of an enforcement case.
const (
	StageEnforcing           = "enforcing"
	StageSettlement          = "settlement"       // 执行和解: a settlement plan is running
	StageCompleted           = "completed"        // 执行完毕
	StageTerminatedRound     = "terminated_round" // 终结本次执行程序 (终本), re-checks pending
	StageClosedAfterRechecks = "closed_after_rechecks"
)

// Kinds of enforcement measure.
const (
	MeasureFreeze                 = "freeze"                  // 冻结
	MeasureSeizure                = "seizure"                 // 查封、扣押
	MeasureConsumptionRestriction = "consumption_restriction" // 限制消费
	MeasureDishonestList          = "dishonest_list"          // 纳入失信被执行人名单
	MeasureDetention              = "detention"               // 拘留
	MeasureSummons                = "summons"                 // 传唤、拘传
	MeasureFine                   = "fine"                    // 罚款
	MeasureSearch                 = "search"                  // 搜查
)

// MeasureKinds lists every kind of measure a court can order.
var MeasureKinds = []string{
	MeasureFreeze, MeasureSeizure, MeasureConsumptionRestriction, MeasureDishonestList,
	MeasureDetention, MeasureSummons, MeasureFine, MeasureSearch,
}

// maxDetentionDays is the statutory ceiling on judicial detention (Civil
// Procedure Law art. 118: up to 15 days); unlike the periods in the policy
// it is not a jurisdiction's choice.
const maxDetentionDays = 15

// States of a measure.
const (
	MeasureActive  = "active"
	MeasureLifted  = "lifted"
	MeasureExpired = "expired"
	MeasureEnded   = "ended" // a detention served in full
)

// Kinds of notice the enforcement process sends (its settlement plans send
// their own).
const (
	NoticeEnforcement     = "enforcement_notice" // 执行通知书, to the respondent
	NoticeMeasure         = "measure_notice"     // the order of a measure, to the respondent
	NoticeRenewalReminder = "renewal_reminder"   // to the judge, before a freeze or seizure expires
	NoticeRecheckDue      = "recheck_due"        // to the judge, when a property re-check is due
	NoticeCreditRepair    = "credit_repair"      // 信用修复, to the respondent
	NoticeCompletion      = "completion_notice"  // 执行完毕, to the applicant
	NoticeStandstill      = "standstill_notice"  // 暂缓执行, to the respondent
)

// EnforcementInput starts an enforcement case. State is set only when the
// workflow continues as new, carrying everything it knew.
type EnforcementInput struct {
	CaseID       string           `json:"case_id"`
	CaseNumber   string           `json:"case_number"`
	Court        string           `json:"court"`
	Jurisdiction string           `json:"jurisdiction"`
	Title        EnforceableTitle `json:"title"`
	// Applicant is the obligee who applied (申请执行人); Respondent the
	// obligor (被执行人). Both are party IDs.
	Applicant  string `json:"applicant"`
	Respondent string `json:"respondent"`
	// Applicants, when set, are several applicants with their own claims
	// (Applicant is the first of them); Allocation is the rule dividing
	// every payment among them (pro rata unless hardship_first).
	Applicants []ApplicantClaim `json:"applicants,omitempty"`
	Allocation string           `json:"allocation,omitempty"`
	// ApplicantList, set instead of Applicants by cases opened since the
	// applicants travel by reference, names their staged list: the wage
	// process's creditor lists (db/wage_lists.go), the applicants as its
	// creditors. The creditor ledger in the store is then the only copy of
	// each applicant's line; the workflow carries the list's totals.
	ApplicantList *db.WageList `json:"applicant_list,omitempty"`
	// ApplicantPartiesByList, set with ApplicantList by cases opened since
	// the applicant parties travel by reference too, says the applicant
	// parties are the list's lines: Parties then holds only the others
	// (the respondent), and the workflow reads the applicants' IDs from
	// the store when it needs them (a settlement's obligees, a standstill's
	// consents, the completion notices). A thousand applicants' names and
	// IDs are no longer in every run's input.
	ApplicantPartiesByList bool `json:"applicant_parties_by_list,omitempty"`
	// AmountFen is what is to be enforced: the principal.
	AmountFen int64 `json:"amount_fen"`
	// CostsFen and InterestFen are owed besides the principal (costs of
	// realising the claim; interest the title awards); DelayInterestFrom is
	// the first day of delayed performance, from which delay interest
	// accrues on the principal outstanding at the policy's rate (zero:
	// none). A payment discharges them in the policy's order.
	CostsFen          int64       `json:"costs_fen,omitempty"`
	InterestFen       int64       `json:"interest_fen,omitempty"`
	DelayInterestFrom policy.Date `json:"delay_interest_from,omitzero"`
	AppliedOn         policy.Date `json:"applied_on"`
	Parties           []Party     `json:"parties"`
	// Judge is the court subject the case is assigned to; reminders go to them.
	Judge     string         `json:"judge"`
	StartedBy casefile.Actor `json:"started_by"`
	Clock     casetime.Clock `json:"clock"`

	State *EnforcementState `json:"state,omitempty"`
}

// EnforcementState is everything the workflow knows about the case.
type EnforcementState struct {
	Stage    string            `json:"stage"`
	Outcome  string            `json:"outcome,omitempty"`
	Policy   policy.Policy     `json:"policy"`
	Window   EnforcementWindow `json:"window"`
	OpenedOn policy.Date       `json:"opened_on"`
	OpenedAt time.Time         `json:"opened_at"`
	ClosedOn policy.Date       `json:"closed_on"`
	ClosedAt time.Time         `json:"closed_at"`

	Inquiries    []Inquiry                `json:"inquiries,omitempty"`
	Measures     []Measure                `json:"measures,omitempty"`
	CollectedFen int64                    `json:"collected_fen"`
	OverpaidFen  int64                    `json:"overpaid_fen"`
	Payments     int                      `json:"payments"`
	Settlements  []Settlement             `json:"settlements,omitempty"`
	Terminations []Termination            `json:"terminations,omitempty"`
	CreditRepair *CreditRepair            `json:"credit_repair,omitempty"`
	Journal      journal                  `json:"journal"`
	Outbox       []activities.NoticeInput `json:"outbox,omitempty"`
	// Notices numbers the notices this process sends; the number is part of
	// each notice's natural key.
	Notices int `json:"notices"`
	// Historical: a case entered after the fact keeps the legal dates of
	// what happened before entry (opened on its application date, paid and
	// completed on the payment's date), so the ledger and the statistics
	// count from them. Cases opened before this was kept date from entry.
	Historical bool `json:"historical,omitempty"`
	// Applicants is each applicant's ledger when there are several and
	// they travel in the input.
	Applicants []ApplicantLine `json:"applicants,omitempty"`
	// By reference (ApplicantList): ApplicantsOpened is set once the
	// applicants' ledger opened with the first steps, and Allocations
	// numbers the collections allocated against it, each once.
	ApplicantsOpened bool `json:"applicants_opened,omitempty"`
	Allocations      int  `json:"allocations,omitempty"`
	// Debt is what is owed by component, for a case opened with costs or
	// interest; nil: the principal alone (AmountFen - CollectedFen).
	Debt *Debt `json:"debt,omitempty"`
	// Standstills are the standstills (暂缓执行) granted, the last running
	// until it ends.
	Standstills []Standstill `json:"standstills,omitempty"`
	LastPaidOn  policy.Date  `json:"last_paid_on,omitzero"`
	// FollowUps are the follow-up visits (回访) after the case is completed
	// (cases completed before these were kept closed on completion).
	FollowUps []FollowUp `json:"follow_ups,omitempty"`
}

const versionEnforcementFollowUps = "enforcement-follow-ups"

const versionHistoricalDates = "enforcement-keeps-historical-dates"

// addOn records a step that happened on d: dated d in a historical case
// entered after it, else today. A notice it decides is still sent, and
// dated, today.
func (e *enforcement) addOn(ctx workflow.Context, d policy.Date, st step) int {
	if e.s.Historical && !d.IsZero() && d.Before(e.s.Journal.today(ctx)) {
		st.At = d.Start()
		seq := e.s.Journal.add(ctx, st)
		e.backdated = seq
		return seq
	}
	return e.s.Journal.add(ctx, st)
}

// Finding is one asset a property inquiry or re-check found.
type Finding struct {
	AssetKind   string `json:"asset_kind"`
	Description string `json:"description"`
	ValueFen    int64  `json:"value_fen"`
}

// Inquiry is one property inquiry (网络查控) and what it found.
type Inquiry struct {
	No         int         `json:"no"`
	RecordedOn policy.Date `json:"recorded_on"`
	By         string      `json:"by"`
	Found      bool        `json:"found"`
	Findings   []Finding   `json:"findings,omitempty"`
}

// Measure is one enforcement measure and where it stands. A freeze or
// seizure expires at the end of ExpiresOn unless renewed; the judge is
// reminded on RemindOn.
type Measure struct {
	ID          string      `json:"id"`
	No          int         `json:"no"`
	Kind        string      `json:"kind"`
	AssetKind   string      `json:"asset_kind,omitempty"`
	Description string      `json:"description,omitempty"`
	AmountFen   int64       `json:"amount_fen,omitempty"`
	Days        int         `json:"days,omitempty"`
	OrderedBy   string      `json:"ordered_by"`
	OrderedOn   policy.Date `json:"ordered_on"`
	Status      string      `json:"status"`
	// Term is the current term: 1, then one more for each renewal.
	Term      int           `json:"term,omitempty"`
	TermLimit policy.Period `json:"term_limit"`
	ExpiresOn policy.Date   `json:"expires_on"`
	// Provisional: ExpiresOn was counted on a calendar whose year's
	// arrangement was not yet published, and may still move.
	Provisional bool        `json:"provisional,omitempty"`
	RemindOn    policy.Date `json:"remind_on"`
	Reminded    bool        `json:"reminded,omitempty"`
	Renewals    []Renewal   `json:"renewals,omitempty"`
	Renewing    bool        `json:"renewing,omitempty"`
	EndedOn     policy.Date `json:"ended_on"`
	EndedBy     string      `json:"ended_by,omitempty"`
	EndReason   string      `json:"end_reason,omitempty"`
}

// Renewal is one renewal of a freeze or seizure (续行冻结、续行查封).
type Renewal struct {
	RenewedOn policy.Date `json:"renewed_on"`
	By        string      `json:"by"`
	From      policy.Date `json:"from"`
	To        policy.Date `json:"to"`
}

// timed reports whether the measure runs out by itself.
func (m *Measure) timed() bool { return !m.ExpiresOn.IsZero() }

// renewable reports whether the measure is a freeze or seizure, which
// carries a renewal deadline.
func (m *Measure) renewable() bool { return m.Kind == MeasureFreeze || m.Kind == MeasureSeizure }

// Settlement is one settlement during enforcement (执行和解), performed as an
// installment plan.
type Settlement struct {
	No           int           `json:"no"`
	PlanID       string        `json:"plan_id"`
	WorkflowID   string        `json:"workflow_id"`
	AgreedOn     policy.Date   `json:"agreed_on"`
	Installments []Installment `json:"installments"`
	Result       *PlanResult   `json:"result,omitempty"`
}

// Termination is one termination of the round for want of property (终本)
// and the re-checks that follow it.
type Termination struct {
	No           int         `json:"no"`
	TerminatedOn policy.Date `json:"terminated_on"`
	Reason       string      `json:"reason"`
	By           string      `json:"by"`
	RecheckUntil policy.Date `json:"recheck_until"`
	Rechecks     []Recheck   `json:"rechecks"`
	Unscheduled  int         `json:"unscheduled,omitempty"`
	ResumedOn    policy.Date `json:"resumed_on"`
}

// Recheck is one scheduled property re-check after termination.
type Recheck struct {
	No         int         `json:"no"`
	DueOn      policy.Date `json:"due_on"`
	Due        bool        `json:"due,omitempty"`
	RecordedOn policy.Date `json:"recorded_on"`
	Found      bool        `json:"found,omitempty"`
	Findings   []Finding   `json:"findings,omitempty"`
}

// CreditRepair records the debtor's removal from the dishonest list and the
// lifting of consumption restrictions once enforcement is completed
// (信用修复), graded by how the debtor performed.
type CreditRepair struct {
	RepairedOn policy.Date `json:"repaired_on"`
	Grade      string      `json:"grade"`
	Measures   []string    `json:"measures"`
}

// Credit-repair grades, by how the debtor came to perform.
const (
	CreditSettlementOnTime = "settlement_performed_on_time"
	CreditSettlement       = "settlement_performed"
	CreditPaidInFull       = "paid_in_full"
	CreditPaidAfterCoerce  = "paid_after_detention"
)

// EnforcementView is the live state of an enforcement case, as the state
// query returns it.
type EnforcementView struct {
	CaseID          string                   `json:"case_id"`
	CaseNumber      string                   `json:"case_number"`
	Process         string                   `json:"process"`
	Court           string                   `json:"court"`
	Jurisdiction    string                   `json:"jurisdiction"`
	Judge           string                   `json:"judge"`
	Title           EnforceableTitle         `json:"title"`
	Applicant       string                   `json:"applicant"`
	Respondent      string                   `json:"respondent"`
	Applicants      []ApplicantLine          `json:"applicants,omitempty"`
	Allocation      string                   `json:"allocation,omitempty"`
	Debt            *Debt                    `json:"debt,omitempty"`
	Standstills     []Standstill             `json:"standstills,omitempty"`
	FollowUps       []FollowUp               `json:"follow_ups,omitempty"`
	Parties         []Party                  `json:"parties"`
	AppliedOn       policy.Date              `json:"applied_on"`
	Window          EnforcementWindow        `json:"window"`
	Stage           string                   `json:"stage"`
	Status          string                   `json:"status"`
	Outcome         string                   `json:"outcome,omitempty"`
	AmountFen       int64                    `json:"amount_fen"`
	CollectedFen    int64                    `json:"collected_fen"`
	OutstandingFen  int64                    `json:"outstanding_fen"`
	OverpaidFen     int64                    `json:"overpaid_fen"`
	Inquiries       []Inquiry                `json:"inquiries"`
	Measures        []Measure                `json:"measures"`
	Settlements     []Settlement             `json:"settlements"`
	Terminations    []Termination            `json:"terminations"`
	CreditRepair    *CreditRepair            `json:"credit_repair,omitempty"`
	OpenedOn        policy.Date              `json:"opened_on"`
	CaseToday       policy.Date              `json:"case_today"`
	ClosedOn        policy.Date              `json:"closed_on"`
	NextDeadline    *casefile.Deadline       `json:"next_deadline,omitempty"`
	Steps           int                      `json:"steps"`
	Clock           casetime.Clock           `json:"clock"`
	FreezeTerms     map[string]policy.Period `json:"freeze_terms"`
	RenewalReminder policy.Period            `json:"renewal_reminder"`
	RecheckEvery    policy.Period            `json:"recheck_every"`
	RecheckFor      policy.Period            `json:"recheck_for"`

	// ApplicantList is set when the applicants travel by reference: the
	// view then holds no applicant line nor applicant party, and a reader
	// adds them from the creditor ledger in the store.
	ApplicantList *db.WageList `json:"applicant_list,omitempty"`
}

// EnforcementResult is how the enforcement case ended.
type EnforcementResult struct {
	Stage        string `json:"stage"`
	Outcome      string `json:"outcome"`
	CollectedFen int64  `json:"collected_fen"`
}

type enforcement struct {
	in EnforcementInput
	s  *EnforcementState
	// rev counts changes made by handlers and children, so the main loop
	// wakes to recompute its timers.
	rev int
	// plan is the running settlement plan, if any (continue-as-new waits
	// until none runs).
	plan    workflow.ChildWorkflowFuture
	planErr error
	// refused is why the application cannot open the case (the worker's
	// policy finds it out of time); nothing is recorded then.
	refused error
	// backdated is the number of the last step recorded with a historical
	// date (addOn); a notice it decides is dated today, when it is sent.
	backdated int
	// allocating is held while a collection is allocated against the
	// applicants' stored ledger (byRef), so collections are allocated one
	// at a time, in their order.
	allocating workflow.Mutex
	// listed are the applicants' IDs as read from the staged list
	// (partiesByList), once a run: the list never changes. Not state: a
	// replay reads them again from the activity's result in the history.
	listed []string
	// listedOwed is each listed applicant's claim, where the read gave it.
	listedOwed []int64
}

// Enforcement runs one enforcement case until it is completed, or closed
// after the re-checks that follow a termination of the round.
func Enforcement(ctx workflow.Context, in EnforcementInput) (EnforcementResult, error) {
	e := &enforcement{in: in, s: in.State, allocating: workflow.NewMutex(ctx)}
	fresh := e.s == nil
	if fresh {
		if err := e.init(ctx); err != nil {
			return EnforcementResult{}, err
		}
	}
	if err := e.registerHandlers(ctx); err != nil {
		return EnforcementResult{}, err
	}
	if fresh {
		if err := e.open(ctx); err != nil {
			return EnforcementResult{}, err
		}
		if e.refused != nil {
			// Let the opening update answer with the reason, then fail the
			// run so the same case number can be started again, corrected.
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return EnforcementResult{}, err
			}
			return EnforcementResult{}, e.refused
		}
	}

	// A running settlement plan is a child of this run: the run hands over
	// only once it has ended.
	life := newLifetime(ctx, &e.s.Journal, nil)
	life.grown = stepLimit(&life, &e.s.Journal, e.s.Journal.Seq)
	idle := func() bool { return len(e.s.Journal.Pending) == 0 && len(e.s.Outbox) == 0 }
	for !e.finished() {
		if err := e.flush(ctx); err != nil {
			return EnforcementResult{}, err
		}
		if life.due(ctx) && !e.holdsRun() {
			next := e.in
			next.State = e.s
			return EnforcementResult{}, continueAsNew(ctx, e.flush, idle, Enforcement, next)
		}
		if e.planErr != nil {
			return EnforcementResult{}, fmt.Errorf("settlement plan: %w", e.planErr)
		}
		if err := e.advance(ctx); err != nil {
			return EnforcementResult{}, err
		}
		if len(e.s.Journal.Pending) > 0 || len(e.s.Outbox) > 0 {
			continue
		}
		at, due := e.nextTimer()
		rev := e.rev
		passed, err := waitUntil(ctx, e.in.Clock, at, func() bool {
			return len(e.s.Journal.Pending) > 0 || e.rev != rev || (life.wakes(ctx) && !e.holdsRun())
		})
		if err != nil {
			return EnforcementResult{}, err
		}
		if passed {
			due(ctx)
		}
	}

	if err := endRun(ctx, e.flush, idle); err != nil {
		return EnforcementResult{}, err
	}
	return EnforcementResult{Stage: e.s.Stage, Outcome: e.s.Outcome, CollectedFen: e.s.CollectedFen}, nil
}

// init fixes the case clock and an empty state, without yielding.
func (e *enforcement) init(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	e.in.Clock = e.in.Clock.Started(now)
	if err := e.in.Clock.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	e.s = &EnforcementState{Stage: StageEnforcing, OpenedAt: now}
	e.s.Journal = journal{CaseID: e.in.CaseID, Stream: enforcementStream, Clock: e.in.Clock}
	e.s.OpenedOn = e.s.Journal.today(ctx)
	if e.in.AppliedOn.IsZero() {
		e.in.AppliedOn = e.s.OpenedOn
	}
	if err := e.validateInput(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	e.s.Historical = workflow.GetVersion(ctx, versionHistoricalDates, workflow.DefaultVersion, 1) >= 1
	for _, c := range e.in.Applicants {
		e.s.Applicants = append(e.s.Applicants, ApplicantLine{ID: c.ID, AmountFen: c.AmountFen, Hardship: c.Hardship, OutstandingFen: c.AmountFen})
	}
	if e.in.hasDebt() {
		e.s.Debt = &Debt{PrincipalFen: e.in.AmountFen, InterestFen: e.in.InterestFen, CostsFen: e.in.CostsFen}
		if !e.in.DelayInterestFrom.IsZero() {
			e.s.Debt.AccruedThrough = e.in.DelayInterestFrom.AddDays(-1)
		}
	}
	if e.s.Historical && e.in.AppliedOn.Before(e.s.OpenedOn) {
		e.s.OpenedOn = e.in.AppliedOn
	}
	return nil
}

// validateInput checks what the API has checked already, so a workflow
// started some other way cannot run on a bad title.
func (e *enforcement) validateInput() error {
	in := e.in
	if err := ValidateTitle(in.Title); err != nil {
		return err
	}
	known := map[string]string{}
	for _, p := range in.Parties {
		known[p.ID] = p.Side
	}
	if in.ApplicantPartiesByList {
		if err := validatePartiesByList(in, known); err != nil {
			return err
		}
	}
	switch {
	case in.CaseID == "" || in.CaseNumber == "":
		return fmt.Errorf("an enforcement case needs its case ID and number")
	case !in.ApplicantPartiesByList && known[in.Applicant] != SideApplicant:
		return fmt.Errorf("applicant %q is not an applicant party to the case", in.Applicant)
	case known[in.Respondent] != SideRespondent:
		return fmt.Errorf("respondent %q is not a respondent party to the case", in.Respondent)
	case in.AmountFen <= 0 || in.AmountFen > maxFen:
		return fmt.Errorf("amount %d fen out of range", in.AmountFen)
	case in.AppliedOn.After(e.s.OpenedOn):
		return fmt.Errorf("application date %s is after today %s", in.AppliedOn, e.s.OpenedOn)
	case in.AppliedOn.Before(in.Title.DocumentDate):
		return fmt.Errorf("application date %s is before the document date %s", in.AppliedOn, in.Title.DocumentDate)
	case len(in.Applicants) > 0 && in.Applicants[0].ID != in.Applicant:
		return fmt.Errorf("the applicant %q must be the first of the applicants", in.Applicant)
	}
	if l := in.ApplicantList; l != nil {
		if len(in.Applicants) > 0 {
			return fmt.Errorf("the applicants are listed or referred to, not both")
		}
		check := func() error { return ValidateApplicantList(*l, in.Allocation, in.AmountFen, in.Parties) }
		if in.ApplicantPartiesByList {
			// The list's lines are the applicant parties: its count
			// stands for theirs.
			check = func() error { return validateList(*l, in.Allocation, in.AmountFen) }
		}
		if err := check(); err != nil {
			return err
		}
	}
	if err := ValidateDebt(in.CostsFen, in.InterestFen, in.DelayInterestFrom, in.Title.DocumentDate, e.claimants()); err != nil {
		return err
	}
	return ValidateApplicants(in.Applicants, in.Allocation, in.AmountFen, known)
}

// open loads the policy, counts the application window and files the case
// with the enforcement notice to the respondent (执行通知书).
func (e *enforcement) open(ctx workflow.Context) error {
	p, err := loadPolicy(ctx, e.in.Jurisdiction)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	e.s.Policy = p
	w, err := ComputeEnforcementWindow(p, e.in.Title, func(from policy.Date, per policy.Period) (policy.Date, error) {
		return deadline(ctx, e.in.Jurisdiction, from, per)
	})
	if err != nil {
		return err
	}
	e.s.Window = w
	if err := w.Check(e.in.AppliedOn); err != nil {
		e.refused = temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
		return nil
	}
	filed := map[string]any{
		"title": e.in.Title, "applicant": e.in.Applicant, "applicants": e.in.Applicants, "allocation": e.in.Allocation, "respondent": e.in.Respondent,
		"amount_fen": e.in.AmountFen, "applied_on": e.in.AppliedOn, "judge": e.in.Judge,
		"court": e.in.Court, "parties": e.in.Parties, "window": w,
		"barred_due_dates": w.Barred(e.in.AppliedOn), "time_scale": e.in.Clock.Scale,
	}
	if e.byRef() {
		// The list's digest and totals; its lines are in the store.
		filed["applicant_list"] = e.in.ApplicantList
	}
	if e.partiesByList() {
		// The parties are the others; the applicant parties are the
		// list's lines, which its digest, in this step, covers.
		filed["applicant_parties_by_list"] = true
	}
	e.addOn(ctx, e.in.AppliedOn, step{
		Kind: "enforcement_filed", Actor: e.in.StartedBy, ReasonCode: "enforcement_application",
		Reason: fmt.Sprintf("enforcement of %s %s for %s", e.in.Title.Kind, e.in.Title.DocumentNumber, yuan(e.in.AmountFen)),
		Data:   filed,
	})
	e.notice(ctx, e.in.Respondent, NoticeEnforcement, fmt.Sprintf(
		"执行通知书：%s，申请执行人 %s 依据 %s 申请强制执行，执行标的 %s。请立即履行；逾期不履行的，本院将依法查询、冻结、查封、扣押您的财产，并可采取限制消费、纳入失信被执行人名单、拘留等措施。",
		e.in.Respondent, e.in.Applicant, e.in.Title.DocumentNumber, yuan(e.in.AmountFen)))
	e.tellSourcePlan(ctx)
	return nil
}

const versionTellSourcePlan = "enforcement-ends-source-supervision"

// tellSourcePlan tells the performance plan of the mediation case whose
// confirmed agreement is enforced that enforcement has been filed, so its
// supervision ends instead of reminding the obligor of installments the
// enforcement now collects.
func (e *enforcement) tellSourcePlan(ctx workflow.Context) {
	t := e.in.Title
	if t.SourceCaseID == "" || t.Kind != TitleConfirmedMediationAgreement {
		return
	}
	if workflow.GetVersion(ctx, versionTellSourcePlan, workflow.DefaultVersion, 1) < 1 {
		return
	}
	plan := t.SourcePlanID
	if plan == "" {
		plan = PerformancePlanID
	}
	// Not waited for: a plan that has already ended has nothing to stop.
	workflow.SignalExternalWorkflow(ctx, PlanWorkflowID(t.SourceCaseID, plan), "", SignalEnforcementFiled, EnforcementFiledSignal{
		CaseID: e.in.CaseID, CaseNumber: e.in.CaseNumber, AmountFen: e.in.AmountFen, AppliedOn: e.in.AppliedOn,
	})
}

// finished reports whether the case has nothing left to do: completed, or
// closed after its re-checks with no freeze, seizure or detention still
// running out.
func (e *enforcement) finished() bool {
	switch e.s.Stage {
	case StageCompleted:
		return nextFollowUp(e.s.FollowUps) == nil
	case StageClosedAfterRechecks:
		for i := range e.s.Measures {
			if m := &e.s.Measures[i]; m.Status == MeasureActive && m.timed() {
				return false
			}
		}
		return true
	}
	return false
}

// holdsRun reports whether the run must not continue as new yet: while
// its settlement plan, a child of the run, runs; and, when the applicant
// parties travel by reference, from a settlement's agreement until its
// end is taken, so the applicants its handler read before the case
// changed are the plan's obligees and those told of completion, with no
// read after it that could fail.
func (e *enforcement) holdsRun() bool {
	if e.partiesByList() && e.currentSettlement() != nil {
		return true
	}
	return e.childRunning()
}

func (e *enforcement) childRunning() bool {
	st := e.currentSettlement()
	return e.plan != nil && st != nil && st.Result == nil
}

// currentSettlement is the settlement being performed, if any.
func (e *enforcement) currentSettlement() *Settlement {
	if e.s.Stage != StageSettlement || len(e.s.Settlements) == 0 {
		return nil
	}
	return &e.s.Settlements[len(e.s.Settlements)-1]
}

// advance starts the settlement plan once agreed and takes the steps that
// follow from its end.
func (e *enforcement) advance(ctx workflow.Context) error {
	st := e.currentSettlement()
	if st == nil {
		return nil
	}
	if st.Result == nil {
		if e.plan == nil {
			// The plan's obligees are the applicants, whom the
			// settlement's handler read (the run holds until the
			// settlement ends); read here only should it not have.
			if err := e.loadApplicants(ctx); err != nil {
				return err
			}
			e.startPlan(ctx, st)
		}
		return nil
	}
	if r := st.Result; r.Outcome == PlanPerformed {
		// Completion tells each applicant, whom the settlement's handler
		// read; read before anything changes should it not have.
		if err := e.loadApplicants(ctx); err != nil {
			return err
		}
	}
	e.plan = nil
	r := st.Result
	var allocated *ApplicantAllocation
	if e.byRef() {
		// Allocated against the stored ledger before anything changes,
		// after any payment being allocated.
		if err := e.allocating.Lock(ctx); err != nil {
			return err
		}
		var err error
		allocated, err = e.allocateStored(ctx, r.PaidFen)
		e.allocating.Unlock()
		if err != nil {
			return err
		}
	}
	e.s.CollectedFen += r.PaidFen
	e.s.OverpaidFen += r.OverpaidFen
	// What the settlement collected is divided among several applicants
	// when it ends, as one payment.
	shares := e.divide(r.PaidFen)
	parts, _ := e.discharge(r.PaidFen, r.ClosedOn)
	switch r.Outcome {
	case PlanPerformed:
		seq := e.s.Journal.add(ctx, step{
			Kind: "settlement_performed", Actor: casefile.System, ReasonCode: "settlement_performed",
			Reason: fmt.Sprintf("settlement %d performed in full (%s)", st.No, yuan(r.PaidFen)),
			Data:   withAllocation(map[string]any{"settlement": st.No, "plan_id": st.PlanID, "paid_fen": r.PaidFen, "on_time": r.OnTime, "collected_fen": e.s.CollectedFen, "shares": shares, "applied": parts}, allocated, e.byRef()),
		})
		e.ledgerMismatch(ctx, allocated, r.PaidFen, seq)
		grade := CreditSettlement
		if r.OnTime {
			grade = CreditSettlementOnTime
		}
		e.complete(ctx, "settlement_performed", grade)
		return nil
	case PlanDefaulted:
		e.s.Stage = StageEnforcing
		seq := e.s.Journal.add(ctx, step{
			Kind: "settlement_defaulted", Actor: casefile.System, ReasonCode: "settlement_default",
			Reason: fmt.Sprintf("settlement %d defaulted on installment %d; enforcement of the original title resumes for %s", st.No, r.DefaultedInstallment, yuan(e.outstanding())),
			Data:   withAllocation(map[string]any{"settlement": st.No, "plan_id": st.PlanID, "paid_fen": r.PaidFen, "defaulted_installment": r.DefaultedInstallment, "outstanding_fen": e.outstanding(), "shares": shares, "applied": parts}, allocated, e.byRef()),
		})
		e.ledgerMismatch(ctx, allocated, r.PaidFen, seq)
		return nil
	case PlanFailed:
		// Like a default, the settlement falls through and enforcement of
		// the original title resumes; the failure is on the record for the
		// clerk, and the case goes on.
		e.s.Stage = StageEnforcing
		e.s.Journal.add(ctx, step{
			Kind: "settlement_plan_failed", Actor: casefile.System, ReasonCode: "settlement_plan_failed",
			Reason: fmt.Sprintf("settlement %d could not be supervised: %s; enforcement of the original title resumes for %s", st.No, r.Failure, yuan(e.outstanding())),
			Data:   map[string]any{"settlement": st.No, "plan_id": st.PlanID, "failure": r.Failure, "outstanding_fen": e.outstanding()},
		})
		return nil
	}
	return fmt.Errorf("settlement plan ended with unknown outcome %q", r.Outcome)
}

// startPlan starts the settlement's installment plan as a child workflow
// and collects its result when it ends.
func (e *enforcement) startPlan(ctx workflow.Context, st *Settlement) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: st.WorkflowID, TaskQueue: TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	e.plan = workflow.ExecuteChildWorkflow(cctx, InstallmentPlan, PlanInput{
		CaseID: e.in.CaseID, PlanID: st.PlanID, Jurisdiction: e.in.Jurisdiction, Clock: e.in.Clock,
		Obligor: e.in.Respondent, Obligees: e.applicantIDs(), Installments: st.Installments,
		StartedBy: casefile.System,
		// Performing a settlement during enforcement is no automatic
		// performance of the document: it earns no certificate.
		NoCertificate: true,
	})
	workflow.Go(ctx, func(gctx workflow.Context) {
		if r, err := planOutcome(gctx, e.plan); err != nil {
			e.planErr = err
		} else {
			st.Result = &r
		}
		e.rev++
	})
}

// timer is a case-time instant at which time itself moves the case.
type timer struct {
	at  time.Time
	due func(workflow.Context)
}

// nextTimer returns the earliest pending timer; due is nil when only a
// person can move the case.
func (e *enforcement) nextTimer() (time.Time, func(workflow.Context)) {
	var next timer
	consider := func(at time.Time, due func(workflow.Context)) {
		if next.due == nil || at.Before(next.at) {
			next = timer{at: at, due: due}
		}
	}
	for i := range e.s.Measures {
		m := &e.s.Measures[i]
		// A suspended freeze still runs toward its expiry.
		if (m.Status != MeasureActive && m.Status != MeasureSuspended) || !m.timed() {
			continue
		}
		if m.renewable() && !m.Reminded && !m.RemindOn.IsZero() {
			consider(m.RemindOn.Start(), func(ctx workflow.Context) { e.renewalReminder(ctx, i) })
		}
		consider(m.ExpiresOn.End(), func(ctx workflow.Context) { e.measureExpired(ctx, i) })
	}
	if t := e.currentTermination(); t != nil {
		if r := nextRecheck(t); r != nil && !r.Due {
			consider(r.DueOn.Start(), func(ctx workflow.Context) { e.recheckDue(ctx, r) })
		}
	}
	if at, ok := e.standstillTimer(); ok {
		consider(at, e.standstillEnded)
	}
	if f := nextFollowUp(e.s.FollowUps); e.s.Stage == StageCompleted && f != nil && !f.Due {
		consider(f.DueOn.Start(), func(ctx workflow.Context) { followUpFallsDue(ctx, &e.s.Journal, f, e.in.Judge) })
	}
	return next.at, next.due
}

// pendingDeadline is the deadline the ledger shows: the earliest renewal
// deadline of a running freeze or seizure, or the next property re-check.
func (e *enforcement) pendingDeadline() *casefile.Deadline {
	var d *casefile.Deadline
	consider := func(kind string, on policy.Date) {
		if on.IsZero() || (d != nil && !on.Before(d.On)) {
			return
		}
		d = &casefile.Deadline{Kind: kind, On: on, At: on.End()}
	}
	for i := range e.s.Measures {
		if m := &e.s.Measures[i]; m.Status == MeasureActive && m.renewable() {
			consider("measure_renewal", m.ExpiresOn)
		}
	}
	if t := e.currentTermination(); t != nil {
		if r := nextRecheck(t); r != nil {
			consider("property_recheck", r.DueOn)
		}
	}
	if st := e.currentStandstill(); st != nil {
		consider("standstill_end", st.Until)
	}
	if f := nextFollowUp(e.s.FollowUps); e.s.Stage == StageCompleted && f != nil {
		consider("follow_up", f.DueOn)
	}
	return d
}

// renewalReminder reminds the judge that a freeze or seizure expires soon.
func (e *enforcement) renewalReminder(ctx workflow.Context, i int) {
	m := &e.s.Measures[i]
	m.Reminded = true
	e.s.Journal.add(ctx, step{
		Kind: "renewal_reminder", Actor: casefile.System, ReasonCode: "measure_renewal_due", At: m.RemindOn.Start(),
		Reason: fmt.Sprintf("%s %s (%s) expires on %s unless renewed", m.Kind, m.ID, m.AssetKind, m.ExpiresOn),
		Data:   map[string]any{"measure": m.ID, "kind": m.Kind, "asset_kind": m.AssetKind, "term": m.Term, "expires_on": m.ExpiresOn, "remind_before": e.s.Policy.Enforcement.RenewalReminder},
	})
	e.notice(ctx, e.in.Judge, NoticeRenewalReminder, fmt.Sprintf(
		"续行提醒：%s 案%s措施 %s（%s，%s）将于 %s 期满%s，请在期满前办理续行手续。",
		e.in.CaseNumber, measureNames[m.Kind], m.ID, m.AssetKind, m.Description, m.ExpiresOn, provisionalNote(m.Provisional)))
}

// measureExpired ends a measure whose term ran out: a freeze or seizure
// not renewed, or a detention served.
func (e *enforcement) measureExpired(ctx workflow.Context, i int) {
	m := &e.s.Measures[i]
	m.EndedOn, m.EndedBy = m.ExpiresOn, casefile.System.Subject
	if m.Kind == MeasureDetention {
		m.Status = MeasureEnded
		e.s.Journal.add(ctx, step{
			Kind: "detention_ended", Actor: casefile.System, ReasonCode: "detention_served", At: m.ExpiresOn.End(),
			Reason: fmt.Sprintf("detention %s of %d days ended on %s", m.ID, m.Days, m.ExpiresOn),
			Data:   map[string]any{"measure": m.ID, "days": m.Days, "ended_on": m.ExpiresOn},
		})
		return
	}
	m.Status = MeasureExpired
	e.s.Journal.add(ctx, step{
		Kind: "measure_expired", Actor: casefile.System, ReasonCode: "not_renewed", At: m.ExpiresOn.End(),
		Reason: fmt.Sprintf("%s %s (%s) expired on %s without renewal", m.Kind, m.ID, m.AssetKind, m.ExpiresOn),
		Data:   map[string]any{"measure": m.ID, "kind": m.Kind, "asset_kind": m.AssetKind, "term": m.Term, "expired_on": m.ExpiresOn},
	})
}

func (e *enforcement) currentTermination() *Termination {
	if e.s.Stage != StageTerminatedRound || len(e.s.Terminations) == 0 {
		return nil
	}
	return &e.s.Terminations[len(e.s.Terminations)-1]
}

// nextRecheck is the earliest scheduled re-check not yet recorded.
func nextRecheck(t *Termination) *Recheck {
	for i := range t.Rechecks {
		if t.Rechecks[i].RecordedOn.IsZero() {
			return &t.Rechecks[i]
		}
	}
	return nil
}

// recheckDue tells the judge a property re-check is due.
func (e *enforcement) recheckDue(ctx workflow.Context, r *Recheck) {
	r.Due = true
	t := e.currentTermination()
	e.s.Journal.add(ctx, step{
		Kind: "property_recheck_due", Actor: casefile.System, ReasonCode: "recheck_schedule", At: r.DueOn.Start(),
		Reason: fmt.Sprintf("property re-check %d of %d after termination of the round is due on %s", r.No, len(t.Rechecks), r.DueOn),
		Data:   map[string]any{"recheck": r.No, "due_on": r.DueOn, "of": len(t.Rechecks), "recheck_until": t.RecheckUntil},
	})
	e.notice(ctx, e.in.Judge, NoticeRecheckDue, fmt.Sprintf(
		"财产复查提醒：%s 案已终结本次执行程序，第 %d 次财产复查应于 %s 进行。", e.in.CaseNumber, r.No, r.DueOn))
}

// complete ends enforcement as performed (执行完毕): every running measure is
// lifted, and the dishonest-list entry and consumption restriction with a
// credit repair (信用修复) graded by how the debtor performed.
func (e *enforcement) complete(ctx workflow.Context, why, grade string) int {
	today := e.s.Journal.today(ctx)
	closedOn := today
	if e.s.Historical && e.s.LastPaidOn.Before(today) && !e.s.LastPaidOn.IsZero() {
		closedOn = e.s.LastPaidOn
	}
	// Followed up like a performed case: a completed enforcement is visited
	// at the policy's offsets from its closing day. The visits are counted
	// before anything changes: the lookups yield, and the main loop must not
	// find the case completed with no visits to wait for.
	var visits []FollowUp
	if workflow.GetVersion(ctx, versionEnforcementFollowUps, workflow.DefaultVersion, 1) >= 1 {
		var err error
		if visits, err = scheduleFollowUps(ctx, e.in.Jurisdiction, closedOn, e.s.Policy.FollowUps); err != nil {
			// The dates are bounded and the policy exists; should a lookup
			// still fail, the case closes without visits rather than not at all.
			workflow.GetLogger(ctx).Error("follow-ups not scheduled", "case", e.in.CaseID, "err", err)
		}
	}
	var repaired []string
	for i := range e.s.Measures {
		m := &e.s.Measures[i]
		if m.Status != MeasureActive && m.Status != MeasureSuspended {
			continue
		}
		m.Status, m.EndedOn, m.EndedBy, m.EndReason = MeasureLifted, today, casefile.System.Subject, "enforcement completed"
		kind := "measure_lifted"
		if m.Kind == MeasureDishonestList || m.Kind == MeasureConsumptionRestriction {
			kind = "credit_repaired"
			repaired = append(repaired, m.ID)
		}
		e.s.Journal.add(ctx, step{
			Kind: kind, Actor: casefile.System, ReasonCode: "enforcement_completed",
			Reason: fmt.Sprintf("%s %s lifted: the obligation has been performed", m.Kind, m.ID),
			Data:   map[string]any{"measure": m.ID, "kind": m.Kind, "grade": grade},
		})
	}
	if len(repaired) > 0 {
		e.s.CreditRepair = &CreditRepair{RepairedOn: today, Grade: grade, Measures: repaired}
		e.notice(ctx, e.in.Respondent, NoticeCreditRepair, fmt.Sprintf(
			"信用修复通知：%s，您已履行 %s 案确定的义务，本院已将您移出失信被执行人名单并解除限制消费措施（履行评价：%s）。",
			e.in.Respondent, e.in.CaseNumber, grade))
	}
	e.s.Stage, e.s.Outcome = StageCompleted, why
	e.s.ClosedOn, e.s.ClosedAt = today, workflow.Now(ctx)
	e.s.ClosedOn = closedOn
	e.s.FollowUps = visits
	seq := e.addOn(ctx, e.s.ClosedOn, step{
		Kind: "enforcement_completed", Actor: casefile.System, ReasonCode: why,
		Reason: fmt.Sprintf("enforcement completed: %s collected of %s", yuan(e.s.CollectedFen), yuan(e.in.AmountFen)),
		Data:   map[string]any{"collected_fen": e.s.CollectedFen, "overpaid_fen": e.s.OverpaidFen, "credit_grade": grade, "credit_repaired": repaired},
	})
	if e.partiesByList() && e.listed == nil {
		// Every path to completion reads the applicants first; should
		// one not have, the case still completes, and the log says who
		// was not told.
		workflow.GetLogger(ctx).Error("completion notices not sent: the applicants were not read", "case", e.in.CaseID, "list", e.in.ApplicantList.ID)
	}
	switch {
	case e.byRef():
		// Each applicant's claim is paid in full: its line is the store's,
		// and its amount is the one read with the applicants, if they were.
		for i, id := range e.applicantIDs() {
			claim := ""
			if i < len(e.listedOwed) {
				claim = " " + yuan(e.listedOwed[i]) + " "
			}
			e.notice(ctx, id, NoticeCompletion, fmt.Sprintf(
				"执行完毕通知：%s 案执行完毕，已执行到位 %s，其中您的债权%s已全部到位。", e.in.CaseNumber, yuan(e.s.CollectedFen), claim))
		}
	case len(e.s.Applicants) == 0:
		e.notice(ctx, e.in.Applicant, NoticeCompletion, fmt.Sprintf(
			"执行完毕通知：%s 案执行完毕，已执行到位 %s。", e.in.CaseNumber, yuan(e.s.CollectedFen)))
	}
	for _, l := range e.s.Applicants {
		e.notice(ctx, l.ID, NoticeCompletion, fmt.Sprintf(
			"执行完毕通知：%s 案执行完毕，已执行到位 %s，其中您的债权 %s 已全部到位。", e.in.CaseNumber, yuan(e.s.CollectedFen), yuan(l.CollectedFen)))
	}
	e.rev++
	return seq
}

// outstanding is what is still owed: by component when the case has them
// (delay interest counted up to the last payment), else the principal.
func (e *enforcement) outstanding() int64 {
	if e.s.Debt != nil {
		return e.s.Debt.total()
	}
	return e.in.AmountFen - e.s.CollectedFen
}

// discharge applies amount, paid on, to the debt: delay interest counted
// up to that day, then costs, interest and principal in the policy's
// order. It returns the parts and what exceeds the whole debt; for a case
// of principal alone, the parts are nil.
func (e *enforcement) discharge(amount int64, on policy.Date) (*DebtParts, int64) {
	if e.s.Debt == nil {
		credited := min(amount, e.outstanding())
		return nil, amount - credited
	}
	e.s.Debt.accrue(on, e.s.Policy.Enforcement.DelayInterestPerMillion)
	parts, over := e.s.Debt.apply(amount, e.s.Policy.Enforcement.ApplicationOrder)
	return &parts, over
}

// notice queues a notice for delivery once its step is recorded. It is
// dated like the step just taken that decided it, which for a timer's step
// is the legal date of the deadline rather than when the timer fired.
func (e *enforcement) notice(ctx workflow.Context, recipient, kind, body string) {
	on := e.s.Journal.today(ctx)
	if n := len(e.s.Journal.Pending); n > 0 && e.s.Journal.Pending[n-1].Seq != e.backdated {
		on = e.s.Journal.Pending[n-1].CaseOn
	}
	e.s.Notices++
	e.s.Outbox = append(e.s.Outbox, activities.NoticeInput{
		CaseID: e.in.CaseID, Stream: enforcementStream, Kind: kind, Seq: e.s.Notices,
		Recipient: recipient, Body: body, CaseOn: on,
	})
}

// flush records pending steps with the case summary, then delivers queued
// notices: a notice goes out only after the step that decided it is in the
// audit trail.
func (e *enforcement) flush(ctx workflow.Context) error {
	return e.s.Journal.settle(ctx, e.flushOnce)
}

// flushOnce is one flush; see flush.
func (e *enforcement) flushOnce(ctx workflow.Context) error {
	var opening *activities.WageOpening
	if e.byRef() && !e.s.ApplicantsOpened {
		// The applicants' ledger opens with the first steps, in their
		// transaction.
		opening = &activities.WageOpening{List: *e.in.ApplicantList, Version: 1}
	}
	named := len(e.s.Journal.Pending) > 0
	if err := e.s.Journal.flushWith(ctx, e.summary(), opening, nil); err != nil {
		return err
	}
	if opening != nil && named {
		e.s.ApplicantsOpened = true
	}
	return sendNotices(ctx, &e.s.Outbox, e.s.Policy.Notices)
}

func (e *enforcement) status() casefile.Status {
	if e.s.ClosedOn.IsZero() {
		return casefile.StatusOpen
	}
	return casefile.StatusClosed
}

func (e *enforcement) summary() *casefile.Summary {
	var parties []string
	if !e.s.ApplicantsOpened {
		// By reference, the store keeps the parties once the applicants'
		// ledger opened with them: a summary without parties leaves them.
		parties = make([]string, 0, len(e.in.Parties))
		for _, p := range e.in.Parties {
			parties = append(parties, p.ID)
		}
	}
	sum := &casefile.Summary{
		ID: e.in.CaseID, CaseNumber: e.in.CaseNumber, Process: casefile.ProcessEnforcement,
		WorkflowID: EnforcementWorkflowID(e.in.CaseID), Court: e.in.Court, Jurisdiction: e.in.Jurisdiction,
		Parties: parties, Stage: e.s.Stage, Status: e.status(), Outcome: e.s.Outcome, ClaimFen: e.in.AmountFen,
		Clock: e.in.Clock, OpenedOn: e.s.OpenedOn, ClosedOn: e.s.ClosedOn, OpenedAt: e.s.OpenedAt, ClosedAt: e.s.ClosedAt,
		NextDeadline: e.pendingDeadline(), SourceCaseID: e.in.Title.SourceCaseID,
	}
	sum.FollowUpsDue, sum.FollowUpsDone = countFollowUps(e.s.FollowUps)
	switch e.s.Stage {
	case StageCompleted:
		sum.Resolution, sum.Performance = casefile.Resolved, casefile.PerformedByEnforcement
	case StageClosedAfterRechecks:
		sum.Resolution = casefile.Unresolved
	}
	return sum
}

func (e *enforcement) view(ctx workflow.Context) EnforcementView {
	p := e.s.Policy.Enforcement
	parties := slices.Clone(e.in.Parties)
	if e.byRef() {
		// Each applicant party is a line of the stored ledger, which a
		// reader adds: an answer of a thousand applicants stays small.
		parties = slices.DeleteFunc(parties, func(p Party) bool { return p.Side == SideApplicant })
	}
	return EnforcementView{
		CaseID: e.in.CaseID, CaseNumber: e.in.CaseNumber, Process: string(casefile.ProcessEnforcement),
		Court: e.in.Court, Jurisdiction: e.in.Jurisdiction, Judge: e.in.Judge, Title: e.in.Title,
		Applicant: e.in.Applicant, Respondent: e.in.Respondent, Parties: parties, ApplicantList: e.in.ApplicantList,
		Applicants: slices.Clone(e.s.Applicants), Allocation: e.in.Allocation, Debt: e.debtToday(ctx),
		Standstills: slices.Clone(e.s.Standstills), FollowUps: slices.Clone(e.s.FollowUps),
		AppliedOn: e.in.AppliedOn, Window: e.s.Window, Stage: e.s.Stage, Status: string(e.status()), Outcome: e.s.Outcome,
		AmountFen: e.in.AmountFen, CollectedFen: e.s.CollectedFen, OutstandingFen: e.outstanding(), OverpaidFen: e.s.OverpaidFen,
		Inquiries: slices.Clone(e.s.Inquiries), Measures: slices.Clone(e.s.Measures),
		Settlements: slices.Clone(e.s.Settlements), Terminations: slices.Clone(e.s.Terminations),
		CreditRepair: e.s.CreditRepair, OpenedOn: e.s.OpenedOn, CaseToday: e.s.Journal.today(ctx), ClosedOn: e.s.ClosedOn,
		NextDeadline: e.pendingDeadline(), Steps: e.s.Journal.Seq, Clock: e.in.Clock,
		FreezeTerms: maps.Clone(p.FreezeTerms), RenewalReminder: p.RenewalReminder, RecheckEvery: p.RecheckEvery, RecheckFor: p.RecheckFor,
	}
}

// debtToday is the debt as it stands today, delay interest counted up to
// today, for a reader; the case's own count moves only with payments.
func (e *enforcement) debtToday(ctx workflow.Context) *Debt {
	if e.s.Debt == nil {
		return nil
	}
	d := *e.s.Debt
	if e.s.ClosedOn.IsZero() {
		d.accrue(e.s.Journal.today(ctx), e.s.Policy.Enforcement.DelayInterestPerMillion)
	}
	return &d
}
