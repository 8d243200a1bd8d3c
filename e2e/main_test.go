// Package e2e drives casework through its HTTP API on the real stack: a
// Temporal dev server, a PostgreSQL cluster, the real worker and API.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/casework/casework/api"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/payload"
	"github.com/casework/casework/internal/stacktest"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/worker"
)

// compressed runs 30 legal days per real second.
const compressed = 30 * 86400

var (
	stack    *stacktest.Stack
	store    *db.Store
	temporal client.Client
	keys     *auth.Keys
	// jwtSecret is the API's token secret, for tests that forge tokens
	// the way an attacker who knows the format would.
	jwtSecret []byte
	// realTime serves cases whose clocks run at scale 1; fast at compressed.
	realTime, fast *httptest.Server
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	var err error
	stack, err = stacktest.Start(ctx, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer stack.Stop()
	store = db.NewStore(stack.AppPool, audit.RandomKey())
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The worker and the API log at the default level, INFO, into logs,
	// which must hold no token and no notice body when the run ends.
	appLog := slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}),
		slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	slog.SetDefault(appLog)
	temporal, err = client.Dial(client.Options{HostPort: stack.Temporal.HostPort, Logger: sdklog.NewStructuredLogger(quiet), DataConverter: payload.Converter})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer temporal.Close()
	if err := startWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer func() { inProcess.Stop() }()
	jwtSecret = []byte(audit.GenerateKey())
	keys, err = auth.NewKeys(jwtSecret)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	for _, srv := range []struct {
		s     **httptest.Server
		scale int64
	}{{&realTime, 1}, {&fast, compressed}} {
		h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: srv.scale, Log: appLog})
		*srv.s = httptest.NewServer(h)
		defer (*srv.s).Close()
	}
	code := m.Run()
	if err := secretsInLogs(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the logs of this run hold", err)
		return 1
	}
	return code
}

// inProcess is the worker the tests share; a test that runs workflows on
// a worker process of its own (to kill it) stops it and starts it again.
var inProcess sdkworker.Worker

// startWorker starts the shared in-process worker.
func startWorker() error {
	reg, err := policy.Default()
	if err != nil {
		return err
	}
	inProcess = worker.New(temporal, worker.Deps{Store: store, Policies: reg, HistoryExportEvery: 200 * time.Millisecond})
	return inProcess.Start()
}

// logs is what the worker and the API logged at INFO during the run.
var logs syncBuffer

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jwtPattern matches a bearer token (a JWT's base64url header and claims).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}`)

// secretsInLogs returns what the logs must not hold: a bearer token, or
// the body of any notice sent in the run.
func secretsInLogs(ctx context.Context) error {
	text := logs.String()
	if tok := jwtPattern.FindString(text); tok != "" {
		return fmt.Errorf("a bearer token: %.20s...", tok)
	}
	rows, err := stack.Pool.Query(ctx, "SELECT id, body FROM notices")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return err
		}
		if body != "" && strings.Contains(text, body) {
			return fmt.Errorf("the body of notice %d", id)
		}
	}
	return rows.Err()
}

// Sample users, one per role, as make dev prints them.
var (
	court      = auth.Principal{Subject: "judge-li", Role: casefile.RoleCourt, Court: "兴义市人民法院", Jurisdiction: "CN-52"}
	otherCourt = auth.Principal{Subject: "judge-ma", Role: casefile.RoleCourt, Court: "北京市朝阳区人民法院", Jurisdiction: "CN-11"}
	mediator   = auth.Principal{Subject: "mediator-wang", Role: casefile.RoleMediator}
	otherMed   = auth.Principal{Subject: "mediator-zhao", Role: casefile.RoleMediator}
	applicant  = auth.Principal{Subject: "zhang-san", Role: casefile.RoleParty}
	stranger   = auth.Principal{Subject: "li-si", Role: casefile.RoleParty}
	auditor    = auth.Principal{Subject: "auditor-chen", Role: casefile.RoleAuditor, Jurisdiction: "CN-52"}
	supervisor = auth.Principal{Subject: "leader-zhou", Role: casefile.RoleSupervisor, Jurisdiction: "CN-52"}
	courtAdmin = auth.Principal{Subject: "admin-zhao", Role: casefile.RoleCourtAdmin, Jurisdiction: "CN-52"}
)

func token(t *testing.T, p auth.Principal) string {
	t.Helper()
	tok, err := keys.Mint(p, time.Hour)
	require.NoError(t, err)
	return tok
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// problem decodes an RFC 9457 problem and checks its media type.
func (r response) problem(t *testing.T) map[string]any {
	t.Helper()
	require.Contains(t, r.Header.Get("Content-Type"), "application/problem+json", "body: %s", r.Body)
	var p map[string]any
	r.json(t, &p)
	require.NotEmpty(t, p["detail"], "a problem says why")
	return p
}

// do sends a request as p (no token when p is nil); body may be a value to
// encode, raw bytes, or nil.
func do(t *testing.T, srv *httptest.Server, p *auth.Principal, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	require.NoError(t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if p != nil {
		req.Header.Set("Authorization", "Bearer "+token(t, *p))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}
