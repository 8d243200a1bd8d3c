package api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRestartPerformancePlanDeclared: the restart of a failed plan is a
// court's command on one case, keyed by Idempotency-Key, with a required
// reason, answering the problems every case command answers.
func TestRestartPerformancePlanDeclared(t *testing.T) {
	h, api := New(&Server{})
	op := api.OpenAPI().Paths["/cases/{id}/performance/restart"].Post
	require.NotNil(t, op, "got no POST /cases/{id}/performance/restart")
	require.Equal(t, "restart-performance-plan", op.OperationID)
	require.Equal(t, []string{"court"}, op.Extensions["x-casework-roles"])
	var params []string
	for _, p := range op.Parameters {
		params = append(params, p.In+":"+p.Name)
	}
	require.ElementsMatch(t, []string{"path:id", "header:Idempotency-Key"}, params)
	for _, status := range []string{"403", "404", "409", "422"} {
		require.Contains(t, op.Responses, status, "got no %s answer", status)
	}
	body := op.RequestBody.Content["application/json"].Schema
	schema := api.OpenAPI().Components.Schemas.SchemaFromRef(body.Ref)
	require.True(t, slices.Contains(schema.Required, "reason"), "the reason is required")
	require.Equal(t, 1, *schema.Properties["reason"].MinLength)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cases/c1/performance/restart", strings.NewReader(`{"reason":"重启"}`)))
	require.Equal(t, http.StatusUnauthorized, rec.Code, "without a token: %s", rec.Body)
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
}
