package workflows

import (
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

// Every pending deadline of a case, as its live view shows them, for a
// reader to see each one's calendar status: the ledger's next deadline is
// only the nearest. Dates the parties or the court set (an installment's
// due date, a standstill's last day) are agreed, not counted: no holiday
// calendar moves them.

// AgreedDeadlines are the kinds whose date no calendar counts.
var AgreedDeadlines = map[string]bool{"installment_due": true, "standstill_end": true}

func pending(kind string, on policy.Date) []casefile.Deadline {
	if on.IsZero() {
		return nil
	}
	return []casefile.Deadline{{Kind: kind, On: on, At: on.End()}}
}

func followUpDeadlines(fs []FollowUp) []casefile.Deadline {
	var out []casefile.Deadline
	for _, f := range fs {
		if f.VisitedOn.IsZero() {
			out = append(out, pending("follow_up", f.DueOn)...)
		}
	}
	return out
}

// Deadlines lists the mediation case's pending deadlines.
func (v *MediationView) Deadlines() []casefile.Deadline {
	c := v.Confirmation
	switch v.Stage {
	case StageMediating:
		return pending("mediation", v.Deadline)
	case StageAgreementReached:
		if c != nil {
			return pending("confirmation_application", c.ApplyBy)
		}
	case StageConfirmationReview:
		if c != nil {
			return pending("confirmation_decision", c.DecideBy)
		}
	case StagePerformed, StagePlainContract:
		return followUpDeadlines(v.FollowUps)
	}
	return nil
}

// Deadlines lists the plan's pending deadlines: each open installment's
// due date (agreed), the end of its grace period and of the late-recording
// window after it (counted).
func (v *PlanView) Deadlines() []casefile.Deadline {
	if v.Stage != PlanPerforming {
		return nil
	}
	var out []casefile.Deadline
	for _, l := range v.Installments {
		switch l.State {
		case InstallmentPaid, InstallmentDefaulted, InstallmentPaidAfterDefault, InstallmentAccelerated, InstallmentSuperseded:
			continue
		}
		if !l.DueOn.Before(v.CaseToday) {
			out = append(out, pending("installment_due", l.DueOn)...)
		}
		out = append(out, pending("grace_period", l.GraceEndsOn)...)
		if l.DefaultsOn != l.GraceEndsOn {
			out = append(out, pending("late_recording", l.DefaultsOn)...)
		}
	}
	return out
}

// Deadlines lists the enforcement case's pending deadlines.
func (v *EnforcementView) Deadlines() []casefile.Deadline {
	var out []casefile.Deadline
	for _, m := range v.Measures {
		if (m.Status == MeasureActive || m.Status == MeasureSuspended) && !m.ExpiresOn.IsZero() {
			out = append(out, pending("measure_renewal", m.ExpiresOn)...)
		}
	}
	for i := range v.Terminations {
		t := &v.Terminations[i]
		if t.ResumedOn.IsZero() {
			if r := nextRecheck(t); r != nil {
				out = append(out, pending("property_recheck", r.DueOn)...)
			}
		}
	}
	for _, st := range v.Standstills {
		if st.EndedOn.IsZero() {
			out = append(out, pending("standstill_end", st.Until)...)
		}
	}
	if v.Stage == StageCompleted {
		out = append(out, followUpDeadlines(v.FollowUps)...)
	}
	return out
}
