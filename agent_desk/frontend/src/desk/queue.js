// Waiting tasks per agent group (topic "queue").

import { h, replaceChildren } from '../lib/dom.js';

/** {groups: [{group, label, waiting, due_today, overdue, callbacks_due, locked}]} (also a bare list). */
export function queueRows(data) {
  if (!data) return [];
  const list = Array.isArray(data) ? data : Array.isArray(data.groups) ? data.groups : Array.isArray(data.queues) ? data.queues : null;
  if (list) {
    return list.map((item) => ({
      group: item.label ?? item.group ?? item.agent_group ?? '公共队列',
      waiting: item.waiting ?? item.count ?? 0,
      dueToday: item.due_today ?? null,
      overdue: item.overdue ?? null,
      callbacksDue: item.callbacks_due ?? null,
      locked: item.locked ?? null,
    }));
  }
  return Object.entries(data)
    .filter(([, value]) => typeof value === 'number')
    .map(([group, waiting]) => ({ group, waiting, dueToday: null, overdue: null, callbacksDue: null, locked: null }));
}

export function renderQueueSummary(container, data) {
  const rows = queueRows(data);
  replaceChildren(
    container,
    h('h2', {}, '待办队列'),
    rows.length
      ? h(
          'ul',
          { class: 'queue-list', id: 'queue-list' },
          rows.map((row) =>
            h(
              'li',
              {},
              h('span', {}, row.group),
              h('span', {}, h('strong', {}, `${row.waiting} 件`), row.overdue ? h('span', { class: 'overdue' }, ` 超期 ${row.overdue}`) : null),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '暂无数据'),
  );
}
