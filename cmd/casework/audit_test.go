package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/casetime"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/stacktest"
	"github.com/casework/casework/internal/tamper"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

var (
	stack *stacktest.Stack
	key   = audit.RandomKey()
	store *db.Store
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	stack, err = stacktest.Start(context.Background(), false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmd tests:", err)
		return 1
	}
	defer stack.Stop()
	store = db.NewStore(stack.Pool, key)
	return m.Run()
}

var caseSeq atomic.Int64

// archivedCase records a mediation case of three steps in two batches
// straight into the store, as a case whose workflow history Temporal no
// longer keeps, and returns its summary after each batch.
func archivedCase(t *testing.T) (first, last casefile.Summary) {
	t.Helper()
	n := caseSeq.Add(1)
	// An ID as the API issues them, so the API can be asked about it too.
	id := workflows.CaseID(fmt.Sprintf("（2026）黔2301民调%d-%d号", time.Now().UnixNano(), n))
	now := time.Now().UTC()
	clock := casetime.Clock{Scale: 1, RealEpoch: now, CaseEpoch: now}
	sum := casefile.Summary{
		ID: id, CaseNumber: fmt.Sprintf("（2026）黔2301民诉前调9%d号", n), Process: casefile.ProcessMediation,
		WorkflowID: "case/" + id + "/mediation", Court: "兴义市人民法院", Jurisdiction: "CN-52",
		Mediator: "mediator-wang", Parties: []string{"zhang-san", "xx-construction"},
		Stage: "mediating", Status: casefile.StatusOpen, Clock: clock, OpenedOn: policy.DateOf(now), OpenedAt: now, LastSeq: 1,
	}
	step := func(seq int, kind string, actor casefile.Actor) casefile.Event {
		at := now.Add(time.Duration(seq) * time.Second)
		return casefile.Event{CaseID: id, Stream: "mediation", Seq: seq, Kind: kind, Actor: actor,
			RealAt: at, CaseAt: at, CaseOn: policy.DateOf(at), Reason: "archived"}
	}
	judge := casefile.Actor{Subject: "judge-li", Role: casefile.RoleCourt}
	med := casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator}
	first = sum
	require.NoError(t, store.RecordSteps(t.Context(), &first, []casefile.Event{step(1, "delegated", judge)}))
	last = sum
	last.Stage, last.Status, last.Outcome, last.LastSeq = "agreement_reached", casefile.StatusClosed, "agreed", 3
	require.NoError(t, store.RecordSteps(t.Context(), &last, []casefile.Event{
		step(2, "deadline_extended", med), step(3, "agreement_reached", med)}))
	return first, last
}

// verifyOne runs casework audit verify on one case, with the anchor file
// when one is given, and returns its output and whether it said intact.
func verifyOne(t *testing.T, id, anchors string) (string, api.VerifyBody) {
	t.Helper()
	var out bytes.Buffer
	srv := &api.Server{Store: store}
	cliErr := verifyCases(t.Context(), srv, key, id, anchors, &out)
	if cliErr != nil {
		require.ErrorIs(t, cliErr, errNotIntact, "output: %s", out.String())
	}
	c, err := store.Case(t.Context(), id)
	require.NoError(t, err)
	var hs []audit.Head
	if anchors != "" {
		b, err := os.ReadFile(anchors)
		require.NoError(t, err)
		a, err := key.ReadAnchors(b)
		require.NoError(t, err)
		for _, h := range a.Heads {
			if h.CaseID == id {
				hs = append(hs, h)
			}
		}
	}
	v, err := srv.VerifyCase(t.Context(), c, hs)
	require.NoError(t, err)
	require.Equal(t, v.State == api.VerifyIntact, cliErr == nil, "the command fails unless the case is intact")
	return out.String(), v
}

func anchor(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "anchors.json")
	var out bytes.Buffer
	require.NoError(t, writeAnchors(t.Context(), store, key, file, &out))
	return file
}

func TestAuditVerifyWithoutHistory(t *testing.T) {
	_, sum := archivedCase(t)
	id := sum.ID

	// Without history or anchors nothing is broken, but a deleted last
	// step would not show: unverifiable, never intact.
	out, v := verifyOne(t, id, "")
	require.Equal(t, api.VerifyUnverifiable, v.State, "output: %s", out)
	require.False(t, v.Intact)
	require.Empty(t, v.Breaks)
	require.Contains(t, out, "unverifiable "+id)

	// An anchor file holds the head: intact.
	file := anchor(t)
	out, v = verifyOne(t, id, file)
	require.Equal(t, api.VerifyIntact, v.State, "output: %s", out)
	require.Contains(t, out, "intact "+id)
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name string
		// tamper changes the case; it may use the summaries recorded.
		tamper func(t *testing.T, first, last casefile.Summary)
		want   []string // checks that must report a break
	}{
		{"ForgedAppendUnkeyed", func(t *testing.T, _, last casefile.Summary) {
			_, err := tamper.ForgeAppend(t.Context(), stack.Pool, last.ID, "mediation", "agreement_reached", audit.ChainSHA256)
			require.NoError(t, err)
		}, []string{"chain"}},
		{"ForgedAppendClaimingKeyed", func(t *testing.T, _, last casefile.Summary) {
			_, err := tamper.ForgeAppend(t.Context(), stack.Pool, last.ID, "mediation", "agreement_reached", audit.ChainHMAC)
			require.NoError(t, err)
		}, []string{"chain"}},
		{"EditRechainedSHA256", func(t *testing.T, _, last casefile.Summary) {
			require.NoError(t, tamper.Rechain(t.Context(), stack.Pool, last.ID, "mediation", 2, audit.Key{}, false))
		}, []string{"chain", "anchor"}},
		{"EditRechainedWithAnotherKey", func(t *testing.T, _, last casefile.Summary) {
			require.NoError(t, tamper.Rechain(t.Context(), stack.Pool, last.ID, "mediation", 2, audit.RandomKey(), false))
		}, []string{"chain", "anchor"}},
		{"PartyAdded", func(t *testing.T, _, last casefile.Summary) {
			require.NoError(t, tamper.AddParty(t.Context(), stack.Pool, last.ID, "li-si"))
		}, []string{"summary"}},
		{"JurisdictionMoved", func(t *testing.T, _, last casefile.Summary) {
			require.NoError(t, tamper.MoveJurisdiction(t.Context(), stack.Pool, last.ID, "CN-11"))
		}, []string{"summary"}},
		{"LastStepDeleted", func(t *testing.T, _, last casefile.Summary) {
			_, err := tamper.DeleteLast(t.Context(), stack.Pool, last.ID, "mediation")
			require.NoError(t, err)
		}, []string{"anchor", "summary"}},
		// The summary rolled back with the deleted step: only the anchor
		// shows it.
		{"LastStepDeletedSummaryRolledBack", func(t *testing.T, first, last casefile.Summary) {
			_, err := tamper.DeleteLast(t.Context(), stack.Pool, last.ID, "mediation")
			require.NoError(t, err)
			_, err = tamper.DeleteLast(t.Context(), stack.Pool, last.ID, "mediation")
			require.NoError(t, err)
			_, err = stack.Pool.Exec(t.Context(), "UPDATE cases SET stage = $2, status = $3, outcome = '', last_seq = 1 WHERE id = $1",
				last.ID, first.Stage, first.Status)
			require.NoError(t, err)
		}, []string{"anchor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, last := archivedCase(t)
			file := anchor(t)
			tt.tamper(t, first, last)

			out, v := verifyOne(t, last.ID, file)
			require.Equal(t, api.VerifyBroken, v.State, "output: %s", out)
			require.Contains(t, out, "broken "+last.ID)
			var checks []string
			for _, b := range v.Breaks {
				checks = append(checks, b.Check)
			}
			require.ElementsMatch(t, tt.want, checks, "breaks: %v", v.Breaks)

			// Without the anchor file it is still never intact.
			out, v = verifyOne(t, last.ID, "")
			require.NotEqual(t, api.VerifyIntact, v.State, "output: %s", out)
		})
	}
}

// TestAuditVerifyDowngradedToUnkeyed is a forger who passes an edited
// stream off as one stored before the keyed chain: the chain holds as
// SHA-256, so without history it is unverifiable, never intact; the anchor
// file shows it broken.
func TestAuditVerifyDowngradedToUnkeyed(t *testing.T) {
	_, last := archivedCase(t)
	file := anchor(t)
	require.NoError(t, tamper.Rechain(t.Context(), stack.Pool, last.ID, "mediation", 2, audit.Key{}, true))

	out, v := verifyOne(t, last.ID, "")
	require.Equal(t, api.VerifyUnverifiable, v.State, "output: %s", out)
	out, v = verifyOne(t, last.ID, file)
	require.Equal(t, api.VerifyBroken, v.State, "output: %s", out)
}

func TestAuditAnchorFileIsSigned(t *testing.T) {
	archivedCase(t)
	file := anchor(t)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	_, err = key.ReadAnchors(b)
	require.NoError(t, err)
	edited := bytes.Replace(b, []byte(`"seq": `), []byte(`"seq": 9`), 1)
	_, err = key.ReadAnchors(edited)
	require.ErrorContains(t, err, "signature does not match")
	_, err = audit.RandomKey().ReadAnchors(b)
	require.ErrorContains(t, err, "signature does not match")
}

// TestAuditVerifyUnkeyedSteps is a case recorded before the keyed chain:
// its steps carry the old SHA-256 chain. Recording goes on, keyed, from
// its last hash; verification finds nothing broken but says the old steps
// are unverifiable without the workflow history, never intact.
func TestAuditVerifyUnkeyedSteps(t *testing.T) {
	_, last := archivedCase(t)
	id := last.ID
	// Rewrite the stored steps as the code before the keyed chain did.
	require.NoError(t, tamper.Rechain(t.Context(), stack.Pool, id, "mediation", 0, audit.Key{}, true))
	next := last
	next.Stage, next.LastSeq = "followed_up", 4
	at := time.Now().UTC().Add(10 * time.Second)
	require.NoError(t, store.RecordSteps(t.Context(), &next, []casefile.Event{{CaseID: id, Stream: "mediation", Seq: 4,
		Kind: "follow_up", Actor: casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator},
		RealAt: at, CaseAt: at, CaseOn: policy.DateOf(at)}}))

	out, v := verifyOne(t, id, anchor(t))
	require.Empty(t, v.Breaks, "output: %s", out)
	require.Equal(t, api.VerifyUnverifiable, v.State)
	var unkeyed []int
	for _, u := range v.Unverified {
		if u.Check == "chain" {
			unkeyed = append(unkeyed, u.Seq)
		}
	}
	require.Equal(t, []int{1, 2, 3}, unkeyed, "unverified: %v", v.Unverified)
}

// TestAnchorDirectoryShowsADeletedStepToTheAPIAndTheCommand: the worker's
// anchor directory (written as casework audit anchor -dir does) lets both
// the API's verify and casework audit verify -anchors DIR see a last step
// deleted with the summary rolled back to match — which neither the chain
// nor the summary digest can show once the workflow history is gone. A
// planted file in the directory is reported, not trusted.
func TestAnchorDirectoryShowsADeletedStepToTheAPIAndTheCommand(t *testing.T) {
	first, last := archivedCase(t)
	dir := audit.NewAnchorDir(filepath.Join(t.TempDir(), "anchors"), key)
	_, n, err := anchorOnce(t.Context(), store, dir)
	require.NoError(t, err)
	require.Positive(t, n)

	keys, err := auth.NewKeys([]byte(audit.GenerateKey()))
	require.NoError(t, err)
	h, _ := api.New(&api.Server{Store: store, Keys: keys, Anchors: dir})
	srv := httptest.NewServer(h)
	defer srv.Close()
	verify := func() api.VerifyBody {
		tok, err := keys.Mint(auth.Principal{Subject: "auditor-chen", Role: casefile.RoleAuditor, Jurisdiction: "CN-52"}, time.Hour)
		require.NoError(t, err)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/cases/"+last.ID+"/timeline/verify", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		var v api.VerifyBody
		require.NoError(t, json.NewDecoder(res.Body).Decode(&v))
		return v
	}
	require.Equal(t, api.VerifyIntact, verify().State, "the anchor holds the head the history cannot")

	for range 2 {
		_, err = tamper.DeleteLast(t.Context(), stack.Pool, last.ID, "mediation")
		require.NoError(t, err)
	}
	_, err = stack.Pool.Exec(t.Context(), "UPDATE cases SET stage = $2, status = $3, outcome = '', last_seq = 1 WHERE id = $1",
		last.ID, first.Stage, first.Status)
	require.NoError(t, err)
	// The next scheduled anchor holds the shortened stream; the earlier
	// file still shows what went missing.
	_, _, err = anchorOnce(t.Context(), store, dir)
	require.NoError(t, err)

	v := verify()
	require.Equal(t, api.VerifyBroken, v.State, "breaks: %v", v.Breaks)
	require.Equal(t, "anchor", v.Breaks[0].Check)
	var out bytes.Buffer
	require.ErrorIs(t, verifyCases(t.Context(), &api.Server{Store: store}, key, last.ID, dir.Dir(), &out), errNotIntact)
	require.Contains(t, out.String(), "broken "+last.ID)

	require.NoError(t, os.WriteFile(filepath.Join(dir.Dir(), "anchors-planted.json"), []byte(`{"format":"casework-anchors/1"}`), 0o644))
	v = verify()
	require.Contains(t, fmt.Sprint(v.Unverified), "anchors-planted.json")
	out.Reset()
	require.ErrorContains(t, verifyCases(t.Context(), &api.Server{Store: store}, key, last.ID, dir.Dir(), &out), "invalid anchor files")
}
