// EMS spend and success by month: the contract asks for an EMS success rate above 70 % and spend down 10 %.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { courtToday, yuan } from './common.js';

const TARGET = 0.7;

export class CostsView {
  constructor(box) {
    this.box = box;
    this.month = courtToday().slice(0, 7);
  }

  async show() {
    const month = h('input', { type: 'month', id: 'cost-month', value: this.month, onchange: (event) => { this.month = event.target.value; this.load(); } });
    replaceChildren(this.box, h('div', { class: 'postal-toolbar' }, h('label', { class: 'field' }, '月份', month)), h('div', { id: 'cost-figures' }));
    await this.load();
  }

  async load() {
    try {
      const figures = await api(`/api/postal/costs?month=${this.month}`);
      const rate = figures.success_rate;
      const figure = (label, value, extra = '') => h('div', { class: `cost-figure ${extra}` }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
      replaceChildren(this.box.querySelector('#cost-figures'),
        h('div', { class: 'cost-figures' },
          figure('交寄邮件（件）', String(figures.letters)),
          figure('邮费合计', yuan(figures.total_fen)),
          figure('每件平均邮费', yuan(figures.average_fen)),
          figure('已送达（件）', String(figures.served)),
          figure('未能送达（件）', String(figures.failed)),
          figure('妥投率（目标 > 70%）', rate === null ? '—' : `${(rate * 100).toFixed(1)}%`, rate !== null && rate < TARGET ? 'below-target' : ''),
        ));
    } catch (error) {
      toast(error.message, 'error');
    }
  }
}
