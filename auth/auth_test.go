package auth

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
)

var secret = randomSecret()

func randomSecret() []byte {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return []byte(base64.StdEncoding.EncodeToString(b))
}

func TestMintVerify(t *testing.T) {
	k, err := NewKeys(secret)
	require.NoError(t, err)
	p := Principal{Subject: "judge-li", Role: casefile.RoleCourt, Court: "兴义市人民法院", Jurisdiction: "CN-52"}
	tok, err := k.Mint(p, time.Hour)
	require.NoError(t, err)
	got, err := k.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, p, got)
}

func TestVerifyRefuses(t *testing.T) {
	k, err := NewKeys(secret)
	require.NoError(t, err)
	other, err := NewKeys(randomSecret())
	require.NoError(t, err)
	good := Principal{Subject: "m1", Role: casefile.RoleMediator}
	signedElsewhere, err := other.Mint(good, time.Hour)
	require.NoError(t, err)
	expired, err := k.Mint(good, -2*time.Hour)
	require.NoError(t, err)
	// A token with alg "none" must never be accepted.
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "m1", "role": "mediator", "iss": issuer, "aud": issuer, "exp": time.Now().Add(time.Hour).Unix()}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	for name, tok := range map[string]string{
		"OtherKey": signedElsewhere, "Expired": expired, "AlgNone": none, "Garbage": "not.a.jwt", "Empty": "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := k.Verify(tok)
			require.ErrorIs(t, err, ErrInvalidToken)
		})
	}
}

func TestMintRefusesBadPrincipal(t *testing.T) {
	k, err := NewKeys(secret)
	require.NoError(t, err)
	for _, p := range []Principal{
		{Subject: "", Role: casefile.RoleParty},
		{Subject: "x", Role: casefile.RoleSystem},
		{Subject: "x", Role: casefile.RoleCourt, Jurisdiction: "CN"},
		{Subject: "x", Role: casefile.RoleAuditor},
	} {
		_, err := k.Mint(p, time.Hour)
		require.Error(t, err, "principal %+v", p)
	}
	_, err = NewKeys([]byte("short"))
	require.Error(t, err)
}

func TestNewKeysRefusesWeakSecrets(t *testing.T) {
	for name, s := range map[string]string{
		"K8sExamplePlaceholder": "CHANGE-ME-to-at-least-32-random-bytes-openssl-rand-hex-32",
		"RepeatedCharacter":     strings.Repeat("a", 32),
		"RepeatedPattern":       strings.Repeat("secret", 8),
		"LowEntropy":            "0000000000000000000000000000000000000001",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewKeys([]byte(s))
			require.ErrorContains(t, err, "openssl rand -base64 48")
		})
	}
}

func TestTokenLifetimeIsCapped(t *testing.T) {
	k, err := NewKeys(secret)
	require.NoError(t, err)
	require.Equal(t, 12*time.Hour, k.MaxTTL)
	p := Principal{Subject: "zhang-san", Role: casefile.RoleParty}
	_, err = k.Mint(p, 876000*time.Hour)
	require.ErrorContains(t, err, "at most 12h0m0s")
	_, err = k.Mint(p, 12*time.Hour)
	require.NoError(t, err)

	// A token minted where the cap was longer is refused here.
	long, err := NewKeys(secret)
	require.NoError(t, err)
	long.MaxTTL = 30 * 24 * time.Hour
	tok, err := long.Mint(p, 30*24*time.Hour)
	require.NoError(t, err)
	_, err = k.Verify(tok)
	require.ErrorIs(t, err, ErrInvalidToken)
	require.ErrorContains(t, err, "longer than the 12h0m0s allowed")
}

func TestVerifyTokenHasID(t *testing.T) {
	k, err := NewKeys(secret)
	require.NoError(t, err)
	p := Principal{Subject: "zhang-san", Role: casefile.RoleParty}
	a, err := k.Mint(p, time.Hour)
	require.NoError(t, err)
	b, err := k.Mint(p, time.Hour)
	require.NoError(t, err)
	ta, err := k.VerifyToken(a)
	require.NoError(t, err)
	tb, err := k.VerifyToken(b)
	require.NoError(t, err)
	require.Len(t, ta.ID, 32)
	require.NotEqual(t, ta.ID, tb.ID, "each token has its own id, to revoke it alone")

	// A token without an id or issue time cannot be revoked: refused.
	now := time.Now()
	for name, c := range map[string]jwt.MapClaims{
		"NoID":       {"sub": "zhang-san", "role": "party", "iss": issuer, "aud": issuer, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()},
		"NoIssuedAt": {"sub": "zhang-san", "role": "party", "iss": issuer, "aud": issuer, "jti": "x", "exp": now.Add(time.Hour).Unix()},
	} {
		t.Run(name, func(t *testing.T) {
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
			require.NoError(t, err)
			_, err = k.Verify(tok)
			require.ErrorIs(t, err, ErrInvalidToken)
		})
	}
}

func TestBlankScopesRefused(t *testing.T) {
	k, err := NewKeys(secret)
	require.NoError(t, err)
	for name, p := range map[string]Principal{
		"BlankJurisdiction":     {Subject: "judge-ma", Role: casefile.RoleCourt, Court: "某法院", Jurisdiction: " "},
		"PaddedJurisdiction":    {Subject: "auditor-x", Role: casefile.RoleAuditor, Jurisdiction: "CN-52 "},
		"NotACode":              {Subject: "auditor-x", Role: casefile.RoleAuditor, Jurisdiction: "cn-52"},
		"BlankCourt":            {Subject: "judge-ma", Role: casefile.RoleCourt, Court: "  ", Jurisdiction: "CN-52"},
		"BlankSubject":          {Subject: " ", Role: casefile.RoleParty},
		"PaddedSubject":         {Subject: "zhang-san ", Role: casefile.RoleParty},
		"ControlInOrganisation": {Subject: "m", Role: casefile.RoleMediator, Organisation: "a\nb"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := k.Mint(p, time.Hour)
			require.Error(t, err)
			// Nor is one signed with the key by other means accepted.
			now := time.Now()
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
				"sub": p.Subject, "role": string(p.Role), "court": p.Court, "jurisdiction": p.Jurisdiction, "org": p.Organisation,
				"iss": issuer, "aud": issuer, "jti": "x", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			}).SignedString(secret)
			require.NoError(t, err)
			_, err = k.Verify(tok)
			require.ErrorIs(t, err, ErrInvalidToken)
		})
	}
}

func TestCovers(t *testing.T) {
	p := Principal{Jurisdiction: "CN-52"}
	for j, want := range map[string]bool{"CN-52": true, "CN-52-QXN": true, "CN-520": false, "CN": false, "CN-11": false} {
		require.Equal(t, want, p.Covers(j), "Covers(%q)", j)
	}
}
