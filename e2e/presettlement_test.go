package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/workflows"
)

// TestPreEnforcementUrgingAndSettlement: a confirmed agreement's first
// installment is missed. Before enforcement is filed the mediator urges
// (the notice says 执前督促) and records a pre-enforcement settlement (执前和解)
// the obligee consents to, after hostile versions of it are refused with
// 4xx problem+json and change nothing. The settlement supersedes the
// outstanding installments; paid, the plan and the case are performed, and
// a settlement on the closed plan is refused.
func TestPreEnforcementUrgingAndSettlement(t *testing.T) {
	srv := newServer(t, process1Scale)
	c := startCase(t, srv)
	id := c.Summary.ID
	d := c.Mediation.CaseToday
	agreeAndConfirmAPI(t, srv, id, []api.InstallmentBody{
		{DueOn: d.AddDays(9), AmountFen: 400_000},
		{DueOn: d.AddDays(60), AmountFen: 450_000},
		{DueOn: d.AddDays(90), AmountFen: 452_700},
	})
	plan := "/cases/" + id + "/plans/performance"
	read := func() workflows.PlanView {
		t.Helper()
		res := do(t, srv, &court, http.MethodGet, plan, nil)
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
		var v workflows.PlanView
		res.json(t, &v)
		return v
	}
	// The plan starts once the agreement is confirmed.
	require.Eventually(t, func() bool {
		return do(t, srv, &court, http.MethodGet, plan, nil).Status == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)
	// Before any default a settlement is refused: it follows a default.
	v := read()
	early := do(t, srv, &mediator, http.MethodPost, plan+"/settlement", map[string]any{
		"installments": []api.InstallmentBody{{DueOn: v.CaseToday.AddDays(20), AmountFen: 1_302_700}},
		"consented_by": []string{applicant.Subject}, "reason": "执前和解",
	})
	require.Equal(t, http.StatusConflict, early.Status, "body: %s", early.Body)
	early.problem(t)

	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Stage == workflows.StageDefaulted
	}, 40*time.Second, 50*time.Millisecond, "installment 1 defaults")

	// 执前督促: the plan still supervises, and the urging says so.
	u := do(t, srv, &mediator, http.MethodPost, plan+"/urge", map[string]any{"reason": "约谈被申请人"})
	require.Equal(t, http.StatusOK, u.Status, "body: %s", u.Body)
	ns, err := store.Notices(t.Context(), id)
	require.NoError(t, err)
	var urge string
	for _, n := range ns {
		if n.Kind == workflows.NoticeUrge {
			urge = n.Body
		}
	}
	require.True(t, strings.HasPrefix(urge, "执前督促"), "urge notice: %q", urge)

	v = read()
	require.Equal(t, workflows.PlanPerforming, v.Stage)
	require.Equal(t, int64(1_302_700), v.OutstandingFen)
	today := v.CaseToday
	good := func() map[string]any {
		return map[string]any{
			"installments": []api.InstallmentBody{{DueOn: today.AddDays(15), AmountFen: 700_000}, {DueOn: today.AddDays(30), AmountFen: 602_700}},
			"consented_by": []string{applicant.Subject}, "reason": "双方达成执前和解，和解协议编号 001",
		}
	}
	with := func(k string, val any) map[string]any { b := good(); b[k] = val; return b }
	many := make([]api.InstallmentBody, 121)
	for i := range many {
		many[i] = api.InstallmentBody{DueOn: today.AddDays(i + 5), AmountFen: 1}
	}
	notices := len(ns)
	bad := []struct {
		name   string
		who    *auth.Principal
		path   string
		body   map[string]any
		status int
	}{
		{"sum below outstanding", &mediator, plan, with("installments", []api.InstallmentBody{{DueOn: today.AddDays(15), AmountFen: 700_000}, {DueOn: today.AddDays(30), AmountFen: 602_699}}), 422},
		{"sum above outstanding", &mediator, plan, with("installments", []api.InstallmentBody{{DueOn: today.AddDays(15), AmountFen: 1_302_701}}), 422},
		{"due today", &mediator, plan, with("installments", []api.InstallmentBody{{DueOn: today, AmountFen: 1_302_700}}), 422},
		{"due in the past", &court, plan, with("installments", []api.InstallmentBody{{DueOn: today.AddDays(-3), AmountFen: 1_302_700}}), 422},
		{"not in order", &mediator, plan, with("installments", []api.InstallmentBody{{DueOn: today.AddDays(30), AmountFen: 700_000}, {DueOn: today.AddDays(15), AmountFen: 602_700}}), 422},
		{"too many installments", &mediator, plan, with("installments", many), 422},
		{"no installments", &mediator, plan, with("installments", []api.InstallmentBody{}), 422},
		{"no consent", &mediator, plan, with("consented_by", []string{}), 422},
		{"consent of a stranger", &mediator, plan, with("consented_by", []string{stranger.Subject}), 422},
		{"no reason", &mediator, plan, with("reason", ""), 422},
		{"the obligee records it", &applicant, plan, good(), 403},
		{"the obligor records it", &obligor, plan, good(), 403},
		{"an auditor", &auditor, plan, good(), 403},
		{"another mediator", &otherMed, plan, good(), 404},
		{"a plan the case has not", &court, "/cases/" + id + "/plans/settlement-1", good(), 404},
	}
	for _, b := range bad {
		res := do(t, srv, b.who, http.MethodPost, b.path+"/settlement", b.body)
		require.Equal(t, b.status, res.Status, "%s: body %s", b.name, res.Body)
		res.problem(t)
	}
	after := read()
	require.Equal(t, v.Installments, after.Installments, "refused settlements changed nothing")
	require.Empty(t, after.Settlements)
	ns, err = store.Notices(t.Context(), id)
	require.NoError(t, err)
	require.Len(t, ns, notices, "refused settlements sent nothing")
	require.NotContains(t, streamKinds(t, id, "plan/performance"), "pre_enforcement_settlement")

	res := do(t, srv, &mediator, http.MethodPost, plan+"/settlement", good(), "Idempotency-Key", "settle-1")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var settled workflows.PlanView
	res.json(t, &settled)
	require.Len(t, settled.Settlements, 1)
	require.Equal(t, []string{applicant.Subject}, settled.Settlements[0].ConsentedBy)
	require.Equal(t, []int{1, 2, 3}, settled.Settlements[0].Superseded)
	require.Equal(t, []int{4, 5}, settled.Settlements[0].Installments)
	require.Len(t, settled.Installments, 5)
	for _, l := range settled.Installments[:3] {
		require.Equal(t, workflows.InstallmentSuperseded, l.State, "installment %d", l.No)
		require.Equal(t, l.AmountFen, l.SupersededFen)
		require.Zero(t, l.OutstandingFen)
	}
	require.Equal(t, int64(1_302_700), settled.OutstandingFen)
	again := do(t, srv, &mediator, http.MethodPost, plan+"/settlement", good(), "Idempotency-Key", "settle-1")
	require.Equal(t, http.StatusOK, again.Status, "a retry answers the first outcome: %s", again.Body)

	// The ledger in the read model shows the superseded lines beside the new.
	require.Eventually(t, func() bool {
		p, err := store.Plan(t.Context(), id, workflows.PerformancePlanID)
		require.NoError(t, err)
		return len(p.Installments) == 5 && p.Installments[0].State == workflows.InstallmentSuperseded
	}, 10*time.Second, 50*time.Millisecond)
	kinds := streamKinds(t, id, "plan/performance")
	require.Contains(t, kinds, "pre_enforcement_settlement")
	require.Eventually(t, func() bool {
		ns, err := store.Notices(t.Context(), id)
		require.NoError(t, err)
		for _, n := range ns {
			if n.Kind == workflows.NoticeSettlement && strings.HasPrefix(n.Body, "执前和解告知书") {
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond, "the obligor is told the new schedule")

	// Paid in full under the settlement: performed, late, no certificate.
	paidOn := read().CaseToday
	for _, amount := range []int64{700_000, 602_700} {
		res := do(t, srv, &applicant, http.MethodPost, plan+"/payments", map[string]any{"amount_fen": amount, "paid_on": paidOn})
		require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	}
	s := awaitCaseClosed(t, id, 20*time.Second)
	require.Equal(t, workflows.StagePerformed, s.Stage)
	stored, err := store.Plan(t.Context(), id, workflows.PerformancePlanID)
	require.NoError(t, err)
	require.Equal(t, workflows.PlanPerformed, stored.Stage)
	require.False(t, stored.OnTime)
	var got []string
	for _, l := range stored.Installments {
		got = append(got, l.State)
	}
	require.Equal(t, []string{workflows.InstallmentSuperseded, workflows.InstallmentSuperseded, workflows.InstallmentSuperseded,
		workflows.InstallmentPaid, workflows.InstallmentPaid}, got)
	closed := read()
	require.Equal(t, workflows.InstallmentSuperseded, closed.Installments[0].State)
	require.Equal(t, int64(400_000), closed.Installments[0].SupersededFen, "the stored ledger reads as the live one did")

	// The plan has closed: a settlement is refused.
	res = do(t, srv, &court, http.MethodPost, plan+"/settlement", good())
	require.Equal(t, http.StatusConflict, res.Status, "body: %s", res.Body)
	res.problem(t)
	require.Equal(t, casefile.StatusClosed, s.Status)

	res = do(t, srv, &auditor, http.MethodGet, "/cases/"+id+"/timeline/verify", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	var vb api.VerifyBody
	res.json(t, &vb)
	require.True(t, vb.Intact, "%+v", vb.Breaks)
}
