package activities

import (
	"context"

	"github.com/casework/casework/policy"
)

// Policies answers workflows' questions about legal periods. Workflows call
// these as local activities: the answers are recorded in history, so replay
// never recomputes a deadline differently after a policy or calendar file
// changes.
type Policies struct {
	Registry *policy.Registry
}

// LoadPolicy returns the policy in force for a jurisdiction.
func (p *Policies) LoadPolicy(ctx context.Context, jurisdiction string) (policy.Policy, error) {
	return p.Registry.Policy(jurisdiction)
}

// DeadlineInput asks for the last day of a period.
type DeadlineInput struct {
	Jurisdiction string        `json:"jurisdiction"`
	From         policy.Date   `json:"from"`
	Period       policy.Period `json:"period"`
}

// DeadlineResult is the last day of a period and whether the holiday
// calendar for that year was known when it was computed.
type DeadlineResult struct {
	On              policy.Date `json:"on"`
	CalendarCovered bool        `json:"calendar_covered"`
}

// Deadline computes the last day of a period, counted as the law counts it.
func (p *Policies) Deadline(ctx context.Context, in DeadlineInput) (DeadlineResult, error) {
	cal, err := p.Registry.Calendar(in.Jurisdiction)
	if err != nil {
		return DeadlineResult{}, err
	}
	on := cal.Deadline(in.From, in.Period)
	return DeadlineResult{On: on, CalendarCovered: cal.Covers(on.Start().Year())}, nil
}
