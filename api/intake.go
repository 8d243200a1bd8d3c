package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
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

// Intake and supervision (seed 004: 点单、接单、派单、办单、评单). The centre's
// window (a dispatcher) registers a dispute and dispatches it; the handler,
// a mediator or a court, accepts or returns it and records the outcome; the
// window, the handler or the case leader re-grades its risk; the window
// keeps the case-leader record and follows up; each party rates; a court
// converts a dispute that needs a court process into a mediation case.
var (
	dispatchers = []casefile.Role{casefile.RoleDispatcher}
	// intakeHandlers accept, return and record the outcome of a dispute
	// dispatched to them.
	intakeHandlers = []casefile.Role{casefile.RoleMediator, casefile.RoleCourt}
	// regraders may re-grade a dispute's risk; the workflow checks the
	// handler is the dispute's and the supervisor its case leader.
	regraders = []casefile.Role{casefile.RoleDispatcher, casefile.RoleMediator, casefile.RoleCourt, casefile.RoleSupervisor}
	// caseLeaderKeepers keep the case-leader record: the window, or the
	// case leader handing over.
	caseLeaderKeepers = []casefile.Role{casefile.RoleDispatcher, casefile.RoleSupervisor}
	// monthlyReaders read the monthly list of overdue disputes the joint
	// meeting reviews (月度联席会议).
	monthlyReaders = []casefile.Role{casefile.RoleDispatcher, casefile.RoleSupervisor, casefile.RoleAuditor, casefile.RoleCourt}
	// boundaryConverters convert a dispute into a boundary negotiation: a
	// court, or the dispute's case leader (a supervisor acts only on a case
	// they lead).
	boundaryConverters = []casefile.Role{casefile.RoleCourt, casefile.RoleSupervisor}
)

// IntakePartyBody is a party to a dispute received at the window.
type IntakePartyBody struct {
	ID   string `json:"id" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" doc:"The subject the party signs in as (to rate the handling)"`
	Name string `json:"name" minLength:"1" maxLength:"200"`
	Side string `json:"side" enum:"applicant,respondent"`
}

// StartIntakeBody registers a dispute received at the window (点单).
type StartIntakeBody struct {
	CaseNumber   string            `json:"case_number" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" example:"埇桥矛调登〔2026〕1号" doc:"The registration number; the same number never opens two cases"`
	Jurisdiction string            `json:"jurisdiction,omitempty" maxLength:"50" example:"CN-34" doc:"Jurisdiction of the centre; defaults to the dispatcher's"`
	Channel      string            `json:"channel" enum:"visit,call,referral,online" doc:"How the request came in"`
	Parties      []IntakePartyBody `json:"parties" minItems:"1" maxItems:"200"`
	Summary      string            `json:"summary" minLength:"1" maxLength:"5000" doc:"What the dispute is about"`
	Risk         string            `json:"risk" enum:"green,yellow,red" doc:"Risk grade (风险等级)"`
	Urgency      string            `json:"urgency" minLength:"1" maxLength:"50" example:"ordinary" doc:"Urgency tier, one of the policy's intake tiers (CN: urgent, priority, ordinary)"`
}

type startIntakeInput struct {
	Body StartIntakeBody
}

type dispatchInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retried request with the same key takes effect once"`
	Body           struct {
		Kind    string `json:"kind" enum:"mediation_committee,township,court,department" doc:"The kind of unit handling it"`
		Unit    string `json:"unit" minLength:"1" maxLength:"200" example:"城关镇综治中心"`
		Handler string `json:"handler" minLength:"1" maxLength:"100" doc:"The subject who accepts and handles it: a mediator, or for a court unit a court user"`
		Note    string `json:"note,omitempty" maxLength:"2000"`
	}
}

type intakeReasonInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000"`
	}
}

type regradeInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Risk   string `json:"risk" enum:"green,yellow,red"`
		Hard   bool   `json:"hard,omitempty" doc:"A hard case (疑难复杂): it needs a case-leader record whatever its grade"`
		Reason string `json:"reason" minLength:"1" maxLength:"2000"`
	}
}

type intakeCaseLeaderInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		LeadDepartment   string   `json:"lead_department" minLength:"1" maxLength:"200" doc:"牵头部门"`
		Leader           string   `json:"leader" minLength:"1" maxLength:"100" doc:"The supervisor subject leading the case (包案领导)"`
		CooperatingUnits []string `json:"cooperating_units,omitempty" maxItems:"50" doc:"配合单位"`
		Measures         string   `json:"measures" minLength:"1" maxLength:"5000" doc:"工作措施"`
	}
}

type intakeOutcomeInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Outcome string `json:"outcome" enum:"resolved,not_resolved,needs_court"`
		Note    string `json:"note,omitempty" maxLength:"5000" doc:"Required unless resolved"`
	}
}

type intakeFollowUpInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Holds bool   `json:"holds" doc:"Whether the outcome holds"`
		Note  string `json:"note,omitempty" maxLength:"2000" doc:"Required when it does not hold"`
	}
}

type ratingInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Score   int    `json:"score" minimum:"1" maximum:"5"`
		Comment string `json:"comment,omitempty" maxLength:"2000"`
	}
}

type convertInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		CaseNumber   string `json:"case_number" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" example:"（2026）皖1302民诉前调7号" doc:"The mediation case's number (案号)"`
		Organisation string `json:"organisation" minLength:"1" maxLength:"200"`
		Mediator     string `json:"mediator" minLength:"1" maxLength:"100"`
		ClaimFen     int64  `json:"claim_fen" minimum:"0" maximum:"100000000000000" doc:"Amount claimed, in fen"`
		Subject      string `json:"subject,omitempty" maxLength:"2000" doc:"Defaults to the dispute's summary"`
	}
}

type jointReviewInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		Month        string      `json:"month,omitempty" maxLength:"7" example:"2026-03" doc:"The month whose overdue list the meeting reviewed, YYYY-MM; defaults to the meeting's month"`
		MeetingOn    policy.Date `json:"meeting_on" doc:"The day of the joint meeting, case time; not after today, after the handling deadline passed"`
		Participants []string    `json:"participants" minItems:"1" maxItems:"50" doc:"The units and people who took part (参会单位、人员)"`
		Decision     string      `json:"decision" enum:"redispatch,assign_case_leader,new_resolution_date,refer_to_court" doc:"What the meeting decided; carrying it out takes that command"`
		ResolveBy    policy.Date `json:"resolve_by,omitzero" doc:"The new resolution date, for new_resolution_date only; after today"`
		Reason       string      `json:"reason" minLength:"1" maxLength:"2000"`
	}
}

// BoundaryConversionPartyBody is what a boundary case needs of one of the
// dispute's parties.
type BoundaryConversionPartyBody struct {
	ID             string `json:"id" minLength:"1" maxLength:"100" doc:"A party of the dispute"`
	Jurisdiction   string `json:"jurisdiction" minLength:"2" maxLength:"50" example:"CN-15-ALS"`
	Representative string `json:"representative" minLength:"1" maxLength:"200" doc:"Who represents and signs for the party"`
}

type convertBoundaryInput struct {
	ID             string `path:"id" maxLength:"64"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           struct {
		CaseNumber string                        `json:"case_number" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]+$" doc:"The boundary case's number"`
		Title      string                        `json:"title,omitempty" maxLength:"500" doc:"Defaults to the dispute's summary"`
		Since      int                           `json:"since,omitempty" minimum:"0" maximum:"2200" doc:"The year the dispute began"`
		Organiser  string                        `json:"organiser" minLength:"1" maxLength:"100" doc:"Mediator subject organising the negotiation"`
		CaseLeader string                        `json:"case_leader,omitempty" maxLength:"100" doc:"Supervisor subject leading the boundary case"`
		Parties    []BoundaryConversionPartyBody `json:"parties" minItems:"2" maxItems:"50" doc:"Every party of the dispute, each once"`
	}
}

func (s *Server) registerIntake(api huma.API) {
	op := operation("start-intake", http.MethodPost, "/cases/intake",
		"Register a dispute received at the one window (点单): parties, summary, risk grade, urgency tier", access{Roles: dispatchers})
	op.DefaultStatus = http.StatusCreated
	op.Description += " Idempotent on the registration number: a repeat answers 200 with the existing case; " +
		"another dispute under the same number is 409."
	op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.startIntake)

	huma.Register(api, command(operation("dispatch-intake", http.MethodPost, "/cases/{id}/intake/dispatch",
		"Dispatch the dispute to a handler (派单); again once it was returned or its handling is overdue; the handling period of its urgency tier runs from today",
		access{Roles: dispatchers, Case: writeCase})),
		func(ctx context.Context, in *dispatchInput) (*caseOutput, error) {
			b := in.Body
			role := casefile.RoleMediator
			if b.Kind == workflows.HandlerCourt {
				role = casefile.RoleCourt
			}
			return s.intakeUpdate(ctx, workflows.UpdateIntakeDispatch, in.IdempotencyKey, workflows.DispatchCommand{
				Handler: workflows.IntakeHandler{Kind: b.Kind, Unit: b.Unit, Subject: b.Handler, Role: role},
				Note:    b.Note, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("accept-intake", http.MethodPost, "/cases/{id}/intake/accept",
		"Accept the dispute dispatched to you (接单)", access{Roles: intakeHandlers, Case: writeCase})),
		func(ctx context.Context, in *reasonInput) (*caseOutput, error) {
			return s.intakeUpdate(ctx, workflows.UpdateIntakeAccept, in.IdempotencyKey, workflows.AcceptCommand{Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("return-intake", http.MethodPost, "/cases/{id}/intake/return",
		"Return the dispute dispatched to you, with the reason, for the window to dispatch it again", access{Roles: intakeHandlers, Case: writeCase})),
		func(ctx context.Context, in *intakeReasonInput) (*caseOutput, error) {
			return s.intakeUpdate(ctx, workflows.UpdateIntakeReturn, in.IdempotencyKey, workflows.ReturnCommand{Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor()})
		})
	huma.Register(api, command(operation("regrade-intake", http.MethodPost, "/cases/{id}/intake/regrade",
		"Re-grade the dispute's risk, with the reason: the window, the handler or the case leader; a grade the policy names moves it to a more urgent tier",
		access{Roles: regraders, Case: writeCase})),
		func(ctx context.Context, in *regradeInput) (*caseOutput, error) {
			return s.intakeUpdate(ctx, workflows.UpdateIntakeRegrade, in.IdempotencyKey, workflows.RegradeCommand{
				Risk: in.Body.Risk, Hard: in.Body.Hard, Reason: in.Body.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-intake-case-leader", http.MethodPost, "/cases/{id}/intake/case-leader",
		"Record the case-leader record of a red or hard dispute (领导包案, 一案一档): lead department, leader, cooperating units, measures; the resolution deadline comes from the policy",
		access{Roles: caseLeaderKeepers, Case: writeCase})),
		func(ctx context.Context, in *intakeCaseLeaderInput) (*caseOutput, error) {
			b := in.Body
			return s.intakeUpdate(ctx, workflows.UpdateIntakeCaseLeader, in.IdempotencyKey, workflows.CaseLeaderCommand{
				LeadDepartment: b.LeadDepartment, Leader: b.Leader, CooperatingUnits: b.CooperatingUnits, Measures: b.Measures,
				Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-intake-outcome", http.MethodPost, "/cases/{id}/intake/outcome",
		"Record the outcome of the dispute you accepted (办单): resolved, not_resolved or needs_court", access{Roles: intakeHandlers, Case: writeCase})),
		func(ctx context.Context, in *intakeOutcomeInput) (*caseOutput, error) {
			return s.intakeUpdate(ctx, workflows.UpdateIntakeOutcome, in.IdempotencyKey, workflows.IntakeOutcomeCommand{
				Outcome: in.Body.Outcome, Note: in.Body.Note, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("record-intake-follow-up", http.MethodPost, "/cases/{id}/intake/follow-ups",
		"Record the earliest due follow-up visit (回访) of the centre", access{Roles: dispatchers, Case: writeCase})),
		func(ctx context.Context, in *intakeFollowUpInput) (*caseOutput, error) {
			return s.intakeUpdate(ctx, workflows.UpdateIntakeFollowUp, in.IdempotencyKey, workflows.FollowUpCommand{
				Holds: in.Body.Holds, Note: in.Body.Note, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("rate-intake", http.MethodPost, "/cases/{id}/intake/rating",
		"Rate the handling (评单), 1 to 5 with a comment, within the policy's rating window; once per party", access{Roles: parties, Case: writeCase})),
		func(ctx context.Context, in *ratingInput) (*caseOutput, error) {
			return s.intakeUpdate(ctx, workflows.UpdateIntakeRate, in.IdempotencyKey, workflows.RateCommand{
				Score: in.Body.Score, Comment: in.Body.Comment, Actor: principalFrom(ctx).Actor(),
			})
		})
	huma.Register(api, command(operation("convert-intake", http.MethodPost, "/cases/{id}/intake/convert",
		"Convert a dispute that needs a court process into a Process 1 mediation case (委派调解), linked both ways",
		access{Roles: courts, Case: writeCase})),
		s.convertIntake)
	huma.Register(api, command(operation("convert-intake-boundary", http.MethodPost, "/cases/{id}/intake/convert-boundary",
		"Convert a dispute into a Process 2 boundary-dispute negotiation (边界纠纷): a court, or the dispute's case leader; linked both ways",
		access{Roles: boundaryConverters, Case: writeCase})),
		s.convertIntakeBoundary)
	huma.Register(api, command(operation("record-intake-joint-review", http.MethodPost, "/cases/{id}/intake/joint-review",
		"Record the monthly joint meeting's review of an overdue dispute (月度联席会议): the meeting's day, participants, decision and reason; once per month reviewed",
		access{Roles: dispatchers, Case: writeCase})),
		func(ctx context.Context, in *jointReviewInput) (*caseOutput, error) {
			b := in.Body
			return s.intakeUpdate(ctx, workflows.UpdateIntakeJointReview, in.IdempotencyKey, workflows.JointReviewCommand{
				Month: b.Month, MeetingOn: b.MeetingOn, Participants: b.Participants, Decision: b.Decision,
				ResolveBy: b.ResolveBy, Reason: b.Reason, Actor: principalFrom(ctx).Actor(),
			})
		})

	op = operation("list-intake-weekly", http.MethodGet, "/intake/weekly",
		"The weekly list of intake disputes (台账): stock, new, changed and closed out (销号) in one ISO week, in case dates",
		access{Roles: everyone})
	op.Tags = []string{"ledger"}
	op.Errors = append(op.Errors, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.intakeWeekly)

	op = operation("list-intake-monthly", http.MethodGet, "/intake/monthly",
		"The monthly list of overdue intake disputes the joint meeting reviews (月度联席会议): each dispute overdue at some time in the month, "+
			"with its handler, tier, deadline, days overdue, risk grade, case leader and the meeting's review, and exact counts",
		access{Roles: monthlyReaders})
	op.Tags = []string{"ledger"}
	op.Errors = append(op.Errors, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.intakeMonthly)
}

type monthlyInput struct {
	Month        string `query:"month" maxLength:"7" example:"2026-03" doc:"A month, YYYY-MM; defaults to this month"`
	Jurisdiction string `query:"jurisdiction" maxLength:"64" pattern:"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$" doc:"A jurisdiction and its subdivisions; defaults to the caller's own"`
}

// MonthlyBody is the monthly list of one month.
type MonthlyBody struct {
	Month        string `json:"month"`
	Jurisdiction string `json:"jurisdiction,omitempty"`
	db.Monthly
}

type monthlyOutput struct {
	Body MonthlyBody
}

func (s *Server) intakeMonthly(ctx context.Context, in *monthlyInput) (*monthlyOutput, error) {
	month := in.Month
	if month == "" {
		month = policy.DateOf(time.Now()).String()[:7]
	}
	from, to, err := workflows.MonthBounds(month)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	f := db.CaseFilter{Process: casefile.ProcessIntake, Jurisdiction: in.Jurisdiction}
	if err := scopeLedger(principalFrom(ctx), &f); err != nil {
		return nil, err
	}
	list, err := s.Store.IntakeMonthly(ctx, f, month, from, to)
	if err != nil {
		return nil, s.problem(ctx, "read the monthly list", err)
	}
	return &monthlyOutput{Body: MonthlyBody{Month: month, Jurisdiction: f.Jurisdiction, Monthly: list}}, nil
}

type weeklyInput struct {
	Week         string `query:"week" maxLength:"8" example:"2026-W11" doc:"An ISO week, YYYY-Www; defaults to this week"`
	Jurisdiction string `query:"jurisdiction" maxLength:"64" pattern:"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$" doc:"A jurisdiction and its subdivisions; defaults to the caller's own for the roles that have one"`
}

// WeeklyBody is the weekly list of one ISO week.
type WeeklyBody struct {
	Week         string `json:"week"`
	Jurisdiction string `json:"jurisdiction,omitempty"`
	db.Weekly
}

type weeklyOutput struct {
	Body WeeklyBody
}

var isoWeekPattern = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// isoWeek returns the Monday and Sunday of ISO week s (YYYY-Www).
func isoWeek(s string) (policy.Date, policy.Date, error) {
	m := isoWeekPattern.FindStringSubmatch(s)
	if m == nil {
		return policy.Date{}, policy.Date{}, fmt.Errorf("week %q is not an ISO week like 2026-W11", s)
	}
	y, _ := strconv.Atoi(m[1])
	w, _ := strconv.Atoi(m[2])
	if y < 1900 || y > 2199 {
		return policy.Date{}, policy.Date{}, fmt.Errorf("week %s is outside the years 1900 to 2199", s)
	}
	// Week 1 is the week with 4 January in it.
	jan4 := policy.NewDate(y, time.January, 4)
	wd := int(jan4.Weekday())
	if wd == 0 {
		wd = 7
	}
	monday := jan4.AddDays(1 - wd + (w-1)*7)
	if gy, gw := monday.Start().ISOWeek(); w < 1 || gy != y || gw != w {
		return policy.Date{}, policy.Date{}, fmt.Errorf("year %d has no week %d", y, w)
	}
	return monday, monday.AddDays(6), nil
}

func (s *Server) intakeWeekly(ctx context.Context, in *weeklyInput) (*weeklyOutput, error) {
	week := in.Week
	if week == "" {
		y, w := policy.DateOf(time.Now()).Start().ISOWeek()
		week = fmt.Sprintf("%04d-W%02d", y, w)
	}
	from, to, err := isoWeek(week)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	f := db.CaseFilter{Process: casefile.ProcessIntake, Jurisdiction: in.Jurisdiction}
	if err := scopeLedger(principalFrom(ctx), &f); err != nil {
		return nil, err
	}
	list, err := s.Store.IntakeWeekly(ctx, f, from, to)
	if err != nil {
		return nil, s.problem(ctx, "read the weekly list", err)
	}
	return &weeklyOutput{Body: WeeklyBody{Week: week, Jurisdiction: f.Jurisdiction, Weekly: list}}, nil
}

func (s *Server) startIntake(ctx context.Context, in *startIntakeInput) (*startOutput, error) {
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
	input := workflows.IntakeInput{
		CaseID: id, CaseNumber: number, Jurisdiction: jurisdiction, Channel: b.Channel, Summary: b.Summary,
		Risk: b.Risk, Urgency: b.Urgency, ReceivedBy: p.Actor(), Clock: casetime.Clock{Scale: s.TimeScale},
	}
	for _, bp := range b.Parties {
		input.Parties = append(input.Parties, workflows.Party{ID: bp.ID, Name: bp.Name, Side: bp.Side})
	}
	if err := workflows.ValidateIntakeInput(input); err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	// The tier must be one of the policy's, or the workflow would handle
	// the dispute in another.
	if reg, err := s.registry(); err == nil {
		if pol, err := reg.Policy(jurisdiction); err == nil {
			if _, ok := pol.Intake.Tier(b.Urgency); !ok {
				names := make([]string, 0, len(pol.Intake.Tiers))
				for _, t := range pol.Intake.Tiers {
					names = append(names, t.Name)
				}
				return nil, huma.Error422UnprocessableEntity("urgency " + b.Urgency + " is not a tier of " + jurisdiction + "'s policy: " + strings.Join(names, ", "))
			}
		}
	}
	// Checked as listed, the parties travel by reference: staged in the
	// store under their digest, the workflow carries the digest and counts.
	members := make([]db.PartyListMember, len(input.Parties))
	for i, bp := range input.Parties {
		members[i] = db.PartyListMember{ID: bp.ID, Name: bp.Name, Side: bp.Side}
	}
	ref, err := s.Store.StagePartyList(ctx, members)
	if err != nil {
		return nil, s.problem(ctx, "stage the parties", err)
	}
	input.Parties, input.PartyList = nil, &ref
	return openCase(ctx, s, intakeView, opening{
		caseID: id, caseNumber: number, workflowID: workflows.IntakeWorkflowID(id), workflow: workflows.Intake, input: input,
		sameCase: func(c casefile.Summary) bool {
			return c.Jurisdiction == input.Jurisdiction && len(c.Parties) == ref.Parties
		},
		jurisdictions: []string{jurisdiction},
	})
}

func (s *Server) convertIntake(ctx context.Context, in *convertInput) (*caseOutput, error) {
	p := principalFrom(ctx)
	b := in.Body
	number := strings.TrimSpace(b.CaseNumber)
	if number == "" {
		return nil, huma.Error422UnprocessableEntity("case_number is blank")
	}
	// A number already in use by a case is refused here, as POST
	// /cases/mediation refuses another dispute under it; a retry of this
	// conversion (the case converted from this one) goes on to the
	// workflow, which answers it by its key or refuses it.
	existing, err := s.Store.Case(ctx, workflows.CaseID(number))
	switch {
	case err == nil && existing.SourceCaseID != caseFrom(ctx).ID:
		return nil, huma.Error409Conflict("case number " + number + " is already used by another case")
	case err != nil && !errors.Is(err, db.ErrNotFound):
		return nil, s.problem(ctx, "convert the dispute", err)
	}
	return s.intakeUpdate(ctx, workflows.UpdateIntakeConvert, in.IdempotencyKey, workflows.ConvertCommand{
		CaseNumber: number, Court: p.Court, Organisation: b.Organisation, Mediator: b.Mediator,
		ClaimFen: b.ClaimFen, Subject: b.Subject, Actor: p.Actor(),
	})
}

func (s *Server) convertIntakeBoundary(ctx context.Context, in *convertBoundaryInput) (*caseOutput, error) {
	p := principalFrom(ctx)
	b := in.Body
	number := strings.TrimSpace(b.CaseNumber)
	if number == "" {
		return nil, huma.Error422UnprocessableEntity("case_number is blank")
	}
	// As for a conversion into a mediation case: a number another case
	// uses is refused; a retry of this conversion goes on to the workflow.
	existing, err := s.Store.Case(ctx, workflows.CaseID(number))
	switch {
	case err == nil && existing.SourceCaseID != caseFrom(ctx).ID:
		return nil, huma.Error409Conflict("case number " + number + " is already used by another case")
	case err != nil && !errors.Is(err, db.ErrNotFound):
		return nil, s.problem(ctx, "convert the dispute", err)
	}
	cmd := workflows.ConvertBoundaryCommand{
		CaseNumber: number, Court: p.Court, Title: b.Title, Since: b.Since, Organiser: b.Organiser,
		CaseLeader: b.CaseLeader, Actor: p.Actor(),
	}
	for _, bp := range b.Parties {
		cmd.Parties = append(cmd.Parties, workflows.BoundaryConversionParty{ID: bp.ID, Jurisdiction: bp.Jurisdiction, Representative: bp.Representative})
	}
	return s.intakeUpdate(ctx, workflows.UpdateIntakeConvertBoundary, in.IdempotencyKey, cmd)
}

func (s *Server) intakeUpdate(ctx context.Context, name, key string, cmd any) (*caseOutput, error) {
	return sendCommand(ctx, s, intakeView, name, key, cmd)
}
