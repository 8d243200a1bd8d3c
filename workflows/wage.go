package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/activities"
	allot "github.com/casework/casework/allocation"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// Wage is a case of wage or rent arrears (欠薪/欠租, DOMAIN.md Process 3): one
// debtor owes many creditors, paid by an installment schedule. Every payment
// is divided among the creditors by the case's allocation rule, to the fen.
// Before each due date the debtor is reminded; an installment still unpaid
// when its grace period ends puts the case in default, and the escalation
// steps of the policy follow, each on its own date: default notice,
// labour-inspection referral, wage-guarantee draw-down, blacklist, payment
// order (支付令). A payment order the debtor does not object to within its
// objection period becomes enforceable; an objection sends the case to
// litigation. Payment in full closes the case at any stage.
//
// Once the case is in default the schedule gives way to escalation: later
// installments are no longer reminded of, and only payment in full stops
// the escalation. With an acceleration clause the whole remainder falls due
// on the default; without it a payment order demands what had fallen due
// by the day it is issued.

// WageWorkflowID is the workflow ID of a wage arrears case.
func WageWorkflowID(caseID string) string { return "case/" + caseID + "/wage" }

// wageStream is the journal stream of the wage process.
const wageStream = "wage"

// Update and query names of the wage workflow; it also answers
// UpdateOpened and QueryState.
const (
	UpdateRecordWagePayment  = "record-wage-payment"
	UpdateObjectPaymentOrder = "object-payment-order"
	QueryWageCreditors       = "wage-creditors"
)

// Stages of a wage case.
const (
	WagePerforming   = "performing"
	WageInDefault    = "in_default"    // escalation steps running
	WagePaymentOrder = "payment_order" // 支付令 issued, objection period running
	WageEnforceable  = "enforceable"   // no objection: enforcement may be applied for
	WageLitigation   = "litigation"    // the debtor objected: the order lapsed
	WagePerformed    = "performed"     // paid in full
)

// InstallmentAccelerated is the state of an installment whose due date an
// acceleration clause brought forward to the default.
const InstallmentAccelerated = "accelerated"

// Kinds of notice the wage process sends besides reminders and the
// escalation steps' own (named by policy.EscalationKinds).
const (
	NoticeWage        = "wage_payment_notice" // the schedule, to the debtor, when the case opens
	NoticeEnforceable = "payment_order_enforceable"
)

// WageParty is the debtor of a wage case.
type WageParty struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// WageCreditor is one creditor and what the debtor owes them.
type WageCreditor struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	OwedFen  int64  `json:"owed_fen"`
	Hardship bool   `json:"hardship,omitempty"`
}

// WageInput opens a wage arrears case. Schedule amounts are what falls due
// in total per installment and sum exactly to the creditors' debts. State
// is set only when the workflow continues as new.
type WageInput struct {
	CaseID       string    `json:"case_id"`
	CaseNumber   string    `json:"case_number"`
	Court        string    `json:"court"`
	Jurisdiction string    `json:"jurisdiction"`
	Mediator     string    `json:"mediator,omitempty"`
	Debtor       WageParty `json:"debtor"`
	// Creditors are carried in the input by cases opened before they
	// travelled by reference; CreditorList names the staged list instead
	// (db/wage_lists.go), and the creditor ledger in the store is then the
	// only copy of each creditor's line.
	Creditors    []WageCreditor `json:"creditors,omitempty"`
	CreditorList *db.WageList   `json:"creditor_list,omitempty"`
	Schedule     []Installment  `json:"schedule"`
	Allocation   string         `json:"allocation"`
	Acceleration bool           `json:"acceleration"`
	OpenedBy     casefile.Actor `json:"opened_by"`
	Clock        casetime.Clock `json:"clock"`
	// MaxStepsPerRun overrides wageStepsPerRun (tests set it small).
	MaxStepsPerRun int `json:"max_steps_per_run,omitempty"`

	State *WageState `json:"state,omitempty"`
}

// WageState is everything the workflow knows. Per creditor it keeps only
// what was paid and when the line last changed, in creditor order.
type WageState struct {
	Stage    string        `json:"stage"`
	Outcome  string        `json:"outcome,omitempty"`
	Policy   policy.Policy `json:"policy"`
	OpenedOn policy.Date   `json:"opened_on"`
	OpenedAt time.Time     `json:"opened_at"`
	ClosedOn policy.Date   `json:"closed_on"`
	ClosedAt time.Time     `json:"closed_at"`

	Lines       []wageLine `json:"lines"`
	Paid        []int64    `json:"paid"`
	Changed     []int      `json:"changed"`
	OverpaidFen int64      `json:"overpaid_fen"`
	Payments    int        `json:"payments"`
	Reports     int        `json:"reports"`

	Default      *WageDefault      `json:"default,omitempty"`
	Escalation   []EscalationState `json:"escalation,omitempty"`
	PaymentOrder *PaymentOrder     `json:"payment_order,omitempty"`

	Journal journal                  `json:"journal"`
	Outbox  []activities.NoticeInput `json:"outbox,omitempty"`
	// Version counts ledger changes; Recorded is the last one written.
	Version  int `json:"version"`
	Recorded int `json:"recorded"`
	// Unrecorded holds the payments made since the creditor ledger was
	// last written, by amount: the recording activity allocates them
	// against the stored ledger as this workflow did, so a payment to ten
	// thousand creditors travels as one line, not ten thousand.
	Unrecorded []wagePaymentRecord `json:"unrecorded,omitempty"`
	// PartiesRecorded is set once the case summary has named every
	// creditor; later summaries leave the parties as stored.
	PartiesRecorded bool `json:"parties_recorded,omitempty"`
}

// wagePaymentRecord is a payment as the ledger write carries it, with what
// the workflow credited, for the write to be checked against.
type wagePaymentRecord struct {
	db.WagePayment
	CreditedFen int64 `json:"credited_fen"`
	Creditors   int   `json:"creditors"`
}

// versionWageByPayment guards writing the creditor ledger by payment and
// naming the parties once; before it every write carried every changed
// creditor line and every summary every creditor.
const versionWageByPayment = "wage-ledger-by-payment"

// wageStepsPerRun bounds the steps one run of a wage case takes before it
// continues as new, whatever Temporal suggests: a payment costs about
// seventeen history events, so a run stays well under 10,240 events while
// thousands of payments arrive.
const wageStepsPerRun = 400

// wageStepsPerRunByRef is wageStepsPerRun where the creditors travel by
// reference: each payment also runs its allocation activity (about six
// events more), so a run takes fewer payments to stay as far from the
// bound.
const wageStepsPerRunByRef = 250

// wageLinesPerWrite bounds the creditor lines one ledger write carries, so
// no activity input nears Temporal's payload limit.
const wageLinesPerWrite = 2_000

// wageLine is one installment of the schedule. Escalation holds, per step
// of the policy, the last day of its period were this installment the one
// missed, and ObjectionBy the last day to object to the payment order then
// issued: both are fixed when the case opens, so the main loop never waits
// on a lookup when a deadline passes.
type wageLine struct {
	planLine
	Escalation  []policy.Date `json:"escalation"`
	ObjectionBy policy.Date   `json:"objection_by"`
}

// WageDefault is the missed installment that put the case in default.
type WageDefault struct {
	Installment    int         `json:"installment"`
	GraceEndedOn   policy.Date `json:"grace_ended_on"`
	OutstandingFen int64       `json:"outstanding_fen"`
	Accelerated    bool        `json:"accelerated"`
}

// EscalationState is one escalation step after a default: due once the
// last day DueOn of its period has passed, taken once.
type EscalationState struct {
	Kind    string        `json:"kind"`
	After   policy.Period `json:"after"`
	DueOn   policy.Date   `json:"due_on"`
	TakenOn policy.Date   `json:"taken_on"`
	Skipped bool          `json:"skipped,omitempty"`
}

func (e *EscalationState) due() time.Time { return e.DueOn.End() }

// PaymentOrder is a payment order (支付令) and what became of it.
type PaymentOrder struct {
	IssuedOn    policy.Date `json:"issued_on"`
	AmountFen   int64       `json:"amount_fen"`
	ObjectionBy policy.Date `json:"objection_by"`
	ObjectedOn  policy.Date `json:"objected_on"`
	Objection   string      `json:"objection,omitempty"`
	// EnforceableOn is the day after the objection period, once it passed
	// without objection.
	EnforceableOn policy.Date `json:"enforceable_on"`
}

// WagePaymentCommand records a payment by the debtor, as a plan's
// PaymentCommand does. The court or the mediator records it and it is
// divided among the creditors; the debtor's own report is recorded and
// credited only once an official records it.
type WagePaymentCommand = PaymentCommand

// ObjectionCommand is the debtor's objection to a payment order (支付令异议).
type ObjectionCommand struct {
	Reason string         `json:"reason"`
	Actor  casefile.Actor `json:"actor"`
}

// WagePayment is what one payment came to.
type WagePayment struct {
	No          int   `json:"no"`
	AmountFen   int64 `json:"amount_fen"`
	CreditedFen int64 `json:"credited_fen"`
	OverpaidFen int64 `json:"overpaid_fen"`
	// Creditors counts the creditors who received part of it.
	Creditors   int   `json:"creditors"`
	HardshipFen int64 `json:"hardship_fen"`
}

// CreditorLine is one creditor's line of the per-creditor ledger.
type CreditorLine struct {
	No             int         `json:"no"`
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	OwedFen        int64       `json:"owed_fen"`
	PaidFen        int64       `json:"paid_fen"`
	OutstandingFen int64       `json:"outstanding_fen"`
	Hardship       bool        `json:"hardship"`
	NextDueOn      policy.Date `json:"next_due_on"`
}

// WageView is the live state of a wage case, as the state query returns
// it; the per-creditor ledger is read separately, page by page.
type WageView struct {
	CaseID            string             `json:"case_id"`
	CaseNumber        string             `json:"case_number"`
	Process           string             `json:"process"`
	Court             string             `json:"court"`
	Jurisdiction      string             `json:"jurisdiction"`
	Mediator          string             `json:"mediator,omitempty"`
	Debtor            WageParty          `json:"debtor"`
	Creditors         int                `json:"creditors"`
	HardshipCreditors int                `json:"hardship_creditors"`
	Allocation        string             `json:"allocation"`
	Acceleration      bool               `json:"acceleration"`
	Stage             string             `json:"stage"`
	Status            string             `json:"status"`
	Outcome           string             `json:"outcome,omitempty"`
	OpenedOn          policy.Date        `json:"opened_on"`
	CaseToday         policy.Date        `json:"case_today"`
	ClosedOn          policy.Date        `json:"closed_on"`
	Installments      []LedgerLine       `json:"installments"`
	TotalFen          int64              `json:"total_fen"`
	PaidFen           int64              `json:"paid_fen"`
	OutstandingFen    int64              `json:"outstanding_fen"`
	OverpaidFen       int64              `json:"overpaid_fen"`
	NextDueOn         policy.Date        `json:"next_due_on"`
	Payments          int                `json:"payments"`
	Default           *WageDefault       `json:"default,omitempty"`
	Escalation        []EscalationState  `json:"escalation,omitempty"`
	PaymentOrder      *PaymentOrder      `json:"payment_order,omitempty"`
	NextDeadline      *casefile.Deadline `json:"next_deadline,omitempty"`
	ReminderOffsets   []policy.Period    `json:"reminder_offsets"`
	Grace             policy.Period      `json:"grace"`
	ObjectionPeriod   policy.Period      `json:"objection_period"`
	Steps             int                `json:"steps"`
	Clock             casetime.Clock     `json:"clock"`
	// LastPayment is set on the answer to a payment command.
	LastPayment *WagePayment `json:"last_payment,omitempty"`
	// Reported is set on the answer to a payment the debtor reported: it
	// is recorded, not credited.
	Reported bool `json:"reported,omitempty"`
}

// WageResult is how a wage case ended.
type WageResult struct {
	Stage       string `json:"stage"`
	Outcome     string `json:"outcome"`
	PaidFen     int64  `json:"paid_fen"`
	OverpaidFen int64  `json:"overpaid_fen"`
}

type wage struct {
	in WageInput
	s  *WageState
	// byPayment is set in runs that write the ledger by payment and
	// continue as new after wageStepsPerRun steps.
	byPayment bool
	// runStart is the journal's last step when this run began.
	runStart int
	// rev counts changes made by handlers, so the main loop wakes to
	// recompute its timers.
	rev int
	// allocating is held while a payment is allocated against the stored
	// creditor ledger (byRef), so payments are allocated one at a time,
	// in their order, and no objection closes the case meanwhile.
	allocating workflow.Mutex
	// sent is the installment ledger as this run last wrote it (see
	// ledgerSent).
	sent ledgerSent
}

// byRef reports whether the case's creditors travel by reference.
func (w *wage) byRef() bool { return w.in.CreditorList != nil }

// creditors is how many creditors the case has.
func (w *wage) creditors() int {
	if w.byRef() {
		return w.in.CreditorList.Creditors
	}
	return len(w.in.Creditors)
}

// hardship is how many of them are in hardship.
func (w *wage) hardship() int {
	if w.byRef() {
		return w.in.CreditorList.Hardship
	}
	n := 0
	for _, c := range w.in.Creditors {
		if c.Hardship {
			n++
		}
	}
	return n
}

// Wage runs one wage arrears case until it is paid in full or goes to
// litigation.
func Wage(ctx workflow.Context, in WageInput) (WageResult, error) {
	w := &wage{in: in, s: in.State, allocating: workflow.NewMutex(ctx)}
	fresh := w.s == nil
	if fresh {
		if err := w.init(ctx); err != nil {
			return WageResult{}, err
		}
	}
	if err := w.registerHandlers(ctx); err != nil {
		return WageResult{}, err
	}
	w.byPayment = workflow.GetVersion(ctx, versionWageByPayment, workflow.DefaultVersion, 1) >= 1
	w.runStart = w.s.Journal.Seq
	if fresh {
		if err := w.open(ctx); err != nil {
			return WageResult{}, err
		}
	}

	life := newLifetime(ctx, &w.s.Journal, func() bool { return w.byPayment && w.s.Journal.Seq-w.runStart >= w.stepsPerRun() })
	idle := func() bool { return !w.dirty() }
	for !w.closed() {
		if err := w.flush(ctx); err != nil {
			return WageResult{}, err
		}
		if life.due(ctx) {
			next := w.in
			next.State = w.s
			return WageResult{}, continueAsNew(ctx, w.flush, idle, Wage, next)
		}
		if w.advance(ctx) {
			continue
		}
		rev := w.rev
		woke := func() bool { return w.dirty() || w.rev != rev || life.wakes(ctx) }
		// A passed instant is taken by advance on the next turn.
		next, _ := w.nextInstant()
		if _, err := waitUntil(ctx, w.in.Clock, next, woke); err != nil {
			return WageResult{}, err
		}
	}

	if err := endRun(ctx, w.flush, idle); err != nil {
		return WageResult{}, err
	}
	return WageResult{Stage: w.s.Stage, Outcome: w.s.Outcome, PaidFen: w.paid(), OverpaidFen: w.s.OverpaidFen}, nil
}

func (w *wage) stepsPerRun() int {
	switch {
	case w.in.MaxStepsPerRun > 0:
		return w.in.MaxStepsPerRun
	case w.byRef():
		return wageStepsPerRunByRef
	}
	return wageStepsPerRun
}

// init fixes the case clock and an empty state, without yielding.
func (w *wage) init(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	w.in.Clock = w.in.Clock.Started(now)
	if err := w.in.Clock.Validate(); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	w.s = &WageState{Stage: WagePerforming, OpenedAt: now}
	w.s.Journal = journal{CaseID: w.in.CaseID, Stream: wageStream, Clock: w.in.Clock}
	w.s.OpenedOn = w.s.Journal.today(ctx)
	if err := ValidateWage(w.in, w.s.OpenedOn); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), RejectInvalid, nil)
	}
	for i, inst := range w.in.Schedule {
		w.s.Lines = append(w.s.Lines, wageLine{planLine: planLine{No: i + 1, DueOn: inst.DueOn, AmountFen: inst.AmountFen}})
	}
	if !w.byRef() {
		w.s.Paid = make([]int64, len(w.in.Creditors))
		w.s.Changed = make([]int, len(w.in.Creditors))
	}
	return nil
}

// ValidateWage checks a wage case before it opens on openedOn: a debtor,
// distinct creditors other than the debtor each owed a positive amount, an
// allocation rule, and a schedule in due-date order, not before openedOn,
// whose amounts sum exactly to the debts.
func ValidateWage(in WageInput, openedOn policy.Date) error {
	switch {
	case in.CaseID == "" || in.CaseNumber == "":
		return fmt.Errorf("a wage case needs its case ID and number")
	case in.Debtor.ID == "":
		return fmt.Errorf("a wage case needs a debtor")
	case len(in.Creditors) == 0 && in.CreditorList == nil:
		return fmt.Errorf("a wage case needs at least one creditor")
	case len(in.Creditors) > 0 && in.CreditorList != nil:
		return fmt.Errorf("a wage case's creditors are listed or referred to, not both")
	case len(in.Schedule) == 0:
		return fmt.Errorf("a wage case needs at least one installment")
	case !slices.Contains(allot.Rules, in.Allocation):
		return fmt.Errorf("allocation must be one of %v, got %q", allot.Rules, in.Allocation)
	}
	seen := make(map[string]bool, len(in.Creditors))
	var owed int64
	if l := in.CreditorList; l != nil {
		switch {
		case l.ID == "":
			return fmt.Errorf("the creditor list has no ID")
		case l.Creditors <= 0:
			return fmt.Errorf("the creditor list names no creditor")
		case l.Hardship < 0 || l.Hardship > l.Creditors:
			return fmt.Errorf("the creditor list has %d creditors in hardship of %d", l.Hardship, l.Creditors)
		case l.OwedFen <= 0 || l.OwedFen > maxFen:
			return fmt.Errorf("the creditor list is owed %d fen, out of range", l.OwedFen)
		}
		owed = l.OwedFen
	}
	for i, c := range in.Creditors {
		switch {
		case c.ID == "":
			return fmt.Errorf("creditor %d has no id", i+1)
		case c.ID == in.Debtor.ID:
			return fmt.Errorf("creditor %s is the debtor", c.ID)
		case seen[c.ID]:
			return fmt.Errorf("creditor %s is listed twice", c.ID)
		case c.OwedFen <= 0 || c.OwedFen > maxFen:
			return fmt.Errorf("creditor %s: owed %d fen out of range", c.ID, c.OwedFen)
		}
		seen[c.ID] = true
		if owed += c.OwedFen; owed > maxFen {
			return fmt.Errorf("the debts exceed the maximum %d fen", int64(maxFen))
		}
	}
	var sum int64
	for i, inst := range in.Schedule {
		switch {
		case inst.AmountFen <= 0 || inst.AmountFen > maxFen:
			return fmt.Errorf("installment %d: amount %d fen out of range", i+1, inst.AmountFen)
		case inst.DueOn.IsZero():
			return fmt.Errorf("installment %d: due date is required", i+1)
		case inst.DueOn.Before(openedOn):
			return fmt.Errorf("installment %d: due date %s is before the case opens on %s", i+1, inst.DueOn, openedOn)
		case inst.DueOn.After(LatestDate):
			return checkDate(fmt.Sprintf("installment %d: due date", i+1), inst.DueOn)
		case i > 0 && !inst.DueOn.After(in.Schedule[i-1].DueOn):
			return fmt.Errorf("installment %d: due date %s must be after the previous one's", i+1, inst.DueOn)
		}
		if sum += inst.AmountFen; sum > maxFen {
			return fmt.Errorf("installments exceed the maximum %d fen", int64(maxFen))
		}
	}
	if sum != owed {
		return fmt.Errorf("the installments sum to %d fen but the creditors are owed %d fen", sum, owed)
	}
	return nil
}

// open loads the policy, fixes every installment's grace period and the
// escalation dates that would follow its default, and sends the debtor the
// schedule.
func (w *wage) open(ctx workflow.Context) error {
	pol, err := loadPolicy(ctx, w.in.Jurisdiction)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	// The escalation dates count from the end of the grace period.
	escalation := func(l *planLine) error {
		wl := &w.s.Lines[l.No-1]
		for _, st := range pol.Wage.Escalation {
			due := l.GraceEndsOn
			if !st.After.IsZero() {
				if due, err = deadline(ctx, w.in.Jurisdiction, l.GraceEndsOn, st.After); err != nil {
					return fmt.Errorf("escalation %s of installment %d: %w", st.Kind, l.No, err)
				}
			}
			wl.Escalation = append(wl.Escalation, due)
			if st.Kind == policy.EscalatePaymentOrder {
				// The order is issued the day after its period's last day.
				if wl.ObjectionBy, err = deadline(ctx, w.in.Jurisdiction, due.AddDays(1), pol.PaymentOrder.ObjectionPeriod); err != nil {
					return fmt.Errorf("objection period of installment %d: %w", l.No, err)
				}
			}
		}
		return nil
	}
	// A case opened with its creditors by reference decides a default
	// only when the policy's late-recording window after the grace period
	// has passed, as a plan does: a payment made within grace but recorded
	// later counts by its date, and the debtor who paid on time is not
	// declared in default. Cases opened before decide it when the grace
	// period ends, as they always did (they carry their creditors in their
	// input, so no recorded history meets the new lookup).
	due := periods{Grace: pol.Performance.Grace}
	if w.byRef() {
		due.LateRecording = pol.Performance.LateRecording
	}
	if err := w.sched().fixDeadlines(ctx, w.in.Jurisdiction, due,
		pol.Performance.ReminderOffsets, w.s.OpenedOn, escalation); err != nil {
		return err
	}
	w.s.Policy = pol
	hardship := w.hardship()
	// The creditors themselves are in the workflow input and the creditor
	// ledger; the step names how many, not who.
	w.s.Journal.add(ctx, step{
		Kind: "wage_case_opened", Actor: w.in.OpenedBy, ReasonCode: "wage_arrears",
		Reason: fmt.Sprintf("%s owes %d creditor(s) %s in %d installment(s)", w.in.Debtor.Name, w.creditors(), yuan(w.total()), len(w.s.Lines)),
		Data: map[string]any{
			"debtor": w.in.Debtor, "creditors": w.creditors(), "hardship_creditors": hardship,
			"total_fen": w.total(), "installments": w.ledger(), "allocation": w.in.Allocation,
			"acceleration": w.in.Acceleration, "court": w.in.Court, "mediator": w.in.Mediator,
			"reminder_offsets": pol.Performance.ReminderOffsets, "grace": pol.Performance.Grace,
			"escalation": pol.Wage.Escalation, "objection_period": pol.PaymentOrder.ObjectionPeriod,
			"time_scale": w.in.Clock.Scale,
		},
	})
	w.notice(ctx, 0, NoticeWage, w.in.Debtor.ID, fmt.Sprintf(
		"履行告知书：%s，您应向 %d 名债权人支付 %s，分 %d 期：%s。逾期未付的，将依次发出违约通知、移送劳动保障监察、动用工资保证金、列入拖欠工资黑名单并申请支付令。",
		w.in.Debtor.Name, w.creditors(), yuan(w.total()), len(w.s.Lines), w.sched().text()))
	for i := range w.s.Changed {
		w.s.Changed[i] = 1
	}
	w.changed()
	return nil
}

// versionWageOpenedLedger guards the answer to a wage case's start waiting
// for its creditor ledger: runs recorded before it answered once the first
// step was recorded, before the ledger was written, so the 201's case read
// no creditors for a moment.
const versionWageOpenedLedger = "wage-opened-after-ledger"

func (w *wage) registerHandlers(ctx workflow.Context) error {
	var ledgerWritten func() bool
	if workflow.GetVersion(ctx, versionWageOpenedLedger, workflow.DefaultVersion, 1) >= 1 {
		ledgerWritten = func() bool { return w.s.Recorded >= 1 }
	}
	if err := registerStateAndOpenedWhen(ctx, &w.s.Journal, w.view, ledgerWritten); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryWageCreditors, func() ([]CreditorLine, error) {
		return w.creditorLines(), nil
	}); err != nil {
		return err
	}
	return registerCommands(ctx, &w.s.Journal,
		command{UpdateRecordWagePayment, w.recordPayment, w.validatePayment},
		command{UpdateObjectPaymentOrder, w.object, w.validateObjection},
		command{UpdateRearmDeadlines, w.rearm, func(_ workflow.Context, cmd RearmCommand) error { return validateRearm(cmd) }},
	)
}

// rearm counts the case's pending deadlines again after a publication.
func (w *wage) rearm(ctx workflow.Context, cmd RearmCommand) (RearmResult, error) {
	res, seq, err := rearmDeadlines(ctx, &w.s.Journal, w.in.Jurisdiction, cmd, w.counted, func() { w.rev++; w.changed() })
	if err != nil || seq == 0 {
		return res, err
	}
	return res, w.s.Journal.awaitRecorded(ctx, seq)
}

// counted lists the case's pending counted deadlines. Before a default:
// each open installment's grace period from its due date, the escalation
// steps that would follow from the grace period's end, and the payment
// order's objection period from the day after its issue. After it: the
// escalation steps not yet taken, and the objection period of an order
// issued.
func (w *wage) counted() []counted {
	pol := w.s.Policy
	var out []counted
	grace := []policy.Period{}
	if !pol.Performance.Grace.IsZero() {
		grace = append(grace, pol.Performance.Grace)
	}
	after := func(base []policy.Period, p policy.Period) []policy.Period {
		out := slices.Clone(base)
		if !p.IsZero() {
			out = append(out, p)
		}
		return out
	}
	if w.s.Default == nil {
		for i := range w.s.Lines {
			l := &w.s.Lines[i]
			if l.outstanding() == 0 || l.Defaulted || len(l.Escalation) != len(pol.Wage.Escalation) {
				continue
			}
			ref := fmt.Sprintf("installment %d", l.No)
			if len(grace) > 0 {
				get, set := keep(&l.GraceEndsOn)
				out = append(out, counted{kind: "grace_period", ref: ref, from: l.DueOn, periods: grace, get: get, set: set})
			}
			if lr := pol.Performance.LateRecording; !lr.IsZero() && !l.DefaultsOn.IsZero() {
				get, set := keep(&l.DefaultsOn)
				out = append(out, counted{kind: "late_recording", ref: ref, from: l.DueOn, periods: append(slices.Clone(grace), lr), get: get, set: set})
			}
			for k, st := range pol.Wage.Escalation {
				chain := after(grace, st.After)
				if len(chain) == 0 {
					continue
				}
				get, set := keep(&l.Escalation[k])
				out = append(out, counted{kind: "escalation_" + st.Kind, ref: ref, from: l.DueOn, periods: chain, get: get, set: set})
				if st.Kind == policy.EscalatePaymentOrder && !l.ObjectionBy.IsZero() {
					get, set := keep(&l.ObjectionBy)
					out = append(out, counted{kind: "objection_period", ref: ref, from: l.DueOn,
						periods: append(slices.Clone(chain), pol.PaymentOrder.ObjectionPeriod),
						plusDay: map[int]bool{len(chain): true}, get: get, set: set})
				}
			}
		}
		return out
	}
	d := w.s.Default
	for k := range w.s.Escalation {
		e := &w.s.Escalation[k]
		if !e.TakenOn.IsZero() || e.Skipped || e.After.IsZero() {
			continue
		}
		get, set := keep(&e.DueOn)
		out = append(out, counted{kind: "escalation_" + e.Kind, from: d.GraceEndedOn, periods: []policy.Period{e.After}, get: get, set: set})
	}
	if po := w.s.PaymentOrder; po != nil && po.ObjectedOn.IsZero() && po.EnforceableOn.IsZero() {
		for _, e := range w.s.Escalation {
			if e.Kind == policy.EscalatePaymentOrder {
				get, set := keep(&po.ObjectionBy)
				out = append(out, counted{kind: "objection_period", from: e.DueOn.AddDays(1),
					periods: []policy.Period{pol.PaymentOrder.ObjectionPeriod}, get: get, set: set})
			}
		}
	}
	return out
}

func (w *wage) closed() bool { return w.s.Stage == WagePerformed || w.s.Stage == WageLitigation }

func (w *wage) checkOpen() error {
	if w.closed() {
		return reject(RejectConflict, "the case has closed: %s", w.s.Stage)
	}
	if w.s.Journal.Seq == 0 {
		return reject(RejectConflict, "the case is still being opened; try again")
	}
	return nil
}

// payer says whether a payment command is credited (court, the assigned
// mediator) or only reported (the debtor). Creditors do not record
// payments: one creditor cannot confirm what the others received.
func (w *wage) payer(a casefile.Actor) (credited bool, err error) {
	switch {
	case a.Role == casefile.RoleCourt:
		return true, nil
	case a.Role == casefile.RoleMediator && w.in.Mediator != "" && a.Subject == w.in.Mediator:
		return true, nil
	case a.Role == casefile.RoleParty && a.Subject == w.in.Debtor.ID:
		return false, nil
	}
	return false, reject(RejectForbidden, "only the court, the assigned mediator or the debtor may record a payment")
}

func (w *wage) validatePayment(ctx workflow.Context, cmd WagePaymentCommand) error {
	if _, err := w.payer(cmd.Actor); err != nil {
		return err
	}
	if err := checkAmount(cmd.AmountFen); err != nil {
		return err
	}
	if err := w.checkOpen(); err != nil {
		return err
	}
	return checkPaidOn(cmd.PaidOn, w.s.Journal.today(ctx), w.s.OpenedOn, "the case opened")
}

func (w *wage) recordPayment(ctx workflow.Context, cmd WagePaymentCommand) (WageView, error) {
	if w.closed() {
		return WageView{}, reject(RejectConflict, "the case has closed: %s", w.s.Stage)
	}
	if credited, _ := w.payer(cmd.Actor); !credited {
		w.s.Reports++
		seq := w.s.Journal.add(ctx, step{
			Kind: "payment_reported", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "reported_by_debtor",
			Data: map[string]any{"amount_fen": cmd.AmountFen, "paid_on": cmd.PaidOn, "report": w.s.Reports},
		})
		w.rev++
		if err := w.s.Journal.awaitRecorded(ctx, seq); err != nil {
			return WageView{}, err
		}
		v := w.view(ctx)
		v.Reported = true
		return v, nil
	}
	var pay WagePayment
	if w.byRef() {
		// One payment at a time is allocated against the stored ledger;
		// the lock is let go once its steps are taken, before it waits
		// for them to be recorded.
		if err := w.allocating.Lock(ctx); err != nil {
			return WageView{}, err
		}
		var err error
		if pay, err = w.allocateStored(ctx, cmd); err != nil {
			w.allocating.Unlock()
			return WageView{}, err
		}
	} else {
		var err error
		if pay, err = w.allocateHere(cmd); err != nil {
			return WageView{}, err
		}
	}
	over := pay.OverpaidFen
	// The schedule is paid earliest installment first.
	w.sched().credit(cmd.AmountFen-over, cmd.PaidOn)
	if w.byPayment && !w.byRef() {
		w.s.Unrecorded = append(w.s.Unrecorded, wagePaymentRecord{
			WagePayment: db.WagePayment{No: pay.No, AmountFen: cmd.AmountFen, Rule: w.in.Allocation, Version: w.s.Version},
			CreditedFen: pay.CreditedFen, Creditors: pay.Creditors,
		})
	}
	seq := w.s.Journal.add(ctx, step{
		Kind: "payment_recorded", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "payment_recorded",
		Data: map[string]any{
			"payment": pay.No, "amount_fen": cmd.AmountFen, "paid_on": cmd.PaidOn, "credited_fen": pay.CreditedFen,
			"allocation": w.in.Allocation, "creditors_paid": pay.Creditors, "hardship_fen": pay.HardshipFen,
			"overpaid_fen": over, "outstanding_fen": w.outstanding(), "stage": w.s.Stage,
		},
	})
	if credit := cmd.AmountFen - over; pay.CreditedFen != credit {
		// The stored creditor lines did not take what the schedule did:
		// they were changed outside the case. The payment stands; the
		// difference is on the record for a clerk and the auditor.
		seq = w.s.Journal.add(ctx, step{
			Kind: "creditor_ledger_mismatch", Actor: casefile.System, ReasonCode: "creditor_ledger_changed_outside_the_case",
			Reason: fmt.Sprintf("payment %d: the creditor ledger took %s of the %s credited to the schedule", pay.No, yuan(pay.CreditedFen), yuan(credit)),
			Data:   map[string]any{"payment": pay.No, "credited_fen": credit, "creditor_ledger_fen": pay.CreditedFen},
		})
	}
	if over > 0 {
		w.s.OverpaidFen += over
		seq = recordOverpayment(ctx, &w.s.Journal, over, w.s.OverpaidFen, w.total(), cmd.PaidOn)
	}
	if w.outstanding() == 0 {
		seq = w.performed(ctx)
	}
	w.rev++
	if w.byRef() {
		w.allocating.Unlock()
	}
	if err := w.awaitLedger(ctx, seq); err != nil {
		return WageView{}, err
	}
	v := w.view(ctx)
	v.LastPayment = &pay
	return v, nil
}

// allocateHere divides a payment among the creditors the input carries,
// in the workflow (cases opened before creditors travelled by reference).
func (w *wage) allocateHere(cmd WagePaymentCommand) (WagePayment, error) {
	claims := make([]allot.Claim, w.creditors())
	for i, c := range w.in.Creditors {
		claims[i] = allot.Claim{OwedFen: c.OwedFen - w.s.Paid[i], Hardship: c.Hardship}
	}
	parts, over, err := allot.Allocate(w.in.Allocation, cmd.AmountFen, claims)
	if err != nil {
		// The validator and ValidateWage rule this out.
		return WagePayment{}, fmt.Errorf("allocate payment: %w", err)
	}
	w.s.Payments++
	w.changed()
	pay := WagePayment{No: w.s.Payments, AmountFen: cmd.AmountFen, OverpaidFen: over}
	for i, p := range parts {
		if p == 0 {
			continue
		}
		w.s.Paid[i] += p
		w.s.Changed[i] = w.s.Version
		pay.CreditedFen += p
		pay.Creditors++
		if w.in.Creditors[i].Hardship {
			pay.HardshipFen += p
		}
	}
	return pay, nil
}

// allocateStored divides a payment among the creditors of the stored
// ledger by an activity, which keeps what it credited: a retry of the
// activity allocates nothing again. Only what the schedule still owes is
// allocated; the rest is overpayment. The caller holds the allocation lock.
func (w *wage) allocateStored(ctx workflow.Context, cmd WagePaymentCommand) (WagePayment, error) {
	if w.closed() {
		return WagePayment{}, reject(RejectConflict, "the case has closed: %s", w.s.Stage)
	}
	over := max(0, cmd.AmountFen-w.outstanding())
	pay := WagePayment{No: w.s.Payments + 1, AmountFen: cmd.AmountFen, OverpaidFen: over}
	if credit := cmd.AmountFen - over; credit > 0 {
		in := activities.AllocateWagePaymentInput{CaseID: w.in.CaseID, Payment: db.WagePayment{
			No: pay.No, AmountFen: credit, Rule: w.in.Allocation, Version: w.s.Version + 1,
		}}
		var rec *activities.Recorder
		var a db.WageAllocation
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.AllocateWagePayment, in).Get(ctx, &a); err != nil {
			return WagePayment{}, err
		}
		pay.CreditedFen, pay.Creditors, pay.HardshipFen = a.CreditedFen, a.Creditors, a.HardshipFen
	}
	w.s.Payments = pay.No
	w.changed()
	return pay, nil
}

func (w *wage) validateObjection(ctx workflow.Context, cmd ObjectionCommand) error {
	if cmd.Actor.Role != casefile.RoleParty || cmd.Actor.Subject != w.in.Debtor.ID {
		return reject(RejectForbidden, "only the debtor may object to the payment order")
	}
	if cmd.Reason == "" {
		return reject(RejectInvalid, "an objection needs its reason")
	}
	if err := w.checkOpen(); err != nil {
		return err
	}
	po := w.s.PaymentOrder
	if w.s.Stage != WagePaymentOrder || po == nil {
		return reject(RejectConflict, "there is no payment order to object to: the case is %s", w.s.Stage)
	}
	if today := w.s.Journal.today(ctx); today.After(po.ObjectionBy) {
		return reject(RejectConflict, "the objection period ended on %s", po.ObjectionBy)
	}
	return nil
}

// object records the debtor's objection: the payment order lapses and the
// creditors must sue (督促程序终结, 转入诉讼).
func (w *wage) object(ctx workflow.Context, cmd ObjectionCommand) (WageView, error) {
	if w.byRef() {
		// Not while a payment is being allocated.
		if err := w.allocating.Lock(ctx); err != nil {
			return WageView{}, err
		}
		defer w.allocating.Unlock()
	}
	if w.s.Stage != WagePaymentOrder {
		return WageView{}, reject(RejectConflict, "there is no payment order to object to: the case is %s", w.s.Stage)
	}
	po := w.s.PaymentOrder
	po.ObjectedOn, po.Objection = w.s.Journal.today(ctx), cmd.Reason
	w.close(ctx, WageLitigation, "payment_order_objected")
	seq := w.s.Journal.add(ctx, step{
		Kind: "payment_order_objected", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "objection_within_period",
		Data: map[string]any{"issued_on": po.IssuedOn, "objection_by": po.ObjectionBy, "amount_fen": po.AmountFen},
	})
	seq = w.s.Journal.add(ctx, step{
		Kind: "referred_to_litigation", Actor: casefile.System, ReasonCode: "payment_order_lapsed",
		Reason: fmt.Sprintf("the payment order lapsed on the debtor's objection; %s outstanding is left to litigation", yuan(w.outstanding())),
		Data:   map[string]any{"outstanding_fen": w.outstanding(), "court": w.in.Court},
	})
	w.changed()
	w.rev++
	if err := w.awaitLedger(ctx, seq); err != nil {
		return WageView{}, err
	}
	return w.view(ctx), nil
}

// awaitLedger blocks an update handler until its step and the ledger as it
// left it are in the read model, so a caller who reads the creditor ledger
// after a payment sees the payment.
func (w *wage) awaitLedger(ctx workflow.Context, seq int) error {
	version := w.s.Version
	return workflow.Await(ctx, func() bool { return w.s.Journal.Flushed >= seq && w.s.Recorded >= version })
}

// advance takes every step whose case time has come and reports whether it
// took any.
func (w *wage) advance(ctx workflow.Context) bool {
	if w.closed() {
		return false
	}
	if w.s.Stage == WagePerforming {
		return w.advanceSchedule(ctx)
	}
	now := w.s.Journal.caseNow(ctx)
	for i := range w.s.Escalation {
		e := &w.s.Escalation[i]
		if !e.TakenOn.IsZero() {
			continue
		}
		if now.Before(e.due()) {
			break
		}
		w.escalate(ctx, e)
		return true
	}
	if po := w.s.PaymentOrder; w.s.Stage == WagePaymentOrder && !now.Before(po.ObjectionBy.End()) {
		w.enforceable(ctx)
		return true
	}
	return false
}

// advanceSchedule sends reminders, marks installments overdue and puts the
// case in default when a grace period ends with money still owed.
func (w *wage) advanceSchedule(ctx workflow.Context) bool {
	return w.sched().advance(ctx, &w.s.Journal, w.s.Policy.Performance.ReminderOffsets, scheduleHooks{
		remind: func(ctx workflow.Context, l *planLine, _ int) {
			w.notice(ctx, l.No, NoticeReminder, w.in.Debtor.ID, fmt.Sprintf(
				"履行提醒：%s，第 %d 期欠薪 %s 应于 %s 前支付，尚欠 %s。", w.in.Debtor.Name, l.No, yuan(l.AmountFen), l.DueOn, yuan(l.outstanding())))
		},
		defaulted: func(ctx workflow.Context, l *planLine) { w.defaulted(ctx, &w.s.Lines[l.No-1]) },
		changed:   w.changed,
	})
}

// sched is the case's installment schedule (schedule.go).
func (w *wage) sched() schedule { return wageSchedule(w.s.Lines) }

// defaulted puts the case in default on installment l and schedules the
// policy's escalation steps from the end of its grace period.
func (w *wage) defaulted(ctx workflow.Context, l *wageLine) {
	at := l.GraceEndsOn.End()
	l.Defaulted = true
	w.s.Stage = WageInDefault
	w.s.Default = &WageDefault{Installment: l.No, GraceEndedOn: l.GraceEndsOn, OutstandingFen: l.outstanding(), Accelerated: w.in.Acceleration}
	for k, st := range w.s.Policy.Wage.Escalation {
		w.s.Escalation = append(w.s.Escalation, EscalationState{Kind: st.Kind, After: st.After, DueOn: l.Escalation[k]})
	}
	w.s.Journal.add(ctx, step{
		At: at, Kind: "installment_defaulted", Actor: casefile.System, ReasonCode: "grace_period_passed",
		Reason: fmt.Sprintf("installment %d still %s outstanding after the grace period ended on %s", l.No, yuan(l.outstanding()), l.GraceEndsOn),
		Data: map[string]any{
			"installment": l.No, "due_on": l.DueOn, "grace_ends_on": l.GraceEndsOn, "outstanding_fen": l.outstanding(),
			"case_outstanding_fen": w.outstanding(), "escalation": w.s.Escalation,
		},
	})
	if w.in.Acceleration {
		var brought []int
		for i := range w.s.Lines {
			if m := &w.s.Lines[i]; m.No > l.No && m.outstanding() > 0 {
				m.Accelerated = true
				brought = append(brought, m.No)
			}
		}
		w.s.Journal.add(ctx, step{
			At: at, Kind: "acceleration_applied", Actor: casefile.System, ReasonCode: "acceleration_clause",
			Reason: fmt.Sprintf("the whole remainder, %s, is due at once", yuan(w.outstanding())),
			Data:   map[string]any{"installments": brought, "outstanding_fen": w.outstanding()},
		})
	}
	w.changed()
}

// escalate takes one escalation step on its date, with its notice.
func (w *wage) escalate(ctx workflow.Context, e *EscalationState) {
	at := e.due()
	e.TakenOn = policy.DateOf(at)
	owed := w.outstanding()
	data := map[string]any{"kind": e.Kind, "after": e.After, "due_on": e.DueOn, "outstanding_fen": owed, "installment": w.s.Default.Installment}
	var recipient, body string
	debtor := w.in.Debtor.Name
	switch e.Kind {
	case policy.EscalateNotice:
		recipient = w.in.Debtor.ID
		body = fmt.Sprintf("违约通知：%s，第 %d 期欠薪宽限期已于 %s 届满，尚欠 %d 名债权人 %s。如不立即支付，将移送劳动保障监察、动用工资保证金、列入拖欠工资黑名单并申请支付令。",
			debtor, w.s.Default.Installment, w.s.Default.GraceEndedOn, w.creditors(), yuan(owed))
		data["consequences"] = policy.EscalationKinds[1:]
	case policy.EscalateLabourInspection:
		recipient = "labour-inspection/" + w.in.Jurisdiction
		body = fmt.Sprintf("移送函：%s 案，%s 拖欠 %d 名劳动者工资 %s，请劳动保障监察机构依法处理。", w.in.CaseNumber, debtor, w.creditors(), yuan(owed))
	case policy.EscalateGuaranteeDrawdown:
		recipient = "wage-guarantee/" + w.in.Jurisdiction
		body = fmt.Sprintf("工资保证金动用函：%s 案，%s 拖欠工资 %s，请依法动用其工资保证金先行支付。", w.in.CaseNumber, debtor, yuan(owed))
	case policy.EscalateBlacklist:
		recipient = w.in.Debtor.ID
		body = fmt.Sprintf("列入拖欠工资黑名单告知书：%s，因拖欠 %s 未支付，您已被列入拖欠农民工工资失信联合惩戒名单。", debtor, yuan(owed))
	case policy.EscalatePaymentOrder:
		w.paymentOrder(ctx, e, data)
		return
	}
	w.s.Journal.add(ctx, step{
		At: at, Kind: "escalation_" + e.Kind, Actor: casefile.System, ReasonCode: e.Kind,
		Reason: fmt.Sprintf("%s, %s after the grace period ended", e.Kind, e.After), Data: data,
	})
	w.notice(ctx, 0, e.Kind, recipient, body)
	w.changed()
}

// paymentOrder issues the payment order (支付令): with acceleration for the
// whole remainder, otherwise for what has fallen due by its date.
func (w *wage) paymentOrder(ctx workflow.Context, e *EscalationState, data map[string]any) {
	at := e.due()
	amount := w.outstanding()
	if !w.in.Acceleration {
		amount = 0
		for _, l := range w.s.Lines {
			if l.DueOn.Before(e.TakenOn) {
				amount += l.outstanding()
			}
		}
	}
	line := w.s.Lines[w.s.Default.Installment-1]
	w.s.PaymentOrder = &PaymentOrder{IssuedOn: e.TakenOn, AmountFen: amount, ObjectionBy: line.ObjectionBy}
	w.s.Stage = WagePaymentOrder
	data["amount_fen"], data["objection_by"] = amount, line.ObjectionBy
	data["objection_period"] = w.s.Policy.PaymentOrder.ObjectionPeriod
	w.s.Journal.add(ctx, step{
		At: at, Kind: "escalation_" + e.Kind, Actor: casefile.System, ReasonCode: e.Kind,
		Reason: fmt.Sprintf("payment order for %s issued; objections until %s", yuan(amount), line.ObjectionBy), Data: data,
	})
	w.notice(ctx, 0, e.Kind, w.in.Debtor.ID, fmt.Sprintf(
		"支付令：%s，应自收到本支付令之日起十五日内向 %d 名债权人清偿 %s，或在 %s 前向本院书面提出异议。逾期不清偿又不提出异议的，债权人可申请强制执行。",
		w.in.Debtor.Name, w.creditors(), yuan(amount), line.ObjectionBy))
	w.changed()
}

// enforceable records that the objection period passed without objection:
// the payment order can now be enforced.
func (w *wage) enforceable(ctx workflow.Context) {
	po := w.s.PaymentOrder
	at := po.ObjectionBy.End()
	po.EnforceableOn = policy.DateOf(at)
	w.s.Stage = WageEnforceable
	w.s.Journal.add(ctx, step{
		At: at, Kind: "payment_order_enforceable", Actor: casefile.System, ReasonCode: "objection_period_passed",
		Reason: fmt.Sprintf("no objection by %s: the payment order for %s is enforceable", po.ObjectionBy, yuan(po.AmountFen)),
		Data:   map[string]any{"issued_on": po.IssuedOn, "objection_by": po.ObjectionBy, "amount_fen": po.AmountFen, "title_kind": TitlePaymentOrder},
	})
	w.notice(ctx, 0, NoticeEnforceable, w.in.Debtor.ID, fmt.Sprintf(
		"支付令生效通知：%s，您未在 %s 前提出异议，支付令已生效，债权人可申请强制执行 %s。", w.in.Debtor.Name, po.ObjectionBy, yuan(po.AmountFen)))
	w.changed()
}

// performed closes the case as paid in full; escalation stops.
func (w *wage) performed(ctx workflow.Context) int {
	for i := range w.s.Escalation {
		if e := &w.s.Escalation[i]; e.TakenOn.IsZero() {
			e.Skipped = true
		}
	}
	w.close(ctx, WagePerformed, "paid_in_full")
	return w.s.Journal.add(ctx, step{
		Kind: "wage_paid_in_full", Actor: casefile.System, ReasonCode: "performed_in_full",
		Reason: fmt.Sprintf("%s paid in full to %d creditor(s)", yuan(w.total()), w.creditors()),
		Data:   map[string]any{"total_fen": w.total(), "overpaid_fen": w.s.OverpaidFen, "payments": w.s.Payments, "payment_order": w.s.PaymentOrder != nil},
	})
}

func (w *wage) close(ctx workflow.Context, stage, outcome string) {
	w.s.Stage, w.s.Outcome = stage, outcome
	w.s.ClosedOn, w.s.ClosedAt = w.s.Journal.today(ctx), workflow.Now(ctx)
}

// nextInstant returns the case time of the next step the case will take by
// itself; ok is false when none is pending.
func (w *wage) nextInstant() (next time.Time, ok bool) {
	consider := func(t time.Time) {
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	switch w.s.Stage {
	case WagePerforming:
		return w.sched().nextInstant(w.s.Policy.Performance.ReminderOffsets)
	case WageInDefault, WagePaymentOrder, WageEnforceable:
		for _, e := range w.s.Escalation {
			if e.TakenOn.IsZero() {
				consider(e.due())
				break
			}
		}
		if w.s.Stage == WagePaymentOrder {
			consider(w.s.PaymentOrder.ObjectionBy.End())
		}
	}
	return next, ok
}

// pendingDeadline is the deadline the case ledger shows: the next due date
// or grace period of the schedule, then the next escalation step or the
// end of the objection period.
func (w *wage) pendingDeadline() *casefile.Deadline {
	var d *casefile.Deadline
	consider := func(kind string, on policy.Date) {
		if on.IsZero() || (d != nil && !on.Before(d.On)) {
			return
		}
		d = &casefile.Deadline{Kind: kind, On: on, At: on.End()}
	}
	switch w.s.Stage {
	case WagePerforming:
		for _, l := range w.s.Lines {
			switch {
			case l.outstanding() == 0:
			case l.Overdue:
				consider("grace_period", l.GraceEndsOn)
			default:
				consider("installment_due", l.DueOn)
			}
		}
	case WageInDefault, WagePaymentOrder, WageEnforceable:
		for _, e := range w.s.Escalation {
			if e.TakenOn.IsZero() {
				consider("escalation_"+e.Kind, e.DueOn)
				break
			}
		}
		if w.s.Stage == WagePaymentOrder {
			consider("objection_period", w.s.PaymentOrder.ObjectionBy)
		}
	}
	return d
}

// notice queues a notice for delivery once its step is recorded, dated
// like the step just taken.
func (w *wage) notice(ctx workflow.Context, installment int, kind, recipient, body string) {
	on := w.s.Journal.today(ctx)
	if n := len(w.s.Journal.Pending); n > 0 {
		on = w.s.Journal.Pending[n-1].CaseOn
	}
	seq := 0
	if kind == NoticeReminder {
		seq = w.s.Lines[installment-1].NextReminder - 1
	}
	w.s.Outbox = append(w.s.Outbox, activities.NoticeInput{
		CaseID: w.in.CaseID, Stream: wageStream, Installment: installment, Kind: kind, Seq: seq,
		Recipient: recipient, Body: body, CaseOn: on,
	})
}

func (w *wage) changed() { w.s.Version++ }

func (w *wage) dirty() bool {
	return len(w.s.Journal.Pending) > 0 || len(w.s.Outbox) > 0 || w.s.Version != w.s.Recorded
}

// flush records pending steps with the case summary, then the ledger (only
// the creditor lines changed since the last write), then delivers queued
// notices: a notice goes out only after the step that decided it is in the
// audit trail.
func (w *wage) flush(ctx workflow.Context) error {
	return w.s.Journal.settle(ctx, w.flushOnce)
}

// flushOnce is one flush; see flush.
func (w *wage) flushOnce(ctx workflow.Context) error {
	named := len(w.s.Journal.Pending) > 0
	var opening *activities.WageOpening
	if w.byRef() && !w.s.PartiesRecorded {
		// The creditor ledger opens with the first steps, in their
		// transaction, so the summary's digest covers every creditor
		// named among the parties.
		opening = &activities.WageOpening{List: *w.in.CreditorList, Version: max(w.s.Version, 1)}
	}
	// By reference, the installment ledger goes with the steps, in their
	// transaction: a payment costs one recording round trip, not two.
	var plan *db.Plan
	var all []db.PlanInstallment
	version := w.s.Version
	if w.byRef() && named && version != w.s.Recorded {
		var p db.Plan
		p, all = w.planDelta(ctx)
		plan = &p
	}
	if err := w.s.Journal.flushWith(ctx, w.summary(), opening, plan); err != nil {
		return err
	}
	if plan != nil {
		w.sent.wrote(all)
		w.s.Recorded = version
	}
	if named && w.byPayment {
		w.s.PartiesRecorded = true
	}
	if w.s.Version != w.s.Recorded {
		version := w.s.Version
		written := false
		if w.byRef() {
			if err := w.recordByRef(ctx); err != nil {
				return err
			}
			written = true
		} else if w.byPayment && w.s.Recorded > 0 && len(w.s.Unrecorded) > 0 {
			var err error
			if written, err = w.applyPayments(ctx, version); err != nil {
				return err
			}
		}
		if !written {
			if err := w.recordLines(ctx, version); err != nil {
				return err
			}
		}
		w.s.Unrecorded = nil
		w.s.Recorded = version
	}
	return sendNotices(ctx, &w.s.Outbox, w.s.Policy.Notices)
}

// applyPayments writes the ledger by payment: the activity allocates each
// against the stored creditor lines. It reports false when the stored
// ledger did not credit what this workflow did (edited rows, a lost write);
// the caller then writes the changed lines themselves.
func (w *wage) applyPayments(ctx workflow.Context, version int) (bool, error) {
	plan, all := w.planDelta(ctx)
	in := activities.ApplyWagePaymentsInput{CaseID: w.in.CaseID, Version: version, Plan: plan}
	for _, p := range w.s.Unrecorded {
		in.Payments = append(in.Payments, p.WagePayment)
	}
	var rec *activities.Recorder
	var out activities.ApplyWagePaymentsResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.ApplyWagePayments, in).Get(ctx, &out); err != nil {
		return false, err
	}
	// The store wrote the installment ledger whether or not it credited
	// the payments as this workflow did.
	w.sent.wrote(all)
	if len(out.Applied) != len(w.s.Unrecorded) {
		return false, nil
	}
	for i, a := range out.Applied {
		p := w.s.Unrecorded[i]
		if !a.Skipped && (a.No != p.No || a.CreditedFen != p.CreditedFen || a.Creditors != p.Creditors) {
			return false, nil
		}
	}
	return true, nil
}

// recordByRef writes the installment ledger of a case whose creditors
// travel by reference: its creditor ledger opened with its first steps,
// and each payment wrote the creditor lines it changed as it was allocated.
func (w *wage) recordByRef(ctx workflow.Context) error {
	var rec *activities.Recorder
	plan, all := w.planDelta(ctx)
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), rec.RecordPlan,
		activities.RecordPlanInput{Plan: plan}).Get(ctx, nil); err != nil {
		return err
	}
	w.sent.wrote(all)
	return nil
}

// recordLines writes every creditor line changed since the last write,
// with the installment ledger; in runs that write by payment, a few
// thousand lines at a time.
func (w *wage) recordLines(ctx workflow.Context, version int) error {
	plan, all := w.planDelta(ctx)
	l := db.WageLedger{CaseID: w.in.CaseID, Version: version, Plan: plan}
	for i, c := range w.in.Creditors {
		if w.s.Changed[i] > w.s.Recorded {
			l.Creditors = append(l.Creditors, db.WageCreditor{
				CreditorID: c.ID, No: i + 1, Name: c.Name, OwedFen: c.OwedFen, PaidFen: w.s.Paid[i], Hardship: c.Hardship,
			})
		}
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var rec *activities.Recorder
	lines := l.Creditors
	for {
		part := l
		if w.byPayment && len(lines) > wageLinesPerWrite {
			part.Creditors, lines = lines[:wageLinesPerWrite], lines[wageLinesPerWrite:]
		} else {
			part.Creditors, lines = lines, nil
		}
		if err := workflow.ExecuteActivity(actx, rec.RecordWage, activities.RecordWageInput{Ledger: part}).Get(ctx, nil); err != nil {
			return err
		}
		// Every part carries the same installment ledger at the same
		// version: the first part's write stored it.
		w.sent.wrote(all)
		if len(lines) == 0 {
			return nil
		}
	}
}

func (w *wage) total() int64 { return w.sched().total() }

func (w *wage) paid() int64 {
	if w.byRef() {
		return w.sched().paid()
	}
	var t int64
	for _, p := range w.s.Paid {
		t += p
	}
	return t
}

func (w *wage) outstanding() int64 { return w.total() - w.paid() }

// nextDue is the due date of the earliest installment not paid in full.
func (w *wage) nextDue() policy.Date {
	for _, l := range w.s.Lines {
		if l.outstanding() > 0 {
			return l.DueOn
		}
	}
	return policy.Date{}
}

func (w *wage) ledger() []LedgerLine { return w.sched().ledger() }

// planRecord is the installment ledger as the plans read model keeps it,
// under plan ID "wage".
func (w *wage) planRecord() db.Plan {
	r := db.Plan{
		CaseID: w.in.CaseID, PlanID: wageStream, Obligor: w.in.Debtor.ID, Stage: w.s.Stage,
		TotalFen: w.total(), PaidFen: w.paid(), OverpaidFen: w.s.OverpaidFen,
		StartedOn: w.s.OpenedOn, ClosedOn: w.s.ClosedOn, Version: w.s.Version,
	}
	r.Installments = w.sched().records()
	return r
}

// planDelta is planRecord carrying only the installment lines changed
// since this run's last write (see ledgerSent), and the whole ledger it
// was taken from, for wrote once the write succeeds.
func (w *wage) planDelta(ctx workflow.Context) (db.Plan, []db.PlanInstallment) {
	r := w.planRecord()
	all := r.Installments
	r.Installments = w.sent.delta(ctx, all)
	return r, all
}

// creditorLines are the creditor ledger as the workflow holds it; a case
// whose creditors travel by reference holds none (the store's ledger is
// read instead).
func (w *wage) creditorLines() []CreditorLine {
	next := w.nextDue()
	out := make([]CreditorLine, w.creditors())
	for i, c := range w.in.Creditors {
		out[i] = CreditorLine{
			No: i + 1, ID: c.ID, Name: c.Name, OwedFen: c.OwedFen, PaidFen: w.s.Paid[i],
			OutstandingFen: c.OwedFen - w.s.Paid[i], Hardship: c.Hardship,
		}
		if out[i].OutstandingFen > 0 {
			out[i].NextDueOn = next
		}
	}
	return out
}

func (w *wage) status() casefile.Status {
	if w.s.ClosedOn.IsZero() {
		return casefile.StatusOpen
	}
	return casefile.StatusClosed
}

func (w *wage) summary() *casefile.Summary {
	var parties []string
	if !w.s.PartiesRecorded {
		parties = make([]string, 0, w.creditors()+1)
		// By reference, the creditors are named among the parties when the
		// creditor ledger opens.
		parties = append(parties, w.in.Debtor.ID)
		for _, c := range w.in.Creditors {
			parties = append(parties, c.ID)
		}
	}
	sum := &casefile.Summary{
		ID: w.in.CaseID, CaseNumber: w.in.CaseNumber, Process: casefile.ProcessWage,
		WorkflowID: WageWorkflowID(w.in.CaseID), Court: w.in.Court, Jurisdiction: w.in.Jurisdiction,
		Mediator: w.in.Mediator, Parties: parties, Stage: w.s.Stage, Status: w.status(), Outcome: w.s.Outcome,
		ClaimFen: w.total(), Clock: w.in.Clock, OpenedOn: w.s.OpenedOn, ClosedOn: w.s.ClosedOn,
		OpenedAt: w.s.OpenedAt, ClosedAt: w.s.ClosedAt, NextDeadline: w.pendingDeadline(),
	}
	switch w.s.Stage {
	case WagePerformed:
		sum.Resolution = casefile.Resolved
		// Paid without a payment order is automatic performance; paid
		// once one was issued, it took the court's coercion.
		sum.Performance = casefile.PerformedAutomatically
		if w.s.PaymentOrder != nil {
			sum.Performance = casefile.PerformedByEnforcement
		}
	case WageLitigation:
		sum.Resolution, sum.Performance = casefile.Unresolved, casefile.PerformanceDefaulted
	}
	return sum
}

func (w *wage) view(ctx workflow.Context) WageView {
	hardship := w.hardship()
	var po *PaymentOrder
	if w.s.PaymentOrder != nil {
		c := *w.s.PaymentOrder
		po = &c
	}
	var def *WageDefault
	if w.s.Default != nil {
		c := *w.s.Default
		def = &c
	}
	return WageView{
		CaseID: w.in.CaseID, CaseNumber: w.in.CaseNumber, Process: string(casefile.ProcessWage),
		Court: w.in.Court, Jurisdiction: w.in.Jurisdiction, Mediator: w.in.Mediator, Debtor: w.in.Debtor,
		Creditors: w.creditors(), HardshipCreditors: hardship, Allocation: w.in.Allocation,
		Acceleration: w.in.Acceleration, Stage: w.s.Stage, Status: string(w.status()), Outcome: w.s.Outcome,
		OpenedOn: w.s.OpenedOn, CaseToday: w.s.Journal.today(ctx), ClosedOn: w.s.ClosedOn,
		Installments: w.ledger(), TotalFen: w.total(), PaidFen: w.paid(), OutstandingFen: w.outstanding(),
		OverpaidFen: w.s.OverpaidFen, NextDueOn: w.nextDue(), Payments: w.s.Payments, Default: def,
		Escalation: slices.Clone(w.s.Escalation), PaymentOrder: po, NextDeadline: w.pendingDeadline(),
		ReminderOffsets: slices.Clone(w.s.Policy.Performance.ReminderOffsets), Grace: w.s.Policy.Performance.Grace,
		ObjectionPeriod: w.s.Policy.PaymentOrder.ObjectionPeriod, Steps: w.s.Journal.Seq, Clock: w.in.Clock,
	}
}
