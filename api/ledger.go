package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// The ledger (台账) and its statistics are read from the PostgreSQL read
// model, never from Temporal. Every role may read them, but only within its
// own cases: a court, an auditor or a supervisor within their jurisdiction,
// a mediator their own cases, a party the cases it is a party to. A filter
// that asks for more is refused rather than quietly narrowed, so no one
// mistakes a scoped figure for a wider one.

// LedgerFilterParams are the filters the ledger and the statistics share.
type LedgerFilterParams struct {
	State        string `query:"state" enum:"all,open,overdue,closed" default:"all" doc:"open: not closed out (销号); overdue: open with a deadline passed in case time without its step; closed: closed out"`
	Process      string `query:"process" enum:"mediation,enforcement,boundary,wage,intake" doc:"The kind of process"`
	Court        string `query:"court" maxLength:"200" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"The court, as cases name it"`
	Mediator     string `query:"mediator" maxLength:"200" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"The mediator's subject; a mediator sees only their own"`
	CaseLeader   string `query:"case_leader" maxLength:"200" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"The case leader (包案领导)"`
	Jurisdiction string `query:"jurisdiction" maxLength:"64" pattern:"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$" doc:"A jurisdiction and its subdivisions: CN-52 selects CN-52 and CN-52-QXN. Defaults to the caller's own for courts, auditors and supervisors"`
	Party        string `query:"party" maxLength:"200" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"A party's subject; a party sees only its own cases"`
	OpenedFrom   string `query:"opened_from" format:"date" doc:"First day opened, case time (YYYY-MM-DD), inclusive"`
	OpenedTo     string `query:"opened_to" format:"date" doc:"Last day opened, case time (YYYY-MM-DD), inclusive"`
	Provisional  bool   `query:"provisional" doc:"Only open cases whose pending deadline was computed on a provisional holiday calendar (its year's arrangement not yet published), so it may still move"`
}

type ledgerInput struct {
	LedgerFilterParams
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Cases per page"`
	Cursor string `query:"cursor" maxLength:"512" doc:"next_cursor of the previous page"`
}

type statisticsInput struct {
	LedgerFilterParams
	GroupBy string `query:"group_by" enum:"none,court,mediator,process,month,year" default:"none" doc:"What each row counts: month and year are those the case was opened in, case time"`
}

// LedgerScope is the filter a ledger answer was computed with, after the
// caller's scope was applied, and the instant "overdue" was judged at.
type LedgerScope struct {
	State        string      `json:"state"`
	Process      string      `json:"process,omitempty"`
	Court        string      `json:"court,omitempty"`
	Mediator     string      `json:"mediator,omitempty"`
	CaseLeader   string      `json:"case_leader,omitempty"`
	Jurisdiction string      `json:"jurisdiction,omitempty"`
	Party        string      `json:"party,omitempty"`
	OpenedFrom   policy.Date `json:"opened_from,omitzero"`
	OpenedTo     policy.Date `json:"opened_to,omitzero"`
	Provisional  bool        `json:"provisional,omitempty"`
	AsOf         time.Time   `json:"as_of" doc:"The real instant overdue was judged at"`
}

// LedgerBody is one page of the ledger.
type LedgerBody struct {
	Filter LedgerScope      `json:"filter"`
	Cases  []db.LedgerEntry `json:"cases"`
	// NextCursor fetches the next page; absent on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
}

type ledgerOutput struct {
	Body LedgerBody
}

// StatisticsBody is the statistics of the cases in a filter.
type StatisticsBody struct {
	Filter  LedgerScope `json:"filter"`
	GroupBy string      `json:"group_by"`
	// Definitions say how each figure is computed, so an auditor can redo
	// it from the numerators and denominators given beside it.
	Definitions map[string]string `json:"definitions"`
	Rows        []db.StatsRow     `json:"rows"`
	// Intake are the figures of the intake cases in the filter, over all
	// of them whatever the grouping.
	Intake db.IntakeStats `json:"intake"`
	// Bulk is the funnel of bulk financial disputes (rows of batches) in
	// the filter's jurisdiction and court, for a court, auditor or
	// supervisor.
	Bulk *BulkFunnelBody `json:"bulk,omitempty"`
}

// BulkFunnelBody is the funnel of bulk disputes: each figure counts rows,
// and Denominator (every row received) is what each is a share of.
type BulkFunnelBody struct {
	db.BulkFunnel
	Denominator int `json:"denominator"`
}

type statisticsOutput struct {
	Body StatisticsBody
}

// statisticsDefinitions is the Definitions of every statistics answer.
var statisticsDefinitions = map[string]string{
	"disputes":                   "every case in the filter: open + closed = resolved + unresolved + pending",
	"resolution_rate":            "化解率: resolved / (resolved + unresolved), in percent",
	"follow_up_rate":             "回访率: cases visited at least once after closing / cases with a follow-up visit fallen due, in percent",
	"automatic_performance_rate": "自动履行率: automatically_performed / (automatically_performed + enforced + defaulted), in percent",
	"average_days_to_close":      "sum over closed cases of closed_on - opened_on (case days) / number of closed cases",
	"intake.received":            "intake cases in the filter",
	"intake.dispatched":          "intake cases dispatched at least once",
	"intake.on_time_rate":        "outcomes recorded by the handling deadline of their dispatch / outcomes recorded, in percent",
	"intake.overdue":             "intake cases whose handling went past its deadline at least once",
	"intake.resolved":            "outcomes recorded as resolved",
	"intake.converted":           "intake cases converted into a mediation case",
	"intake.average_rating":      "sum of the parties' scores (1 to 5) / number of ratings",
	"bulk":                       "rows of bulk financial dispute batches filed in the filter's jurisdiction (and court, when given); the other filters do not apply. received is the denominator; screened_out (查废, written off: the debtor already has a 终本 ruling), resolved_before_filing, by_payment_order (the order took effect) and filed (litigation) are each a share of it; rows still on their way are in none of them",
	"rounding":                   "value is numerator / denominator rounded half up to one decimal, computed in integers; empty when the denominator is 0",
}

func (s *Server) registerLedger(api huma.API) {
	op := operation("list-ledger", http.MethodGet, "/ledger",
		"List the case ledger (台账): open, overdue and closed cases of every process, newest first, paged",
		access{Roles: everyone})
	op.Tags = []string{"ledger"}
	op.Errors = append(op.Errors, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.listLedger)

	op = operation("get-statistics", http.MethodGet, "/statistics",
		"Count the ledger: resolution rate (化解率), automatic-performance rate, average days to close, per court, mediator or period",
		access{Roles: everyone})
	op.Tags = []string{"ledger"}
	op.Errors = append(op.Errors, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.getStatistics)
}

func (s *Server) listLedger(ctx context.Context, in *ledgerInput) (*ledgerOutput, error) {
	f, err := ledgerFilter(principalFrom(ctx), in.LedgerFilterParams)
	if err != nil {
		return nil, err
	}
	page, err := s.Store.Ledger(ctx, db.LedgerFilter{CaseFilter: f, Limit: in.Limit, Cursor: in.Cursor})
	if errors.Is(err, db.ErrInvalidFilter) {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	if err != nil {
		return nil, s.problem(ctx, "read the ledger", err)
	}
	p := principalFrom(ctx)
	for i := range page.Cases {
		page.Cases[i].Summary = visibleTo(p, page.Cases[i].Summary)
	}
	return &ledgerOutput{Body: LedgerBody{Filter: scopeOf(f), Cases: page.Cases, NextCursor: page.NextCursor}}, nil
}

func (s *Server) getStatistics(ctx context.Context, in *statisticsInput) (*statisticsOutput, error) {
	f, err := ledgerFilter(principalFrom(ctx), in.LedgerFilterParams)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.Statistics(ctx, db.StatsFilter{CaseFilter: f, GroupBy: db.StatsGroup(in.GroupBy)})
	if errors.Is(err, db.ErrInvalidFilter) {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	if err != nil {
		return nil, s.problem(ctx, "read the statistics", err)
	}
	intake, err := s.Store.IntakeStatistics(ctx, f)
	if err != nil {
		return nil, s.problem(ctx, "read the intake statistics", err)
	}
	out := &statisticsOutput{Body: StatisticsBody{
		Filter: scopeOf(f), GroupBy: in.GroupBy, Definitions: statisticsDefinitions, Rows: rows, Intake: intake,
	}}
	if r := principalFrom(ctx).Role; r == casefile.RoleCourt || r == casefile.RoleAuditor || r == casefile.RoleSupervisor {
		// f.Jurisdiction is the caller's own or within it (scopeLedger).
		funnel, err := s.Store.BulkFunnel(ctx, f.Jurisdiction, f.Court)
		if err != nil {
			return nil, s.problem(ctx, "read the bulk funnel", err)
		}
		out.Body.Bulk = &BulkFunnelBody{BulkFunnel: funnel, Denominator: funnel.Received}
	}
	return out, nil
}

// ledgerFilter turns the query into a filter within p's scope, refusing a
// filter that reaches outside it.
func ledgerFilter(p auth.Principal, q LedgerFilterParams) (db.CaseFilter, error) {
	f := db.CaseFilter{
		State: db.LedgerState(q.State), Process: casefile.Process(q.Process), Court: q.Court,
		Mediator: q.Mediator, CaseLeader: q.CaseLeader, Jurisdiction: q.Jurisdiction, Party: q.Party,
		Provisional: q.Provisional, AsOf: time.Now(),
	}
	for _, d := range []struct {
		name string
		in   string
		out  *policy.Date
	}{{"opened_from", q.OpenedFrom, &f.OpenedFrom}, {"opened_to", q.OpenedTo, &f.OpenedTo}} {
		if d.in == "" {
			continue
		}
		v, err := policy.ParseDate(d.in)
		if err != nil {
			return f, huma.Error422UnprocessableEntity(d.name + ": " + err.Error())
		}
		*d.out = v
	}
	return f, scopeLedger(p, &f)
}

// scopeLedger confines f to the cases p may read (see mayAccess): it fills
// in the caller's own jurisdiction, subject or party where f leaves it
// open, and refuses one that names someone else's.
func scopeLedger(p auth.Principal, f *db.CaseFilter) error {
	switch p.Role {
	case casefile.RoleCourt, casefile.RoleAuditor, casefile.RoleSupervisor:
		switch {
		case p.Jurisdiction == "":
			return huma.Error403Forbidden("your token names no jurisdiction")
		case f.Jurisdiction == "":
			f.Jurisdiction = p.Jurisdiction
		case !p.Covers(f.Jurisdiction):
			return huma.Error403Forbidden("jurisdiction " + f.Jurisdiction + " is outside yours (" + p.Jurisdiction + ")")
		}
	case casefile.RoleDispatcher:
		switch {
		case p.Jurisdiction == "":
			return huma.Error403Forbidden("your token names no jurisdiction")
		case f.Jurisdiction == "":
			f.Jurisdiction = p.Jurisdiction
		case !p.Covers(f.Jurisdiction):
			return huma.Error403Forbidden("jurisdiction " + f.Jurisdiction + " is outside yours (" + p.Jurisdiction + ")")
		}
		if f.Process != "" && f.Process != casefile.ProcessIntake {
			return huma.Error403Forbidden("a dispatcher reads only the intake cases")
		}
		f.Process = casefile.ProcessIntake
	case casefile.RoleMediator:
		if f.Mediator != "" && f.Mediator != p.Subject {
			return huma.Error403Forbidden("a mediator reads only their own cases")
		}
		f.Mediator = p.Subject
	case casefile.RoleParty:
		if f.Party != "" && f.Party != p.Subject {
			return huma.Error403Forbidden("a party reads only its own cases")
		}
		f.Party = p.Subject
	default:
		return huma.Error403Forbidden(article(string(p.Role)) + " may not read the ledger")
	}
	return nil
}

func scopeOf(f db.CaseFilter) LedgerScope {
	state := string(f.State)
	if state == "" {
		state = string(db.StateAll)
	}
	return LedgerScope{
		State: state, Process: string(f.Process), Court: f.Court, Mediator: f.Mediator, CaseLeader: f.CaseLeader,
		Jurisdiction: f.Jurisdiction, Party: f.Party, OpenedFrom: f.OpenedFrom, OpenedTo: f.OpenedTo,
		Provisional: f.Provisional, AsOf: f.AsOf,
	}
}
