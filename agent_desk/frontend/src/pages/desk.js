// The agent desk: presence, next task, the task card, click-to-call, live call, disposition, softphone.

import { ApiError, api, newIdempotencyKey, postIdempotent } from '../lib/api.js';
import { requireLogin, showConnection, showUser } from '../lib/chrome.js';
import { everySecond, serverClock } from '../lib/clock.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { PRESENCE_LABELS } from '../lib/labels.js';
import { LiveSocket } from '../lib/socket.js';
import { CallPanel, callIsLive } from '../desk/callpanel.js';
import { DispositionPanel } from '../desk/disposition.js';
import { PresenceControl } from '../desk/presence.js';
import { renderQueueSummary } from '../desk/queue.js';
import { DESK_SHORTCUTS, bindDeskShortcuts } from '../desk/shortcuts.js';
import { TaskCard } from '../desk/taskcard.js';
import { PhonePanel } from '../phone/panel.js';
import { loadPhoneSettings } from '../phone/settings.js';
import { Softphone } from '../phone/softphone.js';

const CALL_STATES = new Set(['originating', 'agent_ringing', 'agent_connected', 'party_dialling', 'party_ringing', 'talking', 'ended']);
const OUTCOME_TO_DISPOSITION = { no_answer: '5', busy: '6', rejected: '7', refused: '7', wrong_number: '8' };

class AgentDesk {
  constructor(user) {
    this.user = user;
    this.card = null;
    this.call = null;
    this.softphone = null;
    this.calling = false;
    this.presence = new PresenceControl(byId('presence'), { onChange: (presence) => this.presence.update(presence) });
    this.taskCard = new TaskCard(byId('task'), { onCall: (point) => this.placeCall(point), onRelease: (card) => this.release(card) });
    this.callPanel = new CallPanel(byId('call'), { onHangup: () => this.hangup() });
    this.disposition = new DispositionPanel(byId('disposition'), { onSaved: (result) => this.afterDisposition(result) });
    this.nextButton = byId('next-task');
    this.nextButton.addEventListener('click', () => this.nextTask());
  }

  async start() {
    showUser(this.user, () => this.softphone?.stop());
    showNav(this.user, location.pathname);
    renderShortcuts();
    this.taskCard.render();
    this.callPanel.render();
    this.disposition.render();
    replaceChildren(byId('phone'), h('h2', {}, '网页话机'), h('p', { class: 'muted' }, '正在加载…'));
    replaceChildren(byId('queue'), h('h2', {}, '待办队列'), h('p', { class: 'muted' }, '正在连接…'));
    const me = await api('/api/desk/me');
    this.presence.update(me.presence);
    await this.applyCurrentTask(me.current_task);
    this.startPhone(me.sip);
    this.socket = new LiveSocket(['me', 'queue'], {
      snapshot: (topic, data) => this.onSnapshot(topic, data),
      event: (topic, data) => this.onEvent(topic, data),
      status: (state) => showConnection(state),
    });
    this.socket.start();
    everySecond(() => this.tick());
    bindDeskShortcuts({
      next: () => this.nextTask(),
      hangup: () => this.hangup(),
      answer: () => this.softphone?.answer(),
      mute: () => this.softphone?.toggleMute(),
      choose: (key) => this.disposition.chooseByKey(key),
      submit: () => this.disposition.submit(),
    });
  }

  startPhone(sip) {
    if (!sip || !sip.ws_url) {
      replaceChildren(byId('phone'), h('h2', {}, '网页话机'), h('p', { class: 'muted' }, '未为您配置分机，无法使用网页话机。'));
      return;
    }
    this.softphone = new Softphone({ sip, settings: loadPhoneSettings(), audioElement: byId('remote-audio') });
    this.phonePanel = new PhonePanel(byId('phone'), this.softphone);
    this.softphone.start();
  }

  tick() {
    this.presence.render();
    this.callPanel.tick();
    this.nextButton.disabled = Boolean(this.card);
  }

  onSnapshot(topic, data) {
    if (topic === 'queue') renderQueueSummary(byId('queue'), data);
    if (topic === 'me') this.applyMe(data || {});
  }

  onEvent(topic, data) {
    if (topic === 'queue') renderQueueSummary(byId('queue'), data);
    if (topic !== 'me' || !data) return;
    if (data.kind === 'call' && data.call) this.applyCall(data.call);
    else if (data.call_id && CALL_STATES.has(data.state)) this.applyCall(data);
    else this.applyMe(data);
  }

  applyMe(data) {
    const presence = data.presence || (data.agent && PRESENCE_LABELS[data.agent.state] ? data.agent : null);
    if (presence) this.presence.update(presence);
    else if (PRESENCE_LABELS[data.state] && 'since' in data) this.presence.update(data);
    if ('current_task' in data) this.applyCurrentTask(data.current_task);
    else if ('task' in data) this.applyCurrentTask(data.task);
    const calls = data.calls || (data.call ? [data.call] : null);
    if (calls) {
      const live = calls.find(callIsLive) || null;
      if (live) this.applyCall(live);
      else if (this.call && callIsLive(this.call)) this.applyCall(calls.find((c) => c.call_id === this.call.call_id) || { ...this.call, state: 'ended', state_label: '已挂断' });
    }
  }

  async applyCurrentTask(task) {
    if (!task) {
      if (this.card) this.showTask(null);
      return;
    }
    if (task.delivery) {
      this.showTask(task);
      return;
    }
    const deliveryId = task.delivery_id ?? task.id;
    if (deliveryId && this.card?.delivery?.id !== deliveryId) this.showTask(await api(`/api/desk/tasks/${deliveryId}`));
  }

  showTask(card) {
    this.card = card;
    this.taskCard.show(card);
    this.disposition.setTask(card);
    this.nextButton.disabled = Boolean(card);
    if (!card && this.call && !callIsLive(this.call)) this.applyCall(null);
  }

  applyCall(call) {
    if (call && this.call && call.call_id !== this.call.call_id && callIsLive(this.call) && !callIsLive(call)) {
      return; // a late event of an older call must not hide the live one
    }
    if (call && this.call && call.call_id === this.call.call_id) call = { ...this.call, ...call };
    this.call = call;
    this.callPanel.update(call);
    this.taskCard.setCallBusy(callIsLive(call) || this.calling);
    if (call && call.state === 'ended' && OUTCOME_TO_DISPOSITION[call.outcome] && !this.disposition.kind) {
      this.disposition.chooseByKey(OUTCOME_TO_DISPOSITION[call.outcome]);
    }
  }

  async nextTask() {
    if (this.card) {
      toast('请先登记当前任务的处理结果', 'error');
      return;
    }
    this.nextButton.disabled = true;
    try {
      this.showTask(await api('/api/desk/next', { method: 'POST' }));
    } catch (error) {
      this.showRefusal(error);
      this.nextButton.disabled = false;
    }
  }

  /** Why no task was given, as the server says it, with the way out (设为空闲) where there is one. */
  showRefusal(error) {
    byId('desk-refusal')?.remove();
    const code = error instanceof ApiError && error.body ? error.body.code : null;
    if (!code) {
      toast(`领取任务失败：${error.message}`, 'error');
      return;
    }
    const becomeAvailable = async () => {
      await this.presence.set('available');
      if (this.presence.presence?.state === 'available') this.nextTask();
    };
    const notice = h('div', { class: 'panel desk-refusal', id: 'desk-refusal', role: 'alert', dataset: { code } },
      h('strong', {}, code === 'not_available' ? '还不能领取任务' : '暂时没有可领取的任务'),
      h('p', { id: 'desk-refusal-text' }, error.message),
      code === 'not_available' ? h('button', { class: 'btn btn-ok', id: 'refusal-available', onclick: becomeAvailable }, '设为空闲并领取任务') : null);
    byId('task').prepend(notice);
  }

  /** Click-to-call: one Idempotency-Key per click, reused only by retries of that click. */
  async placeCall(point) {
    if (this.calling || callIsLive(this.call)) return;
    if (this.softphone && this.softphone.registration !== 'registered') toast('网页话机尚未注册，系统呼叫您时可能无法接听', 'error');
    this.calling = true;
    this.taskCard.setCallBusy(true);
    this.callPanel.showPending(`正在发起呼叫 ${point.value}：系统将先呼叫您的话机…`);
    this.softphone?.expectCall(point.value);
    const key = newIdempotencyKey();
    try {
      const result = await postIdempotent(`/api/desk/tasks/${this.card.delivery.id}/call`, { contact_point_id: point.id }, key);
      this.disposition.setLastCalled(point.id);
      if (!this.call || this.call.call_id !== result.call_id) {
        const startedAt = result.started_at || new Date(serverClock.now()).toISOString();
        this.applyCall({ call_id: result.call_id, state: 'originating', state_label: '正在呼叫专员', number: point.value, started_at: startedAt, delivery_id: this.card.delivery.id });
      }
    } catch (error) {
      toast(`呼叫失败：${error.message}`, 'error');
      this.callPanel.showPending(null);
    } finally {
      this.calling = false;
      this.taskCard.setCallBusy(callIsLive(this.call));
    }
  }

  async hangup() {
    const call = this.call;
    if (call && callIsLive(call)) {
      try {
        await api(`/api/desk/calls/${call.call_id}/hangup`, { method: 'POST' });
        return;
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) toast(`挂断失败：${error.message}`, 'error');
      }
    }
    this.softphone?.hangup();
  }

  async release(card) {
    if (callIsLive(this.call)) {
      toast('通话中不能退回任务', 'error');
      return;
    }
    try {
      await api(`/api/desk/tasks/${card.delivery.id}/release`, { method: 'POST', body: { reason: '坐席退回' } });
      this.showTask(null);
      toast('任务已退回队列', 'ok');
    } catch (error) {
      toast(`退回失败：${error.message}`, 'error');
    }
  }

  afterDisposition(result) {
    if (result && result.presence) this.presence.update(result.presence);
    this.showTask(null);
  }
}

function renderShortcuts() {
  replaceChildren(
    byId('shortcuts'),
    h('summary', {}, '快捷键'),
    h('table', { class: 'shortcuts' }, h('tbody', {}, DESK_SHORTCUTS.map((item) => h('tr', {}, h('td', {}, h('kbd', {}, item.key)), h('td', {}, item.text))))),
  );
}

const user = requireLogin(['agent', 'supervisor', 'admin']);
if (user) {
  new AgentDesk(user).start().catch((error) => toast(`工作台加载失败：${error.message}`, 'error'));
}
