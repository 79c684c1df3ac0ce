// Printer calibration for the pre-printed 法院专递 form: print the calibration sheet on a blank form,
// measure how far the crosses sit from the printed boxes, enter that offset for the printer.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { openPdf } from './common.js';

export class PrintersView {
  constructor(box) {
    this.box = box;
  }

  async show() {
    let printers = [];
    try {
      printers = await api('/api/postal/printers');
    } catch (error) {
      toast(error.message, 'error');
    }
    const form = h('form', { id: 'printer-form', class: 'postal-toolbar', onsubmit: (event) => this.save(event, null) },
      h('label', { class: 'field' }, '打印机名称', h('input', { name: 'name', required: true, maxlength: 100 })),
      h('label', { class: 'field' }, '向右偏移（毫米）', h('input', { name: 'offset_x_mm', type: 'number', step: '0.1', value: '0' })),
      h('label', { class: 'field' }, '向下偏移（毫米）', h('input', { name: 'offset_y_mm', type: 'number', step: '0.1', value: '0' })),
      h('button', { type: 'submit', class: 'btn btn-primary' }, '添加打印机'),
    );
    replaceChildren(this.box,
      h('p', { class: 'muted' }, '在空白法院专递表单上打印校准页，量出十字中心与预印格位置的偏差（向右、向下为正），填入该打印机的偏移后保存，再打印一次校准页核对。'),
      printers.length
        ? h('table', { class: 'grid', id: 'printers' },
          h('thead', {}, h('tr', {}, ['打印机', '向右偏移（mm）', '向下偏移（mm）', '操作'].map((title) => h('th', {}, title)))),
          h('tbody', {}, printers.map((printer) => this.row(printer))),
        )
        : h('p', { class: 'empty' }, '尚未添加打印机：套打时不作偏移。'),
      h('h2', { class: 'printer-add' }, '添加打印机'),
      form,
    );
  }

  row(printer) {
    const x = h('input', { type: 'number', step: '0.1', value: String(printer.offset_x_mm), 'aria-label': `${printer.name}向右偏移` });
    const y = h('input', { type: 'number', step: '0.1', value: String(printer.offset_y_mm), 'aria-label': `${printer.name}向下偏移` });
    return h('tr', {},
      h('td', {}, printer.name),
      h('td', {}, x),
      h('td', {}, y),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.update(printer, x.value, y.value) }, '保存偏移'),
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => openPdf(`/api/postal/printers/${printer.id}/calibration.pdf`) }, '打印校准页'),
      ),
    );
  }

  async update(printer, x, y) {
    try {
      await api(`/api/postal/printers/${printer.id}`, { method: 'PUT', body: { name: printer.name, offset_x_mm: Number(x), offset_y_mm: Number(y) } });
      toast('偏移已保存', 'ok');
      await this.show();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async save(event) {
    event.preventDefault();
    const form = event.target;
    try {
      await api('/api/postal/printers', { method: 'POST', body: { name: form.name.value.trim(), offset_x_mm: Number(form.offset_x_mm.value), offset_y_mm: Number(form.offset_y_mm.value) } });
      toast('打印机已添加', 'ok');
      await this.show();
    } catch (error) {
      toast(error.message, 'error');
    }
  }
}
