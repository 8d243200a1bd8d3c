package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"go.temporal.io/api/serviceerror"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

var (
	// payers may record a payment: officials record it, an obligee confirms
	// receipt, the obligor reports it (recorded, not credited).
	payers = []casefile.Role{casefile.RoleMediator, casefile.RoleCourt, casefile.RoleParty}
	// urgers may urge an obligor to perform (督促履行, 执前督促).
	urgers = []casefile.Role{casefile.RoleMediator, casefile.RoleCourt}
)

type planPath struct {
	ID   string `path:"id" maxLength:"64"`
	Plan string `path:"plan" maxLength:"64" pattern:"^[a-z0-9][a-z0-9-]*$" example:"performance" doc:"The plan within the case: performance, settlement-1, ..."`
}

type paymentInput struct {
	ID             string `path:"id" maxLength:"64"`
	Plan           string `path:"plan" maxLength:"64" pattern:"^[a-z0-9][a-z0-9-]*$" example:"performance" doc:"The plan within the case: performance, settlement-1, ..."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		AmountFen int64       `json:"amount_fen" minimum:"1" maximum:"100000000000000" doc:"Amount paid, in fen (1 yuan = 100 fen); above what is owed it is kept as interest or overpayment"`
		PaidOn    policy.Date `json:"paid_on" doc:"Legal calendar date of the payment; not in the future, not before the plan started"`
		Reason    string      `json:"reason,omitempty" maxLength:"2000" doc:"How it was paid, e.g. bank transfer reference"`
	}
}

type urgeInput struct {
	ID             string `path:"id" maxLength:"64"`
	Plan           string `path:"plan" maxLength:"64" pattern:"^[a-z0-9][a-z0-9-]*$" example:"performance" doc:"The plan within the case: performance, settlement-1, ..."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000" doc:"How and why performance was urged"`
	}
}

type preSettlementInput struct {
	ID             string `path:"id" maxLength:"64"`
	Plan           string `path:"plan" maxLength:"64" pattern:"^[a-z0-9][a-z0-9-]*$" example:"performance" doc:"The plan within the case: performance (a settlement during enforcement takes none)"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		Installments []InstallmentBody `json:"installments" minItems:"1" maxItems:"120" doc:"Everything outstanding in new installments, due after today in due-date order, summing to it exactly"`
		ConsentedBy  []string          `json:"consented_by" minItems:"1" maxItems:"1000" doc:"The obligees who consented to the settlement: every obligee of the plan"`
		Reason       string            `json:"reason" minLength:"1" maxLength:"2000" doc:"How the settlement was reached, e.g. the signed settlement's reference"`
	}
}

type planOutput struct {
	Body PlanBody
}

// PlanBody is a plan's live state, with every pending deadline and the
// status of its year's holiday calendar.
type PlanBody struct {
	workflows.PlanView
	Deadlines []casefile.Deadline `json:"deadlines,omitempty"`
}

type noticesOutput struct {
	Body struct {
		CaseID  string      `json:"case_id"`
		Notices []db.Notice `json:"notices"`
	}
}

type certificatesOutput struct {
	Body struct {
		CaseID       string                      `json:"case_id"`
		Certificates []db.PerformanceCertificate `json:"certificates"`
	}
}

func (s *Server) registerPerformance(api huma.API) {
	op := operation("record-payment", http.MethodPost, "/cases/{id}/plans/{plan}/payments",
		"Record a payment against an installment plan", access{Roles: payers, Case: writeCase})
	op.Description += " A mediator or the court records a payment; an obligee records one by confirming receipt; " +
		"the obligor's own report is recorded but credited only once confirmed. Payments go to the earliest " +
		"outstanding installment first; anything above the total owed is kept as interest or overpayment."
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.recordPayment)

	op = operation("urge-performance", http.MethodPost, "/cases/{id}/plans/{plan}/urge",
		"Urge the obligor to perform; a notice is sent", access{Roles: urgers, Case: writeCase})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.urgePerformance)

	op = operation("record-pre-enforcement-settlement", http.MethodPost, "/cases/{id}/plans/{plan}/settlement",
		"Record a pre-enforcement settlement (执前和解): a new schedule for everything outstanding replaces the rest of the plan",
		access{Roles: urgers, Case: writeCase})
	op.Description += " After an installment is in default and before enforcement is filed, a mediator or the court records the " +
		"schedule the obligee (every obligee, consenting) and the obligor agreed. Every installment still owed something is " +
		"superseded (shown as superseded in the ledger); the new ones are supervised with their own reminders, grace periods " +
		"and default notices. Only a confirmed agreement's plan, supervised past a default, takes one."
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.settleBeforeEnforcement)

	op = operation("get-plan", http.MethodGet, "/cases/{id}/plans/{plan}",
		"Read an installment plan's performance ledger (自动履行跟踪台账)", access{Roles: everyone, Case: readCase})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.getPlan)

	op = operation("list-notices", http.MethodGet, "/cases/{id}/notices",
		"List the notices sent in a case and the state of each: pending, delivered, or undeliverable (the channel refused every attempt; serve it another way)", access{Roles: everyone, Case: readCase})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.listNotices)

	op = operation("list-certificates", http.MethodGet, "/cases/{id}/certificates",
		"List the certificates of automatic performance (自动履行证明) issued in a case", access{Roles: everyone, Case: readCase})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.listCertificates)
}

func (s *Server) recordPayment(ctx context.Context, in *paymentInput) (*planOutput, error) {
	cmd := workflows.PaymentCommand{AmountFen: in.Body.AmountFen, PaidOn: in.Body.PaidOn, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
	return s.planUpdate(ctx, in.Plan, workflows.UpdateRecordPayment, in.IdempotencyKey, cmd)
}

func (s *Server) urgePerformance(ctx context.Context, in *urgeInput) (*planOutput, error) {
	cmd := workflows.UrgeCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
	return s.planUpdate(ctx, in.Plan, workflows.UpdateUrge, in.IdempotencyKey, cmd)
}

func (s *Server) settleBeforeEnforcement(ctx context.Context, in *preSettlementInput) (*planOutput, error) {
	cmd := workflows.PreEnforcementSettlementCommand{ConsentedBy: in.Body.ConsentedBy, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
	for _, i := range in.Body.Installments {
		cmd.Installments = append(cmd.Installments, workflows.Installment{DueOn: i.DueOn, AmountFen: i.AmountFen})
	}
	return s.planUpdate(ctx, in.Plan, workflows.UpdateSettleBeforeEnforcement, in.IdempotencyKey, cmd)
}

// planUpdate sends a command to a case's plan and answers with the plan
// after it. The workflow's validator decides; a refused command leaves no
// trace.
func (s *Server) planUpdate(ctx context.Context, planID, name, key string, cmd any) (*planOutput, error) {
	c := caseFrom(ctx)
	view, err := keyedUpdate[workflows.PlanView](ctx, s, workflows.PlanWorkflowID(c.ID, planID), name, key, cmd)
	if err == nil {
		return &planOutput{Body: PlanBody{PlanView: *view, Deadlines: s.withCalendars(ctx, view.Jurisdiction, view.Deadlines())}}, nil
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		// Either the plan never started or it has closed: the ledger says which.
		if _, perr := s.Store.Plan(ctx, c.ID, planID); perr == nil {
			return nil, huma.Error409Conflict("plan " + planID + " of case " + c.ID + " has closed")
		}
		return nil, huma.Error404NotFound("case " + c.ID + " has no plan " + planID)
	}
	return nil, s.problem(ctx, name, err)
}

// getPlan answers with the plan's live state, or, once its workflow can no
// longer be asked, with the ledger the read model kept.
func (s *Server) getPlan(ctx context.Context, in *planPath) (*planOutput, error) {
	c := caseFrom(ctx)
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	res, err := s.Temporal.QueryWorkflow(qctx, workflows.PlanWorkflowID(c.ID, in.Plan), "", workflows.QueryPlan)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return s.storedPlan(ctx, c.ID, in.Plan)
	case err != nil:
		return nil, s.problem(ctx, "read plan", err)
	}
	var view workflows.PlanView
	if err := res.Get(&view); err != nil {
		return nil, s.problem(ctx, "read plan", err)
	}
	view.Refresh(time.Now())
	return &planOutput{Body: PlanBody{PlanView: view, Deadlines: s.withCalendars(ctx, view.Jurisdiction, view.Deadlines())}}, nil
}

func (s *Server) storedPlan(ctx context.Context, caseID, planID string) (*planOutput, error) {
	p, err := s.Store.Plan(ctx, caseID, planID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, huma.Error404NotFound("case " + caseID + " has no plan " + planID)
	}
	if err != nil {
		return nil, s.problem(ctx, "read plan", err)
	}
	v := workflows.PlanView{
		CaseID: p.CaseID, PlanID: p.PlanID, Obligor: p.Obligor, Stage: p.Stage, OnTime: p.OnTime,
		StartedOn: p.StartedOn, ClosedOn: p.ClosedOn, TotalFen: p.TotalFen, PaidFen: p.PaidFen,
		OutstandingFen: p.TotalFen - p.PaidFen, OverpaidFen: p.OverpaidFen,
	}
	if p.Stage != workflows.PlanPerforming {
		v.Outcome = p.Stage
	}
	for _, l := range p.Installments {
		line := workflows.LedgerLine{
			No: l.No, DueOn: l.DueOn, AmountFen: l.AmountFen, PaidFen: l.PaidFen, OutstandingFen: l.AmountFen - l.PaidFen,
			State: l.State, PaidOn: l.PaidOn, RemindersSent: l.RemindersSent, GraceEndsOn: l.GraceEndsOn,
		}
		if l.State == workflows.InstallmentSuperseded {
			// A pre-enforcement settlement took over what it still owed.
			line.SupersededFen, line.OutstandingFen = line.OutstandingFen, 0
		}
		v.Installments = append(v.Installments, line)
		if l.State == workflows.InstallmentDefaulted {
			v.Defaulted = l.No
		}
	}
	certs, err := s.Store.Certificates(ctx, caseID)
	if err != nil {
		return nil, s.problem(ctx, "read plan", err)
	}
	for _, c := range certs {
		if c.PlanID == planID {
			v.Certificate = &workflows.Certificate{IssuedOn: c.IssuedOn, Obligor: c.Obligor, TotalFen: c.TotalFen, Body: c.Body}
		}
	}
	return &planOutput{Body: PlanBody{PlanView: v}}, nil
}

func (s *Server) listNotices(ctx context.Context, _ *caseIDInput) (*noticesOutput, error) {
	c := caseFrom(ctx)
	ns, err := s.Store.Notices(ctx, c.ID)
	if err != nil {
		return nil, s.problem(ctx, "list notices", err)
	}
	out := &noticesOutput{}
	out.Body.CaseID, out.Body.Notices = c.ID, ns
	return out, nil
}

func (s *Server) listCertificates(ctx context.Context, _ *caseIDInput) (*certificatesOutput, error) {
	c := caseFrom(ctx)
	cs, err := s.Store.Certificates(ctx, c.ID)
	if err != nil {
		return nil, s.problem(ctx, "list certificates", err)
	}
	out := &certificatesOutput{}
	out.Body.CaseID, out.Body.Certificates = c.ID, cs
	return out, nil
}
