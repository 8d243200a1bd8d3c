package e2e

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
)

// TestHostileTextIsStoredVerbatim opens a case whose names and subject carry
// SQL, HTML and control characters: they are stored exactly as sent, never
// executed (the tables are all still there), and never served raw: JSON
// escapes markup and the CSV download neutralises formulas.
func TestHostileTextIsStoredVerbatim(t *testing.T) {
	hostileName := "Robert'); DROP TABLE cases;-- <script>alert(1)</script>\u0007\u001b[31m"
	hostileSubject := "=HYPERLINK(\"http://evil\")\t<img src=x onerror=alert(1)>\r\n第二行"
	b := startBody(newCaseNumber())
	b.Parties[1].Name = hostileName
	b.Subject = hostileSubject
	res := do(t, realTime, &court, http.MethodPost, "/cases/mediation", b)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	require.NotContains(t, string(res.Body), "<script>", "markup is escaped in JSON")
	var c api.CaseBody
	res.json(t, &c)
	require.Equal(t, hostileName, c.Mediation.Parties[1].Name, "names round-trip exactly")
	require.Equal(t, hostileSubject, c.Mediation.Subject)

	// The tables still exist and the staged party list the first step
	// names holds the text verbatim.
	var name string
	require.NoError(t, stack.Pool.QueryRow(t.Context(),
		`SELECT p.name FROM case_events e JOIN party_lists p ON p.list_id = e.data->'party_list'->>'id'
		 WHERE e.case_id = $1 AND e.seq = 1 AND p.no = 2`, c.Summary.ID).Scan(&name))
	require.Equal(t, hostileName, name)
	var n int
	require.NoError(t, stack.Pool.QueryRow(t.Context(), `SELECT count(*) FROM cases`).Scan(&n))
	require.Positive(t, n)

	res = do(t, realTime, &auditor, http.MethodGet, "/cases/"+c.Summary.ID+"/timeline.csv", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
	require.NoError(t, err)
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" {
				require.False(t, strings.ContainsAny(cell[:1], "=+-@\t\r"), "cell %q could run as a formula", cell)
			}
		}
	}

	// A case number that is only white space, and one with a NUL, are
	// refused with a reason rather than stored.
	for _, number := range []string{"   ", "（2026）\u0000号"} {
		bad := startBody(number)
		res := do(t, realTime, &court, http.MethodPost, "/cases/mediation", bad)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "case number %q: %s", number, res.Body)
		res.problem(t)
	}

	// Control characters in a query are refused, not sent to the database.
	for _, q := range []string{"court=%00", "mediator=a%00b", "case_leader=%07", "party=%00"} {
		res := do(t, realTime, &auditor, http.MethodGet, "/ledger?"+q, nil)
		require.True(t, res.Status >= 400 && res.Status < 500, "GET /ledger?%s: got %d %s", q, res.Status, res.Body)
		res.problem(t)
	}

	// A malformed case id is not found, whatever it holds.
	for _, id := range []string{"%00", "c%00aaaaaaaaaaaaaaa", "..%2F..%2Fetc", "c" + strings.Repeat("a", 300)} {
		res := do(t, realTime, &auditor, http.MethodGet, "/cases/"+id+"/timeline", nil)
		require.Equal(t, http.StatusNotFound, res.Status, "GET /cases/%s/timeline: %s", id, res.Body)
	}
}
