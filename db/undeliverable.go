package db

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/casework/casework/db/dbq"
)

// UndeliverableNotice is a notice the channel would not take after every
// attempt, with the case number a clerk looks it up by.
type UndeliverableNotice struct {
	Notice
	CaseNumber string `json:"case_number"`
}

// UndeliverablePage is one page of UndeliverableInScope.
type UndeliverablePage struct {
	Notices []UndeliverableNotice
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string
}

// UndeliverableInScope lists, oldest given-up first, the undeliverable
// notices of the cases f's scope selects (court, mediator, case leader,
// jurisdiction; the rest of f is ignored), so clerks can serve them
// another way (by post, in person, by announcement).
func (s *Store) UndeliverableInScope(ctx context.Context, f CaseFilter, limit int, cursor string) (UndeliverablePage, error) {
	p := dbq.UndeliverableInScopeParams{
		Court: text(f.Court), Mediator: text(f.Mediator), CaseLeader: text(f.CaseLeader), Jurisdiction: text(f.Jurisdiction),
		RowLimit: int32(limit + 1),
	}
	if cursor != "" {
		at, id, err := decodeNoticeCursor(cursor)
		if err != nil {
			return UndeliverablePage{}, err
		}
		p.AfterAt, p.AfterID = &at, pgtype.Int8{Int64: id, Valid: true}
	}
	rows, err := dbq.New(s.pool).UndeliverableInScope(ctx, p)
	if err != nil {
		return UndeliverablePage{}, fmt.Errorf("undeliverable notices: %w", err)
	}
	var page UndeliverablePage
	page.Notices = make([]UndeliverableNotice, 0, len(rows))
	for i, r := range rows {
		if i == limit {
			last := page.Notices[limit-1]
			page.NextCursor = encodeNoticeCursor(*last.UndeliverableAt, last.ID)
			break
		}
		page.Notices = append(page.Notices, UndeliverableNotice{Notice: noticeFromRow(r.Notice), CaseNumber: r.CaseNumber})
	}
	return page, nil
}

func encodeNoticeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "/" + strconv.FormatInt(id, 10)))
}

func decodeNoticeCursor(c string) (time.Time, int64, error) {
	bad := fmt.Errorf("%w: cursor %q was not issued by this list", ErrInvalidFilter, c)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, bad
	}
	at, id, ok := strings.Cut(string(b), "/")
	if !ok {
		return time.Time{}, 0, bad
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, 0, bad
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, 0, bad
	}
	return t, n, nil
}
