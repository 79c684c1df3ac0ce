// Where the posted letters stand: tracking status by letter (with its events and the receipt scan), and
// for a supervisor the letters with no event for N days.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { courtMoment, statusPill } from './common.js';

const FILTERS = [
  ['ordered,awaiting_receipt', '在途及待扫描退件'],
  ['ordered', '在途'],
  ['awaiting_receipt', '已退回，待扫描退件'],
  ['served', '已送达'],
  ['failed', '未能送达'],
];
const FINAL = new Set(['delivered', 'returned']);

function lettersTable(letters, onOpen, id = 'tracked-letters') {
  return h('table', { class: 'grid', id },
    h('thead', {}, h('tr', {}, ['邮件号', '收件人', '收件地址', '案号', '状态', '最近轨迹', '回执'].map((title) => h('th', {}, title)))),
    h('tbody', {}, letters.map((letter) =>
      h('tr', { dataset: { letterId: String(letter.id), waybill: letter.waybill_no || '' } },
        h('td', { class: 'num' }, h('button', { type: 'button', class: 'btn btn-small', onclick: () => onOpen(letter.id) }, letter.waybill_no || '—')),
        h('td', {}, letter.recipient_name),
        h('td', {}, letter.address),
        h('td', {}, letter.case_number),
        h('td', {}, statusPill(letter)),
        h('td', {}, courtMoment(letter.last_event_at || letter.ordered_at)),
        h('td', {}, letter.receipt_evidence_id ? `已扫描 #${letter.receipt_evidence_id}` : '—'),
      ),
    )),
  );
}

export class TrackingView {
  constructor(box) {
    this.box = box;
    this.filter = FILTERS[0][0];
  }

  async show() {
    const select = h('select', { id: 'tracking-filter', onchange: (event) => { this.filter = event.target.value; this.load(); } },
      FILTERS.map(([value, label]) => h('option', { value, selected: value === this.filter }, label)));
    replaceChildren(
      this.box,
      h('div', { class: 'postal-toolbar' },
        h('label', { class: 'field' }, '邮件状态', select),
        h('button', { type: 'button', class: 'btn', id: 'refresh-tracking', onclick: () => this.load() }, '刷新'),
        h('span', { class: 'muted' }, '轨迹由 EMS 推送或定时查询；妥投即送达，退回经确认的地址以退回之日为送达日（须扫描退件）。'),
      ),
      h('div', { id: 'tracking-list' }),
      h('div', { id: 'letter-detail' }),
    );
    await this.load();
  }

  async load() {
    const query = this.filter.split(',').map((status) => `status=${status}`).join('&');
    const asked = (this.asked = (this.asked || 0) + 1);
    try {
      const letters = await api(`/api/postal/letters?${query}`);
      if (asked !== this.asked) return; // a later choice of filter is being loaded: this answer is stale
      replaceChildren(this.box.querySelector('#tracking-list'),
        letters.length ? lettersTable(letters, (id) => this.open(id)) : h('p', { class: 'empty' }, '没有该状态的邮件。'));
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async open(letterId) {
    try {
      renderLetter(this.box.querySelector('#letter-detail'), await api(`/api/postal/letters/${letterId}`), () => { this.load(); this.open(letterId); });
    } catch (error) {
      toast(error.message, 'error');
    }
  }
}

/** A letter's tracking events and its receipt scan (upload one if it is missing). */
export function renderLetter(box, letter, onChanged) {
  const file = h('input', { type: 'file', id: 'receipt-file', accept: 'application/pdf,image/png,image/jpeg' });
  const upload = async () => {
    if (!file.files.length) {
      toast('请选择回执或退件的扫描件', 'error');
      return;
    }
    const body = new FormData();
    body.append('file', file.files[0], file.files[0].name);
    try {
      await api(`/api/postal/letters/${letter.id}/receipts`, { method: 'POST', body });
      toast('回执扫描件已保存', 'ok');
      onChanged();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  replaceChildren(box,
    h('div', { class: 'letter-detail', id: `letter-${letter.id}` },
      h('h2', {}, `邮件 ${letter.waybill_no || '（未下单）'} · ${letter.recipient_name}`, ' ', statusPill(letter)),
      h('p', {}, `${letter.address} · ${letter.case_number} · ${letter.document_list}`),
      letter.events.length
        ? h('ol', { class: 'events' }, letter.events.map((event) =>
          h('li', { class: FINAL.has(event.state) ? 'event-final' : '' },
            h('strong', {}, `${courtMoment(event.op_time)} ${event.state_label}`), ' ',
            event.description, event.place ? `（${event.place}）` : '', event.signer ? ` 签收人：${event.signer}` : '', event.reason ? ` 原因：${event.reason}` : '')))
        : h('p', { class: 'muted' }, '尚无轨迹。'),
      h('div', { class: 'postal-toolbar' },
        h('label', { class: 'field' }, letter.receipt_evidence_id ? `回执已扫描（证据 #${letter.receipt_evidence_id}），可补充` : '回执或退件扫描件', file),
        h('button', { type: 'button', class: 'btn btn-primary', id: 'upload-receipt', onclick: upload }, '上传扫描件'),
      ),
    ),
  );
}

/** For a supervisor: open letters with no tracking event for N days. */
export class SilentView {
  constructor(box) {
    this.box = box;
    this.days = 5;
  }

  async show() {
    const days = h('input', { type: 'number', id: 'silent-days', min: 1, max: 90, value: String(this.days), onchange: (event) => { this.days = Number(event.target.value) || 5; this.load(); } });
    replaceChildren(this.box,
      h('div', { class: 'postal-toolbar' },
        h('label', { class: 'field' }, '无轨迹天数', days),
        h('span', { class: 'muted' }, '已寄出但超过该天数没有任何轨迹的邮件，请联系 EMS 核查或改用其他方式送达。'),
      ),
      h('div', { id: 'silent-list' }),
      h('h3', {}, '已退回本院，待扫描退件'),
      h('p', { class: 'muted' }, '以下邮件已按确认地址退回本院，扫描退回的邮件封面后方可认定送达；请尽快在邮件详情中上传扫描件，无须联系 EMS。'),
      h('div', { id: 'awaiting-scan-list' }),
      h('div', { id: 'letter-detail' }),
    );
    await this.load();
  }

  async load() {
    const asked = (this.asked = (this.asked || 0) + 1);
    try {
      const [letters, returned] = await Promise.all([api(`/api/postal/silent?days=${this.days}`), api('/api/postal/awaiting-scan')]);
      if (asked !== this.asked) return;
      replaceChildren(this.box.querySelector('#silent-list'),
        letters.length
          ? [h('p', {}, `共 ${letters.length} 件超过 ${this.days} 天无轨迹：`), lettersTable(letters, (id) => this.open(id))]
          : h('p', { class: 'empty' }, `没有超过 ${this.days} 天无轨迹的邮件。`));
      replaceChildren(this.box.querySelector('#awaiting-scan-list'),
        returned.length
          ? [h('p', {}, `共 ${returned.length} 件待扫描（按退回时间排列，最早的在前）：`), lettersTable(returned, (id) => this.open(id), 'awaiting-scan-letters')]
          : h('p', { class: 'empty' }, '没有待扫描的退件。'));
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async open(letterId) {
    try {
      renderLetter(this.box.querySelector('#letter-detail'), await api(`/api/postal/letters/${letterId}`), () => this.load());
    } catch (error) {
      toast(error.message, 'error');
    }
  }
}
