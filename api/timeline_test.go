package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

func TestNeutralise(t *testing.T) {
	tests := []struct {
		cell, want string
	}{
		{"", ""},
		{"plain", "plain"},
		{"双方同意延长十五日", "双方同意延长十五日"},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"＝HYPERLINK(\"x\")", "'＝HYPERLINK(\"x\")"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"{\"a\":\"=1\"}", "{\"a\":\"=1\"}"},
		{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.cell, func(t *testing.T) {
			got := neutralise(tt.cell)
			require.Equal(t, tt.want, got, "neutralise(%q): got %q, want %q", tt.cell, got, tt.want)
		})
	}
}

func TestTimelineCSVRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	hostile := "=cmd|' /C calc'!A0, \"quoted\"\nsecond line"
	entries := []AuditEntry{
		{Source: SourceCase, Stream: "mediation", Seq: 1, Kind: "delegated",
			Actor: casefile.Actor{Subject: "judge-li", Role: casefile.RoleCourt}, RealAt: at, CaseAt: at,
			CaseOn: policy.DateOf(at), Reason: hostile, ReasonCode: "court_delegation",
			Data: json.RawMessage(`{"subject":"=1+1"}`), PrevHash: "00", Hash: "ff"},
		{Source: SourceWorkflow, Stream: "case/c1/mediation", RunID: "r1", Seq: 7, Kind: "timer_started",
			Actor: casefile.System, RealAt: at.Add(time.Second), Data: map[string]any{"timer_id": "1"}},
	}
	b, err := timelineCSV(entries)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(b, []byte("\ufeff")), "starts with a byte order mark")

	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(entries)+1, "got %d rows, want a header and %d entries", len(rows), len(entries))
	require.Equal(t, timelineColumns, rows[0])
	col := func(name string) int {
		for i, c := range timelineColumns {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	require.Equal(t, "'"+hostile, rows[1][col("reason")], "the reason comes back whole, neutralised")
	require.Equal(t, "judge-li", rows[1][col("actor")])
	require.Equal(t, `{"subject":"=1+1"}`, rows[1][col("data")])
	require.Equal(t, "2026-03-02", rows[1][col("case_on")])
	require.Equal(t, "", rows[2][col("case_at")], "no clock, no case time")
	require.Equal(t, "7", rows[2][col("seq")])
	require.Equal(t, `{"timer_id":"1"}`, rows[2][col("data")])
}

func payloads(t *testing.T, v any) *commonpb.Payloads {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayloads(v)
	require.NoError(t, err)
	return p
}

func TestRunEntries(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := casetime.Clock{Scale: 86400, RealEpoch: t0, CaseEpoch: t0}
	ev := func(id int64, at time.Time, typ enumspb.EventType) *historypb.HistoryEvent {
		return &historypb.HistoryEvent{EventId: id, EventTime: timestamppb.New(at), EventType: typ}
	}
	started := ev(1, t0, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
	started.Attributes = &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
		WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
			Identity: "api@host", OriginalExecutionRunId: "run-1",
			Input: payloads(t, map[string]any{"delegated_by": casefile.Actor{Subject: "judge-li", Role: casefile.RoleCourt}}),
		}}
	scheduled := ev(2, t0, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
	scheduled.Attributes = &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{
		ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{ActivityType: &commonpb.ActivityType{Name: "RecordSteps"}}}
	completed := ev(3, t0, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
	timer := ev(4, t0.Add(time.Second), enumspb.EVENT_TYPE_TIMER_STARTED)
	timer.Attributes = &historypb.HistoryEvent_TimerStartedEventAttributes{TimerStartedEventAttributes: &historypb.TimerStartedEventAttributes{
		TimerId: "9", StartToFireTimeout: durationpb.New(30 * time.Second)}}
	update := ev(5, t0.Add(2*time.Second), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
	update.Attributes = &historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes{
		WorkflowExecutionUpdateAcceptedEventAttributes: &historypb.WorkflowExecutionUpdateAcceptedEventAttributes{
			AcceptedRequest: &updatepb.Request{
				Meta:  &updatepb.Meta{UpdateId: "extend-deadline:k1", Identity: "api@host"},
				Input: &updatepb.Input{Name: "extend-deadline", Args: payloads(t, map[string]any{"reason": "双方同意", "actor": casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator}})},
			}}}
	canceled := ev(6, t0.Add(2*time.Second), enumspb.EVENT_TYPE_TIMER_CANCELED)
	canceled.Attributes = &historypb.HistoryEvent_TimerCanceledEventAttributes{TimerCanceledEventAttributes: &historypb.TimerCanceledEventAttributes{TimerId: "9", StartedEventId: 4}}
	done := ev(7, t0.Add(3*time.Second), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
	done.Attributes = &historypb.HistoryEvent_WorkflowExecutionUpdateCompletedEventAttributes{
		WorkflowExecutionUpdateCompletedEventAttributes: &historypb.WorkflowExecutionUpdateCompletedEventAttributes{
			Meta: &updatepb.Meta{UpdateId: "extend-deadline:k1"}, AcceptedEventId: 5}}

	r := workflowRun{WorkflowID: "case/c1/mediation", RunID: "run-1", Events: []*historypb.HistoryEvent{started, scheduled, completed, timer, update, canceled, done}}
	got := runEntries(r, clock)

	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []string{"workflow_started", "timer_started", "update_accepted", "timer_canceled", "update_completed"}, kinds,
		"activity events are left out")
	require.Equal(t, casefile.Actor{Subject: "judge-li", Role: casefile.RoleCourt}, got[0].Actor, "the starter is the actor the input names")
	require.Equal(t, casefile.System, got[1].Actor)
	require.Equal(t, casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator}, got[2].Actor)
	require.Equal(t, "双方同意", got[2].Reason)
	require.Equal(t, "extend-deadline", got[4].Data.(map[string]any)["name"], "the completion names the update it accepted")

	data := got[1].Data.(map[string]any)
	firesAt := t0.Add(31 * time.Second)
	require.Equal(t, firesAt, data["fires_at"])
	// 31 real seconds at 86400 are 31 case days.
	require.Equal(t, t0.AddDate(0, 0, 31), data["fires_case_at"])
	require.Equal(t, policy.DateOf(t0.AddDate(0, 0, 31)), data["fires_case_on"])
	require.Equal(t, t0.Add(24*time.Hour), got[1].CaseAt, "one real second is a case day")

	noClock := runEntries(r, casetime.Clock{})
	require.True(t, noClock[1].CaseAt.IsZero(), "without a valid clock there is no case time")
	require.NotContains(t, noClock[1].Data.(map[string]any), "fires_case_at")
}

func TestMergeTimelineOrder(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	stored := []db.TimelineEntry{
		{Event: casefile.Event{Stream: "mediation", Seq: 1, Kind: "delegated", RealAt: t0.Add(time.Second)}},
		{Event: casefile.Event{Stream: "mediation", Seq: 2, Kind: "agreement_reached", RealAt: t0.Add(3 * time.Second)}},
	}
	ev := func(id int64, at time.Time, typ enumspb.EventType) *historypb.HistoryEvent {
		return &historypb.HistoryEvent{EventId: id, EventTime: timestamppb.New(at), EventType: typ}
	}
	runs := []workflowRun{{WorkflowID: "w", Events: []*historypb.HistoryEvent{
		ev(1, t0, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
		ev(5, t0.Add(3*time.Second), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
		ev(3, t0.Add(2*time.Second), enumspb.EVENT_TYPE_TIMER_FIRED),
	}}}
	got := mergeTimeline(stored, runs, casetime.Clock{})
	var order []string
	for _, e := range got {
		order = append(order, e.Source+":"+e.Kind)
	}
	require.Equal(t, []string{
		"workflow:workflow_started", "case:delegated", "workflow:timer_fired",
		"case:agreement_reached", "workflow:workflow_completed",
	}, order, "by real time, then source")
}

func TestCompareRecorded(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	step := func(seq int, reason string) casefile.Event {
		return casefile.Event{CaseID: "c1", Stream: "mediation", Seq: seq, Kind: "k", RealAt: t0, CaseAt: t0,
			CaseOn: policy.DateOf(t0), Reason: reason, Data: json.RawMessage(`{"b": 1, "a": 2}`)}
	}
	stored := func(e casefile.Event) db.TimelineEntry {
		// What comes back from PostgreSQL: microseconds, jsonb key order.
		e.RealAt, e.CaseAt = e.RealAt.Truncate(time.Microsecond), e.CaseAt.Truncate(time.Microsecond)
		e.Data = json.RawMessage(`{"a": 2, "b": 1}`)
		return db.TimelineEntry{Event: e}
	}
	recorded := []casefile.Event{step(1, "r1"), step(2, "r2"), step(3, "r3")}
	tests := []struct {
		name   string
		stored []db.TimelineEntry
		want   []VerifyBreak
	}{
		{"Intact", []db.TimelineEntry{stored(step(1, "r1")), stored(step(2, "r2")), stored(step(3, "r3"))}, nil},
		{"Edited", []db.TimelineEntry{stored(step(1, "r1")), stored(step(2, "edited")), stored(step(3, "r3"))},
			[]VerifyBreak{{Stream: "mediation", Seq: 2, Check: "history", Why: "the stored step differs from the one the workflow recorded"}}},
		{"LastDeleted", []db.TimelineEntry{stored(step(1, "r1")), stored(step(2, "r2"))},
			[]VerifyBreak{{Stream: "mediation", Seq: 3, Check: "history", Why: "the workflow recorded this step and it is not stored"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compareRecorded(tt.stored, recorded)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestTimelineRoutesRegister(t *testing.T) {
	_, api := New(&Server{})
	doc := api.OpenAPI()
	for _, path := range []string{"/cases/{id}/timeline", "/cases/{id}/timeline.csv", "/cases/{id}/timeline/verify"} {
		require.NotNil(t, doc.Paths[path], "got no path %s", path)
		require.NotNil(t, doc.Paths[path].Get, "got no GET %s", path)
	}
	csvOK := doc.Paths["/cases/{id}/timeline.csv"].Get.Responses["200"]
	require.Contains(t, csvOK.Content, csvContentType)
	require.True(t, strings.HasPrefix(csvContentType, "text/csv"))
}
