// The live call of this agent as the server sees it: state, number and duration from server timestamps.

import { formatDuration, serverClock } from '../lib/clock.js';
import { h, replaceChildren } from '../lib/dom.js';
import { OUTCOME_LABELS, label } from '../lib/labels.js';

// A call's states are the server's (telephony/states.py); each call carries its own Chinese state_label.

export function callIsLive(call) {
  return Boolean(call) && call.state !== 'ended' && !call.ended_at;
}

/** Seconds talking (since the party answered) or, before that, since the call started. */
export function callDuration(call) {
  if (!call) return null;
  const end = call.ended_at || null;
  if (call.answered_at) return serverClock.secondsSince(call.answered_at, end);
  return serverClock.secondsSince(call.started_at, end);
}

/** The server's label for the call's state, and 保持中 while the agent holds the call. */
export function callStateText(call) {
  const text = call.state_label || call.state;
  return call.on_hold && call.state === 'talking' ? `${text}（保持中）` : text;
}

export class CallPanel {
  constructor(container, { onHangup }) {
    this.container = container;
    this.onHangup = onHangup;
    this.call = null;
    this.pending = null; // text shown between the click and the server's first event
  }

  showPending(text) {
    this.pending = text;
    this.render();
  }

  update(call) {
    this.call = call;
    if (call) this.pending = null;
    this.render();
  }

  render() {
    const call = this.call;
    if (!call && !this.pending) {
      replaceChildren(this.container, h('h2', {}, '当前通话'), h('p', { class: 'muted', id: 'call-state', 'data-state': 'none' }, '无通话'));
      return;
    }
    if (!call) {
      replaceChildren(this.container, h('h2', {}, '当前通话'), h('p', { id: 'call-state', 'data-state': 'requesting' }, this.pending));
      return;
    }
    const live = callIsLive(call);
    const talking = call.state === 'talking';
    const timerLabel = talking || call.answered_at ? '通话时长' : '呼叫时长';
    replaceChildren(
      this.container,
      h('h2', {}, '当前通话'),
      h(
        'div',
        { class: `call-state call-${call.state}`, id: 'call-state', 'data-state': call.state, 'data-on-hold': String(Boolean(call.on_hold)), 'data-call-id': call.call_id },
        h('span', { class: 'call-label' }, callStateText(call)),
        h('span', { class: 'call-number' }, call.number || ''),
      ),
      live && call.recording ? h('p', { class: 'recording', id: 'call-recording' }, '● 正在录音') : null,
      h('div', { class: 'call-timer' }, h('span', { class: 'muted' }, `${timerLabel} `), h('span', { id: 'call-timer' }, formatDuration(callDuration(call)))),
      !live && (call.outcome || call.cause)
        ? h('p', { class: 'muted', id: 'call-outcome', title: call.cause ? `Q.850 原因码 ${call.cause}` : null }, `结果：${label(OUTCOME_LABELS, call.outcome) || ''}${call.cause ? `（${call.cause_label || `原因码 ${call.cause}`}）` : ''}`)
        : null,
      live ? h('button', { class: 'btn btn-danger btn-wide', id: 'call-hangup', onclick: () => this.onHangup(call) }, '挂断（H）') : null,
    );
  }

  /** Called every second: only the timer text changes. */
  tick() {
    const timer = this.container.querySelector('#call-timer');
    if (timer && this.call) timer.textContent = formatDuration(callDuration(this.call));
  }
}
