package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casework/casework/db/dbq"
	"github.com/casework/casework/policy"
)

// NoticeKey is the natural key of a notice: one notice of a kind per case,
// process stream and installment (0 when it is about none), numbered by Seq
// for kinds that repeat, such as urgings.
type NoticeKey struct {
	CaseID      string `json:"case_id"`
	Stream      string `json:"stream"`
	Installment int    `json:"installment"`
	Kind        string `json:"kind"`
	Seq         int    `json:"seq"`
}

// States of a notice in the outbox.
const (
	NoticePending       = "pending"       // enqueued, being delivered
	NoticeDelivered     = "delivered"     // the channel took it
	NoticeUndeliverable = "undeliverable" // the channel refused every attempt: a clerk serves it another way
)

// Notice is a notice in the outbox.
type Notice struct {
	NoticeKey
	ID              int64       `json:"id"`
	Recipient       string      `json:"recipient"`
	Body            string      `json:"body"`
	CaseOn          policy.Date `json:"case_on"`
	CreatedAt       time.Time   `json:"created_at"`
	State           string      `json:"state" enum:"pending,delivered,undeliverable"`
	DeliveredAt     *time.Time  `json:"delivered_at,omitempty"`
	UndeliverableAt *time.Time  `json:"undeliverable_at,omitempty"`
	LastError       string      `json:"last_error,omitempty"`
	Attempts        int         `json:"attempts"`
}

// EnqueueNotice adds n to the outbox unless a notice with its key is there
// already, and returns the stored notice's ID either way, so enqueueing is
// idempotent.
func (s *Store) EnqueueNotice(ctx context.Context, n Notice) (int64, error) {
	q := dbq.New(s.pool)
	id, err := q.NoticeInsert(ctx, dbq.NoticeInsertParams{
		CaseID: n.CaseID, Stream: n.Stream, Installment: int32(n.Installment), Kind: n.Kind, Seq: int32(n.Seq),
		Recipient: n.Recipient, Body: n.Body, CaseOn: pgDate(n.CaseOn),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		// The key is taken: this is a retry, return the row it wrote.
		id, err = q.NoticeIDByKey(ctx, dbq.NoticeIDByKeyParams{
			CaseID: n.CaseID, Stream: n.Stream, Installment: int32(n.Installment), Kind: n.Kind, Seq: int32(n.Seq),
		})
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue notice %s/%s/%d/%s/%d: %w", n.CaseID, n.Stream, n.Installment, n.Kind, n.Seq, err)
	}
	return id, nil
}

// Notice returns the notice with id.
func (s *Store) Notice(ctx context.Context, id int64) (Notice, error) {
	r, err := dbq.New(s.pool).NoticeGet(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Notice{}, fmt.Errorf("notice %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Notice{}, fmt.Errorf("notice %d: %w", id, err)
	}
	return noticeFromRow(r), nil
}

// NoticeAttempted counts one delivery attempt of a notice.
func (s *Store) NoticeAttempted(ctx context.Context, id int64) error {
	if _, err := dbq.New(s.pool).NoticeAttempt(ctx, id); err != nil {
		return fmt.Errorf("notice %d: count attempt: %w", id, err)
	}
	return nil
}

// NoticeDelivered marks a notice delivered; the first time stays.
func (s *Store) NoticeDelivered(ctx context.Context, id int64) error {
	if _, err := dbq.New(s.pool).NoticeMarkDelivered(ctx, id); err != nil {
		return fmt.Errorf("notice %d: mark delivered: %w", id, err)
	}
	return nil
}

// NoticeUndeliverable marks a notice undeliverable with the channel's last
// error, unless it was delivered meanwhile; marking it again changes
// nothing.
func (s *Store) NoticeUndeliverable(ctx context.Context, id int64, lastError string) error {
	if _, err := dbq.New(s.pool).NoticeMarkUndeliverable(ctx, dbq.NoticeMarkUndeliverableParams{ID: id, LastError: lastError}); err != nil {
		return fmt.Errorf("notice %d: mark undeliverable: %w", id, err)
	}
	return nil
}

// UndeliverableNotices returns up to limit notices of every case that the
// channel would not take, oldest first, for clerks to serve another way.
func (s *Store) UndeliverableNotices(ctx context.Context, limit int) ([]Notice, error) {
	rows, err := dbq.New(s.pool).NoticeListUndeliverable(ctx, int32(limit))
	if err != nil {
		return nil, fmt.Errorf("undeliverable notices: %w", err)
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, noticeFromRow(r))
	}
	return out, nil
}

// Notices returns every notice of a case, in the order they were enqueued.
func (s *Store) Notices(ctx context.Context, caseID string) ([]Notice, error) {
	rows, err := dbq.New(s.pool).NoticeListByCase(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("notices of %s: %w", caseID, err)
	}
	out := make([]Notice, 0, len(rows))
	for _, r := range rows {
		out = append(out, noticeFromRow(r))
	}
	return out, nil
}

// RecordDelivery writes a notice into the built-in channel's inbox, once:
// it reports whether this call wrote it.
func (s *Store) RecordDelivery(ctx context.Context, noticeID int64, channel string) (bool, error) {
	n, err := dbq.New(s.pool).NoticeDeliveryInsert(ctx, dbq.NoticeDeliveryInsertParams{NoticeID: noticeID, Channel: channel})
	if err != nil {
		return false, fmt.Errorf("notice %d: record delivery: %w", noticeID, err)
	}
	return n == 1, nil
}

func noticeFromRow(r dbq.Notice) Notice {
	n := Notice{
		NoticeKey: NoticeKey{CaseID: r.CaseID, Stream: r.Stream, Installment: int(r.Installment), Kind: r.Kind, Seq: int(r.Seq)},
		ID:        r.ID, Recipient: r.Recipient, Body: r.Body, CaseOn: dateOf(r.CaseOn),
		CreatedAt: r.CreatedAt, DeliveredAt: r.DeliveredAt, Attempts: int(r.Attempts),
		UndeliverableAt: r.UndeliverableAt, LastError: r.LastError, State: NoticePending,
	}
	switch {
	case n.DeliveredAt != nil:
		n.State = NoticeDelivered
	case n.UndeliverableAt != nil:
		n.State = NoticeUndeliverable
	}
	return n
}
