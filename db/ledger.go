package db

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
)

// ErrInvalidFilter is wrapped by every error for a ledger or statistics
// filter that cannot be answered: an unknown state or grouping, a cursor
// that is not one the ledger issued.
var ErrInvalidFilter = errors.New("invalid ledger filter")

// LedgerState selects cases by where they stand.
type LedgerState string

// The states of the ledger (台账): a case is open until it is closed out
// (销号); an open case whose pending step's deadline has passed in case time
// is overdue as well.
const (
	StateAll     LedgerState = "all"
	StateOpen    LedgerState = "open"
	StateOverdue LedgerState = "overdue"
	StateClosed  LedgerState = "closed"
)

// Ledger page sizes.
const (
	DefaultLedgerLimit = 50
	MaxLedgerLimit     = 500
)

// CaseFilter selects the cases the ledger lists and the statistics count.
// Every field is optional; the zero value selects every case.
type CaseFilter struct {
	State      LedgerState // "" is StateAll
	Process    casefile.Process
	Court      string
	Mediator   string
	CaseLeader string
	// Jurisdiction selects the jurisdiction and its subdivisions: "CN-52"
	// selects "CN-52" and "CN-52-QXN", not "CN-520".
	Jurisdiction string
	// Party selects the cases the party is a party to.
	Party string
	// OpenedFrom and OpenedTo bound the day a case was opened, in case
	// time, both inclusive.
	OpenedFrom, OpenedTo policy.Date
	// Provisional selects the open cases whose pending deadline was
	// computed on a provisional holiday calendar (its year's arrangement
	// not published), so it may still move.
	Provisional bool
	// AsOf is the real instant "overdue" is judged at; zero is now.
	AsOf time.Time
}

// LedgerFilter selects one page of the ledger.
type LedgerFilter struct {
	CaseFilter
	// Limit is the page size: 0 is DefaultLedgerLimit, and more than
	// MaxLedgerLimit is MaxLedgerLimit.
	Limit int
	// Cursor continues after the page that returned it as NextCursor.
	Cursor string
}

// LedgerEntry is one case of the ledger.
type LedgerEntry struct {
	casefile.Summary
	// Overdue reports whether the case is open and its pending step's
	// deadline has passed in the case's own time.
	Overdue bool `json:"overdue"`
	// Provisional reports whether its pending deadline was computed on a
	// provisional holiday calendar and may still move.
	Provisional bool `json:"provisional"`
}

// LedgerPage is one page of the ledger, newest case first (by the day it
// was opened, then id).
type LedgerPage struct {
	Cases []LedgerEntry `json:"cases"`
	// NextCursor continues the listing; empty on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Ledger returns one page of the cases that f selects. Pages are keyed on
// (opened_on, id), so walking them with NextCursor returns every case once
// even while new cases are opened.
func (s *Store) Ledger(ctx context.Context, f LedgerFilter) (LedgerPage, error) {
	p, err := ledgerParams(f)
	if err != nil {
		return LedgerPage{}, err
	}
	limit := int(p.RowLimit)
	p.RowLimit++ // one more than asked says whether there is a next page
	rows, err := dbq.New(oneShot{s.pool}).LedgerList(ctx, p)
	if err != nil {
		return LedgerPage{}, fmt.Errorf("ledger: %w", err)
	}
	page := LedgerPage{Cases: make([]LedgerEntry, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := page.Cases[limit-1]
			page.NextCursor = encodeCursor(last.OpenedOn, last.ID)
			break
		}
		page.Cases = append(page.Cases, LedgerEntry{Summary: summaryFromRow(r.Case), Overdue: r.Overdue,
			Provisional: r.Case.NextDeadlineProvisional})
	}
	return page, nil
}

func ledgerParams(f LedgerFilter) (dbq.LedgerListParams, error) {
	c, err := caseFilterParams(f.CaseFilter)
	if err != nil {
		return dbq.LedgerListParams{}, err
	}
	p := dbq.LedgerListParams{
		AsOf: c.asOf, Status: c.status, OverdueOnly: c.overdueOnly, Process: c.process,
		Court: c.court, Mediator: c.mediator, CaseLeader: c.caseLeader, Jurisdiction: c.jurisdiction,
		Party: c.party, OpenedFrom: c.openedFrom, OpenedTo: c.openedTo, ProvisionalOnly: c.provisionalOnly,
	}
	switch {
	case f.Limit < 0:
		return p, fmt.Errorf("%w: limit %d is negative", ErrInvalidFilter, f.Limit)
	case f.Limit == 0:
		p.RowLimit = DefaultLedgerLimit
	default:
		p.RowLimit = int32(min(f.Limit, MaxLedgerLimit))
	}
	if f.Cursor != "" {
		on, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return p, err
		}
		p.AfterOn, p.AfterID = pgDate(on), pgtype.Text{String: id, Valid: true}
	}
	return p, nil
}

// caseParams is a CaseFilter as query arguments: null where it selects any.
type caseParams struct {
	asOf                                                              time.Time
	status, process, court, mediator, caseLeader, jurisdiction, party pgtype.Text
	overdueOnly, provisionalOnly                                      bool
	openedFrom, openedTo                                              pgtype.Date
}

func caseFilterParams(f CaseFilter) (caseParams, error) {
	p := caseParams{
		asOf: f.AsOf, process: text(string(f.Process)), court: text(f.Court), mediator: text(f.Mediator),
		caseLeader: text(f.CaseLeader), jurisdiction: text(f.Jurisdiction), party: text(f.Party),
		openedFrom: pgDate(f.OpenedFrom), openedTo: pgDate(f.OpenedTo), provisionalOnly: f.Provisional,
	}
	if p.asOf.IsZero() {
		p.asOf = time.Now()
	}
	switch f.State {
	case "", StateAll:
	case StateOpen, StateClosed:
		p.status = text(string(f.State))
	case StateOverdue:
		p.overdueOnly = true
	default:
		return p, fmt.Errorf("%w: unknown state %q (want open, overdue, closed or all)", ErrInvalidFilter, f.State)
	}
	return p, nil
}

// text is s as a query argument, null when empty.
func text(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

// A cursor is the keyset of the last case of a page, "YYYY-MM-DD/id", in
// URL-safe base64 so it travels in a query string as it is. It is opaque to
// callers: only its shape is checked, since any keyset is a valid place to
// continue from.
func encodeCursor(on policy.Date, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(on.String() + "/" + id))
}

func decodeCursor(c string) (policy.Date, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 12 || b[10] != '/' {
		return policy.Date{}, "", fmt.Errorf("%w: cursor %q was not issued by the ledger", ErrInvalidFilter, c)
	}
	on, err := policy.ParseDate(string(b[:10]))
	if err != nil {
		return policy.Date{}, "", fmt.Errorf("%w: cursor %q was not issued by the ledger", ErrInvalidFilter, c)
	}
	return on, string(b[11:]), nil
}

// StatsGroup is what the statistics are counted per.
type StatsGroup string

// Groupings of the statistics. Month and year are those of the day a case
// was opened, in case time.
const (
	GroupNone     StatsGroup = "none"
	GroupCourt    StatsGroup = "court"
	GroupMediator StatsGroup = "mediator"
	GroupProcess  StatsGroup = "process"
	GroupMonth    StatsGroup = "month"
	GroupYear     StatsGroup = "year"
)

// StatsFilter selects the cases counted and how they are grouped.
type StatsFilter struct {
	CaseFilter
	GroupBy StatsGroup // "" is GroupNone
}

// Ratio is a figure an auditor can redo: Numerator over Denominator, and
// Value, their quotient (times 100 for a rate) rounded half up to one
// decimal, computed in integers so no float rounding creeps in. Value is
// empty when Denominator is 0.
type Ratio struct {
	Numerator   int64  `json:"numerator"`
	Denominator int64  `json:"denominator"`
	Value       string `json:"value"`
}

// percent returns n/d as a rate in percent.
func percent(n, d int64) Ratio { return Ratio{n, d, tenths(n*100, d)} }

// mean returns n/d as an average.
func mean(n, d int64) Ratio { return Ratio{n, d, tenths(n, d)} }

// tenths formats n/d rounded half away from zero to one decimal.
func tenths(n, d int64) string {
	if d == 0 {
		return ""
	}
	sign := ""
	if (n < 0) != (d < 0) && n != 0 {
		sign = "-"
	}
	n, d = abs(n), abs(d)
	t := (20*n + d) / (2 * d) // round(10n/d), half up
	return sign + strconv.FormatInt(t/10, 10) + "." + strconv.FormatInt(t%10, 10)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// StatsRow is the statistics of one group of cases.
type StatsRow struct {
	// Group is the court, mediator, process, month (YYYY-MM) or year the
	// row counts; empty for GroupNone (and for cases with no mediator when
	// grouped by mediator).
	Group string `json:"group"`
	// Disputes is every case in the group: Open + Closed, and also
	// Resolved + Unresolved + Pending.
	Disputes   int64 `json:"disputes"`
	Open       int64 `json:"open"`
	Overdue    int64 `json:"overdue"`
	Closed     int64 `json:"closed"`
	Resolved   int64 `json:"resolved"`
	Unresolved int64 `json:"unresolved"`
	Pending    int64 `json:"pending"`
	// ResolutionRate (化解率) is Resolved over the cases whose resolution is
	// known, Resolved + Unresolved.
	ResolutionRate Ratio `json:"resolution_rate"`
	// Performed counts obligations performed, automatically or by
	// enforcement; AutomaticallyPerformed those performed automatically
	// (自动履行); Enforced and Defaulted the rest.
	Performed              int64 `json:"performed"`
	AutomaticallyPerformed int64 `json:"automatically_performed"`
	Enforced               int64 `json:"enforced"`
	Defaulted              int64 `json:"defaulted"`
	// AutomaticPerformanceRate is AutomaticallyPerformed over every case
	// whose performance is known: automatic + enforced + defaulted.
	AutomaticPerformanceRate Ratio `json:"automatic_performance_rate"`
	// FollowUpRate (回访率) is the cases visited at least once after closing,
	// FollowedUp, over the cases with a follow-up visit fallen due,
	// FollowUpCases.
	FollowUpCases int64 `json:"follow_up_cases"`
	FollowedUp    int64 `json:"followed_up"`
	FollowUpRate  Ratio `json:"follow_up_rate"`
	// AverageDaysToClose is the case days from opened_on to closed_on,
	// summed over the closed cases, over their number.
	AverageDaysToClose Ratio `json:"average_days_to_close"`
}

// Statistics counts the cases f selects, per f.GroupBy, ordered by group.
// With GroupNone it returns exactly one row, zero if nothing matched.
func (s *Store) Statistics(ctx context.Context, f StatsFilter) ([]StatsRow, error) {
	group := f.GroupBy
	switch group {
	case "":
		group = GroupNone
	case GroupNone, GroupCourt, GroupMediator, GroupProcess, GroupMonth, GroupYear:
	default:
		return nil, fmt.Errorf("%w: unknown grouping %q (want none, court, mediator, process, month or year)", ErrInvalidFilter, group)
	}
	c, err := caseFilterParams(f.CaseFilter)
	if err != nil {
		return nil, err
	}
	rows, err := dbq.New(oneShot{s.pool}).LedgerStatistics(ctx, dbq.LedgerStatisticsParams{
		GroupBy: string(group), AsOf: c.asOf, Status: c.status, OverdueOnly: c.overdueOnly, Process: c.process,
		Court: c.court, Mediator: c.mediator, CaseLeader: c.caseLeader, Jurisdiction: c.jurisdiction,
		Party: c.party, OpenedFrom: c.openedFrom, OpenedTo: c.openedTo, ProvisionalOnly: c.provisionalOnly,
	})
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	out := make([]StatsRow, 0, max(len(rows), 1))
	for _, r := range rows {
		out = append(out, StatsRow{
			Group: r.Grp, Disputes: r.Disputes, Open: r.Open, Overdue: r.Overdue, Closed: r.Closed,
			Resolved: r.Resolved, Unresolved: r.Unresolved, Pending: r.Pending,
			ResolutionRate: percent(r.Resolved, r.Resolved+r.Unresolved),
			FollowUpCases:  r.FollowUpCases, FollowedUp: r.FollowedUp,
			FollowUpRate:           percent(r.FollowedUp, r.FollowUpCases),
			Performed:              r.Automatic + r.Enforced,
			AutomaticallyPerformed: r.Automatic, Enforced: r.Enforced, Defaulted: r.Defaulted,
			AutomaticPerformanceRate: percent(r.Automatic, r.Automatic+r.Enforced+r.Defaulted),
			AverageDaysToClose:       mean(r.DaysToClose, r.ClosedDated),
		})
	}
	if group == GroupNone && len(out) == 0 {
		out = append(out, StatsRow{ResolutionRate: percent(0, 0), AutomaticPerformanceRate: percent(0, 0), AverageDaysToClose: mean(0, 0)})
	}
	return out, nil
}

// oneShot runs queries as unnamed statements, which PostgreSQL plans with
// the actual arguments every time. The ledger's queries need that: their
// optional filters ("$1 IS NULL OR court = $1") fold away only when the
// planner sees the arguments, while a cached generic plan would keep every
// branch and scan the whole table. Statement descriptions stay cached, so
// this costs no extra round trip.
type oneShot struct{ pool *pgxpool.Pool }

func (o oneShot) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return o.pool.Exec(ctx, sql, append([]any{pgx.QueryExecModeCacheDescribe}, args...)...)
}

func (o oneShot) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return o.pool.Query(ctx, sql, append([]any{pgx.QueryExecModeCacheDescribe}, args...)...)
}

func (o oneShot) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return o.pool.QueryRow(ctx, sql, append([]any{pgx.QueryExecModeCacheDescribe}, args...)...)
}
