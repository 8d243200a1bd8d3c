// Package api is casework's HTTP API: courts, mediators, parties and
// auditors start cases, send them commands and read them here. It starts
// workflows and sends them Temporal updates; it reads the PostgreSQL read
// model for lists and history, and queries a workflow for one case's live
// state. It never writes case state itself.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/db"
	"github.com/casework/casework/metrics"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/web"
)

// Version is the API version in the OpenAPI document.
const Version = "0.1.0"

// Server holds what the handlers need.
type Server struct {
	Temporal client.Client
	Store    *db.Store
	Keys     *auth.Keys
	// TimeScale compresses case time for new cases (1 = real time).
	TimeScale int64
	Log       *slog.Logger
	// Policies answers the API's own legal-period checks (the enforcement
	// application window); nil means the embedded defaults.
	Policies *policy.Registry
	// CommandTimeout bounds how long a command or an open waits for the
	// case before answering 503 with how to learn its outcome; zero means
	// 30 s.
	CommandTimeout time.Duration
	// DevUsers are the development sign-ins GET /dev/users offers the
	// workbench; only casework dev sets them, so casework api has no such
	// route.
	DevUsers []DevUser
	// Anchors is the directory of signed anchor files the worker writes
	// (CASEWORK_ANCHOR_DIR); when set, verify checks each case against
	// every anchored head, so a deleted last step shows even once the
	// workflow history is gone.
	Anchors *audit.AnchorDir
	// Metrics records each request's latency by operation and status;
	// nil records nothing.
	Metrics *metrics.Metrics
}

// timed names the request's trace span for its operation (the HTTP
// layer knows only the path) and records how long the operation took to
// answer, and with what.
func (s *Server) timed(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if span := trace.SpanFromContext(ctx.Context()); span.IsRecording() {
		span.SetName(op.Method + " " + op.Path)
		span.SetAttributes(attribute.String("casework.operation", op.OperationID))
	}
	if s.Metrics == nil {
		next(ctx)
		return
	}
	began := time.Now()
	next(ctx)
	s.Metrics.ObserveRequest(op.OperationID, ctx.Method(), ctx.Status(), time.Since(began))
}

// Config is the OpenAPI configuration: title, security scheme and docs.
func Config() huma.Config {
	cfg := huma.DefaultConfig("casework", Version)
	cfg.Info.Description = "Long-running court and mediation case processes: delegated mediation, " +
		"judicial confirmation, performance supervision and enforcement, run as durable workflows. " +
		"Money is integer fen; dates are legal calendar dates (YYYY-MM-DD) in case time. " +
		"Errors are RFC 9457 problem+json."
	// The docs page is the web package's, with its assets in the binary.
	cfg.DocsPath = ""
	// Names and reasons are user text stored verbatim; answers escape
	// markup (<, >, &) so a client that pastes them into a page cannot be
	// made to run script.
	cfg.Formats = map[string]huma.Format{"application/json": safeJSON, "json": safeJSON}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		bearerScheme: {Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "A token minted by `casework token`; it names the subject, role and scope."},
	}
	return cfg
}

// New returns the HTTP handler serving the API, its OpenAPI document at
// /openapi.json, its docs at /docs and the web workbench at /.
func New(s *Server) (http.Handler, huma.API) {
	mux := http.NewServeMux()
	api := humago.New(mux, Config())
	Register(api, s)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.ready)
	web.Register(mux, "/openapi.json")
	if len(s.DevUsers) > 0 {
		mux.HandleFunc("GET /dev/users", s.devUsers)
	}
	mux.HandleFunc("/", notFound(mux))
	return recoverPanics(s.Log, retryAfter(secureHeaders(limitBody(mux, maxBodyBytes)))), api
}

func init() {
	// One place turns an outage behind any handler's plain error into 503.
	huma.NewErrorWithContext = unexpected(slog.Default(), huma.NewErrorWithContext)
}

// readyTimeout bounds each dependency check of /readyz.
const readyTimeout = 2 * time.Second

// ready answers 200 when PostgreSQL and Temporal both answer, else 503
// naming the dependency that is down, so an operator (or a load balancer)
// knows what to restart.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	type check struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}
	run := func(name string, f func(context.Context) error) check {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := f(ctx); err != nil {
			return check{Name: name, Error: err.Error()}
		}
		return check{Name: name, OK: true}
	}
	checks := []check{
		run("postgresql", func(ctx context.Context) error {
			if s.Store == nil {
				return errors.New("not configured")
			}
			return s.Store.Pool().Ping(ctx)
		}),
		run("temporal", func(ctx context.Context) error {
			if s.Temporal == nil {
				return errors.New("not configured")
			}
			_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}),
	}
	code := http.StatusOK
	for _, c := range checks {
		if !c.OK {
			code = http.StatusServiceUnavailable
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"ready": code == http.StatusOK, "checks": checks})
}

// retryAfter adds Retry-After to every 503 that lacks one: an outage is
// always answered with when to try again.
func retryAfter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&retryAfterWriter{ResponseWriter: w}, r)
	})
}

type retryAfterWriter struct{ http.ResponseWriter }

func (w *retryAfterWriter) WriteHeader(code int) {
	if code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (read
// deadlines, flushing).
func (w *retryAfterWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// notFound answers requests no operation matches with a problem, like every
// other error: 405 with Allow when the path exists for other methods, else
// 404.
func notFound(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+strings.Join(allow, ", "))
			return
		}
		writeProblem(w, http.StatusNotFound, "no operation "+r.Method+" "+r.URL.Path+"; the operations are listed at /docs")
	}
}

// recoverPanics turns a panic in a handler into a logged 500 problem
// instead of a dropped connection.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeProblem(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// safeJSON is Huma's JSON format with HTML escaping left on.
var safeJSON = huma.Format{
	Marshal:   func(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) },
	Unmarshal: json.Unmarshal,
}

// secureHeaders tells browsers never to guess a response's type, so JSON or
// CSV holding user text is never taken for a page.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// Register declares every operation on api. It is the one place routes are
// defined; each declares who may call it (see access).
func Register(api huma.API, s *Server) {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	// Timing comes first, so refusals (401, 403, 404) are counted too.
	api.UseMiddleware(s.timed)
	api.UseMiddleware(s.authorize(api))
	s.registerMediation(api)
	s.registerConfirmation(api)
	s.registerCases(api)
	s.registerLedger(api)
	s.registerTimeline(api)
	s.registerPerformance(api)
	s.registerEnforcement(api)
	s.registerWage(api)
	s.registerBoundary(api)
	s.registerIntake(api)
	s.registerCalendars(api)
	s.registerUndeliverable(api)
	s.registerBatches(api)
}
