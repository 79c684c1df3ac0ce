// The deliveries board (送达看板) for supervisors and admins: filter the deliveries, select rows and give
// them to one agent in one request, export the filtered list to Excel.

import '../board/staff.css';

import { DELIVERY_STATUS_LABELS, filterForm, personName } from '../board/filters.js';
import { api, apiBlob, saveBlob } from '../lib/api.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { METHOD_LABELS, label } from '../lib/labels.js';

const PAGE_SIZE = 50;

class DeliveriesBoard {
  constructor(user) {
    this.user = user;
    this.query = new URLSearchParams();
    this.items = [];
    this.selected = new Set();
    this.cursors = []; // the cursor of each page shown before the current one (for 上一页)
    this.cursor = null;
    this.nextCursor = null;
    this.names = new Map();
  }

  async start() {
    showUser(this.user);
    showNav(this.user, location.pathname);
    replaceChildren(byId('results'), h('p', { class: 'muted' }, '正在加载…'));
    this.assignees = await api('/api/board/assignees');
    for (const person of this.assignees) this.names.set(person.id, person.full_name);
    replaceChildren(byId('filters'), h('h2', {}, '筛选送达任务'), filterForm(this.assignees, (query) => this.search(query)));
    this.renderBulk();
    await this.search(new URLSearchParams());
  }

  async search(query) {
    this.query = query;
    this.cursors = [];
    this.cursor = null;
    await this.load();
  }

  async load() {
    const query = new URLSearchParams(this.query);
    query.set('page_size', String(PAGE_SIZE));
    if (this.cursor) query.set('after', this.cursor);
    try {
      const page = await api(`/api/deliveries?${query}`);
      this.items = page.items;
      this.nextCursor = page.next_cursor;
      if (page.total !== null) this.total = page;
      this.selected.clear();
      this.renderResults();
    } catch (error) {
      replaceChildren(byId('results'), h('p', { class: 'error-text' }, `查询失败：${error.message}`));
    }
  }

  renderResults() {
    const all = this.items.length > 0 && this.items.every((item) => this.selected.has(item.id));
    const total = this.total ? `${this.total.total_exact ? '共' : '约'} ${this.total.total.toLocaleString('zh-CN')} 条` : '';
    replaceChildren(
      byId('results'),
      h('div', { class: 'bulk-bar' }, h('h2', {}, '送达任务'), h('span', { class: 'muted', id: 'result-total' }, total),
        h('button', { class: 'btn', id: 'export', onclick: () => this.exportExcel() }, '导出 Excel')),
      this.items.length
        ? h('table', { class: 'data-table', id: 'deliveries' },
          h('thead', {}, h('tr', {},
            h('th', {}, h('input', { type: 'checkbox', id: 'select-all', 'aria-label': '全选本页', checked: all, onchange: (event) => this.selectAll(event.target.checked) })),
            ['编号', '案号', '受送达人', '状态', '送达期限', '坐席组', '承办人', '已送达方式'].map((title) => h('th', {}, title)))),
          h('tbody', {}, this.items.map((item) => this.row(item))))
        : h('p', { class: 'empty', id: 'no-results' }, '没有符合条件的送达任务'),
      h('div', { class: 'pager' },
        h('button', { class: 'btn btn-small', id: 'prev-page', disabled: !this.cursors.length, onclick: () => this.previous() }, '上一页'),
        h('button', { class: 'btn btn-small', id: 'next-page', disabled: !this.nextCursor, onclick: () => this.next() }, '下一页')),
    );
    this.renderBulk();
  }

  row(item) {
    const checked = this.selected.has(item.id);
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const open = ['pending', 'in_progress', 'unservable'].includes(item.status);
    const overdue = open && item.deadline && item.deadline < today;
    return h('tr', { class: checked ? 'selected' : '', dataset: { id: String(item.id) } },
      h('td', {}, h('input', { type: 'checkbox', class: 'row-check', 'aria-label': `选择 ${item.id}`, checked, onchange: (event) => this.toggle(item.id, event.target.checked) })),
      h('td', {}, String(item.id)),
      h('td', {}, h('a', { href: `/cases/${item.case_id}` }, item.case_number)),
      h('td', {}, item.party_name),
      h('td', {}, label(DELIVERY_STATUS_LABELS, item.status)),
      h('td', {}, item.deadline || '—', overdue ? h('span', { class: 'tag tag-danger' }, ' 已超期') : null),
      h('td', {}, item.agent_group || '—'),
      h('td', { class: 'assignee' }, item.assignee_user_id ? this.names.get(item.assignee_user_id) || `#${item.assignee_user_id}` : h('span', { class: 'tag tag-muted' }, '未分配')),
      h('td', {}, item.served_method ? label(METHOD_LABELS, item.served_method) : '—'),
    );
  }

  toggle(id, on) {
    if (on) this.selected.add(id);
    else this.selected.delete(id);
    this.renderResults();
  }

  selectAll(on) {
    for (const item of this.items) on ? this.selected.add(item.id) : this.selected.delete(item.id);
    this.renderResults();
  }

  next() {
    this.cursors.push(this.cursor);
    this.cursor = this.nextCursor;
    this.load();
  }

  previous() {
    this.cursor = this.cursors.pop() ?? null;
    this.load();
  }

  renderBulk() {
    const count = this.selected.size;
    const chooser = h('select', { id: 'assign-to', 'aria-label': '分配给' },
      h('option', { value: '' }, '选择承办人…'),
      (this.assignees || []).map((person) => h('option', { value: String(person.id) }, personName(person))));
    replaceChildren(byId('bulk'),
      h('strong', { id: 'selected-count' }, `已选 ${count} 条`),
      h('label', {}, '分配给 ', chooser),
      h('button', { class: 'btn btn-primary', id: 'assign', disabled: count === 0, onclick: () => this.assign(chooser.value) }, '批量分配'),
      h('button', { class: 'btn', id: 'unassign', disabled: count === 0, onclick: () => this.assign(null) }, '取消分配'));
  }

  async assign(value) {
    if (value === '') {
      toast('请先选择承办人', 'error');
      return;
    }
    const ids = [...this.selected];
    try {
      const result = await api('/api/board/assign', { method: 'POST', body: { delivery_ids: ids, assignee_user_id: value === null ? null : Number(value) } });
      const who = value === null ? '已取消分配' : `已分配给${this.names.get(Number(value)) || ''}`;
      const same = result.unchanged.length ? `，${result.unchanged.length} 条原已如此` : '';
      toast(`${who}：${result.assigned.length} 条${same}`, 'ok');
      await this.load();
    } catch (error) {
      toast(`分配失败（未做任何更改）：${error.message}`, 'error');
    }
  }

  /** The filtered list (every page) as an .xlsx file, downloaded with the session's token. */
  async exportExcel() {
    const button = byId('export');
    button.disabled = true;
    button.textContent = '正在导出…';
    try {
      const blob = await apiBlob(`/api/board/export?${this.query}`);
      saveBlob(blob, `送达任务-${new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })}.xlsx`);
    } catch (error) {
      toast(`导出失败：${error.message}`, 'error');
    } finally {
      button.disabled = false;
      button.textContent = '导出 Excel';
    }
  }
}

const user = requireLogin(['supervisor', 'admin']);
if (user) new DeliveriesBoard(user).start().catch((error) => toast(`看板加载失败：${error.message}`, 'error'));
