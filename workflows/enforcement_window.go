package workflows

import (
	"fmt"
	"slices"

	"github.com/casework/casework/policy"
)

// Kinds of enforceable title (执行依据) that can start enforcement.
const (
	TitleConfirmedMediationAgreement = "confirmed_mediation_agreement" // 司法确认的调解协议
	TitleJudgment                    = "judgment"                      // 判决书
	TitleCourtMediation              = "court_mediation"               // 调解书
	TitlePaymentOrder                = "payment_order"                 // 支付令
	TitleLabourArbitrationMediation  = "labour_arbitration_mediation"  // 劳动仲裁调解书
	TitleNotarisedDebt               = "notarised_debt"                // 赋强公证债权文书
)

// TitleKinds lists every kind of enforceable title.
var TitleKinds = []string{
	TitleConfirmedMediationAgreement, TitleJudgment, TitleCourtMediation,
	TitlePaymentOrder, TitleLabourArbitrationMediation, TitleNotarisedDebt,
}

// Rules for counting the enforcement application window (申请执行时效).
const (
	// WindowRuleLastInstallment counts one window from the last
	// installment's due date (documents dated on or after the policy's
	// LastInstallmentRuleFrom).
	WindowRuleLastInstallment = "last_installment"
	// WindowRulePerInstallment counts a window from each installment's own
	// due date (earlier documents).
	WindowRulePerInstallment = "per_installment"
)

// EnforceableTitle is the document enforcement rests on.
type EnforceableTitle struct {
	Kind           string      `json:"kind"`
	DocumentNumber string      `json:"document_number"`
	DocumentDate   policy.Date `json:"document_date"`
	// SourceCaseID is the casework case the title came from, if any (the
	// mediation case whose agreement was confirmed).
	SourceCaseID string `json:"source_case_id,omitempty"`
	// SourcePlanID is the source case's plan supervising performance when
	// enforcement was filed, the one told that enforcement took over:
	// "performance-2" after the court restarted a failed plan; empty for
	// "performance" (and in every title made before restarts).
	SourcePlanID string `json:"source_plan_id,omitempty"`
	// DueDates are the last days of the performance period: one date, or one
	// per installment.
	DueDates []policy.Date `json:"due_dates"`
	// Interruptions are days the application period was interrupted (中断:
	// the obligee demanded performance, the obligor agreed to perform, an
	// application was made): the period runs anew from each.
	Interruptions []policy.Date `json:"interruptions,omitempty"`
	// Suspensions are spans in which the obligee could not apply (中止:
	// force majeure, ...); one that arose in the period's final stretch
	// makes the period run on after it ends.
	Suspensions []Suspension `json:"suspensions,omitempty"`
}

// Suspension is a span in which the application period was suspended.
type Suspension struct {
	From   policy.Date `json:"from"`
	To     policy.Date `json:"to"`
	Reason string      `json:"reason,omitempty"`
}

// ValidateTitle checks that a title names a known kind of document, its
// number and date, and at least one due date not before the document.
func ValidateTitle(t EnforceableTitle) error {
	switch {
	case !slices.Contains(TitleKinds, t.Kind):
		return titleErr("title kind must be one of %v, got %q", TitleKinds, t.Kind)
	case t.DocumentNumber == "":
		return titleErr("the title's document number is required")
	case t.DocumentDate.IsZero():
		return titleErr("the title's document date is required")
	case t.DocumentDate.After(LatestDate):
		return titleErr("%s", checkDate("the title's document date", t.DocumentDate).Error())
	case len(t.DueDates) == 0:
		return titleErr("the title needs the due date of its performance period (one per installment)")
	}
	for i, d := range t.DueDates {
		if d.IsZero() {
			return titleErr("due date %d is missing", i+1)
		}
		if d.Before(t.DocumentDate) {
			return titleErr("due date %s is before the document date %s", d, t.DocumentDate)
		}
		if err := checkDate(fmt.Sprintf("due date %d", i+1), d); err != nil {
			return titleErr("%s", err.Error())
		}
	}
	for _, d := range t.Interruptions {
		if d.IsZero() || d.Before(t.DocumentDate) || d.After(LatestDate) {
			return titleErr("interruption %q must be a date from the document date %s to %s", d, t.DocumentDate, LatestDate)
		}
	}
	for _, s := range t.Suspensions {
		if s.From.IsZero() || s.To.IsZero() || s.To.Before(s.From) || s.To.After(LatestDate) {
			return titleErr("a suspension needs from and to dates, to not before from; got %s to %s", s.From, s.To)
		}
		if s.From.Before(t.DocumentDate) {
			return titleErr("suspension from %s is before the document date %s", s.From, t.DocumentDate)
		}
	}
	return nil
}

// InvalidTitleError says why a title cannot start enforcement, or why an
// application is out of time; its message is the reason shown to the court.
type InvalidTitleError struct{ Reason string }

func (e *InvalidTitleError) Error() string { return e.Reason }

func titleErr(format string, args ...any) error {
	return &InvalidTitleError{Reason: fmt.Sprintf(format, args...)}
}

// EnforcementWindow is the period within which the obligee may apply for
// enforcement of a title, as counted under the policy.
type EnforcementWindow struct {
	Rule   string        `json:"rule"`
	Period policy.Period `json:"period"`
	// RuleFrom is the document date from which the last-installment rule
	// applies.
	RuleFrom policy.Date `json:"rule_from"`
	// Starts are the dates the window runs from and Closes the last day of
	// each: one of each under the last-installment rule, one per
	// installment under the per-installment rule.
	Starts []policy.Date `json:"starts"`
	Closes []policy.Date `json:"closes"`
	// ClosesOn is the last day on which an application is in time for at
	// least part of the obligation.
	ClosesOn policy.Date `json:"closes_on"`
	// Moved says how interruptions and suspensions moved the window, for
	// the record.
	Moved []string `json:"moved,omitempty"`
}

// DeadlineFunc counts a period from a date under a jurisdiction's calendar;
// the API passes the calendar's own, a workflow its recorded local activity.
type DeadlineFunc func(from policy.Date, period policy.Period) (policy.Date, error)

// ComputeEnforcementWindow returns the application window of title under
// p: the rule is chosen by the document's date (policy.EnforcementWindowStart)
// and each window is p's ApplicationWindow counted from its start.
func ComputeEnforcementWindow(p policy.Policy, t EnforceableTitle, deadline DeadlineFunc) (EnforcementWindow, error) {
	starts := p.EnforcementWindowStart(t.DocumentDate, t.DueDates)
	if len(starts) == 0 {
		return EnforcementWindow{}, invalid("the title has no due date to count the enforcement window from")
	}
	w := EnforcementWindow{
		Rule: WindowRulePerInstallment, Period: p.Enforcement.ApplicationWindow,
		RuleFrom: p.Enforcement.LastInstallmentRuleFrom, Starts: starts,
	}
	if from := p.Enforcement.LastInstallmentRuleFrom; !from.IsZero() && !t.DocumentDate.Before(from) {
		w.Rule = WindowRuleLastInstallment
	}
	interruptions := slices.Clone(t.Interruptions)
	slices.SortFunc(interruptions, policy.Date.Compare)
	suspensions := slices.Clone(t.Suspensions)
	slices.SortFunc(suspensions, func(a, b Suspension) int { return a.From.Compare(b.From) })
	for i, s := range starts {
		c, err := deadline(s, w.Period)
		if err != nil {
			return EnforcementWindow{}, fmt.Errorf("enforcement window from %s: %w", s, err)
		}
		// An interruption while the window runs starts it anew (art. 195).
		for _, in := range interruptions {
			if in.After(w.Starts[i]) && !in.After(c) {
				if c, err = deadline(in, w.Period); err != nil {
					return EnforcementWindow{}, fmt.Errorf("enforcement window from interruption %s: %w", in, err)
				}
				w.Starts[i] = in
				w.Moved = append(w.Moved, fmt.Sprintf("interrupted on %s: the window from %s runs anew to %s", in, s, c))
			}
		}
		// A suspension arising in the final stretch lets the period run on
		// after it ends (art. 194).
		for _, sp := range suspensions {
			stretch := p.Enforcement.SuspensionRunOn.SubFrom(c)
			if sp.From.Before(stretch) || sp.From.After(c) {
				continue
			}
			end, err := deadline(sp.To, p.Enforcement.SuspensionRunOn)
			if err != nil {
				return EnforcementWindow{}, fmt.Errorf("enforcement window after suspension %s: %w", sp.To, err)
			}
			if end.After(c) {
				w.Moved = append(w.Moved, fmt.Sprintf("suspended %s to %s: the window runs on to %s", sp.From, sp.To, end))
				c = end
			}
		}
		w.Closes = append(w.Closes, c)
		if c.After(w.ClosesOn) {
			w.ClosesOn = c
		}
	}
	return w, nil
}

// Check returns nil when an application made on appliedOn is in time, and
// otherwise an error whose message names the rule and the last day.
func (w EnforcementWindow) Check(appliedOn policy.Date) error {
	if !appliedOn.After(w.ClosesOn) {
		return nil
	}
	if w.Rule == WindowRuleLastInstallment {
		return titleErr("the application on %s is out of time: the %s window for applying for enforcement runs from the last installment's due date %s (documents dated on or after %s) and closed on %s",
			appliedOn, w.Period, w.Starts[len(w.Starts)-1], w.RuleFrom, w.ClosesOn)
	}
	return titleErr("the application on %s is out of time: for documents dated before %s the %s window runs from each installment's own due date, and the last of them, from %s, closed on %s",
		appliedOn, w.RuleFrom, w.Period, w.Starts[len(w.Starts)-1], w.ClosesOn)
}

// Barred returns the window starts (due dates) whose window had closed by
// appliedOn: under the per-installment rule, those installments are out of
// time even when the application is in time for later ones.
func (w EnforcementWindow) Barred(appliedOn policy.Date) []policy.Date {
	var out []policy.Date
	for i, c := range w.Closes {
		if appliedOn.After(c) {
			out = append(out, w.Starts[i])
		}
	}
	return out
}
