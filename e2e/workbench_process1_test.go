package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/auth"
	"github.com/casework/casework/policy"
)

// workbenchProcess1Scale runs one legal day per real second: the 30 days of
// mediation and of the confirmation application leave the browser half a
// minute for each step even on a loaded machine, and a missed installment
// is in default (7 days' grace and 3 of late recording) within seconds.
const workbenchProcess1Scale = 86400

// TestBrowserProcess1ToCompletion drives a whole Process 1 case through the
// workbench, each step by the role that takes it, under compressed time:
// the court delegates; the mediator records an agreement in three
// installments; both parties apply for confirmation; the court accepts and
// confirms; the mediator records the first installment paid; the page
// shows the case in default once the second's grace and late-recording
// window have passed; the court starts enforcement from the defaulted
// case's page for what is outstanding and, on the enforcement case's page,
// records a property inquiry, orders a freeze and records the rest paid,
// which completes it; the auditor reads both timelines, verified intact.
func TestBrowserProcess1ToCompletion(t *testing.T) {
	respondent := auth.Principal{Subject: "xx-construction", Role: "party"}
	srv := workbenchAt(t, workbenchProcess1Scale, court, mediator, applicant, respondent, auditor)
	b := newBrowserFor(t, 5*time.Minute)
	number := fmt.Sprintf("（2026）黔2301民诉前调%d号", time.Now().UnixNano()%1e9)
	today := func() policy.Date {
		t.Helper()
		d, err := policy.ParseDate(eval[string](t, b, `[...document.querySelectorAll('.facts dt')].find(x => x.textContent.startsWith('今日')).nextElementSibling.textContent`))
		require.NoError(t, err)
		return d
	}

	b.signInAs(t, srv.URL, court.Subject)
	b.do(t, chromedp.Navigate(srv.URL+"/#/delegate"))
	b.waitJS(t, `document.querySelector('#delegate [data-loc=case_number]')`)
	b.fill(t, `#delegate [data-loc=case_number]`, number)
	b.fill(t, `#delegate [data-loc=subject]`, "拖欠工程款")
	b.fill(t, `#delegate [data-loc=claim_fen]`, "13027")
	b.submit(t, `#delegate`)
	b.waitText(t, number, "调解中")
	id := strings.TrimPrefix(eval[string](t, b, `location.hash`), "#/case/")
	require.NotEmpty(t, id)

	// Due dates from the case's own today: the first two after the time
	// confirmation takes here, the third far out, so that enforcement is
	// filed while the plan still supervises it.
	b.signInAs(t, srv.URL, mediator.Subject)
	b.openCase(t, srv.URL, id, "调解中", "调解结果")
	agreed := today()
	due := []policy.Date{agreed.AddDays(30), agreed.AddDays(33), agreed.AddDays(120)}
	b.click(t, `#add-installment`)
	b.click(t, `#add-installment`)
	for i, amount := range []string{"5000", "5000", "3027"} {
		b.fill(t, fmt.Sprintf(`#outcome [data-loc="terms.installments[%d].due_on"]`, i), due[i].String())
		b.fill(t, fmt.Sprintf(`#outcome [data-loc="terms.installments[%d].amount_fen"]`, i), amount)
	}
	require.Equal(t, "¥0.00", eval[string](t, b, `document.querySelector('#remaining').textContent`))
	b.submit(t, `#outcome`)
	b.openCase(t, srv.URL, id, "达成调解协议", due[2].String())

	for _, p := range []string{applicant.Subject, respondent.Subject} {
		b.signInAs(t, srv.URL, p)
		b.openCase(t, srv.URL, id, "申请司法确认")
		b.submit(t, `#apply`)
		b.openCase(t, srv.URL, id, p+" (party)")
	}
	b.signInAs(t, srv.URL, court.Subject)
	b.openCase(t, srv.URL, id, "已申请司法确认", "受理司法确认")
	b.submit(t, `#accept`)
	b.openCase(t, srv.URL, id, "司法确认审查中", "司法确认裁定")
	b.submit(t, `#decide`)
	b.openCase(t, srv.URL, id, "履行中", "登记付款")

	// The mediator records the first installment paid, dated today.
	b.signInAs(t, srv.URL, mediator.Subject)
	b.openCase(t, srv.URL, id, "履行中", "登记付款")
	b.fill(t, `#payment [data-loc=amount_fen]`, "5000.00")
	b.submit(t, `#payment`)
	b.openCase(t, srv.URL, id, "已付 ¥5,000.00")

	// Nobody pays the second. Once its grace period and the late-recording
	// window have passed (about 43 legal days after the agreement: under
	// 45 seconds here), the page shows the case in default, the second
	// installment in default, and the plan still supervising the third.
	b.openCaseUntil(t, 2*time.Minute, srv.URL, id,
		`document.querySelector('h2 .stage').dataset.code === 'defaulted'`, "未按期履行")
	require.Equal(t, "defaulted", eval[string](t, b, `document.querySelector('h2 .stage').dataset.code`))
	require.Equal(t, "open", eval[string](t, b, `document.querySelector('h2 .status').dataset.code`), "the plan goes on supervising")
	states := eval[string](t, b, `[...document.querySelectorAll('#plan [data-code]')].map(x => x.dataset.code).join()`)
	require.Equal(t, "paid,defaulted,scheduled", states, "installment states")
	b.screenshot(t, "process1-defaulted")

	// The court, on the defaulted case's page, applies for enforcement of
	// what is outstanding.
	b.signInAs(t, srv.URL, court.Subject)
	b.openCase(t, srv.URL, id, "未按期履行", "申请强制执行")
	require.Equal(t, "8027.00", eval[string](t, b, `document.querySelector('#enforce [data-loc=amount_fen]').value`), "the form offers what is outstanding")
	b.fill(t, `#enforce [data-loc=case_number]`, newEnforcementNumber())
	b.submit(t, `#enforce`)
	b.waitJS(t, `location.hash.startsWith('#/case/') && location.hash !== `+js("#/case/"+id))
	eid := strings.TrimPrefix(eval[string](t, b, `location.hash`), "#/case/")
	b.openCase(t, srv.URL, eid, "执行中", "网络查控", "¥0.00 / ¥8,027.00", id)
	b.screenshot(t, "process1-enforcement")

	// On the enforcement case's page: a property inquiry, a freeze, the
	// rest paid; the case is completed.
	b.fill(t, `#inquiry [data-loc="findings[0].value_fen"]`, "10000")
	b.fill(t, `#inquiry [data-loc="findings[0].description"]`, "某银行基本账户")
	b.submit(t, `#inquiry`)
	b.openCase(t, srv.URL, eid, "登记网络查控结果")
	b.fill(t, `#measure [data-loc=description]`, "某银行基本账户存款")
	b.submit(t, `#measure`)
	b.openCase(t, srv.URL, eid, "生效中", "解除：冻结 #1")
	b.fill(t, `#enforcement-payment [data-loc=amount_fen]`, "8,027.00")
	b.fill(t, `#enforcement-payment [data-loc=reason]`, "扣划存款")
	b.submit(t, `#enforcement-payment`)
	b.openCase(t, srv.URL, eid, "执行完毕", "¥8,027.00 / ¥8,027.00")
	require.Equal(t, "completed", eval[string](t, b, `document.querySelector('h2 .stage').dataset.code`))
	require.Equal(t, "closed", eval[string](t, b, `document.querySelector('h2 .status').dataset.code`))
	b.screenshot(t, "process1-enforcement-completed")

	// Filing ended the plan: the defaulted case closes, links to its
	// enforcement and offers no second application.
	b.openCase(t, srv.URL, id, "已结", eid)
	require.Zero(t, eval[int](t, b, `document.querySelectorAll('#enforce').length`), "enforced once")

	// The auditor reads the timelines, each verified intact.
	b.signInAs(t, srv.URL, auditor.Subject)
	// The steps are in Chinese, their codes kept in data-code, and so are
	// the notices' kinds.
	b.openCase(t, srv.URL, eid, "执行立案", "采取执行措施", "登记执行款", "解除执行措施", "执行通知书", "完整")
	require.Contains(t, eval[string](t, b, `document.querySelector('#verify').className`), "green")
	require.True(t, eval[bool](t, b, `!!document.querySelector('#timeline + table [data-code=enforcement_completed]')`))
	b.openCase(t, srv.URL, id, "分期违约", "未按期履行", "履行督促结束", "违约告知（执行风险告知）", "完整")
	require.Contains(t, eval[string](t, b, `document.querySelector('#verify').className`), "green")
	steps := eval[string](t, b, `[...document.querySelectorAll('#timeline + table [data-code]')].map(x => x.dataset.code).join()`)
	for _, k := range []string{"delegated", "confirmed", "payment_recorded", "installment_defaulted", "performance_defaulted", "performance_supervision_ended"} {
		require.Contains(t, steps, k)
	}
	require.Equal(t, "分期违约", eval[string](t, b, `document.querySelector('#timeline + table [data-code=installment_defaulted]').textContent`))
	b.screenshot(t, "process1-timeline")
	require.Empty(t, b.remoteRequests(), "the workbench reached outside the machine")
}
