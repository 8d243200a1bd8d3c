// Package metrics holds what operations read off a running casework: the
// Temporal SDK's own metrics (workflow and activity task latencies, sticky
// cache, poller and request figures), the API's request latency by
// operation and status, and the state of the cases themselves (the notice
// outbox, deadlines due per legal day, open and overdue cases), all on one
// Prometheus registry served at /metrics on its own address.
package metrics

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// latencyBuckets run from a cached read to a command held for its 30 s
// bound, and past it to a long poll.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// Metrics is one process's registry.
type Metrics struct {
	reg      *prometheus.Registry
	provider *sdkmetric.MeterProvider
	requests *prometheus.HistogramVec
	log      *slog.Logger
	service  string
}

// New returns a registry with the Go runtime's and the process's own
// collectors; service ("api", "worker", "dev") is a constant label, so the
// figures of processes scraped together stay apart.
func New(service string, log *slog.Logger) (*Metrics, error) {
	reg := prometheus.NewRegistry()
	labels := prometheus.Labels{"service": service}
	wrapped := prometheus.WrapRegistererWith(labels, reg)
	wrapped.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// The SDK reports through OpenTelemetry; its Prometheus exporter puts
	// those figures on the same registry.
	exp, err := otelprom.New(otelprom.WithRegisterer(wrapped), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, err
	}
	// The SDK's histograms are latencies in seconds; OpenTelemetry's
	// default buckets (0, 5, 10, ... 10000) are made for milliseconds and
	// would put every call in the first.
	seconds := sdkmetric.NewView(sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: latencyBuckets}})
	m := &Metrics{reg: reg, provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithView(seconds)), log: log, service: service}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "casework_api_request_duration_seconds",
		Help:    "API requests by operation, method and status code: how long each took to answer.",
		Buckets: latencyBuckets,
	}, []string{"operation", "method", "status"})
	wrapped.MustRegister(m.requests)
	return m, nil
}

// Temporal is the handler the Temporal client reports to (client.Options'
// MetricsHandler). A meter error is logged, never a panic: metrics must
// not take a worker down.
func (m *Metrics) Temporal() client.MetricsHandler {
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:   m.provider.Meter("temporal-sdk-go"),
		OnError: func(err error) { m.log.Warn("temporal metrics", "err", err) },
	})
}

// ObserveRequest records one API request.
func (m *Metrics) ObserveRequest(operation, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(operation, method, strconv.Itoa(status)).Observe(took.Seconds())
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorLog: slogPrinter{m.log}})
}

// Register adds a collector (for example the cases' state) to the
// registry, with the process's service label.
func (m *Metrics) Register(c prometheus.Collector) error {
	return prometheus.WrapRegistererWith(prometheus.Labels{"service": m.service}, m.reg).Register(c)
}

// Shutdown flushes the SDK's meters.
func (m *Metrics) Shutdown(ctx context.Context) error { return m.provider.Shutdown(ctx) }

// Serve serves /metrics on ln until ctx ends. It is a separate listener
// from the API's: figures about cases are for operations, not for every
// API client.
func (m *Metrics) Serve(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.log.Warn("metrics", "err", v) }
