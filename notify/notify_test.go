package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/audit"
	"github.com/casework/casework/db"
	"github.com/casework/casework/internal/stacktest"
	"github.com/casework/casework/notify"
	"github.com/casework/casework/policy"
)

// store is the real PostgreSQL read model the tests share; each test uses
// case IDs of its own.
var store *db.Store

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	stack, err := stacktest.Start(context.Background(), false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "notify tests:", err)
		return 1
	}
	defer stack.Stop()
	store = db.NewStore(stack.AppPool, audit.RandomKey())
	return m.Run()
}

var caseSeq atomic.Int64

func newCaseID() string { return fmt.Sprintf("c-notify-%d", caseSeq.Add(1)) }

// crashAfterSend passes a notice to the inner channel and then fails, the
// first time only: a worker that dies after the channel accepted a notice
// but before the outbox knew.
type crashAfterSend struct {
	inner   notify.Channel
	sends   atomic.Int64
	crashed atomic.Bool
}

func (c *crashAfterSend) Send(ctx context.Context, n notify.Notice) error {
	c.sends.Add(1)
	if err := c.inner.Send(ctx, n); err != nil {
		return err
	}
	if c.crashed.CompareAndSwap(false, true) {
		return errors.New("worker killed after send")
	}
	return nil
}

func count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, store.Pool().QueryRow(t.Context(), sql, args...).Scan(&n))
	return n
}

func reminder(caseID string) activities.NoticeInput {
	return activities.NoticeInput{
		CaseID: caseID, Stream: "plan/performance", Installment: 1, Kind: "reminder", Seq: 0,
		Recipient: "xx-construction", Body: "履行提醒", CaseOn: policy.NewDate(2026, 4, 3),
	}
}

func TestDeliverNoticeExactlyOnce(t *testing.T) {
	ctx := t.Context()
	caseID := newCaseID()
	ch := &crashAfterSend{inner: notify.Inbox{Store: store}}
	n := &activities.Notifier{Store: store, Channel: ch}

	id, err := n.EnqueueNotice(ctx, reminder(caseID))
	require.NoError(t, err)
	// A retried enqueue (the activity ran, its result was lost) finds the
	// same row.
	again, err := n.EnqueueNotice(ctx, reminder(caseID))
	require.NoError(t, err)
	require.Equal(t, id, again)
	require.Equal(t, 1, count(t, "SELECT count(*) FROM notices WHERE case_id = $1", caseID))

	// The first delivery reaches the channel, then the worker dies.
	require.Error(t, n.DeliverNotice(ctx, id))
	row, err := store.Notice(ctx, id)
	require.NoError(t, err)
	require.Nil(t, row.DeliveredAt, "the outbox does not know it was delivered")
	require.Equal(t, 1, count(t, "SELECT count(*) FROM notice_deliveries WHERE notice_id = $1", id))

	// Temporal retries the activity: the channel sees the same ID again and
	// files nothing new; the outbox marks the notice delivered.
	require.NoError(t, n.DeliverNotice(ctx, id))
	row, err = store.Notice(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, row.DeliveredAt)
	require.Equal(t, 2, row.Attempts)

	// A further retry (the result of the second attempt was lost) does not
	// even reach the channel.
	require.NoError(t, n.DeliverNotice(ctx, id))
	require.Equal(t, int64(2), ch.sends.Load(), "a delivered notice is not sent again")

	require.Equal(t, 1, count(t, "SELECT count(*) FROM notices WHERE case_id = $1", caseID), "got notices rows, want 1")
	require.Equal(t, 1, count(t, "SELECT count(*) FROM notice_deliveries WHERE notice_id = $1", id), "got deliveries, want 1")
	require.Equal(t, 1, count(t, "SELECT count(*) FROM notices WHERE case_id = $1 AND delivered_at IS NOT NULL", caseID))
}

func TestEnqueueNoticeKeys(t *testing.T) {
	ctx := t.Context()
	caseID := newCaseID()
	n := &activities.Notifier{Store: store, Channel: notify.Log{}}
	base := reminder(caseID)
	variants := []func(*activities.NoticeInput){
		func(in *activities.NoticeInput) {},
		func(in *activities.NoticeInput) { in.Seq = 1 },
		func(in *activities.NoticeInput) { in.Installment = 2 },
		func(in *activities.NoticeInput) { in.Kind = "default_notice" },
		func(in *activities.NoticeInput) { in.Stream = "plan/settlement-1" },
	}
	ids := map[int64]bool{}
	for round := 0; round < 2; round++ {
		for _, v := range variants {
			in := base
			v(&in)
			id, err := n.EnqueueNotice(ctx, in)
			require.NoError(t, err)
			ids[id] = true
		}
	}
	require.Len(t, ids, len(variants), "each key is one notice, however often it is enqueued")
	got, err := store.Notices(ctx, caseID)
	require.NoError(t, err)
	require.Len(t, got, len(variants))
	require.Equal(t, policy.NewDate(2026, 4, 3), got[0].CaseOn)
}

func TestDeliverUnknownNotice(t *testing.T) {
	n := &activities.Notifier{Store: store, Channel: notify.Log{}}
	require.ErrorIs(t, n.DeliverNotice(t.Context(), -1), db.ErrNotFound)
}

func TestRecordPlanKeepsNewest(t *testing.T) {
	ctx := t.Context()
	caseID := newCaseID()
	r := &activities.Recorder{Store: store}
	due := policy.NewDate(2026, 4, 10)
	version := func(v int, paid int64, stage string) activities.RecordPlanInput {
		state := "scheduled"
		if paid == 1_302_700 {
			state = "paid"
		}
		return activities.RecordPlanInput{Plan: db.Plan{
			CaseID: caseID, PlanID: "performance", Obligor: "xx-construction", Stage: stage,
			TotalFen: 1_302_700, PaidFen: paid, StartedOn: policy.NewDate(2026, 3, 10), Version: v,
			Installments: []db.PlanInstallment{{No: 1, DueOn: due, AmountFen: 1_302_700, PaidFen: paid, State: state}},
		}}
	}
	done := version(2, 1_302_700, "performed")
	done.Plan.OverpaidFen = 132_300
	done.Certificate = &db.PerformanceCertificate{CaseID: caseID, PlanID: "performance", Obligor: "xx-construction", TotalFen: 1_302_700, IssuedOn: due, Body: "自动履行证明"}

	require.NoError(t, r.RecordPlan(ctx, version(1, 0, "performing")))
	require.NoError(t, r.RecordPlan(ctx, done))
	require.NoError(t, r.RecordPlan(ctx, done), "a retry is harmless")
	require.NoError(t, r.RecordPlan(ctx, version(1, 0, "performing")), "a late retry of an older version is ignored")

	p, err := store.Plan(ctx, caseID, "performance")
	require.NoError(t, err)
	require.Equal(t, 2, p.Version)
	require.Equal(t, "performed", p.Stage)
	require.Equal(t, int64(132_300), p.OverpaidFen)
	require.Equal(t, "paid", p.Installments[0].State)
	certs, err := store.Certificates(ctx, caseID)
	require.NoError(t, err)
	require.Len(t, certs, 1)
	require.Equal(t, due, certs[0].IssuedOn)

	_, err = store.Plan(ctx, caseID, "no-such-plan")
	require.ErrorIs(t, err, db.ErrNotFound)
}

// TestLogKeepsBodiesOutOfInfo: the log channel names the notice at INFO
// but writes who it is for and what it says (names, sums) only at DEBUG.
func TestLogKeepsBodiesOutOfInfo(t *testing.T) {
	n := notify.Notice{ID: 7, CaseID: "c1", Stream: "plan/performance", Kind: "reminder", Recipient: "xx-construction",
		Body: "履行提醒：某建筑公司，第 2 期 4,500.00元", CaseOn: policy.NewDate(2026, 4, 3)}
	for _, tt := range []struct {
		level    slog.Level
		withBody bool
	}{{slog.LevelInfo, false}, {slog.LevelDebug, true}} {
		var buf bytes.Buffer
		ch := notify.Log{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.level}))}
		require.NoError(t, ch.Send(t.Context(), n))
		require.Contains(t, buf.String(), "id=7")
		require.Equal(t, tt.withBody, strings.Contains(buf.String(), "4,500.00"), "at %s: %s", tt.level, buf.String())
		require.Equal(t, tt.withBody, strings.Contains(buf.String(), "xx-construction"), "at %s: %s", tt.level, buf.String())
	}
}
