// What the postal console's parts share: court-time formats, status pills, opening a PDF the API prints.

import { currentToken } from '../lib/session.js';
import { h, toast } from '../lib/dom.js';

const MOMENT = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }); // YYYY-MM-DD

export function courtMoment(iso) {
  return iso ? MOMENT.format(new Date(iso)) : '—';
}

/** Today at the court (Beijing), as YYYY-MM-DD. */
export function courtToday() {
  return DAY.format(new Date());
}

export function statusPill(item) {
  return h('span', { class: `status-pill status-${item.status}` }, item.status_label);
}

export function yuan(fen) {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** Fetch a PDF the API prints (with the session's token) and open it in a new tab for printing. */
export async function openPdf(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${currentToken()}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    toast(typeof body.detail === 'string' ? body.detail : `无法生成打印文件（${response.status}）`, 'error');
    return false;
  }
  const url = URL.createObjectURL(await response.blob());
  window.open(url, '_blank', 'noopener');
  return true;
}
