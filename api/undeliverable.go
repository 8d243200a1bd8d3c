package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
)

// undeliverableReaders are the roles that serve a notice another way or
// answer for it: the court, the mediator, the auditor and the case leader.
var undeliverableReaders = []casefile.Role{casefile.RoleCourt, casefile.RoleMediator, casefile.RoleAuditor, casefile.RoleSupervisor}

type undeliverableInput struct {
	Court        string `query:"court" maxLength:"200" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"The court, as cases name it"`
	Mediator     string `query:"mediator" maxLength:"200" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"The mediator's subject; a mediator sees only their own cases"`
	CaseLeader   string `query:"case_leader" maxLength:"200" pattern:"^[^\\x00-\\x1f\\x7f]*$" doc:"The case leader (包案领导)"`
	Jurisdiction string `query:"jurisdiction" maxLength:"64" pattern:"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$" doc:"A jurisdiction and its subdivisions; defaults to the caller's own for courts, auditors and supervisors"`
	Limit        int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Notices per page"`
	Cursor       string `query:"cursor" maxLength:"512" doc:"next_cursor of the previous page"`
}

// UndeliverableBody is one page of the notices to serve another way.
type UndeliverableBody struct {
	Notices []db.UndeliverableNotice `json:"notices"`
	// NextCursor fetches the next page; absent on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
}

type undeliverableOutput struct {
	Body UndeliverableBody
}

func (s *Server) registerUndeliverable(api huma.API) {
	op := operation("list-undeliverable-notices", http.MethodGet, "/notices/undeliverable",
		"List the notices no delivery attempt got through, across the caller's cases, for a clerk to serve another way (送达): oldest first, paged",
		access{Roles: undeliverableReaders})
	op.Errors = append(op.Errors, http.StatusUnprocessableEntity)
	huma.Register(api, op, s.listUndeliverable)
}

func (s *Server) listUndeliverable(ctx context.Context, in *undeliverableInput) (*undeliverableOutput, error) {
	// The same scope as the ledger's: a court, auditor or supervisor within
	// their jurisdiction, a mediator their own cases.
	f := db.CaseFilter{Court: in.Court, Mediator: in.Mediator, CaseLeader: in.CaseLeader, Jurisdiction: in.Jurisdiction}
	if err := scopeLedger(principalFrom(ctx), &f); err != nil {
		return nil, err
	}
	page, err := s.Store.UndeliverableInScope(ctx, f, in.Limit, in.Cursor)
	if errors.Is(err, db.ErrInvalidFilter) {
		return nil, huma.Error422UnprocessableEntity(err.Error())
	}
	if err != nil {
		return nil, s.problem(ctx, "read undeliverable notices", err)
	}
	return &undeliverableOutput{Body: UndeliverableBody{Notices: page.Notices, NextCursor: page.NextCursor}}, nil
}
