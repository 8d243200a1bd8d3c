package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/casework/casework/api"
	"github.com/casework/casework/workflows"
)

// TestBrowserIntake is a dispute's way through the centre's one window in
// the workbench: the dispatcher registers it (点单), re-grades it as hard,
// keeps its case-leader record and dispatches it (派单); the mediator
// accepts it (接单) and records it resolved (办单); the applicant rates
// the handling (评单); the dispatcher records the follow-up visit once it
// falls due. Each page shows what the step did, and the week's list has
// the dispute among the new ones.
func TestBrowserIntake(t *testing.T) {
	// Half a legal day per second: the first follow-up visit, 7 days after
	// the outcome, falls due in 14 seconds.
	srv := workbenchAt(t, 43200, window, mediator, applicant, obligor)
	b := newBrowserFor(t, 4*time.Minute)
	number := newIntakeNumber()

	// The window lands on the intake page and registers the dispute; a
	// missing summary is refused next to its field.
	b.signInAs(t, srv.URL, window.Subject)
	b.waitJS(t, `location.hash === '#/intake' && document.querySelector('#intake-register [data-loc=case_number]')`)
	b.waitText(t, "周台账（存量、新增、变化、销号）", "存量", "新增", "变化", "销号")
	b.fill(t, `#intake-register [data-loc=case_number]`, number)
	b.fill(t, `#intake-register [data-loc="parties[0].id"]`, applicant.Subject)
	b.fill(t, `#intake-register [data-loc="parties[0].name"]`, "张三")
	b.fill(t, `#intake-register [data-loc="parties[1].id"]`, obligor.Subject)
	b.fill(t, `#intake-register [data-loc="parties[1].name"]`, "某建筑公司")
	b.fill(t, `#intake-register [data-loc=channel]`, "call")
	b.click(t, `#intake-register button[type=submit]`)
	b.waitJS(t, `document.querySelector('#intake-register [data-loc=summary].invalid')`)
	b.fill(t, `#intake-register [data-loc=summary]`, "拖欠装修工程款，多次协商未果")
	b.screenshot(t, "intake-register")
	b.click(t, `#intake-register button[type=submit]`)
	b.waitJS(t, `location.hash.startsWith('#/case/')`)
	id := strings.TrimPrefix(eval[string](t, b, `location.hash`), "#/case/")
	require.Equal(t, workflows.CaseID(number), id)
	b.waitText(t, number, "已登记待派单", "来电", "绿色（一般）", "普通", "拖欠装修工程款", "窗口登记（点单）", "张三", "某建筑公司")
	require.Equal(t, "registered", eval[string](t, b, `document.querySelector('#intake-steps li.current').dataset.stage`))

	// Re-graded yellow and hard (疑难复杂): it needs a case-leader record,
	// and its tier becomes priority (加急).
	b.waitJS(t, `document.querySelector('#intake-regrade')`)
	b.fill(t, `#intake-regrade [data-loc=risk]`, "yellow")
	b.click(t, `#intake-regrade [data-loc=hard]`)
	b.fill(t, `#intake-regrade [data-loc=reason]`, "涉及多名农民工，易引发群体性事件")
	b.submit(t, `#intake-regrade`)
	b.waitText(t, "黄色（较大）", "疑难复杂", "加急", "风险等级调整", "涉及多名农民工")
	b.waitJS(t, `document.querySelector('#case-leader-missing')`)

	b.fill(t, `#intake-case-leader [data-loc=lead_department]`, "兴义市住房和城乡建设局")
	b.fill(t, `#intake-case-leader [data-loc=leader]`, supervisor.Subject)
	b.fill(t, `#intake-case-leader [data-loc=cooperating_units]`, "兴义市人力资源和社会保障局，桔山街道办事处")
	b.fill(t, `#intake-case-leader [data-loc=measures]`, "约谈建设单位，督促支付工程款")
	b.submit(t, `#intake-case-leader`)
	b.waitJS(t, `document.querySelector('#case-leader-record') && document.querySelector('#case-leader-record').innerText.includes('`+supervisor.Subject+`')`)
	b.waitText(t, "兴义市住房和城乡建设局", "兴义市人力资源和社会保障局、桔山街道办事处", "建立包案档案（一案一档）")

	// Dispatched to the mediation committee.
	b.fill(t, `#intake-dispatch [data-loc=kind]`, "mediation_committee")
	b.fill(t, `#intake-dispatch [data-loc=unit]`, "兴义市人民调解委员会")
	b.fill(t, `#intake-dispatch [data-loc=handler]`, mediator.Subject)
	b.submit(t, `#intake-dispatch`)
	b.waitText(t, "已派单待接单", "派单记录", "兴义市人民调解委员会（人民调解委员会）")
	require.Contains(t, eval[string](t, b, `document.querySelector('#dispatches').innerText`), mediator.Subject)
	require.Equal(t, "dispatched", eval[string](t, b, `document.querySelector('#intake-steps li.current').dataset.stage`))
	b.screenshot(t, "intake-case-dispatched")

	// The week's list has it among the new disputes.
	b.do(t, chromedp.Navigate(srv.URL+"/#/intake"))
	b.waitJS(t, `document.querySelector('.weekly-new tr[data-id="`+id+`"]')`)
	require.Contains(t, eval[string](t, b, `document.querySelector('.weekly-new tr[data-id="`+id+`"]').innerText`), "已派单待接单")
	b.screenshot(t, "intake-weekly")
	// Below it, the month's list of overdue disputes for the joint meeting.
	b.waitJS(t, `document.querySelector('#monthly-counts')`)
	b.waitText(t, "月度联席会议·超期纠纷清单", "已研判", "未研判")

	// The mediator accepts and resolves it.
	b.signInAs(t, srv.URL, mediator.Subject)
	b.openCase(t, srv.URL, id, "已派单待接单", "接单")
	require.Zero(t, eval[int](t, b, `document.querySelectorAll('#intake-dispatch, #intake-case-leader, #intake-follow-up').length`),
		"the mediator is offered none of the window's commands")
	b.submit(t, `#intake-accept`)
	b.waitText(t, "办理中", "接单")
	b.fill(t, `#intake-outcome [data-loc=outcome]`, "resolved")
	b.fill(t, `#intake-outcome [data-loc=note]`, "双方达成分期付款协议")
	b.submit(t, `#intake-outcome`)
	b.waitText(t, "跟踪回访·评价", "办理结果", "已化解", "报送办理结果（办单）")

	// The applicant rates it.
	b.signInAs(t, srv.URL, applicant.Subject)
	b.openCase(t, srv.URL, id, "跟踪回访·评价")
	b.fill(t, `#intake-rating [data-loc=score]`, "4")
	b.fill(t, `#intake-rating [data-loc=comment]`, "调解员很耐心")
	b.submit(t, `#intake-rating`)
	b.waitJS(t, `document.querySelector('#ratings') && document.querySelector('#ratings').innerText.includes('★★★★☆ 4')`)
	b.waitText(t, "调解员很耐心", "当事人评价（评单）")
	require.Zero(t, eval[int](t, b, `document.querySelectorAll('#intake-rating').length`), "a party rates once")

	// The window records the first follow-up visit once it is due.
	b.signInAs(t, srv.URL, window.Subject)
	b.openCaseWithin(t, time.Minute, srv.URL, id, "已到期待回访")
	b.fill(t, `#intake-follow-up [data-loc=holds]`, "true")
	b.fill(t, `#intake-follow-up [data-loc=note]`, "已按期付款")
	b.submit(t, `#intake-follow-up`)
	b.waitJS(t, `document.querySelector('#intake-follow-ups') && document.querySelector('#intake-follow-ups').innerText.includes('已回访')`)
	b.waitText(t, "已按期付款", "已回访")
	b.screenshot(t, "intake-case-followed-up")
	require.Empty(t, b.remoteRequests(), "the workbench reached outside the machine")
}

// TestBrowserBulkBatch is a small batch of financial disputes in the
// workbench: the intake clerk's file with one bad row is refused with the
// row's error shown, the corrected file is filed and its page shows its
// rows, amounts to the fen, progress and funnel; the court resolves one
// row, repairs the contact of an unreachable one, fails its mediation and
// records the debtor's objection to the payment order; the clerk
// downloads the documents the rows have.
func TestBrowserBulkBatch(t *testing.T) {
	ctx := context.Background()
	srv := workbench(t, clerk, court)
	b := newBrowserFor(t, 3*time.Minute)
	uniq := time.Now().UnixNano() % 1e11
	tag := fmt.Sprint(uniq)
	idNo := func(i int) string { return fmt.Sprintf("5223%013d%d", uniq*10+int64(i), i) }
	// Row 3's debtor has a 终本 ruling elsewhere: it is written off.
	_, err := stack.Pool.Exec(ctx, `INSERT INTO terminated_debtors VALUES ($1, '某区人民法院', $2, '2025-06-30') ON CONFLICT DO NOTHING`,
		idNo(3), "（2025）黔执"+tag+"号")
	require.NoError(t, err)
	header := strings.Join(api.BatchColumns, ",") + "\n"
	row := func(i int, name, phone, principal string) string {
		return fmt.Sprintf("%s,%s,%s,WB%s-%d,%s,12.34,0.05\n", name, idNo(i), phone, tag, i, principal)
	}
	good := header + row(1, "陈一", "13800000001", "1234.56") + row(2, "林二", "", "98765.43") + row(3, "黄三", "13800000003", "500")
	bad := header + row(1, "陈一", "13800000001", "1234.56") + row(2, "林二", "", "98765.432") + row(3, "黄三", "13800000003", "500")

	b.signInAs(t, srv.URL, clerk.Subject)
	b.waitJS(t, `location.hash === '#/batches' && document.querySelector('#batch-upload')`)
	setFile := func(text string) {
		ok := eval[bool](t, b, `(() => { const dt = new DataTransfer(); dt.items.add(new File([`+js(text)+`], 'batch.csv', { type: 'text/csv' }));
			const f = document.querySelector('#batch-file'); f.files = dt.files; return f.files.length === 1; })()`)
		require.True(t, ok)
	}
	setFile(bad)
	b.click(t, `#batch-upload button[type=submit]`)
	b.waitJS(t, `document.querySelector('#batch-report tr[data-row="2"][data-field=principal]')`)
	report := eval[string](t, b, `document.querySelector('#batch-report').innerText`)
	require.Contains(t, report, "逐行错误报告（整份文件未受理）（1）")
	require.Contains(t, report, "本金")
	require.Contains(t, report, "98765.432")
	require.Contains(t, eval[string](t, b, `document.querySelector('#batch-upload .form-error').innerText`), "422")
	b.screenshot(t, "batch-refused")
	batches, rows := bulkCounts(t)

	setFile(good)
	b.click(t, `#batch-upload button[type=submit]`)
	b.waitJS(t, `location.hash.startsWith('#/batch/')`)
	id := strings.TrimPrefix(eval[string](t, b, `location.hash`), "#/batch/")
	require.Equal(t, api.BatchID([]byte(good)), id)
	nb, nr := bulkCounts(t)
	require.Equal(t, [2]int{batches + 1, rows + 3}, [2]int{nb, nr}, "the refused file stored nothing, the good one its three rows")

	// Screened, preserved, and in mediation: row 2 has no phone.
	waitBatch(t, srv, id, time.Minute, "mediation", func(x batchAnswer) bool { return x.Live != nil && x.Live.Phase == workflows.BulkMediation })
	b.click(t, `#refresh`)
	b.waitText(t, "诉前调解", "某银行股份有限公司兴义分行", "陈一", "林二", "黄三", "¥1,234.56", "¥98,765.43", "¥500.00",
		"¥1,246.95", "¥98,777.82", "¥512.39", "查询核销（终本）", "诉前调解中", "失联待修复", "办理漏斗")
	require.Equal(t, "3（3/3）", eval[string](t, b, `document.querySelector('#funnel [data-figure=received] .num').innerText`))
	require.Equal(t, "1（1/3）", eval[string](t, b, `document.querySelector('#funnel [data-figure=written_off] .num').innerText`))
	require.Equal(t, "3", eval[string](t, b, `document.querySelector('b[data-figure=screened]').innerText`))
	require.Equal(t, idNo(1)[:6]+"********"+idNo(1)[14:], eval[string](t, b, `document.querySelector('#batch-rows tr[data-row="1"] td:nth-child(3)').innerText`))
	// The clerk has the written-off row's certificate and the mediation
	// notice; it is offered no row command.
	docs := func(row int) string {
		return eval[string](t, b, `[...document.querySelectorAll('#batch-rows tr[data-row="`+fmt.Sprint(row)+`"] button.doc')].map(x => x.dataset.doc).join(',')`)
	}
	require.Equal(t, "write_off", docs(3))
	require.Equal(t, "notice", docs(1))
	b.click(t, `#batch-rows button.open-row[data-row="1"]`)
	b.waitText(t, "第 1 行 · 陈一", "立案前查询", "诉前保全", "发出诉前调解通知")
	require.Zero(t, eval[int](t, b, `document.querySelectorAll('#row-mediation, #row-contact, #row-objection').length`))
	b.screenshot(t, "batch-mediation-clerk")
	// The documents download as DOCX with the clerk's token.
	docx := `(async () => { const r = await fetch('/batches/` + id + `/documents/3/write_off', { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('casework.token') } });
		const b = new Uint8Array(await r.arrayBuffer()); return r.status + ' ' + r.headers.get('Content-Type') + ' ' + String.fromCharCode(b[0], b[1]); })()`
	require.Equal(t, "200 application/vnd.openxmlformats-officedocument.wordprocessingml.document PK", eval[string](t, b, docx))

	// The court resolves row 1, repairs row 2's contact and fails its
	// mediation; row 2's payment order follows.
	b.signInAs(t, srv.URL, court.Subject)
	b.do(t, chromedp.Navigate(srv.URL+"/#/batch/"+id))
	b.click(t, `#batch-rows button.open-row[data-row="1"]`)
	b.fill(t, `#row-mediation [data-loc=outcome]`, "resolved")
	b.fill(t, `#row-mediation [data-loc=reason]`, "一次性还款")
	b.submit(t, `#row-mediation`)
	b.waitJS(t, `document.querySelector('#batch-rows tr[data-row="1"][data-stage=resolved]')`)
	require.Equal(t, "notice,agreement", docs(1))
	b.click(t, `#batch-rows button.open-row[data-row="2"]`)
	b.fill(t, `#row-contact [data-loc=phone]`, "13900000002")
	b.fill(t, `#row-contact [data-loc=address]`, "贵州省兴义市桔山街道")
	b.submit(t, `#row-contact`)
	b.waitJS(t, `document.querySelector('#batch-rows tr[data-row="2"][data-stage=mediating]')`)
	b.click(t, `#batch-rows button.open-row[data-row="2"]`)
	b.waitText(t, "失联修复", "13900000002")
	b.fill(t, `#row-mediation [data-loc=outcome]`, "failed")
	b.fill(t, `#row-mediation [data-loc=reason]`, "拒绝调解")
	b.submit(t, `#row-mediation`)
	waitBatch(t, srv, id, time.Minute, "payment orders", func(x batchAnswer) bool { return x.Live != nil && x.Live.Phase == workflows.BulkObjection })
	b.click(t, `#refresh`)
	b.waitJS(t, `document.querySelector('#batch-rows tr[data-row="2"][data-stage=payment_order]')`)
	b.waitText(t, "支付令异议期", "支付令异议期限")
	require.Equal(t, "payment_order", docs(2), "an unreachable row was sent no mediation notice")
	b.click(t, `#batch-rows button.open-row[data-row="2"]`)
	b.fill(t, `#row-objection [data-loc=reason]`, "对借款金额有异议")
	b.submit(t, `#row-objection`)
	b.waitJS(t, `document.querySelector('#batch-rows tr[data-row="2"][data-stage=objected]')`)
	b.click(t, `#batch-rows button.open-row[data-row="2"]`)
	b.waitText(t, "支付令异议", "对借款金额有异议", "已提出异议")
	require.Equal(t, "1（1/3）", eval[string](t, b, `document.querySelector('#funnel [data-figure=resolved] .num').innerText`))
	b.screenshot(t, "batch-court")
	require.Empty(t, b.remoteRequests(), "the workbench reached outside the machine")
}

// TestBrowserIntakeReturnAndConversion: a dispute dispatched to the court
// is returned (退单) with the reason and dispatched again; the court
// accepts it, finds it needs a court process and converts it, through its
// form, into a mediation case, which the intake case links to.
func TestBrowserIntakeReturnAndConversion(t *testing.T) {
	srv := workbench(t, window, court)
	b := newBrowser(t)
	number := newIntakeNumber()

	b.signInAs(t, srv.URL, window.Subject)
	b.waitJS(t, `document.querySelector('#intake-register [data-loc=case_number]')`)
	b.fill(t, `#intake-register [data-loc=case_number]`, number)
	b.fill(t, `#intake-register [data-loc=summary]`, "工程价款结算纠纷")
	b.fill(t, `#intake-register [data-loc="parties[0].id"]`, applicant.Subject)
	b.fill(t, `#intake-register [data-loc="parties[0].name"]`, "张三")
	b.fill(t, `#intake-register [data-loc="parties[1].id"]`, obligor.Subject)
	b.fill(t, `#intake-register [data-loc="parties[1].name"]`, "某建筑公司")
	b.click(t, `#intake-register button[type=submit]`)
	b.waitJS(t, `location.hash.startsWith('#/case/')`)
	id := workflows.CaseID(number)
	b.waitText(t, "已登记待派单")
	dispatch := func() {
		b.fill(t, `#intake-dispatch [data-loc=kind]`, "court")
		b.fill(t, `#intake-dispatch [data-loc=unit]`, court.Court)
		b.fill(t, `#intake-dispatch [data-loc=handler]`, court.Subject)
		b.submit(t, `#intake-dispatch`)
		b.waitText(t, "已派单待接单")
	}
	dispatch()

	b.signInAs(t, srv.URL, court.Subject)
	b.openCase(t, srv.URL, id, "已派单待接单", "退单")
	b.fill(t, `#intake-return [data-loc=reason]`, "当事人住所地不在本院辖区")
	b.submit(t, `#intake-return`)
	b.waitText(t, "已登记待派单", "当事人住所地不在本院辖区")
	require.Contains(t, eval[string](t, b, `document.querySelector('#dispatches').innerText`), "当事人住所地不在本院辖区")

	b.signInAs(t, srv.URL, window.Subject)
	b.openCase(t, srv.URL, id, "已登记待派单")
	dispatch()
	require.Equal(t, 2, eval[int](t, b, `document.querySelectorAll('#dispatches tbody tr').length`))

	b.signInAs(t, srv.URL, court.Subject)
	b.openCase(t, srv.URL, id, "已派单待接单")
	b.submit(t, `#intake-accept`)
	b.waitText(t, "办理中")
	b.fill(t, `#intake-outcome [data-loc=outcome]`, "needs_court")
	b.refusedAfter(t, `#intake-outcome`, "422") // needs_court needs a note
	b.fill(t, `#intake-outcome [data-loc=note]`, "涉及工程价款结算，需诉前调解")
	b.submit(t, `#intake-outcome`)
	b.waitText(t, "待转诉前调解", "需诉讼程序", "涉及工程价款结算")

	mnumber := newCaseNumber()
	b.fill(t, `#intake-convert [data-loc=case_number]`, mnumber)
	b.fill(t, `#intake-convert [data-loc=mediator]`, mediator.Subject)
	b.fill(t, `#intake-convert [data-loc=claim_fen]`, "13027.00")
	b.submit(t, `#intake-convert`)
	b.waitText(t, "已转诉前调解", "已转为诉前调解案件", mnumber, "转为诉前调解案件")
	require.Equal(t, "converted", eval[string](t, b, `document.querySelector('#intake-steps li.current').dataset.stage`))
	require.Equal(t, "registered,dispatched,handling,awaiting_conversion", eval[string](t, b, `[...document.querySelectorAll('#intake-steps li.done')].map(x => x.dataset.stage).join(',')`))
	b.screenshot(t, "intake-converted")
	b.click(t, `#conversion-link a`)
	b.waitText(t, mnumber, "调解中", "¥13,027.00", mediator.Subject)
	require.Empty(t, b.remoteRequests(), "the workbench reached outside the machine")
}
