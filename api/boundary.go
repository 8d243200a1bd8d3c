package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// Boundary-dispute negotiation (DOMAIN.md Process 2). A court or a
// supervisor opens the case; the organising mediator or the case leader
// drives it; each party signs the settlement for itself; auditors read.
var (
	// boundaryOpeners may open a boundary case.
	boundaryOpeners = []casefile.Role{casefile.RoleCourt, casefile.RoleSupervisor}
	// boundaryOrganisers record the negotiation; a supervisor only on the
	// case they lead (enforced in authorize and again by the workflow).
	boundaryOrganisers = []casefile.Role{casefile.RoleMediator, casefile.RoleSupervisor}
	// leaderAssigners name the case leader: a court, or the case leader
	// handing over.
	leaderAssigners = []casefile.Role{casefile.RoleCourt, casefile.RoleSupervisor}
)

// BoundaryPartyBody is one side of a boundary dispute and who represents it.
type BoundaryPartyBody struct {
	ID             string `json:"id" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" doc:"The subject the party signs in as"`
	Name           string `json:"name" minLength:"1" maxLength:"200" example:"甲嘎查村民委员会" doc:"Village committee, township or joint party organisation (联合党组织)"`
	Jurisdiction   string `json:"jurisdiction" minLength:"2" maxLength:"50" example:"CN-15-ALS"`
	Representative string `json:"representative" minLength:"1" maxLength:"200" doc:"Who represents and signs for the party"`
}

// StartBoundaryBody opens a boundary-dispute negotiation.
type StartBoundaryBody struct {
	CaseNumber   string              `json:"case_number" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" doc:"The case number; the same number never opens two cases"`
	Jurisdiction string              `json:"jurisdiction,omitempty" maxLength:"50" example:"CN-15" doc:"Jurisdiction handling the case (the parties' common parent or the county); defaults to the caller's"`
	Title        string              `json:"title" minLength:"1" maxLength:"500" example:"甲嘎查与乙村草场边界纠纷"`
	Parties      []BoundaryPartyBody `json:"parties" minItems:"2" maxItems:"50"`
	CaseLeader   string              `json:"case_leader,omitempty" maxLength:"100" doc:"Supervisor subject leading the case (领导包案); the resolution deadline runs from the assignment"`
	Since        int                 `json:"since,omitempty" minimum:"0" maximum:"2200" example:"1985" doc:"The year the dispute began"`
	Organiser    string              `json:"organiser" minLength:"1" maxLength:"100" doc:"Mediator subject organising the negotiation"`
}

type startBoundaryInput struct {
	Body StartBoundaryBody
}

type scheduleRoundInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		On    policy.Date `json:"on" doc:"Date of the round, case time; today or later"`
		Tier  string      `json:"tier,omitempty" enum:"village,township,county" doc:"Must be the current tier when given"`
		Venue string      `json:"venue" minLength:"1" maxLength:"500"`
	}
}

type recordRoundInput struct {
	ID             string `path:"id" maxLength:"64"`
	Round          string `path:"round" maxLength:"20" doc:"The round's id, r1, r2, ..."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Outcome string `json:"outcome" enum:"progress,no_progress,agreement_in_principle,incident"`
		Note    string `json:"note,omitempty" maxLength:"2000" doc:"Required for an incident"`
	}
}

type stabilisationInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Incident        string      `json:"incident,omitempty" maxLength:"2000" doc:"What happened; omit to answer the latest round's incident"`
		Measure         string      `json:"measure" minLength:"1" maxLength:"2000"`
		ResponsibleUnit string      `json:"responsible_unit" minLength:"1" maxLength:"200"`
		ReviewOn        policy.Date `json:"review_on" doc:"When the measure is reviewed; after today"`
	}
}

type escalationInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		To     string `json:"to,omitempty" enum:"township,county" doc:"Must be the next tier when given"`
		Reason string `json:"reason,omitempty" maxLength:"2000"`
	}
}

type caseLeaderInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		CaseLeader string `json:"case_leader" minLength:"1" maxLength:"100"`
		Reason     string `json:"reason,omitempty" maxLength:"2000"`
	}
}

// BoundaryMarkerBody is a boundary marker the settlement sets.
type BoundaryMarkerBody struct {
	ID          string `json:"id" minLength:"1" maxLength:"50"`
	Description string `json:"description" minLength:"1" maxLength:"500"`
	Coordinates string `json:"coordinates" minLength:"1" maxLength:"200" example:"E101.2041,N38.9120"`
}

type boundarySettlementInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Terms        string               `json:"terms" minLength:"1" maxLength:"20000"`
		Markers      []BoundaryMarkerBody `json:"markers" minItems:"1" maxItems:"500"`
		GrazingRules string               `json:"grazing_rules" minLength:"1" maxLength:"20000"`
	}
}

// BoundaryMarkerCheckBody is what a visit found at one marker.
type BoundaryMarkerCheckBody struct {
	Marker string `json:"marker" minLength:"1" maxLength:"50"`
	Status string `json:"status" enum:"installed,intact,damaged,missing"`
	Note   string `json:"note,omitempty" maxLength:"2000"`
}

type boundaryFollowUpInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Holds  bool                      `json:"holds" doc:"Whether the settlement holds"`
		Note   string                    `json:"note,omitempty" maxLength:"2000" doc:"Required when it does not hold"`
		Checks []BoundaryMarkerCheckBody `json:"checks,omitempty" maxItems:"500"`
	}
}

func (s *Server) registerBoundary(api huma.API) {
	op := operation("start-boundary", http.MethodPost, "/cases/boundary",
		"Open a boundary-dispute negotiation (边界纠纷)", access{Roles: boundaryOpeners})
	op.DefaultStatus = http.StatusCreated
	op.Description += " Idempotent on the case number: a repeat answers 200 with the existing case; " +
		"another dispute under the same number is 409."
	op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.startBoundary)

	organise := access{Roles: boundaryOrganisers, Case: writeCase}
	huma.Register(api, command(operation("schedule-boundary-round", http.MethodPost, "/cases/{id}/boundary/rounds",
		"Schedule a negotiation round at the current tier", organise)),
		func(ctx context.Context, in *scheduleRoundInput) (*caseOutput, error) {
			return s.boundaryUpdate(ctx, workflows.UpdateBoundaryScheduleRound, in.IdempotencyKey, workflows.ScheduleRoundCommand{
				Tier: in.Body.Tier, On: in.Body.On, Venue: in.Body.Venue, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-boundary-round", http.MethodPost, "/cases/{id}/boundary/rounds/{round}/record",
		"Record a scheduled round as held, with its outcome", organise)),
		func(ctx context.Context, in *recordRoundInput) (*caseOutput, error) {
			return s.boundaryUpdate(ctx, workflows.UpdateBoundaryRecordRound, in.IdempotencyKey, workflows.RecordRoundCommand{
				Round: in.Round, Outcome: in.Body.Outcome, Note: in.Body.Note, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-boundary-stabilisation", http.MethodPost, "/cases/{id}/boundary/stabilisation",
		"Record an interim stabilisation measure (稳控) after an incident", organise)),
		func(ctx context.Context, in *stabilisationInput) (*caseOutput, error) {
			b := in.Body
			return s.boundaryUpdate(ctx, workflows.UpdateBoundaryStabilise, in.IdempotencyKey, workflows.StabiliseCommand{
				Incident: b.Incident, Measure: b.Measure, ResponsibleUnit: b.ResponsibleUnit, ReviewOn: b.ReviewOn,
				Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("escalate-boundary", http.MethodPost, "/cases/{id}/boundary/escalation",
		"Escalate to the next tier once the policy's minimum rounds were held; the county tier is final", organise)),
		func(ctx context.Context, in *escalationInput) (*caseOutput, error) {
			return s.boundaryUpdate(ctx, workflows.UpdateBoundaryEscalate, in.IdempotencyKey, workflows.EscalateCommand{
				To: in.Body.To, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("assign-boundary-case-leader", http.MethodPost, "/cases/{id}/boundary/case-leader",
		"Assign the case leader (领导包案): a court, or the case leader handing over; the resolution deadline runs from the first assignment",
		access{Roles: leaderAssigners, Case: writeCase})),
		func(ctx context.Context, in *caseLeaderInput) (*caseOutput, error) {
			return s.boundaryUpdate(ctx, workflows.UpdateBoundaryAssignLeader, in.IdempotencyKey, workflows.AssignLeaderCommand{
				CaseLeader: in.Body.CaseLeader, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-boundary-settlement", http.MethodPost, "/cases/{id}/boundary/settlement",
		"Record the settlement's terms, boundary markers and grazing rules; recorded again before all signed, it amends them", organise)),
		func(ctx context.Context, in *boundarySettlementInput) (*caseOutput, error) {
			cmd := workflows.SettlementCommand{Terms: in.Body.Terms, GrazingRules: in.Body.GrazingRules, Actor: principalFrom(ctx).Actor()}
			for _, m := range in.Body.Markers {
				cmd.Markers = append(cmd.Markers, workflows.BoundaryMarker{ID: m.ID, Description: m.Description, Coordinates: m.Coordinates})
			}
			return s.boundaryUpdate(ctx, workflows.UpdateBoundarySettlement, in.IdempotencyKey, cmd)
		})
	huma.Register(api, command(operation("sign-boundary-settlement", http.MethodPost, "/cases/{id}/boundary/settlement/signatures",
		"Sign the settlement for the calling party, through its representative; it takes effect when every party signed",
		access{Roles: parties, Case: writeCase})),
		func(ctx context.Context, in *reasonInput) (*caseOutput, error) {
			return s.boundaryUpdate(ctx, workflows.UpdateBoundarySign, in.IdempotencyKey, workflows.SignCommand{Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("record-boundary-follow-up", http.MethodPost, "/cases/{id}/boundary/follow-ups",
		"Record the earliest due follow-up visit and its marker checks; the last one closes the case", organise)),
		func(ctx context.Context, in *boundaryFollowUpInput) (*caseOutput, error) {
			cmd := workflows.BoundaryFollowUpCommand{Holds: in.Body.Holds, Note: in.Body.Note, Actor: principalFrom(ctx).Actor()}
			for _, c := range in.Body.Checks {
				cmd.Checks = append(cmd.Checks, workflows.BoundaryMarkerCheck{Marker: c.Marker, Status: c.Status, Note: c.Note})
			}
			return s.boundaryUpdate(ctx, workflows.UpdateBoundaryRecordFollowUp, in.IdempotencyKey, cmd)
		})
}

func (s *Server) startBoundary(ctx context.Context, in *startBoundaryInput) (*startOutput, error) {
	p := principalFrom(ctx)
	b := in.Body
	number := strings.TrimSpace(b.CaseNumber)
	if number == "" {
		return nil, huma.Error422UnprocessableEntity("case_number is blank")
	}
	jurisdiction := b.Jurisdiction
	if jurisdiction == "" {
		jurisdiction = p.Jurisdiction
	}
	if !p.Covers(jurisdiction) {
		return nil, huma.Error403Forbidden("jurisdiction " + jurisdiction + " is outside yours")
	}
	id := workflows.CaseID(number)
	input := workflows.BoundaryInput{
		CaseID: id, CaseNumber: number, Court: p.Court, Jurisdiction: jurisdiction, Title: b.Title,
		Since: b.Since, Organiser: b.Organiser, CaseLeader: b.CaseLeader, OpenedBy: p.Actor(),
		Clock: casetime.Clock{Scale: s.TimeScale},
	}
	for _, bp := range b.Parties {
		input.Parties = append(input.Parties, workflows.BoundaryParty{
			ID: bp.ID, Name: bp.Name, Jurisdiction: bp.Jurisdiction, Representative: bp.Representative,
		})
	}
	if err := workflows.ValidateBoundaryInput(input); err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}

	return openCase(ctx, s, boundaryView, opening{
		caseID: id, caseNumber: number, workflowID: workflows.BoundaryWorkflowID(id), workflow: workflows.Boundary, input: input,
		sameCase: func(c casefile.Summary) bool {
			return c.Jurisdiction == input.Jurisdiction && c.Mediator == input.Organiser
		},
		jurisdictions: []string{input.Jurisdiction},
	})
}

func (s *Server) boundaryUpdate(ctx context.Context, name, key string, cmd any) (*caseOutput, error) {
	return sendCommand(ctx, s, boundaryView, name, key, cmd)
}
