package e2e

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/auth"
	"github.com/casework/casework/policy"
)

// workbench serves the API with the development sign-ins of casework dev.
func workbench(t *testing.T, users ...auth.Principal) *httptest.Server {
	t.Helper()
	var dev []api.DevUser
	for _, u := range users {
		dev = append(dev, api.DevUser{Var: strings.ToUpper(u.Subject), Subject: u.Subject, Role: string(u.Role), Token: token(t, u)})
	}
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: 1, DevUsers: dev})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func js(v string) string { b, _ := json.Marshal(v); return string(b) }

// fill sets a field's value and fires the input event, as typing does.
func (b *browser) fill(t *testing.T, sel, value string) {
	t.Helper()
	ok := eval[bool](t, b, `(() => { const e = document.querySelector(`+js(sel)+`); if (!e) return false;
		e.value = `+js(value)+`; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	require.True(t, ok, "no field %s", sel)
}

func (b *browser) click(t *testing.T, sel string) {
	t.Helper()
	b.waitJS(t, `!!document.querySelector(`+js(sel)+`)`)
	require.True(t, eval[bool](t, b, `(() => { document.querySelector(`+js(sel)+`).click(); return true; })()`))
}

// waitJS waits until a JavaScript condition holds.
func (b *browser) waitJS(t *testing.T, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!(`+cond+`)`)); err == nil && v {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	t.Fatalf("never true: %s; the page shows:\n%s", cond, text)
}

// signInAs signs out whoever is signed in and picks subject among the
// development users.
func (b *browser) signInAs(t *testing.T, base, subject string) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/#/signin"))
	_ = eval[bool](t, b, `(() => { sessionStorage.clear(); return true; })()`)
	b.do(t, chromedp.Reload())
	b.click(t, `button.user[data-subject="`+subject+`"]`)
	b.waitText(t, subject)
}

// openCase shows a case and waits until its page shows every one of want,
// re-reading it while the workflow catches up.
func (b *browser) openCase(t *testing.T, base, id string, want ...string) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/#/case/"+id))
	deadline := time.Now().Add(20 * time.Second)
	for {
		text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		all := !strings.Contains(text, "加载中")
		for _, w := range want {
			all = all && strings.Contains(text, w)
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("case %s never showed %q; it shows:\n%s", id, want, text)
		}
		time.Sleep(300 * time.Millisecond)
		_ = eval[bool](t, b, `(() => { window.dispatchEvent(new HashChangeEvent('hashchange')); return true; })()`)
		time.Sleep(200 * time.Millisecond)
	}
}

// TestBrowserProcess1 is a clerk's, a mediator's, the parties' and an
// auditor's day in the workbench: a dispute delegated, agreed in three
// installments, confirmed and paid in part, every step through the pages
// by the role that takes it; a stranger cannot see the case; the auditor
// reads the verified timeline; the ledger and the cockpit show it.
func TestBrowserProcess1(t *testing.T) {
	respondent := auth.Principal{Subject: "xx-construction", Role: "party"}
	srv := workbench(t, court, mediator, applicant, respondent, stranger, auditor)
	b := newBrowser(t)
	number := fmt.Sprintf("（2026）黔2301民诉前调%d号", time.Now().UnixNano()%1e9)

	// The court delegates; a negative claim is refused next to its field.
	b.signInAs(t, srv.URL, court.Subject)
	b.do(t, chromedp.Navigate(srv.URL+"/#/delegate"))
	b.waitJS(t, `document.querySelector('#delegate [data-loc=case_number]')`)
	b.fill(t, `#delegate [data-loc=case_number]`, number)
	b.fill(t, `#delegate [data-loc=subject]`, "拖欠工程款")
	b.fill(t, `#delegate [data-loc=claim_fen]`, "-1.00")
	b.click(t, `#delegate button[type=submit]`)
	b.waitJS(t, `document.querySelector('#delegate [data-loc=claim_fen].invalid') && document.querySelector('#delegate [data-loc=claim_fen]').closest('label').querySelector('.err').textContent.length > 0`)
	b.screenshot(t, "form-inline-error")
	b.fill(t, `#delegate [data-loc=claim_fen]`, "13,027.00")
	b.click(t, `#delegate button[type=submit]`)
	b.waitText(t, "mediating", "¥13,027.00")
	id := strings.TrimPrefix(eval[string](t, b, `location.hash`), "#/case/")
	require.NotEmpty(t, id)

	// The mediator records the agreement in three installments; the editor
	// shows what remains of the total as the amounts are typed.
	b.signInAs(t, srv.URL, mediator.Subject)
	b.openCase(t, srv.URL, id, "mediating", "调解结果")
	b.click(t, `#add-installment`)
	b.click(t, `#add-installment`)
	for i, in := range [][2]string{{"2027-01-31", "5000"}, {"2027-02-28", "5000.00"}, {"2027-03-31", "3027"}} {
		b.fill(t, fmt.Sprintf(`#outcome [data-loc="terms.installments[%d].due_on"]`, i), in[0])
		b.fill(t, fmt.Sprintf(`#outcome [data-loc="terms.installments[%d].amount_fen"]`, i), in[1])
		if i == 1 {
			require.Equal(t, "¥3,027.00", eval[string](t, b, `document.querySelector('#remaining').textContent`))
		}
	}
	require.Equal(t, "¥0.00", eval[string](t, b, `document.querySelector('#remaining').textContent`))
	b.click(t, `#outcome button[type=submit]`)
	b.openCase(t, srv.URL, id, "agreement_reached", "2027-03-31", "¥3,027.00")

	// Both parties apply for judicial confirmation; the court accepts and confirms.
	for _, p := range []string{applicant.Subject, respondent.Subject} {
		b.signInAs(t, srv.URL, p)
		b.openCase(t, srv.URL, id, "申请司法确认")
		b.click(t, `#apply button[type=submit]`)
		b.openCase(t, srv.URL, id, p+" (party)")
	}
	b.signInAs(t, srv.URL, court.Subject)
	b.openCase(t, srv.URL, id, "confirmation_applied", "受理司法确认")
	b.click(t, `#accept button[type=submit]`)
	b.openCase(t, srv.URL, id, "confirmation_review", "司法确认裁定")
	b.click(t, `#decide button[type=submit]`)
	b.openCase(t, srv.URL, id, "performing", "登记付款")

	// The mediator records the first installment paid.
	b.signInAs(t, srv.URL, mediator.Subject)
	b.openCase(t, srv.URL, id, "performing", "登记付款")
	b.fill(t, `#payment [data-loc=amount_fen]`, "5000.00")
	b.click(t, `#payment button[type=submit]`)
	b.openCase(t, srv.URL, id, "已付 ¥5,000.00")
	b.screenshot(t, "case")

	// A party of another dispute cannot see the case, nor learn that it
	// exists: the answer is the one for a case number never used.
	b.signInAs(t, srv.URL, stranger.Subject)
	b.openCase(t, srv.URL, id, "404", "没有此案件，或您无权查看")
	require.NotContains(t, eval[string](t, b, `document.body.innerText`), "13,027")

	// The auditor reads the timeline, verified intact, and changes nothing.
	b.signInAs(t, srv.URL, auditor.Subject)
	b.openCase(t, srv.URL, id, "delegated", "agreement_reached", "完整")
	require.Contains(t, eval[string](t, b, `document.body.innerText`), "当前角色在此阶段没有可办理事项")
	b.screenshot(t, "timeline")

	// Other tests' cases share the ledger: narrow it to open mediation
	// cases of this mediator, a page as long as the form allows.
	b.do(t, chromedp.Navigate(srv.URL+"/#/ledger"))
	// Wait for the first page, so its answer cannot land after the
	// filtered one.
	b.waitJS(t, `document.querySelector('#ledger-filter [data-loc=limit]') && document.querySelector('#prev')`)
	b.fill(t, `#ledger-filter [data-loc=limit]`, "200")
	b.fill(t, `#ledger-filter [data-loc=mediator]`, mediator.Subject)
	b.fill(t, `#ledger-filter [data-loc=state]`, "open")
	b.fill(t, `#ledger-filter [data-loc=process]`, "mediation")
	b.click(t, `#ledger-filter button[type=submit]`)
	b.waitText(t, number)
	b.screenshot(t, "ledger")
	b.do(t, chromedp.Navigate(srv.URL+"/#/cockpit"))
	b.waitJS(t, `document.querySelectorAll('.chart canvas').length === 4 && document.querySelector('.ratio')`)
	b.screenshot(t, "cockpit")
	require.Empty(t, b.remoteRequests(), "the workbench reached outside the machine")
}

// TestBrowserRolesAndImports checks what a role without the right sees
// when it uses a page anyway, the wage CSV import's per-row report, and
// the workbench's money arithmetic in the browser.
func TestBrowserRolesAndImports(t *testing.T) {
	srv := workbench(t, court, mediator, applicant)
	b := newBrowser(t)

	// Money: integer fen to yuan and back, exact beyond a float's cents.
	b.signInAs(t, srv.URL, applicant.Subject)
	got := eval[string](t, b, `import('/app/money.js').then(m => JSON.stringify([
		m.yuan(1302700), m.yuan(1), m.yuan(-5), m.yuan(900719925474099), m.parseYuan('12,345.67'), m.parseYuan('0.1'),
		m.parseYuan('1.005'), m.parseYuan('abc'), m.parseYuan('¥3'), m.fenToInput(1302700)]))`)
	require.Equal(t, `["¥13,027.00","¥0.01","-¥0.05","¥9,007,199,254,740.99",1234567,10,null,null,300,"13027.00"]`, got)

	// A party that opens the court's delegation page anyway is refused by
	// the API, and the refusal is shown.
	b.do(t, chromedp.Navigate(srv.URL+"/#/delegate"))
	b.waitJS(t, `document.querySelector('#delegate [data-loc=case_number]')`)
	b.fill(t, `#delegate [data-loc=case_number]`, fmt.Sprintf("（2026）黔2301民诉前调%d号", time.Now().UnixNano()%1e9))
	b.fill(t, `#delegate [data-loc=claim_fen]`, "100")
	b.click(t, `#delegate button[type=submit]`)
	b.waitJS(t, `!document.querySelector('#delegate .form-error').hidden && /^403 /.test(document.querySelector('#delegate .form-error').textContent)`)
	require.Contains(t, eval[string](t, b, `location.hash`), "delegate", "no case was opened")

	// The court imports creditors from a CSV file: a bad row is reported by
	// its number and nothing is sent; the corrected file opens the case.
	b.signInAs(t, srv.URL, court.Subject)
	b.do(t, chromedp.Navigate(srv.URL+"/#/wage"))
	b.waitJS(t, `document.querySelector('#creditors-file')`)
	dir := t.TempDir()
	bad := dir + "/bad.csv"
	require.NoError(t, os.WriteFile(bad, []byte("id,name,owed_yuan,hardship\nworker-1,王一,3000.00,\nworker-2,,2000,是\nworker-3,张三,-5,\n"), 0o644))
	b.do(t, chromedp.SetUploadFiles(chromedp.CSS(`#creditors-file`), []string{bad}))
	b.waitText(t, "1 行可导入", "2 行有错误", "name missing", "owed must be a positive amount")
	number := fmt.Sprintf("（2026）黔2301民特%d号", time.Now().UnixNano()%1e9)
	b.fill(t, `#wage [data-loc=case_number]`, number)
	b.fill(t, `#wage [data-loc="debtor.id"]`, "xx-contractor")
	b.fill(t, `#wage [data-loc="debtor.name"]`, "某建筑劳务有限公司")
	b.fill(t, `#wage [data-loc=schedule]`, "2027-01-31,2500.00\n2027-02-28,2500.00")
	b.click(t, `#wage button[type=submit]`)
	b.waitJS(t, `/2 行有错误/.test(document.querySelector('#wage .form-error').textContent)`)
	b.screenshot(t, "wage-import-errors")
	good := dir + "/good.csv"
	require.NoError(t, os.WriteFile(good, []byte("id,name,owed_yuan,hardship\nworker-1,王一,3000.00,\nworker-2,李二,2000,是\n"), 0o644))
	b.do(t, chromedp.SetUploadFiles(chromedp.CSS(`#creditors-file`), []string{good}))
	b.waitText(t, "2 行可导入", "0 行有错误")
	b.click(t, `#wage button[type=submit]`)
	b.waitText(t, number, "¥5,000.00")
	require.Empty(t, b.remoteRequests())
}

// TestBrowserEnforcement is a court clerk's enforcement of a judgment in
// the workbench: a property inquiry, a freeze ordered and lifted, the debt
// paid in full, the case completed.
func TestBrowserEnforcement(t *testing.T) {
	srv := workbench(t, court)
	today := policy.DateOf(time.Now())
	c := startEnforcement(t, srv, judgmentEnforcement(today.AddDays(-60), today.AddDays(-30), 902_700))
	id := c.Summary.ID
	b := newBrowser(t)
	b.signInAs(t, srv.URL, court.Subject)

	b.openCase(t, srv.URL, id, "网络查控", "¥9,027.00")
	b.fill(t, `#inquiry [data-loc="findings[0].value_fen"]`, "20000")
	b.fill(t, `#inquiry [data-loc="findings[0].description"]`, "某银行账户")
	b.click(t, `#inquiry button[type=submit]`)
	b.openCase(t, srv.URL, id, "property_inquiry")

	b.fill(t, `#measure [data-loc=description]`, "某银行账户存款")
	b.click(t, `#measure button[type=submit]`)
	b.waitJS(t, `document.querySelector('form[id^="lifting-"]') || !document.querySelector('#measure .form-error').hidden`)
	require.Empty(t, eval[string](t, b, `document.querySelector('#measure') ? document.querySelector('#measure .form-error').textContent : ''`))
	b.openCase(t, srv.URL, id, "解除 lift：freeze #1")
	b.fill(t, `form[id^="lifting-"] [data-loc=reason]`, "被执行人提供担保")
	b.click(t, `form[id^="lifting-"] button[type=submit]`)
	b.waitJS(t, `!document.querySelector('form[id^="lifting-"]') || !document.querySelector('form[id^="lifting-"] .form-error').hidden`)
	require.Empty(t, eval[string](t, b, `document.querySelector('form[id^="lifting-"]') ? document.querySelector('form[id^="lifting-"] .form-error').textContent : ''`))
	b.openCase(t, srv.URL, id, "lifted")

	b.fill(t, `#enforcement-payment [data-loc=amount_fen]`, "9,027.00")
	b.click(t, `#enforcement-payment button[type=submit]`)
	b.openCase(t, srv.URL, id, "completed", "¥9,027.00 / ¥9,027.00")
	b.screenshot(t, "enforcement")
	require.Empty(t, b.remoteRequests())
}

// TestBrowserLedgerPagingAndRoles pages the ledger one case at a time by
// its cursor, exports it as CSV, and has every role but the court try the
// court's pages: the API refuses each, and the page says so.
func TestBrowserLedgerPagingAndRoles(t *testing.T) {
	supervisorUser := supervisor
	srv := workbench(t, court, mediator, applicant, auditor, supervisorUser)
	// Two cases of a party of their own, so the filter holds only them.
	owner := fmt.Sprintf("party-%d", time.Now().UnixNano())
	open := func() api.CaseBody {
		body := startBody(newCaseNumber())
		body.Parties[0].ID = owner
		res := do(t, srv, &court, "POST", "/cases/mediation", body)
		require.Equal(t, 201, res.Status, "body: %s", res.Body)
		var c api.CaseBody
		res.json(t, &c)
		return c
	}
	first, second := open(), open()
	b := newBrowser(t)

	b.signInAs(t, srv.URL, court.Subject)
	b.do(t, chromedp.Navigate(srv.URL+"/#/ledger"))
	b.waitJS(t, `document.querySelector('#ledger-filter [data-loc=limit]')`)
	b.fill(t, `#ledger-filter [data-loc=limit]`, "1")
	b.fill(t, `#ledger-filter [data-loc=party]`, owner)
	b.click(t, `#ledger-filter button[type=submit]`)
	b.waitJS(t, `document.querySelectorAll('tr[data-id]').length === 1 && !document.querySelector('#next').disabled`)
	page1 := eval[string](t, b, `document.querySelector('tr[data-id]').dataset.id`)
	b.click(t, `#next`)
	b.waitJS(t, `document.querySelector('tr[data-id]') && document.querySelector('tr[data-id]').dataset.id !== `+js(page1))
	page2 := eval[string](t, b, `document.querySelector('tr[data-id]').dataset.id`)
	require.ElementsMatch(t, []string{second.Summary.ID, first.Summary.ID}, []string{page1, page2}, "one case a page")
	require.True(t, eval[bool](t, b, `document.querySelector('#next').disabled`), "two cases, two pages")
	b.click(t, `#prev`)
	b.waitJS(t, `document.querySelector('tr[data-id]') && document.querySelector('tr[data-id]').dataset.id === `+js(page1))

	// CSV export follows every page of the filter; the file is caught
	// before the browser saves it.
	eval[bool](t, b, `(() => { const make = URL.createObjectURL; URL.createObjectURL = x => { window.savedBlob = x; return make(x); };
		HTMLAnchorElement.prototype.click = function () {}; return true; })()`)
	b.click(t, `#export`)
	b.waitJS(t, `window.savedBlob`)
	csv := eval[string](t, b, `window.savedBlob.text()`)
	require.True(t, strings.HasPrefix(csv, "case_number,id,process"), "csv: %s", csv)
	require.Equal(t, "239,187,191", eval[string](t, b, `window.savedBlob.arrayBuffer().then(x => new Uint8Array(x).slice(0, 3).join())`), "a UTF-8 BOM, for spreadsheets")
	require.Contains(t, csv, first.Summary.ID)
	require.Contains(t, csv, second.Summary.ID)
	require.Contains(t, csv, "13027.00")

	for _, p := range []auth.Principal{mediator, applicant, auditor, supervisorUser} {
		b.signInAs(t, srv.URL, p.Subject)
		b.do(t, chromedp.Navigate(srv.URL+"/#/delegate"))
		b.waitJS(t, `document.querySelector('#delegate [data-loc=case_number]')`)
		b.fill(t, `#delegate [data-loc=case_number]`, newCaseNumber())
		b.fill(t, `#delegate [data-loc=claim_fen]`, "1")
		b.click(t, `#delegate button[type=submit]`)
		b.waitJS(t, `!document.querySelector('#delegate .form-error').hidden && /^403 /.test(document.querySelector('#delegate .form-error').textContent)`)
		b.do(t, chromedp.Navigate(srv.URL+"/#/wage"))
		b.waitJS(t, `document.querySelector('#wage [data-loc=case_number]')`)
		b.fill(t, `#wage [data-loc=case_number]`, newCaseNumber())
		b.click(t, `#wage button[type=submit]`)
		b.waitJS(t, `!document.querySelector('#wage .form-error').hidden && /^(403|422) /.test(document.querySelector('#wage .form-error').textContent)`)
		// The case the court opened offers this role nothing it may not do.
		b.openCase(t, srv.URL, first.Summary.ID)
		text := eval[string](t, b, `document.body.innerText`)
		if p.Role != "mediator" {
			require.NotContains(t, text, "调解结果", "%s is offered the mediator's outcome", p.Subject)
		}
		require.NotContains(t, text, "受理司法确认", "%s is offered the court's acceptance", p.Subject)
	}
	require.Empty(t, b.remoteRequests())
}
