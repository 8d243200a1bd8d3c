package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// TestContentSecurityPolicy checks that every page and asset is served
// with a policy that admits no remote origin: scripts only from this
// origin, no eval, no plugins, no framing, and requests only to itself.
func TestContentSecurityPolicy(t *testing.T) {
	srv := serve(t)
	for _, path := range []string{"/", "/app/app.js", "/app/i18n.js", "/app/dates.js", "/app/app.css", "/app/vendor/echarts/echarts.min.js", "/docs", "/docs/assets/web-components.min.js", "/app/missing.js", "/app/%2e%2e/web.go"} {
		_, h, _ := get(t, srv.URL+path)
		csp := h.Get("Content-Security-Policy")
		if csp == "" {
			t.Errorf("GET %s: no Content-Security-Policy", path)
			continue
		}
		directives := map[string][]string{}
		for _, d := range strings.Split(csp, ";") {
			f := strings.Fields(d)
			if len(f) > 0 {
				directives[f[0]] = f[1:]
			}
		}
		for name, sources := range directives {
			for _, src := range sources {
				switch {
				case strings.Contains(src, "://"), strings.HasSuffix(src, ":") && src != "data:" && src != "blob:", strings.Contains(src, "*"):
					t.Errorf("GET %s: %s admits a remote origin: %s", path, name, src)
				case src == "'unsafe-eval'", src == "'unsafe-inline'" && name == "script-src":
					t.Errorf("GET %s: %s allows %s", path, name, src)
				}
			}
		}
		if d := directives["default-src"]; len(d) != 1 || (d[0] != "'self'" && d[0] != "'none'") {
			t.Errorf("GET %s: default-src %v, want 'self' or 'none'", path, d)
		}
		if d := directives["script-src"]; len(d) != 1 || d[0] != "'self'" {
			t.Errorf("GET %s: script-src %v, want 'self' alone", path, d)
		}
		if d := directives["connect-src"]; len(d) != 1 || d[0] != "'self'" {
			t.Errorf("GET %s: connect-src %v, want 'self' alone", path, d)
		}
		for _, name := range []string{"frame-ancestors", "base-uri", "form-action"} {
			if d := directives[name]; len(d) != 1 || d[0] != "'none'" {
				t.Errorf("GET %s: %s %v, want 'none'", path, name, d)
			}
		}
		if _, ok := directives["object-src"]; ok && directives["object-src"][0] != "'none'" {
			t.Errorf("GET %s: object-src %v", path, directives["object-src"])
		}
	}
}

// secret is a file of the embedded tree that neither /app/ nor
// /docs/assets/ serves: a path that reaches it has escaped its folder.
const secret = "vendor/SHA256SUMS"

// TestPathTraversal checks that no path, however encoded, leaves the
// folder a prefix serves: through the whole mux (whose fallback, like the
// API's, answers 404) every attempt ends in 404 and none shows the file;
// and the asset handler, asked directly with the dirty paths the mux would
// otherwise clean, refuses each with 404 rather than resolving it.
func TestPathTraversal(t *testing.T) {
	want, err := fs.ReadFile(files, secret)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Register(mux, "/openapi.json")
	mux.HandleFunc("/", http.NotFound)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	attempts := []string{
		"/app/../vendor/SHA256SUMS",
		"/app/%2e%2e/vendor/SHA256SUMS",
		"/app/%2E%2E/vendor/SHA256SUMS",
		"/app/..%2fvendor%2fSHA256SUMS",
		"/app/%2e%2e%2fvendor%2fSHA256SUMS",
		"/app/vendor/echarts/../../../vendor/SHA256SUMS",
		"/app/vendor/echarts/%2e%2e/SHA256SUMS",
		"/app/vendor/echarts/..%2fSHA256SUMS",
		"/docs/assets/../SHA256SUMS",
		"/docs/assets/%2e%2e/SHA256SUMS",
		"/docs/assets/..%5cSHA256SUMS",
		"/app/..%5c..%5cvendor%5cSHA256SUMS",
		"/app//vendor/SHA256SUMS",
		"/app/%2fvendor%2fSHA256SUMS",
		"/app/%2Fetc%2Fpasswd",
		"/app//etc/passwd",
		"/app/" + url.PathEscape("/etc/passwd"),
		"/app/%00app.js",
	}
	for _, path := range attempts {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req) // follows the mux's redirects to clean paths
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, res.StatusCode)
		}
		if strings.Contains(string(body), string(want[:40])) || strings.Contains(string(body), "root:") {
			t.Errorf("GET %s served a file outside its folder", path)
		}
	}

	// The handler itself, without the mux in front to clean the path.
	static := assets(workbenchCSP, "/app/", sub("static"))
	for _, target := range []string{
		"/app/../vendor/SHA256SUMS", "/app/./app.js", "/app//app.js", "/app/%2e%2e/vendor/SHA256SUMS",
		"/app/..%2fvendor%2fSHA256SUMS", "/app/%2fetc%2fpasswd", "/app/..\\vendor\\SHA256SUMS", "/app/vendor/../app.js", "/app/",
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "http://x"+target, nil)
		if strings.Contains(target, "\\") || strings.Contains(target, "/../") || strings.Contains(target, "/./") || strings.Contains(target, "//") {
			req.URL.Path = target // as a client could send it, uncleaned
		}
		static.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("assets %s: got %d, want 404", target, rec.Code)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("assets %s: the 404 has no Content-Security-Policy", target)
		}
	}
	// A plain name is still served.
	rec := httptest.NewRecorder()
	static.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://x/app/app.js", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "casework workbench") {
		t.Errorf("assets /app/app.js: got %d", rec.Code)
	}
}
