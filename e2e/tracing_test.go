package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/api"
	"github.com/casework/casework/internal/payload"
	"github.com/casework/casework/tracing"
)

// TestTraceFollowsARequestIntoTemporal: a request that carries a W3C
// traceparent gets a server span in the caller's trace, named for its
// operation, and the Temporal call it makes (the update-with-start that
// opens the case) is a child of that span, so an operator follows one
// command from the HTTP API into Temporal.
func TestTraceFollowsARequestIntoTemporal(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tr := tracing.New(rec, "casework-api-test")
	defer tr.Shutdown(t.Context())
	is, err := tr.Temporal()
	require.NoError(t, err)
	tc, err := client.Dial(client.Options{HostPort: stack.Temporal.HostPort, DataConverter: payload.Converter, Interceptors: is})
	require.NoError(t, err)
	defer tc.Close()
	h, _ := api.New(&api.Server{Temporal: tc, Store: store, Keys: keys, TimeScale: 1})
	srv := httptest.NewServer(tr.HTTP(h))
	defer srv.Close()

	const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	res := do(t, srv, &court, http.MethodPost, "/cases/mediation", startBody(newCaseNumber()),
		"traceparent", "00-"+callerTrace+"-00f067aa0ba902b7-01")
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)

	var server sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "POST /cases/mediation" {
			server = s
		}
	}
	require.NotNil(t, server, "a server span named for the operation")
	require.Equal(t, callerTrace, server.SpanContext().TraceID().String(), "joined to the caller's trace")
	require.Contains(t, server.Attributes(), attribute.String("casework.operation", "start-mediation"))

	var children []string
	for _, s := range rec.Ended() {
		if s.Parent().SpanID() == server.SpanContext().SpanID() {
			children = append(children, s.Name())
		}
	}
	require.True(t, strings.Contains(strings.Join(children, " "), "UpdateWithStartWorkflow:"),
		"the Temporal call is a child of the request: children %v", children)
}
