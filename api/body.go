package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
	"unicode/utf8"
)

// maxBodyBytes bounds every request body; nothing casework accepts is near it.
const maxBodyBytes = 1 << 20

// bodyReadTimeout bounds reading a request body, so a client that sends a
// body slowly cannot hold a handler. The deadline is cleared once the body
// is read: net/http keeps reading the connection in the background while a
// handler runs, and a deadline left on it would cancel the request's
// context mid-command (Huma's own 5 s body deadline did exactly that to
// every command that ran longer, and broke the keep-alive connection).
const bodyReadTimeout = 30 * time.Second

// limitBody refuses bodies over limit with 413 and bodies that are not valid
// UTF-8 with 400, before any handler sees them: encoding/json would quietly
// replace bad bytes with U+FFFD and store something no one sent.
func limitBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > limit {
			writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", limit))
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)) // unsupported only in recorders
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		_ = r.Body.Close()
		_ = rc.SetReadDeadline(time.Time{})
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "cannot read the request body")
			return
		}
		if int64(len(body)) > limit {
			writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", limit))
			return
		}
		// A CSV batch file (POST /batches) is checked by its handler, which
		// decodes GBK when the file says so and reports any other bytes
		// that are not UTF-8 row by row.
		if !utf8.Valid(body) && !isCSV(r.Header.Get("Content-Type")) {
			writeProblem(w, http.StatusBadRequest, "request body is not valid UTF-8")
			return
		}
		if hasEscapedNUL(body) {
			// PostgreSQL text cannot hold NUL, so such text could never be
			// stored verbatim; refuse it rather than alter it.
			writeProblem(w, http.StatusUnprocessableEntity, "text may not contain the NUL character (\\u0000)")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// isCSV reports whether a Content-Type is text/csv.
func isCSV(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "text/csv"
}

// writeProblem writes an RFC 9457 problem outside Huma's handlers.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"title": http.StatusText(status), "status": status, "detail": detail,
	})
}

// hasEscapedNUL reports whether a JSON body holds the escape \u0000 (a raw
// NUL byte is invalid JSON and refused by the decoder). A backslash that is
// itself escaped does not start an escape.
func hasEscapedNUL(body []byte) bool {
	for i := 0; i+5 < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if body[i+1] == 'u' && string(body[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character
	}
	return false
}
