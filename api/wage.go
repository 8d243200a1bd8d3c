package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// WageDebtorBody is the debtor of a wage arrears case.
type WageDebtorBody struct {
	ID   string `json:"id" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" doc:"The subject the debtor signs in as"`
	Name string `json:"name" minLength:"1" maxLength:"200" example:"某建筑劳务有限公司"`
}

// WageCreditorBody is one creditor (worker, farm household) and their debt.
type WageCreditorBody struct {
	ID       string `json:"id" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" doc:"The subject the creditor signs in as"`
	Name     string `json:"name" minLength:"1" maxLength:"200"`
	OwedFen  int64  `json:"owed_fen" minimum:"1" maximum:"100000000000000" doc:"What the debtor owes this creditor, in fen"`
	Hardship bool   `json:"hardship,omitempty" doc:"In hardship: paid first under hardship_first allocation"`
}

// StartWageBody opens a wage or rent arrears case (欠薪/欠租).
type StartWageBody struct {
	CaseNumber   string             `json:"case_number" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" example:"（2026）黔2301民特88号" doc:"The case number; the same number never opens two cases"`
	Jurisdiction string             `json:"jurisdiction,omitempty" maxLength:"50" example:"CN-52"`
	Debtor       WageDebtorBody     `json:"debtor"`
	Creditors    []WageCreditorBody `json:"creditors" minItems:"1" maxItems:"10000"`
	Schedule     []InstallmentBody  `json:"schedule" minItems:"1" maxItems:"120" doc:"What falls due in total per installment, in due-date order, summing exactly to the debts"`
	Allocation   string             `json:"allocation" enum:"pro_rata,hardship_first" doc:"How a partial payment is divided among the creditors"`
	Acceleration bool               `json:"acceleration,omitempty" doc:"A missed installment makes the whole remainder due"`
	Mediator     string             `json:"mediator,omitempty" maxLength:"100" doc:"The subject of the mediator assigned to supervise payment, if any"`
}

type startWageInput struct {
	Body StartWageBody
}

type wagePaymentInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		AmountFen int64       `json:"amount_fen" minimum:"1" maximum:"100000000000000" doc:"Amount the debtor paid, in fen; divided among the creditors by the case's rule, anything above the total owed kept as overpayment"`
		PaidOn    policy.Date `json:"paid_on" doc:"Legal calendar date of the payment; not in the future, not before the case opened"`
		Reason    string      `json:"reason,omitempty" maxLength:"2000"`
	}
}

type objectionInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000" doc:"The debtor's grounds for objecting to the payment order"`
	}
}

type wageCreditorsInput struct {
	ID     string `path:"id" maxLength:"64"`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"Creditors per page"`
	Cursor string `query:"cursor" maxLength:"20" pattern:"^[0-9]*$" doc:"next_cursor of the previous page"`
}

// WageCreditorLine is one line of the per-creditor ledger.
type WageCreditorLine struct {
	No             int         `json:"no"`
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	OwedFen        int64       `json:"owed_fen"`
	PaidFen        int64       `json:"paid_fen"`
	OutstandingFen int64       `json:"outstanding_fen"`
	Hardship       bool        `json:"hardship"`
	NextDueOn      policy.Date `json:"next_due_on" doc:"Due date of the earliest installment not yet paid, while this creditor is owed anything"`
}

type wageCreditorsOutput struct {
	Body struct {
		CaseID     string             `json:"case_id"`
		Creditors  []WageCreditorLine `json:"creditors"`
		NextCursor string             `json:"next_cursor,omitempty"`
		Totals     db.WageTotals      `json:"totals"`
	}
}

func (s *Server) registerWage(api huma.API) {
	op := operation("start-wage-case", http.MethodPost, "/cases/wage",
		"Open a wage or rent arrears case: one debtor, many creditors, an installment schedule", access{Roles: courts})
	op.DefaultStatus = http.StatusCreated
	op.Description += " Idempotent on the case number: a repeat answers 200 with the existing case; " +
		"another case under the same number is 409."
	op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.startWage)

	op = operation("record-wage-payment", http.MethodPost, "/cases/{id}/wage/payments",
		"Record a payment by the debtor, divided among the creditors", access{Roles: payers, Case: writeCase})
	op.Description += " The court or the assigned mediator records a payment; the debtor's own report is recorded, not credited. " +
		"Payment in full closes the case and stops escalation."
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.recordWagePayment)

	op = operation("object-payment-order", http.MethodPost, "/cases/{id}/wage/objection",
		"Object to the payment order (支付令异议) within the objection period; the case goes to litigation",
		access{Roles: []casefile.Role{casefile.RoleParty}, Case: writeCase})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.objectPaymentOrder)

	op = operation("list-wage-creditors", http.MethodGet, "/cases/{id}/wage/creditors",
		"Read the per-creditor ledger: owed, paid, outstanding, next due", access{Roles: everyone, Case: readCase})
	op.Description += " A creditor signed in as a party sees their own line only."
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusConflict)
	huma.Register(api, op, s.listWageCreditors)
}

func (s *Server) startWage(ctx context.Context, in *startWageInput) (*startOutput, error) {
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
	id := workflows.CaseID(number)
	input := workflows.WageInput{
		CaseID: id, CaseNumber: number, Court: p.Court, Jurisdiction: jurisdiction, Mediator: b.Mediator,
		Debtor: workflows.WageParty{ID: b.Debtor.ID, Name: b.Debtor.Name}, Allocation: b.Allocation,
		Acceleration: b.Acceleration, OpenedBy: p.Actor(), Clock: casetime.Clock{Scale: s.TimeScale},
	}
	for _, c := range b.Creditors {
		input.Creditors = append(input.Creditors, workflows.WageCreditor{ID: c.ID, Name: c.Name, OwedFen: c.OwedFen, Hardship: c.Hardship})
	}
	for _, i := range b.Schedule {
		input.Schedule = append(input.Schedule, workflows.Installment{DueOn: i.DueOn, AmountFen: i.AmountFen})
	}
	// The workflow checks again on its own clock; checking here answers
	// 422 without starting anything.
	if err := workflows.ValidateWage(input, policy.DateOf(time.Now())); err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	var total int64
	list := make([]db.WageListCreditor, len(input.Creditors))
	for i, c := range input.Creditors {
		total += c.OwedFen
		list[i] = db.WageListCreditor{ID: c.ID, Name: c.Name, OwedFen: c.OwedFen, Hardship: c.Hardship}
	}
	// The creditors travel by reference: staged under their digest, they
	// are copied into the case's ledger when it opens, and the workflow
	// carries only the reference. A list staged for a start that is then
	// refused is harmless: it belongs to no case.
	ref, err := s.Store.StageWageList(ctx, list)
	if err != nil {
		return nil, err
	}
	input.Creditors, input.CreditorList = nil, &ref
	return openCase(ctx, s, wageView, opening{
		caseID: id, caseNumber: number, workflowID: workflows.WageWorkflowID(id), workflow: workflows.Wage, input: input,
		sameCase: func(c casefile.Summary) bool {
			return c.Court == input.Court && c.Mediator == input.Mediator && c.ClaimFen == total
		},
		jurisdictions: []string{jurisdiction},
	})
}

func (s *Server) recordWagePayment(ctx context.Context, in *wagePaymentInput) (*caseOutput, error) {
	cmd := workflows.WagePaymentCommand{AmountFen: in.Body.AmountFen, PaidOn: in.Body.PaidOn, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
	return s.wageUpdate(ctx, workflows.UpdateRecordWagePayment, in.IdempotencyKey, cmd)
}

func (s *Server) objectPaymentOrder(ctx context.Context, in *objectionInput) (*caseOutput, error) {
	cmd := workflows.ObjectionCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
	return s.wageUpdate(ctx, workflows.UpdateObjectPaymentOrder, in.IdempotencyKey, cmd)
}

func (s *Server) wageUpdate(ctx context.Context, name, key string, cmd any) (*caseOutput, error) {
	return sendCommand(ctx, s, wageView, name, key, cmd)
}

// listWageCreditors pages through the per-creditor ledger in the read
// model; next_due_on comes from the installment ledger kept beside it.
func (s *Server) listWageCreditors(ctx context.Context, in *wageCreditorsInput) (*wageCreditorsOutput, error) {
	c := caseFrom(ctx)
	if c.Process != casefile.ProcessWage {
		return nil, huma.Error409Conflict("case " + c.ID + " is not a wage case")
	}
	after := 0
	if in.Cursor != "" {
		n, err := strconv.Atoi(in.Cursor)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity("cursor is not one this API gave")
		}
		after = n
	}
	var rows []db.WageCreditor
	p := principalFrom(ctx)
	debtorOrOfficial := p.Role != casefile.RoleParty || (len(c.Parties) > 0 && c.Parties[0] == p.Subject)
	switch {
	case debtorOrOfficial:
		var err error
		if rows, err = s.Store.WageCreditors(ctx, c.ID, after, in.Limit+1); err != nil {
			return nil, s.problem(ctx, "list wage creditors", err)
		}
	case after == 0:
		row, err := s.Store.WageCreditor(ctx, c.ID, p.Subject)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, s.problem(ctx, "list wage creditors", err)
		}
		if err == nil {
			rows = append(rows, row)
		}
	}
	out := &wageCreditorsOutput{}
	out.Body.CaseID, out.Body.Creditors = c.ID, []WageCreditorLine{}
	if len(rows) > in.Limit {
		rows = rows[:in.Limit]
		out.Body.NextCursor = strconv.Itoa(rows[len(rows)-1].No)
	}
	var next policy.Date
	if plan, err := s.Store.Plan(ctx, c.ID, "wage"); err == nil {
		for _, l := range plan.Installments {
			if l.PaidFen < l.AmountFen {
				next = l.DueOn
				break
			}
		}
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, s.problem(ctx, "list wage creditors", err)
	}
	for _, r := range rows {
		line := WageCreditorLine{No: r.No, ID: r.CreditorID, Name: r.Name, OwedFen: r.OwedFen, PaidFen: r.PaidFen,
			OutstandingFen: r.OwedFen - r.PaidFen, Hardship: r.Hardship}
		if line.OutstandingFen > 0 {
			line.NextDueOn = next
		}
		out.Body.Creditors = append(out.Body.Creditors, line)
	}
	if debtorOrOfficial {
		t, err := s.Store.WageTotals(ctx, c.ID)
		if err != nil {
			return nil, s.problem(ctx, "list wage creditors", err)
		}
		out.Body.Totals = t
	}
	return out, nil
}
