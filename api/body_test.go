package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHasEscapedNUL(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"name":"a\u0000b"}`, true},
		{`{"name":"\u0000"}`, true},
		{`{"name":"a\\u0000b"}`, false}, // an escaped backslash, then text
		{`{"name":"a\\\u0000"}`, true},
		{`{"name":"\u00001"}`, true},
		{`{"name":"\u0001"}`, false},
		{`{"name":"张三"}`, false},
		{`\u000`, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, hasEscapedNUL([]byte(tt.body)), "hasEscapedNUL(%s)", tt.body)
	}
}

func TestLimitBody(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := limitBody(ok, 16)
	tests := []struct {
		name string
		body string
		want int
	}{
		{"Fits", `{"a":"b"}`, http.StatusNoContent},
		{"TooLarge", strings.Repeat("x", 17), http.StatusRequestEntityTooLarge},
		{"InvalidUTF8", "{\"a\":\"\xff\"}", http.StatusBadRequest},
		{"NUL", `{"a":"\u0000"}`, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body)))
			require.Equal(t, tt.want, rec.Code, "body %q: %s", tt.body, rec.Body)
			if tt.want >= 400 {
				require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestUnknownRoutesAreProblems(t *testing.T) {
	h, _ := New(&Server{})
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{http.MethodGet, "/no/such/thing", http.StatusNotFound, ""},
		{http.MethodDelete, "/cases/mediation", http.StatusMethodNotAllowed, "GET, POST"},
		{http.MethodDelete, "/cases/c1/timeline", http.StatusMethodNotAllowed, http.MethodGet},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		require.Equal(t, tt.want, rec.Code, "%s %s: %s", tt.method, tt.path, rec.Body)
		require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
		require.Equal(t, tt.allow, rec.Header().Get("Allow"))
	}
}

func TestPanicIsAProblem(t *testing.T) {
	h := recoverPanics(slog.New(slog.NewTextHandler(io.Discard, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
}
