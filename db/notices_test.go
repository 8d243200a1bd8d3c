package db_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
)

// TestNoticeUndeliverable marks a notice the channel would not take: it is
// listed for clerks with its last error, marking it again changes nothing,
// and a notice delivered meanwhile stays delivered and unlisted.
func TestNoticeUndeliverable(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	enqueue := func(kind string) int64 {
		id, err := s.EnqueueNotice(ctx, db.Notice{
			NoticeKey: db.NoticeKey{CaseID: "c1", Stream: "plan/performance", Installment: 1, Kind: kind},
			Recipient: "xx-construction", Body: kind, CaseOn: policy.NewDate(2026, 4, 3),
		})
		require.NoError(t, err)
		return id
	}
	lost, sent := enqueue("reminder"), enqueue("default_notice")

	n, err := s.Notice(ctx, lost)
	require.NoError(t, err)
	require.Equal(t, db.NoticePending, n.State)

	require.NoError(t, s.NoticeDelivered(ctx, sent))
	require.NoError(t, s.NoticeUndeliverable(ctx, sent, "too late"))
	require.NoError(t, s.NoticeUndeliverable(ctx, lost, "sms gateway: 503"))
	require.NoError(t, s.NoticeUndeliverable(ctx, lost, "marked again"))

	list, err := s.UndeliverableNotices(ctx, 100)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, lost, list[0].ID)
	require.Equal(t, db.NoticeUndeliverable, list[0].State)
	require.Equal(t, "sms gateway: 503", list[0].LastError, "the first marking stays")
	require.NotNil(t, list[0].UndeliverableAt)

	n, err = s.Notice(ctx, sent)
	require.NoError(t, err)
	require.Equal(t, db.NoticeDelivered, n.State)
	require.Nil(t, n.UndeliverableAt)
}
