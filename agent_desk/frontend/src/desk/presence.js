// Presence control: 空闲 / 小休(原因) / 离线 set by the agent; 振铃 / 通话中 / 话后整理 set by the system.

import { api } from '../lib/api.js';
import { formatDuration, serverClock } from '../lib/clock.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { BREAK_REASONS, PRESENCE_LABELS, label } from '../lib/labels.js';

// The states from which the agent may choose each state (the server enforces the same rule).
const ALLOWED_FROM = {
  available: new Set(['break', 'offline']),
  break: new Set(['available', 'break', 'offline']),
  offline: new Set(['available', 'break', 'wrap_up']),
};

export class PresenceControl {
  constructor(container, { onChange }) {
    this.container = container;
    this.onChange = onChange;
    this.presence = null;
    this.badge = h('span', { class: 'presence-badge', id: 'presence-state' });
    this.timer = h('span', { class: 'presence-timer', id: 'presence-timer' });
    this.reason = h(
      'select',
      { id: 'break-reason', 'aria-label': '小休原因' },
      BREAK_REASONS.map((text) => h('option', { value: text }, text)),
    );
    this.buttons = {
      available: h('button', { class: 'btn btn-ok', id: 'presence-available', onclick: () => this.set('available') }, '空闲'),
      break: h('button', { class: 'btn btn-warn', id: 'presence-break', onclick: () => this.set('break', this.reason.value) }, '小休'),
      offline: h('button', { class: 'btn', id: 'presence-offline', onclick: () => this.set('offline') }, '离线'),
    };
    replaceChildren(
      container,
      h('span', { class: 'presence-label' }, '状态'),
      this.badge,
      this.timer,
      this.buttons.available,
      this.buttons.break,
      this.reason,
      this.buttons.offline,
    );
  }

  /** A REST answer and websocket events may cross: an older state (earlier `since`) never wins. */
  update(presence) {
    if (!presence) return;
    const current = this.presence;
    if (current && current.since && presence.since && Date.parse(presence.since) < Date.parse(current.since)) return;
    this.presence = presence;
    this.render();
  }

  render() {
    const presence = this.presence || {};
    const state = presence.state || 'offline';
    const reason = state === 'break' && presence.reason ? `（${presence.reason}）` : '';
    this.badge.textContent = `${label(PRESENCE_LABELS, state)}${reason}`;
    this.badge.dataset.state = state;
    this.badge.className = `presence-badge presence-${state}`;
    this.timer.textContent = formatDuration(serverClock.secondsSince(presence.since));
    this.timer.title = '处于当前状态的时长';
    if (state === 'wrap_up' && presence.wrap_up_until) {
      this.timer.textContent += `（剩余 ${formatDuration(serverClock.secondsUntil(presence.wrap_up_until))}）`;
    }
    for (const [name, button] of Object.entries(this.buttons)) {
      button.disabled = !ALLOWED_FROM[name].has(state);
      button.setAttribute('aria-pressed', String(name === state));
    }
  }

  async set(state, reason) {
    try {
      const body = reason ? { state, reason } : { state };
      const result = await api('/api/desk/presence', { method: 'POST', body });
      this.onChange(result && result.state ? result : { state, reason: reason || null, since: new Date(serverClock.now()).toISOString() });
    } catch (error) {
      toast(`状态切换失败：${error.message}`, 'error');
    }
  }
}
