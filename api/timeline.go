package api

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// The auditor's timeline of a case (一案一档) merges two records: the steps
// the case's processes stored in the read model, hash-chained per stream,
// and the Temporal history of the case's workflows, which shows what the
// processes waited for (timers), what reached them (signals, updates) and
// how their runs chained. The stored steps say who did what and why; the
// history says when the machinery moved.

// Sources of timeline entries.
const (
	SourceCase     = "case"
	SourceWorkflow = "workflow"
)

// States of the workflow history behind a timeline.
const (
	HistoryComplete = "complete"
	// HistoryPartial means some runs or child workflows are past Temporal's
	// retention; the stored steps are all there.
	HistoryPartial = "partial"
	// HistoryUnavailable means Temporal keeps no history of the case any
	// more; the timeline is the stored steps alone.
	HistoryUnavailable = "unavailable"
)

// AuditEntry is one line of a case's timeline: a stored step (source
// case) or an event of one of its workflows (source workflow).
type AuditEntry struct {
	// CaseID is the case the entry belongs to: the case asked for, or a
	// case linked to it (its enforcement).
	CaseID string `json:"case_id"`
	Source string `json:"source" enum:"case,workflow"`
	// Stream is the process that stored a step, or the workflow ID of a
	// workflow event.
	Stream string `json:"stream"`
	RunID  string `json:"run_id,omitempty" doc:"The workflow run of a workflow event"`
	// Seq is the step's number in its stream, or the event's ID in its run.
	Seq        int64          `json:"seq"`
	Kind       string         `json:"kind"`
	Actor      casefile.Actor `json:"actor"`
	RealAt     time.Time      `json:"real_at"`
	CaseAt     time.Time      `json:"case_at,omitzero"`
	CaseOn     policy.Date    `json:"case_on,omitzero"`
	Reason     string         `json:"reason,omitempty"`
	ReasonCode string         `json:"reason_code,omitempty"`
	Data       any            `json:"data,omitempty"`
	PrevHash   string         `json:"prev_hash,omitempty" doc:"Hex link to the previous step of the stream (stored steps only)"`
	Hash       string         `json:"hash,omitempty" doc:"Hex HMAC-SHA256 under the audit key chaining this step to the previous one (SHA-256 for steps stored before the keyed chain; stored steps only)"`
}

// TimelineBody is a case's merged timeline.
type TimelineBody struct {
	CaseID          string       `json:"case_id"`
	WorkflowHistory string       `json:"workflow_history" enum:"complete,partial,unavailable"`
	Timeline        []AuditEntry `json:"timeline" doc:"Stored steps and workflow events, by real time, then source, then number"`
	// Entries are the stored steps as the read model keeps them, the input
	// of verification; clients written before the merged timeline read them.
	Entries []db.TimelineEntry `json:"entries" doc:"The stored steps alone, with their hash chain links"`
	// Linked are the cases opened on this case's title (its enforcement)
	// that the caller may read; their entries are in Timeline too.
	Linked []LinkedCase `json:"linked,omitempty"`
}

// LinkedCase is a case whose steps a timeline includes besides its own.
type LinkedCase struct {
	CaseID          string           `json:"case_id"`
	CaseNumber      string           `json:"case_number"`
	Process         casefile.Process `json:"process"`
	WorkflowHistory string           `json:"workflow_history" enum:"complete,partial,unavailable"`
}

type timelineOutput struct {
	Body TimelineBody
}

type verifyOutput struct {
	Body VerifyBody
}

type timelineCSVOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// Verification states.
const (
	// VerifyIntact: every check ran and held.
	VerifyIntact = "intact"
	// VerifyBroken: some check failed (see breaks).
	VerifyBroken = "broken"
	// VerifyUnverifiable: nothing failed, but something could not be
	// checked (see unverified): the workflow history is gone and no anchor
	// vouches for a stream's head, or a step or summary predates the keyed
	// chain. It is never reported as intact.
	VerifyUnverifiable = "unverifiable"
)

// VerifyBody is the result of checking a case's stored steps.
type VerifyBody struct {
	CaseID     string       `json:"case_id"`
	VerifiedAt time.Time    `json:"verified_at"`
	Entries    int          `json:"entries" doc:"Stored steps checked"`
	Streams    []StreamHead `json:"streams"`
	State      string       `json:"state" enum:"intact,broken,unverifiable"`
	// Intact is State == intact.
	Intact     bool          `json:"intact"`
	Breaks     []VerifyBreak `json:"breaks"`
	Unverified []VerifyBreak `json:"unverified" doc:"What could not be checked, and why"`
	History    HistoryCheck  `json:"history"`
}

// StreamHead is one stream's chain: how many steps and the hash of its
// last, which an auditor can note down and compare later.
type StreamHead struct {
	Stream string `json:"stream"`
	Steps  int    `json:"steps"`
	Head   string `json:"head" doc:"Hex hash of the stream's last step"`
}

// VerifyBreak is a stored step that fails a check: the keyed chain, the
// comparison with the workflow history (both ways), the case summary
// against the digest chained with its step, or an anchor file. In
// unverified, it is what could not be checked.
type VerifyBreak struct {
	Stream string `json:"stream"`
	Seq    int    `json:"seq"`
	Check  string `json:"check" enum:"chain,history,summary,anchor,list"`
	Why    string `json:"why"`
}

// HistoryCheck says how far the stored steps could be compared with the
// workflow history. The chain alone cannot show a deleted last step; the
// history, while Temporal keeps it, shows it, and so does an anchor file.
type HistoryCheck struct {
	State string `json:"state" enum:"complete,partial,unavailable"`
	Steps int    `json:"steps" doc:"Steps the workflows recorded that were compared"`
}

func (s *Server) registerTimeline(api huma.API) {
	op := operation("get-case-timeline", http.MethodGet, "/cases/{id}/timeline",
		"Read the auditor's timeline of a case: every step (who, when in real and case time, why) "+
			"merged with its workflows' history (timers, signals, updates, runs)", access{Roles: everyone, Case: readCase})
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusServiceUnavailable)
	huma.Register(api, op, s.getTimeline)

	op = operation("download-case-timeline-csv", http.MethodGet, "/cases/{id}/timeline.csv",
		"Download the timeline of a case as CSV", access{Roles: everyone, Case: readCase})
	op.Description = "The merged timeline as RFC 4180 CSV with a header row, UTF-8 with a byte order mark. " +
		"Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are prefixed with '; " +
		"the stored steps and the JSON timeline keep the text verbatim."
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusServiceUnavailable)
	op.Responses = map[string]*huma.Response{
		"200": {Description: "The timeline as CSV", Content: map[string]*huma.MediaType{
			csvContentType: {Schema: &huma.Schema{Type: huma.TypeString}},
		}},
	}
	huma.Register(api, op, s.getTimelineCSV)

	op = operation("verify-case-timeline", http.MethodGet, "/cases/{id}/timeline/verify",
		"Verify a case's audit trail: the keyed chain of every stream, the case summary against the digest chained with it, "+
			"and the stored steps against the workflow history both ways",
		access{Roles: everyone, Case: readCase})
	op.Description = "state is intact only when every check ran and held; broken lists the breaks; unverifiable lists what could not be " +
		"checked (without the workflow history a deleted last step would not show; casework audit verify -anchors checks stream heads " +
		"against a signed anchor file). " + op.Description
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusServiceUnavailable)
	huma.Register(api, op, s.verifyTimeline)
}

func (s *Server) getTimeline(ctx context.Context, _ *caseIDInput) (*timelineOutput, error) {
	body, err := s.timeline(ctx, caseFrom(ctx))
	if err != nil {
		return nil, err
	}
	return &timelineOutput{Body: body}, nil
}

const csvContentType = "text/csv; charset=utf-8; header=present"

func (s *Server) getTimelineCSV(ctx context.Context, _ *caseIDInput) (*timelineCSVOutput, error) {
	c := caseFrom(ctx)
	body, err := s.timeline(ctx, c)
	if err != nil {
		return nil, err
	}
	b, err := timelineCSV(body.Timeline)
	if err != nil {
		return nil, s.problem(ctx, "write timeline", err)
	}
	return &timelineCSVOutput{
		ContentType: csvContentType,
		// Case IDs are lower-case base32, safe in a header unquoted.
		ContentDisposition: `attachment; filename="case-` + c.ID + `-timeline.csv"`,
		Body:               b,
	}, nil
}

func (s *Server) verifyTimeline(ctx context.Context, _ *caseIDInput) (*verifyOutput, error) {
	c := caseFrom(ctx)
	var heads []audit.Head
	var bad []error
	if s.Anchors != nil {
		var err error
		if heads, bad, err = s.Anchors.Heads(c.ID); err != nil {
			return nil, s.problem(ctx, "read anchor files", err)
		}
	}
	body, err := s.VerifyCase(ctx, c, heads)
	if err != nil {
		return nil, s.problem(ctx, "verify timeline", err)
	}
	// A file in the anchor directory that is not a valid anchor was edited
	// or put there: what it claims is not trusted, and the answer says so.
	for _, e := range bad {
		body.Unverified = append(body.Unverified, VerifyBreak{Check: "anchor", Why: "anchor file " + e.Error()})
	}
	if len(bad) > 0 && body.State == VerifyIntact {
		body.State, body.Intact = VerifyUnverifiable, false
	}
	return &verifyOutput{Body: body}, nil
}

// VerifyCase checks case c: every stream's keyed chain; the case summary
// against the digest chained with its step; every step the workflows
// recorded against the store and every stored step against what the
// workflows handed over to be recorded; and, when anchors (heads from an
// anchor file) are given, that each anchored step is still stored as it
// was. The API's verify endpoint and casework audit verify both call it.
func (s *Server) VerifyCase(ctx context.Context, c casefile.Summary, anchors []audit.Head) (VerifyBody, error) {
	// The history is read first: a step it shows recorded was stored before
	// the history said so, so the steps read next include it even while the
	// case moves on. A step stored after the history was read is looked for
	// in a second read.
	var (
		runs    []workflowRun
		state   string
		rec     recorded
		entries []db.TimelineEntry
	)
	for attempt := 0; attempt < 2; attempt++ {
		var err error
		if runs, state, err = s.caseHistory(ctx, c); err != nil {
			return VerifyBody{}, fmt.Errorf("read workflow history: %w", err)
		}
		if rec, err = recordedSteps(runs); err != nil {
			return VerifyBody{}, fmt.Errorf("read workflow history: %w", err)
		}
		if attempt == 0 {
			if entries, err = s.Store.Timeline(ctx, c.ID); err != nil {
				return VerifyBody{}, fmt.Errorf("read timeline: %w", err)
			}
		}
		if state != HistoryComplete || !rec.missesSome(entries) {
			break
		}
	}

	out := VerifyBody{
		CaseID: c.ID, VerifiedAt: time.Now().UTC(), Entries: len(entries), Streams: streamHeads(entries),
		Breaks: []VerifyBreak{}, Unverified: []VerifyBreak{}, History: HistoryCheck{State: state, Steps: len(rec.completed)},
	}
	chainBreaks, err := s.Store.VerifyChain(c.ID, entries)
	if err != nil {
		return VerifyBody{}, err
	}
	for _, b := range chainBreaks {
		out.Breaks = append(out.Breaks, VerifyBreak{Stream: b.Stream, Seq: b.Seq, Check: "chain", Why: b.Why})
	}
	sumBreak, why, err := s.Store.VerifySummary(c, entries)
	if err != nil {
		return VerifyBody{}, err
	}
	if sumBreak != nil {
		out.Breaks = append(out.Breaks, VerifyBreak{Stream: sumBreak.Stream, Seq: sumBreak.Seq, Check: "summary", Why: sumBreak.Why})
	}
	if why != "" {
		out.Unverified = append(out.Unverified, VerifyBreak{Check: "summary", Why: why})
	}
	listBreaks, err := s.stagedListBreaks(ctx, entries)
	if err != nil {
		return VerifyBody{}, err
	}
	out.Breaks = append(out.Breaks, listBreaks...)
	historyBreaks, err := compareRecorded(entries, rec.completed)
	if err != nil {
		return VerifyBody{}, err
	}
	out.Breaks = append(out.Breaks, historyBreaks...)
	anchored := anchoredHeads(entries, anchors, &out)
	out.Breaks = append(out.Breaks, storedAgainstHistory(entries, rec, state)...)
	out.Unverified = append(out.Unverified, unconfirmed(entries, rec, state, anchored)...)

	byPlace := func(a, b VerifyBreak) int {
		return cmp.Or(cmp.Compare(a.Stream, b.Stream), cmp.Compare(a.Seq, b.Seq))
	}
	slices.SortStableFunc(out.Breaks, byPlace)
	slices.SortStableFunc(out.Unverified, byPlace)
	switch {
	case len(out.Breaks) > 0:
		out.State = VerifyBroken
	case len(out.Unverified) > 0:
		out.State = VerifyUnverifiable
	default:
		out.State = VerifyIntact
	}
	out.Intact = out.State == VerifyIntact
	return out, nil
}

// stagedListBreaks checks every staged list a step names (a case's party
// list, an enforcement case's applicant list) against the digest the step
// carries: the chain vouches for the digest, the digest for the list, so
// a list edited in the store is a break of the step that names it. A
// list that cannot be read is an error, not a break.
func (s *Server) stagedListBreaks(ctx context.Context, entries []db.TimelineEntry) ([]VerifyBreak, error) {
	var out []VerifyBreak
	for _, e := range entries {
		if len(e.Data) == 0 {
			continue
		}
		var named struct {
			PartyList     *db.PartyList `json:"party_list"`
			ApplicantList *db.WageList  `json:"applicant_list"`
		}
		if err := json.Unmarshal(e.Data, &named); err != nil {
			// Steps of other shapes (a party_list that is not an
			// object) name no list of these kinds.
			continue
		}
		if l := named.PartyList; l != nil && l.ID != "" {
			_, err := s.Store.PartyListMembers(ctx, *l)
			switch {
			case errors.Is(err, db.ErrPartyListAltered):
				out = append(out, VerifyBreak{Stream: e.Stream, Seq: e.Seq, Check: "list", Why: "the party list this step names differs from its digest: " + err.Error()})
			case err != nil:
				return nil, err
			}
		}
		if l := named.ApplicantList; l != nil && l.ID != "" {
			_, err := s.Store.WageListLines(ctx, *l)
			switch {
			case errors.Is(err, db.ErrListChanged):
				out = append(out, VerifyBreak{Stream: e.Stream, Seq: e.Seq, Check: "list", Why: "the applicant list this step names differs from its digest: " + err.Error()})
			case err != nil:
				return nil, err
			}
		}
	}
	return out, nil
}

type stepKey struct {
	stream string
	seq    int
}

// storedAgainstHistory checks the other way round from compareRecorded:
// with the whole history at hand, every stored step must be one the
// workflows handed to the recording activity; a step nobody recorded was
// put there by hand.
func storedAgainstHistory(entries []db.TimelineEntry, rec recorded, state string) []VerifyBreak {
	if state != HistoryComplete {
		return nil
	}
	var out []VerifyBreak
	for _, e := range entries {
		if !rec.handed[stepKey{e.Stream, e.Seq}] {
			out = append(out, VerifyBreak{Stream: e.Stream, Seq: e.Seq, Check: "history",
				Why: "the step is stored but the workflows never recorded it"})
		}
	}
	return out
}

// unconfirmed lists what neither the keyed chain, the history nor an
// anchor can vouch for: a stream's head where the history is gone (a
// deleted last step would not show) and no anchor holds it, and an unkeyed
// step (stored before the keyed chain) the history does not confirm.
func unconfirmed(entries []db.TimelineEntry, rec recorded, state string, anchored map[string]bool) []VerifyBreak {
	var out []VerifyBreak
	for _, h := range streamHeads(entries) {
		// With the whole history, compareRecorded shows any deleted step;
		// with part of it, a stream whose latest run is kept shows it too
		// (older runs pass retention first).
		if state == HistoryComplete || (state == HistoryPartial && rec.streams[h.Stream]) || anchored[h.Stream] {
			continue
		}
		out = append(out, VerifyBreak{Stream: h.Stream, Seq: h.Steps, Check: "history",
			Why: "the workflow history is gone and no anchor holds this stream's head: a deleted last step would not show"})
	}
	for _, e := range entries {
		if e.Chain == audit.ChainSHA256 && !rec.completedKeys[stepKey{e.Stream, e.Seq}] {
			out = append(out, VerifyBreak{Stream: e.Stream, Seq: e.Seq, Check: "chain",
				Why: "the step was stored before the keyed chain and no workflow history confirms it"})
		}
	}
	return out
}

// anchoredHeads checks each anchored step of the case: it must still be
// stored with the hash the anchor file holds. It adds a break for each that
// is not, and returns the streams whose stored head is the anchored one.
func anchoredHeads(entries []db.TimelineEntry, anchors []audit.Head, out *VerifyBody) map[string]bool {
	if len(anchors) == 0 {
		return nil
	}
	stored := make(map[stepKey]db.TimelineEntry, len(entries))
	last := map[string]int{}
	for _, e := range entries {
		stored[stepKey{e.Stream, e.Seq}] = e
		last[e.Stream] = max(last[e.Stream], e.Seq)
	}
	held := map[string]bool{}
	for _, a := range anchors {
		e, ok := stored[stepKey{a.Stream, a.Seq}]
		switch {
		case !ok:
			out.Breaks = append(out.Breaks, VerifyBreak{Stream: a.Stream, Seq: a.Seq, Check: "anchor",
				Why: fmt.Sprintf("the anchor file holds step %d and it is not stored", a.Seq)})
		case hex.EncodeToString(e.Hash) != a.Hash:
			out.Breaks = append(out.Breaks, VerifyBreak{Stream: a.Stream, Seq: a.Seq, Check: "anchor",
				Why: "the stored step differs from the one the anchor file holds"})
		case last[a.Stream] == a.Seq:
			held[a.Stream] = true
		}
	}
	return held
}

// timeline reads a case's stored steps and the history of its workflows
// and merges them, together with those of the cases opened on its title
// that the caller may read, so that a case that went on to enforcement is
// read as one story.
func (s *Server) timeline(ctx context.Context, c casefile.Summary) (TimelineBody, error) {
	stored, entries, state, err := s.caseTimeline(ctx, c)
	if err != nil {
		return TimelineBody{}, err
	}
	body := TimelineBody{CaseID: c.ID, WorkflowHistory: state, Timeline: entries, Entries: stored}
	linked, err := s.Store.LinkedCases(ctx, c.ID)
	if err != nil {
		return TimelineBody{}, s.problem(ctx, "read linked cases", err)
	}
	for _, l := range linked {
		if !mayAccess(principalFrom(ctx), l) {
			continue
		}
		_, more, state, err := s.caseTimeline(ctx, l)
		if err != nil {
			return TimelineBody{}, err
		}
		body.Linked = append(body.Linked, LinkedCase{CaseID: l.ID, CaseNumber: l.CaseNumber, Process: l.Process, WorkflowHistory: state})
		body.Timeline = append(body.Timeline, more...)
	}
	if len(body.Linked) > 0 {
		slices.SortStableFunc(body.Timeline, func(a, b AuditEntry) int { return a.RealAt.Compare(b.RealAt) })
	}
	return body, nil
}

// caseTimeline is one case's stored steps and its merged timeline.
func (s *Server) caseTimeline(ctx context.Context, c casefile.Summary) ([]db.TimelineEntry, []AuditEntry, string, error) {
	stored, err := s.Store.Timeline(ctx, c.ID)
	if err != nil {
		return nil, nil, "", s.problem(ctx, "read timeline", err)
	}
	runs, state, err := s.caseHistory(ctx, c)
	if err != nil {
		return nil, nil, "", s.problem(ctx, "read workflow history", err)
	}
	entries := mergeTimeline(stored, runs, c.Clock)
	for i := range entries {
		entries[i].CaseID = c.ID
	}
	return stored, entries, state, nil
}

// mergeTimeline orders stored steps and workflow events by real time, then
// source, then number; events of one time keep the order they were read in.
func mergeTimeline(stored []db.TimelineEntry, runs []workflowRun, clock casetime.Clock) []AuditEntry {
	out := make([]AuditEntry, 0, len(stored))
	for _, e := range stored {
		te := AuditEntry{
			Source: SourceCase, Stream: e.Stream, Seq: int64(e.Seq), Kind: e.Kind, Actor: e.Actor,
			RealAt: e.RealAt, CaseAt: e.CaseAt, CaseOn: e.CaseOn, Reason: e.Reason, ReasonCode: e.ReasonCode,
			PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash),
		}
		if len(e.Data) > 0 {
			te.Data = e.Data
		}
		out = append(out, te)
	}
	for _, r := range runs {
		out = append(out, runEntries(r, clock)...)
	}
	slices.SortStableFunc(out, func(a, b AuditEntry) int {
		return cmp.Or(a.RealAt.Compare(b.RealAt), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Seq, b.Seq))
	})
	return out
}

// workflowRun is the history of one run of one of a case's workflows.
type workflowRun struct {
	WorkflowID string
	RunID      string
	Events     []*historypb.HistoryEvent
}

// caseHistory reads every run of the case's workflow and of its child
// workflows. A workflow Temporal no longer keeps makes the history partial
// or, if it is the case's own, unavailable; it is not an error.
func (s *Server) caseHistory(ctx context.Context, c casefile.Summary) ([]workflowRun, string, error) {
	if c.WorkflowID == "" {
		return nil, HistoryUnavailable, nil
	}
	runs, complete, err := s.workflowChain(ctx, c.WorkflowID)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, HistoryUnavailable, nil
	}
	if err != nil {
		return nil, "", err
	}
	childPrefix := "case/" + c.ID + "/"
	seen := map[string]bool{c.WorkflowID: true}
	// runs grows as children are found, so grandchildren are read too.
	for i := 0; i < len(runs); i++ {
		for _, ev := range runs[i].Events {
			a := ev.GetChildWorkflowExecutionStartedEventAttributes()
			if a == nil {
				continue
			}
			id := a.GetWorkflowExecution().GetWorkflowId()
			if !strings.HasPrefix(id, childPrefix) || seen[id] {
				continue
			}
			seen[id] = true
			child, childComplete, err := s.workflowChain(ctx, id)
			if errors.As(err, &notFound) {
				complete = false
				continue
			}
			if err != nil {
				return nil, "", err
			}
			complete = complete && childComplete
			runs = append(runs, child...)
		}
	}
	if !complete {
		return runs, HistoryPartial, nil
	}
	return runs, HistoryComplete, nil
}

// workflowChain reads every run of workflow id, first to last, walking back
// from the latest run through the runs it continued as new from. Older runs
// pass retention first, so when one is gone the walk stops there and
// reports the chain incomplete.
func (s *Server) workflowChain(ctx context.Context, id string) ([]workflowRun, bool, error) {
	latest, err := s.readRun(ctx, id, "")
	if err != nil {
		return nil, false, err
	}
	runs := []workflowRun{latest}
	complete := true
	for prev := continuedFrom(latest); prev != ""; prev = continuedFrom(runs[len(runs)-1]) {
		r, err := s.readRun(ctx, id, prev)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			complete = false
			break
		}
		if err != nil {
			return nil, false, err
		}
		runs = append(runs, r)
	}
	slices.Reverse(runs)
	return runs, complete, nil
}

// readRun reads the history of one run (the latest when runID is empty)
// from Temporal or, once Temporal no longer keeps it (or there is no
// Temporal client, as for casework audit verify offline), from the copy the
// worker's exporter kept in the store. It returns Temporal's NotFound when
// neither has it.
func (s *Server) readRun(ctx context.Context, id, runID string) (workflowRun, error) {
	r := workflowRun{WorkflowID: id, RunID: runID}
	var err error
	if s.Temporal == nil {
		err = serviceerror.NewNotFound("no Temporal client")
	} else {
		r.Events, err = temporalHistory(ctx, s.Temporal, id, runID)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		events, kept := s.Store.History(ctx, id, runID)
		if errors.Is(kept, db.ErrNotFound) {
			return workflowRun{}, err
		}
		if kept != nil {
			return workflowRun{}, kept
		}
		r.Events, err = events, nil
	}
	if err != nil {
		return workflowRun{}, err
	}
	if len(r.Events) > 0 {
		if a := r.Events[0].GetWorkflowExecutionStartedEventAttributes(); a != nil && a.GetOriginalExecutionRunId() != "" {
			r.RunID = a.GetOriginalExecutionRunId()
		}
	}
	return r, nil
}

func temporalHistory(ctx context.Context, tc client.Client, id, runID string) ([]*historypb.HistoryEvent, error) {
	it := tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		events = append(events, ev)
	}
	return events, nil
}

// continuedFrom returns the run that r continued as new from, if any.
func continuedFrom(r workflowRun) string {
	if len(r.Events) == 0 {
		return ""
	}
	return r.Events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
}

// runEntries turns the events of one run into timeline entries. Activity
// events are the recording of the steps already listed, and noise, except
// when an activity fails; markers (local activities) and workflow tasks are
// left out likewise. Case times are given when the case clock is known.
func runEntries(r workflowRun, clock casetime.Clock) []AuditEntry {
	hasClock := clock.Validate() == nil
	var out []AuditEntry
	activityTypes := map[int64]string{}
	updateNames := map[string]string{}
	for _, ev := range r.Events {
		at := ev.GetEventTime().AsTime().UTC()
		e := AuditEntry{
			Source: SourceWorkflow, Stream: r.WorkflowID, RunID: r.RunID, Seq: ev.GetEventId(),
			Actor: casefile.System, RealAt: at,
		}
		var data map[string]any
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			a := ev.GetWorkflowExecutionStartedEventAttributes()
			e.Kind = "workflow_started"
			data = map[string]any{"workflow_type": a.GetWorkflowType().GetName(), "identity": a.GetIdentity()}
			if p := a.GetParentWorkflowExecution(); p != nil {
				data["parent_workflow_id"] = p.GetWorkflowId()
			} else if a.GetContinuedExecutionRunId() != "" {
				data["continued_from_run_id"] = a.GetContinuedExecutionRunId()
			} else {
				e.Actor = clientActor(a.GetIdentity(), a.GetInput(), "actor", "delegated_by")
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			e.Kind = "workflow_completed"
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
			e.Kind = "workflow_continued_as_new"
			data = map[string]any{"new_run_id": ev.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
			e.Kind = "workflow_failed"
			data = map[string]any{"failure": ev.GetWorkflowExecutionFailedEventAttributes().GetFailure().GetMessage()}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
			e.Kind = "workflow_timed_out"
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
			a := ev.GetWorkflowExecutionTerminatedEventAttributes()
			e.Kind, e.Reason = "workflow_terminated", a.GetReason()
			e.Actor = casefile.Actor{Subject: a.GetIdentity()}
			data = map[string]any{"identity": a.GetIdentity()}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
			a := ev.GetWorkflowExecutionCancelRequestedEventAttributes()
			e.Kind, e.Reason = "workflow_cancel_requested", a.GetCause()
			e.Actor = casefile.Actor{Subject: a.GetIdentity()}
			data = map[string]any{"identity": a.GetIdentity()}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
			e.Kind = "workflow_canceled"

		case enumspb.EVENT_TYPE_TIMER_STARTED:
			a := ev.GetTimerStartedEventAttributes()
			d := a.GetStartToFireTimeout().AsDuration()
			fires := at.Add(d)
			e.Kind = "timer_started"
			data = map[string]any{"timer_id": a.GetTimerId(), "duration": d.String(), "fires_at": fires}
			if hasClock {
				caseFires := clock.CaseTime(fires)
				data["fires_case_at"], data["fires_case_on"] = caseFires, policy.DateOf(caseFires)
			}
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			a := ev.GetTimerFiredEventAttributes()
			e.Kind = "timer_fired"
			data = map[string]any{"timer_id": a.GetTimerId(), "started_event_id": a.GetStartedEventId()}
		case enumspb.EVENT_TYPE_TIMER_CANCELED:
			a := ev.GetTimerCanceledEventAttributes()
			e.Kind = "timer_canceled"
			data = map[string]any{"timer_id": a.GetTimerId(), "started_event_id": a.GetStartedEventId()}

		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			a := ev.GetWorkflowExecutionSignaledEventAttributes()
			e.Kind = "signal_received"
			e.Actor = clientActor(a.GetIdentity(), a.GetInput(), "actor")
			e.Reason = argString(a.GetInput(), "reason")
			data = map[string]any{"name": a.GetSignalName(), "identity": a.GetIdentity()}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			req := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest()
			name, id := req.GetInput().GetName(), req.GetMeta().GetUpdateId()
			updateNames[id] = name
			e.Kind = "update_accepted"
			e.Actor = clientActor(req.GetMeta().GetIdentity(), req.GetInput().GetArgs(), "actor")
			e.Reason = argString(req.GetInput().GetArgs(), "reason")
			data = map[string]any{"name": name, "update_id": id, "identity": req.GetMeta().GetIdentity()}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			a := ev.GetWorkflowExecutionUpdateCompletedEventAttributes()
			id := a.GetMeta().GetUpdateId()
			e.Kind = "update_completed"
			data = map[string]any{"name": updateNames[id], "update_id": id, "accepted_event_id": a.GetAcceptedEventId()}
			if f := a.GetOutcome().GetFailure(); f != nil {
				data["failure"] = f.GetMessage()
			}

		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			activityTypes[ev.GetEventId()] = ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			continue
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			a := ev.GetActivityTaskFailedEventAttributes()
			e.Kind = "activity_failed"
			data = map[string]any{"activity": activityTypes[a.GetScheduledEventId()], "failure": a.GetFailure().GetMessage()}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			a := ev.GetActivityTaskTimedOutEventAttributes()
			e.Kind = "activity_timed_out"
			data = map[string]any{"activity": activityTypes[a.GetScheduledEventId()], "failure": a.GetFailure().GetMessage()}

		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			continue
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
			a := ev.GetChildWorkflowExecutionStartedEventAttributes()
			e.Kind = "child_workflow_started"
			data = map[string]any{"workflow_id": a.GetWorkflowExecution().GetWorkflowId(), "run_id": a.GetWorkflowExecution().GetRunId(),
				"workflow_type": a.GetWorkflowType().GetName()}
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
			a := ev.GetChildWorkflowExecutionCompletedEventAttributes()
			e.Kind = "child_workflow_completed"
			data = map[string]any{"workflow_id": a.GetWorkflowExecution().GetWorkflowId()}
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
			a := ev.GetChildWorkflowExecutionFailedEventAttributes()
			e.Kind = "child_workflow_failed"
			data = map[string]any{"workflow_id": a.GetWorkflowExecution().GetWorkflowId(), "failure": a.GetFailure().GetMessage()}
		default:
			continue
		}
		if hasClock {
			e.CaseAt = clock.CaseTime(at).UTC()
			e.CaseOn = policy.DateOf(e.CaseAt)
		}
		if data != nil {
			e.Data = data
		}
		out = append(out, e)
	}
	return out
}

// clientActor is who sent a workflow a command from outside: the casework
// actor the command carries under one of keys, or else the Temporal client
// identity, which has no casework role.
func clientActor(identity string, p *commonpb.Payloads, keys ...string) casefile.Actor {
	arg := firstArg(p)
	for _, k := range keys {
		var a casefile.Actor
		if raw, ok := arg[k]; ok && json.Unmarshal(raw, &a) == nil && a.Subject != "" {
			return a
		}
	}
	return casefile.Actor{Subject: identity}
}

// argString returns the string field key of a command's first argument.
func argString(p *commonpb.Payloads, key string) string {
	var s string
	if raw, ok := firstArg(p)[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// firstArg decodes the first argument of a command as a JSON object; an
// argument that is not one gives nothing.
func firstArg(p *commonpb.Payloads) map[string]json.RawMessage {
	if len(p.GetPayloads()) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if converter.GetDefaultDataConverter().FromPayload(p.GetPayloads()[0], &m) != nil {
		return nil
	}
	return m
}

// recordStepsActivity is the activity type the journals record steps with.
const recordStepsActivity = "RecordSteps"

// recorded is what the workflows handed to the recording activity.
type recorded struct {
	// completed are the steps whose recording completed, in history order.
	completed     []casefile.Event
	completedKeys map[stepKey]bool
	// handed are the steps handed over, completed or not yet.
	handed map[stepKey]bool
	// streams are the streams with a step in the history.
	streams map[string]bool
}

// missesSome reports whether a stored step is not among those handed over.
func (r recorded) missesSome(entries []db.TimelineEntry) bool {
	for _, e := range entries {
		if !r.handed[stepKey{e.Stream, e.Seq}] {
			return true
		}
	}
	return false
}

// recordedSteps returns every step the workflows handed to the recording
// activity, and those they saw recorded (the activity completed).
func recordedSteps(runs []workflowRun) (recorded, error) {
	out := recorded{completedKeys: map[stepKey]bool{}, handed: map[stepKey]bool{}, streams: map[string]bool{}}
	decode := func(r workflowRun, id int64, in *commonpb.Payloads) ([]casefile.Event, error) {
		if len(in.GetPayloads()) == 0 {
			return nil, nil
		}
		var rec activities.RecordStepsInput
		if err := converter.GetDefaultDataConverter().FromPayload(in.GetPayloads()[0], &rec); err != nil {
			return nil, fmt.Errorf("%s event %d: decode recorded steps: %w", r.WorkflowID, id, err)
		}
		return rec.Events, nil
	}
	for _, r := range runs {
		scheduled := map[int64]*commonpb.Payloads{}
		for _, ev := range r.Events {
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == recordStepsActivity {
				scheduled[ev.GetEventId()] = a.GetInput()
				events, err := decode(r, ev.GetEventId(), a.GetInput())
				if err != nil {
					return recorded{}, err
				}
				for _, e := range events {
					out.handed[stepKey{e.Stream, e.Seq}] = true
					out.streams[e.Stream] = true
				}
				continue
			}
			a := ev.GetActivityTaskCompletedEventAttributes()
			if a == nil {
				continue
			}
			in, ok := scheduled[a.GetScheduledEventId()]
			if !ok {
				continue
			}
			events, err := decode(r, ev.GetEventId(), in)
			if err != nil {
				return recorded{}, err
			}
			for _, e := range events {
				out.completedKeys[stepKey{e.Stream, e.Seq}] = true
			}
			out.completed = append(out.completed, events...)
		}
	}
	return out, nil
}

// compareRecorded checks that every step the workflows recorded is stored
// as they recorded it.
func compareRecorded(stored []db.TimelineEntry, recorded []casefile.Event) ([]VerifyBreak, error) {
	type key = stepKey
	byKey := make(map[key]casefile.Event, len(stored))
	for _, e := range stored {
		byKey[key{e.Stream, e.Seq}] = e.Event
	}
	var breaks []VerifyBreak
	reported := map[key]bool{}
	for _, want := range recorded {
		k := key{want.Stream, want.Seq}
		if reported[k] {
			continue
		}
		got, ok := byKey[k]
		if !ok {
			reported[k] = true
			breaks = append(breaks, VerifyBreak{Stream: k.stream, Seq: k.seq, Check: "history",
				Why: "the workflow recorded this step and it is not stored"})
			continue
		}
		same, err := db.SameStep(got, want)
		if err != nil {
			return nil, err
		}
		if !same {
			reported[k] = true
			breaks = append(breaks, VerifyBreak{Stream: k.stream, Seq: k.seq, Check: "history",
				Why: "the stored step differs from the one the workflow recorded"})
		}
	}
	return breaks, nil
}

// streamHeads summarises each stream's chain in the order streams first
// appear.
func streamHeads(entries []db.TimelineEntry) []StreamHead {
	heads := []StreamHead{}
	at := map[string]int{}
	last := map[string]int{}
	for _, e := range entries {
		i, ok := at[e.Stream]
		if !ok {
			i = len(heads)
			at[e.Stream] = i
			heads = append(heads, StreamHead{Stream: e.Stream})
		}
		heads[i].Steps++
		if e.Seq > last[e.Stream] {
			last[e.Stream] = e.Seq
			heads[i].Head = hex.EncodeToString(e.Hash)
		}
	}
	return heads
}

// timelineColumns is the CSV header row.
var timelineColumns = []string{
	"case_id", "source", "stream", "run_id", "seq", "kind", "actor", "role", "real_at", "case_at", "case_on",
	"reason", "reason_code", "data", "prev_hash", "hash",
}

// timelineCSV writes entries as RFC 4180 CSV. It starts with a UTF-8 byte
// order mark: without it spreadsheet programs read the Chinese text as
// another encoding.
func timelineCSV(entries []AuditEntry) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(timelineColumns); err != nil {
		return nil, err
	}
	for _, e := range entries {
		data := ""
		if e.Data != nil {
			b, err := json.Marshal(e.Data)
			if err != nil {
				return nil, fmt.Errorf("timeline %s %d data: %w", e.Stream, e.Seq, err)
			}
			if string(b) != "null" {
				data = string(b)
			}
		}
		row := []string{
			e.CaseID, e.Source, e.Stream, e.RunID, strconv.FormatInt(e.Seq, 10), e.Kind,
			e.Actor.Subject, string(e.Actor.Role), csvTime(e.RealAt), csvTime(e.CaseAt), csvDate(e.CaseOn),
			e.Reason, e.ReasonCode, data, e.PrevHash, e.Hash,
		}
		for i := range row {
			row[i] = neutralise(row[i])
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func csvDate(d policy.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// neutralise keeps a spreadsheet from running a cell as a formula (CSV
// injection): a cell starting with a character that opens a formula gets a
// leading apostrophe, which spreadsheets show as text. The full-width forms,
// which Chinese input methods type, are treated alike as a precaution.
func neutralise(cell string) string {
	if cell == "" {
		return cell
	}
	switch r, _ := utf8.DecodeRuneInString(cell); r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + cell
	}
	return cell
}
