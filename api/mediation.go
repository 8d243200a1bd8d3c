package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// PartyBody is a party to a dispute.
type PartyBody struct {
	ID   string `json:"id" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" doc:"The subject the party signs in as"`
	Name string `json:"name" minLength:"1" maxLength:"200" doc:"Name of the person, company or village committee"`
	Side string `json:"side" enum:"applicant,respondent"`
}

// StartMediationBody delegates a filed dispute to mediation (委派调解).
type StartMediationBody struct {
	CaseNumber   string      `json:"case_number" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" example:"（2026）黔2301民诉前调1234号" doc:"The court case number (案号); the same number never opens two cases"`
	Jurisdiction string      `json:"jurisdiction,omitempty" maxLength:"50" example:"CN-52-QXN" doc:"Jurisdiction whose legal calendar and policy apply; defaults to the court user's"`
	Organisation string      `json:"organisation" minLength:"1" maxLength:"200" example:"兴义市人民调解委员会"`
	Mediator     string      `json:"mediator" minLength:"1" maxLength:"100" doc:"The subject of the mediator assigned"`
	Subject      string      `json:"subject,omitempty" maxLength:"2000" doc:"What the dispute is about"`
	ClaimFen     int64       `json:"claim_fen" minimum:"0" maximum:"100000000000000" doc:"Amount claimed, in fen (1 yuan = 100 fen)"`
	Parties      []PartyBody `json:"parties" minItems:"2" maxItems:"1000"`
	OpenedOn     policy.Date `json:"opened_on,omitempty" doc:"For a case entered after the fact: the legal date it was opened (today or up to 10 years back); its deadlines count from that day. Defaults to today"`
}

type startMediationInput struct {
	Body StartMediationBody
}

// CaseBody is one case: its ledger summary and, while its workflow can be
// asked, its live state.
type CaseBody struct {
	Summary   casefile.Summary         `json:"summary"`
	Mediation *workflows.MediationView `json:"mediation,omitempty"`
	// Enforcement is the live state of an enforcement case.
	Enforcement *workflows.EnforcementView `json:"enforcement,omitempty"`
	// Boundary is the live state of a boundary-dispute case.
	Boundary *workflows.BoundaryView `json:"boundary,omitempty"`
	// Wage is the live state of a wage arrears case.
	Wage *workflows.WageView `json:"wage,omitempty"`
	// Intake is the live state of a dispute received at the one window.
	Intake *workflows.IntakeView `json:"intake,omitempty"`
	// LiveStateUnavailable, when set, says why the live state is missing:
	// the workflow service could not be reached, so the summary is the
	// ledger's as last recorded and may be stale.
	LiveStateUnavailable string `json:"live_state_unavailable,omitempty"`
	// Deadlines are every pending deadline the live state shows, each with
	// the status of its year's holiday calendar (official or provisional;
	// a provisional one may still move); agreed dates carry none.
	Deadlines []casefile.Deadline `json:"deadlines,omitempty"`
}

type caseOutput struct {
	Body CaseBody
}

// startOutput is 201 with the new case, or 200 when the case number is
// already open.
type startOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     CaseBody
}

// TermsBody are the terms of a mediation agreement.
type TermsBody struct {
	Obligor      string            `json:"obligor" minLength:"1" maxLength:"100"`
	Obligees     []string          `json:"obligees" minItems:"1" maxItems:"1000"`
	TotalFen     int64             `json:"total_fen" doc:"Total owed, in fen; must be positive and equal the installments' sum"`
	Installments []InstallmentBody `json:"installments" minItems:"1" maxItems:"120" doc:"One payment, or N installments in due-date order"`
	Acceleration bool              `json:"acceleration,omitempty" doc:"Acceleration clause (加速到期): when an installment is in default the whole remainder falls due at once; without it each later installment is still reminded of and defaults on its own"`
}

// InstallmentBody is one payment of a schedule.
type InstallmentBody struct {
	DueOn     policy.Date `json:"due_on" doc:"Legal calendar date, after the agreement date"`
	AmountFen int64       `json:"amount_fen"`
}

type outcomeInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		Outcome string     `json:"outcome" enum:"agreed,failed,withdrawn"`
		Reason  string     `json:"reason,omitempty" maxLength:"2000"`
		Terms   *TermsBody `json:"terms,omitempty"`
	}
}

type extendInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000" doc:"How the parties agreed to extend"`
	}
}

func (s *Server) registerMediation(api huma.API) {
	op := operation("start-mediation", http.MethodPost, "/cases/mediation",
		"Delegate a dispute to mediation", access{Roles: courts})
	op.DefaultStatus = http.StatusCreated
	op.Description += " Starts the mediation case of a filed dispute. Idempotent on the case number: " +
		"a repeat answers 200 with the existing case; a different dispute under the same number is 409."
	op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.startMediation)

	op = operation("record-mediation-outcome", http.MethodPost, "/cases/{id}/outcome",
		"Record what mediation came to: agreed (with terms), failed or withdrawn", access{Roles: mediators, Case: writeCase})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.recordOutcome)

	op = operation("extend-mediation", http.MethodPost, "/cases/{id}/extensions",
		"Extend the mediation period once, by the parties' agreement", access{Roles: mediators, Case: writeCase})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.extendMediation)
}

func (s *Server) startMediation(ctx context.Context, in *startMediationInput) (*startOutput, error) {
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
		return nil, huma.Error403Forbidden("jurisdiction " + jurisdiction + " is outside your court's")
	}
	if err := checkParties(b.Parties); err != nil {
		return nil, err
	}
	id := workflows.CaseID(number)
	wfID := workflows.MediationWorkflowID(id)
	if err := checkOpenedOn(b.OpenedOn); err != nil {
		return nil, err
	}
	// The parties travel by reference: staged in the store under their
	// digest, the workflow carries the digest and counts.
	members := make([]db.PartyListMember, len(b.Parties))
	for i, bp := range b.Parties {
		members[i] = db.PartyListMember{ID: bp.ID, Name: bp.Name, Side: bp.Side}
	}
	ref, err := s.Store.StagePartyList(ctx, members)
	if err != nil {
		return nil, s.problem(ctx, "stage the parties", err)
	}
	input := workflows.MediationInput{
		CaseID: id, CaseNumber: number, Court: p.Court, Jurisdiction: jurisdiction,
		Organisation: b.Organisation, Mediator: b.Mediator, PartyList: &ref, ClaimFen: b.ClaimFen,
		Subject: b.Subject, DelegatedBy: p.Actor(), Clock: casetime.Clock{Scale: s.TimeScale}, OpenedOn: b.OpenedOn,
	}

	// A case number already in use answers with that case, unless it is
	// another dispute: then the number is taken.
	return openCase(ctx, s, mediationView, opening{
		caseID: id, caseNumber: number, workflowID: wfID, workflow: workflows.Mediation, input: input,
		sameCase: func(c casefile.Summary) bool {
			return c.Court == input.Court && c.Organisation == input.Organisation &&
				c.Mediator == input.Mediator && c.ClaimFen == input.ClaimFen
		},
		jurisdictions: []string{jurisdiction},
	})
}

// checkParties requires distinct party IDs and both sides of the dispute.
func checkParties(ps []PartyBody) error {
	seen := map[string]bool{}
	sides := map[string]bool{}
	for _, p := range ps {
		if seen[p.ID] {
			return huma.Error422UnprocessableEntity("party " + p.ID + " is listed twice")
		}
		seen[p.ID] = true
		sides[p.Side] = true
	}
	if !sides[workflows.SideApplicant] || !sides[workflows.SideRespondent] {
		return huma.Error422UnprocessableEntity("a dispute needs at least one applicant and one respondent")
	}
	return nil
}

func (s *Server) recordOutcome(ctx context.Context, in *outcomeInput) (*caseOutput, error) {
	cmd := workflows.OutcomeCommand{Outcome: in.Body.Outcome, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
	if t := in.Body.Terms; t != nil {
		terms := workflows.Terms{Obligor: t.Obligor, Obligees: t.Obligees, TotalFen: t.TotalFen, Acceleration: t.Acceleration}
		for _, i := range t.Installments {
			terms.Installments = append(terms.Installments, workflows.Installment{DueOn: i.DueOn, AmountFen: i.AmountFen})
		}
		cmd.Terms = &terms
	}
	return s.mediationUpdate(ctx, workflows.UpdateRecordOutcome, in.IdempotencyKey, cmd)
}

func (s *Server) extendMediation(ctx context.Context, in *extendInput) (*caseOutput, error) {
	cmd := workflows.ExtendCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
	return s.mediationUpdate(ctx, workflows.UpdateExtendDeadline, in.IdempotencyKey, cmd)
}

func (s *Server) mediationUpdate(ctx context.Context, name, key string, cmd any) (*caseOutput, error) {
	return sendCommand(ctx, s, mediationView, name, key, cmd)
}

// withParties adds to the view of a mediation case whose parties travel by
// reference its parties, read from the staged list in the store.
func withParties(ctx context.Context, s *Server, caseID string, v *workflows.MediationView) error {
	return listedParties(ctx, s, caseID, v.PartyList, &v.Parties)
}

// withIntakeParties is withParties for a dispute at intake.
func withIntakeParties(ctx context.Context, s *Server, caseID string, v *workflows.IntakeView) error {
	return listedParties(ctx, s, caseID, v.PartyList, &v.Parties)
}

// listedParties sets parties to those of a staged list l, read from the
// store and checked against the digest the workflow carries; nil l leaves
// them as the workflow had them.
func listedParties(ctx context.Context, s *Server, caseID string, l *db.PartyList, parties *[]workflows.Party) error {
	if l == nil {
		return nil
	}
	ms, err := s.Store.PartyListMembers(ctx, *l)
	if errors.Is(err, db.ErrPartyListAltered) {
		// As for a case row that fails its check: an insider's edit is
		// not shown as the parties.
		s.Log.ErrorContext(ctx, "case party list fails its integrity check", "case", caseID, "err", err)
		return unavailableError("the case's party list fails its integrity check; it is not shown until it is resolved")
	}
	if err != nil {
		return err
	}
	*parties = make([]workflows.Party, len(ms))
	for i, m := range ms {
		(*parties)[i] = workflows.Party{ID: m.ID, Name: m.Name, Side: m.Side}
	}
	return nil
}
