// Package web is casework's browser front end, embedded in the binary: the
// workbench (台账, one case, the commands of the signed-in role, 矛盾纠纷受理,
// 批量金融纠纷, 驾驶舱) at
// / and /app/, and the API documentation at /docs. Every asset is served
// from the binary, so neither page loads anything from the internet; the
// third-party files under vendor/ come from the npm registry at pinned
// versions (scripts/vendor-web.sh, checked against vendor/SHA256SUMS).
//
// The workbench is a client of the public API and nothing else: it holds
// the caller's bearer token in the browser and sends it with every request,
// so the API's access rules are the only ones.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static vendor
var files embed.FS

// workbenchCSP lets the workbench run only its own scripts and talk only to
// its own origin.
var workbenchCSP = strings.Join([]string{
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self' 'unsafe-inline'", // ECharts sets inline styles on its canvas
	"img-src 'self' data: blob:",
	"connect-src 'self'",
	"font-src 'self'",
	"base-uri 'none'",
	"form-action 'none'",
	"frame-ancestors 'none'",
}, "; ")

// docsCSP is Huma's policy for Stoplight Elements with the CDN replaced by
// this origin.
var docsCSP = strings.Join([]string{
	"default-src 'none'",
	"base-uri 'none'",
	"connect-src 'self'",
	"form-action 'none'",
	"frame-ancestors 'none'",
	"sandbox allow-same-origin allow-scripts",
	"script-src 'self'",
	"style-src 'self' 'unsafe-inline'",
	"img-src 'self' data:",
	"font-src 'self' data:",
}, "; ")

// Register adds the workbench and the docs to mux: GET / (the workbench's
// entry page), GET /app/ (its scripts, styles and ECharts), GET /docs (the
// API documentation of openAPIPath, e.g. /openapi.json) and GET
// /docs/assets/ (Stoplight Elements). It answers nothing else, so every
// other path stays the API's.
func Register(mux *http.ServeMux, openAPIPath string) {
	static := sub("static")
	mux.Handle("GET /{$}", page(workbenchCSP, mustRead(static, "index.html")))
	app := http.NewServeMux()
	app.Handle("GET /app/vendor/echarts/", assets(workbenchCSP, "/app/vendor/echarts/", sub("vendor/echarts")))
	app.Handle("GET /app/", assets(workbenchCSP, "/app/", static))
	mux.Handle("GET /app/", app)
	mux.Handle("GET /docs", page(docsCSP, docsPage(openAPIPath)))
	mux.Handle("GET /docs/assets/", assets(docsCSP, "/docs/assets/", sub("vendor/elements")))
}

// docsPage is the Stoplight Elements page Huma serves by default, loading
// its script and styles from /docs/assets/ instead of unpkg.com.
func docsPage(openAPIPath string) []byte {
	return []byte(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="referrer" content="no-referrer">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>casework API</title>
    <link rel="stylesheet" href="/docs/assets/styles.min.css">
    <script src="/docs/assets/web-components.min.js"></script>
  </head>
  <body style="height: 100vh;">
    <elements-api
      apiDescriptionUrl="` + openAPIPath + `"
      router="hash"
      layout="sidebar"
      tryItCredentialsPolicy="same-origin"
    ></elements-api>
  </body>
</html>`)
}

func page(csp string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}

// assets serves the files of fsys under prefix; a directory listing is
// never shown, and neither is anything named by a path that is not a
// plain relative name below prefix (.., empty, absolute or backslashed
// parts, however encoded): such a request is answered 404, not cleaned.
func assets(csp, prefix string, fsys fs.FS) http.Handler {
	files := http.StripPrefix(prefix, http.FileServerFS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		if !plainName(r, prefix) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

// plainName reports whether r names a file below prefix by a plain
// relative path: fs.ValidPath (no empty, . or .. element, no leading
// slash), no backslash, and the raw path free of encoded dots, slashes and
// backslashes, so that no decoding step can turn it into another path.
func plainName(r *http.Request, prefix string) bool {
	name, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok || name == "" || strings.HasSuffix(name, "/") || strings.ContainsAny(name, "\\\x00") || !fs.ValidPath(name) {
		return false
	}
	raw := strings.ToLower(r.URL.RawPath)
	return !strings.Contains(raw, "%2e") && !strings.Contains(raw, "%2f") && !strings.Contains(raw, "%5c")
}

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err)
	}
	return f
}

func mustRead(fsys fs.FS, name string) []byte {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		panic(err)
	}
	return b
}
