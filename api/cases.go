package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/casefile"
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
// be queried, its live state.
func (s *Server) caseOutput(ctx context.Context, c casefile.Summary) (*caseOutput, error) {
	out := &caseOutput{Body: CaseBody{Summary: visibleTo(principalFrom(ctx), c)}}
	switch c.Process {
	case casefile.ProcessMediation:
		return queryView(ctx, s, mediationView, out)
	case casefile.ProcessEnforcement:
		return queryView(ctx, s, enforcementView, out)
	case casefile.ProcessBoundary:
		return queryView(ctx, s, boundaryView, out)
	case casefile.ProcessWage:
		return queryView(ctx, s, wageView, out)
	case casefile.ProcessIntake:
		return queryView(ctx, s, intakeView, out)
	}
	return out, nil
}
