// The deliveries board's filter form: status, current method, deadline range, overdue, agent, group.

import { h } from '../lib/dom.js';
import { METHOD_LABELS } from '../lib/labels.js';

export const DELIVERY_STATUS_LABELS = { pending: '待送达', in_progress: '送达中', served: '已送达', unservable: '无法送达', cancelled: '已撤销' };
export const UNASSIGNED = 'none';

function select(name, caption, options) {
  return h('label', {}, caption, h('select', { name, id: `filter-${name}` }, h('option', { value: '' }, '全部'), options.map(([value, text]) => h('option', { value }, text))));
}

/** The form; ONSUBMIT gets the query parameters of the chosen filters. */
export function filterForm(assignees, onSubmit) {
  const groups = [...new Set(assignees.map((person) => person.agent_group).filter(Boolean))].sort();
  const form = h(
    'form',
    { class: 'filter-form', id: 'filter-form' },
    select('status', '状态', Object.entries(DELIVERY_STATUS_LABELS)),
    select('method', '当前送达方式', Object.entries(METHOD_LABELS)),
    h('label', {}, '期限不早于', h('input', { type: 'date', name: 'deadline_after', id: 'filter-deadline_after' })),
    h('label', {}, '期限不晚于', h('input', { type: 'date', name: 'deadline_before', id: 'filter-deadline_before' })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overdue', id: 'filter-overdue' }), '只看已超期'),
    select('assignee', '承办人', [[UNASSIGNED, '（未分配）'], ...assignees.map((person) => [String(person.id), personName(person)])]),
    select('agent_group', '坐席组', groups.map((group) => [group, group])),
    h('button', { type: 'submit', class: 'btn btn-primary', id: 'filter-apply' }, '查询'),
    h('button', { type: 'reset', class: 'btn' }, '清除'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit(queryOf(form));
  });
  form.addEventListener('reset', () => setTimeout(() => onSubmit(queryOf(form))));
  return form;
}

export function personName(person) {
  return `${person.full_name}${person.agent_group ? `（${person.agent_group}）` : ''}`;
}

function queryOf(form) {
  const data = new FormData(form);
  const query = new URLSearchParams();
  for (const name of ['status', 'method', 'deadline_after', 'deadline_before', 'agent_group']) {
    if (data.get(name)) query.set(name, data.get(name));
  }
  if (data.get('overdue')) query.set('overdue', 'true');
  const assignee = data.get('assignee');
  if (assignee === UNASSIGNED) query.set('unassigned', 'true');
  else if (assignee) query.set('assignee_user_id', assignee);
  return query;
}
