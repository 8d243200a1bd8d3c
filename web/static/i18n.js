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
  group: '分组', numerator: '分子', denominator: '分母', value: '数值', no_cases: '没有案件', loading: '加载中…',
  done: '已完成', error: '错误', rest_day: '休息日', provisional: '暂定', actions: '可办理事项', case: '案件',
  all: '全部', open: '在办', closed: '已结', mediation: '调解', enforcement: '执行', boundary: '边界纠纷',
  signed_in_as: '当前用户', role_court: '法院', role_mediator: '调解员', role_party: '当事人', role_auditor: '督导',
  role_supervisor: '包案领导', open_case: '打开案件', case_id: '案件标识', creditors: '债权人', owed: '欠付金额',
  hardship: '困难', row: '行', rows_ok: '行可导入', rows_bad: '行有错误', seq: '序号', actor: '操作人', case_on: '案件日期',
  real_at: '实际时间', step: '步骤', case_not_found: '没有此案件，或您无权查看',
};
const en = {
  signin: 'Sign in', signout: 'Sign out', ledger: 'Ledger', cockpit: 'Cockpit', delegate: 'Delegate a dispute',
  wage: 'Wage case', dev_signin: 'Development sign-in', token_signin: 'Sign in with a token',
  token_hint: 'Paste a bearer token or the contents of tokens.env', use_token: 'Use token',
  case_not_found: 'no such case, or not yours to see',
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
