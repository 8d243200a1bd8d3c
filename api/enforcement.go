package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// EnforceableTitleBody is the document enforcement rests on (执行依据).
type EnforceableTitleBody struct {
	Kind           string           `json:"kind" enum:"confirmed_mediation_agreement,judgment,court_mediation,payment_order,labour_arbitration_mediation,notarised_debt"`
	DocumentNumber string           `json:"document_number" minLength:"1" maxLength:"100" example:"（2026）黔2301民特12号"`
	DocumentDate   policy.Date      `json:"document_date" doc:"Date of the document; it decides how the application window is counted"`
	SourceCaseID   string           `json:"source_case_id,omitempty" maxLength:"64" doc:"The casework case whose title is enforced, if any: a mediation case (confirmed_mediation_agreement) or a wage case whose payment order became enforceable (payment_order)"`
	DueDates       []policy.Date    `json:"due_dates,omitempty" maxItems:"120" doc:"Last day of the performance period, one per installment; taken from the source case's performance plan when omitted"`
	Interruptions  []policy.Date    `json:"interruptions,omitempty" maxItems:"50" doc:"Days the application period was interrupted (中断: a demand for performance, the obligor's agreement to perform); it runs anew from each"`
	Suspensions    []SuspensionBody `json:"suspensions,omitempty" maxItems:"50" doc:"Spans the obligee could not apply (中止); one arising in the period's last six months (policy) lets it run on six months after it ends"`
}

// SuspensionBody is a span in which the application period was suspended.
type SuspensionBody struct {
	From   policy.Date `json:"from"`
	To     policy.Date `json:"to"`
	Reason string      `json:"reason" minLength:"1" maxLength:"2000"`
}

// StartEnforcementBody applies for enforcement (申请执行) and opens the
// enforcement case.
type StartEnforcementBody struct {
	CaseNumber        string               `json:"case_number" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" example:"（2026）黔2301执1234号" doc:"The enforcement case number (执行案号); the same number never opens two cases"`
	Jurisdiction      string               `json:"jurisdiction,omitempty" maxLength:"50" example:"CN-52"`
	Title             EnforceableTitleBody `json:"title"`
	Applicant         string               `json:"applicant" minLength:"1" maxLength:"100" doc:"Party ID of the obligee applying (申请执行人)"`
	Respondent        string               `json:"respondent" minLength:"1" maxLength:"100" doc:"Party ID of the obligor (被执行人)"`
	AmountFen         int64                `json:"amount_fen" minimum:"1" maximum:"100000000000000" doc:"Amount to be enforced, in fen"`
	AppliedOn         policy.Date          `json:"applied_on,omitempty" doc:"Date of the application, in case time; defaults to today. It must fall within the application window"`
	Judge             string               `json:"judge,omitempty" maxLength:"100" doc:"Court subject assigned; defaults to the caller"`
	Parties           []PartyBody          `json:"parties" minItems:"2" maxItems:"1000"`
	Applicants        []ApplicantBody      `json:"applicants,omitempty" maxItems:"1000" doc:"Several applicants with their own claims (four worker representatives, eight claimants): each an applicant party, the first the applicant above, every applicant party among them, claims summing exactly to amount_fen; every payment is divided among what each is still owed. They are kept in PostgreSQL, their parties too, and the case refers to them; the case's enforcement.applicants shows each line and enforcement.parties each party"`
	Allocation        string               `json:"allocation,omitempty" enum:"pro_rata,hardship_first" doc:"How payments are divided among several applicants; pro_rata when omitted"`
	CostsFen          int64                `json:"costs_fen,omitempty" minimum:"0" maximum:"100000000000000" doc:"Costs owed besides the principal (执行费 and other costs of realising the claim), in fen"`
	InterestFen       int64                `json:"interest_fen,omitempty" minimum:"0" maximum:"100000000000000" doc:"Interest the title awards, in fen"`
	DelayInterestFrom policy.Date          `json:"delay_interest_from,omitempty" doc:"First day of delayed performance (the day after the performance period ends): from it interest for delayed performance (迟延履行利息) accrues on the principal outstanding at the policy's daily rate. A payment discharges costs, interest and principal in the policy's order"`
}

// ApplicantBody is one of several applicants' claims.
type ApplicantBody struct {
	ID        string `json:"id" minLength:"1" maxLength:"100"`
	AmountFen int64  `json:"amount_fen" minimum:"1" maximum:"100000000000000"`
	Hardship  bool   `json:"hardship,omitempty" doc:"Paid first under hardship_first"`
}

type startEnforcementInput struct {
	Body StartEnforcementBody
}

// FindingBody is one asset an inquiry or re-check found.
type FindingBody struct {
	AssetKind   string `json:"asset_kind" enum:"bank_deposit,movable,real_property,other_property_right"`
	Description string `json:"description" minLength:"1" maxLength:"500"`
	ValueFen    int64  `json:"value_fen" minimum:"0" maximum:"100000000000000"`
}

type inquiryInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		Found    bool          `json:"found" doc:"Whether property was found; true exactly when findings are listed"`
		Findings []FindingBody `json:"findings,omitempty" maxItems:"500"`
		Note     string        `json:"note,omitempty" maxLength:"2000"`
	}
}

type measureInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Kind        string `json:"kind" enum:"freeze,seizure,consumption_restriction,dishonest_list,detention,summons,fine,search"`
		AssetKind   string `json:"asset_kind,omitempty" maxLength:"50" doc:"Required for a freeze or seizure: bank_deposit, movable, real_property or other_property_right; it sets the term"`
		Description string `json:"description,omitempty" maxLength:"2000"`
		AmountFen   int64  `json:"amount_fen,omitempty" minimum:"0" maximum:"100000000000000" doc:"A fine's amount"`
		Days        int    `json:"days,omitempty" minimum:"0" maximum:"15" doc:"A detention's length in days, at most 15"`
		Reason      string `json:"reason,omitempty" maxLength:"2000"`
	}
}

type measureRefInput struct {
	ID             string `path:"id" maxLength:"64"`
	Measure        string `path:"measure" maxLength:"20" doc:"The measure's id, m1, m2, ..."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason,omitempty" maxLength:"2000" doc:"Required to lift a measure"`
	}
}

type enforcementPaymentInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		AmountFen int64       `json:"amount_fen" minimum:"1" maximum:"100000000000000" doc:"Amount collected for the applicant, in fen"`
		PaidOn    policy.Date `json:"paid_on"`
		Reason    string      `json:"reason,omitempty" maxLength:"2000"`
	}
}

type settlementInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Installments []InstallmentBody `json:"installments" minItems:"1" maxItems:"120" doc:"The outstanding amount in new installments, summing to it exactly"`
		Reason       string            `json:"reason,omitempty" maxLength:"2000"`
	}
}

type terminationInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000"`
	}
}

type recheckInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Found    bool          `json:"found"`
		Findings []FindingBody `json:"findings,omitempty" maxItems:"500"`
		Note     string        `json:"note,omitempty" maxLength:"2000"`
	}
}

func (s *Server) registerEnforcement(api huma.API) {
	op := operation("start-enforcement", http.MethodPost, "/cases/enforcement",
		"Open an enforcement case on an enforceable title (申请执行)", access{Roles: courts})
	op.DefaultStatus = http.StatusCreated
	op.Description += " The application must fall within the enforcement window counted under the policy " +
		"(from the last installment's due date, or for older documents from each installment's own); " +
		"out of time it is refused with 422 naming the rule and the last day. Idempotent on the case number."
	op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.startEnforcement)

	onCase := access{Roles: courts, Case: writeCase}
	huma.Register(api, command(operation("record-property-inquiry", http.MethodPost, "/cases/{id}/enforcement/inquiries",
		"Record a property inquiry (网络查控) and what it found", onCase)),
		func(ctx context.Context, in *inquiryInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateRecordInquiry, in.IdempotencyKey, workflows.InquiryCommand{
				Found: in.Body.Found, Findings: findings(in.Body.Findings), Note: in.Body.Note, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("order-enforcement-measure", http.MethodPost, "/cases/{id}/enforcement/measures",
		"Order a measure: freeze, seizure, consumption restriction, dishonest-debtor list, detention, summons, fine or search", onCase)),
		func(ctx context.Context, in *measureInput) (*caseOutput, error) {
			b := in.Body
			return s.enforcementUpdate(ctx, workflows.UpdateOrderMeasure, in.IdempotencyKey, workflows.MeasureCommand{
				Kind: b.Kind, AssetKind: b.AssetKind, Description: b.Description, AmountFen: b.AmountFen, Days: b.Days,
				Reason: b.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("renew-enforcement-measure", http.MethodPost, "/cases/{id}/enforcement/measures/{measure}/renewal",
		"Renew a freeze or seizure before it expires (续行)", onCase)),
		func(ctx context.Context, in *measureRefInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateRenewMeasure, in.IdempotencyKey, workflows.MeasureRefCommand{
				MeasureID: in.Measure, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("lift-enforcement-measure", http.MethodPost, "/cases/{id}/enforcement/measures/{measure}/lifting",
		"Lift a measure, with the reason", onCase)),
		func(ctx context.Context, in *measureRefInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateLiftMeasure, in.IdempotencyKey, workflows.MeasureRefCommand{
				MeasureID: in.Measure, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-enforcement-payment", http.MethodPost, "/cases/{id}/enforcement/payments",
		"Record money collected for the applicant; paid in full, enforcement is completed (执行完毕) and the debtor's credit repaired", onCase)),
		func(ctx context.Context, in *enforcementPaymentInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateRecordEnforcementPayment, in.IdempotencyKey, workflows.EnforcementPaymentCommand{
				AmountFen: in.Body.AmountFen, PaidOn: in.Body.PaidOn, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-enforcement-settlement", http.MethodPost, "/cases/{id}/enforcement/settlement",
		"Record a settlement during enforcement (执行和解): the outstanding amount in new installments, supervised as plan settlement-N", onCase)),
		func(ctx context.Context, in *settlementInput) (*caseOutput, error) {
			cmd := workflows.SettleCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()}
			for _, i := range in.Body.Installments {
				cmd.Installments = append(cmd.Installments, workflows.Installment{DueOn: i.DueOn, AmountFen: i.AmountFen})
			}
			return s.enforcementUpdate(ctx, workflows.UpdateSettle, in.IdempotencyKey, cmd)
		})
	huma.Register(api, command(operation("terminate-enforcement-round", http.MethodPost, "/cases/{id}/enforcement/termination",
		"Terminate this round of enforcement (终本) when the latest inquiry found no property; re-checks follow", onCase)),
		func(ctx context.Context, in *terminationInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateTerminateRound, in.IdempotencyKey, workflows.TerminateRoundCommand{
				Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-property-recheck", http.MethodPost, "/cases/{id}/enforcement/rechecks",
		"Record a property re-check after termination; property found resumes enforcement", onCase)),
		func(ctx context.Context, in *recheckInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateRecordRecheck, in.IdempotencyKey, workflows.RecheckCommand{
				Found: in.Body.Found, Findings: findings(in.Body.Findings), Note: in.Body.Note, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-enforcement-follow-up", http.MethodPost, "/cases/{id}/enforcement/follow-ups",
		"Record the earliest due follow-up visit (回访) of a completed enforcement: whether performance holds", onCase)),
		func(ctx context.Context, in *followUpInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateRecordEnforcementVisit, in.IdempotencyKey,
				workflows.FollowUpCommand{Holds: in.Body.Holds, Note: in.Body.Note, Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("grant-standstill", http.MethodPost, "/cases/{id}/enforcement/standstill",
		"Hold enforcement until a day (暂缓执行), every applicant agreeing, at most the policy's longest standstill: measures are suspended and none is ordered, payments are still credited; when its last day ends the measures resume or are lifted", onCase)),
		func(ctx context.Context, in *standstillInput) (*caseOutput, error) {
			return s.enforcementUpdate(ctx, workflows.UpdateStandstill, in.IdempotencyKey, workflows.StandstillCommand{
				Until: in.Body.Until, Reason: in.Body.Reason, AgreedBy: in.Body.AgreedBy, OnEnd: in.Body.OnEnd, Actor: principalFrom(ctx).Actor(),
			})
		})
}

type standstillInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Until    policy.Date `json:"until" doc:"The standstill's last day"`
		Reason   string      `json:"reason" minLength:"1" maxLength:"2000"`
		AgreedBy []string    `json:"agreed_by" minItems:"1" maxItems:"1000" doc:"Every applicant, agreeing"`
		OnEnd    string      `json:"on_end" enum:"resume,lift" doc:"Whether the suspended measures resume or are lifted when it ends"`
	}
}

func findings(bs []FindingBody) []workflows.Finding {
	var out []workflows.Finding
	for _, b := range bs {
		out = append(out, workflows.Finding{AssetKind: b.AssetKind, Description: b.Description, ValueFen: b.ValueFen})
	}
	return out
}

// registry is the policy registry the API checks periods with.
func (s *Server) registry() (*policy.Registry, error) {
	if s.Policies != nil {
		return s.Policies, nil
	}
	return policy.Default()
}

func (s *Server) startEnforcement(ctx context.Context, in *startEnforcementInput) (*startOutput, error) {
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
	parties := make([]workflows.Party, len(b.Parties))
	sides := map[string]string{}
	for i, bp := range b.Parties {
		parties[i] = workflows.Party{ID: bp.ID, Name: bp.Name, Side: bp.Side}
		sides[bp.ID] = bp.Side
	}
	if sides[b.Applicant] != workflows.SideApplicant {
		return nil, huma.Error422UnprocessableEntity("applicant " + b.Applicant + " is not listed as an applicant party")
	}
	if sides[b.Respondent] != workflows.SideRespondent {
		return nil, huma.Error422UnprocessableEntity("respondent " + b.Respondent + " is not listed as a respondent party")
	}
	var applicants []workflows.ApplicantClaim
	for _, a := range b.Applicants {
		applicants = append(applicants, workflows.ApplicantClaim{ID: a.ID, AmountFen: a.AmountFen, Hardship: a.Hardship})
	}
	if len(applicants) > 0 && applicants[0].ID != b.Applicant {
		return nil, huma.Error422UnprocessableEntity("the first of the applicants must be the applicant " + b.Applicant)
	}
	if err := workflows.ValidateApplicants(applicants, b.Allocation, b.AmountFen, sides); err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	if err := workflows.ValidateDebt(b.CostsFen, b.InterestFen, b.DelayInterestFrom, b.Title.DocumentDate, len(applicants)); err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	if len(applicants) > 0 {
		// By reference, the applicants are the applicant parties: each
		// needs its claim.
		claimed := map[string]bool{}
		for _, a := range applicants {
			claimed[a.ID] = true
		}
		for _, bp := range b.Parties {
			if bp.Side == workflows.SideApplicant && !claimed[bp.ID] {
				return nil, huma.Error422UnprocessableEntity("applicant party " + bp.ID + " has no claim among the applicants")
			}
		}
	}
	judge := b.Judge
	if judge == "" {
		judge = p.Subject
	}
	title := workflows.EnforceableTitle{
		Kind: b.Title.Kind, DocumentNumber: strings.TrimSpace(b.Title.DocumentNumber), DocumentDate: b.Title.DocumentDate,
		SourceCaseID: b.Title.SourceCaseID, DueDates: b.Title.DueDates, Interruptions: b.Title.Interruptions,
	}
	for _, sp := range b.Title.Suspensions {
		title.Suspensions = append(title.Suspensions, workflows.Suspension{From: sp.From, To: sp.To, Reason: sp.Reason})
	}
	// A case started from a casework case runs on that case's clock, so
	// its dates continue the source's case time.
	clock := casetime.Clock{Scale: s.TimeScale}
	if title.SourceCaseID != "" {
		src, err := s.enforcementSource(ctx, b, title)
		if err != nil {
			return nil, err
		}
		clock = src.Summary.Clock
		title.SourcePlanID = src.planID
		if len(title.DueDates) == 0 {
			title.DueDates = src.dueDates
		}
	}
	if err := workflows.ValidateTitle(title); err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}

	now := time.Now()
	today := policy.DateOf(now)
	if !clock.RealEpoch.IsZero() {
		today = policy.DateOf(clock.CaseTime(now))
	}
	applied := b.AppliedOn
	if applied.IsZero() {
		applied = today
	}
	switch {
	case applied.After(today):
		return nil, huma.Error422UnprocessableEntity(fmt.Sprintf("applied_on %s is in the future (today is %s)", applied, today))
	case applied.Before(title.DocumentDate):
		return nil, huma.Error422UnprocessableEntity(fmt.Sprintf("applied_on %s is before the document date %s", applied, title.DocumentDate))
	}
	if err := s.checkWindow(ctx, jurisdiction, title, applied); err != nil {
		return nil, err
	}

	id := workflows.CaseID(number)
	wfID := workflows.EnforcementWorkflowID(id)
	input := workflows.EnforcementInput{
		CaseID: id, CaseNumber: number, Court: p.Court, Jurisdiction: jurisdiction, Title: title,
		Applicant: b.Applicant, Respondent: b.Respondent, Allocation: b.Allocation,
		CostsFen: b.CostsFen, InterestFen: b.InterestFen, DelayInterestFrom: b.DelayInterestFrom,
		AmountFen: b.AmountFen, AppliedOn: applied,
		Parties: parties, Judge: judge, StartedBy: p.Actor(), Clock: clock,
	}
	if len(applicants) > 0 {
		// Several applicants travel by reference, as a wage case's
		// creditors do: staged under their digest, copied into the case's
		// creditor ledger when it opens; the workflow carries the
		// reference. A list staged for a start then refused belongs to no
		// case.
		names := map[string]string{}
		for _, bp := range b.Parties {
			names[bp.ID] = bp.Name
		}
		list := make([]db.WageListCreditor, len(applicants))
		for i, a := range applicants {
			list[i] = db.WageListCreditor{ID: a.ID, Name: names[a.ID], OwedFen: a.AmountFen, Hardship: a.Hardship}
		}
		// The workflow can check the applicant only against the parties it
		// is sent, which no longer hold the applicants: the applicant must
		// be the staged list's first line, as it is sent.
		if list[0].ID != b.Applicant {
			return nil, huma.Error422UnprocessableEntity("the first of the applicants must be the applicant " + b.Applicant)
		}
		ref, err := s.Store.StageWageList(ctx, list)
		if err != nil {
			return nil, s.problem(ctx, "stage the applicants", err)
		}
		input.ApplicantList = &ref
		// The applicant parties are the list's lines, names and all (each
		// has its claim and every claim is an applicant party's): the
		// workflow is sent only the others, and reads the applicants from
		// the store when it needs them.
		input.Parties = slices.DeleteFunc(slices.Clone(parties), func(p workflows.Party) bool { return p.Side == workflows.SideApplicant })
		input.ApplicantPartiesByList = true
	}
	return openCase(ctx, s, enforcementView, opening{
		caseID: id, caseNumber: number, workflowID: wfID, workflow: workflows.Enforcement, input: input,
		sameCase:      func(c casefile.Summary) bool { return c.Court == input.Court && c.ClaimFen == input.AmountFen },
		jurisdictions: []string{jurisdiction},
	})
}

// checkWindow refuses an application out of time, naming the rule and the
// last day; the workflow counts the same window again with the worker's
// policy.
func (s *Server) checkWindow(ctx context.Context, jurisdiction string, title workflows.EnforceableTitle, applied policy.Date) error {
	reg, err := s.registryInForce(ctx)
	if err != nil {
		return s.problem(ctx, "read the policy registry", err)
	}
	pol, err := reg.Policy(jurisdiction)
	if err != nil {
		return huma.Error422UnprocessableEntity(err.Error())
	}
	cal, err := reg.Calendar(jurisdiction)
	if err != nil {
		return huma.Error422UnprocessableEntity(err.Error())
	}
	w, err := workflows.ComputeEnforcementWindow(pol, title, func(from policy.Date, per policy.Period) (policy.Date, error) {
		return cal.Deadline(from, per), nil
	})
	if err == nil {
		err = w.Check(applied)
	}
	if err != nil {
		return huma.Error422UnprocessableEntity(err.Error())
	}
	return nil
}

// enforcementSourceCase is a casework case whose title is enforced.
type enforcementSourceCase struct {
	Summary  casefile.Summary
	dueDates []policy.Date
	// planID is the mediation case's current performance plan (another
	// than performance once the court restarted a failed one); empty for
	// a wage case.
	planID string
}

// liveStage is the stage a case's workflow holds now: the ledger's row is
// written a moment after the workflow moves (a timer that made a payment
// order enforceable), so a stage the row does not yet show is read from
// the case itself; the row's stage when the workflow cannot answer.
func (s *Server) liveStage(ctx context.Context, c casefile.Summary) string {
	out := &caseOutput{Body: CaseBody{Summary: c}}
	switch c.Process {
	case casefile.ProcessMediation:
		if o, err := queryView(ctx, s, mediationView, out); err == nil && o.Body.Mediation != nil {
			return o.Body.Mediation.Stage
		}
	case casefile.ProcessWage:
		if o, err := queryView(ctx, s, wageView, out); err == nil && o.Body.Wage != nil {
			return o.Body.Wage.Stage
		}
	}
	return c.Stage
}

// enforcementSource checks, through the read model, that the source case
// exists, is the caller's, is a mediation case whose agreement was
// confirmed (in performance or in default) and names the same parties; and
// reads the due dates of its performance plan.
func (s *Server) enforcementSource(ctx context.Context, b StartEnforcementBody, title workflows.EnforceableTitle) (enforcementSourceCase, error) {
	var out enforcementSourceCase
	src, err := s.Store.Case(ctx, title.SourceCaseID)
	if errors.Is(err, db.ErrNotFound) {
		return out, huma.Error422UnprocessableEntity("source case " + title.SourceCaseID + " does not exist")
	}
	if err != nil {
		return out, s.problem(ctx, "read source case", err)
	}
	if !mayAccess(principalFrom(ctx), src) {
		return out, huma.Error403Forbidden("source case " + src.ID + " is outside your cases")
	}
	planID := workflows.PerformancePlanID
	switch {
	case src.Process == casefile.ProcessMediation && title.Kind == workflows.TitleConfirmedMediationAgreement:
		if src.Stage != workflows.StageDefaulted && src.Stage != workflows.StagePerforming {
			src.Stage = s.liveStage(ctx, src)
		}
		if src.Stage != workflows.StageDefaulted && src.Stage != workflows.StagePerforming {
			return out, huma.Error409Conflict("source case " + src.ID + " is " + src.Stage +
				"; enforcement needs a judicially confirmed agreement in performance or in default")
		}
		// After a restart the case is supervised by another plan than
		// performance: its own view names it. Unreadable, the case runs
		// its first plan, or Temporal is down and the start fails anyway.
		if o, err := queryView(ctx, s, mediationView, &caseOutput{Body: CaseBody{Summary: src}}); err == nil &&
			o.Body.Mediation != nil && o.Body.Mediation.Performance != nil && o.Body.Mediation.Performance.PlanID != "" {
			planID = o.Body.Mediation.Performance.PlanID
		}
	case src.Process == casefile.ProcessWage && title.Kind == workflows.TitlePaymentOrder:
		// A wage case whose payment order met no objection (支付令生效).
		if src.Stage != workflows.WageEnforceable {
			src.Stage = s.liveStage(ctx, src)
		}
		if src.Stage != workflows.WageEnforceable {
			return out, huma.Error409Conflict("source case " + src.ID + " is " + src.Stage +
				"; enforcement needs a payment order that has become enforceable")
		}
		// The order is payable within its objection period: that is the
		// due date the application window runs from.
		if len(title.DueDates) == 0 {
			w, err := queryView(ctx, s, wageView, &caseOutput{Body: CaseBody{Summary: src}})
			if err != nil {
				return out, err
			}
			if w.Body.Wage == nil || w.Body.Wage.PaymentOrder == nil {
				return out, huma.Error409Conflict("source case " + src.ID + " has no payment order to enforce")
			}
			out.dueDates = []policy.Date{w.Body.Wage.PaymentOrder.ObjectionBy}
		}
		planID = ""
	default:
		return out, huma.Error422UnprocessableEntity("a casework source case must be a mediation case enforced as a " +
			workflows.TitleConfirmedMediationAgreement + " or a wage case enforced as a " + workflows.TitlePaymentOrder)
	}
	for _, party := range []string{b.Applicant, b.Respondent} {
		if !slices.Contains(src.Parties, party) {
			return out, huma.Error422UnprocessableEntity("party " + party + " is not a party to source case " + src.ID)
		}
	}
	out.Summary, out.planID = src, planID
	if len(title.DueDates) == 0 && planID != "" {
		plan, err := s.Store.Plan(ctx, src.ID, planID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return out, s.problem(ctx, "read source plan", err)
		}
		for _, l := range plan.Installments {
			out.dueDates = append(out.dueDates, l.DueOn)
		}
	}
	return out, nil
}

func (s *Server) enforcementUpdate(ctx context.Context, name, key string, cmd any) (*caseOutput, error) {
	return sendCommand(ctx, s, enforcementView, name, key, cmd)
}

// withApplicants adds to the view of a case whose applicants travel by
// reference each applicant's line and party, read from the creditor
// ledger in the store; the workflow holds their totals only.
func withApplicants(ctx context.Context, s *Server, caseID string, v *workflows.EnforcementView) error {
	l := v.ApplicantList
	if l == nil {
		return nil
	}
	rows, err := s.Store.WageCreditors(ctx, caseID, 0, l.Creditors)
	if err != nil {
		return fmt.Errorf("applicants of %s: %w", caseID, err)
	}
	for _, r := range rows {
		v.Applicants = append(v.Applicants, workflows.ApplicantLine{
			ID: r.CreditorID, AmountFen: r.OwedFen, Hardship: r.Hardship, CollectedFen: r.PaidFen, OutstandingFen: r.OwedFen - r.PaidFen,
		})
		v.Parties = append(v.Parties, workflows.Party{ID: r.CreditorID, Name: r.Name, Side: workflows.SideApplicant})
	}
	return nil
}
