package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"go.temporal.io/api/serviceerror"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/workflows"
)

type caseIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

func (s *Server) registerCases(api huma.API) {
	op := operation("get-case", http.MethodGet, "/cases/{id}", "Read a case: its ledger summary and live state",
		access{Roles: everyone, Case: readCase})
	op.Errors = append(op.Errors, http.StatusNotFound)
	huma.Register(api, op, s.getCase)
}

func (s *Server) getCase(ctx context.Context, _ *caseIDInput) (*caseOutput, error) {
	return s.caseOutput(ctx, caseFrom(ctx))
}

// caseOutput answers with a case's summary and, when its workflow can still
// be queried, its live state. A closed case whose history has been archived
// is answered from the ledger alone.
func (s *Server) caseOutput(ctx context.Context, c casefile.Summary) (*caseOutput, error) {
	out := &caseOutput{Body: CaseBody{Summary: c}}
	if c.Process == casefile.ProcessEnforcement {
		return s.enforcementCaseOutput(ctx, out)
	}
	if c.Process == casefile.ProcessBoundary {
		return s.boundaryCaseOutput(ctx, out)
	}
	if c.Process == casefile.ProcessWage {
		return s.wageCaseOutput(ctx, out)
	}
	if c.Process != casefile.ProcessMediation {
		return out, nil
	}
	res, err := s.Temporal.QueryWorkflow(ctx, c.WorkflowID, "", workflows.QueryState)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return out, nil
	case err != nil:
		return nil, s.problem(ctx, "read case state", err)
	}
	var view workflows.MediationView
	if err := res.Get(&view); err != nil {
		return nil, s.problem(ctx, "read case state", err)
	}
	out.Body.Mediation = &view
	return out, nil
}
