// Check-in at the window: a booked party by ID number (scanned or typed), appointment code or the tapped
// booking; a walk-in found by name, ID or case number. The server checks the ID against the party's and
// refuses a wrong one with a clear message (and audits it).

import { api } from '../lib/api.js';
import { h, replaceChildren } from '../lib/dom.js';
import { courtTime } from './bookings.js';

function field(label, attrs) {
  return h('label', { class: `field ${attrs.big ? 'big-input' : ''}` }, label, h('input', { ...attrs, big: undefined }));
}

function proxyFields() {
  const box = h('div', { hidden: true },
    field('代理人姓名', { name: 'proxy_name', autocomplete: 'off' }),
    field('代理人证件号码', { name: 'proxy_id', autocomplete: 'off' }),
    field('授权委托书（编号或说明）', { name: 'proxy_authorisation', autocomplete: 'off' }),
  );
  const toggle = h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'by_proxy', onchange: (event) => { box.hidden = !event.target.checked; } }), '代理人领取（律师或代理人凭授权委托书）');
  return { toggle, box };
}

function proxyOf(form) {
  if (!form.by_proxy.checked) return null;
  return { name: form.proxy_name.value.trim(), id_number: form.proxy_id.value.trim(), authorisation: form.proxy_authorisation.value.trim() };
}

/** The check-in form for BOOKING (or none: the ID number finds today's booking). */
export function renderCheckIn(box, booking, { onAttempt }) {
  const error = h('div', { class: 'refused-box', role: 'alert', hidden: true });
  const { toggle, box: proxyBox } = proxyFields();
  const form = h(
    'form',
    { id: 'check-in-form', onsubmit: (event) => submitCheckIn(event, booking, error, onAttempt) },
    booking
      ? h('p', { class: 'step-fact' }, `${booking.party_name} · ${booking.case_number} · ${courtTime(booking.starts_at)}-${courtTime(booking.ends_at)} ${booking.window}`)
      : h('p', { class: 'muted' }, '扫描或输入身份证号码即可找到今日预约；也可输入短信中的预约码，或在左侧点选预约。'),
    field('身份证号码（扫描或输入）', { name: 'id_number', id: 'id-number', big: true, autocomplete: 'off', inputmode: 'text', maxlength: 32 }),
    field('预约码（短信中的 6 位数字，可不填）', { name: 'code', id: 'appointment-code', autocomplete: 'off', inputmode: 'numeric', maxlength: 12 }),
    toggle,
    proxyBox,
    error,
    h('button', { type: 'submit', class: 'btn btn-primary btn-big btn-wide', id: 'check-in' }, '核验身份并签到'),
  );
  replaceChildren(box, form);
  form.id_number.focus();
}

async function submitCheckIn(event, booking, error, onAttempt) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector('button[type=submit]');
  error.hidden = true;
  const body = { id_number: form.id_number.value.trim(), proxy: proxyOf(form) };
  if (form.code.value.trim()) body.code = form.code.value.trim();
  else if (booking) body.booking_id = booking.id;
  if (!body.id_number && !body.proxy) {
    showError(error, '请扫描或输入当事人身份证号码');
    return;
  }
  button.disabled = true;
  try {
    onAttempt(await api('/api/window/check-in', { method: 'POST', body }));
  } catch (failure) {
    showError(error, failure.message);
    button.disabled = false;
    form.id_number.select();
  }
}

function showError(box, message) {
  box.textContent = message;
  box.hidden = false;
}

/** Walk-ins: search open deliveries, then check the ID and open a pickup at the chosen window. */
export function renderWalkIn(box, windows, { onAttempt }) {
  const results = h('div', { id: 'walk-in-results' });
  const error = h('div', { class: 'refused-box', role: 'alert', hidden: true });
  const { toggle, box: proxyBox } = proxyFields();
  const form = h(
    'form',
    { id: 'walk-in-form', onsubmit: (event) => search(event, results, error, windows, onAttempt) },
    field('姓名 / 身份证号码 / 案号', { name: 'q', id: 'walk-in-query', big: true, autocomplete: 'off', minlength: 2, maxlength: 50 }),
    h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, '查找'),
    field('当事人身份证号码（核验用）', { name: 'id_number', id: 'walk-in-id', autocomplete: 'off', maxlength: 32 }),
    toggle,
    proxyBox,
    h('label', { class: 'field' }, '办理窗口', h('select', { name: 'window_id', id: 'walk-in-window' }, windows.map((w) => h('option', { value: String(w.id) }, w.name)))),
    error,
  );
  replaceChildren(box, form, results);
  form.q.focus();
}

async function search(event, results, error, windows, onAttempt) {
  event.preventDefault();
  const form = event.target;
  error.hidden = true;
  const q = form.q.value.trim();
  if (q.length < 2) {
    showError(error, '请至少输入两个字');
    return;
  }
  try {
    const found = await api(`/api/window/walk-ins?q=${encodeURIComponent(q)}`);
    replaceChildren(
      results,
      found.length ? null : h('p', { class: 'muted' }, '没有找到待送达的文书。'),
      found.map((candidate) =>
        h('div', { class: 'walk-in-result' },
          h('div', {}, h('div', { class: 'booking-name' }, candidate.party_name, ' ', h('span', { class: 'muted' }, candidate.party_id_masked)), h('div', {}, candidate.case_number), h('div', { class: 'booking-documents' }, candidate.documents.map((d) => d.name).join('、'))),
          h('button', { type: 'button', class: 'btn btn-ok', onclick: () => register(form, candidate, error, onAttempt) }, '核验并登记'),
        ),
      ),
    );
  } catch (failure) {
    showError(error, failure.message);
  }
}

async function register(form, candidate, error, onAttempt) {
  error.hidden = true;
  const body = { delivery_id: candidate.delivery_id, window_id: Number(form.window_id.value), id_number: form.id_number.value.trim(), proxy: proxyOf(form) };
  if (!body.id_number && !body.proxy) {
    showError(error, '请先扫描或输入当事人身份证号码');
    form.id_number.focus();
    return;
  }
  try {
    onAttempt(await api('/api/window/walk-ins', { method: 'POST', body }));
  } catch (failure) {
    showError(error, failure.message);
  }
}
