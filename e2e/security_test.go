package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// forge builds a JWT by hand, so a test can send what no honest minting
// code would: header and claims as given, signed with HMAC over key by the
// hash named, or unsigned when sign is nil.
func forge(t *testing.T, header, claims map[string]any, sign func() hash.Hash, key []byte) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	unsigned := enc(header) + "." + enc(claims)
	if sign == nil {
		return unsigned + "."
	}
	m := hmac.New(sign, key)
	m.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// courtClaims are the claims of a valid court token for the test court,
// as Mint writes them; each case below spoils one thing.
func courtClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": "casework", "aud": []string{"casework"}, "sub": court.Subject, "jti": "0123456789abcdef",
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		"role": string(court.Role), "court": court.Court, "jurisdiction": court.Jurisdiction,
	}
}

func with(c map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range c {
		out[key] = val
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// TestForgedTokensAreRefused probes the API on the real stack with the
// tokens an attacker tries: no signature, another algorithm, a signature
// from another key, lifetimes outside the rules, missing or wrong claims,
// a payload edited after signing. Every one is answered 401 problem+json
// with the same detail for a case that exists and one that does not, on a
// read and on a write, and the case is unchanged afterwards.
func TestForgedTokensAreRefused(t *testing.T) {
	c := startCase(t, realTime)
	id := c.Summary.ID
	before := timeline(t, realTime, id)
	now := time.Now()
	hs256 := map[string]any{"alg": "HS256", "typ": "JWT"}
	valid := courtClaims(now)

	// The baseline: the hand-made token is accepted, so each refusal below
	// is for the one thing the case spoils.
	ok := forge(t, hs256, valid, sha256.New, jwtSecret)
	require.Equal(t, http.StatusOK, bearer(t, ok, http.MethodGet, "/cases/"+id, nil).Status)

	edited := func() string {
		parts := strings.Split(ok, ".")
		parts[1] = base64.RawURLEncoding.EncodeToString(mustJSON(t, with(valid, "jurisdiction", "CN")))
		return strings.Join(parts, ".")
	}()
	cases := map[string]string{
		"alg none":                  forge(t, map[string]any{"alg": "none", "typ": "JWT"}, valid, nil, nil),
		"alg None":                  forge(t, map[string]any{"alg": "None"}, valid, nil, nil),
		"HS384 with the secret":     forge(t, map[string]any{"alg": "HS384"}, valid, sha512.New384, jwtSecret),
		"HS512 with the secret":     forge(t, map[string]any{"alg": "HS512"}, valid, sha512.New, jwtSecret),
		"RS256 header, HMAC signed": forge(t, map[string]any{"alg": "RS256"}, valid, sha256.New, jwtSecret),
		"another key":               forge(t, hs256, valid, sha256.New, []byte("an-attacker's-own-key-of-enough-length!!")),
		"no signature":              strings.Join(strings.Split(ok, ".")[:2], ".") + ".",
		"payload edited":            edited,
		"expired":                   forge(t, hs256, with(with(valid, "exp", now.Add(-time.Minute).Unix()), "iat", now.Add(-time.Hour).Unix()), sha256.New, jwtSecret),
		"not yet valid":             forge(t, hs256, with(valid, "nbf", now.Add(time.Hour).Unix()), sha256.New, jwtSecret),
		"issued in the future":      forge(t, hs256, with(with(valid, "iat", now.Add(time.Hour).Unix()), "exp", now.Add(2*time.Hour).Unix()), sha256.New, jwtSecret),
		"lives past the cap":        forge(t, hs256, with(valid, "exp", now.Add(30*24*time.Hour).Unix()), sha256.New, jwtSecret),
		"no expiry":                 forge(t, hs256, with(valid, "exp", nil), sha256.New, jwtSecret),
		"no issue time":             forge(t, hs256, with(valid, "iat", nil), sha256.New, jwtSecret),
		"no token id":               forge(t, hs256, with(valid, "jti", nil), sha256.New, jwtSecret),
		"no subject":                forge(t, hs256, with(valid, "sub", nil), sha256.New, jwtSecret),
		"blank subject":             forge(t, hs256, with(valid, "sub", " "), sha256.New, jwtSecret),
		"no role":                   forge(t, hs256, with(valid, "role", nil), sha256.New, jwtSecret),
		"the system role":           forge(t, hs256, with(valid, "role", "system"), sha256.New, jwtSecret),
		"blank jurisdiction":        forge(t, hs256, with(valid, "jurisdiction", " "), sha256.New, jwtSecret),
		"jurisdiction not a code":   forge(t, hs256, with(valid, "jurisdiction", "CN-52 OR 1=1"), sha256.New, jwtSecret),
		"wrong audience":            forge(t, hs256, with(valid, "aud", []string{"temporal"}), sha256.New, jwtSecret),
		"no audience":               forge(t, hs256, with(valid, "aud", nil), sha256.New, jwtSecret),
		"wrong issuer":              forge(t, hs256, with(valid, "iss", "someone-else"), sha256.New, jwtSecret),
		"no issuer":                 forge(t, hs256, with(valid, "iss", nil), sha256.New, jwtSecret),
		"not a JWT":                 "casework",
		"three empty parts":         "..",
		"not UTF-8":                 "\xff\xfe.\xfd.\xfc",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			var details []string
			for _, probe := range []struct{ method, path string }{
				{http.MethodGet, "/cases/" + id},
				{http.MethodGet, "/cases/cnosuchcase0000000"},
				{http.MethodGet, "/cases/" + id + "/timeline"},
				{http.MethodGet, "/ledger"},
				{http.MethodPost, "/cases/" + id + "/extensions"},
			} {
				res := bearer(t, tok, probe.method, probe.path, []byte(`{"days":5,"reason":"forged"}`))
				require.Equal(t, http.StatusUnauthorized, res.Status, "%s %s: %s", probe.method, probe.path, res.Body)
				require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
				details = append(details, res.problem(t)["detail"].(string))
			}
			require.Equal(t, details[0], details[1], "a forged token learns nothing of which cases exist")
		})
	}
	require.Equal(t, kinds(before), kinds(timeline(t, realTime, id)), "no forged token changed the case")
}

// TestAuthorizationHeaderForms: only "Bearer <token>" carries a token; a
// token in another scheme, in the query string or in a cookie is not one.
func TestAuthorizationHeaderForms(t *testing.T) {
	tok := token(t, court)
	for name, h := range map[string][2]string{
		"Basic scheme":    {"Authorization", "Basic " + tok},
		"no scheme":       {"Authorization", tok},
		"empty bearer":    {"Authorization", "Bearer "},
		"bearer twice":    {"Authorization", "Bearer " + tok + " Bearer " + tok},
		"token in cookie": {"Cookie", "token=" + tok},
	} {
		t.Run(name, func(t *testing.T) {
			res := do(t, realTime, nil, http.MethodGet, "/ledger", nil, h[0], h[1])
			require.Equal(t, http.StatusUnauthorized, res.Status, "body %s", res.Body)
			res.problem(t)
		})
	}
	res := do(t, realTime, nil, http.MethodGet, "/ledger?access_token="+tok, nil)
	require.Equal(t, http.StatusUnauthorized, res.Status, "a token in the query string")
}

// bearer sends a request with tok as its bearer token, whatever it holds.
func bearer(t *testing.T, tok, method, path string, body []byte) response {
	t.Helper()
	var b any
	if method != http.MethodGet {
		b = body
	}
	return do(t, realTime, nil, method, path, b, "Authorization", "Bearer "+tok)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
