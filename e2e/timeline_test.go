package e2e

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/internal/tamper"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// hostile is user text that a spreadsheet would run as a formula, with the
// characters CSV has to quote.
const hostile = "=cmd|' /C calc'!A0, \"双方\" 同意延长\n第二行"

func auditTimeline(t *testing.T, srv *httptest.Server, id string) api.TimelineBody {
	t.Helper()
	res := do(t, srv, &auditor, http.MethodGet, "/cases/"+id+"/timeline", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var out api.TimelineBody
	res.json(t, &out)
	return out
}

func verify(t *testing.T, srv *httptest.Server, as *auth.Principal, id string) api.VerifyBody {
	t.Helper()
	res := do(t, srv, as, http.MethodGet, "/cases/"+id+"/timeline/verify", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var out api.VerifyBody
	res.json(t, &out)
	return out
}

// mark names a timeline entry by source and kind, and the actor it must
// show when one is given.
type mark struct {
	Source, Kind string
	Actor        *casefile.Actor
}

var (
	judgeLi      = &casefile.Actor{Subject: "judge-li", Role: casefile.RoleCourt}
	mediatorWang = &casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator}
	system       = &casefile.System
)

// requireInOrder checks that the marks appear in the timeline in this
// order (other entries may come between) with the actors they name, and
// returns where each was found.
func requireInOrder(t *testing.T, tl []api.AuditEntry, marks ...mark) []int {
	t.Helper()
	var at []int
	from := 0
	for _, m := range marks {
		found := -1
		for i := from; i < len(tl); i++ {
			if tl[i].Source == m.Source && tl[i].Kind == m.Kind {
				found = i
				break
			}
		}
		require.NotEqual(t, -1, found, "got no %s %s after entry %d; timeline: %v", m.Source, m.Kind, from, summarise(tl))
		if m.Actor != nil {
			require.Equal(t, *m.Actor, tl[found].Actor, "%s %s: got actor %v, want %v", m.Source, m.Kind, tl[found].Actor, *m.Actor)
		}
		at = append(at, found)
		from = found + 1
	}
	return at
}

func summarise(tl []api.AuditEntry) []string {
	var out []string
	for _, e := range tl {
		out = append(out, e.Source+":"+e.Kind+":"+e.Actor.Subject)
	}
	return out
}

func requireOrdered(t *testing.T, tl []api.AuditEntry) {
	t.Helper()
	for i := 1; i < len(tl); i++ {
		require.False(t, tl[i].RealAt.Before(tl[i-1].RealAt), "entry %d (%s) at %s comes after entry %d (%s) at %s",
			i, tl[i].Kind, tl[i].RealAt, i-1, tl[i-1].Kind, tl[i-1].RealAt)
	}
}

// requireTimer checks that a timer was started between entries from and to
// that fires on the case day on, and returns where.
func requireTimer(t *testing.T, tl []api.AuditEntry, from, to int, on policy.Date) int {
	t.Helper()
	var days []policy.Date
	for i := from; i < to; i++ {
		if tl[i].Kind != "timer_started" {
			continue
		}
		day := firesCaseOn(t, tl[i])
		if day == on {
			return i
		}
		days = append(days, day)
	}
	t.Fatalf("got no timer firing on %s between entries %d and %d (timers fire on %v); timeline: %v", on, from, to, days, summarise(tl))
	return -1
}

// requireTimersPaired checks that every timer that fired or was canceled
// was started before, in the same run.
func requireTimersPaired(t *testing.T, tl []api.AuditEntry) {
	t.Helper()
	started := map[string]bool{}
	for _, e := range tl {
		if e.Source != api.SourceWorkflow {
			continue
		}
		switch e.Kind {
		case "timer_started":
			started[fmt.Sprintf("%s/%d", e.RunID, e.Seq)] = true
		case "timer_fired", "timer_canceled":
			from := e.Data.(map[string]any)["started_event_id"].(float64)
			require.True(t, started[fmt.Sprintf("%s/%d", e.RunID, int64(from))], "%s at event %d: got no timer started at event %v before it", e.Kind, e.Seq, from)
		}
	}
}

// firesCaseOn is the case-time day a timer_started entry says it fires.
func firesCaseOn(t *testing.T, e api.AuditEntry) policy.Date {
	t.Helper()
	data, ok := e.Data.(map[string]any)
	require.True(t, ok, "timer data: got %T", e.Data)
	d, err := policy.ParseDate(data["fires_case_on"].(string))
	require.NoError(t, err)
	return d
}

func TestTimelineShowsActorsAndTimers(t *testing.T) {
	body := startBody(newCaseNumber())
	body.Subject = "=HYPERLINK(\"http://evil\",\"x\")"
	body.Parties[1].Name = "@某建筑公司, \"有限\""
	res := do(t, realTime, &court, http.MethodPost, "/cases/mediation", body)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	id := c.Summary.ID

	ext := do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/extensions", map[string]any{"reason": hostile})
	require.Equal(t, http.StatusOK, ext.Status, "body: %s", ext.Body)
	var extended api.CaseBody
	ext.json(t, &extended)
	today := extended.Mediation.CaseToday
	terms := map[string]any{
		"obligor": "xx-construction", "obligees": []string{applicant.Subject}, "total_fen": 1_302_700,
		"installments": []map[string]any{{"due_on": today.AddDays(30), "amount_fen": 1_302_700}},
	}
	res = do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/outcome", map[string]any{"outcome": "agreed", "terms": terms, "reason": "+当场签字"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)

	// Wait until the workflow has finished handling the outcome.
	var got api.TimelineBody
	require.Eventually(t, func() bool {
		got = auditTimeline(t, realTime, id)
		for _, e := range got.Timeline {
			if e.Kind == "update_completed" && e.Data.(map[string]any)["name"] == "record-outcome" {
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, api.HistoryComplete, got.WorkflowHistory)
	tl := got.Timeline
	requireOrdered(t, tl)
	requireTimersPaired(t, tl)

	at := requireInOrder(t, tl,
		mark{api.SourceWorkflow, "workflow_started", judgeLi},
		mark{api.SourceCase, "delegated", judgeLi},
		mark{api.SourceCase, "deadline_extended", mediatorWang},
		mark{api.SourceCase, "agreement_reached", mediatorWang},
	)
	// The mediation timer waits for the end of the last day of the period,
	// in case time; the extension sets a new one for the new last day.
	first := requireTimer(t, tl, at[1], at[2], c.Mediation.Deadline.AddDays(1))
	second := requireTimer(t, tl, at[2], at[3], extended.Mediation.Deadline.AddDays(1))
	require.Equal(t, system, &tl[first].Actor)
	require.Equal(t, c.Summary.WorkflowID, tl[first].Stream)
	require.NotEmpty(t, tl[first].RunID)
	require.False(t, tl[second].CaseAt.IsZero(), "workflow events have a case time too")

	// The commands reached the workflow as updates sent by the mediator.
	var updates []string
	for _, e := range tl {
		if e.Kind == "update_accepted" && e.Actor == *mediatorWang {
			updates = append(updates, e.Data.(map[string]any)["name"].(string))
			if e.Data.(map[string]any)["name"] == "extend-deadline" {
				require.Equal(t, hostile, e.Reason, "the update carries the mediator's reason")
			}
		}
	}
	require.Equal(t, []string{"extend-deadline", "record-outcome"}, updates)

	// Stored steps carry their chain.
	ext0 := tl[at[2]]
	require.Equal(t, hostile, ext0.Reason, "stored and served verbatim")
	require.Equal(t, "parties_agree_extension", ext0.ReasonCode)
	require.Len(t, ext0.Hash, 64)
	require.False(t, ext0.CaseAt.IsZero())
	require.Equal(t, "mediation", ext0.Stream)
	require.GreaterOrEqual(t, len(got.Entries), 3, "the stored steps alone are still served")

	stored, err := store.Timeline(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, "deadline_extended", stored[1].Kind)
	require.Equal(t, hostile, stored[1].Reason, "the database keeps the reason verbatim")

	t.Run("CSV", func(t *testing.T) {
		res := do(t, realTime, &auditor, http.MethodGet, "/cases/"+id+"/timeline.csv", nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		require.Contains(t, res.Header.Get("Content-Type"), "text/csv")
		require.Equal(t, `attachment; filename="case-`+id+`-timeline.csv"`, res.Header.Get("Content-Disposition"))
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, len(tl)+1, "got %d rows, want a header and %d entries", len(rows), len(tl))
		header := rows[0]
		require.Equal(t, []string{"case_id", "source"}, header[:2])
		col := map[string]int{}
		for i, h := range header {
			col[h] = i
		}
		for i, e := range tl {
			row := rows[i+1]
			require.Equal(t, e.Kind, row[col["kind"]], "row %d", i+1)
			require.Equal(t, e.Source, row[col["source"]], "row %d", i+1)
			require.Equal(t, id, row[col["case_id"]], "row %d", i+1)
			for j, cell := range row {
				r, _ := utf8.DecodeRuneInString(cell)
				require.NotContains(t, []rune{'=', '+', '-', '@', '\t', '\r'}, r, "row %d column %s starts a formula: %q", i+1, header[j], cell)
			}
		}
		extRow := rows[at[2]+1]
		require.Equal(t, "'"+hostile, extRow[col["reason"]], "a formula is neutralised, its text kept whole")
		require.Equal(t, "mediator-wang", extRow[col["actor"]])
		require.Equal(t, "mediator", extRow[col["role"]])
		require.Equal(t, "'+当场签字", rows[at[3]+1][col["reason"]])
		require.Equal(t, ext0.Hash, extRow[col["hash"]])
	})

	t.Run("VerifyIntact", func(t *testing.T) {
		v := verify(t, realTime, &mediator, id)
		require.True(t, v.Intact, "breaks: %v", v.Breaks)
		require.Empty(t, v.Breaks)
		require.GreaterOrEqual(t, v.Entries, len(got.Entries))
		require.Equal(t, "mediation", v.Streams[0].Stream)
		require.Len(t, v.Streams[0].Head, 64)
		require.Equal(t, api.HistoryComplete, v.History.State)
		require.GreaterOrEqual(t, v.History.Steps, 3, "the steps the workflow recorded were compared")
	})

	t.Run("Access", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			as     *auth.Principal
			path   string
			status int
		}{
			{"StrangerTimeline", &stranger, "/timeline", http.StatusNotFound},
			{"StrangerCSV", &stranger, "/timeline.csv", http.StatusNotFound},
			{"StrangerVerify", &stranger, "/timeline/verify", http.StatusNotFound},
			{"OtherCourtVerify", &otherCourt, "/timeline/verify", http.StatusNotFound},
			{"NoToken", nil, "/timeline.csv", http.StatusUnauthorized},
			{"PartyReads", &applicant, "/timeline", http.StatusOK},
			{"SupervisorVerifies", &supervisor, "/timeline/verify", http.StatusOK},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res := do(t, realTime, tt.as, http.MethodGet, "/cases/"+id+tt.path, nil)
				require.Equal(t, tt.status, res.Status, "body: %s", res.Body)
			})
		}
	})
}

func TestTimelineDeadlineTimerUnderCompressedTime(t *testing.T) {
	c := startCase(t, fast)
	id := c.Summary.ID
	var got api.TimelineBody
	require.Eventually(t, func() bool {
		got = auditTimeline(t, fast, id)
		last := got.Timeline[len(got.Timeline)-1]
		return last.Source == api.SourceWorkflow && last.Kind == "workflow_completed"
	}, 20*time.Second, 100*time.Millisecond)
	tl := got.Timeline
	requireOrdered(t, tl)
	requireTimersPaired(t, tl)
	at := requireInOrder(t, tl,
		mark{api.SourceWorkflow, "workflow_started", judgeLi},
		mark{api.SourceCase, "delegated", judgeLi},
		mark{api.SourceWorkflow, "timer_fired", system},
		mark{api.SourceCase, "mediation_deadline_passed", system},
		mark{api.SourceCase, "returned_for_litigation", system},
		mark{api.SourceWorkflow, "workflow_completed", system},
	)
	fired := tl[at[2]]
	// The timer that fired was started after the delegation; at 30 legal
	// days a second its own latency is hours of case time, so it says it
	// fires on the day after the last day of the period or the next.
	startedAt := -1
	for i := at[1]; i < at[2]; i++ {
		if tl[i].Kind == "timer_started" && float64(tl[i].Seq) == fired.Data.(map[string]any)["started_event_id"] {
			startedAt = i
		}
	}
	require.NotEqual(t, -1, startedAt, "got no start of the timer that fired; timeline: %v", summarise(tl))
	on := firesCaseOn(t, tl[startedAt])
	require.False(t, on.Before(c.Mediation.Deadline.AddDays(1)), "fires on %s, want after the last day %s", on, c.Mediation.Deadline)
	require.False(t, on.After(c.Mediation.Deadline.AddDays(2)), "fires on %s, want about the day after %s", on, c.Mediation.Deadline)
	require.False(t, fired.CaseAt.Before(c.Mediation.Deadline.End()), "fired at case time %s, before the period ran out at %s", fired.CaseAt, c.Mediation.Deadline.End())
	require.Equal(t, c.Mediation.Deadline.AddDays(1), tl[at[3]].CaseOn, "the deadline passes the day after the last day")
	require.True(t, verify(t, fast, &auditor, id).Intact)
}

// closedCase runs a case to failed mediation, which closes it with four
// stored steps: delegated, deadline_extended, mediation_failed,
// returned_for_litigation.
func closedCase(t *testing.T) string {
	t.Helper()
	c := startCase(t, realTime)
	id := c.Summary.ID
	ext := do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/extensions", map[string]any{"reason": "双方同意延长"})
	require.Equal(t, http.StatusOK, ext.Status, "body: %s", ext.Body)
	res := do(t, realTime, &mediator, http.MethodPost, "/cases/"+id+"/outcome", map[string]any{"outcome": "failed", "reason": "被申请人拒绝调解"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	v := verify(t, realTime, &auditor, id)
	require.True(t, v.Intact, "breaks: %v", v.Breaks)
	require.Equal(t, 4, v.Entries)
	require.Equal(t, api.HistoryCheck{State: api.HistoryComplete, Steps: 4}, v.History)
	return id
}

// brk is a break by its place and check, for comparing without the wording.
type brk struct {
	Stream string
	Seq    int
	Check  string
}

var nationalAuditor = auth.Principal{Subject: "auditor-chen", Role: casefile.RoleAuditor, Jurisdiction: "CN"}

func breaksOf(v api.VerifyBody) []brk {
	out := []brk{}
	for _, b := range v.Breaks {
		out = append(out, brk{b.Stream, b.Seq, b.Check})
	}
	return out
}

// TestTimelineVerifyDetectsTampering tampers with a closed case's four
// stored steps as an insider who can write the database but does not hold
// the audit key could, and checks that verify reports each, from the keyed
// chain, the summary digest and the workflow history compared both ways.
func TestTimelineVerifyDetectsTampering(t *testing.T) {
	exec := func(sql string) func(t *testing.T, id string) {
		return func(t *testing.T, id string) {
			tag, err := stack.Pool.Exec(t.Context(), sql, id)
			require.NoError(t, err)
			require.EqualValues(t, 1, tag.RowsAffected(), "the tampering touched one row")
		}
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, id string)
		want   []brk
		// outsider is whom the tampering meant to let in.
		outsider *auth.Principal
	}{
		{"EditedRow", exec("UPDATE case_events SET reason = 'edited' WHERE case_id = $1 AND seq = 2"), []brk{
			{"mediation", 2, "chain"}, {"mediation", 2, "history"}}, nil},
		{"EditedActor", exec("UPDATE case_events SET actor = 'mediator-zhao' WHERE case_id = $1 AND seq = 3"), []brk{
			{"mediation", 3, "chain"}, {"mediation", 3, "history"}}, nil},
		{"DeletedRow", exec("DELETE FROM case_events WHERE case_id = $1 AND seq = 2"), []brk{
			{"mediation", 2, "chain"}, {"mediation", 2, "history"}}, nil},
		// The chain alone cannot see its last link go; the history and the
		// summary digest (the cases row is of step 4) can.
		{"DeletedLastRow", exec("DELETE FROM case_events WHERE case_id = $1 AND seq = 4"), []brk{
			{"mediation", 4, "summary"}, {"mediation", 4, "history"}}, nil},
		{"ForgedAppendRechained", func(t *testing.T, id string) {
			_, err := tamper.ForgeAppend(t.Context(), stack.Pool, id, "mediation", "agreement_reached", audit.ChainSHA256)
			require.NoError(t, err)
		}, []brk{{"mediation", 5, "chain"}, {"mediation", 5, "history"}}, nil},
		{"EditRechained", func(t *testing.T, id string) {
			require.NoError(t, tamper.Rechain(t.Context(), stack.Pool, id, "mediation", 2, audit.Key{}, false))
		}, []brk{{"mediation", 1, "chain"}, {"mediation", 2, "history"}}, nil},
		{"PartyAdded", func(t *testing.T, id string) {
			require.NoError(t, tamper.AddParty(t.Context(), stack.Pool, id, stranger.Subject))
		}, []brk{{"mediation", 4, "summary"}}, &stranger},
		{"JurisdictionMoved", func(t *testing.T, id string) {
			require.NoError(t, tamper.MoveJurisdiction(t.Context(), stack.Pool, id, "CN-11"))
		}, []brk{{"mediation", 4, "summary"}}, &otherCourt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := closedCase(t)
			tt.tamper(t, id)

			// A national auditor, who still sees the case once it is moved.
			v := verify(t, realTime, &nationalAuditor, id)
			require.False(t, v.Intact, "got intact after %s", tt.name)
			require.Equal(t, api.VerifyBroken, v.State)
			require.Equal(t, tt.want, breaksOf(v), "breaks: %v", v.Breaks)
			// The timeline is still served, showing what is stored.
			res := do(t, realTime, &nationalAuditor, http.MethodGet, "/cases/"+id+"/timeline", nil)
			require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
			if tt.outsider != nil {
				// Access control does not decide on the edited row.
				res := do(t, realTime, tt.outsider, http.MethodGet, "/cases/"+id, nil)
				require.Equal(t, http.StatusServiceUnavailable, res.Status, "body: %s", res.Body)
				require.Contains(t, res.problem(t)["detail"], "integrity check")
			}
		})
	}
}

// TestTimelineWithoutWorkflowHistory is a case whose workflow history
// Temporal no longer keeps: the stored steps are the timeline; the keyed
// chain still shows an edit, even one whose chain was recomputed, but
// without history a deleted last step would not show, so it verifies as
// unverifiable, never intact.
func TestTimelineWithoutWorkflowHistory(t *testing.T) {
	record := func(t *testing.T) string {
		number := newCaseNumber()
		id := workflows.CaseID(fmt.Sprintf("gone-%d", time.Now().UnixNano()))
		now := time.Now().UTC()
		clock := casetime.Clock{Scale: 1, RealEpoch: now, CaseEpoch: now}
		sum := &casefile.Summary{
			ID: id, CaseNumber: number, Process: casefile.ProcessMediation, WorkflowID: "case/" + id + "/mediation",
			Court: court.Court, Jurisdiction: "CN-52", Mediator: mediator.Subject, Parties: []string{applicant.Subject},
			Stage: "agreement_reached", Status: casefile.StatusClosed, Clock: clock,
			OpenedOn: policy.DateOf(now), OpenedAt: now, LastSeq: 2,
		}
		events := []casefile.Event{
			{CaseID: id, Stream: "mediation", Seq: 1, Kind: "delegated", Actor: *judgeLi, RealAt: now, CaseAt: now, CaseOn: policy.DateOf(now), Reason: "archived"},
			{CaseID: id, Stream: "mediation", Seq: 2, Kind: "agreement_reached", Actor: *mediatorWang, RealAt: now.Add(time.Second), CaseAt: now.Add(time.Second), CaseOn: policy.DateOf(now)},
		}
		require.NoError(t, store.RecordSteps(t.Context(), sum, events))
		return id
	}
	id := record(t)

	got := auditTimeline(t, realTime, id)
	require.Equal(t, api.HistoryUnavailable, got.WorkflowHistory)
	require.Len(t, got.Timeline, 2)
	require.Equal(t, []string{"case:delegated:judge-li", "case:agreement_reached:mediator-wang"}, summarise(got.Timeline))

	v := verify(t, realTime, &auditor, id)
	require.False(t, v.Intact, "without history a deleted last step would not show")
	require.Equal(t, api.VerifyUnverifiable, v.State)
	require.Empty(t, v.Breaks)
	require.Equal(t, []api.VerifyBreak{{Stream: "mediation", Seq: 2, Check: "history",
		Why: "the workflow history is gone and no anchor holds this stream's head: a deleted last step would not show"}}, v.Unverified)
	require.Equal(t, api.HistoryCheck{State: api.HistoryUnavailable}, v.History)

	for _, tt := range []struct {
		name   string
		tamper func(t *testing.T, id string)
		want   []brk
	}{
		{"Edited", func(t *testing.T, id string) {
			_, err := stack.Pool.Exec(t.Context(), "UPDATE case_events SET reason = 'edited' WHERE case_id = $1 AND seq = 1", id)
			require.NoError(t, err)
		}, []brk{{"mediation", 1, "chain"}}},
		{"EditRechained", func(t *testing.T, id string) {
			require.NoError(t, tamper.Rechain(t.Context(), stack.Pool, id, "mediation", 1, audit.Key{}, false))
		}, []brk{{"mediation", 1, "chain"}}},
		{"ForgedAppendRechained", func(t *testing.T, id string) {
			_, err := tamper.ForgeAppend(t.Context(), stack.Pool, id, "mediation", "agreement_reached", audit.ChainHMAC)
			require.NoError(t, err)
		}, []brk{{"mediation", 3, "chain"}}},
		{"PartyAdded", func(t *testing.T, id string) {
			require.NoError(t, tamper.AddParty(t.Context(), stack.Pool, id, stranger.Subject))
		}, []brk{{"mediation", 2, "summary"}}},
		{"DeletedLastStep", func(t *testing.T, id string) {
			_, err := tamper.DeleteLast(t.Context(), stack.Pool, id, "mediation")
			require.NoError(t, err)
		}, []brk{{"", 2, "summary"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := record(t)
			tt.tamper(t, id)
			v := verify(t, realTime, &auditor, id)
			require.Equal(t, api.VerifyBroken, v.State, "breaks: %v", v.Breaks)
			require.Equal(t, tt.want, breaksOf(v), "breaks: %v", v.Breaks)
		})
	}
}

// TestAppRoleCannotRewriteAuditTrail connects as the API and the worker
// do: the role may add steps but not change or remove them, nor move a
// case to another court or jurisdiction.
func TestAppRoleCannotRewriteAuditTrail(t *testing.T) {
	id := closedCase(t)
	for _, sql := range []string{
		"UPDATE case_events SET reason = 'edited' WHERE case_id = $1",
		"DELETE FROM case_events WHERE case_id = $1",
		"UPDATE cases SET jurisdiction = 'CN-11' WHERE id = $1",
		"UPDATE cases SET court = 'elsewhere' WHERE id = $1",
		"DELETE FROM cases WHERE id = $1",
		"DELETE FROM notices WHERE case_id = $1",
		"UPDATE notices SET body = 'edited' WHERE case_id = $1",
	} {
		_, err := stack.AppPool.Exec(t.Context(), sql, id)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr, sql)
		require.Equal(t, "42501", pgErr.Code, "%s: got %v, want insufficient privilege", sql, err)
	}
	_, err := stack.AppPool.Exec(t.Context(), "TRUNCATE case_events")
	require.ErrorContains(t, err, "permission denied")
	require.True(t, verify(t, realTime, &auditor, id).Intact, "nothing changed")
}
