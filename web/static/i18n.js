// Interface text: 简体中文 first, English where a text has no Chinese.
const zh = {
  signin: '登录', signout: '退出', ledger: '台账', cockpit: '驾驶舱', delegate: '委派调解', wage: '欠薪案件',
  dev_signin: '开发环境登录（选择用户）', token_signin: '粘贴令牌登录', token_hint: '粘贴 Bearer 令牌，或 tokens.env 文件的内容',
  use_token: '使用令牌', state: '状态', process: '程序', court: '法院', mediator: '调解员', case_leader: '包案领导',
  jurisdiction: '辖区', party: '当事人', opened_from: '立案起', opened_to: '立案止', limit: '每页', search: '查询',
  export_csv: '导出 CSV', next_page: '下一页', prev_page: '上一页', case_number: '案号', stage: '阶段', status: '状态',
  claim: '标的额', opened_on: '立案日期', next_deadline: '下一期限', overdue: '已逾期', due_soon: '即将到期',
  parties: '当事人', deadlines: '期限', plan: '履行台账', notices: '通知', certificates: '证明', timeline: '时间线',
  verify: '校验', download_csv: '下载 CSV', installment: '期次', due_on: '到期日', amount: '金额', paid: '已付',
  outstanding: '未付', submit: '提交', remaining: '剩余未分配', total: '总额', add_installment: '添加一期',
  remove: '删除', outcome: '调解结果', agreed: '达成协议', failed: '调解不成', withdrawn: '撤回', reason: '理由',
  obligor: '义务人', obligees: '权利人', apply_confirmation: '申请司法确认', accept_confirmation: '受理司法确认',
  decide_confirmation: '司法确认裁定', confirmed: '确认有效', rejected: '驳回', record_payment: '登记付款',
  paid_on: '付款日期', start_enforcement: '申请强制执行', measure: '执行措施', kind: '种类', intact: '完整',
  broken: '已被篡改', organisation: '调解组织', subject: '案由', applicant: '申请人', respondent: '被申请人',
  id: '标识', name: '名称', side: '身份', creditors_csv: '债权人 CSV 文件', schedule: '还款计划', debtor: '债务人',
  allocation: '分配方式', statistics: '统计', group_by: '分组', resolution_rate: '化解率',
  automatic_performance_rate: '自动履行率', follow_up_rate: '回访率', average_days_to_close: '平均结案天数',
  group: '分组', numerator: '分子', denominator: '分母', value: '数值', no_cases: '没有案件', no_rows: '暂无记录', open_boundary: '边界纠纷立案', month: '月份', year: '年份', loading: '加载中…',
  done: '已完成', error: '错误', rest_day: '休息日', provisional: '暂定', actions: '可办理事项', case: '案件',
  all: '全部', open: '在办', closed: '已结', mediation: '调解', enforcement: '执行', boundary: '边界纠纷',
  signed_in_as: '当前用户', role_court: '法院', role_mediator: '调解员', role_party: '当事人', role_auditor: '督导',
  role_supervisor: '包案领导', open_case: '打开案件', case_id: '案件标识', creditors: '债权人', owed: '欠付金额',
  hardship: '困难', row: '行', rows_ok: '行可导入', rows_bad: '行有错误', seq: '序号', actor: '操作人', case_on: '案件日期',
  real_at: '实际时间', step: '步骤', case_not_found: '没有此案件，或您无权查看', role_court_admin: '法院管理员', role_dispatcher: '调处中心窗口（派单员）', role_intake_clerk: '批量立案专员',
  undeliverable: '无法送达', outcome_code: '结果', provisional_only: '仅暂定期限',
  provisional_hint: '该年度放假安排尚未公布，此期限按暂定日历计算，日期可能变动',
  rest_day_hint: '此日为休息日（按周末、法定节假日和已公布的放假安排推算）',
  enforcement_case: '执行案件', source_case: '执行依据来源案件',
  date_format: '日期格式应为 YYYY-MM-DD，且为有效日期', all_forms: '显示全部表单（是否允许由 API 决定）',
  // intake and dispatch (点单、派单、接单、办单、评单)
  intake: '矛盾纠纷受理', intake_register: '窗口登记（点单）', intake_number: '登记号', channel: '来源渠道', risk: '风险等级',
  urgency: '紧急程度', summary: '纠纷概要', handler: '承办单位', handler_user: '承办人', handler_kind: '承办单位类型', unit: '承办单位名称',
  handle_by: '办理期限', escalated_to: '提级督办至', rate_by: '评价期限', dispatches: '派单记录', dispatched_on: '派单日期',
  accepted_on: '接单日期', returned: '退单', withdrawn_overdue: '超期收回', regrades: '风险等级调整', case_leader_record: '包案档案（一案一档）',
  case_leader_required: '此纠纷为红色或疑难复杂纠纷，需建立包案档案', intake_result: '办理结果', ratings: '当事人评价', score: '评分',
  converted_case: '已转为诉前调解案件', hard_case: '疑难复杂', intake_dispatch: '派单', intake_accept: '接单', intake_return: '退单',
  intake_outcome: '报送办理结果（办单）', intake_regrade: '调整风险等级', intake_follow_up: '回访', intake_rate: '评价办理情况（评单）',
  intake_convert: '转为诉前调解案件', intake_convert_boundary: '转为边界纠纷协商案件（三二一）',
  converted_boundary_case: '已转为边界纠纷协商案件', joint_review: '月度联席会议研判（超期纠纷）', joint_reviews: '联席会议研判记录',
  monthly: '月度联席会议·超期纠纷清单', meeting_on: '会议日期', participants: '参会单位、人员', decision: '会议决定',
  new_resolve_by: '新的化解期限', days_overdue: '超期天数', overdue_at_month_end: '月末仍超期', reviewed: '已研判',
  organiser: '组织协商的调解员', representative: '代表人', weekly: '周台账（存量、新增、变化、销号）', week: '周（ISO）', week_steps: '本周办理步骤',
  // bulk financial disputes (批量金融纠纷)
  batches: '批量金融纠纷', batch: '批次', batch_upload: '上传批量纠纷 CSV 文件', batch_file: 'CSV 文件', charset: '文件编码',
  error_report: '逐行错误报告（整份文件未受理）', field: '字段', batch_id: '批次号', open_batch: '打开批次', known_batches: '本浏览器的批次',
  creditor: '债权人', rows_total: '总行数', filed_at: '提交时间', filer: '提交人', live_unavailable: '流程状态暂不可读',
  mediation_until: '诉前调解期限', objection_until: '支付令异议期限', pending_rows: '待定调解行数', progress: '进度', figure: '指标',
  count: '数量', funnel: '办理漏斗', rows: '明细行', documents: '文书', refresh: '刷新', row_mediation: '登记诉前调解结果',
  row_contact: '失联修复', row_objection: '登记支付令异议', batch_not_found: '没有此批次，或您无权查看',
};
const en = {
  signin: 'Sign in', signout: 'Sign out', ledger: 'Ledger', cockpit: 'Cockpit', delegate: 'Delegate a dispute',
  wage: 'Wage case', dev_signin: 'Development sign-in', token_signin: 'Sign in with a token',
  token_hint: 'Paste a bearer token or the contents of tokens.env', use_token: 'Use token',
  case_not_found: 'no such case, or not yours to see', undeliverable: 'Undeliverable notices',
  provisional_hint: "the year's holiday arrangement is not yet published: this deadline was computed on a provisional calendar and may move",
  rest_day_hint: 'a rest day (weekends, statutory holidays and the published arrangement)',
  date_format: 'a date as YYYY-MM-DD', all_forms: 'show every form (the API decides)',
};

// Codes the API returns (stages, statuses, outcomes, deadline kinds, ...)
// in Chinese. A namespace's own table is consulted first, then the common
// one; a code without Chinese is shown in English: the code itself with
// its underscores as spaces.
const codes = {
  stage: {
    // Process 1: mediation, confirmation and performance (workflows/mediation.go, confirmation.go)
    mediating: '调解中', agreement_reached: '达成调解协议', returned_for_litigation: '退回诉讼', withdrawn: '已撤回',
    confirmation_applied: '已申请司法确认', confirmation_review: '司法确认审查中', confirmation_rejected: '司法确认被驳回',
    performing: '履行中', performed: '履行完毕', defaulted: '未按期履行', performance_plan_failed: '履行计划失败',
    plain_contract: '未经司法确认（民事合同效力）',
    // enforcement (workflows/enforcement.go)
    enforcing: '执行中', settlement: '执行和解', completed: '执行完毕', terminated_round: '终结本次执行（终本）',
    closed_after_rechecks: '终本复查后结案', standstill: '暂缓执行',
    // Process 2: boundary disputes (workflows/boundary.go)
    negotiating: '协商中', signing: '协议签署中', monitoring: '协议生效·跟踪回访', closed: '已结案',
    // Process 3: wage arrears (workflows/wage.go)
    in_default: '逾期未付', payment_order: '支付令异议期', enforceable: '可申请强制执行', litigation: '转入诉讼',
    // intake and supervision (workflows/intake.go)
    registered: '已登记待派单', dispatched: '已派单待接单', handling: '办理中', following_up: '跟踪回访·评价',
    awaiting_conversion: '待转诉前调解', converted: '已转诉前调解',
    // performance plans (workflows/installments.go)
    failed: '失败',
  },
  status: { open: '在办', closed: '已结' },
  outcome: {
    agreed: '达成协议', failed: '调解不成', withdrawn: '撤回', mediation_failed: '调解不成',
    mediation_deadline_passed: '调解期限届满', withdrawn_by_applicant: '申请人撤回', parties_agree_extension: '双方同意延长',
    performed: '履行完毕', defaulted: '未按期履行', confirmation_rejected: '司法确认被驳回', settled: '边界协议生效',
    paid_in_full: '全额履行', settlement_performed: '执行和解履行完毕', settlement_performed_on_time: '执行和解按期履行',
    paid_after_detention: '拘留后履行', closed_after_rechecks: '终本复查后结案', payment_order_objected: '支付令被异议',
    confirmed: '确认有效', rejected: '驳回',
    resolved: '已化解', not_resolved: '未化解', needs_court: '需诉讼程序', converted_to_mediation: '转为诉前调解',
    converted_to_boundary: '转为边界纠纷协商',
  },
  deadline: {
    mediation: '调解期限', confirmation_application: '申请司法确认期限', confirmation_decision: '司法确认审查期限',
    follow_up: '回访', standstill_end: '暂缓执行期满', measure_renewal: '措施续行期限', property_recheck: '财产复查', grace_period: '宽限期',
    installment_due: '分期到期', objection_period: '支付令异议期', resolution_deadline: '包案化解期限',
    boundary_follow_up: '边界协议回访', escalation_labour_inspection_referral: '移送劳动监察',
    escalation_wage_guarantee_drawdown: '动用工资保证金', escalation_blacklist: '纳入欠薪黑名单',
    escalation_payment_order: '申请支付令',
    intake_handling: '办理期限', intake_rating: '评价期限', case_leader_resolution: '包案化解期限',
  },
  installment: {
    scheduled: '待到期', reminded: '已提醒', paid: '已付清', partly_paid: '部分支付', overdue: '逾期', defaulted: '违约',
    accelerated: '加速到期', paid_after_default: '违约后付清', superseded: '已由执前和解替代',
  },
  measure: {
    freeze: '冻结', seizure: '查封、扣押', consumption_restriction: '限制消费', dishonest_list: '纳入失信被执行人名单',
    detention: '拘留', summons: '传唤、拘传', fine: '罚款', search: '搜查',
    active: '生效中', lifted: '已解除', expired: '已到期', ended: '已执行完毕', suspended: '暂缓中',
  },
  asset: { bank_deposit: '银行存款', movable: '动产', real_property: '不动产', other_property_right: '其他财产权' },
  tier: { village: '村级', township: '乡镇级', county: '县级' },
  round: {
    progress: '有进展', no_progress: '无进展', agreement_in_principle: '原则上达成一致', incident: '发生冲突事件',
    scheduled: '已安排', held: '已举行',
  },
  marker: { installed: '已埋设', intact: '完好', damaged: '损坏', missing: '缺失' },
  notice: { pending: '待送达', delivered: '已送达', undeliverable: '无法送达' },
  // Timeline steps: the kinds the workflows record (workflows/*.go, Kind:
  // "..."), and the workflow events the timeline adds (api/timeline.go).
  step: {
    // Bulk financial disputes, one row of a batch (bulk.go, db/queries/bulk.sql)
    screened: '立案前查询', write_off_certificate: '出具查询核销证明', unreachable: '失联待修复', preservation: '诉前保全',
    mediation_notice: '发出诉前调解通知', mediation_resolved: '立案前调解成功', contact_repaired: '失联修复',
    payment_order_issued: '发出支付令', payment_order_effective: '支付令生效', objection: '支付令异议', filed: '转立案',
    // Process 1: mediation and confirmation (mediation.go, confirmation.go)
    delegated: '委派调解', agreement_reached: '达成调解协议', deadline_extended: '延长调解期限', deadline_moved: '期限随放假安排调整', deadlines_recounted: '期限按放假安排重新核算',
    mediation_deadline_passed: '调解期限届满', mediation_failed: '调解不成', withdrawn: '撤回调解申请',
    returned_for_litigation: '退回诉讼', confirmation_applied_by_party: '当事人申请司法确认',
    confirmation_application_filed: '司法确认申请已提出', confirmation_window_passed: '申请司法确认期限届满',
    confirmation_accepted: '受理司法确认', confirmation_decision_extended: '延长司法确认审查期限',
    confirmation_decision_overdue: '司法确认审查逾期', confirmed: '裁定确认调解协议有效', confirmation_rejected: '裁定驳回司法确认申请',
    performed: '履行完毕', performance_defaulted: '未按期履行', performance_plan_failed: '履行计划失败', performance_plan_restarted: '重启履行督促',
    performance_supervision_ended: '履行督促结束', certificate_applied: '申请自动履行证明', certificate_issued: '出具自动履行证明',
    follow_up_due: '回访到期', follow_up_visited: '已回访',
    // installment plans (installments.go)
    plan_started: '开始履行督促', reminder_sent: '发送到期提醒', payment_recorded: '登记付款', payment_reported: '义务人报告付款（待核实）',
    overpayment_recorded: '登记超额付款', installment_overdue: '分期逾期', installment_defaulted: '分期违约',
    acceleration_applied: '加速到期', performance_urged: '督促履行', certificate_eligible: '符合出具自动履行证明条件',
    plan_performed: '履行计划完成', supervision_ended: '督促结束',
    // enforcement (enforcement.go, enforcement_commands.go)
    enforcement_filed: '执行立案', property_inquiry_recorded: '登记网络查控结果', measure_ordered: '采取执行措施',
    measure_renewed: '续行执行措施', measure_lifted: '解除执行措施', measure_expired: '执行措施到期', detention_ended: '拘留期满',
    renewal_reminder: '措施续行提醒', enforcement_payment_recorded: '登记执行款', settlement_reached: '达成执行和解',
    settlement_performed: '执行和解履行完毕', settlement_defaulted: '执行和解未按期履行', settlement_plan_failed: '执行和解履行计划失败',
    standstill_granted: '暂缓执行', standstill_ended: '暂缓执行期满', pre_enforcement_settlement: '执前和解',
    enforcement_resumed: '恢复执行', round_terminated: '终结本次执行程序（终本）', property_recheck_due: '财产复查到期',
    property_recheck: '财产复查', property_recheck_recorded: '登记财产复查结果', closed_after_rechecks: '终本复查后结案',
    credit_repaired: '信用修复', enforcement_completed: '执行完毕',
    // Process 2: boundary disputes (boundary.go, boundary_commands.go)
    boundary_opened: '边界纠纷立案', round_scheduled: '安排协商', round_held: '举行协商', escalated: '升级协商层级',
    stabilisation_measure: '稳控措施', stabilisation_review_due: '稳控措施复查到期', case_leader_assigned: '指定包案领导',
    settlement_terms_recorded: '记录边界协议', settlement_terms_amended: '修改边界协议', settlement_signed: '签署边界协议',
    settlement_effective: '边界协议生效', follow_up_visit: '回访', resolution_deadline_passed: '包案化解期限届满',
    boundary_closed: '边界纠纷结案',
    // intake and supervision (intake.go, intake_commands.go)
    intake_registered: '窗口登记（点单）', intake_dispatched: '派单', intake_accepted: '接单', intake_returned: '退单',
    risk_regraded: '调整风险等级', case_leader_recorded: '建立包案档案（一案一档）', case_leader_amended: '变更包案档案',
    handling_overdue: '办理超期·提级督办', case_leader_deadline_passed: '包案化解期限届满',
    intake_outcome_recorded: '报送办理结果（办单）', intake_rated: '当事人评价（评单）', rating_window_closed: '评价期限届满',
    intake_closed: '纠纷销号', converted_to_mediation: '转为诉前调解案件',
    joint_meeting_reviewed: '月度联席会议研判超期纠纷', converted_to_boundary: '转为边界纠纷协商案件',
    // Process 3: wage arrears (wage.go)
    wage_case_opened: '欠薪案件立案', creditor_ledger_mismatch: '债权人台账与付款计划不符', wage_paid_in_full: '欠薪全部清偿', escalation_default_notice: '发出违约通知',
    escalation_labour_inspection_referral: '移送劳动监察', escalation_wage_guarantee_drawdown: '动用工资保证金',
    escalation_blacklist: '纳入欠薪黑名单', escalation_payment_order: '发出支付令', payment_order_objected: '支付令被提出异议',
    payment_order_enforceable: '支付令可申请强制执行', referred_to_litigation: '转入诉讼',
    // workflow events
    workflow_started: '流程启动', workflow_completed: '流程结束', workflow_continued_as_new: '流程接续运行',
    workflow_failed: '流程失败', workflow_timed_out: '流程超时', workflow_terminated: '流程被终止',
    workflow_cancel_requested: '请求取消流程', workflow_canceled: '流程已取消', timer_started: '开始计时', timer_fired: '计时届满',
    timer_canceled: '取消计时', signal_received: '收到信号', update_accepted: '受理指令', update_completed: '指令办结',
    activity_failed: '操作失败', activity_timed_out: '操作超时', child_workflow_started: '子流程启动',
    child_workflow_completed: '子流程结束', child_workflow_failed: '子流程失败',
  },
  // Notices (the Notice* kinds of workflows/*.go; a wage case's escalation
  // notices are named for their step).
  notice_kind: {
    performance_notice: '自动履行告知书', reminder: '到期履行提醒', default_notice: '违约告知（执行风险告知）', urge: '督促履行通知',
    certificate: '自动履行证明', enforcement_notice: '执行通知书', measure_notice: '执行措施通知', renewal_reminder: '措施续行提醒',
    recheck_due: '财产复查提醒', credit_repair: '信用修复通知', completion_notice: '执行完毕通知', standstill_notice: '暂缓执行通知书', settlement_notice: '执前和解告知书',
    wage_payment_notice: '欠薪还款计划通知', payment_order_enforceable: '支付令生效通知',
    labour_inspection_referral: '移送劳动监察通知', wage_guarantee_drawdown: '动用工资保证金通知', blacklist: '纳入欠薪黑名单通知',
    payment_order: '支付令', handling_overdue: '办理超期督办通知', handling_overdue_leader: '办理超期督办通知（包案领导）',
  },
  calendar: { official: '正式', provisional: '暂定' },
  // intake (workflows/intake.go; policy intake tiers)
  channel: { visit: '来访', call: '来电', referral: '转办', online: '网上' },
  risk: { green: '绿色（一般）', yellow: '黄色（较大）', red: '红色（重大）' },
  urgency: { urgent: '特急', priority: '加急', ordinary: '普通' },
  review_decision: { redispatch: '重新派单', assign_case_leader: '落实领导包案', new_resolution_date: '确定新的化解期限', refer_to_court: '移送法院' },
  handler_kind: { mediation_committee: '人民调解委员会', township: '乡镇（街道）', court: '人民法院', department: '职能部门' },
  // bulk financial disputes (workflows/bulk.go): a row's stage, the batch's
  // phase, the funnel, the documents and the file's columns
  row: {
    written_off: '查询核销（终本）', mediating: '诉前调解中', mediation_failed: '调解不成待发支付令', unreachable: '失联待修复',
    resolved: '立案前化解', payment_order: '支付令异议期', objected: '已提出异议', effective: '支付令生效', filed: '已转立案',
  },
  bulk_phase: { screening: '立案前查询', mediation: '诉前调解', objection: '支付令异议期', closing: '收尾', done: '已完成' },
  funnel: { received: '受理', written_off: '查询核销', resolved: '立案前化解', effective: '支付令生效', filed: '转立案' },
  document: { notice: '调解通知书', agreement: '调解协议', payment_order: '支付令', write_off: '核销证明' },
  batch_field: { debtor_name: '债务人姓名', id_number: '身份证号', phone: '电话', contract_no: '合同号', principal: '本金', interest: '利息', fees: '费用' },
  common: {
    mediation: '调解', enforcement: '执行', boundary: '边界纠纷', wage: '欠薪', intake: '矛盾纠纷受理', applicant: '申请人', respondent: '被申请人',
    open: '在办', closed: '已结',
  },
};

// Chinese unless English was chosen (?lang=en, kept for the session).
const asked = new URLSearchParams(location.search).get('lang');
if (asked) sessionStorage.setItem('casework.lang', asked);
let lang = sessionStorage.getItem('casework.lang') === 'en' ? 'en' : 'zh';

// t is the interface text for key in the current language, falling back
// to English, then to the key itself.
export function t(key) {
  if (lang === 'zh' && zh[key]) return zh[key];
  return en[key] || zh[key] || key;
}
export function setLang(l) { lang = l; }

// label is a code of namespace ns (stage, status, outcome, deadline, ...)
// in the current language; unknown codes are shown as they are, in English.
export function label(ns, code) {
  if (code === undefined || code === null || code === '') return '';
  if (lang === 'zh') {
    const zhText = (codes[ns] && codes[ns][code]) || codes.common[code];
    if (zhText) return zhText;
  }
  return String(code).replace(/_/g, ' ');
}
