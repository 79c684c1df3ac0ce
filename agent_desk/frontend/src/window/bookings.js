// Today's appointments at the court's windows, by slot: who, which case, which documents, where it stands.

import { h, replaceChildren } from '../lib/dom.js';

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });

export function courtTime(iso) {
  return TIME.format(new Date(iso));
}

/** Render BOOKINGS into BOX grouped by slot; onPick(booking) when one is tapped. */
export function renderBookings(box, bookings, { selectedId, onPick, day = null }) {
  const groups = new Map();
  for (const booking of bookings) {
    const key = `${courtTime(booking.starts_at)}-${courtTime(booking.ends_at)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(booking);
  }
  const waiting = bookings.filter((b) => b.status === 'booked').length;
  replaceChildren(
    box,
    h('h2', {}, day ? `${day} 的预约（${bookings.length} 人）` : `今日预约（${bookings.length} 人，待签到 ${waiting} 人）`),
    bookings.length ? null : h('p', { class: 'muted' }, day ? '该日没有预约。' : '今日没有预约。未预约来院的当事人请在右侧「现场来院」中查找。'),
    [...groups.entries()].map(([span, items]) =>
      h('div', { class: 'slot-group' }, h('div', { class: 'slot-time' }, span), items.map((booking) => bookingCard(booking, selectedId, onPick))),
    ),
  );
}

function bookingCard(booking, selectedId, onPick) {
  return h(
    'button',
    {
      type: 'button',
      class: `booking booking-${booking.status}`,
      'aria-pressed': booking.id === selectedId ? 'true' : 'false',
      dataset: { bookingId: String(booking.id) },
      onclick: () => onPick(booking),
    },
    h('span', { class: 'booking-line' }, h('span', { class: 'booking-name' }, booking.party_name), h('span', {}, booking.party_id_masked), h('span', { class: 'booking-status' }, booking.status_label)),
    h('span', { class: 'booking-line' }, h('span', {}, booking.case_number), h('span', { class: 'muted' }, `${booking.window} · 预约码 ${booking.code || '—'}`)),
    h('span', { class: 'booking-documents' }, `文书：${booking.documents.map((d) => d.name).join('、') || '—'}`),
  );
}
