// Package notify delivers casework's notices to the people they are for.
// A Channel is how a deployment reaches them (SMS, e-mail, a court
// messaging platform); the notice ID is the idempotency key every channel
// must honour, because the delivering activity may be retried after a
// channel has already accepted a notice.
package notify

import (
	"context"
	"errors"
	"log/slog"

	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// Notice is what a channel delivers.
type Notice struct {
	// ID identifies the notice across retries: a channel that sees an ID
	// twice must deliver it once.
	ID          int64       `json:"id"`
	CaseID      string      `json:"case_id"`
	Stream      string      `json:"stream"`
	Installment int         `json:"installment"`
	Kind        string      `json:"kind"`
	Seq         int         `json:"seq"`
	Recipient   string      `json:"recipient"`
	Body        string      `json:"body"`
	CaseOn      policy.Date `json:"case_on"`
}

// Channel delivers notices. Send must be idempotent on the notice ID.
type Channel interface {
	Send(ctx context.Context, n Notice) error
}

// Log is a channel that writes each notice to a structured log; it is for
// development and as a trace beside a real channel. A retried send logs
// again, so the log is at-least-once. A notice's body and recipient name
// people and sums owed, so at INFO the log says only which notice was sent
// (and how long its body is); the recipient and body follow at DEBUG
// (CASEWORK_LOG_LEVEL=DEBUG), for development.
type Log struct {
	Logger *slog.Logger
}

// Send logs n.
func (l Log) Send(ctx context.Context, n Notice) error {
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	lg.InfoContext(ctx, "notice", "id", n.ID, "case", n.CaseID, "stream", n.Stream, "installment", n.Installment,
		"kind", n.Kind, "seq", n.Seq, "case_on", n.CaseOn, "body_bytes", len(n.Body))
	lg.DebugContext(ctx, "notice body", "id", n.ID, "recipient", n.Recipient, "body", n.Body)
	return nil
}

// InboxChannel is the name the built-in inbox records its deliveries under.
const InboxChannel = "inbox"

// Inbox is the built-in channel: it files each notice in the
// notice_deliveries table, keyed by notice ID, where parties' portals read
// them. A retried send files nothing new, so delivery is exactly once at the
// receiving end.
type Inbox struct {
	Store *db.Store
}

// Send files n in the inbox.
func (i Inbox) Send(ctx context.Context, n Notice) error {
	_, err := i.Store.RecordDelivery(ctx, n.ID, InboxChannel)
	return err
}

// All sends each notice through every channel in order, stopping at the
// first error; a retry sends through all of them again, so each must be
// idempotent itself.
type All []Channel

// Send sends n through every channel.
func (a All) Send(ctx context.Context, n Notice) error {
	var errs []error
	for _, c := range a {
		if err := c.Send(ctx, n); err != nil {
			errs = append(errs, err)
			break
		}
	}
	return errors.Join(errs...)
}
