package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casework/casework/auth"
	"github.com/casework/casework/db"
)

// tokenMaxTTL returns CASEWORK_TOKEN_MAX_TTL, the longest a token may live.
func tokenMaxTTL() (time.Duration, error) {
	s := env("CASEWORK_TOKEN_MAX_TTL", "")
	if s == "" {
		return auth.DefaultMaxTTL, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > 31*24*time.Hour {
		return 0, fmt.Errorf("CASEWORK_TOKEN_MAX_TTL=%q: want a duration from 1m to 744h, e.g. 12h", s)
	}
	return d, nil
}

// runTokenRevoke revokes a token (given whole, or by its id) or every
// token of a subject issued until now.
func runTokenRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	token := fs.String("token", "", "the token to revoke")
	id := fs.String("jti", "", "the id (jti) of the token to revoke")
	sub := fs.String("sub", "", "revoke every token of this subject issued until now")
	reason := fs.String("reason", "", "why, for the record")
	keyFile := fs.String("key-file", devKeyFile(), "development key file used when CASEWORK_JWT_SECRET is unset")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := db.Revocation{ID: *id, Reason: *reason}
	switch {
	case *token != "":
		keys, err := jwtKeys(*keyFile)
		if err != nil {
			return err
		}
		t, err := keys.VerifyToken(strings.TrimSpace(*token))
		if err != nil {
			return fmt.Errorf("%w (an expired token needs no revoking)", err)
		}
		r.ID = t.ID
	case *sub != "":
		r.Subject, r.IssuedBefore = *sub, time.Now()
	case *id == "":
		return errors.New("name the token: -token, -jti, or -sub for every token of a subject")
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.NewStore(pool, auditKeyOrNone()).RevokeTokens(ctx, r); err != nil {
		return err
	}
	if r.ID != "" {
		fmt.Fprintf(stdout, "revoked token %s\n", r.ID)
	} else {
		fmt.Fprintf(stdout, "revoked every token of %s issued before %s\n", r.Subject, r.IssuedBefore.Format(time.RFC3339))
	}
	return nil
}
