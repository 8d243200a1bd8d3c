package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
)

// A standstill (暂缓执行) holds enforcement for a while: the applicants
// agree to a month without freezing, or the court grants one within the
// policy's longest term. Its measures are suspended — a freeze still runs
// toward its expiry and may be renewed, but is not acted on — no new
// measure is ordered, and a payment the debtor makes is still credited.
// When the standstill's last day ends, its timer resumes the measures or
// lifts them, as the standstill said.

// UpdateStandstill records a standstill.
const UpdateStandstill = "standstill"

// StageStandstill is an enforcement held by a standstill.
const StageStandstill = "standstill" // 暂缓执行

// MeasureSuspended is a measure held by a standstill.
const MeasureSuspended = "suspended"

// What a standstill does to its measures when it ends.
const (
	StandstillResume = "resume"
	StandstillLift   = "lift"
)

// StandstillCommand holds enforcement until Until (inclusive).
type StandstillCommand struct {
	Until    policy.Date    `json:"until"`
	Reason   string         `json:"reason"`
	AgreedBy []string       `json:"agreed_by"`
	OnEnd    string         `json:"on_end"`
	Actor    casefile.Actor `json:"actor"`
}

// Standstill is one standstill and what it held.
type Standstill struct {
	No       int         `json:"no"`
	From     policy.Date `json:"from"`
	Until    policy.Date `json:"until"`
	Reason   string      `json:"reason"`
	AgreedBy []string    `json:"agreed_by"`
	OnEnd    string      `json:"on_end"`
	Measures []string    `json:"measures,omitempty"`
	EndedOn  policy.Date `json:"ended_on,omitzero"`
}

func (e *enforcement) currentStandstill() *Standstill {
	if n := len(e.s.Standstills); n > 0 && e.s.Standstills[n-1].EndedOn.IsZero() {
		return &e.s.Standstills[n-1]
	}
	return nil
}

func (e *enforcement) validateStandstill(ctx workflow.Context, cmd StandstillCommand) error {
	if err := e.checkCourtIn(cmd.Actor, StageEnforcing); err != nil {
		return err
	}
	today := e.s.Journal.today(ctx)
	longest := e.s.Policy.Enforcement.StandstillMax
	switch {
	case cmd.Reason == "":
		return reject(RejectInvalid, "a standstill needs its reason")
	case cmd.OnEnd != StandstillResume && cmd.OnEnd != StandstillLift:
		return reject(RejectInvalid, "on_end must be %q or %q, got %q", StandstillResume, StandstillLift, cmd.OnEnd)
	case !cmd.Until.After(today):
		return reject(RejectInvalid, "a standstill ends after today (%s), not on %s", today, cmd.Until)
	case longest.IsZero():
		return reject(RejectConflict, "the policy of %s allows no standstill", e.in.Jurisdiction)
	}
	if err := checkDate("the standstill's last day", cmd.Until); err != nil {
		return reject(RejectInvalid, "%s", err)
	}
	if last := longest.AddTo(today); cmd.Until.After(last) {
		return reject(RejectInvalid, "a standstill lasts at most %s under the policy: until %s at the latest, not %s", longest, last, cmd.Until)
	}
	if e.partiesByList() && e.listed == nil {
		return e.mayAllAgree(cmd.AgreedBy)
	}
	for _, id := range e.applicantIDs() {
		if !slices.Contains(cmd.AgreedBy, id) {
			return reject(RejectInvalid, "applicant %s has not agreed to the standstill", id)
		}
	}
	for _, id := range cmd.AgreedBy {
		if !slices.Contains(e.applicantIDs(), id) {
			return reject(RejectInvalid, "%q is not an applicant of the case", id)
		}
	}
	return nil
}

// mayAllAgree checks, before the applicants are read from the store
// (partiesByList), what the case itself holds of a standstill's
// consents: as many applicants agree as the list has, none of them
// another party. The handler reads the applicants and checks each.
func (e *enforcement) mayAllAgree(agreed []string) error {
	distinct := map[string]bool{}
	for _, id := range agreed {
		for _, p := range e.in.Parties {
			if p.ID == id {
				return reject(RejectInvalid, "%q is not an applicant of the case", id)
			}
		}
		distinct[id] = true
	}
	if n := e.in.ApplicantList.Creditors; len(distinct) != n {
		return reject(RejectInvalid, "%d of the case's %d applicants agree to the standstill: every applicant must", len(distinct), n)
	}
	return nil
}

func (e *enforcement) standstill(ctx workflow.Context, cmd StandstillCommand) (EnforcementView, error) {
	if e.partiesByList() {
		// Every applicant must agree: they are read before the case
		// changes, and the consents checked against each of them (and
		// the case again, which may have moved meanwhile).
		if err := e.loadApplicants(ctx); err != nil {
			return EnforcementView{}, err
		}
		if err := e.validateStandstill(ctx, cmd); err != nil {
			return EnforcementView{}, err
		}
	}
	st := Standstill{
		No: len(e.s.Standstills) + 1, From: e.s.Journal.today(ctx), Until: cmd.Until, Reason: cmd.Reason,
		AgreedBy: slices.Clone(cmd.AgreedBy), OnEnd: cmd.OnEnd,
	}
	for i := range e.s.Measures {
		if m := &e.s.Measures[i]; m.Status == MeasureActive && m.Kind != MeasureDetention {
			m.Status = MeasureSuspended
			st.Measures = append(st.Measures, m.ID)
		}
	}
	e.s.Standstills = append(e.s.Standstills, st)
	e.s.Stage = StageStandstill
	seq := e.s.Journal.add(ctx, step{
		Kind: "standstill_granted", Actor: cmd.Actor, Reason: cmd.Reason, ReasonCode: "standstill",
		Data: map[string]any{"standstill": st.No, "until": st.Until, "agreed_by": st.AgreedBy, "on_end": st.OnEnd, "suspended": st.Measures},
	})
	e.notice(ctx, e.in.Respondent, NoticeStandstill, fmt.Sprintf(
		"暂缓执行通知书：%s 案经申请执行人同意暂缓执行至 %s；期满后%s。", e.in.CaseNumber, st.Until,
		map[string]string{StandstillResume: "恢复执行", StandstillLift: "解除相关措施"}[st.OnEnd]))
	return e.finishCommand(ctx, seq)
}

// standstillEnded resumes or lifts the standstill's measures and resumes
// enforcement.
func (e *enforcement) standstillEnded(ctx workflow.Context) {
	st := e.currentStandstill()
	at := st.Until.End()
	st.EndedOn = policy.DateOf(at)
	var resumed, lifted []string
	for _, id := range st.Measures {
		m := e.measure(id)
		if m == nil || m.Status != MeasureSuspended {
			continue
		}
		if st.OnEnd == StandstillLift {
			m.Status, m.EndedOn, m.EndedBy, m.EndReason = MeasureLifted, st.EndedOn, casefile.System.Subject, fmt.Sprintf("standstill %d ended", st.No)
			lifted = append(lifted, id)
		} else {
			m.Status = MeasureActive
			resumed = append(resumed, id)
		}
	}
	if e.s.Stage == StageStandstill {
		e.s.Stage = StageEnforcing
	}
	e.s.Journal.add(ctx, step{
		At:   at,
		Kind: "standstill_ended", Actor: casefile.System, ReasonCode: "standstill_" + st.OnEnd,
		Reason: fmt.Sprintf("standstill %d ran to %s; enforcement resumes", st.No, st.Until),
		Data:   map[string]any{"standstill": st.No, "resumed": resumed, "lifted": lifted},
	})
	e.rev++
}

// standstillTimer is when the running standstill ends, if one runs.
func (e *enforcement) standstillTimer() (time.Time, bool) {
	if st := e.currentStandstill(); st != nil {
		return st.Until.End(), true
	}
	return time.Time{}, false
}
