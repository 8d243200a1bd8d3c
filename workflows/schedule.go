package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// schedule is the one implementation of an installment schedule's
// mechanics, shared by every process that supervises payment by
// installments: the installment plan (the confirmed agreement, settlements
// during enforcement) and the wage case. It fixes each installment's grace
// period and late-recording window, sends the reminders, marks an
// installment overdue, finds the default, credits payments earliest
// installment first, and writes the ledger lines and the schedule's text.
// What a process does around it is its own, through the hooks: the
// reminder's wording and recipient, and what a default leads to (a plan
// closes or supervises on; a wage case escalates). A defect in these
// mechanics is fixed here once.
//
// A schedule is a view of the process's own lines, built afresh for each
// use: the lines stay in the process's state, whose form continued runs
// and recorded histories carry.
type schedule struct {
	n    int
	line func(i int) *planLine
}

func planSchedule(lines []planLine) schedule {
	return schedule{n: len(lines), line: func(i int) *planLine { return &lines[i] }}
}

func wageSchedule(lines []wageLine) schedule {
	return schedule{n: len(lines), line: func(i int) *planLine { return &lines[i].planLine }}
}

// each calls fn with every installment, in order.
func (s schedule) each(fn func(l *planLine)) {
	for i := range s.n {
		fn(s.line(i))
	}
}

// scheduleHooks are what a process does at the schedule's steps.
type scheduleHooks struct {
	// remind queues the reminder notice of installment l, the k-th of the
	// policy's reminder offsets, after its step is added.
	remind func(ctx workflow.Context, l *planLine, k int)
	// defaulted takes the default of installment l.
	defaulted func(ctx workflow.Context, l *planLine)
	// changed marks the ledger changed.
	changed func()
}

// periods are the policy's periods a schedule counts for each installment:
// Grace from the due date, then LateRecording after the grace period (zero
// for a process that decides the default when the grace period ends).
type periods struct {
	Grace, LateRecording policy.Period
}

// fixDeadlines looks up each installment's grace period and late-recording
// window, marking a line provisional when a day was counted on a calendar
// not yet published, and skips the reminders whose day passed before
// from. after runs for each line once its own deadlines are fixed, for
// what the process counts from them (a wage case's escalation dates), so
// the lookups keep their order line by line.
func (s schedule) fixDeadlines(ctx workflow.Context, jurisdiction string, p periods, offsets []policy.Period, from policy.Date,
	after func(l *planLine) error) error {
	for i := range s.n {
		l := s.line(i)
		l.GraceEndsOn = l.DueOn
		var err error
		if !p.Grace.IsZero() {
			var status policy.Status
			if l.GraceEndsOn, status, err = deadlineOn(ctx, jurisdiction, l.DueOn, p.Grace); err != nil {
				return fmt.Errorf("grace period of installment %d: %w", l.No, err)
			}
			l.Provisional = status == policy.Provisional
		}
		if !p.LateRecording.IsZero() {
			var status policy.Status
			if l.DefaultsOn, status, err = deadlineOn(ctx, jurisdiction, l.GraceEndsOn, p.LateRecording); err != nil {
				return fmt.Errorf("late-recording window of installment %d: %w", l.No, err)
			}
			l.Provisional = l.Provisional || status == policy.Provisional
		}
		if after != nil {
			if err := after(l); err != nil {
				return err
			}
		}
		skipPastReminders(l, offsets, from)
	}
	return nil
}

// skipPastReminders passes over the reminders whose day came before from:
// a schedule started late does not send them late.
func skipPastReminders(l *planLine, offsets []policy.Period, from policy.Date) {
	for l.NextReminder < len(offsets) && offsets[l.NextReminder].SubFrom(l.DueOn).Before(from) {
		l.NextReminder++
	}
}

// live reports whether the schedule still supervises l: owed something and
// not in default.
func live(l *planLine) bool { return l.outstanding() > 0 && !l.Defaulted }

// advance takes every step of the schedule whose case time has come:
// reminders, an installment falling overdue, and the first default, after
// which it returns (the process's default may change what follows). It
// reports whether it took any step.
func (s schedule) advance(ctx workflow.Context, j *journal, offsets []policy.Period, h scheduleHooks) bool {
	now := j.caseNow(ctx)
	took := false
	for i := range s.n {
		l := s.line(i)
		if !live(l) {
			continue
		}
		for l.NextReminder < len(offsets) && !now.Before(offsets[l.NextReminder].SubFrom(l.DueOn).Start()) {
			k := l.NextReminder
			l.NextReminder++
			// Only the latest reminder due goes out, and none once the due
			// date has passed: a worker back after an outage does not send
			// a burst of stale reminders.
			if !now.Before(l.DueOn.End()) ||
				(l.NextReminder < len(offsets) && !now.Before(offsets[l.NextReminder].SubFrom(l.DueOn).Start())) {
				continue
			}
			l.Reminders++
			j.add(ctx, step{
				Kind: "reminder_sent", Actor: casefile.System, ReasonCode: "performance_reminder",
				Reason: fmt.Sprintf("installment %d falls due on %s (%s before)", l.No, l.DueOn, offsets[k]),
				Data:   map[string]any{"installment": l.No, "due_on": l.DueOn, "offset": offsets[k], "outstanding_fen": l.outstanding()},
			})
			h.remind(ctx, l, k)
			h.changed()
			took = true
		}
		if !l.Overdue && !now.Before(l.DueOn.End()) {
			l.Overdue = true
			j.add(ctx, step{
				Kind: "installment_overdue", Actor: casefile.System, ReasonCode: "due_date_passed", At: l.DueOn.End(),
				Reason: fmt.Sprintf("installment %d was due on %s; %s outstanding, grace period until %s", l.No, l.DueOn, yuan(l.outstanding()), l.GraceEndsOn),
				Data:   map[string]any{"installment": l.No, "due_on": l.DueOn, "outstanding_fen": l.outstanding(), "grace_ends_on": l.GraceEndsOn},
			})
			h.changed()
			took = true
		}
		if l.Overdue && !now.Before(l.defaultsAt()) {
			h.defaulted(ctx, l)
			return true
		}
	}
	return took
}

// nextInstant returns the case time of the schedule's next step; ok is
// false when none is pending.
func (s schedule) nextInstant(offsets []policy.Period) (next time.Time, ok bool) {
	consider := func(t time.Time) {
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	s.each(func(l *planLine) {
		if !live(l) {
			return
		}
		if l.NextReminder < len(offsets) {
			consider(offsets[l.NextReminder].SubFrom(l.DueOn).Start())
		}
		if !l.Overdue {
			consider(l.DueOn.End())
		} else {
			consider(l.defaultsAt())
		}
	})
	return next, ok
}

// credit pays amount, made on paidOn, to the earliest installments still
// owed, the rest spilling over; it returns what each was credited and what
// is left above the schedule's debt.
func (s schedule) credit(amount int64, paidOn policy.Date) (allocs []allocation, rest int64) {
	rest = amount
	for i := range s.n {
		if rest == 0 {
			break
		}
		l := s.line(i)
		if a := min(rest, l.outstanding()); a > 0 {
			l.PaidFen += a
			l.PaidOn = paidOn
			rest -= a
			allocs = append(allocs, allocation{No: l.No, AmountFen: a})
		}
	}
	return allocs, rest
}

// total is what the schedule is owed: each line's amount less what a
// settlement took over.
func (s schedule) total() int64 {
	var t int64
	s.each(func(l *planLine) { t += l.due() })
	return t
}

// paid is what the schedule has been credited.
func (s schedule) paid() int64 {
	var t int64
	s.each(func(l *planLine) { t += l.PaidFen })
	return t
}

// ledger is the performance ledger's lines as they stand.
func (s schedule) ledger() []LedgerLine {
	out := make([]LedgerLine, 0, s.n)
	s.each(func(l *planLine) {
		out = append(out, LedgerLine{
			No: l.No, DueOn: l.DueOn, AmountFen: l.AmountFen, PaidFen: l.PaidFen, OutstandingFen: l.outstanding(),
			State: l.state(), PaidOn: l.PaidOn, RemindersSent: l.Reminders, GraceEndsOn: l.GraceEndsOn,
			DefaultsOn: policy.DateOf(l.defaultsAt().Add(-time.Nanosecond)), Provisional: l.Provisional,
			SupersededFen: l.SupersededFen, SupersededBy: l.SupersededBy, Settlement: l.Settlement,
		})
	})
	return out
}

// records are the ledger's lines as the plans read model keeps them.
func (s schedule) records() []db.PlanInstallment {
	var out []db.PlanInstallment
	for _, l := range s.ledger() {
		out = append(out, db.PlanInstallment{
			No: l.No, DueOn: l.DueOn, AmountFen: l.AmountFen, PaidFen: l.PaidFen, State: l.State,
			PaidOn: l.PaidOn, RemindersSent: l.RemindersSent, GraceEndsOn: l.GraceEndsOn,
			SupersededFen: l.SupersededFen, SupersededBy: l.SupersededBy, Settlement: l.Settlement,
		})
	}
	return out
}

// text is the schedule as a notice writes it: "第 1 期 2027-01-18 前 1,000.00元；…".
func (s schedule) text() string {
	var out string
	s.each(func(l *planLine) {
		if out != "" {
			out += "；"
		}
		out += fmt.Sprintf("第 %d 期 %s 前 %s", l.No, l.DueOn, yuan(l.AmountFen))
	})
	return out
}

// checkAmount admits a payment's amount: a positive amount of fen within
// the bound.
func checkAmount(fen int64) error {
	switch {
	case fen <= 0:
		return reject(RejectInvalid, "a payment must be a positive amount of fen, got %d", fen)
	case fen > maxFen:
		return reject(RejectInvalid, "payment %d fen exceeds the maximum %d", fen, int64(maxFen))
	}
	return nil
}

// checkPaidOn admits a payment's date: a day between start (named by
// since, "the plan started") and today.
func checkPaidOn(paidOn, today, start policy.Date, since string) error {
	switch {
	case paidOn.IsZero():
		return reject(RejectInvalid, "the payment date is required")
	case paidOn.After(today):
		return reject(RejectInvalid, "payment date %s is in the future (today is %s)", paidOn, today)
	case paidOn.Before(start):
		return reject(RejectInvalid, "payment date %s is before %s on %s", paidOn, since, start)
	}
	return nil
}

// recordOverpayment records what a payment made on paidOn brought above the
// schedule's debt: nothing is lost, it is kept as interest or overpayment
// for the court to settle. It returns the step's number.
func recordOverpayment(ctx workflow.Context, j *journal, over, totalOver, owed int64, paidOn policy.Date) int {
	return j.add(ctx, step{
		Kind: "overpayment_recorded", Actor: casefile.System, ReasonCode: "interest_or_overpayment",
		Reason: fmt.Sprintf("%s paid above the %s owed, recorded as interest or overpayment", yuan(over), yuan(owed)),
		Data:   map[string]any{"overpaid_fen": over, "total_overpaid_fen": totalOver, "paid_on": paidOn},
	})
}
