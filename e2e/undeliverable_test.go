package e2e

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/db"
)

// TestUndeliverableNoticesAcrossCases: a clerk lists, across the cases in
// their scope, the notices no delivery attempt got through, to serve them
// another way; a court of another jurisdiction and a mediator of other
// cases do not see them, a party may not list them, and the list pages by
// its cursor.
func TestUndeliverableNoticesAcrossCases(t *testing.T) {
	c := startCase(t, realTime)
	id := c.Summary.ID
	var ids []int64
	for seq := range 3 {
		nid, err := store.EnqueueNotice(t.Context(), db.Notice{
			NoticeKey: db.NoticeKey{CaseID: id, Stream: "mediation", Kind: "urge", Seq: seq},
			Recipient: "xx-construction", Body: "请于期限内履行", CaseOn: c.Summary.OpenedOn,
		})
		require.NoError(t, err)
		require.NoError(t, store.NoticeUndeliverable(t.Context(), nid, "channel refused: no such recipient"))
		ids = append(ids, nid)
	}

	list := func(p *auth.Principal, query string) (int, api.UndeliverableBody) {
		t.Helper()
		res := do(t, realTime, p, http.MethodGet, "/notices/undeliverable?"+query, nil)
		var b api.UndeliverableBody
		if res.Status == http.StatusOK {
			res.json(t, &b)
		} else {
			res.problem(t)
		}
		return res.Status, b
	}
	mine := func(b api.UndeliverableBody) []int64 {
		var out []int64
		for _, n := range b.Notices {
			if n.CaseID == id {
				require.Equal(t, c.Summary.CaseNumber, n.CaseNumber)
				require.Equal(t, "undeliverable", n.State)
				require.Equal(t, "channel refused: no such recipient", n.LastError)
				out = append(out, n.ID)
			}
		}
		return out
	}

	for _, p := range []*auth.Principal{&court, &mediator, &auditor} {
		status, b := list(p, "limit=500")
		require.Equal(t, http.StatusOK, status, p.Subject)
		require.Equal(t, ids, mine(b), "%s sees the case's notices, oldest first", p.Subject)
	}
	for _, p := range []*auth.Principal{&otherCourt, &otherMed} {
		status, b := list(p, "limit=500")
		require.Equal(t, http.StatusOK, status)
		require.Empty(t, mine(b), "%s sees nothing of another's cases", p.Subject)
	}
	status, _ := list(&applicant, "")
	require.Equal(t, http.StatusForbidden, status, "a party does not list notices")
	status, _ = list(&otherCourt, "jurisdiction=CN-52")
	require.Equal(t, http.StatusForbidden, status, "a jurisdiction outside the caller's")
	status, _ = list(&court, "cursor="+url.QueryEscape("not-a-cursor"))
	require.Equal(t, http.StatusUnprocessableEntity, status)

	// Paging by one reaches each of the case's notices exactly once.
	var seen []int64
	cursor := ""
	for range 10_000 {
		q := url.Values{"limit": {"1"}, "mediator": {mediator.Subject}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		status, b := list(&mediator, q.Encode())
		require.Equal(t, http.StatusOK, status)
		seen = append(seen, mine(b)...)
		if cursor = b.NextCursor; cursor == "" {
			break
		}
	}
	require.Equal(t, ids, seen)
}
