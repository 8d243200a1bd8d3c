// Package auth issues and verifies the bearer tokens casework's users carry:
// signed JWTs naming the subject, their role and the scope they act in.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"

	"github.com/casework/casework/casefile"
	secrets "github.com/casework/casework/internal/secret"
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
var Roles = []casefile.Role{casefile.RoleCourt, casefile.RoleMediator, casefile.RoleParty, casefile.RoleAuditor, casefile.RoleSupervisor, casefile.RoleCourtAdmin, casefile.RoleDispatcher, casefile.RoleIntakeClerk}

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

// DefaultMaxTTL is the longest a token lives unless configured otherwise
// (CASEWORK_TOKEN_MAX_TTL): a working day, so a leaked token is of little
// use for long.
const DefaultMaxTTL = 12 * time.Hour

// Keys signs and verifies tokens with a shared secret (HS256). Deployments
// give the secret in CASEWORK_JWT_SECRET; it must be at least 32 bytes and
// not guessable.
type Keys struct {
	secret []byte
	now    func() time.Time
	// MaxTTL is the longest lifetime Mint issues and Verify accepts.
	MaxTTL time.Duration
}

// NewKeys returns Keys for secret, refusing a short, placeholder,
// repeated or low-entropy one.
func NewKeys(key []byte) (*Keys, error) {
	if err := secrets.Check("token secret", key); err != nil {
		return nil, err
	}
	return &Keys{secret: key, now: time.Now, MaxTTL: DefaultMaxTTL}, nil
}

// Token is a verified token: whom it names and which token it is.
type Token struct {
	Principal
	// ID is the token's jti, by which it can be revoked.
	ID        string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Mint issues a token for p valid for ttl, at most MaxTTL.
func (k *Keys) Mint(p Principal, ttl time.Duration) (string, error) {
	if err := validPrincipal(p); err != nil {
		return "", err
	}
	if ttl > k.MaxTTL {
		return "", fmt.Errorf("a token may live at most %s, not %s (CASEWORK_TOKEN_MAX_TTL)", k.MaxTTL, ttl)
	}
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand never fails on supported platforms
	now := k.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Audience: jwt.ClaimStrings{issuer}, Subject: p.Subject, ID: hex.EncodeToString(id[:]),
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
	t, err := k.VerifyToken(token)
	return t.Principal, err
}

// VerifyToken checks a token as Verify does and returns it with its ID and
// lifetime. A token must have an ID and an issue time, and live no longer
// than MaxTTL.
func (k *Keys) VerifyToken(token string) (Token, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return k.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithAudience(issuer), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(k.now))
	if err != nil {
		return Token{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.ID == "" || c.IssuedAt == nil {
		return Token{}, fmt.Errorf("%w: no token id or issue time", ErrInvalidToken)
	}
	if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life > k.MaxTTL {
		return Token{}, fmt.Errorf("%w: lives %s, longer than the %s allowed", ErrInvalidToken, life, k.MaxTTL)
	}
	p := Principal{Subject: c.Subject, Role: c.Role, Court: c.Court, Jurisdiction: c.Jurisdiction, Organisation: c.Organisation}
	if err := validPrincipal(p); err != nil {
		return Token{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return Token{Principal: p, ID: c.ID, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time}, nil
}

// jurisdictionCode is an administrative code: a country and its
// subdivisions, e.g. CN, CN-52, CN-52-QXN.
var jurisdictionCode = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,8})*$`)

// cleanText reports whether s is text without surrounding blanks or
// control characters.
func cleanText(s string) bool {
	return s == strings.TrimSpace(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

func validPrincipal(p Principal) error {
	if strings.TrimSpace(p.Subject) == "" {
		return errors.New("subject is required")
	}
	for name, v := range map[string]string{"subject": p.Subject, "court": p.Court, "jurisdiction": p.Jurisdiction, "organisation": p.Organisation} {
		if !cleanText(v) {
			return fmt.Errorf("%s %q has surrounding blanks or control characters", name, v)
		}
	}
	if p.Jurisdiction != "" && !jurisdictionCode.MatchString(p.Jurisdiction) {
		return fmt.Errorf("jurisdiction %q is not a code like CN or CN-52", p.Jurisdiction)
	}
	known := false
	for _, r := range Roles {
		known = known || r == p.Role
	}
	if !known {
		return fmt.Errorf("unknown role %q", p.Role)
	}
	if (p.Role == casefile.RoleCourt || p.Role == casefile.RoleAuditor || p.Role == casefile.RoleSupervisor || p.Role == casefile.RoleCourtAdmin || p.Role == casefile.RoleDispatcher) && p.Jurisdiction == "" {
		return fmt.Errorf("a %s needs a jurisdiction", p.Role)
	}
	if p.Role == casefile.RoleCourt && p.Court == "" {
		return errors.New("a court user needs a court")
	}
	if p.Role == casefile.RoleIntakeClerk && (p.Court == "" || p.Jurisdiction == "" || p.Organisation == "") {
		return errors.New("an intake clerk needs the court it files with, its jurisdiction and its organisation")
	}
	return nil
}
