// Hearing schedule (庭审排期): a clerk sets or moves a case's hearing and courtroom; the summons deliveries
// that cannot be served three days before their hearing are listed at risk, closest hearing first; a week
// calendar per courtroom shows the hearings and their clashes. Supervisors read; clerks and admins set.

import '../console/console.css';
import '../schedule/schedule.css';

import { api } from '../lib/api.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { DELIVERY_STATUS_LABELS } from '../console/labels.js';
import { label } from '../lib/labels.js';

const BEIJING = 'Asia/Shanghai';
const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: BEIJING, hour: '2-digit', minute: '2-digit', hour12: false });
const DATE_TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: BEIJING, month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
const PARTS = new Intl.DateTimeFormat('en-CA', { timeZone: BEIJING, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const WRITERS = ['clerk', 'admin'];

/** The Beijing calendar day (YYYY-MM-DD) and the datetime-local value of an ISO moment. */
function beijingParts(iso) {
  const parts = Object.fromEntries(PARTS.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, local: `${parts.year}-${parts.month}-${parts.day}T${hour}:${parts.minute}` };
}

function addDays(day, count) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + count);
  return date.toISOString().slice(0, 10);
}

function shortDay(day) {
  const [, month, date] = day.split('-');
  return `${Number(month)}月${Number(date)}日`;
}

class HearingSchedule {
  constructor(user) {
    this.user = user;
    this.canWrite = WRITERS.includes(user.role);
    this.weekStart = null;
    this.chosen = null;
    this.week = null;
    this.loads = { risk: 0, week: 0 }; // an answer older than the latest request is dropped
  }

  async start() {
    if (this.canWrite) this.setUpForm();
    await Promise.all([this.loadAtRisk(), this.loadWeek(null), this.loadCourtrooms()]);
  }

  setUpForm() {
    const form = byId('hearing-form');
    form.hidden = false;
    byId('find-case').addEventListener('click', () => this.findCases());
    byId('case-number').addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.findCases();
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
  }

  async loadCourtrooms() {
    if (!this.canWrite) return;
    try {
      const rooms = await api('/api/hearings/courtrooms');
      replaceChildren(byId('courtroom-list'), rooms.map((room) => h('option', { value: room })));
    } catch {
      // suggestions only
    }
  }

  async findCases() {
    const text = byId('case-number').value.trim();
    const box = byId('case-choices');
    if (!text) {
      toast('请输入案号', 'error');
      return;
    }
    try {
      const result = await api(`/api/cases?${new URLSearchParams({ case_number: text, page_size: '8' })}`);
      if (!result.items.length) {
        replaceChildren(box, h('span', { class: 'muted' }, '没有找到案件'));
        return;
      }
      replaceChildren(box, result.items.map((item) => h('button', { type: 'button', class: 'btn btn-small case-choice', dataset: { case: item.id }, onclick: () => this.choose(item) }, item.case_number)));
      if (result.items.length === 1) this.choose(result.items[0]);
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  choose(item) {
    this.chosen = item;
    const current = item.hearing_at ? `当前开庭：${DATE_TIME.format(new Date(item.hearing_at))}${item.courtroom ? `，${item.courtroom}` : ''}` : '尚未排期';
    replaceChildren(byId('chosen-case'), h('strong', {}, `已选：${item.case_number}`), `（${item.cause}）${current}`);
    byId('case-number').value = item.case_number;
    if (item.hearing_at) byId('hearing-at').value = beijingParts(item.hearing_at).local;
    if (item.courtroom) byId('courtroom').value = item.courtroom;
    if (item.hearing_minutes) byId('hearing-minutes').value = String(item.hearing_minutes);
  }

  async save() {
    if (!this.chosen) {
      toast('请先查找并选择案件', 'error');
      return;
    }
    const local = byId('hearing-at').value;
    if (!local) {
      toast('请填写开庭时间', 'error');
      return;
    }
    const minutes = byId('hearing-minutes').value;
    const body = { hearing_at: `${local}:00+08:00`, courtroom: byId('courtroom').value.trim(), hearing_minutes: minutes ? Number(minutes) : null };
    byId('save-hearing').disabled = true;
    try {
      const change = await api(`/api/hearings/${this.chosen.id}`, { method: 'PUT', body });
      const moved = change.deadlines_moved.length ? `；${change.deadlines_moved.length}项传票送达期限改为${change.deadlines_moved[0].new}` : '';
      const clash = change.hearing.clashes_with.length ? `；注意：与同一法庭的${change.hearing.clashes_with.length}个庭审时间冲突` : '';
      toast(`已保存 ${change.hearing.case_number} 的开庭安排${moved}${clash}`, change.hearing.clashes_with.length ? 'error' : 'ok');
      this.choose({ ...this.chosen, hearing_at: change.hearing.hearing_at, courtroom: change.hearing.courtroom });
      await Promise.all([this.loadAtRisk(), this.loadWeek(beijingParts(change.hearing.hearing_at).day), this.loadCourtrooms()]);
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      byId('save-hearing').disabled = false;
    }
  }

  async loadAtRisk() {
    const section = byId('at-risk');
    const sequence = ++this.loads.risk;
    try {
      const items = await api('/api/hearings/at-risk');
      if (sequence !== this.loads.risk) return;
      const rows = items.map((item) => h('tr', { class: 'risk-row', dataset: { delivery: item.delivery_id } },
        h('td', {}, DATE_TIME.format(new Date(item.hearing_at))),
        h('td', {}, item.courtroom || '—'),
        h('td', {}, h('a', { href: `/cases/${item.case_id}`, class: 'case-link' }, item.case_number)),
        h('td', {}, item.party_name),
        h('td', {}, label(DELIVERY_STATUS_LABELS, item.delivery_status)),
        h('td', {}, item.last_day),
        h('td', {}, h('span', { class: `risk-badge ${item.too_late ? 'risk-too-late' : 'risk-near'}` }, item.risk_label)),
      ));
      replaceChildren(section,
        h('h2', {}, `传票送达风险（${items.length}）`),
        h('p', { class: 'muted' }, '传票须在开庭日前3日送达。下列传票送达任务尚未完成且最迟送达日临近或已过，按开庭先后排列；已过的须改期开庭或另行通知。'),
        items.length ? h('table', { class: 'data-table', id: 'risk-table' },
          h('thead', {}, h('tr', {}, ['开庭时间', '法庭', '案号', '受送达人', '送达状态', '最迟送达日', '风险'].map((title) => h('th', { scope: 'col' }, title)))),
          h('tbody', {}, rows)) : h('p', { class: 'muted', id: 'no-risk' }, '目前没有来不及送达的传票。'));
    } catch (error) {
      replaceChildren(section, h('h2', {}, '传票送达风险'), h('p', { class: 'error-text' }, `加载失败：${error.message}`));
    }
  }

  async loadWeek(day) {
    const sequence = ++this.loads.week;
    try {
      const week = await api(`/api/hearings/week${day ? `?start=${day}` : ''}`);
      if (sequence !== this.loads.week) return;
      this.week = week;
      this.weekStart = this.week.week_start;
      this.renderWeek();
      this.renderList();
    } catch (error) {
      replaceChildren(byId('week'), h('h2', {}, '本周排期'), h('p', { class: 'error-text' }, `加载失败：${error.message}`));
    }
  }

  renderWeek() {
    const week = this.week;
    const today = beijingParts(new Date().toISOString()).day;
    const byCell = new Map();
    for (const hearing of week.hearings) {
      const key = `${hearing.courtroom || '未定法庭'}|${beijingParts(hearing.hearing_at).day}`;
      if (!byCell.has(key)) byCell.set(key, []);
      byCell.get(key).push(hearing);
    }
    const clashes = week.hearings.filter((item) => item.clashes_with.length).length;
    const head = h('tr', {}, h('th', { scope: 'col' }, '法庭'), week.days.map((day, index) => h('th', { scope: 'col', class: day === today ? 'today' : null }, `${WEEKDAYS[index]} ${shortDay(day)}`)));
    const rooms = week.courtrooms.length ? week.courtrooms : [];
    const body = rooms.map((room) => h('tr', { dataset: { courtroom: room } },
      h('th', { scope: 'row' }, room),
      week.days.map((day) => h('td', { class: day === today ? 'today' : null }, (byCell.get(`${room}|${day}`) || []).map((hearing) => this.chip(hearing)))),
    ));
    replaceChildren(byId('week'),
      h('div', { class: 'week-head' },
        h('h2', {}, `排期：${shortDay(week.days[0])} — ${shortDay(week.days[6])}`),
        clashes ? h('span', { class: 'clash-label', id: 'clash-count' }, `${clashes} 个庭审时间冲突`) : h('span', { class: 'muted' }, '无冲突'),
        h('div', { class: 'week-nav' },
          h('button', { type: 'button', class: 'btn btn-small', id: 'prev-week', onclick: () => this.loadWeek(addDays(this.weekStart, -7)) }, '上一周'),
          h('button', { type: 'button', class: 'btn btn-small', id: 'this-week', onclick: () => this.loadWeek(null) }, '本周'),
          h('button', { type: 'button', class: 'btn btn-small', id: 'next-week', onclick: () => this.loadWeek(addDays(this.weekStart, 7)) }, '下一周'))),
      rooms.length ? h('table', { class: 'week-calendar', id: 'week-calendar' }, h('thead', {}, head), h('tbody', {}, body))
        : h('p', { class: 'muted' }, '本周没有开庭安排。'));
  }

  chip(hearing) {
    const start = TIME.format(new Date(hearing.hearing_at));
    const end = TIME.format(new Date(hearing.hearing_ends_at));
    const clash = hearing.clashes_with.length > 0;
    const others = this.week.hearings.filter((item) => hearing.clashes_with.includes(item.case_id)).map((item) => item.case_number);
    return h('button', {
      type: 'button',
      class: `hearing-chip${clash ? ' clash' : ''}`,
      dataset: { case: hearing.case_id },
      title: `${hearing.case_number} ${hearing.cause}${clash ? `；时间冲突：${others.join('、')}` : ''}`,
      onclick: () => this.pickFromCalendar(hearing),
    },
    h('span', { class: 'chip-time' }, `${start}–${end}`),
    h('span', { class: 'chip-case' }, hearing.case_number.replace(/^\(\d{4}\)[^\d]\d*/, '')),
    clash ? h('span', { class: 'chip-clash' }, '时间冲突') : null);
  }

  pickFromCalendar(hearing) {
    if (!this.canWrite) {
      location.assign(`/cases/${hearing.case_id}`);
      return;
    }
    this.choose({ id: hearing.case_id, case_number: hearing.case_number, cause: hearing.cause, hearing_at: hearing.hearing_at, courtroom: hearing.courtroom, hearing_minutes: Math.round((new Date(hearing.hearing_ends_at) - new Date(hearing.hearing_at)) / 60000) });
    byId('hearing-form').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  renderList() {
    const rows = this.week.hearings.map((item) => h('tr', { class: item.clashes_with.length ? 'clash-row' : null },
      h('td', {}, DATE_TIME.format(new Date(item.hearing_at))),
      h('td', {}, item.courtroom || '—'),
      h('td', {}, h('a', { href: `/cases/${item.case_id}`, class: 'case-link' }, item.case_number)),
      h('td', {}, item.cause),
      h('td', {}, item.judge_name || '—'),
      h('td', {}, `${item.summons_served} 已送达 / ${item.summons_open} 未完成`),
      h('td', {}, item.summons_last_day),
      h('td', {}, item.clashes_with.length ? h('span', { class: 'clash-label' }, '时间冲突') : '—'),
    ));
    replaceChildren(byId('hearing-list'),
      h('h2', {}, `开庭列表（${this.week.hearings.length}）`),
      rows.length ? h('table', { class: 'data-table', id: 'hearing-table' },
        h('thead', {}, h('tr', {}, ['开庭时间', '法庭', '案号', '案由', '承办法官', '传票', '传票最迟送达日', '冲突'].map((title) => h('th', { scope: 'col' }, title)))),
        h('tbody', {}, rows)) : h('p', { class: 'muted' }, '本周没有开庭安排。'));
  }
}

const user = requireLogin(['clerk', 'supervisor', 'admin']);
if (user) {
  showUser(user);
  showNav(user, location.pathname);
  new HearingSchedule(user).start();
}
