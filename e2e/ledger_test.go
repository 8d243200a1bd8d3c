package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// ledgerWorld is a set of cases recorded straight into the read model,
// under names no other test uses, so the ledger's answers can be counted
// exactly while other tests add cases of their own.
type ledgerWorld struct {
	tag            string
	juris, bjJuris string // under CN-52 and CN-11
	medA, medB     auth.Principal
	party          auth.Principal
}

func newLedgerWorld(t *testing.T) ledgerWorld {
	t.Helper()
	tag := fmt.Sprintf("L%d", time.Now().UnixNano())
	w := ledgerWorld{
		tag: tag, juris: "CN-52-" + tag, bjJuris: "CN-11-" + tag,
		medA:  auth.Principal{Subject: "mediator-a-" + tag, Role: casefile.RoleMediator},
		medB:  auth.Principal{Subject: "mediator-b-" + tag, Role: casefile.RoleMediator},
		party: auth.Principal{Subject: "party-" + tag, Role: casefile.RoleParty},
	}
	now := time.Now()
	add := func(n int, juris string, med auth.Principal, withParty bool, r casefile.Resolution, closedAfter int) {
		id := fmt.Sprintf("%s-%d", tag, n)
		parties := []string{"respondent-" + tag}
		if withParty {
			parties = append(parties, w.party.Subject)
		}
		c := casefile.Summary{
			ID: id, CaseNumber: "（2026）黔2301民诉前调" + id + "号", Process: casefile.ProcessMediation,
			WorkflowID: "ledger:" + id, Court: "兴义市人民法院", Jurisdiction: juris, Mediator: med.Subject,
			Parties: parties, Stage: "mediating", Status: casefile.StatusOpen,
			Clock:    casetime.Clock{Scale: 1, RealEpoch: now, CaseEpoch: now},
			OpenedOn: policy.NewDate(2026, time.March, n), LastSeq: 1, OpenedAt: now,
		}
		if r != "" {
			c.Status, c.Stage, c.Resolution = casefile.StatusClosed, "closed", r
			c.ClosedOn, c.ClosedAt = c.OpenedOn.AddDays(closedAfter), now
		}
		require.NoError(t, store.RecordSteps(context.Background(), &c, nil))
	}
	add(1, w.juris, w.medA, true, casefile.Resolved, 10)
	add(2, w.juris, w.medA, false, casefile.Resolved, 20)
	add(3, w.juris, w.medA, true, "", 0)
	add(4, w.juris, w.medB, false, casefile.Unresolved, 30)
	add(5, w.juris, w.medB, false, "", 0)
	add(6, w.bjJuris, w.medB, false, casefile.Resolved, 5)
	return w
}

func (w ledgerWorld) id(n int) string { return fmt.Sprintf("%s-%d", w.tag, n) }

func ledgerIDs(t *testing.T, res response) ([]string, api.LedgerBody) {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var body api.LedgerBody
	res.json(t, &body)
	ids := []string{}
	for _, c := range body.Cases {
		ids = append(ids, c.ID)
	}
	return ids, body
}

func TestLedgerScoping(t *testing.T) {
	w := newLedgerWorld(t)
	bjCourt := otherCourt // CN-11
	tests := []struct {
		name       string
		who        auth.Principal
		query      url.Values
		wantStatus int
		want       []string
	}{
		{"MediatorSeesOwnOnly", w.medA, url.Values{}, http.StatusOK, []string{w.id(3), w.id(2), w.id(1)}},
		{"MediatorOwnFilterAllowed", w.medA, url.Values{"mediator": {w.medA.Subject}, "state": {"closed"}}, http.StatusOK, []string{w.id(2), w.id(1)}},
		{"MediatorAsksForAnother", w.medA, url.Values{"mediator": {w.medB.Subject}}, http.StatusForbidden, nil},
		{"OtherMediatorSeesOwnAcrossJurisdictions", w.medB, url.Values{}, http.StatusOK, []string{w.id(6), w.id(5), w.id(4)}},
		{"PartySeesOwnOnly", w.party, url.Values{}, http.StatusOK, []string{w.id(3), w.id(1)}},
		{"PartyAsksForAnother", w.party, url.Values{"party": {"zhang-san"}}, http.StatusForbidden, nil},
		{"CourtWithinJurisdiction", court, url.Values{"jurisdiction": {w.juris}}, http.StatusOK, []string{w.id(5), w.id(4), w.id(3), w.id(2), w.id(1)}},
		{"CourtOpenOnly", court, url.Values{"jurisdiction": {w.juris}, "state": {"open"}}, http.StatusOK, []string{w.id(5), w.id(3)}},
		{"CourtOfCN11AsksForCN52", bjCourt, url.Values{"jurisdiction": {"CN-52"}}, http.StatusForbidden, nil},
		{"CourtOfCN11AsksForCN52Subdivision", bjCourt, url.Values{"jurisdiction": {w.juris}}, http.StatusForbidden, nil},
		{"CourtOfCN11OwnCases", bjCourt, url.Values{"jurisdiction": {w.bjJuris}}, http.StatusOK, []string{w.id(6)}},
		{"SupervisorWithinJurisdiction", supervisor, url.Values{"jurisdiction": {w.juris}, "mediator": {w.medB.Subject}}, http.StatusOK, []string{w.id(5), w.id(4)}},
		{"AuditorOutsideJurisdiction", auditor, url.Values{"jurisdiction": {w.bjJuris}}, http.StatusForbidden, nil},
		{"UnknownState", court, url.Values{"state": {"lost"}}, http.StatusUnprocessableEntity, nil},
		{"BadCursor", court, url.Values{"cursor": {"not-a-cursor"}}, http.StatusUnprocessableEntity, nil},
		{"BadDate", court, url.Values{"opened_from": {"2026-02-30"}}, http.StatusUnprocessableEntity, nil},
		{"LimitTooLarge", court, url.Values{"limit": {"501"}}, http.StatusUnprocessableEntity, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, realTime, &tt.who, http.MethodGet, "/ledger?"+tt.query.Encode(), nil)
			if tt.wantStatus != http.StatusOK {
				require.Equal(t, tt.wantStatus, res.Status, "got %d, want %d: body %s", res.Status, tt.wantStatus, res.Body)
				res.problem(t)
				return
			}
			got, body := ledgerIDs(t, res)
			require.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
			require.Empty(t, body.NextCursor)
		})
	}

	t.Run("CourtScopedByDefault", func(t *testing.T) {
		// Without a jurisdiction a court reads its own, and says so.
		res := do(t, realTime, &bjCourt, http.MethodGet, "/ledger?limit=500", nil)
		_, body := ledgerIDs(t, res)
		require.Equal(t, "CN-11", body.Filter.Jurisdiction)
		for _, c := range body.Cases {
			require.True(t, bjCourt.Covers(c.Jurisdiction), "got case %s of %s, outside CN-11", c.ID, c.Jurisdiction)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		q := url.Values{"jurisdiction": {w.juris}, "limit": {"2"}}
		var got []string
		for pages := 1; ; pages++ {
			ids, body := ledgerIDs(t, do(t, realTime, &auditor, http.MethodGet, "/ledger?"+q.Encode(), nil))
			got = append(got, ids...)
			if body.NextCursor == "" {
				require.Equal(t, 3, pages, "got %d pages of 2 for 5 cases, want 3", pages)
				break
			}
			q.Set("cursor", body.NextCursor)
		}
		want := []string{w.id(5), w.id(4), w.id(3), w.id(2), w.id(1)}
		require.Equal(t, want, got, "got %v, want %v", got, want)
	})
}

func TestLedgerStatisticsAuditor(t *testing.T) {
	w := newLedgerWorld(t)

	t.Run("PerMediator", func(t *testing.T) {
		q := url.Values{"jurisdiction": {w.juris}, "group_by": {"mediator"}}
		res := do(t, realTime, &auditor, http.MethodGet, "/statistics?"+q.Encode(), nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var body api.StatisticsBody
		res.json(t, &body)
		require.Equal(t, "mediator", body.GroupBy)
		require.Equal(t, w.juris, body.Filter.Jurisdiction)
		require.NotEmpty(t, body.Definitions["resolution_rate"], "the answer says how the rate is computed")
		require.Len(t, body.Rows, 2)

		a, b := body.Rows[0], body.Rows[1]
		require.Equal(t, w.medA.Subject, a.Group)
		require.Equal(t, []int64{3, 1, 2, 2, 0, 1}, []int64{a.Disputes, a.Open, a.Closed, a.Resolved, a.Unresolved, a.Pending})
		require.Equal(t, db.Ratio{Numerator: 2, Denominator: 2, Value: "100.0"}, a.ResolutionRate)
		require.Equal(t, db.Ratio{Numerator: 30, Denominator: 2, Value: "15.0"}, a.AverageDaysToClose)

		require.Equal(t, w.medB.Subject, b.Group)
		require.Equal(t, []int64{2, 1, 1, 0, 1, 1}, []int64{b.Disputes, b.Open, b.Closed, b.Resolved, b.Unresolved, b.Pending})
		require.Equal(t, db.Ratio{Numerator: 0, Denominator: 1, Value: "0.0"}, b.ResolutionRate)
		require.Equal(t, db.Ratio{Numerator: 30, Denominator: 1, Value: "30.0"}, b.AverageDaysToClose)
	})

	t.Run("Totals", func(t *testing.T) {
		q := url.Values{"jurisdiction": {w.juris}}
		res := do(t, realTime, &supervisor, http.MethodGet, "/statistics?"+q.Encode(), nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var body api.StatisticsBody
		res.json(t, &body)
		require.Len(t, body.Rows, 1)
		require.Equal(t, int64(5), body.Rows[0].Disputes)
		// 2 of the 3 cases whose resolution is known: 66.67 %.
		require.Equal(t, db.Ratio{Numerator: 2, Denominator: 3, Value: "66.7"}, body.Rows[0].ResolutionRate)
	})

	t.Run("MediatorStatisticsAreTheirOwn", func(t *testing.T) {
		res := do(t, realTime, &w.medB, http.MethodGet, "/statistics", nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var body api.StatisticsBody
		res.json(t, &body)
		require.Equal(t, w.medB.Subject, body.Filter.Mediator)
		require.Equal(t, int64(3), body.Rows[0].Disputes, "got %d, want medB's 3 cases in both jurisdictions", body.Rows[0].Disputes)
	})

	t.Run("OutsideJurisdiction", func(t *testing.T) {
		q := url.Values{"jurisdiction": {w.bjJuris}}
		res := do(t, realTime, &auditor, http.MethodGet, "/statistics?"+q.Encode(), nil)
		require.Equal(t, http.StatusForbidden, res.Status, "body: %s", res.Body)
		res.problem(t)
	})

	t.Run("UnknownGrouping", func(t *testing.T) {
		res := do(t, realTime, &auditor, http.MethodGet, "/statistics?group_by=weekday", nil)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "body: %s", res.Body)
		res.problem(t)
	})
}
