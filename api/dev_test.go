package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDevUsersOnlyInDev checks that the development sign-in exists only on
// a server given DevUsers (casework dev), and that the workbench and docs
// leave unknown paths to the API's problem answer.
func TestDevUsersOnlyInDev(t *testing.T) {
	for _, tc := range []struct {
		name  string
		users []DevUser
		want  int
	}{
		{"api", nil, http.StatusNotFound},
		{"dev", []DevUser{{Var: "COURT_TOKEN", Subject: "judge-li", Role: "court", Token: "t"}}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := New(&Server{DevUsers: tc.users})
			for path, want := range map[string]int{"/dev/users": tc.want, "/docs": 200, "/": 200, "/openapi.json": 200, "/nowhere": 404} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != want {
					t.Errorf("GET %s: got %d, want %d", path, rec.Code, want)
				}
				if want == 404 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
					t.Errorf("GET %s: got %s, want a problem", path, rec.Header().Get("Content-Type"))
				}
			}
		})
	}
}
