package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serve(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	Register(mux, "/openapi.json")
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "api", http.StatusTeapot) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

var remote = regexp.MustCompile(`(?i)(src|href)="(https?:)?//`)

// TestPagesLoadNothingRemote checks that the docs page and the workbench
// refer only to their own origin and that what they refer to is served.
func TestPagesLoadNothingRemote(t *testing.T) {
	srv := serve(t)
	for _, path := range []string{"/docs", "/"} {
		code, h, body := get(t, srv.URL+path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", path, code)
		}
		if remote.MatchString(body) {
			t.Errorf("GET %s refers to another origin: %s", path, remote.FindString(body))
		}
		if csp := h.Get("Content-Security-Policy"); strings.Contains(csp, "http") {
			t.Errorf("GET %s: CSP allows a remote origin: %s", path, csp)
		}
		for _, m := range regexp.MustCompile(`(?:src|href)="(/[^"]+)"`).FindAllStringSubmatch(body, -1) {
			if c, _, _ := get(t, srv.URL+m[1]); c != http.StatusOK {
				t.Errorf("%s refers to %s: got %d, want 200", path, m[1], c)
			}
		}
	}
}

// TestOnlyItsOwnPaths checks that the web package leaves every other path,
// and directory listings, to the API.
func TestOnlyItsOwnPaths(t *testing.T) {
	srv := serve(t)
	for path, want := range map[string]int{
		"/cases/x":                           http.StatusTeapot,
		"/index.html":                        http.StatusTeapot,
		"/docsx":                             http.StatusTeapot,
		"/app/":                              http.StatusNotFound,
		"/app/vendor/echarts/":               http.StatusNotFound,
		"/app/missing.js":                    http.StatusNotFound,
		"/docs/assets/":                      http.StatusNotFound,
		"/app/vendor/echarts/echarts.min.js": http.StatusOK,
		"/docs/assets/web-components.min.js": http.StatusOK,
	} {
		if code, _, _ := get(t, srv.URL+path); code != want {
			t.Errorf("GET %s: got %d, want %d", path, code, want)
		}
	}
}
