// Window settings for supervisors and admins: the court's windows, their weekly slot templates (days,
// hours, slot length, capacity), the closed days, and generating the slots from them.

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const TODAY = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());

export async function renderSettings(box) {
  let windows = [];
  let holidays = [];
  try {
    windows = await api('/api/wall/pickup-windows');
    holidays = await api(`/api/wall/pickup-holidays?year=${TODAY().slice(0, 4)}`);
  } catch (error) {
    replaceChildren(box, h('p', { class: 'refused-box' }, error.message));
    return;
  }
  const templates = await Promise.all(windows.map((w) => api(`/api/wall/pickup-windows/${w.id}/templates`).catch(() => [])));
  const again = () => renderSettings(box);
  replaceChildren(
    box,
    windows.map((window, index) => windowCard(window, templates[index], again)),
    newWindowForm(again),
    holidayCard(holidays, again),
  );
}

function windowCard(window, templates, again) {
  return h('section', { class: 'step settings-window', dataset: { windowId: String(window.id) } },
    h('h3', {}, window.name, window.location ? h('span', { class: 'muted' }, `（${window.location}）`) : null),
    templates.length
      ? h('ul', { class: 'documents' }, templates.map((t) => h('li', {}, `${t.weekdays.map((d) => WEEKDAYS[d - 1]).join('、')} ${t.start.slice(0, 5)}-${t.end.slice(0, 5)}，每 ${t.slot_minutes} 分钟一个时段，每时段 ${t.capacity} 人`)))
      : h('p', { class: 'muted' }, '尚未设置开放时间模板。'),
    templateForm(window, again),
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => generate(window) }, '按模板生成今后 30 天的时段'),
    ),
  );
}

function templateForm(window, again) {
  const form = h('form', { class: 'template-form', onsubmit: async (event) => {
    event.preventDefault();
    const weekdays = [...form.querySelectorAll('input[name=weekday]:checked')].map((input) => Number(input.value));
    const body = { weekdays, start: form.start.value, end: form.end.value, slot_minutes: Number(form.slot_minutes.value), capacity: Number(form.capacity.value) };
    try {
      await api(`/api/wall/pickup-windows/${window.id}/templates`, { method: 'POST', body });
      toast('已添加开放时间模板', 'ok');
      again();
    } catch (error) {
      toast(error.message, 'error');
    }
  } },
    h('div', { class: 'button-row' }, WEEKDAYS.map((label, i) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'weekday', value: String(i + 1), checked: i < 5 }), label))),
    h('div', { class: 'button-row' },
      h('label', { class: 'field' }, '开始', h('input', { type: 'time', name: 'start', value: '09:00', required: true })),
      h('label', { class: 'field' }, '结束', h('input', { type: 'time', name: 'end', value: '12:00', required: true })),
      h('label', { class: 'field' }, '时段（分钟）', h('input', { type: 'number', name: 'slot_minutes', value: '30', min: '5', max: '240', required: true })),
      h('label', { class: 'field' }, '每时段人数', h('input', { type: 'number', name: 'capacity', value: '4', min: '1', max: '200', required: true })),
    ),
    h('button', { type: 'submit', class: 'btn' }, '添加模板'),
  );
  return form;
}

async function generate(window) {
  try {
    const slots = await api(`/api/wall/pickup-windows/${window.id}/generate`, { method: 'POST', body: { first: TODAY(), days: 30 } });
    toast(`${window.name}：新开 ${slots.length} 个时段（已有的时段与闭院日不变）`, 'ok');
  } catch (error) {
    toast(error.message, 'error');
  }
}

function newWindowForm(again) {
  const form = h('form', { class: 'step', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api('/api/wall/pickup-windows', { method: 'POST', body: { name: form.name.value.trim(), location: form.location.value.trim() || null } });
      toast('已新增窗口', 'ok');
      again();
    } catch (error) {
      toast(error.message, 'error');
    }
  } },
    h('h3', {}, '新增窗口'),
    h('div', { class: 'button-row' },
      h('label', { class: 'field' }, '窗口名称', h('input', { name: 'name', required: true, maxlength: 50 })),
      h('label', { class: 'field' }, '位置', h('input', { name: 'location', maxlength: 200 })),
    ),
    h('button', { type: 'submit', class: 'btn' }, '新增'),
  );
  return form;
}

function holidayCard(holidays, again) {
  const form = h('form', { onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api('/api/wall/pickup-holidays', { method: 'POST', body: { day: form.day.value, name: form.name.value.trim() } });
      toast('已设为闭院日：当天未被预约的时段已撤下', 'ok');
      again();
    } catch (error) {
      toast(error.message, 'error');
    }
  } },
    h('div', { class: 'button-row' },
      h('label', { class: 'field' }, '日期', h('input', { type: 'date', name: 'day', required: true })),
      h('label', { class: 'field' }, '名称', h('input', { name: 'name', required: true, maxlength: 50, placeholder: '如：国庆节' })),
    ),
    h('button', { type: 'submit', class: 'btn' }, '设为闭院日'),
  );
  return h('section', { class: 'step' },
    h('h3', {}, '闭院日（不开放预约）'),
    holidays.length ? h('p', { class: 'step-fact' }, holidays.map((day) => `${day.day} ${day.name}`).join('；')) : h('p', { class: 'muted' }, '今年尚未设置闭院日。'),
    form,
  );
}
