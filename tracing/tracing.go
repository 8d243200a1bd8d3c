// Package tracing follows a request from the HTTP API through the Temporal
// calls it makes into the workflows and activities that carry it out, with
// OpenTelemetry, exported over OTLP/HTTP to whatever collector the
// deployment names in the standard OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) variable. Without one it is off and
// costs nothing.
package tracing

import (
	"context"
	"net/http"
	"os"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Tracing is one process's tracer provider, or none.
type Tracing struct {
	Provider trace.TracerProvider
	shutdown func(context.Context) error
}

// Enabled reports whether the environment names an OTLP endpoint.
func Enabled() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// FromEnv exports to the OTLP endpoint the environment names, as service
// ("casework-api", "casework-worker"); with none, it returns nil.
func FromEnv(ctx context.Context, service string) (*Tracing, error) {
	if !Enabled() {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	return New(sdktrace.NewBatchSpanProcessor(exp), service), nil
}

// New traces into sp (tests pass an in-memory recorder).
func New(sp sdktrace.SpanProcessor, service string) *Tracing {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(service))))
	return &Tracing{Provider: tp, shutdown: tp.Shutdown}
}

// Shutdown flushes the spans not yet exported.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// propagator carries the trace across HTTP (W3C trace context) and into
// Temporal's headers.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Temporal is the client interceptor that starts a span for each client
// call and carries it, in the workflow's headers, into the workflows,
// activities and child workflows; replay starts none. nil when off.
func (t *Tracing) Temporal() ([]interceptor.ClientInterceptor, error) {
	if t == nil {
		return nil, nil
	}
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer: t.Provider.Tracer("casework/temporal"), TextMapPropagator: propagator,
	})
	if err != nil {
		return nil, err
	}
	return []interceptor.ClientInterceptor{i}, nil
}

// HTTP wraps the API's handler: each request a server span, joined to the
// caller's trace when it sends a traceparent header.
func (t *Tracing) HTTP(h http.Handler) http.Handler {
	if t == nil {
		return h
	}
	return otelhttp.NewHandler(h, "casework-api", otelhttp.WithTracerProvider(t.Provider), otelhttp.WithPropagators(propagator))
}
