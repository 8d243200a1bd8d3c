// Package auth issues and verifies the bearer tokens casework's users carry:
// signed JWTs naming the subject, their role and the scope they act in.
package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/casework/casework/casefile"
)

// Principal is an authenticated user.
type Principal struct {
	Subject string        `json:"sub"`
	Role    casefile.Role `json:"role"`
	// Court is the court a court user belongs to (e.g. "兴义市人民法院").
	Court string `json:"court,omitempty"`
	// Jurisdiction is the administrative code the user's authority covers
	// ("CN-52" covers "CN-52-QXN"); auditors and supervisors read within it.
	Jurisdiction string `json:"jurisdiction,omitempty"`
	// Organisation is a mediator's mediation organisation.
	Organisation string `json:"organisation,omitempty"`
}

// Actor returns the principal as the actor of a case step.
func (p Principal) Actor() casefile.Actor { return casefile.Actor{Subject: p.Subject, Role: p.Role} }

// Covers reports whether the principal's jurisdiction contains j: equal, or
// j is a subdivision of it ("CN-52" covers "CN-52-QXN", not "CN-520").
func (p Principal) Covers(j string) bool {
	if p.Jurisdiction == "" {
		return false
	}
	return j == p.Jurisdiction || strings.HasPrefix(j, p.Jurisdiction+"-")
}

// Roles a token may carry; the system role is never issued.
var Roles = []casefile.Role{casefile.RoleCourt, casefile.RoleMediator, casefile.RoleParty, casefile.RoleAuditor, casefile.RoleSupervisor, casefile.RoleCourtAdmin}

type claims struct {
	jwt.RegisteredClaims
	Role         casefile.Role `json:"role"`
	Court        string        `json:"court,omitempty"`
	Jurisdiction string        `json:"jurisdiction,omitempty"`
	Organisation string        `json:"org,omitempty"`
}

// issuer names casework as the issuer and audience of its own tokens.
const issuer = "casework"

// ErrInvalidToken is returned for any token that cannot be trusted.
var ErrInvalidToken = errors.New("invalid token")

// Keys signs and verifies tokens with a shared secret (HS256). Deployments
// give the secret in CASEWORK_JWT_SECRET; it must be at least 32 bytes.
type Keys struct {
	secret []byte
	now    func() time.Time
}

// NewKeys returns Keys for secret.
func NewKeys(secret []byte) (*Keys, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("token secret must be at least 32 bytes, got %d", len(secret))
	}
	return &Keys{secret: secret, now: time.Now}, nil
}

// Mint issues a token for p valid for ttl.
func (k *Keys) Mint(p Principal, ttl time.Duration) (string, error) {
	if err := validPrincipal(p); err != nil {
		return "", err
	}
	now := k.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Audience: jwt.ClaimStrings{issuer}, Subject: p.Subject,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: p.Role, Court: p.Court, Jurisdiction: p.Jurisdiction, Organisation: p.Organisation,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k.secret)
}

// Verify checks a token's signature, algorithm, issuer, audience and
// lifetime and returns its principal.
func (k *Keys) Verify(token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return k.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithAudience(issuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(k.now))
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	p := Principal{Subject: c.Subject, Role: c.Role, Court: c.Court, Jurisdiction: c.Jurisdiction, Organisation: c.Organisation}
	if err := validPrincipal(p); err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return p, nil
}

func validPrincipal(p Principal) error {
	if strings.TrimSpace(p.Subject) == "" {
		return errors.New("subject is required")
	}
	known := false
	for _, r := range Roles {
		known = known || r == p.Role
	}
	if !known {
		return fmt.Errorf("unknown role %q", p.Role)
	}
	if (p.Role == casefile.RoleCourt || p.Role == casefile.RoleAuditor || p.Role == casefile.RoleSupervisor || p.Role == casefile.RoleCourtAdmin) && p.Jurisdiction == "" {
		return fmt.Errorf("a %s needs a jurisdiction", p.Role)
	}
	if p.Role == casefile.RoleCourt && p.Court == "" {
		return errors.New("a court user needs a court")
	}
	return nil
}
