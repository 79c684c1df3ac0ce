// The wall's 24-hour-rule alerts: planned attempts whose start-by passed unmet, read from the router's API.

import { api } from '../lib/api.js';
import { formatDateTime } from '../lib/clock.js';
import { h, replaceChildren } from '../lib/dom.js';
import { METHOD_LABELS, label } from '../lib/labels.js';

export const ALERTS_REFRESH_MS = 30000;

export function renderAlerts(container, alerts, failed = false) {
  const heading = h('h2', {}, '超时告警', h('span', { class: alerts.length ? 'badge badge-alert' : 'badge' }, String(alerts.length)));
  if (failed) {
    replaceChildren(container, heading, h('p', { class: 'muted' }, '告警暂时无法读取，稍后自动重试'));
    return;
  }
  if (!alerts.length) {
    replaceChildren(container, heading, h('p', { class: 'muted' }, '没有超过 24 小时未转其他方式的送达'));
    return;
  }
  replaceChildren(
    container,
    heading,
    h(
      'table',
      { class: 'grid', id: 'wall-alerts' },
      h('thead', {}, h('tr', {}, ['案号', '受送达人', '应启动方式', '最迟启动', '告警时间'].map((text) => h('th', {}, text)))),
      h(
        'tbody',
        {},
        alerts.map((alert) =>
          h(
            'tr',
            { dataset: { delivery: String(alert.delivery_id) }, title: alert.message },
            h('td', {}, alert.case_number),
            h('td', {}, alert.party_name),
            h('td', {}, label(METHOD_LABELS, alert.method)),
            h('td', { class: 'overdue' }, formatDateTime(alert.due_at)),
            h('td', {}, formatDateTime(alert.raised_at)),
          ),
        ),
      ),
    ),
  );
}

/** Keep CONTAINER showing the open alerts, read now and every ALERTS_REFRESH_MS. */
export function watchAlerts(container) {
  const refresh = async () => {
    try {
      renderAlerts(container, await api('/api/router/alerts?open=true&limit=50'));
    } catch {
      renderAlerts(container, [], true);
    }
  };
  refresh();
  return setInterval(refresh, ALERTS_REFRESH_MS);
}
