package workflows

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

var bulkClerk = casefile.Actor{Subject: "mediator-wang", Role: casefile.RoleMediator}

// bulkRow is one row as the fake store holds it.
type bulkRow struct {
	stage      string
	phone      string
	terminated bool
	screened   bool
	preserved  bool
	steps      map[string]int
	stepOn     map[string]policy.Date
}

// bulkHarness runs a batch workflow under time skipping against an
// in-memory store with the semantics of db/bulk.go: a row leaves a stage
// once, and a step of a kind is recorded once.
type bulkHarness struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	rows    []*bulkRow
	updates int
	// loseAnswer makes the first call of each chunk activity fail after
	// it has done its work, as a worker killed before reporting would.
	loseAnswer map[string]bool
}

func newBulkHarness(t *testing.T, rows []*bulkRow) *bulkHarness {
	t.Helper()
	reg, err := policy.Default()
	require.NoError(t, err)
	var ts testsuite.WorkflowTestSuite
	h := &bulkHarness{t: t, env: ts.NewTestWorkflowEnvironment(), rows: rows, loseAnswer: map[string]bool{}}
	for _, r := range rows {
		r.steps, r.stepOn = map[string]int{}, map[string]policy.Date{}
	}
	// 2026-03-10 is a Tuesday.
	h.env.SetStartTime(cst(2026, 3, 10))
	h.env.RegisterActivity(&activities.Policies{Registry: reg})
	rec := &activities.Recorder{}
	h.env.RegisterActivity(rec)
	step := func(r *bulkRow, kind string, on policy.Date) {
		r.steps[kind]++
		if _, ok := r.stepOn[kind]; !ok {
			r.stepOn[kind] = on
		}
	}
	lose := func(name string) error {
		if h.loseAnswer[name] {
			h.loseAnswer[name] = false
			return errors.New("worker killed before reporting")
		}
		return nil
	}
	h.env.OnActivity(rec.BulkScreenChunk, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BulkChunkInput) (int, error) {
			moved := 0
			for _, r := range h.rows {
				if moved == in.Limit || r.stage != "received" {
					continue
				}
				moved++
				r.screened = true
				switch {
				case r.terminated:
					r.stage = RowWrittenOff
					step(r, "write_off_certificate", in.On)
				case r.phone == "":
					r.stage = RowUnreachable
					step(r, "unreachable", in.On)
				default:
					r.stage = RowMediating
				}
				step(r, "screened", in.On)
			}
			return moved, lose("screen")
		})
	h.env.OnActivity(rec.BulkPreserveChunk, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BulkChunkInput) (int, error) {
			moved := 0
			for _, r := range h.rows {
				if moved == in.Limit || !r.screened || r.preserved || (r.stage != RowMediating && r.stage != RowUnreachable) {
					continue
				}
				moved++
				r.preserved = true
				step(r, "preservation", in.On)
				if r.stage == RowMediating {
					step(r, "mediation_notice", in.On)
				}
			}
			return moved, lose("preserve")
		})
	h.env.OnActivity(rec.BulkAdvanceChunk, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BulkChunkInput) (int, error) {
			moved := 0
			for _, r := range h.rows {
				from := false
				for _, f := range in.From {
					from = from || r.stage == f
				}
				if moved == in.Limit || !from {
					continue
				}
				moved++
				r.stage = in.To
				step(r, in.Kind, in.On)
			}
			return moved, lose("advance")
		})
	h.env.OnActivity(rec.BulkRowApply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, c db.BulkRowCommand) (activities.BulkRowResult, error) {
			r := h.rows[c.No-1]
			if r.stage != c.From {
				return activities.BulkRowResult{Stage: r.stage}, nil
			}
			r.stage = c.To
			if c.Kind == "contact_repaired" {
				r.phone = c.Phone
			}
			step(r, c.Kind, c.On)
			return activities.BulkRowResult{Applied: true, Stage: r.stage}, nil
		})
	h.env.OnActivity(rec.BulkProgress, mock.Anything, mock.Anything).Return(
		func(context.Context, string) (db.BulkProgress, error) {
			var p db.BulkProgress
			for _, r := range h.rows {
				p.Total++
				if r.screened {
					p.Screened++
				}
				switch r.stage {
				case RowMediating:
					p.Mediating++
				case RowUnreachable:
					p.Unreachable++
				case RowWrittenOff:
					p.WrittenOff++
				case RowResolved:
					p.Resolved++
				case RowPaymentOrder:
					p.PaymentOrder++
				case RowEffective:
					p.Effective++
				case RowFiled:
					p.Filed++
				}
			}
			p.Done = p.WrittenOff + p.Resolved + p.Effective + p.Filed
			return p, nil
		})
	return h
}

type bulkUpdate struct{ err error }

// at sends a command after d of case time.
func (h *bulkHarness) at(d time.Duration, name string, cmd any) *bulkUpdate {
	u := &bulkUpdate{}
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { u.err = err },
			OnComplete: func(_ any, err error) {
				u.err = err
			},
		}, cmd)
	}, d)
	return u
}

func (h *bulkHarness) run(chunk int) BulkResult {
	h.env.ExecuteWorkflow(Bulk, BulkInput{BatchID: "bt1", Jurisdiction: "CN", Rows: len(h.rows), ChunkRows: chunk})
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res BulkResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

// requireOnce checks that every row ended in want and took each of its
// steps exactly once.
func (h *bulkHarness) requireOnce(want ...string) {
	h.t.Helper()
	for i, r := range h.rows {
		require.Equal(h.t, want[i], r.stage, "row %d", i+1)
		for kind, n := range r.steps {
			require.Equal(h.t, 1, n, "row %d step %s", i+1, kind)
		}
	}
}

func requireBulkRejected(t *testing.T, u *bulkUpdate, kind string) {
	t.Helper()
	require.Error(t, u.err, "command should have been refused")
	got, _, ok := Rejection(u.err)
	require.True(t, ok, "got %v, want a rejection", u.err)
	require.Equal(t, kind, got)
}

func reachable() *bulkRow { return &bulkRow{stage: "received", phone: "13800000000"} }

func TestBulkScreeningWritesOffTerminatedDebtors(t *testing.T) {
	rows := []*bulkRow{{stage: "received", phone: "138", terminated: true}, reachable(), {stage: "received", phone: "139", terminated: true}}
	h := newBulkHarness(t, rows)
	res := h.run(2)
	h.requireOnce(RowWrittenOff, RowEffective, RowWrittenOff)
	require.Equal(t, 1, rows[0].steps["write_off_certificate"])
	require.Zero(t, rows[0].steps["preservation"], "a written-off debtor is not preserved")
	require.Equal(t, 3, res.Progress.Done)
}

func TestBulkPreservationIsAStepPerRow(t *testing.T) {
	rows := []*bulkRow{reachable(), reachable(), reachable(), reachable(), reachable()}
	h := newBulkHarness(t, rows)
	h.run(2)
	for i, r := range rows {
		require.Equal(t, 1, r.steps["preservation"], "row %d", i+1)
		require.Equal(t, 1, r.steps["mediation_notice"], "row %d", i+1)
	}
}

func TestBulkPaymentOrderEffectiveAndObjected(t *testing.T) {
	rows := []*bulkRow{reachable(), reachable(), reachable()}
	h := newBulkHarness(t, rows)
	failed := h.at(24*time.Hour, UpdateBulkMediation, BulkMediationCommand{Row: 2, Outcome: BulkFailed, Reason: "债务人拒绝调解", Actor: bulkClerk})
	early := h.at(25*time.Hour, UpdateBulkObjection, BulkObjectionCommand{Row: 1, Reason: "借款已还", Actor: wageDebtor})
	// Mediation: 30 days from 2026-03-10 end on Thursday 2026-04-09; the
	// payment orders, issued on 2026-04-10, then run the policy's 15 days
	// to Saturday 2026-04-25, moved to Monday 2026-04-27.
	objected := h.at(35*24*time.Hour, UpdateBulkObjection, BulkObjectionCommand{Row: 1, Reason: "借款已部分归还", Actor: wageDebtor})
	twice := h.at(36*24*time.Hour, UpdateBulkObjection, BulkObjectionCommand{Row: 1, Reason: "再次异议", Actor: wageDebtor})
	h.run(0)
	require.NoError(t, failed.err)
	requireBulkRejected(t, early, RejectConflict)
	require.NoError(t, objected.err)
	requireBulkRejected(t, twice, RejectConflict)
	h.requireOnce(RowFiled, RowEffective, RowEffective)
	require.Equal(t, policy.NewDate(2026, 4, 10), rows[1].stepOn["payment_order_issued"], "issued once mediation ran out")
	require.Equal(t, policy.NewDate(2026, 4, 28), rows[1].stepOn["payment_order_effective"], "effective once the objection period ran out")
	require.Equal(t, 1, rows[0].steps["objection"])
	require.Equal(t, 1, rows[0].steps["filed"])
}

func TestBulkResolvedBeforeFilingEndsMediationEarly(t *testing.T) {
	rows := []*bulkRow{reachable(), reachable(), {stage: "received", phone: "1", terminated: true}}
	h := newBulkHarness(t, rows)
	first := h.at(24*time.Hour, UpdateBulkMediation, BulkMediationCommand{Row: 1, Outcome: BulkResolved, Actor: bulkClerk})
	again := h.at(25*time.Hour, UpdateBulkMediation, BulkMediationCommand{Row: 1, Outcome: BulkFailed, Actor: bulkClerk})
	second := h.at(2*24*time.Hour, UpdateBulkMediation, BulkMediationCommand{Row: 2, Outcome: BulkResolved, Reason: "分期还款", Actor: bulkClerk})
	start := h.env.Now()
	h.run(0)
	require.NoError(t, first.err)
	requireBulkRejected(t, again, RejectConflict)
	require.NoError(t, second.err)
	h.requireOnce(RowResolved, RowResolved, RowWrittenOff)
	require.Less(t, h.env.Now().Sub(start), 10*24*time.Hour, "no mediation left open: the batch does not wait out the period")
}

func TestBulkFilingOfUnreachableAndContactRepair(t *testing.T) {
	rows := []*bulkRow{{stage: "received"}, {stage: "received"}}
	h := newBulkHarness(t, rows)
	noPhone := h.at(24*time.Hour, UpdateBulkRepair, BulkRepairCommand{Row: 1, Phone: " ", Actor: bulkClerk})
	repaired := h.at(2*24*time.Hour, UpdateBulkRepair, BulkRepairCommand{Row: 1, Phone: "13912345678", Address: "贵州省兴义市", Actor: bulkClerk})
	resolved := h.at(3*24*time.Hour, UpdateBulkMediation, BulkMediationCommand{Row: 1, Outcome: BulkResolved, Actor: bulkClerk})
	h.run(0)
	requireBulkRejected(t, noPhone, RejectInvalid)
	require.NoError(t, repaired.err)
	require.NoError(t, resolved.err)
	// Row 2 stayed unreachable: no payment order can be served, so it is filed.
	h.requireOnce(RowResolved, RowFiled)
	require.Equal(t, "13912345678", rows[0].phone)
	require.Equal(t, 1, rows[0].steps["contact_repaired"])
	require.Zero(t, rows[1].steps["payment_order_issued"])
}

func TestBulkBadCommandsAreRefusedAndFailNothing(t *testing.T) {
	rows := []*bulkRow{reachable()}
	h := newBulkHarness(t, rows)
	cases := []struct {
		name string
		cmd  any
		kind string
	}{
		{UpdateBulkMediation, BulkMediationCommand{Row: 0, Outcome: BulkResolved}, RejectInvalid},
		{UpdateBulkMediation, BulkMediationCommand{Row: 2, Outcome: BulkResolved}, RejectInvalid},
		{UpdateBulkMediation, BulkMediationCommand{Row: 1, Outcome: "maybe"}, RejectInvalid},
		{UpdateBulkRepair, BulkRepairCommand{Row: 1, Phone: "1"}, RejectConflict}, // row 1 is reachable
		{UpdateBulkObjection, BulkObjectionCommand{Row: 1, Reason: "x"}, RejectConflict},
		{UpdateBulkObjection, map[string]any{"row": "not a number"}, ""},
	}
	var got []*bulkUpdate
	for i, c := range cases {
		got = append(got, h.at(time.Duration(i+1)*time.Hour, c.name, c.cmd))
	}
	h.run(0)
	for i, c := range cases {
		if c.kind == "" {
			require.Error(t, got[i].err, "case %d", i)
			continue
		}
		requireBulkRejected(t, got[i], c.kind)
	}
	h.requireOnce(RowEffective)
}

func TestBulkChunkAnswerLostIsProcessedOnce(t *testing.T) {
	var rows []*bulkRow
	for i := range 9 {
		r := reachable()
		r.terminated = i%4 == 0
		rows = append(rows, r)
	}
	h := newBulkHarness(t, rows)
	h.loseAnswer["screen"], h.loseAnswer["preserve"], h.loseAnswer["advance"] = true, true, true
	res := h.run(2)
	want := make([]string, len(rows))
	for i, r := range rows {
		want[i] = RowEffective
		if r.terminated {
			want[i] = RowWrittenOff
		}
	}
	h.requireOnce(want...)
	require.Equal(t, 9, res.Progress.Done)
}
