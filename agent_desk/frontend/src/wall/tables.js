// The wall's tables: agents with state and time in state, live calls with duration, figures, queues.

import { formatDuration, serverClock } from '../lib/clock.js';
import { h, replaceChildren } from '../lib/dom.js';
import { OUTCOME_LABELS, PRESENCE_LABELS, label } from '../lib/labels.js';
import { callDuration, callStateText } from '../desk/callpanel.js';
import { queueRows } from '../desk/queue.js';

const FIGURE_LABELS = {
  calls: '今日呼叫',
  calls_in_progress: '进行中',
  calls_ended: '已结束',
  answered: '接通',
  answer_rate: '接通率',
  answered_to_pickup_or_electronic: '接通后约定领取/电子送达',
  pickup_or_electronic_rate: '领取/电子送达占比',
  pickup_or_electronic_target: '占比目标',
  recordings_complete: '录音完整',
  recording_complete_rate: '录音完整率',
};
const HIDDEN_FIGURES = new Set(['date', 'generated_at', 'server_time']);

function figureValue(key, value) {
  if (value === null || value === undefined) return '—';
  if (key.endsWith('_seconds')) return formatDuration(value);
  if ((key.endsWith('_rate') || key.endsWith('_target')) && typeof value === 'number') {
    return `${Math.round(value * (value <= 1 ? 1000 : 10)) / 10}%`;
  }
  return String(value);
}

function rank(order, key) {
  const index = order.indexOf(key);
  return index === -1 ? order.length : index;
}

export function renderFigures(container, figures) {
  const order = Object.keys(FIGURE_LABELS);
  const shown = Object.entries(figures || {})
    .filter(([key, value]) => !HIDDEN_FIGURES.has(key) && (value === null || typeof value !== 'object'))
    .sort(([a], [b]) => rank(order, a) - rank(order, b));
  replaceChildren(
    container,
    shown.length
      ? shown.map(([key, value]) => h('div', { class: 'figure', dataset: { figure: key } }, h('div', { class: 'figure-value' }, figureValue(key, value)), h('div', { class: 'figure-label' }, FIGURE_LABELS[key] || key)))
      : h('p', { class: 'muted' }, '今日暂无数据'),
  );
}

export function renderQueues(container, data) {
  const rows = queueRows(data);
  replaceChildren(
    container,
    h('h2', {}, '队列'),
    h(
      'table',
      { class: 'grid', id: 'wall-queues' },
      h('thead', {}, h('tr', {}, ['坐席组', '待办', '今日到期', '已超期', '待回拨', '处理中'].map((text) => h('th', {}, text)))),
      h(
        'tbody',
        {},
        rows.length
          ? rows.map((row) =>
              h(
                'tr',
                {},
                h('td', {}, row.group),
                [row.waiting, row.dueToday, row.overdue, row.callbacksDue, row.locked].map((value) => h('td', { class: 'num' }, value ?? '—')),
              ),
            )
          : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, '无待办')),
      ),
    ),
  );
}

/** actions: { force(agent, state) } */
export function renderAgents(container, agents, actions) {
  const sorted = [...agents].sort((a, b) => String(a.full_name || a.username).localeCompare(String(b.full_name || b.username), 'zh-CN'));
  replaceChildren(
    container,
    h('h2', {}, `坐席（${agents.length}）`),
    h(
      'table',
      { class: 'grid', id: 'wall-agents' },
      h('thead', {}, h('tr', {}, h('th', {}, '坐席'), h('th', {}, '分机'), h('th', {}, '状态'), h('th', {}, '持续'), h('th', {}, '操作'))),
      h('tbody', {}, sorted.map((agent) => agentRow(agent, actions))),
    ),
  );
}

function agentRow(agent, actions) {
  const presence = agent.presence || agent;
  const state = presence.state || 'offline';
  const reason = state === 'break' && presence.reason ? `（${presence.reason}）` : '';
  return h(
    'tr',
    { dataset: { userId: String(agent.user_id ?? agent.id) } },
    h('td', {}, agent.full_name || agent.username || ''),
    h('td', {}, agent.sip_extension || agent.extension || ''),
    h('td', {}, h('span', { class: `presence-badge presence-${state}` }, `${label(PRESENCE_LABELS, state)}${reason}`)),
    h('td', { class: 'num', 'data-since': presence.since || '' }, formatDuration(serverClock.secondsSince(presence.since))),
    h(
      'td',
      { class: 'actions' },
      h('button', { class: 'btn btn-small btn-warn', disabled: state === 'break' || state === 'offline', onclick: () => actions.force(agent, 'break') }, '强制小休'),
      h('button', { class: 'btn btn-small', disabled: state === 'offline', onclick: () => actions.force(agent, 'offline') }, '强制离线'),
    ),
  );
}

/** actions: { listen(call, whisper) } */
/** Agents' calls (live, then just ended); a supervisor's listen-in has no agent and shows while live. */
export function renderCalls(container, calls, agentsById, actions) {
  const isAgentCall = (call) => call.agent_user_id !== null && call.agent_user_id !== undefined;
  const live = calls.filter((call) => isAgentCall(call) && call.state !== 'ended');
  const ended = calls.filter((call) => isAgentCall(call) && call.state === 'ended');
  const listening = calls.filter((call) => !isAgentCall(call) && call.state !== 'ended');
  const rows = [...live.map((call) => callRow(call, agentsById, actions)), ...listening.map(listenRow), ...ended.map((call) => callRow(call, agentsById, actions))];
  replaceChildren(
    container,
    h('h2', {}, `实时通话（${live.length}）`),
    h(
      'table',
      { class: 'grid', id: 'wall-calls' },
      h('thead', {}, h('tr', {}, h('th', {}, '坐席'), h('th', {}, '号码'), h('th', {}, '状态'), h('th', {}, '时长'), h('th', {}, '监听'))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 5, class: 'muted' }, '当前没有通话'))),
    ),
  );
}

function listenRow(call) {
  return h(
    'tr',
    { class: 'listen-row', dataset: { callId: call.call_id, state: call.state, kind: 'listen' } },
    h('td', { colspan: 3 }, '主管监听'),
    h('td', { class: 'num', 'data-since': call.started_at || '' }, formatDuration(callDuration(call))),
    h('td', {}),
  );
}

function callRow(call, agentsById, actions) {
  const agent = agentsById.get(call.agent_user_id);
  const ended = call.state === 'ended';
  return h(
    'tr',
    { dataset: { callId: call.call_id, state: call.state } },
    h('td', {}, agent ? agent.full_name || agent.username : call.agent_name || call.agent_endpoint || ''),
    h('td', {}, call.number || ''),
    h('td', {}, callStateText(call), ended && call.outcome ? `（${label(OUTCOME_LABELS, call.outcome)}${call.cause_label ? ` · ${call.cause_label}` : ''}）` : '', call.recording ? h('span', { class: 'recording' }, ' ● 录音') : null),
    ended
      ? h('td', { class: 'num' }, formatDuration(callDuration(call)))
      : h('td', { class: 'num', 'data-since': call.answered_at || call.started_at || '' }, formatDuration(callDuration(call))),
    h(
      'td',
      { class: 'actions' },
      ended ? null : h('button', { class: 'btn btn-small', 'data-action': 'listen', onclick: () => actions.listen(call, false) }, '监听'),
      ended ? null : h('button', { class: 'btn btn-small', 'data-action': 'whisper', onclick: () => actions.listen(call, true) }, '耳语'),
    ),
  );
}

/** Every second: only the duration cells change, computed from their timestamps. */
export function tickDurations(root) {
  for (const cell of root.querySelectorAll('[data-since]')) {
    cell.textContent = formatDuration(serverClock.secondsSince(cell.dataset.since));
  }
}
