// The supervisor wall: queues, agents, live calls and today's figures, all pushed over the websocket;
// the router's 24-hour-rule alerts, read from its API.

import { api } from '../lib/api.js';
import { requireLogin, showConnection, showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { everySecond } from '../lib/clock.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { PRESENCE_LABELS } from '../lib/labels.js';
import { LiveSocket } from '../lib/socket.js';
import { PhonePanel } from '../phone/panel.js';
import { loadPhoneSettings } from '../phone/settings.js';
import { Softphone } from '../phone/softphone.js';
import { watchAlerts } from '../wall/alerts.js';
import { KeyedStore, agentKey, callKey, listOf } from '../wall/store.js';
import { renderAgents, renderCalls, renderFigures, renderQueues, tickDurations } from '../wall/tables.js';

const ENDED_CALL_SHOWN_MS = 5000;

class SupervisorWall {
  constructor(user) {
    this.user = user;
    this.agents = new KeyedStore(agentKey);
    this.calls = new KeyedStore(callKey);
    this.figures = {};
    this.queue = null;
    this.softphone = null;
    this.changed = new Set(); // topics whose section waits to be rendered
  }

  async start() {
    showUser(this.user, () => this.softphone?.stop());
    showNav(this.user, location.pathname);
    this.render();
    this.socket = new LiveSocket(['queue', 'calls', 'agents', 'figures'], {
      snapshot: (topic, data) => this.onSnapshot(topic, data),
      event: (topic, data) => this.onEvent(topic, data),
      applied: () => this.renderChanged(),
      status: (state) => showConnection(state),
    });
    this.socket.start();
    watchAlerts(byId('alerts'));
    everySecond(() => tickDurations(document.body));
    await this.startPhone();
  }

  /** Listening in rings the supervisor's own extension: the wall carries a softphone when one is set. */
  async startPhone() {
    let me = null;
    try {
      me = await api('/api/desk/me');
    } catch {
      me = null;
    }
    if (!me || !me.sip || !me.sip.ws_url) {
      replaceChildren(byId('phone'), h('h2', {}, '网页话机'),
        h('p', { id: 'no-extension' }, '您尚未配置分机，暂不能监听。'),
        h('p', { class: 'muted' }, '请系统管理员在「系统管理 › 用户与角色」为您设置分机号；刷新本页后，本页即带网页话机，监听和耳语在浏览器中接听，无需另备话机。'));
      return;
    }
    this.softphone = new Softphone({ sip: me.sip, settings: loadPhoneSettings(), audioElement: byId('remote-audio') });
    new PhonePanel(byId('phone'), this.softphone);
    this.softphone.start();
  }

  onSnapshot(topic, data) {
    if (topic === 'agents') this.agents.replace(listOf(data, 'agents'));
    if (topic === 'calls') this.calls.replace(listOf(data, 'calls'));
    if (topic === 'figures') this.figures = data || {};
    if (topic === 'queue') this.queue = data;
    this.changed.add(topic);
  }

  onEvent(topic, data) {
    if (!data) return;
    if (topic === 'agents') listOf(data, 'agents').length ? this.agents.replace(listOf(data, 'agents')) : this.agents.merge(data.agent || data);
    if (topic === 'calls') this.onCallEvent(data);
    if (topic === 'figures') this.figures = { ...this.figures, ...data };
    if (topic === 'queue') this.queue = data;
    this.changed.add(topic);
  }

  /** An ended call stays a few seconds with its outcome, then leaves the list. */
  onCallEvent(call) {
    this.calls.merge(call);
    if (call.state === 'ended' || call.ended_at) {
      setTimeout(() => {
        this.calls.remove(call.call_id);
        this.renderCalls();
      }, ENDED_CALL_SHOWN_MS);
    }
  }

  render() {
    renderFigures(byId('figures'), this.figures);
    renderQueues(byId('queues'), this.queue);
    renderAgents(byId('agents'), this.agents.values(), { force: (agent, state) => this.force(agent, state) });
    this.renderCalls();
  }

  /** Once per frame from the server, the sections whose topic changed (the calls show agents' names). */
  renderChanged() {
    const changed = this.changed;
    this.changed = new Set();
    if (changed.has('figures')) renderFigures(byId('figures'), this.figures);
    if (changed.has('queue')) renderQueues(byId('queues'), this.queue);
    if (changed.has('agents')) renderAgents(byId('agents'), this.agents.values(), { force: (agent, state) => this.force(agent, state) });
    if (changed.has('agents') || changed.has('calls')) this.renderCalls();
  }

  renderCalls() {
    const agentsById = new Map(this.agents.values().map((agent) => [agentKey(agent), agent]));
    renderCalls(byId('calls'), this.calls.values(), agentsById, { listen: (call, whisper) => this.listen(call, whisper) });
  }

  async force(agent, state) {
    const name = agent.full_name || agent.username;
    const reason = state === 'break' ? '主管安排小休' : '主管设为离线';
    try {
      await api(`/api/wall/agents/${agentKey(agent)}/presence`, { method: 'POST', body: { state, reason } });
      toast(`已将 ${name} 设为${PRESENCE_LABELS[state]}`, 'ok');
    } catch (error) {
      toast(`操作失败：${error.message}`, 'error');
    }
  }

  async listen(call, whisper) {
    try {
      this.softphone?.expectCall('');
      await api(`/api/wall/calls/${call.call_id}/listen`, { method: 'POST', body: { whisper } });
      toast(whisper ? '正在接入耳语：请接听您的话机' : '正在接入监听：请接听您的话机', 'ok');
    } catch (error) {
      toast(`监听失败：${error.message}`, 'error');
    }
  }
}

const user = requireLogin(['supervisor', 'admin']);
if (user) {
  new SupervisorWall(user).start().catch((error) => toast(`监控墙加载失败：${error.message}`, 'error'));
}
