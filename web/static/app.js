// The casework workbench: a client of the public API and nothing else.
// The bearer token lives in sessionStorage and goes with every request, so
// the API's access rules are the only ones.
import { yuan, parseYuan, fenToInput } from './money.js';
import { t, label } from './i18n.js';
import { validDate, restDays, chinaTime } from './dates.js';

const main = document.getElementById('main');
const store = window.sessionStorage;

// ---- session -------------------------------------------------------------

function claims(token) {
  try {
    const p = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(p), c => c.charCodeAt(0))));
  } catch { return null; }
}
function session() {
  const token = store.getItem('casework.token');
  if (!token) return null;
  const c = claims(token) || {};
  return { token, subject: c.sub || '?', role: c.role || '?' };
}
// home is where a role lands on signing in: the first page of its menu.
const home = { dispatcher: '#/intake', intake_clerk: '#/batches' };
function signIn(token) { store.setItem('casework.token', token.trim()); location.hash = home[(session() || {}).role] || '#/ledger'; render(); }
function signOut() { store.removeItem('casework.token'); location.hash = '#/signin'; render(); }

// ---- API -----------------------------------------------------------------

class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || ('HTTP ' + status));
    this.status = status; this.body = body || {};
  }
}

// call sends one request to the API with the signed-in token.
async function call(method, path, body, opts = {}) {
  const s = session();
  const headers = { Accept: 'application/json, application/problem+json' };
  if (s) headers.Authorization = 'Bearer ' + s.token;
  if (body !== undefined) headers['Content-Type'] = opts.contentType || 'application/json';
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  // A body with its own content type (a CSV file) is sent as it is.
  const sent = body === undefined ? undefined : opts.contentType ? body : JSON.stringify(body);
  const res = await fetch(path, { method, headers, body: sent });
  if (opts.raw) { if (!res.ok) throw new Problem(res.status, await res.json().catch(() => null)); return res; }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

// ---- DOM helpers ---------------------------------------------------------

function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}
const dash = v => (v === undefined || v === null || v === '' ? '—' : v);

function table(cols, rows, rowAttrs, empty = t('no_rows')) {
  return h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, cols.map(c => h('th', {}, c[0])))),
    h('tbody', {}, rows.length ? rows.map(r => h('tr', rowAttrs ? rowAttrs(r) : {}, cols.map(c => h('td', {}, c[1](r)))))
      : h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, empty))));
}

// caseToday is the legal date (China Standard Time) in a case's own clock.
function caseToday(clock) {
  let ms = Date.now();
  if (clock && clock.case_epoch && clock.real_epoch) {
    ms = Date.parse(clock.case_epoch) + (Date.now() - Date.parse(clock.real_epoch)) * (clock.scale || 1);
  }
  return new Date(ms + 8 * 3600e3).toISOString().slice(0, 10);
}
function daysBetween(a, b) { return Math.round((Date.parse(b) - Date.parse(a)) / 86400e3); }

// ---- forms and problem+json ----------------------------------------------

// parentLoc is the location that holds loc: a.b[1].c → a.b[1] → a.b → a.
function parentLoc(loc) {
  const p = loc.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
  return p === loc ? '' : p;
}

// showProblem puts each of a problem's errors next to the field whose
// data-loc is its location (without "body."), and the rest above the form.
function showProblem(form, err) {
  form.querySelectorAll('.err').forEach(e => { e.textContent = ''; });
  form.querySelectorAll('.invalid').forEach(e => e.classList.remove('invalid'));
  const top = form.querySelector('.form-error');
  const rest = [];
  const errors = (err.body && err.body.errors) || [];
  for (const e of errors) {
    const loc = (e.location || '').replace(/^(body|query)\.?/, '');
    let field = null;
    for (let l = loc; l && !field; l = parentLoc(l)) field = form.querySelector(`[data-loc="${CSS.escape(l)}"]`);
    if (field) {
      field.classList.add('invalid');
      const slot = field.closest('label, .cell')?.querySelector('.err');
      if (slot) slot.textContent = (slot.textContent ? slot.textContent + '; ' : '') + e.message;
    } else rest.push((e.location ? e.location + ': ' : '') + e.message);
  }
  top.textContent = [(err.status ? err.status + ' ' : '') + err.message, ...rest].join(' · ');
  top.hidden = false;
}

function field(label, loc, input) {
  input.setAttribute('data-loc', loc);
  if (!input.name) input.name = loc;
  return h('label', { class: 'field' }, h('span', {}, label), input, h('small', { class: 'err' }));
}
const input = (attrs = {}) => h('input', { type: 'text', ...attrs });
function select(options, value) {
  return h('select', {}, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
}
// code shows an API code (a stage, a status, a deadline's kind, ...) in
// words, keeping the code itself in data-code and the tooltip.
function code(ns, value, cls) {
  if (value === undefined || value === null || value === '') return '—';
  return h('span', { class: cls || 'code', 'data-code': value, title: value }, label(ns, value));
}

// provisionalMark is the 暂定 badge of a deadline computed on a provisional
// holiday calendar.
function provisionalMark() {
  return h('span', { class: 'tag amber provisional', title: t('provisional_hint') }, t('provisional'));
}
// restMark is the 休息日 badge of a date that is a rest day, named in its
// tooltip when it is a holiday.
function restMark(name) {
  return h('span', { class: 'tag rest-day', title: t('rest_day_hint') + (name ? '：' + name : '') }, t('rest_day'));
}

// dateInput is a text field for a legal date, YYYY-MM-DD whatever the
// browser's locale, checked as it is typed and when it is left.
function dateInput(attrs = {}) {
  const el = input({ class: 'date', inputmode: 'numeric', placeholder: 'YYYY-MM-DD', pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxlength: '10', autocomplete: 'off', ...attrs });
  el.addEventListener('input', () => { if (!el.value.trim() || validDate(el.value.trim())) clearInline(el); });
  el.addEventListener('blur', () => { if (el.value.trim() && !validDate(el.value.trim())) inline(el, t('date_format')); });
  return el;
}
function inline(el, message) {
  el.classList.add('invalid');
  el.setAttribute('aria-invalid', 'true');
  const slot = el.closest('label, .cell')?.querySelector('.err');
  if (slot) slot.textContent = message;
}
function clearInline(el) {
  el.classList.remove('invalid');
  el.removeAttribute('aria-invalid');
  const slot = el.closest('label, .cell')?.querySelector('.err');
  if (slot) slot.textContent = '';
}

// dateOf reads a date field; a malformed date is shown at the field. An
// empty optional field reads as undefined.
function dateOf(el, optional) {
  const v = el.value.trim();
  if (!v && optional) return undefined;
  if (!validDate(v)) {
    inline(el, t('date_format') + (v ? `（${v}）` : ''));
    throw new Error(t('date_format'));
  }
  return v;
}

function money(value) { return input({ inputmode: 'decimal', placeholder: '0.00', value: value === undefined ? '' : fenToInput(value), class: 'money' }); }

// fenOf reads a money field; a malformed amount is shown at the field.
function fenOf(form, el) {
  const v = parseYuan(el.value);
  if (v === null) {
    el.classList.add('invalid');
    const slot = el.closest('label, .cell')?.querySelector('.err');
    if (slot) slot.textContent = '金额格式应为 12345.67 / amount like 12345.67';
    throw new Error('金额格式错误 / malformed amount');
  }
  return v;
}

// commandForm is a titled form whose submit builds a body and posts it;
// on success it calls done with the answer.
function commandForm(id, title, fields, build, path, done) {
  const top = h('div', { class: 'form-error', hidden: true, role: 'alert' });
  const form = h('form', { class: 'command', id, novalidate: true }, h('h3', {}, title), top, fields, h('button', { type: 'submit' }, t('submit')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    top.hidden = true;
    form.querySelectorAll('.err').forEach(e => { e.textContent = ''; });
    form.querySelectorAll('.invalid').forEach(e => e.classList.remove('invalid'));
    let body;
    try { body = build(form); } catch (e) { top.textContent = e.message; top.hidden = false; return; }
    try {
      const out = await call('POST', typeof path === 'function' ? path(form) : path, body, { key: crypto.randomUUID() });
      done(out);
    } catch (e) { showProblem(form, e instanceof Problem ? e : new Problem(0, { detail: String(e) })); }
  });
  return form;
}

// ---- pages ---------------------------------------------------------------

async function pageSignIn() {
  const box = h('section', { class: 'signin' }, h('h2', {}, t('signin')));
  main.replaceChildren(box);
  try {
    const res = await fetch('/dev/users');
    if (res.ok) {
      const { users } = await res.json();
      box.append(h('h3', {}, t('dev_signin')), h('div', { class: 'users' }, users.map(u =>
        h('button', { class: 'user', 'data-subject': u.subject, onclick: () => signIn(u.token) },
          `${u.subject}（${t('role_' + u.role)}）`))));
    }
  } catch { /* casework api: no development users */ }
  const area = h('textarea', { id: 'token', rows: 5, placeholder: t('token_hint') });
  const pick = h('div', { class: 'users' });
  box.append(h('h3', {}, t('token_signin')), area, h('div', {},
    h('button', { id: 'use-token', onclick: () => {
      const text = area.value.trim();
      const lines = [...text.matchAll(/^([A-Z_]+)=(\S+)/gm)];
      if (!lines.length) return signIn(text);
      pick.replaceChildren(...lines.map(m => { const c = claims(m[2]) || {}; return h('button', { class: 'user', onclick: () => signIn(m[2]) }, `${c.sub}（${t('role_' + c.role)}）`); }));
    } }, t('use_token'))), pick);
}

const ledgerFilters = ['state', 'process', 'court', 'mediator', 'case_leader', 'jurisdiction', 'party', 'opened_from', 'opened_to', 'limit'];

// ledgerQuery is the filter form as a query; a malformed date is shown at
// its field and nothing is sent.
function ledgerQuery(form, cursor) {
  const q = new URLSearchParams();
  for (const k of ledgerFilters) {
    const el = form.elements[k];
    const v = el.classList.contains('date') ? dateOf(el, true) : el.value.trim();
    if (v && v !== 'all') q.set(k, v);
  }
  if (form.elements.provisional.checked) q.set('provisional', 'true');
  if (cursor) q.set('cursor', cursor);
  return q;
}

function ledgerRowClass(c) {
  if (c.overdue) return 'overdue';
  if (c.status === 'open' && c.next_deadline && daysBetween(caseToday(c.clock), c.next_deadline.on) <= 7) return 'due-soon';
  return '';
}

async function pageLedger() {
  const sel = (name, opts) => field(t(name), name, select(opts.map(o => [o, t(o)]), 'all'));
  const form = h('form', { class: 'filters', id: 'ledger-filter', novalidate: true },
    sel('state', ['all', 'open', 'overdue', 'closed']), sel('process', ['all', 'mediation', 'enforcement', 'boundary', 'wage', 'intake']),
    ...['court', 'mediator', 'case_leader', 'jurisdiction', 'party'].map(k => field(t(k), k, input())),
    field(t('opened_from'), 'opened_from', dateInput()), field(t('opened_to'), 'opened_to', dateInput()),
    field(t('limit'), 'limit', input({ type: 'number', value: '20', min: '1', max: '200' })),
    h('label', { class: 'field check', title: t('provisional_hint') }, h('span', {}, t('provisional_only')),
      h('input', { type: 'checkbox', name: 'provisional', 'data-loc': 'provisional' }), h('small', { class: 'err' })),
    h('div', { class: 'form-error', hidden: true }), h('button', { type: 'submit' }, t('search')));
  const out = h('div', {});
  const pager = h('div', { class: 'pager' });
  const cursors = [''];
  main.replaceChildren(h('h2', {}, t('ledger')), form, out, pager);

  const show = async () => {
    const top = form.querySelector('.form-error');
    let q, data;
    try { q = ledgerQuery(form, cursors[cursors.length - 1]); } catch (e) { top.textContent = e.message; top.hidden = false; return; }
    try { data = await call('GET', '/ledger?' + q); } catch (e) { return showProblem(form, e); }
    form.querySelector('.form-error').hidden = true;
    out.replaceChildren(table([
      [t('case_number'), c => h('a', { href: '#/case/' + c.id }, c.case_number)],
      [t('process'), c => code('common', c.process)], [t('stage'), c => code('stage', c.stage)], [t('status'), c => code('status', c.status)],
      [t('court'), c => dash(c.court)], [t('mediator'), c => dash(c.mediator)],
      [t('claim'), c => h('span', { class: 'num' }, yuan(c.claim_fen))], [t('opened_on'), c => c.opened_on],
      [t('next_deadline'), c => c.next_deadline ? h('span', { class: 'deadline' }, h('b', {}, c.next_deadline.on), ' ', code('deadline', c.next_deadline.kind),
        c.provisional || c.next_deadline.calendar === 'provisional' ? [' ', provisionalMark()] : '') : '—'],
      ['', c => c.overdue ? h('span', { class: 'tag red' }, t('overdue')) : ledgerRowClass(c) ? h('span', { class: 'tag amber' }, t('due_soon')) : ''],
    ], data.cases || [], c => ({ class: ledgerRowClass(c), 'data-id': c.id, 'data-provisional': c.provisional ? 'true' : undefined }), t('no_cases')));
    pager.replaceChildren(
      h('button', { id: 'prev', disabled: cursors.length < 2, onclick: () => { cursors.pop(); show(); } }, t('prev_page')),
      h('button', { id: 'next', disabled: !data.next_cursor, onclick: () => { cursors.push(data.next_cursor); show(); } }, t('next_page')),
      h('button', { id: 'export', onclick: () => exportLedger(form) }, t('export_csv')));
  };
  form.addEventListener('submit', ev => { ev.preventDefault(); cursors.length = 1; show(); });
  await show();
}

// exportLedger follows every page of the filtered ledger and saves it as
// CSV (with a BOM, so spreadsheet programs read the Chinese).
async function exportLedger(form) {
  const rows = [['case_number', 'id', 'process', 'stage', 'status', 'court', 'mediator', 'claim_yuan', 'opened_on', 'closed_on', 'next_deadline', 'overdue']];
  let cursor = '';
  for (let page = 0; page < 100; page++) {
    const data = await call('GET', '/ledger?' + ledgerQuery(form, cursor));
    for (const c of data.cases || []) rows.push([c.case_number, c.id, c.process, c.stage, c.status, c.court, c.mediator || '', fenToInput(c.claim_fen), c.opened_on, c.closed_on || '', c.next_deadline ? c.next_deadline.on : '', c.overdue ? 'yes' : '']);
    if (!data.next_cursor) break;
    cursor = data.next_cursor;
  }
  const csv = rows.map(r => r.map(v => /[",\n]/.test(String(v)) ? '"' + String(v).replace(/"/g, '""') + '"' : v).join(',')).join('\r\n');
  save(new Blob(['\ufeff' + csv + '\r\n'], { type: 'text/csv' }), 'ledger.csv');
}

function save(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a); a.click(); a.remove();
}

// calendarsFor reads the holiday calendar of each year of dates in the
// case's jurisdiction; a year it cannot read is left out.
async function calendarsFor(jurisdiction, dates) {
  const years = [...new Set(dates.filter(Boolean).map(d => d.slice(0, 4)))];
  const out = new Map();
  if (!jurisdiction) return out;
  await Promise.all(years.map(async y => {
    try {
      const cal = await call('GET', `/calendars/${encodeURIComponent(jurisdiction)}/${y}`);
      out.set(y, { status: cal.status, rest: restDays(cal) });
    } catch { /* no calendar: no marks */ }
  }));
  return out;
}

// caseRenders counts the case page's renders: one that a later render
// overtook while it waited for the API shows nothing, so that forms being
// filled in are never replaced by an older answer.
let caseRenders = 0;

async function pageCase(id, all) {
  const mine = ++caseRenders;
  const current = () => mine === caseRenders;
  main.replaceChildren(h('p', {}, t('loading')));
  let c;
  try { c = await call('GET', '/cases/' + encodeURIComponent(id)); } catch (e) {
    if (!current()) return;
    // 404 is also the answer for a case the user may not see, so the
    // page cannot tell anyone whether a case number exists.
    const hint = e.status === 404 ? t('case_not_found') + ' · ' : '';
    main.replaceChildren(h('h2', {}, t('case')), h('div', { class: 'form-error', role: 'alert', id: 'case-error' }, `${e.status} ${hint}${e.message}`));
    return;
  }
  const s = c.summary, m = c.mediation, e = c.enforcement, w = c.wage, b = c.boundary, iv = c.intake;
  const today = caseToday(s.clock);
  const parts = [h('h2', {}, s.case_number, ' ', code('stage', s.stage, 'tag stage'), ' ', code('status', s.status, 'tag status')),
    h('dl', { class: 'facts' },
      ...[[t('process'), code('common', s.process)], [t('court'), s.court], [t('mediator'), s.mediator], [t('organisation'), s.organisation],
        [t('case_leader'), s.case_leader], [t('claim'), (s.process === 'boundary' || s.process === 'intake') && !s.claim_fen ? '' : yuan(s.claim_fen)], [t('opened_on'), s.opened_on], ['今日（案件时间）', today],
        [t('outcome_code'), s.outcome && code('outcome', s.outcome)], ['id', s.id]].filter(r => r[1]).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]).flat())];
  if (c.live_state_unavailable) parts.push(h('div', { class: 'form-error' }, c.live_state_unavailable));

  // Deadlines, on one line of dates: the pending one with the calendar it
  // was computed on, the others with their year's calendar.
  const dl = [];
  if (s.next_deadline) dl.push({ on: s.next_deadline.on, kind: code('deadline', s.next_deadline.kind), provisional: s.next_deadline.calendar === 'provisional', next: true });
  if (m) {
    if (m.deadline) dl.push({ on: m.deadline, kind: label('deadline', 'mediation') });
    if (m.confirmation) {
      if (m.confirmation.apply_by) dl.push({ on: m.confirmation.apply_by, kind: label('deadline', 'confirmation_application') });
      if (m.confirmation.decide_by) dl.push({ on: m.confirmation.decide_by, kind: label('deadline', 'confirmation_decision') });
    }
  }
  if (e && e.window) dl.push({ on: e.window.last_day || e.window.closes_on || '', kind: '申请执行期限' });
  if (b && b.resolve_by) dl.push({ on: b.resolve_by, kind: label('deadline', 'resolution_deadline') });
  if (iv) {
    if (iv.handle_by && ['dispatched', 'handling'].includes(iv.stage)) dl.push({ on: iv.handle_by, kind: label('deadline', 'intake_handling') });
    if (iv.rate_by && !iv.rating_closed) dl.push({ on: iv.rate_by, kind: label('deadline', 'intake_rating') });
    if (iv.case_leader && iv.case_leader.resolve_by && iv.status !== 'closed') dl.push({ on: iv.case_leader.resolve_by, kind: label('deadline', 'case_leader_resolution') });
  }
  const seen = new Set();
  const deadlines = dl.filter(d => d.on && !seen.has(d.on) && seen.add(d.on)).sort((x, y) => (x.on < y.on ? -1 : 1));

  let plan = null;
  if (m && m.performance) {
    try { plan = await call('GET', `/cases/${id}/plans/${m.performance.plan_id || 'performance'}`); } catch { plan = null; }
  }
  const lines = plan ? plan.installments : m && m.agreement ? m.agreement.terms.installments.map((x, i) => ({ no: i + 1, due_on: x.due_on, amount_fen: x.amount_fen })) : null;
  const cals = await calendarsFor(s.jurisdiction, [...deadlines.map(d => d.on), ...(lines || []).map(l => l.due_on)]);
  if (!current()) return;
  const rest = on => { const y = on && cals.get(on.slice(0, 4)); return y ? y.rest(on) : false; };
  const restOn = on => rest(on) ? [' ', restMark(cals.get(on.slice(0, 4)).rest.nameOf(on))] : '';
  const provisionalYear = on => { const y = on && cals.get(on.slice(0, 4)); return !!y && y.status === 'provisional'; };

  parts.push(h('h3', {}, t('deadlines')), h('ol', { class: 'dates', id: 'deadlines' }, deadlines.map(d => {
    const prov = d.next ? d.provisional : provisionalYear(d.on);
    return h('li', { class: [d.on < today ? 'past' : daysBetween(today, d.on) <= 7 ? 'due-soon' : '', prov ? 'provisional' : ''].join(' ').trim(), 'data-on': d.on },
      h('b', {}, d.on), ' ', d.kind, prov ? [' ', provisionalMark()] : '', restOn(d.on));
  })));

  const parties = (m && m.parties) || (e && e.parties) || (b && b.parties) || (iv && iv.parties) || (s.parties || []).map(p => ({ id: p }));
  parts.push(h('h3', {}, t('parties')), table([[t('id'), p => p.id], [t('name'), p => dash(p.name)],
    [t('side'), p => p.side ? code('common', p.side) : p.representative ? `代表人 ${p.representative}` : '—']], parties));

  const perfNow = m && m.performance;
  if (perfNow && perfNow.result && perfNow.result.outcome === 'failed') parts.push(h('p', { id: 'plan-failure', class: 'form-error' },
    `履行计划 ${perfNow.plan_id} 未能运行：${perfNow.result.failure}；待法院重启履行督促`));
  const failedPlans = (perfNow && perfNow.failed_plans) || [];
  if (failedPlans.length) parts.push(h('h3', {}, '失败的履行计划'), h('div', { id: 'failed-plans' }, table([['计划', x => x.plan_id], ['原因', x => x.failure],
    ['重启日期', x => x.restarted_on], [t('actor'), x => x.restarted_by ? x.restarted_by.subject : '—'], [t('reason'), x => dash(x.reason)]], failedPlans)));
  if (m && m.agreement) parts.push(h('p', {}, `协议 ${m.agreement.agreed_on}：${t('obligor')} ${m.agreement.terms.obligor} → ${m.agreement.terms.obligees.join('、')}，${t('total')} ${yuan(m.agreement.terms.total_fen)}`));
  if (lines) {
    parts.push(h('h3', {}, t('plan')), h('div', { id: 'plan' }, table([[t('installment'), l => l.no], [t('due_on'), l => [l.due_on, restOn(l.due_on)]], [t('amount'), l => yuan(l.amount_fen)],
      [t('paid'), l => yuan(l.paid_fen)], [t('outstanding'), l => yuan(l.outstanding_fen)], [t('state'), l => code('installment', l.state)], ['宽限至', l => dash(l.grace_ends_on)]], lines, l => ({ class: l.state === 'defaulted' || l.state === 'overdue' ? 'overdue' : '' }))));
    if (plan) parts.push(h('p', {}, `${t('total')} ${yuan(plan.total_fen)} · ${t('paid')} ${yuan(plan.paid_fen)} · ${t('outstanding')} ${yuan(plan.outstanding_fen)} · `, code('stage', plan.stage)));
  }
  // The enforcement filed on this case's agreement, and, on an enforcement
  // case, the case whose title it enforces.
  const enforcedBy = enforcementCaseOf(c, plan);
  if (enforcedBy) parts.push(h('p', { id: 'enforcement-link' }, t('enforcement_case') + '：', h('a', { href: '#/case/' + encodeURIComponent(enforcedBy) }, enforcedBy)));
  if (e && e.title && e.title.source_case_id) parts.push(h('p', { id: 'source-link' }, t('source_case') + '：',
    h('a', { href: '#/case/' + encodeURIComponent(e.title.source_case_id) }, e.title.source_case_id), ` · ${e.title.document_number}（${e.title.document_date}）`));
  if (e) parts.push(h('h3', {}, t('enforcement')), h('p', {}, code('stage', e.stage), ` · ${yuan(e.collected_fen)} / ${yuan(e.amount_fen)}`),
    table([['#', x => x.no], [t('kind'), x => code('measure', x.kind)], [t('state'), x => code('measure', x.status)], ['决定日期', x => x.ordered_on], ['到期日', x => dash(x.expires_on)]], e.measures || []));
  if (w) parts.push(h('h3', {}, t('wage')), h('p', {}, code('stage', w.stage), ` · ${yuan(w.paid_fen)} / ${yuan(w.total_fen)}`));
  if (b) parts.push(...boundarySection(b));
  if (iv) parts.push(...intakeSection(iv));

  const actions = h('section', { class: 'actions' }, h('h2', {}, t('actions'), ' ',
    h('a', { id: 'all-forms', class: 'muted small', href: all ? `#/case/${encodeURIComponent(id)}` : `#/case/${encodeURIComponent(id)}/all` }, all ? '只显示本角色的表单' : t('all_forms'))));
  parts.push(actions);
  const lists = h('section', {});
  parts.push(lists);
  if (!current()) return;
  main.replaceChildren(...parts);
  commandsFor(c, plan, actions, all);
  loadLists(id, lists);
}

// boundarySection is a boundary case's negotiation: its tier, rounds,
// stabilisation measures, escalations, settlement and follow-up visits.
function boundarySection(b) {
  const out = [h('h3', {}, t('boundary')), h('p', {}, `${b.title}${b.since ? `（${b.since} 年起）` : ''} · 层级 `, code('tier', b.tier),
    ` · 已举行轮次 ${Object.entries(b.held_rounds || {}).map(([k, v]) => `${label('tier', k)} ${v}`).join('，') || 0}`,
    b.overdue ? [' ', h('span', { class: 'tag red' }, t('overdue'))] : '')];
  out.push(h('h4', {}, '协商轮次'), table([['#', r => r.id], ['层级', r => code('tier', r.tier)], ['日期', r => r.scheduled_on], ['地点', r => r.venue],
    [t('state'), r => code('round', r.status)], [t('outcome_code'), r => code('round', r.outcome)], ['备注', r => dash(r.note)]], b.rounds || []));
  if ((b.stabilisations || []).length) out.push(h('h4', {}, '稳控措施'), table([['#', x => x.no], ['事件', x => dash(x.incident)], ['措施', x => x.measure],
    ['责任单位', x => x.responsible_unit], ['复查日期', x => x.review_on]], b.stabilisations));
  if ((b.escalations || []).length) out.push(h('h4', {}, '升级'), table([['自', x => code('tier', x.from)], ['至', x => code('tier', x.to)], ['日期', x => x.on], [t('reason'), x => dash(x.reason)]], b.escalations));
  const st = b.settlement;
  if (st) {
    out.push(h('h4', {}, '边界协议'), h('dl', { class: 'facts' }, h('dt', {}, '条款'), h('dd', {}, st.terms), h('dt', {}, '放牧规则'), h('dd', {}, st.grazing_rules),
      h('dt', {}, '记录日期'), h('dd', {}, st.recorded_on), h('dt', {}, '生效日期'), h('dd', {}, dash(st.effective_on))),
    table([['界桩', x => x.id], ['描述', x => x.description], ['坐标', x => x.coordinates], [t('state'), x => code('marker', x.status)]], st.markers || []),
    h('p', { id: 'signatures' }, '签署：', (b.parties || []).map(p => {
      const sig = (st.signatures || []).find(x => x.party === p.id);
      return h('span', { class: 'tag ' + (sig ? 'green' : 'amber') }, `${p.name} ${sig ? '已签署 ' + sig.signed_on : '未签署'}`);
    })));
  }
  if ((b.follow_ups || []).length) out.push(h('h4', {}, '回访'), table([['#', x => x.no], [t('due_on'), x => x.due_on], ['记录日期', x => dash(x.recorded_on)],
    ['协议是否维持', x => x.recorded_on ? (x.holds ? '维持' : '未维持') : '—'], ['备注', x => dash(x.note)]], b.follow_ups));
  return out;
}

async function loadLists(id, box) {
  const [notices, certs, tl, verify] = await Promise.all([
    call('GET', `/cases/${id}/notices`).catch(e => e), call('GET', `/cases/${id}/certificates`).catch(e => e),
    call('GET', `/cases/${id}/timeline`).catch(e => e), call('GET', `/cases/${id}/timeline/verify`).catch(e => e)]);
  const err = x => x instanceof Error ? h('div', { class: 'form-error' }, x.message) : null;
  box.append(h('h3', {}, t('notices')), err(notices) || table([['#', n => n.id], [t('kind'), n => code('notice_kind', n.kind)], ['收件人 recipient', n => n.recipient], [t('case_on'), n => n.case_on], [t('state'), n => code('notice', n.state)], ['送达时间', n => dash(chinaTime(n.delivered_at))], ['最后错误', n => dash(n.last_error)]], notices.notices || []));
  box.append(h('h3', {}, t('certificates')), err(certs) || table([[t('kind'), x => x.kind || '证明'], ['issued', x => x.issued_on], [t('total'), x => yuan(x.total_fen)]], certs.certificates || []));
  const csv = h('button', { id: 'timeline-csv', onclick: async () => save(await (await call('GET', `/cases/${id}/timeline.csv`, undefined, { raw: true })).blob(), `timeline-${id}.csv`) }, t('download_csv'));
  box.append(h('h3', { id: 'timeline' }, t('timeline'), ' ', verify instanceof Error ? '' : h('span', { class: 'tag ' + (verify.intact ? 'green' : 'red'), id: 'verify' }, `${t('verify')}: ${verify.intact ? t('intact') : t('broken')} (${verify.entries})`), ' ', csv),
    err(tl) || table([['#', x => x.seq], ['stream', x => x.stream], [t('step'), x => code('step', x.kind)], [t('actor'), x => x.actor ? `${x.actor.subject} (${x.actor.role})` : ''], [t('case_on'), x => x.case_on], [t('real_at'), x => chinaTime(x.real_at)], [t('reason'), x => dash(x.reason)]], tl.entries || tl.timeline || []));
}

function reload(id) { return () => pageCase(id); }

// enforcementCaseOf is the enforcement case filed on a mediation case's
// confirmed agreement, if one was: its filing ended the plan.
function enforcementCaseOf(c, plan) {
  const perf = c.mediation && c.mediation.performance;
  return (plan && plan.enforcement_case) || (perf && perf.result && perf.result.enforcement_case) || '';
}

// commandsFor offers the forms of the commands the signed-in role may take
// at the case's stage; the API still decides.
function commandsFor(c, plan, box, all) {
  const me = session().role, s = c.summary, m = c.mediation, id = s.id;
  // With all set, the forms of every role are shown, so that one can see
  // the API refuse what a role may not do.
  const is = (...roles) => all || roles.includes(me);
  const post = p => `/cases/${id}${p}`;
  const reason = (fid, title, p) => commandForm(fid, title, [field(t('reason'), 'reason', input())], f => ({ reason: f.elements.reason.value }), post(p), reload(id));
  const forms = [];
  if (m && is('mediator') && s.stage === 'mediating') forms.push(outcomeForm(c), reason('extend', '延长调解期限', '/extensions'));
  if (m && is('party') && (s.stage === 'agreement_reached' || s.stage === 'confirmation_applied')) forms.push(reason('apply', t('apply_confirmation'), '/confirmation/applications'));
  if (m && is('court') && s.stage === 'confirmation_applied') forms.push(reason('accept', t('accept_confirmation'), '/confirmation/acceptance'));
  if (m && is('court') && s.stage === 'confirmation_review') forms.push(reason('extend-decision', '延长审查期限', '/confirmation/extensions'),
    commandForm('decide', t('decide_confirmation'), [field(t('outcome'), 'decision', select([['confirmed', t('confirmed')], ['rejected', t('rejected')]])), field(t('reason'), 'reason', input())],
      f => ({ decision: f.elements.decision.value, reason: f.elements.reason.value }), post('/confirmation/decision'), reload(id)));
  if (plan && plan.status !== 'closed' && is('mediator', 'court', 'party') && ['performing', 'defaulted'].includes(s.stage)) {
    const amt = money();
    const on = dateInput({ value: plan.case_today });
    forms.push(commandForm('payment', t('record_payment'), [field(t('amount'), 'amount_fen', amt), field(t('paid_on'), 'paid_on', on), field(t('reason'), 'reason', input())],
      f => ({ amount_fen: fenOf(f, amt), paid_on: dateOf(on), reason: f.elements.reason.value || undefined }), post(`/plans/${plan.plan_id}/payments`), reload(id)));
  }
  if (m && is('court') && s.stage === 'defaulted' && !enforcementCaseOf(c, plan)) forms.push(enforcementForm(c, plan));
  // The plan's workflow failed (or an operator ended it): the court
  // restarts supervision under a new plan that keeps what was paid.
  if (m && is('court') && s.stage === 'performance_plan_failed') forms.push(reason('restart-plan', '重启履行督促（已登记的付款保留）', '/performance/restart'));
  // The certificate of automatic performance is issued on the obligor's
  // application (or the court's, taking it at the counter), only after
  // full, on-time performance.
  const perf = m && m.performance;
  if (perf && perf.result && perf.result.certificate_eligible && !perf.certificate && is('party', 'court'))
    forms.push(reason('certificate', '申请自动履行证明', '/certificate/applications'));
  if (c.enforcement && is('court') && c.enforcement.status !== 'closed') forms.push(...enforcementForms(c));
  if (c.boundary) forms.push(...boundaryForms(c, is));
  if (c.intake) forms.push(...intakeForms(c, is));
  if (!forms.length) forms.push(h('p', { class: 'muted' }, '当前角色在此阶段没有可办理事项'));
  box.append(...forms);
}

// boundaryForms are the commands of a boundary dispute (Process 2): the
// organising mediator's or the case leader's rounds, stabilisation,
// escalation, settlement and follow-up visits; the court's or the leader's
// assignment of the case leader; each party's signature.
function boundaryForms(c, is) {
  const b = c.boundary, s = c.summary, id = s.id, today = caseToday(s.clock);
  const post = p => `/cases/${id}/boundary${p}`;
  const text = (rows, attrs = {}) => h('textarea', { rows, ...attrs });
  const forms = [];
  const stage = b.stage, open = ['negotiating', 'signing', 'monitoring'].includes(stage);
  const organiser = is('mediator', 'supervisor');
  if (organiser && stage === 'negotiating') {
    const on = dateInput({ value: today });
    const venue = input({ placeholder: '例：某嘎查党群服务中心' });
    forms.push(commandForm('boundary-round', `安排协商（${label('tier', b.tier)}）`,
      [field('日期', 'on', on), field('地点', 'venue', venue)],
      () => ({ on: dateOf(on), tier: b.tier, venue: venue.value }), post('/rounds'), reload(id)));
    for (const r of (b.rounds || []).filter(r => r.status === 'scheduled')) {
      const outcome = select(['progress', 'no_progress', 'agreement_in_principle', 'incident'].map(o => [o, label('round', o)]), 'progress');
      const note = input();
      forms.push(commandForm(`boundary-record-${r.id}`, `记录协商结果：${r.id}（${r.scheduled_on}，${r.venue}）`,
        [field(t('outcome_code'), 'outcome', outcome), field('备注（发生事件时必填）', 'note', note)],
        () => ({ outcome: outcome.value, note: note.value || undefined }), post(`/rounds/${encodeURIComponent(r.id)}/record`), reload(id)));
    }
    const next = { village: 'township', township: 'county' }[b.tier];
    if (next) {
      const why = input();
      forms.push(commandForm('boundary-escalation', `升级至${label('tier', next)}协商`, [field(t('reason'), 'reason', why)],
        () => ({ to: next, reason: why.value || undefined }), post('/escalation'), reload(id)));
    }
  }
  if (organiser && open) {
    const incident = input({ placeholder: '不填则针对最近一次发生事件的协商' });
    const measure = text(2), unit = input(), review = dateInput();
    forms.push(commandForm('boundary-stabilisation', '稳控措施', [field('事件', 'incident', incident), field('措施', 'measure', measure),
      field('责任单位', 'responsible_unit', unit), field('复查日期', 'review_on', review)],
    () => ({ incident: incident.value || undefined, measure: measure.value, responsible_unit: unit.value, review_on: dateOf(review) }), post('/stabilisation'), reload(id)));
  }
  if (organiser && (stage === 'negotiating' || stage === 'signing')) forms.push(settlementForm(c));
  if (is('court', 'supervisor') && open) {
    const leader = input({ value: b.case_leader || '' }), why = input();
    forms.push(commandForm('boundary-case-leader', '指定包案领导', [field(t('case_leader'), 'case_leader', leader), field(t('reason'), 'reason', why)],
      () => ({ case_leader: leader.value, reason: why.value || undefined }), post('/case-leader'), reload(id)));
  }
  if (is('party') && stage === 'signing') {
    const me = session().subject;
    const signed = (b.settlement?.signatures || []).some(x => x.party === me);
    if (!signed) forms.push(commandForm('boundary-sign', '签署边界协议', [h('p', {}, '以本方代表人名义签署上述协议；全部当事方签署后协议生效。')],
      () => ({}), post('/settlement/signatures'), reload(id)));
  }
  if (organiser && stage === 'monitoring') {
    const due = (b.follow_ups || []).find(f => !f.recorded_on);
    const holds = select([['true', '协议维持'], ['false', '协议未维持']], 'true'), note = input();
    const markers = b.settlement?.markers || [];
    const checks = markers.map((mk, i) => field(`界桩 ${mk.id}`, `checks[${i}].status`,
      select([['', '未检查'], ...['installed', 'intact', 'damaged', 'missing'].map(x => [x, label('marker', x)])], 'intact')));
    forms.push(commandForm('boundary-follow-up', `回访${due ? `（第 ${due.no} 次，${due.due_on} 到期）` : ''}`,
      [field('结果', 'holds', holds), field('备注（未维持时必填）', 'note', note), ...checks],
      f => ({ holds: holds.value === 'true', note: note.value || undefined,
        checks: markers.map((mk, i) => ({ marker: mk.id, status: f.elements[`checks[${i}].status`].value })).filter(x => x.status) }),
      post('/follow-ups'), reload(id)));
  }
  return forms;
}

// settlementForm records (or, before every party signed, amends) a boundary
// settlement: its terms, grazing rules and markers, edited in rows.
function settlementForm(c) {
  const b = c.boundary, id = c.summary.id, st = b.settlement;
  const terms = h('textarea', { rows: 3 }), grazing = h('textarea', { rows: 2 });
  if (st) { terms.value = st.terms; grazing.value = st.grazing_rules; }
  const rows = h('div', { class: 'installments markers', 'data-loc': 'markers' });
  const renumber = () => rows.querySelectorAll('.row').forEach((r, i) => {
    r.querySelector('.no').textContent = i + 1;
    for (const k of ['id', 'description', 'coordinates']) r.querySelector(`.m-${k}`).setAttribute('data-loc', `markers[${i}].${k}`);
  });
  const addRow = (mk = {}) => {
    const cell = (k, ph) => h('span', { class: 'cell' }, input({ class: `m-${k}`, placeholder: ph, value: mk[k] || '' }), h('small', { class: 'err' }));
    const r = h('div', { class: 'row' }, h('span', { class: 'no' }), cell('id', '编号，例：J1'), cell('description', '描述，例：山脊石堆'), cell('coordinates', '坐标，例：E101.2041,N38.9120'),
      h('button', { type: 'button', onclick: () => { r.remove(); renumber(); } }, t('remove')));
    rows.append(r); renumber();
  };
  (st?.markers?.length ? st.markers : [{}]).forEach(addRow);
  return commandForm('boundary-settlement', st ? '修改边界协议' : '记录边界协议', [field('协议条款', 'terms', terms), field('放牧规则', 'grazing_rules', grazing),
    h('div', { class: 'cell' }, h('b', {}, '界桩'), rows, h('small', { class: 'err' })),
    h('button', { type: 'button', id: 'add-marker', onclick: () => addRow() }, '添加界桩')],
  () => ({ terms: terms.value, grazing_rules: grazing.value,
    markers: [...rows.querySelectorAll('.row')].map(r => ({ id: r.querySelector('.m-id').value, description: r.querySelector('.m-description').value, coordinates: r.querySelector('.m-coordinates').value })) }),
  `/cases/${id}/boundary/settlement`, reload(id));
}

// outcomeForm records a mediation outcome; an agreement's installments are
// edited in rows, with what remains of the total shown as you type.
function outcomeForm(c) {
  const m = c.mediation, id = c.summary.id;
  const parties = m.parties || [];
  const obligor = select(parties.map(p => [p.id, `${p.name}（${p.id}）`]), (parties.find(p => p.side === 'respondent') || {}).id);
  const obligees = input({ value: parties.filter(p => p.side === 'applicant').map(p => p.id).join(',') });
  const total = money(m.claim_fen);
  const rows = h('div', { class: 'installments' });
  const remaining = h('output', { id: 'remaining' });
  const update = () => {
    const tot = parseYuan(total.value);
    let sum = 0, ok = tot !== null;
    rows.querySelectorAll('input.money').forEach(i => { if (!i.value.trim()) return; const v = parseYuan(i.value); if (v === null) ok = false; else sum += v; });
    remaining.textContent = ok ? yuan(tot - sum) : '—';
    remaining.className = ok && tot - sum === 0 ? 'ok' : 'warn';
  };
  const renumber = () => rows.querySelectorAll('.row').forEach((r, i) => {
    r.querySelector('.no').textContent = i + 1;
    r.querySelector('.date').setAttribute('data-loc', `terms.installments[${i}].due_on`);
    r.querySelector('.money').setAttribute('data-loc', `terms.installments[${i}].amount_fen`);
  });
  const addRow = () => {
    const r = h('div', { class: 'row' }, h('span', { class: 'no' }),
      h('span', { class: 'cell' }, dateInput(), h('small', { class: 'err' })),
      h('span', { class: 'cell' }, money(), h('small', { class: 'err' })),
      h('button', { type: 'button', onclick: () => { r.remove(); renumber(); update(); } }, t('remove')));
    rows.append(r); renumber(); update();
  };
  rows.addEventListener('input', update); total.addEventListener('input', update);
  const kind = select([['agreed', t('agreed')], ['failed', t('failed')], ['withdrawn', t('withdrawn')]], 'agreed');
  const terms = h('fieldset', { class: 'terms' }, h('legend', {}, '协议条款 terms'),
    field(t('obligor'), 'terms.obligor', obligor), field(t('obligees') + '（逗号分隔）', 'terms.obligees', obligees),
    field(t('total'), 'terms.total_fen', total), h('div', { class: 'cell' }, h('b', {}, t('schedule')), rows, h('small', { class: 'err' })),
    h('button', { type: 'button', id: 'add-installment', onclick: addRow }, t('add_installment')),
    h('p', {}, t('remaining') + '：', remaining));
  rows.setAttribute('data-loc', 'terms.installments');
  kind.addEventListener('change', () => { terms.hidden = kind.value !== 'agreed'; });
  addRow();
  return commandForm('outcome', t('outcome'), [field(t('outcome'), 'outcome', kind), terms, field(t('reason'), 'reason', input())], f => {
    if (kind.value !== 'agreed') return { outcome: kind.value, reason: f.elements.reason.value };
    return { outcome: 'agreed', terms: {
      obligor: obligor.value, obligees: obligees.value.split(/[,，\s]+/).filter(Boolean), total_fen: fenOf(f, total),
      installments: [...rows.querySelectorAll('.row')].map(r => ({ due_on: dateOf(r.querySelector('.date')), amount_fen: fenOf(f, r.querySelector('.money')) })) } };
  }, `/cases/${id}/outcome`, reload(id));
}

// enforcementForm applies, on the obligee's behalf, for enforcement of a
// defaulted case's confirmed agreement: for what the plan says is still
// outstanding (the whole total when the plan cannot be read).
function enforcementForm(c, plan) {
  const m = c.mediation, s = c.summary, terms = m.agreement.terms;
  const amt = money(plan ? plan.outstanding_fen : terms.total_fen);
  const num = input({ value: s.case_number.replace(/号$/, '') + '执号' });
  return commandForm('enforce', t('start_enforcement'), [field(t('case_number'), 'case_number', num), field(t('amount'), 'amount_fen', amt)], f => ({
    case_number: num.value, jurisdiction: s.jurisdiction || undefined, amount_fen: fenOf(f, amt), applicant: terms.obligees[0], respondent: terms.obligor,
    parties: (m.parties || []).map(p => ({ id: p.id, name: p.name, side: p.side })),
    title: { kind: 'confirmed_mediation_agreement', document_number: s.case_number, document_date: m.confirmation.decided_on, source_case_id: s.id,
      due_dates: terms.installments.map(i => i.due_on) } }), '/cases/enforcement', out => { location.hash = '#/case/' + out.summary.id; });
}

// enforcementForms are the court's commands on an open enforcement case:
// property inquiry, measures (order, renew, lift), payments, 终本 and, after
// it, re-checks.
function enforcementForms(c) {
  const e = c.enforcement, id = c.summary.id, post = p => `/cases/${id}/enforcement${p}`;
  const finding = (fid, title, p) => {
    const found = select([['true', '查到财产 found'], ['false', '未查到 none found']], 'true');
    const kind = select(['bank_deposit', 'movable', 'real_property', 'other_property_right'].map(k => [k, label('asset', k)]), 'bank_deposit');
    const value = money();
    return commandForm(fid, title, [field('结果 found', 'found', found), field('财产种类 asset_kind', 'findings[0].asset_kind', kind),
      field('价值 value', 'findings[0].value_fen', value), field('说明 description', 'findings[0].description', input()), field('备注 note', 'note', input())],
    f => found.value === 'true'
      ? { found: true, findings: [{ asset_kind: kind.value, value_fen: fenOf(f, value), description: f.elements['findings[0].description'].value }], note: f.elements.note.value || undefined }
      : { found: false, note: f.elements.note.value || undefined }, post(p), reload(id));
  };
  const forms = [];
  if (e.stage === 'terminated_round') forms.push(finding('recheck', '复查财产 re-check', '/rechecks'));
  else {
    forms.push(finding('inquiry', '网络查控 property inquiry', '/inquiries'), measureForm(c));
    for (const m of (e.measures || []).filter(m => m.status === 'active')) {
      for (const [act, verb] of [['renewal', '续行'], ['lifting', '解除']]) {
        forms.push(commandForm(`${act}-${m.id}`, `${verb}：${label('measure', m.kind)} #${m.no}`, [field(t('reason'), 'reason', input())],
          f => ({ reason: f.elements.reason.value || undefined }), post(`/measures/${encodeURIComponent(m.id)}/${act}`), reload(id)));
      }
    }
    const amt = money();
    const on = dateInput({ value: e.case_today });
    forms.push(commandForm('enforcement-payment', '执行款 ' + t('record_payment'), [field(t('amount'), 'amount_fen', amt), field(t('paid_on'), 'paid_on', on), field(t('reason'), 'reason', input())],
      f => ({ amount_fen: fenOf(f, amt), paid_on: dateOf(on), reason: f.elements.reason.value || undefined }), post('/payments'), reload(id)));
    forms.push(commandForm('termination', '终结本次执行程序（终本）', [field(t('reason'), 'reason', input())], f => ({ reason: f.elements.reason.value }), post('/termination'), reload(id)));
  }
  return forms;
}

function measureForm(c) {
  const id = c.summary.id, amt = money();
  const kind = select(['freeze', 'seizure', 'consumption_restriction', 'dishonest_list', 'detention', 'summons', 'fine', 'search'].map(k => [k, label('measure', k)]), 'freeze');
  return commandForm('measure', t('measure'), [field(t('kind'), 'kind', kind), field('资产 asset_kind', 'asset_kind', input({ value: 'bank_deposit' })), field(t('amount'), 'amount_fen', amt), field('说明 description', 'description', input())],
    f => ({ kind: kind.value, asset_kind: f.elements.asset_kind.value || undefined, amount_fen: amt.value ? fenOf(f, amt) : undefined, description: f.elements.description.value || undefined }),
    `/cases/${id}/enforcement/measures`, reload(id));
}

function pageDelegate() {
  const claim = money();
  const party = (i, side, pid, name) => h('fieldset', {}, h('legend', {}, t(side)),
    field(t('id'), `parties[${i}].id`, input({ value: pid })), field(t('name'), `parties[${i}].name`, input({ value: name })));
  const form = commandForm('delegate', t('delegate'), [
    field(t('case_number'), 'case_number', input({ placeholder: '（2026）黔2301民诉前调88号' })),
    field(t('organisation'), 'organisation', input({ value: '兴义市人民调解委员会' })),
    field(t('mediator'), 'mediator', input({ value: 'mediator-wang' })), field(t('subject'), 'subject', input()),
    field(t('claim'), 'claim_fen', claim), party(0, 'applicant', 'zhang-san', '张三'), party(1, 'respondent', 'xx-construction', '某建筑公司')],
  f => ({ case_number: f.elements.case_number.value, organisation: f.elements.organisation.value, mediator: f.elements.mediator.value,
    subject: f.elements.subject.value || undefined, claim_fen: fenOf(f, claim),
    parties: [0, 1].map(i => ({ id: f.elements[`parties[${i}].id`].value, name: f.elements[`parties[${i}].name`].value, side: i ? 'respondent' : 'applicant' })) }),
  '/cases/mediation', out => { location.hash = '#/case/' + out.summary.id; });
  main.replaceChildren(form);
}

// pageBoundary opens a boundary dispute (Process 2): two or more parties,
// often of different jurisdictions, each with its representative.
function pageBoundary() {
  const rows = h('div', { class: 'installments parties', 'data-loc': 'parties' });
  const keys = [['id', '标识'], ['name', '名称'], ['jurisdiction', '辖区'], ['representative', '代表人']];
  const renumber = () => rows.querySelectorAll('.row').forEach((r, i) => {
    r.querySelector('.no').textContent = i + 1;
    for (const [k] of keys) r.querySelector(`.p-${k}`).setAttribute('data-loc', `parties[${i}].${k}`);
  });
  const addRow = () => {
    const r = h('div', { class: 'row' }, h('span', { class: 'no' }),
      keys.map(([k, l]) => h('span', { class: 'cell' }, input({ class: `p-${k}`, placeholder: l }), h('small', { class: 'err' }))),
      h('button', { type: 'button', onclick: () => { r.remove(); renumber(); } }, t('remove')));
    rows.append(r); renumber();
  };
  addRow(); addRow();
  const since = input({ inputmode: 'numeric', placeholder: '1985' });
  const form = commandForm('open-boundary', t('open_boundary'), [
    field(t('case_number'), 'case_number', input({ placeholder: '（2026）内2921调1号' })),
    field(t('jurisdiction') + '（不填则为本人辖区）', 'jurisdiction', input({ placeholder: 'CN-15' })),
    field('纠纷名称', 'title', input({ placeholder: '甲嘎查与乙村草场边界纠纷' })), field('纠纷起始年份', 'since', since),
    field('组织协商的调解员', 'organiser', input({ placeholder: 'mediator-wang' })), field(t('case_leader') + '（可不填）', 'case_leader', input()),
    h('div', { class: 'cell' }, h('b', {}, '当事方（标识、名称、辖区、代表人）'), rows, h('small', { class: 'err' })),
    h('button', { type: 'button', id: 'add-party', onclick: addRow }, '添加当事方')],
  f => {
    const year = since.value.trim();
    if (year && !/^\d{1,4}$/.test(year)) { inline(since, '年份应为数字，例如 1985'); throw new Error('年份格式错误'); }
    return { case_number: f.elements.case_number.value, jurisdiction: f.elements.jurisdiction.value || undefined, title: f.elements.title.value,
      since: year ? Number(year) : undefined, organiser: f.elements.organiser.value, case_leader: f.elements.case_leader.value || undefined,
      parties: [...rows.querySelectorAll('.row')].map(r => Object.fromEntries(keys.map(([k]) => [k, r.querySelector(`.p-${k}`).value]))) };
  }, '/cases/boundary', out => { location.hash = '#/case/' + out.summary.id; });
  main.replaceChildren(form);
}

// parseCreditors reads "id,name,owed_yuan[,hardship]" lines (a header line
// is skipped) and reports every malformed row by its number.
export function parseCreditors(text) {
  const creditors = [], errors = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || (i === 0 && /^\s*id\s*,/i.test(line))) return;
    const [cid, name, owed, hardship] = line.split(',').map(x => (x || '').trim());
    const fen = parseYuan(owed || '');
    const why = [];
    if (!cid) why.push('缺少标识 id missing');
    if (!name) why.push('缺少姓名 name missing');
    if (fen === null || fen <= 0) why.push('欠付金额应为正数 owed must be a positive amount');
    if (why.length) errors.push({ row: i + 1, line, why: why.join('; ') });
    else creditors.push({ id: cid, name, owed_fen: fen, hardship: /^(1|true|yes|是)$/i.test(hardship || '') || undefined });
  });
  return { creditors, errors };
}

function pageWage() {
  const file = h('input', { type: 'file', accept: '.csv,text/csv', id: 'creditors-file' });
  const report = h('div', { id: 'creditors-report' });
  let parsed = { creditors: [], errors: [] };
  file.addEventListener('change', async () => {
    parsed = parseCreditors(await file.files[0].text());
    report.replaceChildren(h('p', {}, `${parsed.creditors.length} ${t('rows_ok')}，${parsed.errors.length} ${t('rows_bad')}`),
      parsed.errors.length ? table([[t('row'), e => e.row], ['内容 line', e => e.line], [t('error'), e => e.why]], parsed.errors) : '',
      parsed.creditors.length ? table([[t('id'), c => c.id], [t('name'), c => c.name], [t('owed'), c => yuan(c.owed_fen)], [t('hardship'), c => c.hardship ? '是' : '']], parsed.creditors) : '');
  });
  const sched = h('textarea', { rows: 3, placeholder: '2027-01-31,2500.00' });
  const form = commandForm('wage', t('wage'), [
    field(t('case_number'), 'case_number', input()), field(t('debtor') + ' id', 'debtor.id', input()), field(t('debtor'), 'debtor.name', input()),
    field(t('allocation'), 'allocation', select([['pro_rata', '按比例 pro rata'], ['hardship_first', '困难优先 hardship first']], 'pro_rata')),
    h('label', { class: 'field cell' }, h('span', {}, t('creditors_csv') + '（id,name,owed_yuan,hardship）'), file, h('small', { class: 'err' })), report,
    field(t('schedule') + '（due_on,amount_yuan 每行一期）', 'schedule', sched)],
  f => {
    if (parsed.errors.length) throw new Error(`${parsed.errors.length} ${t('rows_bad')}`);
    return { case_number: f.elements.case_number.value, allocation: f.elements.allocation.value,
      debtor: { id: f.elements['debtor.id'].value, name: f.elements['debtor.name'].value }, creditors: parsed.creditors,
      schedule: sched.value.split(/\r?\n/).filter(l => l.trim()).map(l => { const [d, a] = l.split(','); const v = parseYuan(a || ''); if (v === null) throw new Error('还款计划金额格式错误: ' + l); return { due_on: d.trim(), amount_fen: v }; }) };
  }, '/cases/wage', out => { location.hash = '#/case/' + out.summary.id; });
  main.replaceChildren(form);
}

// pageUndeliverable lists, for a clerk to serve them another way (by post,
// in person, by announcement), the notices of every case in the caller's
// scope that no delivery attempt got through, oldest first, with the
// channel's last error.
async function pageUndeliverable() {
  const form = h('form', { class: 'filters', id: 'undeliverable-filter', novalidate: true },
    ...['court', 'mediator', 'case_leader', 'jurisdiction'].map(k => field(t(k), k, input())),
    field(t('limit'), 'limit', input({ type: 'number', value: '50', min: '1', max: '500' })),
    h('div', { class: 'form-error', hidden: true, role: 'alert' }), h('button', { type: 'submit' }, t('search')));
  const out = h('div', { id: 'undeliverable' });
  const pager = h('div', { class: 'pager' });
  const cursors = [''];
  main.replaceChildren(h('h2', {}, t('undeliverable')), h('p', { class: 'muted' }, '以下通知经全部送达尝试仍未送达，请以邮寄、直接送达或公告等方式另行送达。'), form, out, pager);
  const show = async () => {
    const q = new URLSearchParams();
    for (const k of ['court', 'mediator', 'case_leader', 'jurisdiction', 'limit']) { const v = form.elements[k].value.trim(); if (v) q.set(k, v); }
    if (cursors[cursors.length - 1]) q.set('cursor', cursors[cursors.length - 1]);
    let data;
    try { data = await call('GET', '/notices/undeliverable?' + q); } catch (e) { out.replaceChildren(); pager.replaceChildren(); return showProblem(form, e); }
    form.querySelector('.form-error').hidden = true;
    out.replaceChildren(table([
      [t('case_number'), n => h('a', { href: '#/case/' + encodeURIComponent(n.case_id) }, n.case_number)],
      ['#', n => n.id], [t('kind'), n => code('notice_kind', n.kind)], ['收件人', n => n.recipient], [t('case_on'), n => n.case_on],
      ['放弃送达时间', n => dash(chinaTime(n.undeliverable_at))], ['尝试次数', n => n.attempts],
      ['最后错误', n => h('span', { class: 'last-error' }, dash(n.last_error))],
    ], data.notices || [], n => ({ 'data-notice': n.id, 'data-case': n.case_id })));
    pager.replaceChildren(
      h('button', { id: 'prev', disabled: cursors.length < 2, onclick: () => { cursors.pop(); show(); } }, t('prev_page')),
      h('button', { id: 'next', disabled: !data.next_cursor, onclick: () => { cursors.push(data.next_cursor); show(); } }, t('next_page')));
  };
  form.addEventListener('submit', ev => { ev.preventDefault(); cursors.length = 1; show(); });
  await show();
}

// escapeHTML makes user text (court and mediator names) safe in the one
// place that takes HTML: an ECharts tooltip.
function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const ratioKeys = ['resolution_rate', 'automatic_performance_rate', 'follow_up_rate', 'average_days_to_close'];

async function pageCockpit() {
  const group = select(['court', 'mediator', 'process', 'month', 'year'].map(g => [g, t(g)]), 'court');
  // A process group is a code; courts, mediators and periods are names.
  const groupName = r => (r.group ? (group.value === 'process' ? label('common', r.group) : r.group) : '—');
  const charts = h('div', { class: 'charts' });
  const figures = h('div', {});
  main.replaceChildren(h('h2', {}, t('cockpit')), h('label', { class: 'field' }, h('span', {}, t('group_by')), group), charts, figures);
  const show = async () => {
    let data;
    try { data = await call('GET', '/statistics?group_by=' + group.value); } catch (e) { figures.replaceChildren(h('div', { class: 'form-error' }, e.message)); return; }
    const rows = data.rows || [];
    charts.replaceChildren();
    for (const k of ratioKeys) {
      const el = h('div', { class: 'chart', id: 'chart-' + k });
      charts.append(el);
      if (!window.echarts) { el.textContent = 'ECharts missing'; continue; }
      const chart = window.echarts.init(el, null, { renderer: 'canvas' });
      const pct = k !== 'average_days_to_close';
      chart.setOption({
        animation: false, title: { text: t(k), left: 'center', textStyle: { fontSize: 14 } },
        tooltip: { trigger: 'axis', formatter: ps => ps.map(p => { const r = rows[p.dataIndex][k]; return escapeHTML(`${p.name}: ${r.value} (${r.numerator}/${r.denominator})`); }).join('<br>') },
        grid: { left: 48, right: 16, top: 40, bottom: 48 },
        xAxis: { type: 'category', data: rows.map(groupName), axisLabel: { interval: 0, rotate: rows.length > 4 ? 30 : 0 } },
        yAxis: { type: 'value', max: pct ? 100 : null, axisLabel: { formatter: pct ? '{value}%' : '{value}' } },
        series: [{ type: 'bar', data: rows.map(r => { const x = r[k]; if (!x || !x.denominator) return 0; return pct ? Math.round(x.numerator * 1000 / x.denominator) / 10 : Math.round(x.numerator * 10 / x.denominator) / 10; }),
          label: { show: true, position: 'top', formatter: p => { const x = rows[p.dataIndex][k]; return x ? `${x.numerator}/${x.denominator}` : ''; } } }],
      });
    }
    figures.replaceChildren(h('h3', {}, t('statistics')), table([[t('group'), groupName], ['案件数', r => r.disputes], [t('open'), r => r.open], [t('overdue'), r => r.overdue], [t('closed'), r => r.closed],
      ...ratioKeys.map(k => [t(k), r => r[k] ? h('span', { class: 'ratio', title: `${t('numerator')}/${t('denominator')}` }, `${r[k].value}（${r[k].numerator}/${r[k].denominator}）`) : '—'])], rows));
  };
  group.addEventListener('change', show);
  await show();
}

// ---- intake and dispatch (矛盾纠纷受理: 点单、派单、接单、办单、评单) ------------

// intakeFlow is the order an intake dispute's stages go in, for the
// stepper at the top of its section.
const intakeFlow = ['registered', 'dispatched', 'handling', 'following_up', 'closed'];

function riskTag(risk, hard) {
  const cls = { red: 'red', yellow: 'amber', green: 'green' }[risk] || '';
  return h('span', {}, h('span', { class: 'tag risk ' + cls, 'data-code': risk, title: risk }, label('risk', risk)), hard ? [' ', h('span', { class: 'tag red' }, t('hard_case'))] : '');
}

// intakeSection is an intake dispute's handling: where it stands in the
// flow, its grade and tier, each dispatch, re-grading, the case-leader
// record, the outcome, follow-up visits, ratings and a conversion.
function intakeSection(iv) {
  // A dispute that needs a court process goes to conversion instead of
  // follow-up visits and close-out.
  const flow = ['awaiting_conversion', 'converted'].includes(iv.stage) ? [...intakeFlow.slice(0, 3), 'awaiting_conversion', 'converted'] : intakeFlow;
  const at = flow.indexOf(iv.stage);
  const out = [h('h3', {}, t('intake')),
    h('ol', { class: 'stepper', id: 'intake-steps' }, flow.map((st, i) => h('li', { class: i < at ? 'done' : i === at ? 'current' : '', 'data-stage': st },
      st === 'converted' && iv.outcome === 'converted_to_boundary' ? label('outcome', iv.outcome) : label('stage', st)))),
    h('dl', { class: 'facts', id: 'intake-facts' }, ...[
      [t('channel'), code('channel', iv.channel)], [t('risk'), riskTag(iv.risk, iv.hard)], [t('urgency'), code('urgency', iv.urgency)],
      [t('summary'), iv.summary],
      [t('handler'), iv.handler ? `${iv.handler.unit}（${label('handler_kind', iv.handler.kind)}）· ${iv.handler.subject}` : ''],
      [t('handle_by'), iv.handle_by && ['dispatched', 'handling'].includes(iv.stage) ? [iv.handle_by, iv.overdue ? [' ', h('span', { class: 'tag red' }, t('overdue'))] : ''] : ''],
      [t('escalated_to'), iv.escalated_to], [t('rate_by'), iv.rate_by && !iv.rating_closed ? iv.rate_by : ''],
    ].filter(r => r[1]).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]).flat())];
  out.push(h('h4', {}, t('dispatches')), h('div', { id: 'dispatches' }, table([['#', d => d.no], [t('handler'), d => `${d.handler.unit}（${label('handler_kind', d.handler.kind)}）`],
    [t('handler_user'), d => d.handler.subject], [t('dispatched_on'), d => d.dispatched_on], [t('urgency'), d => code('urgency', d.urgency)], [t('handle_by'), d => d.handle_by],
    [t('accepted_on'), d => dash(d.accepted_on)], [t('returned'), d => d.returned_on ? `${d.returned_on}：${d.return_reason}` : '—'],
    ['', d => d.overdue ? h('span', { class: 'tag red' }, d.withdrawn ? t('withdrawn_overdue') : t('overdue')) : '']], iv.dispatches || [])));
  if ((iv.regrades || []).length) out.push(h('h4', {}, t('regrades')), table([[t('case_on'), x => x.on], ['原等级', x => label('risk', x.from)], ['新等级', x => riskTag(x.to, x.hard)],
    [t('urgency'), x => x.urgency_from === x.urgency_to ? label('urgency', x.urgency_to) : `${label('urgency', x.urgency_from)} → ${label('urgency', x.urgency_to)}`], [t('reason'), x => x.reason], [t('actor'), x => x.by]], iv.regrades));
  const cl = iv.case_leader;
  if (cl) out.push(h('h4', {}, t('case_leader_record')), h('dl', { class: 'facts', id: 'case-leader-record' }, ...[
    ['牵头部门', cl.lead_department], [t('case_leader'), cl.leader], ['配合单位', (cl.cooperating_units || []).join('、') || '—'], ['工作措施', cl.measures],
    ['建档日期', cl.recorded_on], ['化解期限', [cl.resolve_by, cl.deadline_passed ? [' ', h('span', { class: 'tag red' }, '已届满')] : '']]].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]).flat()));
  else if (iv.case_leader_required) out.push(h('p', { class: 'form-error', id: 'case-leader-missing' }, t('case_leader_required')));
  if (iv.result) out.push(h('h4', {}, t('intake_result')), h('p', { id: 'intake-result' }, code('outcome', iv.result.outcome), ` · ${iv.result.recorded_on} · ${iv.result.by}`,
    iv.result.on_time ? '' : [' ', h('span', { class: 'tag red' }, '超期办结')], iv.result.note ? ` · ${iv.result.note}` : ''));
  if ((iv.follow_ups || []).length) out.push(h('h4', {}, '回访'), h('div', { id: 'intake-follow-ups' }, table([['#', x => x.no], [t('due_on'), x => x.due_on],
    [t('state'), x => x.visited_on ? '已回访' : x.due ? h('span', { class: 'tag amber' }, '已到期待回访') : '未到期'], ['回访日期', x => dash(x.visited_on)],
    ['结果', x => x.visited_on ? (x.holds ? '维持' : '未维持') : '—'], ['备注', x => dash(x.note)]], iv.follow_ups)));
  if ((iv.ratings || []).length) out.push(h('h4', {}, t('ratings')), h('div', { id: 'ratings' }, table([[t('party'), x => x.party], [t('score'), x => '★'.repeat(x.score) + '☆'.repeat(5 - x.score) + ` ${x.score}`],
    ['评价', x => dash(x.comment)], [t('case_on'), x => x.rated_on]], iv.ratings)));
  if ((iv.joint_reviews || []).length) out.push(h('h4', {}, t('joint_reviews')), h('div', { id: 'joint-reviews' }, table([['#', x => x.no], [t('month'), x => x.month],
    [t('meeting_on'), x => x.meeting_on], [t('participants'), x => x.participants.join('、')], [t('decision'), x => code('review_decision', x.decision)],
    [t('new_resolve_by'), x => dash(x.resolve_by)], [t('reason'), x => x.reason], [t('actor'), x => x.by]], iv.joint_reviews)));
  if (iv.conversion) out.push(h('p', { id: 'conversion-link' }, t(iv.conversion.process === 'boundary' ? 'converted_boundary_case' : 'converted_case') + '：',
    h('a', { href: '#/case/' + encodeURIComponent(iv.conversion.case_id) }, iv.conversion.case_number), ` · ${iv.conversion.converted_on}`));
  return out;
}

// intakeForms are the commands of an intake dispute, offered by role and
// stage: the window dispatches, follows up and keeps the case-leader
// record; the handler accepts, returns and records the outcome; the window,
// the handler or the case leader re-grades; each party rates; a court
// converts. The workflow still decides who may.
function intakeForms(c, is) {
  const iv = c.intake, id = c.summary.id, me = session();
  const post = p => `/cases/${id}/intake${p}`;
  const stage = iv.stage, open = !['closed', 'converted'].includes(stage);
  const mine = iv.handler && iv.handler.subject === me.subject;
  const forms = [];
  if (is('dispatcher') && (stage === 'registered' || ((stage === 'dispatched' || stage === 'handling') && iv.overdue))) {
    const kind = select(['mediation_committee', 'township', 'court', 'department'].map(k => [k, label('handler_kind', k)]), 'mediation_committee');
    const unit = input({ placeholder: '例：兴义市人民调解委员会' }), handler = input({ placeholder: '例：mediator-wang' }), note = input();
    forms.push(commandForm('intake-dispatch', t('intake_dispatch'), [field(t('handler_kind'), 'kind', kind), field(t('unit'), 'unit', unit),
      field(t('handler_user'), 'handler', handler), field('备注', 'note', note)],
    () => ({ kind: kind.value, unit: unit.value, handler: handler.value, note: note.value || undefined }), post('/dispatch'), reload(id)));
  }
  if (is('mediator', 'court') && (all_(is) || mine) && stage === 'dispatched')
    forms.push(commandForm('intake-accept', t('intake_accept'), [h('p', {}, `由 ${iv.handler ? iv.handler.unit : ''} 接单办理，办理期限至 ${iv.handle_by}。`)], () => ({}), post('/accept'), reload(id)));
  if (is('mediator', 'court') && (all_(is) || mine) && (stage === 'dispatched' || stage === 'handling')) {
    const why = input();
    forms.push(commandForm('intake-return', t('intake_return'), [field(t('reason'), 'reason', why)], () => ({ reason: why.value }), post('/return'), reload(id)));
  }
  if (is('mediator', 'court') && (all_(is) || mine) && stage === 'handling') {
    const outcome = select(['resolved', 'not_resolved', 'needs_court'].map(o => [o, label('outcome', o)]), 'resolved'), note = input();
    forms.push(commandForm('intake-outcome', t('intake_outcome'), [field(t('outcome_code'), 'outcome', outcome), field('说明（未化解时必填）', 'note', note)],
      () => ({ outcome: outcome.value, note: note.value || undefined }), post('/outcome'), reload(id)));
  }
  const leads = iv.case_leader && iv.case_leader.leader === me.subject;
  if ((is('dispatcher') || (is('mediator', 'court') && (all_(is) || mine)) || (is('supervisor') && (all_(is) || leads)))
    && ['registered', 'dispatched', 'handling', 'following_up', 'awaiting_conversion'].includes(stage)) {
    const risk = select(['green', 'yellow', 'red'].map(r => [r, label('risk', r)]), iv.risk === 'red' ? 'yellow' : 'red');
    const hard = h('input', { type: 'checkbox', 'data-loc': 'hard' }), why = input();
    forms.push(commandForm('intake-regrade', t('intake_regrade'), [field(t('risk'), 'risk', risk),
      h('label', { class: 'field check' }, h('span', {}, t('hard_case')), hard, h('small', { class: 'err' })), field(t('reason'), 'reason', why)],
    () => ({ risk: risk.value, hard: hard.checked || undefined, reason: why.value }), post('/regrade'), reload(id)));
  }
  if (is('dispatcher', 'supervisor') && open && (iv.case_leader_required || iv.case_leader)) {
    const cl = iv.case_leader || {};
    const dept = input({ value: cl.lead_department || '' }), leader = input({ value: cl.leader || '', placeholder: 'leader-zhou' });
    const units = input({ value: (cl.cooperating_units || []).join('，'), placeholder: '逗号分隔' }), measures = h('textarea', { rows: 2 });
    measures.value = cl.measures || '';
    forms.push(commandForm('intake-case-leader', cl.leader ? '变更包案档案' : t('case_leader_record'), [field('牵头部门', 'lead_department', dept), field(t('case_leader'), 'leader', leader),
      field('配合单位', 'cooperating_units', units), field('工作措施', 'measures', measures)],
    () => ({ lead_department: dept.value, leader: leader.value, cooperating_units: units.value.split(/[,，、\s]+/).filter(Boolean), measures: measures.value }), post('/case-leader'), reload(id)));
  }
  if (is('dispatcher') && stage === 'following_up') {
    const due = (iv.follow_ups || []).find(f => !f.visited_on);
    const holds = select([['true', '结果维持'], ['false', '结果未维持']], 'true'), note = input();
    forms.push(commandForm('intake-follow-up', `${t('intake_follow_up')}${due ? `（第 ${due.no} 次，${due.due_on} 到期）` : ''}`, [field('结果', 'holds', holds), field('备注（未维持时必填）', 'note', note)],
      () => ({ holds: holds.value === 'true', note: note.value || undefined }), post('/follow-ups'), reload(id)));
  }
  if (is('party') && iv.result && !iv.rating_closed && (stage === 'following_up' || stage === 'closed') && !(iv.ratings || []).some(r => r.party === me.subject)) {
    const score = select([5, 4, 3, 2, 1].map(n => [String(n), '★'.repeat(n) + ` ${n} 分`]), '5'), comment = input();
    forms.push(commandForm('intake-rating', t('intake_rate'), [field(t('score'), 'score', score), field('评价', 'comment', comment)],
      () => ({ score: Number(score.value), comment: comment.value || undefined }), post('/rating'), reload(id)));
  }
  if (is('dispatcher') && open && (iv.dispatches || []).some(d => d.overdue)) {
    const month = input({ placeholder: 'YYYY-MM，默认会议所在月' }), on = dateInput({ value: iv.case_today }), who = input({ placeholder: '逗号分隔，例：区委政法委，城关镇综治中心' });
    const decision = select(['redispatch', 'assign_case_leader', 'new_resolution_date', 'refer_to_court'].map(k => [k, label('review_decision', k)]), 'redispatch');
    const resolveBy = dateInput(), why = input();
    forms.push(commandForm('intake-joint-review', t('joint_review'), [field(t('month'), 'month', month), field(t('meeting_on'), 'meeting_on', on),
      field(t('participants'), 'participants', who), field(t('decision'), 'decision', decision), field(t('new_resolve_by') + '（仅确定新的化解期限时填写）', 'resolve_by', resolveBy),
      field(t('reason'), 'reason', why)],
    () => ({ month: month.value.trim() || undefined, meeting_on: on.value.trim(), participants: who.value.split(/[,，、\s]+/).filter(Boolean), decision: decision.value,
      resolve_by: resolveBy.value.trim() || undefined, reason: why.value }), post('/joint-review'), reload(id)));
  }
  if ((is('court') || (is('supervisor') && (all_(is) || leads))) && stage === 'awaiting_conversion') {
    const num = input({ placeholder: '（2026）阿边调1号' }), title = input({ value: iv.summary }), org = input({ placeholder: 'mediator-bao' }), leader = input({ placeholder: 'leader-zhou' });
    const reps = iv.parties.map((p, i) => h('fieldset', {}, h('legend', {}, `${p.name}（${p.id}）`),
      field(t('jurisdiction'), `parties[${i}].jurisdiction`, input({ placeholder: 'CN-15-ALS' })), field(t('representative'), `parties[${i}].representative`, input())));
    forms.push(commandForm('intake-convert-boundary', t('intake_convert_boundary'), [field(t('case_number'), 'case_number', num), field('案件名称', 'title', title),
      field(t('organiser'), 'organiser', org), field(t('case_leader'), 'case_leader', leader), ...reps],
    f => ({ case_number: num.value, title: title.value || undefined, organiser: org.value, case_leader: leader.value || undefined,
      parties: iv.parties.map((p, i) => ({ id: p.id, jurisdiction: f.elements[`parties[${i}].jurisdiction`].value, representative: f.elements[`parties[${i}].representative`].value })) }),
    post('/convert-boundary'), reload(id)));
  }
  if (is('court') && stage === 'awaiting_conversion') {
    const num = input({ placeholder: '（2026）黔2301民诉前调7号' }), org = input({ value: '兴义市人民调解委员会' }), med = input({ value: 'mediator-wang' }), claim = money(), subj = input({ value: iv.summary });
    forms.push(commandForm('intake-convert', t('intake_convert'), [field(t('case_number'), 'case_number', num), field(t('organisation'), 'organisation', org),
      field(t('mediator'), 'mediator', med), field(t('claim'), 'claim_fen', claim), field(t('subject'), 'subject', subj)],
    f => ({ case_number: num.value, organisation: org.value, mediator: med.value, claim_fen: claim.value.trim() ? fenOf(f, claim) : 0, subject: subj.value || undefined }),
    post('/convert'), reload(id)));
  }
  return forms;
}
// all_ reports whether every role's forms are shown (is accepts any role).
function all_(is) { return is('__every_role__'); }

// pageIntake is the window's intake page: a dispute received (点单) and the
// week's list (存量、新增、变化、销号) of the caller's scope.
async function pageIntake() {
  const me = session();
  const parts = [h('h2', {}, t('intake'))];
  if (me.role === 'dispatcher') {
    const party = (i, side) => h('fieldset', {}, h('legend', {}, t(side)),
      field(t('id'), `parties[${i}].id`, input()), field(t('name'), `parties[${i}].name`, input()));
    const channel = select(['visit', 'call', 'referral', 'online'].map(k => [k, label('channel', k)]), 'visit');
    const risk = select(['green', 'yellow', 'red'].map(k => [k, label('risk', k)]), 'green');
    const urgency = select(['urgent', 'priority', 'ordinary'].map(k => [k, label('urgency', k)]), 'ordinary');
    const summary = h('textarea', { rows: 2 });
    parts.push(commandForm('intake-register', t('intake_register'), [field(t('intake_number'), 'case_number', input({ placeholder: '兴义矛调登〔2026〕1号' })),
      field(t('channel'), 'channel', channel), field(t('summary'), 'summary', summary), field(t('risk'), 'risk', risk), field(t('urgency'), 'urgency', urgency),
      party(0, 'applicant'), party(1, 'respondent')],
    f => ({ case_number: f.elements.case_number.value, channel: channel.value, summary: summary.value, risk: risk.value, urgency: urgency.value,
      parties: [0, 1].map(i => ({ id: f.elements[`parties[${i}].id`].value, name: f.elements[`parties[${i}].name`].value, side: i ? 'respondent' : 'applicant' }))
        .filter((p, i) => i === 0 || p.id || p.name) }),
    '/cases/intake', out => { location.hash = '#/case/' + out.summary.id; }));
  }
  const week = input({ placeholder: 'YYYY-Www，例 2026-W11', pattern: '^\\d{4}-W\\d{2}$' });
  const form = h('form', { class: 'filters', id: 'weekly-filter', novalidate: true }, field(t('week'), 'week', week), field(t('jurisdiction'), 'jurisdiction', input()),
    h('div', { class: 'form-error', hidden: true, role: 'alert' }), h('button', { type: 'submit' }, t('search')));
  const out = h('div', { id: 'weekly' });
  parts.push(h('h3', {}, t('weekly')), form, out);
  main.replaceChildren(...parts);
  const show = async () => {
    const q = new URLSearchParams();
    for (const k of ['week', 'jurisdiction']) { const v = form.elements[k].value.trim(); if (v) q.set(k, v); }
    let data;
    try { data = await call('GET', '/intake/weekly?' + q); } catch (e) { out.replaceChildren(); return showProblem(form, e); }
    form.querySelector('.form-error').hidden = true;
    const list = rows => table([
      [t('intake_number'), c => h('a', { href: '#/case/' + encodeURIComponent(c.id) }, c.case_number)], [t('stage'), c => code('stage', c.stage)],
      [t('outcome_code'), c => c.outcome ? code('outcome', c.outcome) : '—'], [t('handler_user'), c => dash(c.mediator)], [t('case_leader'), c => dash(c.case_leader)],
      [t('opened_on'), c => c.opened_on], [t('next_deadline'), c => c.next_deadline_on ? [h('b', {}, c.next_deadline_on), ' ', code('deadline', c.next_deadline_kind)] : '—'],
      [t('week_steps'), c => (c.steps || []).map(k => label('step', k)).join('、') || '—']], rows, c => ({ 'data-id': c.id }), t('no_cases'));
    out.replaceChildren(h('p', { class: 'muted' }, `${data.week}（${data.from} 至 ${data.to}）${data.jurisdiction ? ' · ' + data.jurisdiction : ''}`),
      ...[['stock', '存量'], ['new', '新增'], ['changed', '变化'], ['closed', '销号']].map(([k, l]) =>
        h('section', { class: 'weekly-' + k }, h('h4', {}, `${l}（${(data[k] || []).length}）`), list(data[k] || []))),
      data.truncated ? h('p', { class: 'form-error' }, '本周案件过多，列表已截断') : '');
  };
  form.addEventListener('submit', ev => { ev.preventDefault(); show(); });
  await show();
  if (['dispatcher', 'supervisor', 'auditor', 'court'].includes(me.role)) await monthlySection();
}

// monthlySection is the list the monthly joint meeting reviews (月度联席会议):
// the disputes whose handling was overdue in a month, with the counts.
async function monthlySection() {
  const month = input({ placeholder: 'YYYY-MM，例 2026-03', pattern: '^\\d{4}-\\d{2}$' });
  const form = h('form', { class: 'filters', id: 'monthly-filter', novalidate: true }, field(t('month'), 'month', month), field(t('jurisdiction'), 'jurisdiction', input()),
    h('div', { class: 'form-error', hidden: true, role: 'alert' }), h('button', { type: 'submit' }, t('search')));
  const out = h('div', { id: 'monthly' });
  main.append(h('h3', {}, t('monthly')), form, out);
  const show = async () => {
    const q = new URLSearchParams();
    for (const k of ['month', 'jurisdiction']) { const v = form.elements[k].value.trim(); if (v) q.set(k, v); }
    let data;
    try { data = await call('GET', '/intake/monthly?' + q); } catch (e) { out.replaceChildren(); return showProblem(form, e); }
    form.querySelector('.form-error').hidden = true;
    const n = data.counts;
    out.replaceChildren(h('p', { class: 'muted', id: 'monthly-counts' },
      `${data.month}（${data.from} 至 ${data.to}）${data.jurisdiction ? ' · ' + data.jurisdiction : ''}：超期 ${n.overdue} 件，其中本月新增 ${n.new_in_month} 件、月末仍超期 ${n.overdue_at_month_end} 件；` +
      `已研判 ${n.reviewed} 件、未研判 ${n.not_reviewed} 件；已包案 ${n.with_case_leader} 件；红色 ${n.red}、黄色 ${n.yellow}、绿色 ${n.green}`),
    table([
      [t('intake_number'), c => h('a', { href: '#/case/' + encodeURIComponent(c.id) }, c.case_number)], [t('stage'), c => code('stage', c.stage)],
      [t('handler'), c => `${c.handler_unit}（${label('handler_kind', c.handler_kind)}）· ${c.handler}`], [t('urgency'), c => code('urgency', c.urgency)],
      [t('handle_by'), c => c.handle_by], [t('days_overdue'), c => [String(c.days_overdue), c.overdue_at_month_end ? [' ', h('span', { class: 'tag red' }, t('overdue_at_month_end'))] : '']],
      [t('risk'), c => riskTag(c.risk, c.hard)], [t('case_leader'), c => c.has_case_leader ? c.case_leader : h('span', { class: 'tag amber' }, '未包案')],
      [t('reviewed'), c => c.reviewed ? [code('review_decision', c.review_decision), ` · ${c.reviewed_on}`] : '—']], data.cases, c => ({ 'data-id': c.id }), t('no_cases')),
    data.truncated ? h('p', { class: 'form-error' }, '本月超期案件过多，列表已截断（统计数字完整）') : '');
  };
  form.addEventListener('submit', ev => { ev.preventDefault(); show(); });
  await show();
}

// ---- bulk financial disputes (批量金融纠纷) ----------------------------------

const batchStore = window.localStorage;
function knownBatches() { try { return JSON.parse(batchStore.getItem('casework.batches') || '[]'); } catch { return []; } }
function rememberBatch(b) {
  const list = knownBatches().filter(x => x.id !== b.batch_id);
  list.unshift({ id: b.batch_id, rows: b.rows_total, at: b.created_at, creditor: b.creditor });
  batchStore.setItem('casework.batches', JSON.stringify(list.slice(0, 50)));
}

// batchErrors turns a refused file's errors[] (location body.rows[N].field)
// into rows of a report: row 0 is the file as a whole.
export function batchErrors(problem) {
  return ((problem && problem.errors) || []).map(e => {
    const m = /^body\.rows\[(\d+)\](?:\.(\w+))?$/.exec(e.location || '');
    return { row: m ? Number(m[1]) : 0, field: m && m[2] ? m[2] : '', message: String(e.message || '').replace(/^row \d+: /, '') };
  });
}

// pageBatches files a batch from one CSV file (an intake clerk) and lists
// the batches this browser has filed or opened.
function pageBatches() {
  const me = session();
  const parts = [h('h2', {}, t('batches'))];
  if (me.role === 'intake_clerk') {
    const file = h('input', { type: 'file', accept: '.csv,text/csv', id: 'batch-file', 'data-loc': 'file' });
    const charset = select([['utf-8', 'UTF-8'], ['gbk', 'GBK（银行导出常用）']], 'utf-8');
    const top = h('div', { class: 'form-error', hidden: true, role: 'alert' });
    const report = h('div', { id: 'batch-report' });
    const form = h('form', { class: 'command', id: 'batch-upload', novalidate: true }, h('h3', {}, t('batch_upload')),
      h('p', { class: 'muted' }, `表头：${['debtor_name', 'id_number', 'phone', 'contract_no', 'principal', 'interest', 'fees'].join(',')}；金额以元为单位，最多两位小数（例 1234.56）。任何一行有误则整份文件不予受理。`),
      top, h('label', { class: 'field cell' }, h('span', {}, t('batch_file')), file, h('small', { class: 'err' })), field(t('charset'), 'charset', charset),
      h('button', { type: 'submit' }, t('submit')), report);
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      top.hidden = true; report.replaceChildren();
      if (!file.files.length) { top.textContent = '请选择 CSV 文件'; top.hidden = false; return; }
      const bytes = new Uint8Array(await file.files[0].arrayBuffer());
      try {
        const b = await call('POST', '/batches', bytes, { contentType: 'text/csv; charset=' + charset.value });
        rememberBatch(b);
        location.hash = '#/batch/' + b.batch_id;
      } catch (e) {
        top.textContent = `${e.status || ''} ${e.message}`; top.hidden = false;
        const errs = batchErrors(e.body);
        if (errs.length) report.replaceChildren(h('h4', {}, `${t('error_report')}（${errs.length}）`),
          table([[t('row'), x => x.row ? x.row : '整个文件'], [t('field'), x => x.field ? h('span', { title: x.field }, label('batch_field', x.field)) : '—'], [t('error'), x => x.message]], errs,
            x => ({ class: 'overdue', 'data-row': x.row, 'data-field': x.field })));
      }
    });
    parts.push(form);
  }
  const open = input({ id: 'batch-id', placeholder: 'b…（16 位）' });
  parts.push(h('form', { class: 'filters', id: 'batch-open', onsubmit: ev => { ev.preventDefault(); location.hash = '#/batch/' + open.value.trim(); } },
    field(t('batch_id'), 'id', open), h('button', { type: 'submit' }, t('open_batch'))));
  const known = knownBatches();
  parts.push(h('h3', {}, t('known_batches')), table([[t('batch_id'), x => h('a', { href: '#/batch/' + x.id }, x.id)], [t('creditor'), x => dash(x.creditor)],
    [t('rows_total'), x => x.rows], [t('filed_at'), x => dash(chinaTime(x.at))]], known, null, '本浏览器尚未提交或打开过批次'));
  main.replaceChildren(...parts);
}

const rowPage = 20;
let batchRenders = 0;

// documentsOf are the documents a row has, by the step that made each.
const documentSteps = { mediation_notice: 'notice', mediation_resolved: 'agreement', payment_order_issued: 'payment_order', write_off_certificate: 'write_off' };
function documentsOf(row) {
  const kinds = new Set((row.steps || []).map(s => documentSteps[s.kind]).filter(Boolean));
  return ['write_off', 'notice', 'agreement', 'payment_order'].filter(k => kinds.has(k));
}
function maskID(no) { return no && no.length === 18 ? no.slice(0, 6) + '********' + no.slice(14) : no; }

async function downloadDocument(id, row, kind) {
  const res = await call('GET', `/batches/${id}/documents/${row}/${kind}`, undefined, { raw: true });
  save(await res.blob(), `${id}-${row}-${kind}.docx`);
}

// pageBatch is one batch: its phase and periods, progress and funnel, its
// rows a page at a time with their steps, documents and commands.
async function pageBatch(id, page) {
  const mine = ++batchRenders;
  main.replaceChildren(h('p', {}, t('loading')));
  let b;
  try { b = await call('GET', '/batches/' + encodeURIComponent(id)); } catch (e) {
    if (mine !== batchRenders) return;
    main.replaceChildren(h('h2', {}, t('batch')), h('div', { class: 'form-error', role: 'alert', id: 'batch-error' }, `${e.status} ${e.status === 404 ? t('batch_not_found') + ' · ' : ''}${e.message}`));
    return;
  }
  rememberBatch(b);
  const total = b.rows_total, pages = Math.max(1, Math.ceil(total / rowPage));
  page = Math.min(Math.max(1, page || 1), pages);
  const nos = []; for (let i = (page - 1) * rowPage + 1; i <= Math.min(total, page * rowPage); i++) nos.push(i);
  const rows = await Promise.all(nos.map(n => call('GET', `/batches/${id}/rows/${n}`).catch(e => ({ no: n, error: e }))));
  if (mine !== batchRenders) return;
  const p = b.progress || {}, live = b.live;
  const parts = [h('h2', {}, t('batch'), ' ', b.batch_id, ' ', live ? code('bulk_phase', live.phase, 'tag stage') : h('span', { class: 'tag amber' }, t('live_unavailable'))),
    h('dl', { class: 'facts', id: 'batch-facts' }, ...[[t('court'), b.court], [t('creditor'), b.creditor], [t('filer'), b.filer], [t('jurisdiction'), b.jurisdiction],
      [t('rows_total'), total], [t('filed_at'), chinaTime(b.created_at)], ['文件 SHA-256', h('code', { class: 'small' }, b.file_sha256)],
      [t('mediation_until'), live && live.mediation_until], [t('objection_until'), live && live.objection_until], [t('pending_rows'), live && live.phase === 'mediation' ? live.pending : '']]
      .filter(r => r[1] !== undefined && r[1] !== null && r[1] !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]).flat())];
  // Progress: how far the rows are along, and where each one is.
  const bar = (n, d) => h('span', { class: 'bar' }, h('span', { style: `width:${d ? Math.round(n * 100 / d) : 0}%` }));
  parts.push(h('h3', {}, t('progress')), table([[t('figure'), r => r[0]], [t('count'), r => h('b', { 'data-figure': r[2] }, r[1])], ['', r => bar(r[1], total)]], [
    ['已查询（查废）', p.screened, 'screened'], ['已保全', p.preserved, 'preserved'], ['已办结', p.done, 'done'],
    ...['mediating', 'unreachable', 'mediation_failed', 'payment_order', 'objected'].map(k => [label('row', k), p[k], k])], null));
  // The funnel: of every row received, where it ended.
  const funnel = [['received', p.received || total], ['written_off', p.written_off], ['resolved', p.resolved], ['effective', p.effective], ['filed', p.filed]];
  parts.push(h('h3', {}, t('funnel')), h('div', { id: 'funnel', class: 'funnel' }, funnel.map(([k, n]) =>
    h('div', { class: 'funnel-row', 'data-figure': k }, h('span', { class: 'funnel-label' }, label('funnel', k)), bar(n, total),
      h('span', { class: 'num' }, `${n}（${n}/${total}）`)))));

  const isCourt = session().role === 'court';
  const detail = h('div', { id: 'row-detail' });
  const showRow = r => {
    const forms = [];
    const post = cmd => `/batches/${id}/rows/${r.no}/${cmd}`;
    const again = () => pageBatch(id, page);
    if (isCourt && r.stage === 'mediating') {
      const outcome = select([['resolved', '调解成功（立案前化解）'], ['failed', '调解不成（转支付令）']], 'resolved'), why = input();
      forms.push(commandForm('row-mediation', `${t('row_mediation')}：第 ${r.no} 行`, [field(t('outcome_code'), 'outcome', outcome), field(t('reason'), 'reason', why)],
        () => ({ outcome: outcome.value, reason: why.value || undefined }), post('mediation'), again));
    }
    if (isCourt && r.stage === 'unreachable') {
      const phone = input(), addr = input();
      forms.push(commandForm('row-contact', `${t('row_contact')}：第 ${r.no} 行`, [field('电话', 'phone', phone), field('地址', 'address', addr)],
        () => ({ phone: phone.value, address: addr.value || undefined }), post('contact'), again));
    }
    if (isCourt && r.stage === 'payment_order') {
      const why = input();
      forms.push(commandForm('row-objection', `${t('row_objection')}：第 ${r.no} 行`, [field('异议理由', 'reason', why)], () => ({ reason: why.value }), post('objection'), again));
    }
    detail.replaceChildren(h('h3', {}, `第 ${r.no} 行 · ${r.debtor_name}`, ' ', code('row', r.stage, 'tag stage')),
      h('dl', { class: 'facts' }, ...[['身份证号', r.debtor_id_no], ['电话', dash(r.phone)], ['地址', dash(r.address)], ['合同号', r.contract_no],
        ['本金', yuan(r.principal_fen)], ['利息', yuan(r.interest_fen)], ['费用', yuan(r.fees_fen)], ['合计', yuan(r.principal_fen + r.interest_fen + r.fees_fen)]]
        .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]).flat()),
      h('h4', {}, t('timeline')), table([['#', (x, i) => x.seq], [t('step'), x => code('step', x.kind)], [t('actor'), x => x.actor], [t('case_on'), x => x.case_on], [t('real_at'), x => chinaTime(x.real_at)], [t('reason'), x => dash(x.reason)]],
        (r.steps || []).map((x, i) => ({ ...x, seq: i + 1 }))), ...forms);
    detail.scrollIntoView?.();
  };
  const docButtons = r => documentsOf(r).map(k => h('button', { type: 'button', class: 'doc small', 'data-doc': k, 'data-row': r.no, onclick: () => downloadDocument(id, r.no, k).catch(e => alert(e.message)) }, label('document', k)));
  parts.push(h('h3', {}, `${t('rows')}（${total}）`), h('div', { id: 'batch-rows' }, table([
    ['#', r => r.no], [t('debtor'), r => r.error ? h('span', { class: 'form-error' }, r.error.message) : r.debtor_name], ['身份证号', r => h('span', { class: 'num' }, maskID(r.debtor_id_no))],
    ['合同号', r => r.contract_no], ['本金', r => h('span', { class: 'num' }, yuan(r.principal_fen))], ['利息', r => h('span', { class: 'num' }, yuan(r.interest_fen))],
    ['费用', r => h('span', { class: 'num' }, yuan(r.fees_fen))], ['合计', r => r.error ? '' : h('span', { class: 'num total' }, yuan(r.principal_fen + r.interest_fen + r.fees_fen))],
    [t('stage'), r => code('row', r.stage)], [t('documents'), r => r.error ? '' : docButtons(r)],
    ['', r => r.error ? '' : h('button', { type: 'button', class: 'open-row small', 'data-row': r.no, onclick: () => showRow(r) }, isCourt && ['mediating', 'unreachable', 'payment_order'].includes(r.stage) ? '办理' : '详情')],
  ], rows, r => ({ 'data-row': r.no, 'data-stage': r.stage, class: r.stage === 'unreachable' ? 'due-soon' : '' }))),
  h('div', { class: 'pager' },
    h('button', { id: 'prev', disabled: page <= 1, onclick: () => { location.hash = `#/batch/${id}/${page - 1}`; } }, t('prev_page')),
    h('span', {}, `${page} / ${pages}`),
    h('button', { id: 'next', disabled: page >= pages, onclick: () => { location.hash = `#/batch/${id}/${page + 1}`; } }, t('next_page')),
    h('button', { id: 'refresh', onclick: () => pageBatch(id, page) }, t('refresh'))), detail);
  main.replaceChildren(...parts);
}

// ---- shell ---------------------------------------------------------------

const menus = {
  court: [['ledger', '#/ledger'], ['undeliverable', '#/notices'], ['delegate', '#/delegate'], ['wage', '#/wage'], ['open_boundary', '#/boundary'], ['intake', '#/intake'], ['batches', '#/batches'], ['cockpit', '#/cockpit']],
  mediator: [['ledger', '#/ledger'], ['undeliverable', '#/notices'], ['intake', '#/intake'], ['cockpit', '#/cockpit']],
  party: [['ledger', '#/ledger']],
  auditor: [['ledger', '#/ledger'], ['undeliverable', '#/notices'], ['intake', '#/intake'], ['batches', '#/batches'], ['cockpit', '#/cockpit']],
  supervisor: [['ledger', '#/ledger'], ['undeliverable', '#/notices'], ['open_boundary', '#/boundary'], ['intake', '#/intake'], ['batches', '#/batches'], ['cockpit', '#/cockpit']],
  dispatcher: [['intake', '#/intake'], ['ledger', '#/ledger'], ['cockpit', '#/cockpit']],
  intake_clerk: [['batches', '#/batches']],
};

async function render() {
  const s = session();
  const menu = document.getElementById('menu'), who = document.getElementById('who');
  const route = location.hash.replace(/^#\/?/, '').split('/');
  if (!s) {
    menu.replaceChildren(); who.replaceChildren();
    return pageSignIn();
  }
  who.replaceChildren(`${t('signed_in_as')}：${s.subject}（${t('role_' + s.role)}） `, h('button', { id: 'signout', onclick: signOut }, t('signout')));
  const open = input({ id: 'open-case', placeholder: t('case_id') });
  // One batch's page is under the batches' menu entry.
  const at = '#/' + (route[0] === 'batch' ? 'batches' : route[0]);
  menu.replaceChildren(...(menus[s.role] || menus.party).map(([k, href]) => h('a', { href, class: at === href ? 'active' : '' }, t(k))),
    // An intake clerk has batches, not cases.
    s.role === 'intake_clerk' ? '' : h('form', { class: 'open', onsubmit: ev => { ev.preventDefault(); location.hash = '#/case/' + open.value.trim(); } }, open, h('button', {}, t('open_case'))));
  switch (route[0]) {
    case 'case': return pageCase(decodeURIComponent(route[1] || ''), route[2] === 'all');
    case 'delegate': return pageDelegate();
    case 'wage': return pageWage();
    case 'boundary': return pageBoundary();
    case 'cockpit': return pageCockpit();
    case 'notices': return pageUndeliverable();
    case 'intake': return pageIntake();
    case 'batches': return pageBatches();
    case 'batch': return pageBatch(decodeURIComponent(route[1] || ''), Number(route[2]) || 1);
    case 'signin': return pageSignIn();
    default: return s.role === 'intake_clerk' ? pageBatches() : pageLedger();
  }
}

window.addEventListener('hashchange', render);
render();
