package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"syscall"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/casework/casework/db"
	"github.com/casework/casework/workflows"
)

// retryAfterSeconds is what a 503 tells a client to wait before retrying:
// long enough for a restarted worker, Temporal or PostgreSQL to come back,
// short enough that a clerk's retry is not felt as a wait.
const retryAfterSeconds = 5

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
		return unavailableError(what + ": timed out waiting for the case; the command may still take effect, retry with the same Idempotency-Key")
	}
	if dep, ok := dependencyDown(err); ok {
		s.Log.WarnContext(ctx, what, "dependency", dep, "err", err)
		return unavailableError(what + ": " + dep + " is unavailable; try again")
	}
	s.Log.ErrorContext(ctx, what, "err", err)
	return huma.Error500InternalServerError(fmt.Sprintf("%s failed", what))
}

// unavailableError is a 503 problem with Retry-After.
func unavailableError(detail string) error {
	return huma.ErrorWithHeaders(huma.NewError(http.StatusServiceUnavailable, detail),
		http.Header{"Retry-After": {strconv.Itoa(retryAfterSeconds)}})
}

// dependencyDown reports whether err says that Temporal or PostgreSQL
// cannot be reached or cannot answer now — an outage the caller should
// retry, not a fault of casework — and which of the two it is.
func dependencyDown(err error) (string, bool) {
	switch {
	case err == nil:
		return "", false
	case temporalDown(err):
		return "the workflow service (Temporal)", true
	case databaseDown(err):
		return "the case database (PostgreSQL)", true
	}
	return "", false
}

func temporalDown(err error) bool {
	var (
		unavailable *serviceerror.Unavailable
		deadline    *serviceerror.DeadlineExceeded
		exhausted   *serviceerror.ResourceExhausted
		canceled    *serviceerror.Canceled
	)
	if errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &exhausted) || errors.As(err, &canceled) {
		return true
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted:
			return true
		}
	}
	return false
}

func databaseDown(err error) bool {
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case len(pg.Code) == 5 && pg.Code[:2] == "08": // connection exception
			return true
		case pg.Code == "57P01", pg.Code == "57P02", pg.Code == "57P03": // shutdown, crash, cannot connect now
			return true
		case len(pg.Code) == 5 && pg.Code[:2] == "53": // insufficient resources (too many connections)
			return true
		}
		return false
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	return false
}

// unexpected replaces Huma's answer to an error a handler returned without
// a status: an outage of Temporal or PostgreSQL becomes 503 with
// Retry-After, never 500; anything else stays 500 and is logged.
func unexpected(log *slog.Logger, next func(huma.Context, int, string, ...error) huma.StatusError) func(huma.Context, int, string, ...error) huma.StatusError {
	return func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		if status >= http.StatusInternalServerError {
			err := errors.Join(errs...)
			if dep, ok := dependencyDown(err); ok {
				log.Warn("dependency unavailable", "dependency", dep, "err", err)
				if ctx != nil {
					ctx.SetHeader("Retry-After", strconv.Itoa(retryAfterSeconds))
				}
				return next(ctx, http.StatusServiceUnavailable, dep+" is unavailable; try again")
			}
			if status == http.StatusInternalServerError && len(errs) > 0 {
				log.Error("unexpected error", "msg", msg, "err", err)
			}
		}
		return next(ctx, status, msg, errs...)
	}
}
