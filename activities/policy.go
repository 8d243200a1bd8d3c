package activities

import (
	"context"
	"log/slog"

	"github.com/casework/casework/policy"
)

// Policies answers workflows' questions about legal periods. Workflows call
// these as local activities: the answers are recorded in history, so replay
// never recomputes a deadline differently after a policy or calendar file
// changes.
type Policies struct {
	Registry *policy.Registry
	// Calendars, when set, is the registry in force with the calendars
	// published since the worker started; it takes Registry's place.
	Calendars *policy.Live
}

// registry returns the registry in force. When the published calendars
// cannot be read it answers with the last ones it read (the files alone
// before any), logged: a deadline lookup that fails would fail the case's
// workflow, while one counted on an older calendar says which version it
// used and is provisional where that calendar was.
func (p *Policies) registry(ctx context.Context) (*policy.Registry, int64, error) {
	if p.Calendars == nil {
		return p.Registry, 0, nil
	}
	r, v, err := p.Calendars.Registry(ctx)
	if err != nil {
		r, v = p.Calendars.Last()
		slog.WarnContext(ctx, "published calendars unreadable; counting with the last ones read", "version", v, "err", err)
	}
	return r, v, nil
}

// LoadPolicy returns the policy in force for a jurisdiction.
func (p *Policies) LoadPolicy(ctx context.Context, jurisdiction string) (policy.Policy, error) {
	r, _, err := p.registry(ctx)
	if err != nil {
		return policy.Policy{}, err
	}
	return r.Policy(jurisdiction)
}

// DeadlineInput asks for the last day of a period.
type DeadlineInput struct {
	Jurisdiction string        `json:"jurisdiction"`
	From         policy.Date   `json:"from"`
	Period       policy.Period `json:"period"`
}

// DeadlineResult is the last day of a period and the status of the holiday
// calendar of its year when it was computed.
type DeadlineResult struct {
	On policy.Date `json:"on"`
	// CalendarCovered is Calendar == policy.Official; histories recorded
	// before Calendar carry only this.
	CalendarCovered bool `json:"calendar_covered"`
	// Calendar is policy.Official when the year's arrangement is
	// published, policy.Provisional when the day was found on the
	// statutory holidays by rule and weekends and may still move.
	Calendar policy.Status `json:"calendar,omitempty"`
	// CalendarVersion is the version of the published calendars the
	// answer is as of; 0 for the built-in calendar files alone.
	CalendarVersion int64 `json:"calendar_version,omitempty"`
}

// Deadline computes the last day of a period, counted as the law counts it.
func (p *Policies) Deadline(ctx context.Context, in DeadlineInput) (DeadlineResult, error) {
	r, version, err := p.registry(ctx)
	if err != nil {
		return DeadlineResult{}, err
	}
	cal, err := r.Calendar(in.Jurisdiction)
	if err != nil {
		return DeadlineResult{}, err
	}
	on := cal.Deadline(in.From, in.Period)
	status := cal.Status(on.Year())
	return DeadlineResult{On: on, CalendarCovered: status == policy.Official, Calendar: status, CalendarVersion: version}, nil
}
