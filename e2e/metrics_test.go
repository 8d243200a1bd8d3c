package e2e

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/casework/casework/api"
	"github.com/casework/casework/internal/payload"
	"github.com/casework/casework/metrics"
)

// TestMetricsOperationsRead scrapes the registry a process serves at
// /metrics after real work: the API's latency by operation and status
// (refusals included), the Temporal SDK's own request figures, and the
// cases' state read from PostgreSQL — the outbox, open and overdue cases,
// and deadlines due in each of the next seven legal days.
func TestMetricsOperationsRead(t *testing.T) {
	m, err := metrics.New("e2e", slog.Default())
	require.NoError(t, err)
	require.NoError(t, m.Register(&metrics.Cases{Store: store}))
	tc, err := client.Dial(client.Options{HostPort: stack.Temporal.HostPort, DataConverter: payload.Converter, MetricsHandler: m.Temporal()})
	require.NoError(t, err)
	defer tc.Close()
	h, _ := api.New(&api.Server{Temporal: tc, Store: store, Keys: keys, TimeScale: 1, Metrics: m})
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := startCase(t, srv)
	require.Equal(t, http.StatusOK, do(t, srv, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil).Status)
	require.Equal(t, http.StatusNotFound, do(t, srv, &stranger, http.MethodGet, "/cases/"+c.Summary.ID, nil).Status)

	scrape := httptest.NewServer(m.Handler())
	defer scrape.Close()
	res, err := http.Get(scrape.URL)
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	text := string(b)

	value := func(pattern string) float64 {
		t.Helper()
		found := regexp.MustCompile(`(?m)^` + pattern + ` ([0-9.e+-]+)$`).FindStringSubmatch(text)
		require.NotNil(t, found, "no %s in:\n%s", pattern, text)
		v, err := strconv.ParseFloat(found[1], 64)
		require.NoError(t, err)
		return v
	}
	for _, labels := range []string{
		`method="POST",operation="start-mediation",service="e2e",status="201"`,
		`method="GET",operation="get-case",service="e2e",status="200"`,
		`method="GET",operation="get-case",service="e2e",status="404"`,
	} {
		require.GreaterOrEqual(t, value(`casework_api_request_duration_seconds_count\{`+regexp.QuoteMeta(labels)+`\}`), 1.0, labels)
	}
	require.Equal(t, 1.0, value(`casework_case_state_up\{service="e2e"\}`))
	require.GreaterOrEqual(t, value(`casework_cases_open\{service="e2e"\}`), 1.0, "the case just opened")
	value(`casework_cases_overdue\{service="e2e"\}`)
	value(`casework_notices_pending\{service="e2e"\}`)
	value(`casework_notices_undeliverable\{service="e2e"\}`)
	for d := range 7 {
		value(`casework_deadlines_due\{in_days="` + strconv.Itoa(d) + `",service="e2e"\}`)
	}
	// The SDK's own figures, in seconds: the start is an update-with-start
	// (ExecuteMultiOperation), the read a query.
	require.Regexp(t, `(?m)^temporal_long_request\{.*operation="ExecuteMultiOperation".*\} 1$`, text)
	require.GreaterOrEqual(t, value(`temporal_request_latency_seconds_bucket\{.*operation="QueryWorkflow".*le="1"\}`), 1.0)
	require.Equal(t, 0.0, value(`temporal_request_latency_seconds_bucket\{.*operation="QueryWorkflow".*le="0.001"\}`), "buckets in seconds, not milliseconds")
}
