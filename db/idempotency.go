package db

import (
	"context"
	"fmt"

	"github.com/casework/casework/db/dbq"
)

// IdempotentCommand is the first use of an Idempotency-Key for a command.
type IdempotentCommand struct {
	// RequestHash is the digest of the command the key first carried.
	RequestHash []byte
	// Outcome is the answer the command had, once it completed; nil while
	// it has not (or its answer was never stored).
	Outcome []byte
}

// ClaimIdempotencyKey records the first use of scope (a digest of caller,
// operation, case and key) with requestHash, or returns the earlier use.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, scope, caseID, operation string, requestHash []byte) (IdempotentCommand, error) {
	q := dbq.New(s.pool)
	if err := q.IdempotencyInsert(ctx, dbq.IdempotencyInsertParams{
		Scope: scope, CaseID: caseID, Operation: operation, RequestHash: requestHash,
	}); err != nil {
		return IdempotentCommand{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	row, err := q.IdempotencyGet(ctx, scope)
	if err != nil {
		return IdempotentCommand{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	return IdempotentCommand{RequestHash: row.RequestHash, Outcome: row.Outcome}, nil
}

// CompleteIdempotencyKey keeps the outcome of the keyed command; the first
// outcome stored is the one every retry gets.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, scope string, outcome []byte) error {
	if _, err := dbq.New(s.pool).IdempotencyComplete(ctx, dbq.IdempotencyCompleteParams{Scope: scope, Outcome: outcome}); err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}
