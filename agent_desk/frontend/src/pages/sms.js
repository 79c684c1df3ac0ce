// The admin's SMS inbox (/admin/sms): what the embedded Kannel's fake SMSC received, newest first, each
// text with its links clickable, so a demo user can follow the party's link from "their phone".

import '../sms/sms.css';

import { api } from '../lib/api.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { formatDateTime } from '../lib/clock.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren } from '../lib/dom.js';

const REFRESH_MS = 5000;
const LINK = /https?:\/\/[^\s，。；、）)」】]+/g;
const PURPOSES = { electronic_notice: '电子送达通知', pickup_confirmation: '领取预约确认', pickup_reminder: '领取预约提醒' };

let latest = null;

/** TEXT as text nodes and links (built with textContent only: no HTML from the message). */
export function withLinks(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    if (match.index > last) nodes.push(text.slice(last, match.index));
    nodes.push(h('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer', class: 'sms-link' }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

function kannelState(data) {
  const box = byId('sms-kannel');
  const names = Object.keys(data.running);
  const up = names.length > 0 && names.every((name) => data.running[name]);
  box.dataset.state = up ? 'up' : 'down';
  const which = data.fake_smsc ? '模拟短信中心' : '运营商短信中心（SMPP）';
  box.textContent = up ? `Kannel 运行中 · ${which} · 共收到 ${data.total} 条` : 'Kannel 未运行';
}

function item(sms) {
  return h(
    'li',
    { class: 'sms-item', dataset: { to: sms.to } },
    h(
      'div',
      { class: 'sms-meta' },
      h('strong', {}, sms.to),
      h('span', { class: 'muted' }, `来自 ${sms.sender}${sms.parts > 1 ? ` · 长短信 ${sms.parts} 条` : ''}`),
      sms.status_label ? h('span', { class: 'sms-status', dataset: { status: sms.status } }, sms.status_label) : null,
      sms.purpose ? h('span', { class: 'muted' }, PURPOSES[sms.purpose] || sms.purpose) : null,
      sms.sent_at ? h('span', { class: 'muted' }, `发送 ${formatDateTime(sms.sent_at)}`) : null,
    ),
    h('div', { class: 'sms-bubble' }, withLinks(sms.text)),
  );
}

function render() {
  if (!latest) return;
  kannelState(latest);
  const filter = byId('sms-filter').value.replace(/\D/g, '');
  const shown = latest.items.filter((sms) => !filter || sms.to.includes(filter));
  const list = byId('sms-list');
  if (!latest.items.length) {
    const hint = latest.fake_smsc
      ? ['模拟短信中心尚未收到短信。请先运行 ', h('code', {}, 'songda sms up'), ' 并设置 ', h('code', {}, 'SONGDA_SMS_GATEWAY_URL=kannel+http://127.0.0.1:13013'), '。']
      : ['已接入运营商短信中心，短信不经过模拟短信中心。'];
    replaceChildren(list, h('p', { class: 'sms-empty muted' }, hint));
    return;
  }
  replaceChildren(
    list,
    shown.length ? h('ul', { class: 'sms-list' }, shown.map(item)) : h('p', { class: 'sms-empty muted' }, '没有发往该号码的短信'),
  );
}

async function load() {
  try {
    latest = await api('/api/messaging/sms-inbox?limit=200');
    byId('sms-error').textContent = '';
    render();
  } catch (error) {
    byId('sms-error').textContent = error.message;
  }
}

const user = requireLogin(['admin']);
if (user) {
  showUser(user);
  showNav(user, location.pathname);
  byId('sms-filter').addEventListener('input', render);
  byId('sms-refresh').addEventListener('click', load);
  setInterval(() => {
    if (byId('sms-auto').checked && !document.hidden) load();
  }, REFRESH_MS);
  load();
}
