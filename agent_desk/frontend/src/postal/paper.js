// Paper copies parties asked for in the portal after their documents were already served electronically:
// no attempt takes them up, so they wait here until a clerk has posted or handed over the copies.
// (A request made while the delivery was open became a postal or pickup attempt and is listed with it.)

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { courtMoment } from './common.js';

function requestRow(request, onHandled) {
  const note = h('input', { type: 'text', class: 'paper-note', maxlength: '300', placeholder: '邮件号或领取人（可选）', 'aria-label': `处理说明 ${request.case_number}` });
  const action = request.handled_at
    ? h('span', {}, `${request.handled_by || '—'} 于 ${courtMoment(request.handled_at)} 处理${request.handled_note ? `：${request.handled_note}` : ''}`)
    : request.planned_attempt_id
      ? h('span', { class: 'muted' }, '已转为送达尝试')
      : h('span', { class: 'paper-handle' }, note,
        h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: () => onHandled(request, note.value) }, '标记已处理'));
  return h('tr', { 'data-request': String(request.id) },
    h('td', {}, h('a', { href: `/cases/${request.case_id}` }, request.case_number)),
    h('td', {}, request.party_name),
    h('td', {}, request.way_label),
    h('td', {}, request.postal_address || '—'),
    h('td', {}, courtMoment(request.requested_at)),
    h('td', {}, action));
}

export class PaperRequestsView {
  constructor(box) {
    this.box = box;
    this.waiting = true;
  }

  async show() {
    const waiting = h('select', { id: 'paper-waiting', onchange: (event) => { this.waiting = event.target.value === 'waiting'; this.load(); } },
      h('option', { value: 'waiting' }, '待处理'),
      h('option', { value: 'all' }, '全部'));
    replaceChildren(this.box,
      h('div', { class: 'postal-toolbar' },
        h('label', { class: 'field' }, '范围', waiting),
        h('button', { type: 'button', class: 'btn', onclick: () => this.load() }, '刷新'),
        h('span', { class: 'muted' }, '当事人在电子送达后申请的纸质文书：邮寄或来院领取后标记已处理。送达期间提出的申请已自动安排邮寄或领取。')),
      h('div', { id: 'paper-list' }));
    await this.load();
  }

  async load() {
    const requests = await api(`/api/paper-requests?waiting=${this.waiting}`);
    const list = this.box.querySelector('#paper-list');
    if (!requests.length) {
      replaceChildren(list, h('p', { class: 'empty' }, this.waiting ? '暂无待处理的纸质文书申请' : '暂无纸质文书申请'));
      return;
    }
    replaceChildren(list, h('table', { class: 'grid', id: 'paper-requests' },
      h('thead', {}, h('tr', {}, ['案号', '当事人', '方式', '收件地址', '申请时间', '处理'].map((title) => h('th', {}, title)))),
      h('tbody', {}, requests.map((request) => requestRow(request, (each, note) => this.handle(each, note))))));
  }

  async handle(request, note) {
    try {
      await api(`/api/paper-requests/${request.id}/handled`, { method: 'POST', body: { note } });
      toast(`已标记处理：${request.case_number} ${request.party_name}`);
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }
}
