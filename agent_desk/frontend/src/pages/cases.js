// Cases (案件): search by case number (brackets of any width alike), party, phone, delivery status,
// deadline and hearing date; sortable columns, numbered pages. The query lives in the address, so a search
// can be bookmarked and the back button returns to it. The server searches (indexed); the page asks it
// once the user stops typing, never per keystroke.

import '../console/console.css';

import { api } from '../lib/api.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { formatDateTime } from '../lib/clock.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren } from '../lib/dom.js';
import { CASE_TYPE_LABELS, DELIVERY_STATUS_LABELS, day } from '../console/labels.js';
import { label } from '../lib/labels.js';

const PAGE_SIZE = 20;
const TYPING_PAUSE_MS = 400;
const FIELDS = ['case_number', 'party', 'phone', 'delivery_status', 'deadline_from', 'deadline_to', 'hearing_from', 'hearing_to'];
const COLUMNS = [
  { key: 'case_number', title: '案号', sort: 'case_number' },
  { key: 'cause', title: '案由' },
  { key: 'case_type', title: '类型' },
  { key: 'filed_on', title: '立案日期', sort: 'filed_on' },
  { key: 'judge_name', title: '承办法官' },
  { key: 'service_deadline', title: '送达期限', sort: 'service_deadline' },
  { key: 'hearing_at', title: '开庭时间', sort: 'hearing_at' },
];

function readQuery() {
  const params = new URLSearchParams(location.search);
  const query = { page: Math.max(1, Number(params.get('page')) || 1), sort: params.get('sort') || 'filed_on', descending: params.get('descending') !== 'false' };
  for (const name of FIELDS) query[name] = params.get(name) || '';
  return query;
}

function queryString(query) {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (query[name]) params.set(name, query[name]);
  if (query.sort !== 'filed_on') params.set('sort', query.sort);
  if (!query.descending) params.set('descending', 'false');
  if (query.page > 1) params.set('page', String(query.page));
  return params.toString();
}

class CasesPage {
  constructor() {
    this.query = readQuery();
    this.timer = null;
    this.sequence = 0;
  }

  start() {
    const form = byId('search');
    for (const name of FIELDS) form.elements[name].value = this.query[name];
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.search();
    });
    form.addEventListener('input', (event) => {
      clearTimeout(this.timer);
      const wait = event.target.tagName === 'SELECT' || event.target.type === 'date' ? 0 : TYPING_PAUSE_MS;
      this.timer = setTimeout(() => this.search(), wait);
    });
    byId('clear').addEventListener('click', () => {
      form.reset();
      this.search();
    });
    window.addEventListener('popstate', () => {
      this.query = readQuery();
      for (const name of FIELDS) form.elements[name].value = this.query[name];
      this.load();
    });
    this.load();
  }

  search() {
    const form = byId('search');
    for (const name of FIELDS) this.query[name] = form.elements[name].value.trim();
    this.query.page = 1;
    this.navigate();
  }

  navigate() {
    const search = queryString(this.query);
    history.pushState(null, '', search ? `/cases?${search}` : '/cases');
    this.load();
  }

  async load() {
    const sequence = ++this.sequence;
    const status = byId('result-status');
    status.textContent = '正在查询…';
    const params = new URLSearchParams(queryString({ ...this.query, page: 1 }));
    params.set('page', String(this.query.page));
    params.set('page_size', String(PAGE_SIZE));
    params.set('sort', this.query.sort);
    params.set('descending', String(this.query.descending));
    try {
      const result = await api(`/api/cases?${params}`);
      if (sequence !== this.sequence) return; // a later search answered first
      this.render(result);
    } catch (error) {
      if (sequence !== this.sequence) return;
      status.textContent = `查询失败：${error.message}`;
      status.className = 'error-text';
    }
  }

  sortBy(column) {
    if (this.query.sort === column) this.query.descending = !this.query.descending;
    else {
      this.query.sort = column;
      this.query.descending = column === 'filed_on';
    }
    this.query.page = 1;
    this.navigate();
  }

  render(result) {
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const status = byId('result-status');
    status.className = 'muted';
    status.textContent = result.total ? `共 ${result.total} 件，第 ${result.page} / ${pages} 页` : '没有符合条件的案件';
    const head = h('tr', {}, COLUMNS.map((column) => {
      if (!column.sort) return h('th', { scope: 'col' }, column.title);
      const active = this.query.sort === column.sort;
      const arrow = active ? (this.query.descending ? ' ↓' : ' ↑') : '';
      return h('th', { scope: 'col', 'aria-sort': active ? (this.query.descending ? 'descending' : 'ascending') : 'none' },
        h('button', { class: 'sort-button', type: 'button', dataset: { sort: column.sort }, onclick: () => this.sortBy(column.sort) }, column.title + arrow));
    }));
    const rows = result.items.map((item) => h('tr', {},
      h('td', {}, h('a', { href: `/cases/${item.id}`, class: 'case-link' }, item.case_number)),
      h('td', {}, item.cause),
      h('td', {}, label(CASE_TYPE_LABELS, item.case_type)),
      h('td', {}, day(item.filed_on)),
      h('td', {}, item.judge_name || '—'),
      h('td', {}, day(item.service_deadline)),
      h('td', {}, item.hearing_at ? formatDateTime(item.hearing_at) : '—'),
    ));
    replaceChildren(byId('results'), h('table', { class: 'data-table' }, h('thead', {}, head), h('tbody', {}, rows)));
    const pager = byId('pager');
    replaceChildren(pager,
      h('button', { class: 'btn', type: 'button', id: 'prev-page', disabled: result.page <= 1, onclick: () => this.goTo(result.page - 1) }, '上一页'),
      h('span', {}, `第 ${result.page} / ${pages} 页`),
      h('button', { class: 'btn', type: 'button', id: 'next-page', disabled: result.page >= pages, onclick: () => this.goTo(result.page + 1) }, '下一页'),
    );
  }

  goTo(page) {
    this.query.page = page;
    this.navigate();
  }
}

const user = requireLogin(['clerk', 'supervisor', 'admin']);
if (user) {
  showUser(user);
  showNav(user, location.pathname);
  const select = byId('search').elements.delivery_status;
  for (const [value, text] of Object.entries(DELIVERY_STATUS_LABELS)) select.append(h('option', { value }, text));
  new CasesPage().start();
}
