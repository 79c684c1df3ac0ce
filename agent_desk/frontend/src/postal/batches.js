// The day's batches by sender office: build them from the planned letters, review each letter (fix the
// address or recipient, take it out), confirm (one EMS order per letter), then print the batch.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { courtMoment, courtToday, openPdf, statusPill } from './common.js';

export class BatchesView {
  constructor(box) {
    this.box = box;
    this.day = courtToday();
    this.batches = [];
    this.selected = null;
    this.printers = [];
  }

  async show() {
    this.printers = await api('/api/postal/printers').catch(() => []);
    await this.load();
  }

  async load() {
    const asked = (this.asked = (this.asked || 0) + 1);
    try {
      const batches = await api(`/api/postal/batches?day=${this.day}`);
      if (asked !== this.asked) return; // another day was chosen meanwhile
      this.batches = batches;
    } catch (error) {
      toast(`批次加载失败：${error.message}`, 'error');
      this.batches = [];
    }
    if (this.selected && !this.batches.some((batch) => batch.id === this.selected.id)) this.selected = null;
    this.render();
  }

  render({ reopen = true } = {}) {
    const day = h('input', { type: 'date', id: 'batch-day', value: this.day, onchange: (event) => { this.day = event.target.value; this.selected = null; this.load(); } });
    const offices = new Map();
    for (const batch of this.batches) {
      if (!offices.has(batch.court_name)) offices.set(batch.court_name, []);
      offices.get(batch.court_name).push(batch);
    }
    replaceChildren(
      this.box,
      h('div', { class: 'postal-toolbar' },
        h('label', { class: 'field' }, '批次日期', day),
        h('button', { type: 'button', class: 'btn btn-primary', id: 'build-batches', onclick: () => this.build() }, '将待寄邮件编入批次'),
        h('span', { class: 'muted' }, '已安排 EMS 司法专邮的送达尝试，按寄件法院编入当日批次；确认前可修改地址或移出。'),
      ),
      this.batches.length ? null : h('p', { class: 'empty', id: 'no-batches' }, '该日没有邮寄批次。'),
      [...offices].map(([office, batches]) =>
        h('section', { class: 'office' },
          h('h2', {}, `寄件单位：${office}`),
          h('div', { class: 'batch-cards' }, batches.map((batch) => this.card(batch))),
        ),
      ),
      h('div', { id: 'batch-detail' }),
    );
    if (this.selected && reopen) this.open(this.selected.id);
  }

  card(batch) {
    return h('button', { type: 'button', class: 'batch-card', dataset: { status: batch.status, batchId: String(batch.id) }, 'aria-pressed': String(this.selected?.id === batch.id), onclick: () => this.open(batch.id) },
      h('div', { class: 'batch-title' }, `批次 #${batch.id} · ${batch.status === 'confirmed' ? '已确认' : '待确认'}`),
      h('div', {}, `邮件 ${batch.items} 件，已下单 ${batch.ordered} 件`),
      batch.confirmed_at ? h('div', { class: 'muted' }, `确认于 ${courtMoment(batch.confirmed_at)}`) : null,
    );
  }

  async build() {
    try {
      const report = await api('/api/postal/batches/build', { method: 'POST', body: { day: this.day } });
      const added = report.batches.reduce((sum, batch) => sum + batch.items, 0);
      toast(report.without_address.length ? `已编入批次；${report.without_address.length} 件没有可用邮寄地址，请先补充地址` : `批次已更新，共 ${added} 件`, report.without_address.length ? 'error' : 'ok');
      if (report.batches.length) this.selected = report.batches[0];
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async open(batchId) {
    try {
      const batch = await api(`/api/postal/batches/${batchId}`);
      this.selected = batch;
      this.renderDetail(batch);
      for (const card of this.box.querySelectorAll('.batch-card')) card.setAttribute('aria-pressed', String(card.dataset.batchId === String(batchId)));
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  renderDetail(batch, errors = batch.errors || {}) {
    const draft = batch.status === 'draft';
    const letters = batch.letters.filter((letter) => letter.status !== 'removed');
    const removed = batch.letters.length - letters.length;
    replaceChildren(
      this.box.querySelector('#batch-detail'),
      h('h2', {}, `批次 #${batch.id}（${batch.court_name}，${batch.day}）`),
      draft
        ? h('p', { class: 'muted' }, `请逐件核对收件人和地址；地址有误可直接修改后保存，不寄的邮件请移出（其送达尝试保留，下一批次再寄）。${removed ? `已移出 ${removed} 件。` : ''}`)
        : this.printRow(batch),
      Object.keys(errors).length ? h('p', { class: 'confirm-errors', id: 'confirm-errors' }, `下单失败 ${Object.keys(errors).length} 件：${Object.values(errors).join('；')}`) : null,
      h('table', { class: 'grid', id: 'letters' },
        h('thead', {}, h('tr', {}, ['收件人', '电话', '收件地址', '案号', '文书', '状态', '邮件号', draft ? '操作' : null].filter(Boolean).map((title) => h('th', {}, title)))),
        h('tbody', {}, letters.map((letter) => this.row(letter, draft, errors[letter.id]))),
      ),
      draft && letters.length
        ? h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'btn btn-ok', id: 'confirm-batch', onclick: () => this.confirm(batch) }, `确认批次并向 EMS 下单（${letters.length} 件）`))
        : null,
    );
  }

  row(letter, draft, error) {
    const address = h('input', { class: 'letter-address', name: 'address', value: letter.address, maxlength: 300, 'aria-label': `${letter.recipient_name}的收件地址` });
    return h('tr', { dataset: { letterId: String(letter.id) } },
      h('td', {}, letter.recipient_name),
      h('td', {}, letter.recipient_phone || '—'),
      h('td', {}, draft ? address : letter.address, letter.address_edited ? h('div', { class: 'letter-edited' }, '地址已由书记员修改（非当事人确认的地址）') : null, error ? h('div', { class: 'confirm-errors' }, error) : null),
      h('td', {}, letter.case_number),
      h('td', {}, letter.document_list),
      h('td', {}, statusPill(letter)),
      h('td', { class: 'num' }, letter.waybill_no || '—'),
      draft
        ? h('td', { class: 'actions' },
          h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.fix(letter, address.value) }, '保存地址'),
          h('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => this.remove(letter) }, '移出'),
        )
        : null,
    );
  }

  printRow(batch) {
    const printer = h('select', { id: 'printer', 'aria-label': '套打打印机' },
      h('option', { value: '' }, '未校准（无偏移）'),
      this.printers.map((p) => h('option', { value: String(p.id) }, `${p.name}（X ${p.offset_x_mm} / Y ${p.offset_y_mm} mm）`)),
    );
    const base = `/api/postal/batches/${batch.id}`;
    return h('div', { class: 'print-row' },
      h('strong', {}, '打印：'),
      printer,
      h('button', { type: 'button', class: 'btn btn-primary', id: 'print-forms', onclick: () => openPdf(`${base}/forms.pdf${printer.value ? `?printer_id=${printer.value}` : ''}`) }, '法院专递表单套打'),
      h('button', { type: 'button', class: 'btn', id: 'print-labels', onclick: () => openPdf(`${base}/labels.pdf`) }, '热敏面单 100×150'),
      h('button', { type: 'button', class: 'btn', id: 'print-ems-labels', onclick: () => openPdf(`${base}/ems-labels.pdf`) }, 'EMS 面单'),
      h('button', { type: 'button', class: 'btn', id: 'print-cards', onclick: () => openPdf(`${base}/cards.pdf`) }, '送达回证卡'),
    );
  }

  async fix(letter, address) {
    try {
      await api(`/api/postal/letters/${letter.id}`, { method: 'PATCH', body: { address } });
      toast('地址已保存', 'ok');
      await this.open(letter.batch_id);
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async remove(letter) {
    try {
      await api(`/api/postal/letters/${letter.id}`, { method: 'DELETE' });
      toast(`已将${letter.recipient_name}的邮件移出批次`, 'ok');
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async confirm(batch) {
    const button = this.box.querySelector('#confirm-batch');
    if (button) button.disabled = true;
    try {
      const confirmed = await api(`/api/postal/batches/${batch.id}/confirm`, { method: 'POST' });
      this.selected = confirmed;
      const failed = Object.keys(confirmed.errors || {}).length;
      toast(failed ? `${failed} 件下单失败，请修正后重新确认` : '批次已确认，邮件号已生成，可以打印', failed ? 'error' : 'ok');
      this.batches = await api(`/api/postal/batches?day=${this.day}`);
      this.render({ reopen: false });
      this.renderDetail(confirmed, confirmed.errors);
    } catch (error) {
      toast(error.message, 'error');
      if (button) button.disabled = false;
    }
  }
}
