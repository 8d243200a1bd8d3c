package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/casefile"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// wageDebtor is the labour contractor of the seeds' wage case.
var wageDebtor = auth.Principal{Subject: "xx-labour-contractor", Role: casefile.RoleParty}

// wageServer serves cases at three legal days per real second: slow
// enough that the day between a reminder 7 days and one 1 day before a
// due date is a third of a second, fast enough that a default, its
// escalation and a payment order's objection period pass in under 20 s.
func wageServer(t *testing.T) *httptest.Server {
	t.Helper()
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: 3 * 86400})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// seedCreditors are the 400 villagers owed 278,300 yuan, unevenly, every
// tenth in hardship.
func seedCreditors() ([]map[string]any, map[string]int64) {
	var out []map[string]any
	owed := map[string]int64{}
	for i := range 400 {
		id := fmt.Sprintf("villager-%03d", i+1)
		fen := 69_575 + int64(i%5-2)*100
		owed[id] = fen
		out = append(out, map[string]any{"id": id, "name": fmt.Sprintf("村民%d", i+1), "owed_fen": fen, "hardship": i%10 == 0})
	}
	return out, owed
}

type wageCreditorsPage struct {
	Creditors  []api.WageCreditorLine `json:"creditors"`
	NextCursor string                 `json:"next_cursor"`
	Totals     struct {
		Creditors int   `json:"creditors"`
		OwedFen   int64 `json:"owed_fen"`
		PaidFen   int64 `json:"paid_fen"`
	} `json:"totals"`
}

// TestWageSeedCase runs the seeds' case through the API: 400 creditors,
// three installments, nothing paid, every escalation step and its notice
// once, a payment order that becomes enforceable, then 278,300 yuan paid
// in full and divided to the fen.
func TestWageSeedCase(t *testing.T) {
	srv := wageServer(t)
	creditors, owed := seedCreditors()
	today := policy.DateOf(time.Now())
	due := []policy.Date{today.AddDays(10), today.AddDays(60), today.AddDays(90)}
	body := map[string]any{
		"case_number": fmt.Sprintf("（2026）黔2301民特欠薪%d号", time.Now().UnixNano()),
		"debtor":      map[string]any{"id": wageDebtor.Subject, "name": "某建筑劳务有限公司"},
		"creditors":   creditors,
		"schedule": []map[string]any{
			{"due_on": due[0], "amount_fen": 9_276_666}, {"due_on": due[1], "amount_fen": 9_276_667}, {"due_on": due[2], "amount_fen": 9_276_667},
		},
		"allocation": "hardship_first",
		"mediator":   mediator.Subject,
	}
	res := do(t, srv, &court, http.MethodPost, "/cases/wage", body)
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var opened api.CaseBody
	res.json(t, &opened)
	id := opened.Summary.ID
	require.Equal(t, casefile.ProcessWage, opened.Summary.Process)
	require.Equal(t, int64(27_830_000), opened.Summary.ClaimFen)
	require.Len(t, opened.Summary.Parties, 401, "the debtor and every creditor are parties")
	require.NotNil(t, opened.Wage)
	require.Equal(t, workflows.WagePerforming, opened.Wage.Stage)

	// Repeating the start answers with the case; another case under the
	// same number is refused.
	again := do(t, srv, &court, http.MethodPost, "/cases/wage", body)
	require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Body)
	body["mediator"] = otherMed.Subject
	require.Equal(t, http.StatusConflict, do(t, srv, &court, http.MethodPost, "/cases/wage", body).Status)

	// Bad commands change nothing.
	pay := "/cases/" + id + "/wage/payments"
	bad := []struct {
		name   string
		who    *auth.Principal
		body   map[string]any
		status int
	}{
		{"zero payment", &court, map[string]any{"amount_fen": 0, "paid_on": today}, http.StatusUnprocessableEntity},
		{"negative payment", &court, map[string]any{"amount_fen": -100, "paid_on": today}, http.StatusUnprocessableEntity},
		{"future date", &court, map[string]any{"amount_fen": 100, "paid_on": today.AddDays(30)}, http.StatusUnprocessableEntity},
		{"a creditor records", &auth.Principal{Subject: "villager-001", Role: casefile.RoleParty}, map[string]any{"amount_fen": 100, "paid_on": today}, http.StatusForbidden},
		{"a stranger", &stranger, map[string]any{"amount_fen": 100, "paid_on": today}, http.StatusNotFound},
		{"another mediator", &otherMed, map[string]any{"amount_fen": 100, "paid_on": today}, http.StatusNotFound},
	}
	for _, b := range bad {
		r := do(t, srv, b.who, http.MethodPost, pay, b.body)
		require.Equal(t, b.status, r.Status, "%s: body %s", b.name, r.Body)
		r.problem(t)
	}
	r := do(t, srv, &wageDebtor, http.MethodPost, "/cases/"+id+"/wage/objection", map[string]any{"reason": "异议"})
	require.Equal(t, http.StatusConflict, r.Status, "no payment order yet: %s", r.Body)

	// Nothing is paid: reminders for the first installment, the default
	// after its grace period, the five escalation steps, the payment
	// order's objection period passing.
	want := []string{workflows.NoticeWage, workflows.NoticeReminder, workflows.NoticeReminder,
		policy.EscalateNotice, policy.EscalateLabourInspection, policy.EscalateGuaranteeDrawdown,
		policy.EscalateBlacklist, policy.EscalatePaymentOrder, workflows.NoticeEnforceable}
	ns := awaitNotices(t, id, len(want))
	require.Eventually(t, func() bool {
		ns = awaitNotices(t, id, len(want))
		for _, n := range ns {
			if n.DeliveredAt == nil {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond, "every notice delivered")
	var kinds []string
	for _, n := range ns {
		kinds = append(kinds, n.Kind)
	}
	require.Equal(t, want, kinds)
	var counted int
	require.NoError(t, store.Pool().QueryRow(t.Context(), "SELECT count(*) FROM notices WHERE case_id = $1", id).Scan(&counted))
	require.Equal(t, len(want), counted, "got %d notices in the table, want %d", counted, len(want))
	require.Equal(t, "labour-inspection/CN-52", ns[4].Recipient)

	var cur api.CaseBody
	require.Eventually(t, func() bool {
		r := do(t, srv, &court, http.MethodGet, "/cases/"+id, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		r.json(t, &cur)
		return cur.Wage.Stage == workflows.WageEnforceable
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, int64(9_276_666), cur.Wage.PaymentOrder.AmountFen, "without acceleration the order demands what fell due")
	for _, e := range cur.Wage.Escalation {
		require.False(t, e.TakenOn.IsZero(), "%s taken", e.Kind)
	}
	r = do(t, srv, &wageDebtor, http.MethodPost, "/cases/"+id+"/wage/objection", map[string]any{"reason": "逾期异议"})
	require.Equal(t, http.StatusConflict, r.Status, "the objection period has passed: %s", r.Body)

	// The payment order is enforceable: the court opens enforcement on it,
	// with the wage case as its source, and orders detention (拘留).
	enfBody := api.StartEnforcementBody{
		CaseNumber: newEnforcementNumber(), Jurisdiction: "CN-52",
		Title: api.EnforceableTitleBody{
			Kind: workflows.TitlePaymentOrder, DocumentNumber: "（2026）黔2301民督1号",
			DocumentDate: cur.Wage.PaymentOrder.IssuedOn, SourceCaseID: id,
		},
		Applicant: "villager-001", Respondent: wageDebtor.Subject, AmountFen: 27_830_000,
		Parties: []api.PartyBody{
			{ID: "villager-001", Name: "村民1（代表）", Side: "applicant"},
			{ID: wageDebtor.Subject, Name: "某劳务公司", Side: "respondent"},
		},
	}
	// Opened the moment the case reads enforceable, before the ledger's row
	// may show it: the source's stage is read from the case itself.
	r = do(t, srv, &court, http.MethodPost, "/cases/enforcement", enfBody)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), id)
		require.NoError(t, err)
		return s.Stage == workflows.WageEnforceable
	}, 10*time.Second, 50*time.Millisecond, "the ledger's row follows")
	var enf api.CaseBody
	r.json(t, &enf)
	require.Equal(t, workflows.TitlePaymentOrder, enf.Enforcement.Title.Kind)
	require.Equal(t, []policy.Date{cur.Wage.PaymentOrder.ObjectionBy}, enf.Enforcement.Title.DueDates,
		"a payment order is payable within its objection period")
	detained := post(t, srv, "court", "/cases/"+enf.Summary.ID+"/enforcement/measures",
		map[string]any{"kind": "detention", "days": 15, "reason": "拒不支付劳动报酬"})
	require.Equal(t, court.Subject, detained.Enforcement.Measures[0].OrderedBy)
	// A mediation-agreement title cannot name a wage case.
	wrong := enfBody
	wrong.CaseNumber, wrong.Title.Kind = newEnforcementNumber(), workflows.TitleConfirmedMediationAgreement
	r = do(t, srv, &court, http.MethodPost, "/cases/enforcement", wrong)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "body: %s", r.Body)

	// The debtor pays 278,300 yuan in full; the court records it.
	r = do(t, srv, &court, http.MethodPost, pay, map[string]any{"amount_fen": 27_830_000, "paid_on": cur.Wage.CaseToday, "reason": "拘留后全额支付"}, "Idempotency-Key", "pay-all")
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var paid api.CaseBody
	r.json(t, &paid)
	require.Equal(t, workflows.WagePerformed, paid.Wage.Stage)
	require.Equal(t, 400, paid.Wage.LastPayment.Creditors)
	require.Equal(t, casefile.StatusClosed, paid.Summary.Status)
	require.Equal(t, casefile.Resolved, paid.Summary.Resolution)
	require.Equal(t, casefile.PerformedByEnforcement, paid.Summary.Performance)
	// A retry with the same key takes effect once: it is answered with the
	// payment's outcome although the case has closed since.
	r = do(t, srv, &court, http.MethodPost, pay, map[string]any{"amount_fen": 27_830_000, "paid_on": cur.Wage.CaseToday, "reason": "拘留后全额支付"}, "Idempotency-Key", "pay-all")
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var retried api.CaseBody
	r.json(t, &retried)
	require.Equal(t, paid.Wage.LastPayment, retried.Wage.LastPayment)
	// The same key with another body is refused.
	r = do(t, srv, &court, http.MethodPost, pay, map[string]any{"amount_fen": 27_830_000, "paid_on": cur.Wage.CaseToday}, "Idempotency-Key", "pay-all")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "body: %s", r.Body)

	// The per-creditor ledger, page by page: everyone paid in full.
	var lines []api.WageCreditorLine
	cursor := ""
	for page := 0; ; page++ {
		require.Less(t, page, 10)
		r := do(t, srv, &auditor, http.MethodGet, "/cases/"+id+"/wage/creditors?limit=150&cursor="+cursor, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var p wageCreditorsPage
		r.json(t, &p)
		require.Equal(t, 400, p.Totals.Creditors)
		require.Equal(t, int64(27_830_000), p.Totals.OwedFen)
		require.Equal(t, int64(27_830_000), p.Totals.PaidFen)
		lines = append(lines, p.Creditors...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	require.Len(t, lines, 400)
	var sum int64
	for i, l := range lines {
		require.Equal(t, i+1, l.No)
		require.Equal(t, owed[l.ID], l.OwedFen)
		require.Equal(t, l.OwedFen, l.PaidFen, "creditor %s: got %d paid, want %d", l.ID, l.PaidFen, l.OwedFen)
		require.Zero(t, l.OutstandingFen)
		require.True(t, l.NextDueOn.IsZero())
		sum += l.PaidFen
	}
	require.Equal(t, int64(27_830_000), sum)

	// A creditor sees their own line only.
	r = do(t, srv, &auth.Principal{Subject: "villager-007", Role: casefile.RoleParty}, http.MethodGet, "/cases/"+id+"/wage/creditors", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var own wageCreditorsPage
	r.json(t, &own)
	require.Len(t, own.Creditors, 1)
	require.Equal(t, "villager-007", own.Creditors[0].ID)

	// And among the case's parties, the debtor and themselves: in the case,
	// and in their ledger.
	villager7 := auth.Principal{Subject: "villager-007", Role: casefile.RoleParty}
	r = do(t, srv, &villager7, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var seen api.CaseBody
	r.json(t, &seen)
	require.Equal(t, []string{wageDebtor.Subject, "villager-007"}, seen.Summary.Parties)
	r = do(t, srv, &villager7, http.MethodGet, "/ledger?process=wage&limit=500", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var ledger api.LedgerBody
	r.json(t, &ledger)
	require.NotEmpty(t, ledger.Cases)
	for _, c := range ledger.Cases {
		require.Equal(t, []string{wageDebtor.Subject, "villager-007"}, c.Parties, "case %s in the ledger", c.ID)
	}
	// The debtor still sees every creditor.
	r = do(t, srv, &wageDebtor, http.MethodGet, "/cases/"+id, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r.json(t, &seen)
	require.Len(t, seen.Summary.Parties, 401)

	// The steps, in the audit trail.
	var steps int
	require.NoError(t, store.Pool().QueryRow(t.Context(),
		"SELECT count(*) FROM case_events WHERE case_id = $1 AND stream = 'wage' AND kind LIKE 'escalation_%'", id).Scan(&steps))
	require.Equal(t, 5, steps, "got %d escalation steps, want 5", steps)
}

// paidWageCase opens a small wage case on srv, records a partial payment,
// a debtor's report and the rest, and returns its workflow ID once the case
// has closed as paid in full.
func paidWageCase(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	today := policy.DateOf(time.Now())
	res := do(t, srv, &court, http.MethodPost, "/cases/wage", map[string]any{
		"case_number": fmt.Sprintf("（2026）黔2301民特欠租%d号", time.Now().UnixNano()),
		"debtor":      map[string]any{"id": wageDebtor.Subject, "name": "某农业合作社"},
		"creditors": []map[string]any{
			{"id": "household-1", "name": "农户甲", "owed_fen": 120_000, "hardship": true},
			{"id": "household-2", "name": "农户乙", "owed_fen": 80_000},
			{"id": "household-3", "name": "农户丙", "owed_fen": 100_000},
		},
		"schedule":   []map[string]any{{"due_on": today.AddDays(30), "amount_fen": 100_000}, {"due_on": today.AddDays(60), "amount_fen": 200_000}},
		"allocation": "pro_rata", "acceleration": true,
	})
	require.Equal(t, http.StatusCreated, res.Status, "body: %s", res.Body)
	var c api.CaseBody
	res.json(t, &c)
	pay := "/cases/" + c.Summary.ID + "/wage/payments"
	for _, p := range []struct {
		who *auth.Principal
		fen int64
	}{{&court, 100}, {&wageDebtor, 299_900}, {&court, 299_900}} {
		r := do(t, srv, p.who, http.MethodPost, pay, map[string]any{"amount_fen": p.fen, "paid_on": today})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	}
	require.Eventually(t, func() bool {
		s, err := store.Case(t.Context(), c.Summary.ID)
		return err == nil && s.Status == casefile.StatusClosed
	}, 10*time.Second, 20*time.Millisecond)
	return c.Summary.WorkflowID
}

// TestWageCreditorsReadableAtOnce reads the creditor ledger immediately
// after each 201 that opened a wage case: every creditor is there, owed
// what the case says, with the first due date, and the totals add up. The
// answer to the start waits for the ledger's first write, so no read after
// it finds the case without its creditors.
func TestWageCreditorsReadableAtOnce(t *testing.T) {
	srv := wageServer(t)
	today := policy.DateOf(time.Now())
	for n := range 6 {
		creditors := 3 + n*40 // 3 to 203: some cases write in one go, others are larger
		var list []map[string]any
		owed := map[string]int64{}
		var total int64
		for i := range creditors {
			id := fmt.Sprintf("worker-%d-%03d", n, i+1)
			fen := int64(10_000 + i*7)
			owed[id] = fen
			total += fen
			list = append(list, map[string]any{"id": id, "name": fmt.Sprintf("工人%d", i+1), "owed_fen": fen, "hardship": i%4 == 0})
		}
		first := total / 2
		body := map[string]any{
			"case_number": fmt.Sprintf("（2026）黔2301民特即读%d-%d号", time.Now().UnixNano(), n),
			"debtor":      map[string]any{"id": wageDebtor.Subject, "name": "某建筑劳务有限公司"},
			"creditors":   list,
			"schedule": []map[string]any{
				{"due_on": today.AddDays(20), "amount_fen": first}, {"due_on": today.AddDays(50), "amount_fen": total - first},
			},
			"allocation": "pro_rata",
		}
		res := do(t, srv, &court, http.MethodPost, "/cases/wage", body)
		require.Equal(t, http.StatusCreated, res.Status, "case %d: %s", n, res.Body)
		var opened api.CaseBody
		res.json(t, &opened)
		id := opened.Summary.ID

		// At once, no retry: the first read must hold every creditor.
		page := do(t, srv, &court, http.MethodGet, "/cases/"+id+"/wage/creditors?limit=1000", nil)
		require.Equal(t, http.StatusOK, page.Status, "case %d: %s", n, page.Body)
		var got wageCreditorsPage
		page.json(t, &got)
		require.Len(t, got.Creditors, creditors, "case %d: every creditor readable right after the 201", n)
		for _, c := range got.Creditors {
			require.Equal(t, owed[c.ID], c.OwedFen, "case %d: %s", n, c.ID)
			require.Equal(t, c.OwedFen, c.OutstandingFen)
			require.Equal(t, today.AddDays(20), c.NextDueOn, "case %d: %s has the first due date", n, c.ID)
		}
		require.Equal(t, creditors, got.Totals.Creditors)
		require.Equal(t, total, got.Totals.OwedFen)
		require.Zero(t, got.Totals.PaidFen)

		// A creditor reading its own line at once finds it too.
		self := auth.Principal{Subject: fmt.Sprintf("worker-%d-%03d", n, creditors), Role: casefile.RoleParty}
		mine := do(t, srv, &self, http.MethodGet, "/cases/"+id+"/wage/creditors", nil)
		require.Equal(t, http.StatusOK, mine.Status, "case %d: %s", n, mine.Body)
		var own wageCreditorsPage
		mine.json(t, &own)
		require.Len(t, own.Creditors, 1)
		require.Equal(t, self.Subject, own.Creditors[0].ID)
	}
}
