package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/casework/casework/db"
	"github.com/casework/casework/metrics"
	"github.com/casework/casework/tracing"
)

// observability is one process's /metrics endpoint (none when
// CASEWORK_METRICS_ADDR is unset) and its tracing (none unless an OTLP
// endpoint is set).
type observability struct {
	m  *metrics.Metrics
	ln net.Listener
	tr *tracing.Tracing
}

// startObservability starts tracing when the environment names an OTLP
// endpoint, and claims CASEWORK_METRICS_ADDR (def when unset; none when
// both are empty) before anything else starts, so a busy port fails the
// start rather than a scrape later.
func startObservability(ctx context.Context, service, def string) (*observability, error) {
	tr, err := tracing.FromEnv(ctx, "casework-"+service)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	addr := env("CASEWORK_METRICS_ADDR", def)
	if addr == "" {
		return &observability{tr: tr}, nil
	}
	m, err := metrics.New(service, slog.Default())
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics address %s is busy (%w); set CASEWORK_METRICS_ADDR to a free one", addr, err)
	}
	return &observability{m: m, ln: ln, tr: tr}, nil
}

// temporal sets the Temporal client's metrics handler and tracing
// interceptor, where they are on.
func (o *observability) temporal(opts *client.Options) error {
	if o == nil {
		return nil
	}
	if o.m != nil {
		opts.MetricsHandler = o.m.Temporal()
	}
	is, err := o.tr.Temporal()
	opts.Interceptors = append(opts.Interceptors, is...)
	return err
}

// http wraps the API's handler for tracing, where it is on.
func (o *observability) http(h http.Handler) http.Handler { return o.tr.HTTP(h) }

// watchCases adds the figures of the cases read from the store.
func (o *observability) watchCases(store *db.Store) error {
	if o.m == nil {
		return nil
	}
	return o.m.Register(&metrics.Cases{Store: store, Log: slog.Default()})
}

// url is where the endpoint listens, for the dev banner.
func (o *observability) url() string {
	if o.ln == nil {
		return "off (set CASEWORK_METRICS_ADDR)"
	}
	return "http://" + o.ln.Addr().String() + "/metrics"
}

// serve serves /metrics until ctx ends, then flushes the spans not yet
// exported.
func (o *observability) serve(ctx context.Context) error {
	defer func() {
		flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = o.tr.Shutdown(flush)
	}()
	if o.ln == nil {
		<-ctx.Done()
		return nil
	}
	defer o.m.Shutdown(context.WithoutCancel(ctx))
	return o.m.Serve(ctx, o.ln)
}
