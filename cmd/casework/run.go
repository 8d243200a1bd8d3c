package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/db"
	"github.com/casework/casework/worker"
)

func openDB(ctx context.Context) (*pgxpool.Pool, error) {
	return openPool(ctx, os.Getenv("DATABASE_URL"))
}

func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, errors.New("DATABASE_URL is not set (e.g. postgres://casework@localhost:5432/casework)")
	}
	return db.Open(ctx, url)
}

func runMigrate(ctx context.Context, _ []string) error {
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	applied, err := db.Migrate(ctx, pool)
	for _, m := range applied {
		fmt.Println("applied", m)
	}
	return err
}

func runWorker(ctx context.Context, _ []string) error {
	settings, err := workerConfig()
	if err != nil {
		return err
	}
	obs, err := startObservability(ctx, "worker", "")
	if err != nil {
		return err
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	tc, err := dialTemporal(ctx, env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), obs)
	if err != nil {
		return err
	}
	defer tc.Close()
	key, err := auditKey("")
	if err != nil {
		return err
	}
	anchors, err := anchorConfig(key, "")
	if err != nil {
		return err
	}
	store := db.NewStore(pool, key)
	if err := obs.watchCases(store); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		if err := obs.serve(ctx); err != nil {
			slog.Error("serve metrics", "err", err)
		}
	}()
	return serveWorker(ctx, tc, store, anchors, settings)
}

// serveWorker runs the worker, and the anchoring of the audit trail when
// configured, until ctx ends (SIGTERM or interrupt); then it drains: the
// worker stops polling and gives the tasks in flight up to
// settings.tuning.StopTimeout before it cancels the activities still
// running, which Temporal retries on another worker.
func serveWorker(ctx context.Context, tc client.Client, store *db.Store, anchors anchoring, settings workerSettings) error {
	reg, err := policies()
	if err != nil {
		return err
	}
	if settings.cache > 0 {
		// The cache is the process's, shared by its workers, and sized
		// when the first one is made.
		sdkworker.SetStickyWorkflowCacheSize(settings.cache)
	}
	w := worker.New(tc, worker.Deps{Store: store, Policies: reg, Tuning: settings.tuning})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	done := make(chan struct{})
	go func() { defer close(done); anchorLoop(ctx, store, anchors, slog.Default()) }()
	<-ctx.Done()
	w.Stop()
	<-done
	return nil
}

func runAPI(ctx context.Context, _ []string) error {
	obs, err := startObservability(ctx, "api", "")
	if err != nil {
		return err
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	tc, err := dialTemporal(ctx, env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), obs)
	if err != nil {
		return err
	}
	defer tc.Close()
	keys, err := jwtKeys("")
	if err != nil {
		return err
	}
	key, err := auditKey("")
	if err != nil {
		return err
	}
	scale, err := timeScale()
	if err != nil {
		return err
	}
	reg, err := policies()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", env("CASEWORK_ADDR", "127.0.0.1:8080"))
	if err != nil {
		return err
	}
	anchors, err := anchorConfig(key, "")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		if err := obs.serve(ctx); err != nil {
			slog.Error("serve metrics", "err", err)
		}
	}()
	return serveAPI(ctx, ln, obs.http, &api.Server{Temporal: tc, Store: db.NewStore(pool, key), Keys: keys, TimeScale: scale, Policies: reg, Anchors: anchors.dir, Metrics: obs.m})
}

// serverTimeouts bound how long a client may take to send its headers,
// to read an answer, and to leave a kept-alive connection idle; tests
// shorten them.
var serverTimeouts = struct{ header, write, idle time.Duration }{10 * time.Second, 2 * time.Minute, 2 * time.Minute}

// serveAPI serves until ctx ends, then drains requests in flight.
func serveAPI(ctx context.Context, ln net.Listener, wrap func(http.Handler) http.Handler, s *api.Server) error {
	h, _ := api.New(s)
	srv := &http.Server{
		Handler: wrap(h),
		// Headers must arrive promptly; the API bounds reading a body
		// itself and then clears the deadline (a read deadline left on
		// the connection cancels the request when it passes, cutting off a
		// command mid-way), so there is no whole-request ReadTimeout.
		ReadHeaderTimeout: serverTimeouts.header,
		// Longer than any command waits (30 s) plus writing its answer,
		// so a client that never reads cannot hold a connection.
		WriteTimeout: serverTimeouts.write,
		IdleTimeout:  serverTimeouts.idle,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func runOpenAPI(args []string) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	yaml := fs.Bool("yaml", false, "print YAML instead of JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, a := api.New(&api.Server{Log: slog.Default()})
	if *yaml {
		b, err := a.OpenAPI().YAML()
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(b)
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(a.OpenAPI())
}

func runToken(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	var p auth.Principal
	var role string
	fs.StringVar(&p.Subject, "sub", "", "subject (user id)")
	fs.StringVar(&role, "role", "", "court | mediator | party | auditor | supervisor | court_admin")
	fs.StringVar(&p.Court, "court", "", "court name (court users)")
	fs.StringVar(&p.Jurisdiction, "jurisdiction", "", "jurisdiction code, e.g. CN-52 (court, auditor, supervisor)")
	fs.StringVar(&p.Organisation, "organisation", "", "mediation organisation (mediators)")
	fs.StringVar(&p.Organisation, "org", "", "short for -organisation")
	ttl := fs.Duration("ttl", auth.DefaultMaxTTL, "lifetime, at most CASEWORK_TOKEN_MAX_TTL")
	keyFile := fs.String("key-file", devKeyFile(), "development key file used when CASEWORK_JWT_SECRET is unset")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p.Role = casefileRole(role)
	keys, err := jwtKeys(*keyFile)
	if err != nil {
		return err
	}
	tok, err := keys.Mint(p, *ttl)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}
