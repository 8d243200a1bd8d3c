package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/activities"
	"github.com/casework/casework/notify"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// TestLogsHoldNoTokenOrNoticeBody sends a notice through the log channel
// the worker uses and calls the API with a token, both logging at the
// default level: neither the body nor the token is in the logs. (TestMain
// checks the logs of the whole run the same way.)
func TestLogsHoldNoTokenOrNoticeBody(t *testing.T) {
	caseID := workflows.CaseID(newCaseNumber())
	n := &activities.Notifier{Store: store, Channel: notify.Log{}}
	body := "履行提醒：某建筑公司，第 2 期 4,500.00元 应于 2026-12-12 前履行 " + caseID
	id, err := n.EnqueueNotice(t.Context(), activities.NoticeInput{
		CaseID: caseID, Stream: "plan/performance", Installment: 2, Kind: "reminder",
		Recipient: "xx-construction", Body: body, CaseOn: policy.NewDate(2026, 12, 11),
	})
	require.NoError(t, err)
	require.NoError(t, n.DeliverNotice(t.Context(), id))

	res := do(t, fast, &auditor, http.MethodGet, "/cases/"+caseID, nil)
	require.Equal(t, http.StatusNotFound, res.Status)

	text := logs.String()
	require.Contains(t, text, caseID, "the notice is logged")
	require.False(t, strings.Contains(text, body), "the notice body is in the logs:\n%s", text)
	require.Empty(t, jwtPattern.FindString(text), "a token is in the logs")
}
