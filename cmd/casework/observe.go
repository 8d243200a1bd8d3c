package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"go.temporal.io/sdk/client"

	"github.com/casework/casework/db"
	"github.com/casework/casework/metrics"
)

// observability is one process's /metrics endpoint, or nothing when
// CASEWORK_METRICS_ADDR is unset.
type observability struct {
	m  *metrics.Metrics
	ln net.Listener
}

// startMetrics claims CASEWORK_METRICS_ADDR (def when unset; none when both
// are empty) before anything else starts, so a busy port fails the start
// rather than a scrape later.
func startMetrics(service, def string) (*observability, error) {
	addr := env("CASEWORK_METRICS_ADDR", def)
	if addr == "" {
		return &observability{}, nil
	}
	m, err := metrics.New(service, slog.Default())
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics address %s is busy (%w); set CASEWORK_METRICS_ADDR to a free one", addr, err)
	}
	return &observability{m: m, ln: ln}, nil
}

// temporal is the handler the Temporal client reports its metrics to.
func (o *observability) temporal() client.MetricsHandler {
	if o.m == nil {
		return nil
	}
	return o.m.Temporal()
}

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

// serve serves /metrics until ctx ends.
func (o *observability) serve(ctx context.Context) error {
	if o.ln == nil {
		<-ctx.Done()
		return nil
	}
	defer o.m.Shutdown(context.WithoutCancel(ctx))
	return o.m.Serve(ctx, o.ln)
}
