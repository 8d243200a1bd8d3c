package db

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"

	"github.com/casework/casework/db/dbq"
)

// ClosedRun is the whole history of one closed run of a workflow.
type ClosedRun struct {
	WorkflowID string
	RunID      string
	StartedAt  time.Time
	ClosedAt   time.Time
	Status     string
	Events     []*historypb.HistoryEvent
}

// SaveHistory keeps a closed run's history, compressed, unless it is kept
// already; it reports whether it wrote it.
func (s *Store) SaveHistory(ctx context.Context, r ClosedRun) (bool, error) {
	if len(r.Events) == 0 {
		return false, fmt.Errorf("save history of %s run %s: no events", r.WorkflowID, r.RunID)
	}
	raw, err := proto.Marshal(&historypb.History{Events: r.Events})
	if err != nil {
		return false, fmt.Errorf("save history of %s: %w", r.WorkflowID, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		return false, err
	}
	if err := zw.Close(); err != nil {
		return false, err
	}
	n, err := dbq.New(s.pool).WorkflowHistoryInsert(ctx, dbq.WorkflowHistoryInsertParams{
		WorkflowID: r.WorkflowID, RunID: r.RunID, StartedAt: r.StartedAt, ClosedAt: r.ClosedAt,
		Status: r.Status, Events: int32(len(r.Events)), History: buf.Bytes(),
	})
	if err != nil {
		return false, fmt.Errorf("save history of %s run %s: %w", r.WorkflowID, r.RunID, err)
	}
	return n == 1, nil
}

// HistoryKept reports whether a run's history is kept.
func (s *Store) HistoryKept(ctx context.Context, workflowID, runID string) (bool, error) {
	ok, err := dbq.New(s.pool).WorkflowHistoryExists(ctx, dbq.WorkflowHistoryExistsParams{WorkflowID: workflowID, RunID: runID})
	if err != nil {
		return false, fmt.Errorf("history of %s run %s: %w", workflowID, runID, err)
	}
	return ok, nil
}

// History returns the kept history of a workflow's run, or of its last run
// kept when runID is empty; ErrNotFound when none is kept.
func (s *Store) History(ctx context.Context, workflowID, runID string) ([]*historypb.HistoryEvent, error) {
	q := dbq.New(s.pool)
	var b []byte
	var err error
	if runID == "" {
		b, err = q.WorkflowHistoryLatest(ctx, workflowID)
	} else {
		b, err = q.WorkflowHistoryGet(ctx, dbq.WorkflowHistoryGetParams{WorkflowID: workflowID, RunID: runID})
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("history of %s run %q: %w", workflowID, runID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("history of %s run %q: %w", workflowID, runID, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("history of %s run %q: %w", workflowID, runID, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("history of %s run %q: %w", workflowID, runID, err)
	}
	var h historypb.History
	if err := proto.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("history of %s run %q: %w", workflowID, runID, err)
	}
	return h.GetEvents(), nil
}
