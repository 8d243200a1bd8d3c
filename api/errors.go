package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"go.temporal.io/api/serviceerror"

	"github.com/casework/casework/db"
	"github.com/casework/casework/workflows"
)

// problem turns an error from Temporal, the read model or a workflow's
// validator into a problem+json with the right status and the reason the
// caller can act on. Errors already carrying a status keep it.
func (s *Server) problem(ctx context.Context, what string, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se
	}
	if kind, reason, ok := workflows.Rejection(err); ok {
		switch kind {
		case workflows.RejectInvalid:
			return huma.Error422UnprocessableEntity(reason)
		case workflows.RejectConflict:
			return huma.Error409Conflict(reason)
		case workflows.RejectForbidden:
			return huma.Error403Forbidden(reason)
		}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) || errors.Is(err, db.ErrNotFound) {
		return huma.Error404NotFound(what + ": not found")
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return huma.NewError(http.StatusServiceUnavailable, what+": timed out waiting for the case; the command may still take effect, retry with the same Idempotency-Key")
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		return huma.NewError(http.StatusServiceUnavailable, what+": the workflow service is unavailable; try again")
	}
	s.Log.ErrorContext(ctx, what, "err", err)
	return huma.Error500InternalServerError(fmt.Sprintf("%s failed", what))
}
