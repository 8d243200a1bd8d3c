package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"go.temporal.io/api/serviceerror"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// Holiday calendars are data: a court administrator publishes a year's
// arrangement (the State Council's notice for the nation, an autonomous
// area's festival days for its own jurisdiction) and from then on every new
// deadline lookup counts with it. The publication is then sent to every
// open case of the jurisdiction and its subdivisions (the CalendarRearm
// workflow), which counts its pending deadlines again and moves the ones
// whose day changed, each with a deadline_moved step; GET
// /calendars/rearms/{version} reports how far that has come.

var courtAdmins = []casefile.Role{casefile.RoleCourtAdmin}

// CalendarDay is one day of an arrangement.
type CalendarDay struct {
	Date policy.Date `json:"date" doc:"The day (YYYY-MM-DD), inside the arrangement's year"`
	Name string      `json:"name" minLength:"1" maxLength:"100" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"As the notice names it, e.g. 春节 or 春节调休上班"`
}

// CalendarArrangement is one year's holiday arrangement of a jurisdiction,
// as its notice publishes it.
type CalendarArrangement struct {
	Jurisdiction string        `json:"jurisdiction" minLength:"2" maxLength:"64" pattern:"^[A-Z]{2}(-[A-Z0-9]+)*$" doc:"CN for the State Council's national arrangement; an autonomous area's code (e.g. CN-52-QXN) for its own festival days, which add to the national ones" example:"CN"`
	Year         int           `json:"year" minimum:"2000" maximum:"2099" example:"2027"`
	Source       string        `json:"source" minLength:"1" maxLength:"500" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"The notice the days come from, so every rest day can be traced to it"`
	Holidays     []CalendarDay `json:"holidays" maxItems:"366" doc:"Days off (放假), weekend days inside a break included. The national arrangement must list every statutory holiday of the year"`
	Workdays     []CalendarDay `json:"workdays,omitempty" maxItems:"366" doc:"Make-up working days (调休上班): weekend days that are working days"`
}

func (a CalendarArrangement) year() policy.CalendarYear {
	days := func(in []CalendarDay) []policy.Holiday {
		out := make([]policy.Holiday, len(in))
		for i, d := range in {
			out[i] = policy.Holiday{Date: d.Date, Name: d.Name}
		}
		return out
	}
	return policy.CalendarYear{Jurisdiction: a.Jurisdiction, Year: a.Year, Source: a.Source,
		Holidays: days(a.Holidays), Workdays: days(a.Workdays)}
}

type publishCalendarInput struct {
	Body CalendarArrangement
}

// CalendarPublication is a stored revision of an arrangement.
type CalendarPublication struct {
	db.PublishedCalendar
	// Created is false when the same arrangement was already in force, so
	// nothing was stored.
	Created bool `json:"created"`
	// ProvisionalCases counts the open cases of the jurisdiction and its
	// subdivisions whose pending deadline in this year was computed before
	// the arrangement was in force; publishing does not move it (the
	// ledger's provisional filter lists them).
	ProvisionalCases int64 `json:"provisional_cases"`
	// Rearm is the re-arm of the open cases this publication started (or,
	// publishing the same arrangement again, the one it started before).
	Rearm RearmBody `json:"rearm"`
}

// RearmBody is how far sending a publication to the open cases has come.
type RearmBody struct {
	WorkflowID string `json:"workflow_id"`
	db.RearmProgress
}

type publishCalendarOutput struct {
	Status int
	Body   CalendarPublication
}

type getCalendarInput struct {
	Jurisdiction string `path:"jurisdiction" maxLength:"64" pattern:"^[A-Z]{2}(-[A-Z0-9]+)*$"`
	Year         int    `path:"year" minimum:"2000" maximum:"2099"`
}

// CalendarBody says how a jurisdiction's year is counted.
type CalendarBody struct {
	Jurisdiction string `json:"jurisdiction"`
	Year         int    `json:"year"`
	// Status is official when the year's arrangement is published for the
	// jurisdiction and every layer above it, provisional otherwise.
	Status policy.Status `json:"status" enum:"official,provisional"`
	// Version is the version of the published calendars the answer is as
	// of; 0 for the built-in calendar files alone.
	Version int64 `json:"version"`
	// Statutory are the national statutory holidays of the year by rule;
	// in a provisional year they and weekends are the rest days.
	Statutory []policy.Holiday `json:"statutory"`
	// Holidays and Workdays are the arrangement in force for the year in
	// this jurisdiction, as deadlines are counted with it: the built-in
	// calendar file or the latest publication, the national days together
	// with the jurisdiction's own (a local entry over a national one).
	// Holidays are days off, weekend days inside a break included;
	// Workdays are make-up working days (调休上班), weekend days that are
	// not rest days. Both are empty in a year nobody has published.
	Holidays []policy.Holiday `json:"holidays" doc:"Days off of the arrangement in force for the year (national and the jurisdiction's own), in date order"`
	Workdays []policy.Holiday `json:"workdays" doc:"Make-up working days (调休上班) of the arrangement in force: weekend days that are working days"`
	// Published are this jurisdiction's own published revisions of the
	// year, newest (in force) first; built-in calendar files are not listed.
	Published []db.PublishedCalendar `json:"published"`
	// ProvisionalCases counts the open cases of the jurisdiction and its
	// subdivisions whose pending deadline in this year was computed on a
	// provisional calendar and may still move.
	ProvisionalCases int64 `json:"provisional_cases"`
}

type getCalendarOutput struct {
	Body CalendarBody
}

func (s *Server) registerCalendars(api huma.API) {
	op := operation("publish-calendar", http.MethodPost, "/calendars",
		"Publish a year's holiday arrangement (放假安排): checked, stored as a new revision, and in force for new deadlines",
		access{Roles: courtAdmins})
	op.DefaultStatus = http.StatusCreated
	op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.publishCalendar)

	op = operation("get-calendar-rearm", http.MethodGet, "/calendars/rearms/{version}",
		"Read how far re-arming the open cases after a publication has come: cases sent it, deadlines counted again and moved, cases closed meanwhile, done",
		access{Roles: append(slices.Clone(everyone), casefile.RoleCourtAdmin)})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.getRearm)

	op = operation("get-calendar", http.MethodGet, "/calendars/{jurisdiction}/{year}",
		"Read how a jurisdiction's year is counted: official or provisional, its statutory days, the arrangement in force (holidays and make-up working days) and published revisions",
		access{Roles: append(slices.Clone(everyone), casefile.RoleCourtAdmin)})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.getCalendar)
}

func (s *Server) publishCalendar(ctx context.Context, in *publishCalendarInput) (*publishCalendarOutput, error) {
	p := principalFrom(ctx)
	y := in.Body.year()
	if !p.Covers(y.Jurisdiction) {
		return nil, huma.Error403Forbidden("jurisdiction " + y.Jurisdiction + " is outside yours (" + p.Jurisdiction + ")")
	}
	reg, err := s.registry()
	if err != nil {
		return nil, s.problem(ctx, "load the policies", err)
	}
	if err := reg.CheckPublication(y); err != nil {
		if errors.Is(err, policy.ErrInvalidCalendar) || errors.Is(err, policy.ErrUnknownJurisdiction) {
			return nil, huma.Error422UnprocessableEntity(err.Error())
		}
		return nil, s.problem(ctx, "check the calendar", err)
	}
	pub, created, err := s.Store.PublishCalendar(ctx, y, p.Subject)
	if errors.Is(err, db.ErrConflict) {
		return nil, huma.Error409Conflict(err.Error())
	}
	if err != nil {
		return nil, s.problem(ctx, "publish the calendar", err)
	}
	n, err := s.Store.ProvisionalCases(ctx, y.Jurisdiction, y.Year)
	if err != nil {
		return nil, s.problem(ctx, "count the provisional deadlines", err)
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	} else {
		s.Log.InfoContext(ctx, "calendar published", "jurisdiction", y.Jurisdiction, "year", y.Year,
			"version", pub.Version, "revision", pub.Revision, "by", p.Subject, "source", y.Source)
	}
	// The same arrangement again starts the re-arm that an outage may
	// have kept from starting the first time; a re-arm already started
	// (or finished) is the one answered.
	rearm, err := s.startRearm(ctx, workflows.RearmCommand{Version: pub.Version, Jurisdiction: y.Jurisdiction, Year: y.Year, Actor: p.Actor()})
	if err != nil {
		if _, down := dependencyDown(err); down || errors.Is(err, context.DeadlineExceeded) {
			return nil, unavailableError("the calendar is published (version " + strconv.FormatInt(pub.Version, 10) +
				"), but re-arming the open cases could not be started; publish the same arrangement again to start it")
		}
		return nil, s.problem(ctx, "start re-arming the open cases", err)
	}
	return &publishCalendarOutput{Status: status, Body: CalendarPublication{PublishedCalendar: pub, Created: created, ProvisionalCases: n, Rearm: rearm}}, nil
}

// startRearm starts the re-arm of a publication's version, or finds it.
func (s *Server) startRearm(ctx context.Context, cmd workflows.RearmCommand) (RearmBody, error) {
	id, err := workflows.StartCalendarRearm(ctx, s.Temporal, cmd)
	body := RearmBody{WorkflowID: id, RearmProgress: db.RearmProgress{Version: cmd.Version, Jurisdiction: cmd.Jurisdiction, Year: cmd.Year}}
	if err != nil {
		return body, err
	}
	if p, err := s.Store.Rearm(ctx, cmd.Version); err == nil {
		body.RearmProgress = p
	}
	return body, nil
}

type getRearmInput struct {
	Version int64 `path:"version" minimum:"1"`
}

type getRearmOutput struct {
	Body RearmBody
}

func (s *Server) getRearm(ctx context.Context, in *getRearmInput) (*getRearmOutput, error) {
	id := workflows.CalendarRearmWorkflowID(in.Version)
	p, err := s.Store.Rearm(ctx, in.Version)
	if errors.Is(err, db.ErrNotFound) {
		// Started, but no page done yet: the workflow says so.
		if _, derr := s.Temporal.DescribeWorkflowExecution(ctx, id, ""); derr != nil {
			var nf *serviceerror.NotFound
			if errors.As(derr, &nf) {
				return nil, huma.Error404NotFound("no re-arm for calendars version " + strconv.FormatInt(in.Version, 10))
			}
			return nil, s.problem(ctx, "read the re-arm", derr)
		}
		return &getRearmOutput{Body: RearmBody{WorkflowID: id, RearmProgress: db.RearmProgress{Version: in.Version}}}, nil
	}
	if err != nil {
		return nil, s.problem(ctx, "read the re-arm", err)
	}
	return &getRearmOutput{Body: RearmBody{WorkflowID: id, RearmProgress: p}}, nil
}

// inForce holds one policy.Live per base registry and store, so the API,
// like the worker, rebuilds its calendars only when a new one is published.
var inForce sync.Map // liveKey → *policy.Live

type liveKey struct {
	base  *policy.Registry
	store *db.Store
}

// liveRegistry returns the registry in force, with the published calendars,
// and the version it is as of.
func (s *Server) liveRegistry(ctx context.Context) (*policy.Registry, int64, error) {
	base, err := s.registry()
	if err != nil {
		return nil, 0, err
	}
	if s.Store == nil {
		return base, 0, nil
	}
	l, _ := inForce.LoadOrStore(liveKey{base, s.Store}, &policy.Live{Base: base, Published: s.Store})
	return l.(*policy.Live).Registry(ctx)
}

// registryInForce is liveRegistry without the version.
func (s *Server) registryInForce(ctx context.Context) (*policy.Registry, error) {
	reg, _, err := s.liveRegistry(ctx)
	return reg, err
}

func (s *Server) getCalendar(ctx context.Context, in *getCalendarInput) (*getCalendarOutput, error) {
	reg, version, err := s.liveRegistry(ctx)
	if err != nil {
		return nil, s.problem(ctx, "read the published calendars", err)
	}
	cal, err := reg.Calendar(in.Jurisdiction)
	if errors.Is(err, policy.ErrUnknownJurisdiction) {
		return nil, huma.Error404NotFound("no calendar for " + in.Jurisdiction)
	}
	if err != nil {
		return nil, s.problem(ctx, "read the calendar", err)
	}
	hist, err := s.Store.CalendarHistory(ctx, in.Jurisdiction, in.Year)
	if err != nil {
		return nil, s.problem(ctx, "read the calendar "+in.Jurisdiction+" "+strconv.Itoa(in.Year), err)
	}
	n, err := s.Store.ProvisionalCases(ctx, in.Jurisdiction, in.Year)
	if err != nil {
		return nil, s.problem(ctx, "count the provisional deadlines", err)
	}
	body := calendarAnswer(cal, in.Jurisdiction, in.Year)
	body.Version, body.ProvisionalCases = version, n
	if hist != nil {
		body.Published = hist
	}
	return &getCalendarOutput{Body: body}, nil
}

// calendarAnswer is how cal counts year: its status, the statutory days by
// rule and the arrangement in force, every list empty rather than null.
func calendarAnswer(cal *policy.Calendar, jurisdiction string, year int) CalendarBody {
	holidays, workdays := cal.Arrangement(year)
	orEmpty := func(l []policy.Holiday) []policy.Holiday {
		if l == nil {
			return []policy.Holiday{}
		}
		return l
	}
	return CalendarBody{
		Jurisdiction: jurisdiction, Year: year, Status: cal.Status(year),
		Statutory: orEmpty(policy.StatutoryHolidays(year)), Holidays: orEmpty(holidays), Workdays: orEmpty(workdays),
		Published: []db.PublishedCalendar{},
	}
}
