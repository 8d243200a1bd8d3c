package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/casework/casework/db/dbq"
)

// Revocation cuts off bearer tokens: the one with ID, or when ID is empty
// every token of Subject issued before IssuedBefore.
type Revocation struct {
	ID           string
	Subject      string
	IssuedBefore time.Time
	Reason       string
}

// RevokeTokens records a revocation; the API refuses the tokens it names
// from then on.
func (s *Store) RevokeTokens(ctx context.Context, r Revocation) error {
	if r.ID == "" && (r.Subject == "" || r.IssuedBefore.IsZero()) {
		return errors.New("revoke tokens: name a token id, or a subject and a time")
	}
	p := dbq.TokenRevocationInsertParams{Jti: r.ID, Subject: r.Subject, Reason: r.Reason}
	if r.ID == "" {
		p.IssuedBefore = &r.IssuedBefore
	} else {
		p.Subject = ""
	}
	if err := dbq.New(s.pool).TokenRevocationInsert(ctx, p); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	return nil
}

// TokenRevoked reports whether the token with id, of subject, issued at
// issuedAt has been revoked.
func (s *Store) TokenRevoked(ctx context.Context, id, subject string, issuedAt time.Time) (bool, error) {
	revoked, err := dbq.New(s.pool).TokenRevoked(ctx, dbq.TokenRevokedParams{Jti: id, Subject: subject, IssuedAt: issuedAt})
	if err != nil {
		return false, fmt.Errorf("token revocations: %w", err)
	}
	return revoked, nil
}
