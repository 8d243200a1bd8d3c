package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/api"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/payload"
)

// holdCaseRow locks the case's ledger row for d, so the workflow's recording
// activity — and so every command of the case, which waits for its step to
// be recorded — is held in the workflow that long, as a slow database is.
func holdCaseRow(t *testing.T, id string, d time.Duration) (released <-chan struct{}) {
	t.Helper()
	ctx := context.Background()
	tx, err := stack.Pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT 1 FROM cases WHERE id = $1 FOR UPDATE`, id)
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		time.Sleep(d)
		_ = tx.Rollback(ctx)
		close(done)
	}()
	t.Cleanup(func() { <-done })
	return done
}

// keepAlive is one client connection reused for every request, as a
// browser's or a clerk's tool's; reused reports whether the last request
// went over a connection already used.
type keepAlive struct {
	client *http.Client
	mu     sync.Mutex
	reused bool
}

func newKeepAlive() *keepAlive {
	return &keepAlive{client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}}
}

func (k *keepAlive) do(t *testing.T, srv *httptest.Server, p auth.Principal, method, path, body string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) { k.mu.Lock(); k.reused = i.Reused; k.mu.Unlock() },
	}))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token(t, p))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := k.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func countKind(t *testing.T, id, kind string) int {
	t.Helper()
	var n int
	require.NoError(t, stack.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = $2`, id, kind).Scan(&n))
	return n
}

// A command the workflow takes 20 s over is answered with its outcome, not
// cut off, and the same keep-alive connection serves the next request.
func TestSlowCommandIsAnsweredOnTheSameConnection(t *testing.T) {
	c := startCase(t, realTime)
	id := c.Summary.ID
	k := newKeepAlive()
	res := k.do(t, realTime, auditor, http.MethodGet, "/cases/"+id, "")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)

	const hold = 20 * time.Second
	holdCaseRow(t, id, hold)
	began := time.Now()
	res = k.do(t, realTime, mediator, http.MethodPost, "/cases/"+id+"/extensions", `{"reason":"双方同意延长"}`, "Idempotency-Key", "slow-1")
	took := time.Since(began)
	require.Equal(t, http.StatusOK, res.Status, "after %s: %s", took, res.Body)
	require.GreaterOrEqual(t, took, hold-time.Second, "the command really was held")
	var after api.CaseBody
	res.json(t, &after)
	require.NotNil(t, after.Mediation)
	require.Equal(t, 1, after.Mediation.ExtensionsUsed, "the answer is the case after the command")

	res = k.do(t, realTime, auditor, http.MethodGet, "/cases/"+id, "")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.True(t, k.reused, "the next request went over the same connection")
	require.Equal(t, 1, countKind(t, id, "deadline_extended"))
}

// A command still running when the API's bound passes is answered 503 with
// Retry-After and the key to retry with; the retry returns its outcome and
// the command took effect once. Without a key of its own the caller is
// given one.
func TestCommandPastTheBoundIs503AndItsRetryTheOutcome(t *testing.T) {
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: 1, CommandTimeout: 2 * time.Second})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	for _, key := range []string{"bound-1", ""} {
		t.Run("key="+key, func(t *testing.T) {
			c := startCase(t, srv)
			id := c.Summary.ID
			k := newKeepAlive()
			released := holdCaseRow(t, id, 5*time.Second)
			var headers []string
			if key != "" {
				headers = []string{"Idempotency-Key", key}
			}
			res := k.do(t, srv, mediator, http.MethodPost, "/cases/"+id+"/extensions", `{"reason":"双方同意延长"}`, headers...)
			require.Equal(t, http.StatusServiceUnavailable, res.Status, "body: %s", res.Body)
			require.NotEmpty(t, res.Header.Get("Retry-After"))
			p := res.problem(t)
			retryKey := res.Header.Get("Idempotency-Key")
			require.NotEmpty(t, retryKey, "headers %v body %s", res.Header, res.Body)
			if key != "" {
				require.Equal(t, key, retryKey)
			}
			require.Contains(t, p["detail"], retryKey, "the problem says which key to retry with")

			<-released
			// As a client does: retry with the key while the answer is 503
			// (on a loaded machine the case may still take longer than this
			// server's 2 s bound to finish once the database lets go).
			for range 15 {
				res = k.do(t, srv, mediator, http.MethodPost, "/cases/"+id+"/extensions", `{"reason":"双方同意延长"}`, "Idempotency-Key", retryKey)
				if res.Status != http.StatusServiceUnavailable {
					break
				}
				// Any 503 on the way (the case still busy, a dependency
				// slow) is retried with the same key.
				res.problem(t)
			}
			require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
			require.True(t, k.reused, "the 503 did not break the connection")
			require.Equal(t, 1, countKind(t, id, "deadline_extended"), "the command took effect once")

			// The same key with another body is refused, and changes nothing.
			res = k.do(t, srv, mediator, http.MethodPost, "/cases/"+id+"/extensions", `{"reason":"另一个理由"}`, "Idempotency-Key", retryKey)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
			require.Contains(t, res.problem(t)["detail"], "different")
			require.Equal(t, 1, countKind(t, id, "deadline_extended"))
		})
	}
}

// With PostgreSQL or Temporal unreachable, the API answers 503 with
// Retry-After, never 500; a read of one case answers from the ledger,
// marked, within a short bound; /readyz names what is down.
func TestOutagesAre503(t *testing.T) {
	ctx := context.Background()
	c := startCase(t, realTime)

	deadPool, err := pgxpool.New(ctx, "postgres://casework@127.0.0.1:1/casework?connect_timeout=1")
	require.NoError(t, err)
	t.Cleanup(deadPool.Close)
	h, _ := api.New(&api.Server{Temporal: temporal, Store: db.NewStore(deadPool, audit.RandomKey()), Keys: keys, TimeScale: 1})
	noDB := httptest.NewServer(h)
	t.Cleanup(noDB.Close)

	deadTemporal, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1", DataConverter: payload.Converter})
	require.NoError(t, err)
	t.Cleanup(deadTemporal.Close)
	h, _ = api.New(&api.Server{Temporal: deadTemporal, Store: store, Keys: keys, TimeScale: 1})
	noTemporal := httptest.NewServer(h)
	t.Cleanup(noTemporal.Close)

	cases := []struct {
		name   string
		srv    *httptest.Server
		p      auth.Principal
		method string
		path   string
		body   any
	}{
		{"ledger without PostgreSQL", noDB, court, http.MethodGet, "/ledger", nil},
		{"statistics without PostgreSQL", noDB, court, http.MethodGet, "/statistics", nil},
		{"one case without PostgreSQL", noDB, court, http.MethodGet, "/cases/" + c.Summary.ID, nil},
		{"open a case without PostgreSQL", noDB, court, http.MethodPost, "/cases/mediation", startBody(newCaseNumber())},
		{"open a case without Temporal", noTemporal, court, http.MethodPost, "/cases/mediation", startBody(newCaseNumber())},
		{"a command without Temporal", noTemporal, mediator, http.MethodPost, "/cases/" + c.Summary.ID + "/extensions", map[string]string{"reason": "双方同意"}},
		{"verify without Temporal", noTemporal, auditor, http.MethodGet, "/cases/" + c.Summary.ID + "/timeline/verify", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			began := time.Now()
			res := do(t, tc.srv, &tc.p, tc.method, tc.path, tc.body)
			require.Equal(t, http.StatusServiceUnavailable, res.Status, "body: %s", res.Body)
			require.NotEmpty(t, res.Header.Get("Retry-After"))
			res.problem(t)
			require.Less(t, time.Since(began), 40*time.Second)
		})
	}

	t.Run("one case without Temporal answers from the ledger", func(t *testing.T) {
		began := time.Now()
		res := do(t, noTemporal, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		require.Less(t, time.Since(began), 10*time.Second)
		var body api.CaseBody
		res.json(t, &body)
		require.Equal(t, c.Summary.ID, body.Summary.ID)
		require.Nil(t, body.Mediation)
		require.NotEmpty(t, body.LiveStateUnavailable)
	})

	for _, tc := range []struct {
		srv  *httptest.Server
		down string
	}{{noDB, "postgresql"}, {noTemporal, "temporal"}} {
		res := do(t, tc.srv, nil, http.MethodGet, "/readyz", nil)
		require.Equal(t, http.StatusServiceUnavailable, res.Status, "body: %s", res.Body)
		var ready struct {
			Checks []struct {
				Name string
				OK   bool
			}
		}
		res.json(t, &ready)
		for _, ch := range ready.Checks {
			require.Equal(t, ch.Name != tc.down, ch.OK, "check %s: %s", ch.Name, res.Body)
		}
	}
	res := do(t, realTime, nil, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
}
