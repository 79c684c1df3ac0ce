// Pickup windows (来院领取窗口): the windows, each one's weekly slot templates, generating slots from them,
// and the days the court is closed.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { field, input, valuesOf } from './forms.js';

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

function weekdaysText(days) {
  if (days.length === 5 && days.every((day, index) => day === index + 1)) return '周一至周五';
  return days.map((day) => WEEKDAYS[day - 1]).join('、');
}

function courtToday() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

export class WindowsTab {
  constructor(container) {
    this.container = container;
    this.windows = [];
    this.selected = null;
    this.templates = [];
    this.holidays = [];
  }

  async show() {
    this.windows = await api('/api/wall/pickup-windows');
    if (!this.selected && this.windows.length) this.selected = this.windows[0].id;
    const year = Number(courtToday().slice(0, 4));
    this.holidays = await api(`/api/wall/pickup-holidays?year=${year}`);
    this.templates = this.selected ? await api(`/api/wall/pickup-windows/${this.selected}/templates`) : [];
    this.render();
  }

  render() {
    const window = this.windows.find((item) => item.id === this.selected);
    replaceChildren(this.container, h('div', { class: 'split' },
      h('div', {},
        h('h2', {}, '领取窗口'),
        this.windows.length
          ? h('ul', { class: 'window-list', id: 'windows' }, this.windows.map((item) => h('li', {},
            h('button', { class: 'btn', 'aria-pressed': String(item.id === this.selected), onclick: () => this.select(item.id) }, `${item.name}${item.location ? ` · ${item.location}` : ''}`))))
          : h('p', { class: 'empty' }, '尚未设置领取窗口'),
        h('h3', { class: 'section-gap' }, '新建窗口'),
        this.windowForm()),
      h('div', {}, window ? this.windowDetail(window) : h('p', { class: 'empty' }, '请先新建一个窗口'), this.holidaySection())));
  }

  async select(id) {
    this.selected = id;
    await this.show();
  }

  windowForm() {
    const form = h('form', { class: 'staff-form', id: 'window-create' },
      field('名称', input('name', { required: true, maxlength: 50, placeholder: '如：诉讼服务中心 3 号窗口' })),
      field('位置（可空）', input('location', { maxlength: 200 })),
      h('button', { type: 'submit', class: 'btn btn-primary' }, '新建'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.act(async () => {
        const created = await api('/api/wall/pickup-windows', { method: 'POST', body: valuesOf(form) });
        this.selected = created.id;
      }, '窗口已新建');
    });
    return form;
  }

  windowDetail(window) {
    return h('section', { id: 'window-detail' },
      h('h2', {}, `${window.name}：开放时间模板`),
      this.templates.length
        ? h('table', { class: 'data-table', id: 'templates' },
          h('thead', {}, h('tr', {}, ['开放日', '时间', '每个时段', '每时段可约人数', ''].map((title) => h('th', {}, title)))),
          h('tbody', {}, this.templates.map((template) => h('tr', {},
            h('td', {}, weekdaysText(template.weekdays)), h('td', {}, `${template.start}–${template.end}`),
            h('td', {}, `${template.slot_minutes} 分钟`), h('td', {}, `${template.capacity} 人`),
            h('td', {}, h('button', { class: 'btn btn-small', onclick: () => this.removeTemplate(window, template) }, '删除'))))))
        : h('p', { class: 'empty' }, '尚无模板：添加后即可按模板生成可预约时段'),
      h('h3', { class: 'section-gap' }, '添加模板'),
      this.templateForm(window),
      h('h3', { class: 'section-gap' }, '生成可预约时段'),
      this.generateForm(window));
  }

  templateForm(window) {
    const form = h('form', { class: 'staff-form', id: 'template-create' },
      h('div', { class: 'weekday-picks', role: 'group', 'aria-label': '开放日' }, WEEKDAYS.map((name, index) => h('label', {},
        h('input', { type: 'checkbox', name: 'weekday', value: String(index + 1), checked: index < 5 }), name))),
      field('开始', input('start', { type: 'time', value: '09:00', required: true })),
      field('结束', input('end', { type: 'time', value: '12:00', required: true })),
      field('每个时段（分钟）', input('slot_minutes', { type: 'number', min: 5, max: 240, value: 30, required: true })),
      field('每时段可约人数', input('capacity', { type: 'number', min: 1, max: 200, value: 5, required: true })),
      h('button', { type: 'submit', class: 'btn btn-primary' }, '添加模板'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const weekdays = [...form.querySelectorAll('input[name=weekday]:checked')].map((box) => Number(box.value));
      if (!weekdays.length) {
        toast('请至少选择一个开放日', 'error');
        return;
      }
      const values = valuesOf(form, ['slot_minutes', 'capacity']);
      delete values.weekday;
      this.act(() => api(`/api/wall/pickup-windows/${window.id}/templates`, { method: 'POST', body: { ...values, weekdays } }), '模板已添加');
    });
    return form;
  }

  generateForm(window) {
    const form = h('form', { class: 'staff-form', id: 'slots-generate' },
      field('从（北京时间）', input('first', { type: 'date', value: courtToday(), required: true })),
      field('天数（最多 120）', input('days', { type: 'number', min: 1, max: 120, value: 30, required: true })),
      h('button', { type: 'submit', class: 'btn' }, '按模板生成（跳过闭馆日）'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.act(async () => {
        const slots = await api(`/api/wall/pickup-windows/${window.id}/generate`, { method: 'POST', body: valuesOf(form, ['days']) });
        toast(`已生成 ${slots.length} 个时段（已有的不重复生成）`, 'ok');
      });
    });
    return form;
  }

  holidaySection() {
    const form = h('form', { class: 'staff-form', id: 'holiday-create' },
      field('日期', input('day', { type: 'date', required: true })),
      field('名称', input('name', { required: true, maxlength: 50, placeholder: '如：国庆节' })),
      h('button', { type: 'submit', class: 'btn' }, '设为闭馆日'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.act(() => api('/api/wall/pickup-holidays', { method: 'POST', body: valuesOf(form) }), '已设为闭馆日：当天未被预约的时段已移除');
    });
    return h('section', { class: 'section-gap', id: 'holidays' },
      h('h2', {}, '闭馆日（本年）'),
      this.holidays.length
        ? h('ul', {}, this.holidays.map((day) => h('li', {}, `${day.day} ${day.name}`)))
        : h('p', { class: 'empty' }, '本年尚未设置闭馆日'),
      form);
  }

  async removeTemplate(window, template) {
    await this.act(() => api(`/api/wall/pickup-windows/${window.id}/templates/${template.id}`, { method: 'DELETE' }), '模板已删除（已生成的时段保留）');
  }

  async act(action, done) {
    try {
      await action();
      if (done) toast(done, 'ok');
      await this.show();
    } catch (error) {
      toast(`操作失败：${error.message}`, 'error');
    }
  }
}
