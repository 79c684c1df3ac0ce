// The audit log: who did or read what (a recording played, a party's record opened...), when and from
// which address; newest first, filtered, paged back in time.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { beijing, choice, field, input } from './forms.js';

const OBJECT_TYPES = [['', '全部'], ['evidence', '证据（录音、文书等）'], ['call', '通话'], ['party', '当事人'], ['case', '案件'], ['delivery', '送达任务'], ['document', '文书'], ['transcript', '转写'], ['user', '用户']];
const FILTERS = ['actor', 'action', 'object_type', 'object_id', 'case_id', 'client_ip', 'since', 'until'];

function detailText(detail) {
  const text = JSON.stringify(detail || {});
  return text === '{}' ? '' : text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

export class AuditTab {
  constructor(container) {
    this.container = container;
    this.actions = null;
    this.rows = [];
    this.nextBefore = null;
    this.query = new URLSearchParams();
  }

  /** Show the log; PRESET (e.g. from /admin#audit?object_type=evidence&object_id=5) fills the filters. */
  async show(preset = new URLSearchParams()) {
    if (!this.actions) this.actions = await api('/api/audit/actions');
    this.query = new URLSearchParams([...preset].filter(([name]) => FILTERS.includes(name)));
    this.renderFrame();
    await this.load(false);
  }

  renderFrame() {
    const form = h('form', { class: 'filter-form', id: 'audit-filters' },
      field('操作人（用户名）', input('actor', { id: 'audit-actor' })),
      field('操作', choice('action', [['', '全部'], ...this.actions.map((item) => [item.action, item.label])], { id: 'audit-action' })),
      field('对象类型', choice('object_type', OBJECT_TYPES, { id: 'audit-object_type' })),
      field('对象编号', input('object_id', { id: 'audit-object_id', size: 10 })),
      field('案件 ID', input('case_id', { id: 'audit-case_id', type: 'number', min: 1 })),
      field('来源地址', input('client_ip', { id: 'audit-client_ip' })),
      field('起始日期', input('since', { id: 'audit-since', type: 'date' })),
      field('截止日期', input('until', { id: 'audit-until', type: 'date' })),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'audit-search' }, '查询'));
    for (const [name, value] of this.query) {
      const element = form.elements.namedItem(name);
      if (element) element.value = value;
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.query = new URLSearchParams([...new FormData(form)].filter(([, value]) => String(value).trim() !== ''));
      this.load(false);
    });
    this.results = h('div', { id: 'audit-results' });
    replaceChildren(this.container, h('h2', {}, '审计日志'), h('p', { class: 'muted' }, '记录每次登录、变更，以及对录音、当事人信息、文书等的每一次查看（时间为北京时间）。'), form, this.results);
  }

  async load(more) {
    const query = new URLSearchParams(this.query);
    query.set('limit', '50');
    if (more && this.nextBefore) query.set('before_id', String(this.nextBefore));
    try {
      const page = await api(`/api/audit?${query}`);
      this.rows = more ? [...this.rows, ...page.items] : page.items;
      this.nextBefore = page.next_before_id;
      this.renderRows();
    } catch (error) {
      toast(`查询失败：${error.message}`, 'error');
    }
  }

  renderRows() {
    replaceChildren(this.results,
      this.rows.length
        ? h('table', { class: 'data-table', id: 'audit-rows' },
          h('thead', {}, h('tr', {}, ['时间', '操作人', '操作', '对象', '案件', '来源地址', '详情'].map((title) => h('th', {}, title)))),
          h('tbody', {}, this.rows.map((row) => h('tr', { dataset: { action: row.action, objectId: row.object_id || '' } },
            h('td', {}, beijing(row.at)), h('td', {}, row.actor_username || '（系统）'), h('td', {}, row.action_label),
            h('td', {}, row.object_type ? `${row.object_type_label} ${row.object_id || ''}` : '—'),
            h('td', {}, row.case_id ? h('a', { href: `/cases/${row.case_id}` }, String(row.case_id)) : '—'), h('td', {}, row.client_ip || '—'),
            h('td', { class: 'detail' }, detailText(row.detail))))))
        : h('p', { class: 'empty', id: 'audit-empty' }, '没有符合条件的记录'),
      this.nextBefore ? h('div', { class: 'pager' }, h('button', { class: 'btn btn-small', id: 'audit-more', onclick: () => this.load(true) }, '更早的记录')) : null);
  }
}
