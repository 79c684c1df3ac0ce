// The party's appointment link from the reminder SMS (no login): the appointment, cancel it, or move it to
// another free slot. The link's token is the only credential; the server checks it.

import '../window/window.css';
import '../window/appointment.css';

import { api } from '../lib/api.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { courtTime } from '../window/bookings.js';

const DAY = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'long', day: 'numeric', weekday: 'short' });
const box = byId('appointment');
let token = new URLSearchParams(location.search).get('t') || '';

function span(item) {
  return `${DAY.format(new Date(item.starts_at))} ${courtTime(item.starts_at)}-${courtTime(item.ends_at)}`;
}

function render(appointment) {
  token = appointment.token;
  history.replaceState(null, '', `/appointment?t=${encodeURIComponent(token)}`);
  replaceChildren(
    box,
    h('h1', {}, `${appointment.party_name}，您好`),
    h('dl', { class: 'facts' },
      h('dt', {}, '状态'), h('dd', { id: 'status' }, appointment.status_label),
      h('dt', {}, '时间'), h('dd', { id: 'when' }, span(appointment)),
      h('dt', {}, '地点'), h('dd', {}, `${appointment.court} ${appointment.window}${appointment.location ? `（${appointment.location}）` : ''}`),
      h('dt', {}, '案号'), h('dd', {}, appointment.case_number),
      h('dt', {}, '文书'), h('dd', {}, appointment.documents.join('、')),
      h('dt', {}, '预约码'), h('dd', {}, appointment.code || '—'),
    ),
    appointment.can_change
      ? [
          h('p', { class: 'muted' }, '请携带本人有效身份证件按时前往。如需改约，请选择新的时段：'),
          rebookForm(appointment.free_slots),
          h('button', { type: 'button', class: 'btn btn-danger btn-big btn-wide', id: 'cancel', onclick: cancel }, '取消预约'),
        ]
      : h('p', { class: 'muted' }, '该预约已不能在线改约或取消；如需帮助，请致电本院诉讼服务中心。'),
  );
}

/** One list of the free slots (by day and time) and a button to move there. */
function rebookForm(slots) {
  if (!slots.length) return h('p', { class: 'muted' }, '近期没有可改约的时段。');
  const select = h('select', { id: 'new-slot', class: 'slot-select' }, slots.map((slot) => h('option', { value: String(slot.id) }, `${span(slot)} ${slot.window}`)));
  const byId = new Map(slots.map((slot) => [String(slot.id), slot]));
  return h('div', {},
    h('label', { class: 'field' }, '新的时段', select),
    h('button', { type: 'button', class: 'btn btn-primary btn-big btn-wide', id: 'rebook', onclick: () => move(byId.get(select.value)) }, '改约到所选时段'),
  );
}

async function move(slot) {
  if (!confirm(`改约到 ${span(slot)}（${slot.window}）？`)) return;
  await act(`/api/pickup/appointments/${encodeURIComponent(token)}/rebook`, { slot_id: slot.id }, '已改约');
}

async function cancel() {
  if (!confirm('确定取消本次来院领取预约？法院将另行安排送达。')) return;
  await act(`/api/pickup/appointments/${encodeURIComponent(token)}/cancel`, undefined, '预约已取消');
}

async function act(path, body, done) {
  try {
    render(await api(path, { method: 'POST', body, auth: false }));
    toast(done, 'ok');
  } catch (error) {
    toast(error.message, 'error');
  }
}

api(`/api/pickup/appointments/${encodeURIComponent(token)}`, { auth: false })
  .then(render)
  .catch((error) => replaceChildren(box, h('h1', {}, '无法打开预约'), h('p', {}, error.status === 404 ? '链接无效或已失效，请致电本院诉讼服务中心。' : error.message)));
