package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/casefile"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

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
	other, err := NewKeys([]byte(strings.Repeat("x", 32)))
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

func TestCovers(t *testing.T) {
	p := Principal{Jurisdiction: "CN-52"}
	for j, want := range map[string]bool{"CN-52": true, "CN-52-QXN": true, "CN-520": false, "CN": false, "CN-11": false} {
		require.Equal(t, want, p.Covers(j), "Covers(%q)", j)
	}
}
