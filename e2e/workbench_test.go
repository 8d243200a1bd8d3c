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
	"github.com/casework/casework/db"
	"github.com/casework/casework/policy"
	"github.com/casework/casework/workflows"
)

// workbench serves the API with the development sign-ins of casework dev.
func workbench(t *testing.T, users ...auth.Principal) *httptest.Server {
	t.Helper()
	return workbenchAt(t, 1, users...)
}

// workbenchAt is workbench with cases whose clocks run at scale.
func workbenchAt(t *testing.T, scale int64, users ...auth.Principal) *httptest.Server {
	t.Helper()
	var dev []api.DevUser
	for _, u := range users {
		dev = append(dev, api.DevUser{Var: strings.ToUpper(u.Subject), Subject: u.Subject, Role: string(u.Role), Token: token(t, u)})
	}
	h, _ := api.New(&api.Server{Temporal: temporal, Store: store, Keys: keys, TimeScale: scale, DevUsers: dev})
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
	b.openCaseWithin(t, 20*time.Second, base, id, want...)
}

// openCaseWithin is openCase waiting up to limit, for what takes legal
// days to happen.
func (b *browser) openCaseWithin(t *testing.T, limit time.Duration, base, id string, want ...string) {
	t.Helper()
	b.openCaseUntil(t, limit, base, id, "", want...)
}

// openCaseUntil is openCaseWithin that also waits for a JavaScript
// condition on the page: a label can show (an installment "in default")
// before the case's own stage follows it, since the plan tells the case
// only after it has recorded its own step.
func (b *browser) openCaseUntil(t *testing.T, limit time.Duration, base, id, cond string, want ...string) {
	t.Helper()
	b.do(t, chromedp.Navigate(base+"/#/case/"+id))
	deadline := time.Now().Add(limit)
	// The page is loaded again, to see what has happened since, less and
	// less often: a reload cancels the requests still in flight (the
	// timeline's verify reads every history), so on a busy machine too
	// frequent a reload would never let them answer.
	reload, every := time.Now().Add(time.Second), time.Second
	for {
		text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		all := !strings.Contains(text, "加载中")
		for _, w := range want {
			all = all && strings.Contains(text, w)
		}
		if all && cond != "" {
			ok, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { try { return !!(`+cond+`) } catch (e) { return false } })()`))
			all = ok
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("case %s never showed %q (condition %q); it shows:\n%s", id, want, cond, text)
		}
		time.Sleep(250 * time.Millisecond)
		if time.Now().After(reload) {
			_ = eval[bool](t, b, `(() => { window.dispatchEvent(new HashChangeEvent('hashchange')); return true; })()`)
			every = min(2*every, 8*time.Second)
			reload = time.Now().Add(every)
		}
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
	b.waitText(t, "调解中", "¥13,027.00")
	id := strings.TrimPrefix(eval[string](t, b, `location.hash`), "#/case/")
	require.NotEmpty(t, id)

	// The mediator records the agreement in three installments; the editor
	// shows what remains of the total as the amounts are typed.
	b.signInAs(t, srv.URL, mediator.Subject)
	b.openCase(t, srv.URL, id, "调解中", "调解结果")
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
	// A due date as an English date picker writes it is refused at its
	// field before anything is sent.
	due0 := `#outcome [data-loc="terms.installments[0].due_on"]`
	b.fill(t, due0, "01/31/2027")
	b.click(t, `#outcome button[type=submit]`)
	b.waitJS(t, `document.querySelector(`+js(due0)+`).classList.contains('invalid') && /YYYY-MM-DD/.test(document.querySelector(`+js(due0)+`).closest('.cell').querySelector('.err').textContent)`)
	b.fill(t, due0, "2027-01-31")
	b.click(t, `#outcome button[type=submit]`)
	b.openCase(t, srv.URL, id, "达成调解协议", "2027-03-31", "¥3,027.00")

	// Both parties apply for judicial confirmation; the court accepts and confirms.
	for _, p := range []string{applicant.Subject, respondent.Subject} {
		b.signInAs(t, srv.URL, p)
		b.openCase(t, srv.URL, id, "申请司法确认")
		b.click(t, `#apply button[type=submit]`)
		b.openCase(t, srv.URL, id, p+" (party)")
	}
	b.signInAs(t, srv.URL, court.Subject)
	b.openCase(t, srv.URL, id, "已申请司法确认", "受理司法确认")
	b.click(t, `#accept button[type=submit]`)
	b.openCase(t, srv.URL, id, "司法确认审查中", "司法确认裁定")
	b.click(t, `#decide button[type=submit]`)
	b.openCase(t, srv.URL, id, "履行中", "登记付款")

	// The mediator records the first installment paid.
	b.signInAs(t, srv.URL, mediator.Subject)
	b.openCase(t, srv.URL, id, "履行中", "登记付款")
	b.fill(t, `#payment [data-loc=amount_fen]`, "5000.00")
	b.click(t, `#payment button[type=submit]`)
	b.openCase(t, srv.URL, id, "已付 ¥5,000.00")
	// The installments due on Sundays (2027-01-31, 2027-02-28) are marked
	// as rest days; the one due on a Wednesday is not.
	restOn := func(day string) bool {
		return eval[bool](t, b, `[...document.querySelectorAll('td')].some(td => td.textContent.startsWith(`+js(day)+`) && td.querySelector('.rest-day'))`)
	}
	b.waitJS(t, `document.querySelector('.rest-day')`)
	require.True(t, restOn("2027-01-31"))
	require.True(t, restOn("2027-02-28"))
	require.False(t, restOn("2027-03-31"))
	b.screenshot(t, "case")

	// A party of another dispute cannot see the case, nor learn that it
	// exists: the answer is the one for a case number never used.
	b.signInAs(t, srv.URL, stranger.Subject)
	b.openCase(t, srv.URL, id, "404", "没有此案件，或您无权查看")
	require.NotContains(t, eval[string](t, b, `document.body.innerText`), "13,027")

	// The auditor reads the timeline, verified intact, and changes nothing.
	b.signInAs(t, srv.URL, auditor.Subject)
	// Its steps in Chinese, each with its code kept.
	b.openCase(t, srv.URL, id, "委派调解", "达成调解协议", "当事人申请司法确认", "登记付款", "完整")
	require.Equal(t, "agreement_reached", eval[string](t, b, `document.querySelector('#timeline + table [data-code=agreement_reached]').title`))
	require.Equal(t, "自动履行告知书", eval[string](t, b, `document.querySelector('[data-code=performance_notice]').textContent`))
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
	b.openCase(t, srv.URL, id, "登记网络查控结果")

	b.fill(t, `#measure [data-loc=description]`, "某银行账户存款")
	b.click(t, `#measure button[type=submit]`)
	b.waitJS(t, `document.querySelector('form[id^="lifting-"]') || !document.querySelector('#measure .form-error').hidden`)
	require.Empty(t, eval[string](t, b, `document.querySelector('#measure') ? document.querySelector('#measure .form-error').textContent : ''`))
	b.openCase(t, srv.URL, id, "解除：冻结 #1")
	b.fill(t, `form[id^="lifting-"] [data-loc=reason]`, "被执行人提供担保")
	b.click(t, `form[id^="lifting-"] button[type=submit]`)
	b.waitJS(t, `!document.querySelector('form[id^="lifting-"]') || !document.querySelector('form[id^="lifting-"] .form-error').hidden`)
	require.Empty(t, eval[string](t, b, `document.querySelector('form[id^="lifting-"]') ? document.querySelector('form[id^="lifting-"] .form-error').textContent : ''`))
	b.openCase(t, srv.URL, id, "已解除")

	b.fill(t, `#enforcement-payment [data-loc=amount_fen]`, "9,027.00")
	b.click(t, `#enforcement-payment button[type=submit]`)
	b.openCase(t, srv.URL, id, "执行完毕", "¥9,027.00 / ¥9,027.00")
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

// submit submits the form sel and waits until the API accepted it (the
// case page was drawn again, the form with it) or refused it, which fails
// the test with the refusal.
func (b *browser) submit(t *testing.T, sel string) {
	t.Helper()
	require.True(t, eval[bool](t, b, `(() => { window.submitted = document.querySelector(`+js(sel)+`); return !!window.submitted; })()`), "no form %s", sel)
	b.click(t, sel+` button[type=submit]`)
	b.waitJS(t, `document.querySelector(`+js(sel)+`) !== window.submitted || !window.submitted.querySelector('.form-error').hidden`)
	require.Empty(t, eval[string](t, b, `document.querySelector(`+js(sel)+`) === window.submitted ? window.submitted.querySelector('.form-error').textContent : ''`), "%s refused", sel)
}

// refusedAfter submits the form sel and waits for the API's refusal.
func (b *browser) refusedAfter(t *testing.T, sel string, statuses string) {
	t.Helper()
	b.click(t, sel+` button[type=submit]`)
	b.refused(t, sel, statuses)
}

// refused waits until the form sel shows the API's refusal: its message
// above the form starting with one of the statuses.
func (b *browser) refused(t *testing.T, sel string, statuses string) {
	t.Helper()
	b.waitJS(t, `document.querySelector(`+js(sel+` .form-error`)+`) && !document.querySelector(`+js(sel+` .form-error`)+`).hidden && /^(`+statuses+`) /.test(document.querySelector(`+js(sel+` .form-error`)+`).textContent)`)
}

// TestBrowserDatesCodesAndMarks checks how the workbench writes and reads
// legal dates and codes: date fields are YYYY-MM-DD text, checked where
// they are typed, whatever the browser's locale; stages, statuses and
// deadline kinds are in Chinese, the code kept, English with ?lang=en; a
// deadline computed on a provisional holiday calendar carries 暂定 with
// why, in the ledger (which filters by it) and on the case, and a rest day
// is marked.
func TestBrowserDatesCodesAndMarks(t *testing.T) {
	srv := workbench(t, court)
	// A mediation case of a party of its own: its deadline, 30 legal days
	// on, is provisional when its year's arrangement is not published (as
	// 2027's is not, for a case opened from December 2026).
	owner := fmt.Sprintf("party-%d", time.Now().UnixNano())
	body := startBody(newCaseNumber())
	body.Parties[0].ID = owner
	res := do(t, srv, &court, "POST", "/cases/mediation", body)
	require.Equal(t, 201, res.Status, "body: %s", res.Body)
	var m api.CaseBody
	res.json(t, &m)
	base, err := policy.Default()
	require.NoError(t, err)
	cal, err := base.Calendar("CN-52")
	require.NoError(t, err)
	deadline := m.Mediation.Deadline
	provisional := cal.Status(deadline.Year()) == policy.Provisional
	t.Logf("mediation deadline %s, calendar provisional: %v", deadline, provisional)

	// A wage case whose first installment falls due on Saturday 2031-02-01:
	// an agreed date, which no calendar moves, so never provisional.
	debtor := fmt.Sprintf("debtor-%d", time.Now().UnixNano())
	res = do(t, srv, &court, "POST", "/cases/wage", api.StartWageBody{
		CaseNumber: fmt.Sprintf("（2026）黔2301民特%d号", time.Now().UnixNano()%1e9), Allocation: "pro_rata",
		Debtor:    api.WageDebtorBody{ID: debtor, Name: "某建筑劳务有限公司"},
		Creditors: []api.WageCreditorBody{{ID: debtor + "-w1", Name: "王一", OwedFen: 500_000}},
		Schedule:  []api.InstallmentBody{{DueOn: policy.NewDate(2031, 2, 1), AmountFen: 250_000}, {DueOn: policy.NewDate(2031, 3, 3), AmountFen: 250_000}},
	})
	require.Equal(t, 201, res.Status, "body: %s", res.Body)
	var w api.CaseBody
	res.json(t, &w)
	b := newBrowser(t)
	b.signInAs(t, srv.URL, court.Subject)

	// The date checks and the rest-day reading, in the browser itself.
	got := eval[string](t, b, `import('/app/dates.js').then(d => JSON.stringify([
		d.validDate('2026-12-03'), d.validDate('12/03/2026'), d.validDate('2026-02-30'), d.validDate('2028-02-29'), d.validDate('2026-2-3'),
		d.validDate('1899-12-31'), d.validDate('2199-12-31'),
		d.restDays({ statutory: [{ date: '2031-01-01' }] })('2031-01-01'), d.restDays({})('2031-02-01'), d.restDays({})('2031-02-03'),
		d.restDays({ workdays: [{ date: '2031-02-01', name: '调休上班' }], holidays: [{ date: '2031-02-03', name: '春节' }] })('2031-02-01'),
		d.restDays({ workdays: [{ date: '2031-02-01', name: '调休上班' }], holidays: [{ date: '2031-02-03', name: '春节' }] })('2031-02-03'),
		d.restDays({ holidays: [{ date: '2031-02-03', name: '春节' }] }).nameOf('2031-02-03'),
		d.chinaTime('2026-12-03T16:30:00Z')]))`)
	require.Equal(t, `[true,false,false,true,false,false,true,true,true,false,false,true,"春节","2026-12-04 00:30:00"]`, got)

	// In an official year the marks follow the arrangement in force the API
	// answers with, not weekends and statutory days alone: 2026's 4-7
	// October are holidays though the rule gives 1-3, and Saturday
	// 2026-10-10 is a make-up working day (调休上班).
	got = eval[string](t, b, `Promise.all([import('/app/dates.js'), fetch('/calendars/CN-52/2026', { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('casework.token') } }).then(r => r.json())])
		.then(([d, cal]) => { const rest = d.restDays(cal); return JSON.stringify([cal.status, rest('2026-10-05'), rest('2026-10-08'), rest('2026-10-10'), rest('2026-10-11'), rest.nameOf('2026-10-10')]); })`)
	require.Equal(t, `["official",true,false,false,true,"国庆节调休上班"]`, got)

	// The ledger's date filter is a YYYY-MM-DD text field: what the browser's
	// English date picker would take is refused at the field, nothing sent.
	b.do(t, chromedp.Navigate(srv.URL+"/#/ledger"))
	b.waitJS(t, `document.querySelector('#ledger-filter [data-loc=opened_from]') && document.querySelector('#prev')`)
	require.Equal(t, "text YYYY-MM-DD", eval[string](t, b, `(e => e.type + ' ' + e.placeholder)(document.querySelector('#ledger-filter [data-loc=opened_from]'))`))
	require.Zero(t, eval[int](t, b, `document.querySelectorAll('input[type=date]').length`), "no locale-dependent date picker")
	for _, bad := range []string{"12/03/2026", "2026-02-30"} {
		b.fill(t, `#ledger-filter [data-loc=opened_from]`, bad)
		b.click(t, `#ledger-filter button[type=submit]`)
		b.waitJS(t, `document.querySelector('#ledger-filter [data-loc=opened_from]').classList.contains('invalid') &&
			/YYYY-MM-DD/.test(document.querySelector('#ledger-filter [data-loc=opened_from]').closest('label').querySelector('.err').textContent)`)
	}
	b.fill(t, `#ledger-filter [data-loc=opened_from]`, m.Summary.OpenedOn.String())
	require.False(t, eval[bool](t, b, `document.querySelector('#ledger-filter [data-loc=opened_from]').classList.contains('invalid')`), "a valid date clears the error")
	b.fill(t, `#ledger-filter [data-loc=party]`, owner)
	b.click(t, `#ledger-filter [name=provisional]`)
	b.click(t, `#ledger-filter button[type=submit]`)
	row := `tr[data-id="` + m.Summary.ID + `"]`
	if provisional {
		b.waitJS(t, `document.querySelector(`+js(row+` .tag.provisional`)+`)`)
		require.Equal(t, "true", eval[string](t, b, `document.querySelector(`+js(row)+`).dataset.provisional`))
		require.Contains(t, eval[string](t, b, `document.querySelector(`+js(row+` .tag.provisional`)+`).title`), "尚未公布")
		require.Equal(t, "调解中", eval[string](t, b, `document.querySelector(`+js(row+` [data-code=mediating]`)+`).textContent`))
		require.Equal(t, "在办", eval[string](t, b, `document.querySelector(`+js(row+` [data-code=open]`)+`).textContent`))
		require.Contains(t, eval[string](t, b, `document.querySelector(`+js(row)+`).innerText`), deadline.String()+" 调解期限")
		b.screenshot(t, "ledger-provisional")
	} else {
		b.waitText(t, "没有案件")
	}

	// The case: its stage in Chinese, its deadline 暂定 exactly when the
	// calendar it was computed on is.
	b.openCase(t, srv.URL, m.Summary.ID, "调解中", "调解期限")
	li := `#deadlines li[data-on="` + deadline.String() + `"]`
	b.waitJS(t, `document.querySelector(`+js(li)+`)`)
	require.Equal(t, provisional, eval[bool](t, b, `!!document.querySelector(`+js(li+` .tag.provisional`)+`)`))
	require.False(t, eval[bool](t, b, `!!document.querySelector(`+js(li+` .rest-day`)+`)`), "a deadline is moved off rest days")
	require.Equal(t, "mediating", eval[string](t, b, `document.querySelector('h2 .stage').dataset.code`))
	b.screenshot(t, "case-provisional")

	// The wage case: the agreed due date is on a rest day and not provisional.
	b.openCase(t, srv.URL, w.Summary.ID, "履行中", "分期到期")
	li = `#deadlines li[data-on="2031-02-01"]`
	b.waitJS(t, `document.querySelector(`+js(li+` .rest-day`)+`)`)
	require.Contains(t, eval[string](t, b, `document.querySelector(`+js(li+` .rest-day`)+`).title`), "休息日")
	require.False(t, eval[bool](t, b, `!!document.querySelector(`+js(li+` .tag.provisional`)+`)`), "an agreed date does not move")

	// A case entered after the fact, opened on 2026-09-10: its mediation
	// deadline, 30 days on, is Saturday 2026-10-10, a make-up working day,
	// so it stays there and is not marked as a rest day.
	late := startBody(newCaseNumber())
	late.Parties[0].ID = owner
	late.OpenedOn = policy.NewDate(2026, time.September, 10)
	res = do(t, srv, &court, "POST", "/cases/mediation", late)
	require.Equal(t, 201, res.Status, "body: %s", res.Body)
	var lc api.CaseBody
	res.json(t, &lc)
	require.Equal(t, "2026-10-10", lc.Mediation.Deadline.String())
	b.openCase(t, srv.URL, lc.Summary.ID, "调解期限")
	li = `#deadlines li[data-on="2026-10-10"]`
	b.waitJS(t, `document.querySelector(`+js(li)+`)`)
	require.False(t, eval[bool](t, b, `!!document.querySelector(`+js(li+` .rest-day`)+`)`), "a make-up working Saturday is no rest day")
	require.False(t, eval[bool](t, b, `!!document.querySelector(`+js(li+` .tag.provisional`)+`)`), "2026 is an official year")

	// English, where chosen: the code's English words.
	b.do(t, chromedp.Navigate(srv.URL+"/?lang=en#/case/"+w.Summary.ID))
	b.waitJS(t, `document.querySelector('h2 .stage') && document.querySelector('h2 .stage').textContent === 'performing'`)
	b.do(t, chromedp.Navigate(srv.URL+"/?lang=zh#/case/"+w.Summary.ID))
	b.waitJS(t, `document.querySelector('h2 .stage') && document.querySelector('h2 .stage').textContent === '履行中'`)
	require.Empty(t, b.remoteRequests())
}

// TestBrowserUndeliverable is a clerk's list of the notices that could not
// be delivered, with the case and the channel's last error, and the case
// reached from it; a party is refused the list by the API.
func TestBrowserUndeliverable(t *testing.T) {
	srv := workbench(t, court, applicant)
	c := startCase(t, srv)
	why := fmt.Sprintf("channel refused: no such recipient (%d)", time.Now().UnixNano())
	nid, err := store.EnqueueNotice(t.Context(), db.Notice{
		NoticeKey: db.NoticeKey{CaseID: c.Summary.ID, Stream: "mediation", Kind: "urge", Seq: 0},
		Recipient: "xx-construction", Body: "请于期限内履行", CaseOn: c.Summary.OpenedOn,
	})
	require.NoError(t, err)
	require.NoError(t, store.NoticeUndeliverable(t.Context(), nid, why))

	b := newBrowser(t)
	b.signInAs(t, srv.URL, court.Subject)
	b.click(t, `#menu a[href="#/notices"]`)
	b.waitJS(t, `document.querySelector('#undeliverable-filter [data-loc=limit]') && document.querySelector('#prev')`)
	b.fill(t, `#undeliverable-filter [data-loc=limit]`, "500")
	b.fill(t, `#undeliverable-filter [data-loc=mediator]`, mediator.Subject)
	b.click(t, `#undeliverable-filter button[type=submit]`)
	row := fmt.Sprintf(`tr[data-notice="%d"]`, nid)
	b.waitJS(t, `document.querySelector(`+js(row)+`)`)
	text := eval[string](t, b, `document.querySelector(`+js(row)+`).innerText`)
	require.Contains(t, text, why)
	require.Contains(t, text, c.Summary.CaseNumber)
	require.Contains(t, text, "xx-construction")
	b.screenshot(t, "undeliverable")
	b.click(t, row+` a`)
	b.openCase(t, srv.URL, c.Summary.ID, c.Summary.CaseNumber, "调解中", why)

	b.signInAs(t, srv.URL, applicant.Subject)
	require.False(t, eval[bool](t, b, `!!document.querySelector('#menu a[href="#/notices"]')`), "a party is not offered the list")
	b.do(t, chromedp.Navigate(srv.URL+"/#/notices"))
	b.refused(t, `#undeliverable-filter`, "403")
	require.NotContains(t, eval[string](t, b, `document.body.innerText`), why)
	require.Empty(t, b.remoteRequests())
}

// TestBrowserBoundary is a boundary dispute (Process 2) negotiated in the
// workbench: the case leader opens it (a party without its representative
// refused at that field); the organising mediator schedules a round (a
// blank venue refused next to its field), records it, records a
// stabilisation measure (a bad date and a blank measure refused at their
// fields first) and the settlement with two markers; each village signs
// for itself and the settlement takes effect.
func TestBrowserBoundary(t *testing.T) {
	srv := workbench(t, bOrganiser, gachaA, villageB, bLeader)
	b := newBrowser(t)

	b.signInAs(t, srv.URL, bLeader.Subject)
	b.click(t, `#menu a[href="#/boundary"]`)
	b.waitJS(t, `document.querySelector('#open-boundary [data-loc="parties[1].representative"]')`)
	number := newBoundaryNumber()
	for sel, v := range map[string]string{
		"case_number": number, "jurisdiction": "CN-15-ALS", "title": "甲嘎查与乙村草场边界纠纷", "since": "1985",
		"organiser": bOrganiser.Subject, "case_leader": bLeader.Subject,
		`"parties[0].id"`: gachaA.Subject, `"parties[0].name"`: "甲嘎查村民委员会", `"parties[0].jurisdiction"`: "CN-15-ALS", `"parties[0].representative"`: "巴特尔",
		`"parties[1].id"`: villageB.Subject, `"parties[1].name"`: "乙村村民委员会", `"parties[1].jurisdiction"`: "CN-62-ZY",
	} {
		b.fill(t, `#open-boundary [data-loc=`+sel+`]`, v)
	}
	b.click(t, `#open-boundary button[type=submit]`)
	rep := `#open-boundary [data-loc="parties[1].representative"]`
	b.waitJS(t, `document.querySelector(`+js(rep)+`).classList.contains('invalid') && document.querySelector(`+js(rep)+`).closest('.cell').querySelector('.err').textContent.length > 0`)
	b.fill(t, rep, "王建国")
	b.click(t, `#open-boundary button[type=submit]`)
	b.waitText(t, number, "协商中", "甲嘎查与乙村草场边界纠纷（1985 年起）")
	id := strings.TrimPrefix(eval[string](t, b, `location.hash`), "#/case/")
	c := boundaryState(t, srv, id)
	require.Equal(t, number, c.Summary.CaseNumber)
	require.Equal(t, "CN-15-ALS", c.Summary.Jurisdiction)
	require.Equal(t, "王建国", c.Boundary.Parties[1].Representative)

	b.signInAs(t, srv.URL, bOrganiser.Subject)
	b.openCase(t, srv.URL, id, "协商中", "安排协商（村级）")
	b.click(t, `#boundary-round button[type=submit]`)
	b.waitJS(t, `document.querySelector('#boundary-round [data-loc=venue].invalid') && document.querySelector('#boundary-round [data-loc=venue]').closest('label').querySelector('.err').textContent.length > 0`)
	b.screenshot(t, "boundary-inline-error")
	b.fill(t, `#boundary-round [data-loc=venue]`, "甲嘎查党群服务中心")
	b.submit(t, `#boundary-round`)
	b.openCase(t, srv.URL, id, "甲嘎查党群服务中心", "记录协商结果：r1")
	b.fill(t, `#boundary-record-r1 [data-loc=outcome]`, "agreement_in_principle")
	b.submit(t, `#boundary-record-r1`)
	b.openCase(t, srv.URL, id, "已举行", "记录边界协议")
	require.Contains(t, eval[string](t, b, `document.querySelector('[data-code=agreement_in_principle]').textContent`), "原则上达成一致")

	b.fill(t, `#boundary-stabilisation [data-loc=incident]`, "牧民越界放牧引发争执")
	b.fill(t, `#boundary-stabilisation [data-loc=responsible_unit]`, "某苏木派出所")
	b.fill(t, `#boundary-stabilisation [data-loc=review_on]`, "2031/01/01")
	b.click(t, `#boundary-stabilisation button[type=submit]`)
	b.waitJS(t, `/YYYY-MM-DD/.test(document.querySelector('#boundary-stabilisation [data-loc=review_on]').closest('label').querySelector('.err').textContent)`)
	b.fill(t, `#boundary-stabilisation [data-loc=review_on]`, policy.DateOf(time.Now()).AddDays(30).String())
	b.click(t, `#boundary-stabilisation button[type=submit]`)
	b.waitJS(t, `document.querySelector('#boundary-stabilisation [data-loc=measure].invalid')`)
	b.fill(t, `#boundary-stabilisation [data-loc=measure]`, "双方暂停在争议草场放牧")
	b.submit(t, `#boundary-stabilisation`)
	b.openCase(t, srv.URL, id, "某苏木派出所", "双方暂停在争议草场放牧")

	b.fill(t, `#boundary-settlement [data-loc=terms]`, "以山脊为界，界桩为准")
	b.fill(t, `#boundary-settlement [data-loc=grazing_rules]`, "各自在界内放牧")
	b.fill(t, `#boundary-settlement [data-loc="markers[0].id"]`, "J1")
	b.fill(t, `#boundary-settlement [data-loc="markers[0].description"]`, "山脊石堆")
	b.fill(t, `#boundary-settlement [data-loc="markers[0].coordinates"]`, "E101.2041,N38.9120")
	b.click(t, `#add-marker`)
	b.fill(t, `#boundary-settlement [data-loc="markers[1].id"]`, "J2")
	b.fill(t, `#boundary-settlement [data-loc="markers[1].description"]`, "河湾")
	b.fill(t, `#boundary-settlement [data-loc="markers[1].coordinates"]`, "E101.2100,N38.9001")
	b.submit(t, `#boundary-settlement`)
	b.openCase(t, srv.URL, id, "协议签署中", "山脊石堆", "河湾", "乙村村民委员会 未签署")

	for _, p := range []auth.Principal{gachaA, villageB} {
		b.signInAs(t, srv.URL, p.Subject)
		b.openCase(t, srv.URL, id, "签署边界协议")
		require.Empty(t, eval[string](t, b, `document.querySelector('#boundary-stabilisation') ? 'offered' : ''`), "a party is not offered the organiser's forms")
		b.submit(t, `#boundary-sign`)
	}
	b.openCase(t, srv.URL, id, "协议生效·跟踪回访", "甲嘎查村民委员会 已签署", "乙村村民委员会 已签署")
	b.screenshot(t, "boundary")

	v := boundaryState(t, srv, id).Boundary
	require.Equal(t, "monitoring", v.Stage)
	require.Len(t, v.Rounds, 1)
	require.Equal(t, "agreement_in_principle", v.Rounds[0].Outcome)
	require.Len(t, v.Stabilisations, 1)
	require.Len(t, v.Settlement.Markers, 2)
	require.Len(t, v.Settlement.Signatures, 2)
	require.Empty(t, b.remoteRequests())
}

// TestBrowserEveryRoleRefused signs in as each role and has it use the
// pages and the forms of commands it may not take (the case page's "show
// every form" offers them all): each is refused by the API, 403 or, for a
// case outside the caller's, 404, the refusal is shown, and neither case
// changes.
func TestBrowserEveryRoleRefused(t *testing.T) {
	srv := workbench(t, court, mediator, applicant, stranger, auditor, supervisor, courtAdmin, gachaA, bLeader)
	m := startCase(t, srv)
	bc := startBoundary(t, srv, boundaryStartBody(newBoundaryNumber()))
	mid, bid := m.Summary.ID, bc.Summary.ID
	seqs := func() (int, int, string, int) {
		t.Helper()
		ms := boundaryState(t, srv, bid) // as the auditor of CN-15
		var mc api.CaseBody
		res := do(t, srv, &auditor, "GET", "/cases/"+mid, nil)
		require.Equal(t, 200, res.Status, "body: %s", res.Body)
		res.json(t, &mc)
		return mc.Summary.LastSeq, ms.Summary.LastSeq, mc.Summary.Stage, len(ms.Boundary.Rounds)
	}
	mSeq, bSeq, _, _ := seqs()
	b := newBrowser(t)

	caseRefused := func(id, statuses string) {
		t.Helper()
		b.do(t, chromedp.Navigate(srv.URL+"/#/case/"+id))
		b.waitJS(t, `document.querySelector('#case-error') && /^(`+statuses+`) /.test(document.querySelector('#case-error').textContent)`)
	}
	formRefused := func(id, form, statuses string) {
		t.Helper()
		b.openCase(t, srv.URL, id+"/all")
		b.waitJS(t, `document.querySelector(`+js(form+` button[type=submit]`)+`)`)
		// Every blank text field filled, so that the request is one the
		// role would be allowed to make but for its role.
		require.True(t, eval[bool](t, b, `(() => { for (const e of document.querySelectorAll(`+js(form+` input:not(.date), `+form+` textarea`)+`)) if (!e.value) e.value = '双方同意'; return true; })()`))
		b.click(t, form+` button[type=submit]`)
		b.refused(t, form, statuses)
	}
	pageRefused := func(route, form, statuses string) {
		t.Helper()
		b.do(t, chromedp.Navigate(srv.URL+"/#/"+route))
		if route == "delegate" {
			b.waitJS(t, `document.querySelector('#delegate [data-loc=case_number]')`)
			b.fill(t, `#delegate [data-loc=case_number]`, newCaseNumber())
			b.fill(t, `#delegate [data-loc=claim_fen]`, "1")
			b.click(t, `#delegate button[type=submit]`)
		}
		b.refused(t, form, statuses)
	}

	// The court may not record the mediator's steps, nor see a case of
	// another jurisdiction.
	b.signInAs(t, srv.URL, court.Subject)
	formRefused(mid, "#extend", "403")
	caseRefused(bid, "404")
	// The mediator may not delegate, nor see a case it does not mediate.
	b.signInAs(t, srv.URL, mediator.Subject)
	pageRefused("delegate", "#delegate", "403")
	caseRefused(bid, "404")
	// A party may not take the mediator's step, nor list undeliverable
	// notices; a party of another case does not see this one.
	b.signInAs(t, srv.URL, applicant.Subject)
	formRefused(mid, "#extend", "403")
	pageRefused("notices", "#undeliverable-filter", "403")
	b.signInAs(t, srv.URL, stranger.Subject)
	caseRefused(mid, "404")
	// The auditor changes nothing.
	b.signInAs(t, srv.URL, auditor.Subject)
	formRefused(mid, "#extend", "403")
	b.screenshot(t, "refused")
	pageRefused("delegate", "#delegate", "403")
	// A supervisor of the region who does not lead the case records nothing,
	// and does not see another region's case.
	b.signInAs(t, srv.URL, supervisor.Subject)
	formRefused(mid, "#extend", "403")
	caseRefused(bid, "404")
	// A court administrator publishes calendars and reads no case nor the ledger.
	b.signInAs(t, srv.URL, courtAdmin.Subject)
	pageRefused("ledger", "#ledger-filter", "403")
	caseRefused(mid, "403|404")
	// A village of the boundary case may sign a settlement, not schedule the
	// organiser's rounds; nor see the mediation case.
	b.signInAs(t, srv.URL, gachaA.Subject)
	b.openCase(t, srv.URL, bid, "协商中")
	require.Zero(t, eval[int](t, b, `document.querySelectorAll('#boundary-round').length`), "a party is not offered the organiser's form")
	formRefused(bid, "#boundary-round", "403")
	caseRefused(mid, "404")

	mAfter, bAfter, stage, rounds := seqs()
	require.Equal(t, mSeq, mAfter, "the mediation case took no step")
	require.Equal(t, bSeq, bAfter, "the boundary case took no step")
	require.Equal(t, "mediating", stage)
	require.Zero(t, rounds)
	require.Empty(t, b.remoteRequests())
}

// TestBrowserBoundaryFollowUp takes a settled boundary case (set up
// through the API, its clock fast) into the workbench: on the first
// follow-up visit's day the organiser records a visit that finds the
// settlement broken (refused without a note saying how, then with it and
// a damaged marker), and the case leader hands the case over.
func TestBrowserBoundaryFollowUp(t *testing.T) {
	srv := workbenchAt(t, boundaryScale, bOrganiser, bLeader, bSupervisor)
	c := startBoundary(t, srv, boundaryStartBody(newBoundaryNumber()))
	id := c.Summary.ID
	base := "/cases/" + id + "/boundary"
	holdRound(t, srv, id, bOrganiser, "嘎查会议室", workflows.RoundAgreementInPrinciple)
	bpost(t, srv, bOrganiser, base+"/settlement", map[string]any{
		"terms": "以J1、J2为界", "grazing_rules": "互不越界",
		"markers": []map[string]any{{"id": "J1", "description": "山脊石堆", "coordinates": "E101.2,N38.9"}, {"id": "J2", "description": "河湾", "coordinates": "E101.3,N38.8"}},
	})
	bpost(t, srv, gachaA, base+"/settlement/signatures", map[string]any{})
	v := bpost(t, srv, villageB, base+"/settlement/signatures", map[string]any{})
	require.Equal(t, workflows.BoundaryMonitoring, v.Stage)
	awaitCaseDay(t, srv, id, v.FollowUps[0].DueOn)

	b := newBrowser(t)
	b.signInAs(t, srv.URL, bOrganiser.Subject)
	b.openCase(t, srv.URL, id, "协议生效·跟踪回访", "回访（第 1 次")
	b.fill(t, `#boundary-follow-up [data-loc=holds]`, "false")
	b.fill(t, `#boundary-follow-up [data-loc="checks[1].status"]`, "damaged")
	b.refusedAfter(t, `#boundary-follow-up`, "422")
	require.Contains(t, eval[string](t, b, `document.querySelector('#boundary-follow-up .form-error').textContent`), "note")
	b.fill(t, `#boundary-follow-up [data-loc=note]`, "J2 界桩被移动，乙村越界放牧")
	b.submit(t, `#boundary-follow-up`)
	got := boundaryState(t, srv, id).Boundary
	require.False(t, got.FollowUps[0].RecordedOn.IsZero())
	require.False(t, got.FollowUps[0].Holds)
	require.Equal(t, "J2 界桩被移动，乙村越界放牧", got.FollowUps[0].Note)
	require.Contains(t, got.FollowUps[0].Checks, workflows.BoundaryMarkerCheck{Marker: "J2", Status: workflows.MarkerDamaged})
	b.openCase(t, srv.URL, id, "未维持")

	b.signInAs(t, srv.URL, bLeader.Subject)
	b.openCase(t, srv.URL, id, "指定包案领导")
	b.fill(t, `#boundary-case-leader [data-loc=case_leader]`, bSupervisor.Subject)
	b.fill(t, `#boundary-case-leader [data-loc=reason]`, "工作调动")
	b.submit(t, `#boundary-case-leader`)
	require.Equal(t, bSupervisor.Subject, boundaryState(t, srv, id).Boundary.CaseLeader)
	b.screenshot(t, "boundary-follow-up")
	require.Empty(t, b.remoteRequests())
}
