package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
)

// Rejection kinds carried as the application error type of a refused
// command, so the API can answer with the right status and the workflow's
// own reason.
const (
	// RejectInvalid: the command is malformed or its content breaks a rule (422).
	RejectInvalid = "InvalidCommand"
	// RejectConflict: the case is not in a state that allows the command (409).
	RejectConflict = "CaseStateConflict"
	// RejectForbidden: the actor may not give this command on this case (403).
	RejectForbidden = "Forbidden"
)

func reject(kind, format string, args ...any) error {
	return temporal.NewApplicationErrorWithOptions(fmt.Sprintf(format, args...), kind, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// Rejection returns the kind and reason of a command the workflow refused,
// and ok=false for any other error.
func Rejection(err error) (kind, reason string, ok bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", "", false
	}
	switch appErr.Type() {
	case RejectInvalid, RejectConflict, RejectForbidden:
		return appErr.Type(), appErr.Message(), true
	}
	return "", "", false
}
