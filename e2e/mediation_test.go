package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

var caseSeq atomic.Int64

// newCaseNumber returns a case number no other test uses.
func newCaseNumber() string {
	return fmt.Sprintf("（2026）黔2301民诉前调%d号", time.Now().UnixNano()%1_000_000_000+caseSeq.Add(1))
}

func startBody(number string) api.StartMediationBody {
	return api.StartMediationBody{
		CaseNumber: number, Jurisdiction: "CN-52", Organisation: "兴义市人民调解委员会",
		Mediator: mediator.Subject, Subject: "拖欠工程款", ClaimFen: 1_302_700,
		Parties: []api.PartyBody{
			{ID: applicant.Subject, Name: "张三", Side: "applicant"},
			{ID: "xx-construction", Name: "某建筑公司", Side: "respondent"},
		},
	}
}

func startCase(t *testing.T, srv *httptest.Server) api.CaseBody {
	t.Helper()
	res := do(t, srv, &court, http.MethodPost, "/cases/mediation", startBody(newCaseNumber()))
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	return c
}

func timeline(t *testing.T, srv *httptest.Server, id string) []db.TimelineEntry {
	t.Helper()
	res := do(t, srv, &auditor, http.MethodGet, "/cases/"+id+"/timeline", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var out struct{ Entries []db.TimelineEntry }
	res.json(t, &out)
	return out.Entries
}

func kinds(entries []db.TimelineEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Kind)
	}
	return out
}

// TestMediationDeadlinePassesUnderCompressedTime is the README's curl walk:
// a case is delegated, nobody acts, and when the mediation period has
// passed in case time the case is back with the court for litigation.
func TestMediationDeadlinePassesUnderCompressedTime(t *testing.T) {
	c := startCase(t, fast)
	require.Equal(t, "mediating", c.Summary.Stage)
	require.NotNil(t, c.Mediation)
	opened := c.Mediation.OpenedOn
	require.Equal(t, opened, c.Summary.OpenedOn)
	// The deadline is 30 days on, moved off any rest day.
	reg, err := policy.Default()
	require.NoError(t, err)
	want, err := reg.Deadline("CN-52", opened, policy.Days(30))
	require.NoError(t, err)
	require.Equal(t, want, c.Mediation.Deadline)

	var got api.CaseBody
	require.Eventually(t, func() bool {
		res := do(t, fast, &court, http.MethodGet, "/cases/"+c.Summary.ID, nil)
		require.Equal(t, http.StatusOK, res.Status)
		res.json(t, &got)
		return got.Summary.Status == casefile.StatusClosed
	}, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, "returned_for_litigation", got.Summary.Stage)
	require.Equal(t, "mediation_deadline_passed", got.Summary.Outcome)
	require.Equal(t, want.AddDays(1), got.Summary.ClosedOn, "closed the day after the last day, in case time")

	entries := timeline(t, fast, c.Summary.ID)
	require.Equal(t, []string{"delegated", "mediation_deadline_passed", "returned_for_litigation"}, kinds(entries))
	require.Equal(t, court.Subject, entries[0].Actor.Subject)
	require.Equal(t, casefile.RoleSystem, entries[1].Actor.Role)
	breaks, err := store.VerifyChain(c.Summary.ID, entries)
	require.NoError(t, err)
	require.Empty(t, breaks, "the stored chain verifies")

	// The case is closed: a command now is refused and changes nothing.
	res := do(t, fast, &mediator, http.MethodPost, "/cases/"+c.Summary.ID+"/outcome", map[string]any{"outcome": "failed", "reason": "too late"})
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	res.problem(t)
	require.Len(t, timeline(t, fast, c.Summary.ID), 3)
}

func TestMediationAgreementAndExtension(t *testing.T) {
	c := startCase(t, realTime)
	id := c.Summary.ID

	ext := do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/extensions", map[string]any{"reason": "双方同意延长十五日"}, "Idempotency-Key", "ext-1")
	require.Equal(t, http.StatusOK, ext.Status, "body: %s", ext.Body)
	var after api.CaseBody
	ext.json(t, &after)
	require.Equal(t, 1, after.Mediation.ExtensionsUsed)
	require.True(t, after.Mediation.Deadline.After(c.Mediation.Deadline))

	// The same request again (a client retry) takes effect once.
	again := do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/extensions", map[string]any{"reason": "双方同意延长十五日"}, "Idempotency-Key", "ext-1")
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Body)
	// A second extension is refused.
	second := do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/extensions", map[string]any{"reason": "再延"}, "Idempotency-Key", "ext-2")
	require.Equal(t, http.StatusConflict, second.Status, "body: %s", second.Body)
	second.problem(t)

	today := after.Mediation.CaseToday
	terms := map[string]any{
		"obligor": "xx-construction", "obligees": []string{applicant.Subject}, "total_fen": 1_302_700,
		"installments": []map[string]any{
			{"due_on": today.AddDays(30), "amount_fen": 500_000},
			{"due_on": today.AddDays(60), "amount_fen": 500_000},
			{"due_on": today.AddDays(90), "amount_fen": 302_700},
		},
	}
	res := do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/outcome", map[string]any{"outcome": "agreed", "terms": terms})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var done api.CaseBody
	res.json(t, &done)
	require.Equal(t, "agreement_reached", done.Summary.Stage)
	require.Equal(t, int64(1_302_700), done.Mediation.Agreement.Terms.TotalFen)
	require.Equal(t, []string{"delegated", "deadline_extended", "agreement_reached"}, kinds(timeline(t, realTime, id)))
}

// TestBadInputChangesNothing sends hostile and malformed requests; each is
// refused with a problem+json that says why, and the case is as it was.
func TestBadInputChangesNothing(t *testing.T) {
	c := startCase(t, realTime)
	id := c.Summary.ID
	today := c.Mediation.CaseToday
	agreed := func(total int64, inst ...map[string]any) map[string]any {
		return map[string]any{"outcome": "agreed", "terms": map[string]any{
			"obligor": "xx-construction", "obligees": []string{applicant.Subject}, "total_fen": total, "installments": inst,
		}}
	}
	one := func(due policy.Date, fen int64) map[string]any {
		return map[string]any{"due_on": due, "amount_fen": fen}
	}
	number := newCaseNumber()
	tests := []struct {
		name   string
		as     *auth.Principal
		method string
		path   string
		body   any
		status int
	}{
		{"NegativeAmount", &mediator, "POST", "/cases/" + id + "/outcome", agreed(100, one(today.AddDays(10), -100), one(today.AddDays(20), 200)), 422},
		{"InstallmentsNotSummingToTotal", &mediator, "POST", "/cases/" + id + "/outcome", agreed(1000, one(today.AddDays(10), 300), one(today.AddDays(20), 300)), 422},
		{"DueDateBeforeAgreement", &mediator, "POST", "/cases/" + id + "/outcome", agreed(100, one(today.AddDays(-1), 100)), 422},
		{"BadDate", &mediator, "POST", "/cases/" + id + "/outcome", []byte(`{"outcome":"agreed","terms":{"obligor":"xx-construction","obligees":["zhang-san"],"total_fen":1,"installments":[{"due_on":"2026-02-30","amount_fen":1}]}}`), 422},
		{"UnknownOutcome", &mediator, "POST", "/cases/" + id + "/outcome", map[string]any{"outcome": "maybe"}, 422},
		{"MalformedJSON", &mediator, "POST", "/cases/" + id + "/outcome", []byte(`{"outcome": "failed",`), 400},
		{"InvalidUTF8", &mediator, "POST", "/cases/" + id + "/outcome", []byte("{\"outcome\":\"failed\",\"reason\":\"\xff\xfe\"}"), 400},
		{"TooLarge", &mediator, "POST", "/cases/" + id + "/outcome", []byte(`{"reason":"` + strings.Repeat("x", 1<<20) + `"}`), 413},
		{"UnknownCase", &mediator, "POST", "/cases/cnosuchcase/outcome", map[string]any{"outcome": "failed", "reason": "x"}, 404},
		{"NoToken", nil, "POST", "/cases/" + id + "/outcome", map[string]any{"outcome": "failed", "reason": "x"}, 401},
		{"AnotherMediator", &otherMed, "POST", "/cases/" + id + "/outcome", map[string]any{"outcome": "failed", "reason": "x"}, 404},
		{"AuditorWrites", &auditor, "POST", "/cases/" + id + "/outcome", map[string]any{"outcome": "failed", "reason": "x"}, 403},
		{"PartyRecordsOutcome", &applicant, "POST", "/cases/" + id + "/outcome", map[string]any{"outcome": "failed", "reason": "x"}, 403},
		{"StrangerReads", &stranger, "GET", "/cases/" + id, nil, 404},
		{"OtherCourtReads", &otherCourt, "GET", "/cases/" + id, nil, 404},
		{"NegativeClaim", &court, "POST", "/cases/mediation", func() any { b := startBody(number); b.ClaimFen = -1; return b }(), 422},
		{"OneSidedDispute", &court, "POST", "/cases/mediation", func() any {
			b := startBody(number)
			b.Parties[1].Side = "applicant"
			return b
		}(), 422},
		{"OtherJurisdiction", &court, "POST", "/cases/mediation", func() any { b := startBody(number); b.Jurisdiction = "CN-11"; return b }(), 403},
		{"MediatorStartsCase", &mediator, "POST", "/cases/mediation", startBody(number), 403},
		{"SupervisorStartsCase", &supervisor, "POST", "/cases/mediation", startBody(number), 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, realTime, tt.as, tt.method, tt.path, tt.body)
			require.Equal(t, tt.status, res.Status, "body: %s", res.Body)
			res.problem(t)
		})
	}
	// Nothing changed: one step, still mediating, and the refused case
	// number never opened a case.
	res := do(t, realTime, &auditor, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status)
	var after api.CaseBody
	res.json(t, &after)
	require.Equal(t, "mediating", after.Summary.Stage)
	require.Equal(t, 0, after.Mediation.ExtensionsUsed)
	require.Equal(t, []string{"delegated"}, kinds(timeline(t, realTime, id)))
	_, err := store.Case(t.Context(), "c-none")
	require.ErrorIs(t, err, db.ErrNotFound)
}

// TestStartIsIdempotent: the same case number never opens two cases.
func TestStartIsIdempotent(t *testing.T) {
	number := newCaseNumber()
	first := do(t, realTime, &court, http.MethodPost, "/cases/mediation", startBody(number))
	require.Equal(t, http.StatusCreated, first.Status, "body: %s", first.Body)
	again := do(t, realTime, &court, http.MethodPost, "/cases/mediation", startBody(number))
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Body)
	var a, b api.CaseBody
	first.json(t, &a)
	again.json(t, &b)
	require.Equal(t, a.Summary.ID, b.Summary.ID)
	require.Len(t, timeline(t, realTime, a.Summary.ID), 1)

	other := startBody(number)
	other.ClaimFen = 1
	clash := do(t, realTime, &court, http.MethodPost, "/cases/mediation", other)
	require.Equal(t, http.StatusConflict, clash.Status, "body: %s", clash.Body)
	clash.problem(t)
}

// TestCaseEnteredAfterTheFact backfills a case a clerk enters late: its
// deadlines count from the day it really opened, so one whose mediation
// period has already run out is returned for litigation at once, dated
// the day after that period's last day.
func TestCaseEnteredAfterTheFact(t *testing.T) {
	reg, err := policy.Default()
	require.NoError(t, err)
	today := policy.DateOf(time.Now())
	opened := today.AddDays(-45)
	last, err := reg.Deadline("CN-52", opened, policy.Days(30))
	require.NoError(t, err)

	b := startBody(newCaseNumber())
	b.OpenedOn = opened
	res := do(t, realTime, &court, http.MethodPost, "/cases/mediation", b)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	require.Equal(t, opened, c.Summary.OpenedOn)
	require.Equal(t, last, c.Mediation.Deadline)

	var got api.CaseBody
	require.Eventually(t, func() bool {
		r := do(t, realTime, &auditor, http.MethodGet, "/cases/"+c.Summary.ID, nil)
		r.json(t, &got)
		return got.Summary.Status == casefile.StatusClosed
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, "mediation_deadline_passed", got.Summary.Outcome)
	require.Equal(t, last.AddDays(1), got.Summary.ClosedOn)

	for _, bad := range []policy.Date{today.AddDays(1), today.AddMonths(-12 * 11)} {
		b := startBody(newCaseNumber())
		b.OpenedOn = bad
		res := do(t, realTime, &court, http.MethodPost, "/cases/mediation", b)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "opened_on %s: %s", bad, res.Body)
		res.problem(t)
	}
}
