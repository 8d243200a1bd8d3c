package activities

import (
	"context"
	"fmt"

	"github.com/casework/casework/db"
	"github.com/casework/casework/notify"
	"github.com/casework/casework/policy"
)

// Notifier enqueues notices in the PostgreSQL outbox and delivers them
// through a channel. Enqueue and delivery are two activities: the row is
// written first under the notice's natural key, then delivered by its ID,
// so a worker that dies between the two, or during a send, neither loses
// the notice nor sends it twice.
type Notifier struct {
	Store   *db.Store
	Channel notify.Channel
}

// NoticeInput is a notice a workflow sends. CaseID, Stream, Installment,
// Kind and Seq are its natural key.
type NoticeInput struct {
	CaseID      string      `json:"case_id"`
	Stream      string      `json:"stream"`
	Installment int         `json:"installment"`
	Kind        string      `json:"kind"`
	Seq         int         `json:"seq"`
	Recipient   string      `json:"recipient"`
	Body        string      `json:"body"`
	CaseOn      policy.Date `json:"case_on"`
}

// EnqueueNotice writes the notice to the outbox unless it is there already,
// and returns its ID either way.
func (n *Notifier) EnqueueNotice(ctx context.Context, in NoticeInput) (int64, error) {
	return n.Store.EnqueueNotice(ctx, db.Notice{
		NoticeKey: db.NoticeKey{CaseID: in.CaseID, Stream: in.Stream, Installment: in.Installment, Kind: in.Kind, Seq: in.Seq},
		Recipient: in.Recipient, Body: in.Body, CaseOn: in.CaseOn,
	})
}

// DeliverNotice sends the notice id through the channel unless it has been
// delivered, then marks it delivered. A failure after the channel accepted
// it is retried with the same notice ID, which the channel deduplicates.
func (n *Notifier) DeliverNotice(ctx context.Context, id int64) error {
	row, err := n.Store.Notice(ctx, id)
	if err != nil {
		return err
	}
	if row.DeliveredAt != nil {
		return nil
	}
	if err := n.Store.NoticeAttempted(ctx, id); err != nil {
		return err
	}
	if err := n.Channel.Send(ctx, notify.Notice{
		ID: row.ID, CaseID: row.CaseID, Stream: row.Stream, Installment: row.Installment, Kind: row.Kind, Seq: row.Seq,
		Recipient: row.Recipient, Body: row.Body, CaseOn: row.CaseOn,
	}); err != nil {
		return fmt.Errorf("deliver notice %d: %w", id, err)
	}
	return n.Store.NoticeDelivered(ctx, id)
}

// UndeliverableInput names a notice the channel would not take after every
// attempt, and the last error it gave.
type UndeliverableInput struct {
	NoticeID  int64  `json:"notice_id"`
	LastError string `json:"last_error"`
}

// MarkNoticeUndeliverable marks the notice undeliverable, for clerks to
// serve another way; a notice delivered meanwhile stays delivered.
func (n *Notifier) MarkNoticeUndeliverable(ctx context.Context, in UndeliverableInput) error {
	return n.Store.NoticeUndeliverable(ctx, in.NoticeID, in.LastError)
}
