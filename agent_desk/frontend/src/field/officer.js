// The officer's day on the phone: stops in route order with navigation, check-in with GPS, photos and
// video hashed when taken, the recipient's or a witness's signature drawn on the screen, and the visit's
// result. Everything works without signal: the day's route is kept on the phone, and each record waits in
// the outbox (IndexedDB) until it can be sent. Positions are sent while the page is open (mileage).

import { ApiError, api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { currentToken } from '../lib/session.js';
import { currentPosition } from './capture.js';
import { RESULT_LABELS, SERVING, STATUS_LABELS, courtClock, courtToday } from './labels.js';
import { Outbox } from './outbox.js';
import { loadRoute, saveRoute } from './store.js';
import { TrackRecorder } from './track.js';
import { VisitForm } from './visit.js';

export class OfficerDay {
  constructor(root, user) {
    this.root = root;
    this.user = user;
    this.day = courtToday();
    this.data = { route: null, stops: [] };
    this.savedAt = null;
    this.fromCache = false;
    this.queued = [];
    this.progress = new Map(); // outbox record id -> "37%"
    this.form = null; // the open VisitForm
    this.outbox = new Outbox(user.id, (event) => this.onOutbox(event));
    this.track = new TrackRecorder(this.outbox);
    this.banner = h('div', { id: 'field-banner', class: 'field-banner', role: 'status', hidden: true });
    this.list = h('div', { id: 'field-stops' });
  }

  async start() {
    replaceChildren(this.root, this.banner, this.list);
    window.addEventListener('online', () => this.load());
    window.addEventListener('offline', () => this.showBanner());
    this.track.start();
    await this.load();
    this.outbox.flush();
  }

  get routeKey() {
    return `${this.user.id}:${this.day}`;
  }

  async load() {
    try {
      this.data = await api(`/api/field/tasks?day=${this.day}`);
      this.savedAt = new Date().toISOString();
      this.fromCache = false;
      await saveRoute(this.routeKey, this.data);
    } catch (error) {
      const cached = error instanceof ApiError && error.status === 0 ? await loadRoute(this.routeKey) : null;
      if (cached) {
        this.data = cached.data;
        this.savedAt = cached.saved_at;
        this.fromCache = true;
      } else {
        toast(error.message, 'error');
      }
    }
    await this.refreshQueue();
    if (!this.form) this.render();
  }

  async refreshQueue() {
    this.queued = (await this.outbox.records()).filter((record) => record.kind !== 'track'); // the officer's records
    this.showBanner();
  }

  showBanner() {
    const waiting = this.queued.length;
    const online = navigator.onLine && !this.fromCache;
    const saved = this.savedAt ? new Date(this.savedAt).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' }) : '—';
    this.banner.dataset.state = online ? (waiting ? 'sending' : 'online') : 'offline';
    this.banner.hidden = online && !waiting;
    this.banner.textContent = online
      ? `正在上传 ${waiting} 项现场记录…`
      : waiting
        ? `无网络：显示 ${saved} 保存的今日路线。现场记录已存于本机（${waiting} 项待上传），恢复网络后自动上传。`
        : `无网络：显示 ${saved} 保存的今日路线。现场记录将先存于本机，恢复网络后自动上传。`;
  }

  onOutbox(event) {
    if (event.type === 'progress') {
      this.progress.set(event.record.id, `${Math.floor((100 * event.received) / Math.max(event.size, 1))}%`);
      this.form?.showQueue(this.queued, this.progress);
      return;
    }
    if (event.type === 'refused') toast(event.message, 'error');
    if (event.type === 'sent') this.takeAnswer(event.record);
    if (event.type === 'sent' && event.record.assignment_id === this.form?.stop.assignment_id) this.form.noteSent(event.record);
    if (event.type === 'sent' && event.record.kind === 'outcome') {
      const answer = event.record.answer;
      toast(answer.next_method ? `已上传送达结果；下一步：${answer.next_method}` : '已送达，送达回证已自动生成', 'ok');
    }
    this.refreshQueue().then(() => {
      this.form?.showQueue(this.queued, this.progress);
      if (!this.queued.length && (event.type === 'sent' || event.type === 'refused')) this.load();
    });
  }

  /** The server's view of a stop after a record of it was sent (the day's list is reloaded later). */
  takeAnswer(record) {
    const stop = record.kind === 'check_in' ? record.answer : record.kind === 'outcome' ? record.answer?.stop : null;
    if (!stop) return;
    this.data.stops = this.data.stops.map((item) => (item.assignment_id === stop.assignment_id ? stop : item));
    if (this.form?.stop.assignment_id === stop.assignment_id) this.form.stop = stop;
    saveRoute(this.routeKey, this.data);
  }

  queuedFor(stop) {
    return this.queued.filter((record) => record.assignment_id === stop.assignment_id);
  }

  async planRoute() {
    if (!navigator.onLine) {
      toast('无网络，暂不能重新规划路线', 'error');
      return;
    }
    let start = null;
    try {
      const here = await currentPosition();
      start = { lon: here.lon, lat: here.lat };
    } catch {
      start = null; // from the officer's own start point
    }
    try {
      this.data = await api('/api/field/routes', { method: 'POST', body: { day: this.day, start } });
      await saveRoute(this.routeKey, this.data);
      this.savedAt = new Date().toISOString();
      toast('路线已规划', 'ok');
    } catch (error) {
      toast(error.message, 'error');
    }
    this.render();
  }

  render() {
    const { route, stops } = this.data;
    const unplanned = stops.filter((stop) => stop.route_order === null && stop.result === null).length;
    const summary = route
      ? `共 ${route.stops} 站，规划里程 ${route.planned_km.toFixed(1)} 公里${unplanned ? `；${unplanned} 个任务今日排不进路线` : ''}`
      : `共 ${stops.length} 个任务，尚未规划路线`;
    replaceChildren(
      this.list,
      h('section', { class: 'field-summary' }, h('div', {}, h('strong', {}, this.day), ' ', summary), h('button', { class: 'btn btn-primary btn-big', id: 'plan-route', onclick: () => this.planRoute() }, route ? '重新规划路线' : '规划今日路线')),
      stops.length ? stops.map((stop) => this.stopCard(stop)) : h('p', { class: 'muted field-empty' }, '今天没有分派给您的外出送达任务。'),
    );
    this.showBanner();
  }

  localState(stop) {
    const mine = this.queuedFor(stop);
    return {
      checkedIn: Boolean(stop.checked_in_at) || mine.some((record) => record.kind === 'check_in'),
      outcome: mine.find((record) => record.kind === 'outcome'),
      waiting: mine.length,
    };
  }

  stopCard(stop) {
    const local = this.localState(stop);
    const done = stop.result !== null || Boolean(local.outcome);
    const nav = stop.navigation;
    const status = stop.result ? RESULT_LABELS[stop.result] : local.outcome ? `${RESULT_LABELS[local.outcome.body.result]}（待上传）` : local.checkedIn ? '已到达' : STATUS_LABELS[stop.attempt_status] || stop.attempt_status;
    const timing = [
      stop.available_from ? `当事人可送达 ${stop.available_from}–${stop.available_until}` : null,
      stop.planned_arrival_at ? `预计 ${courtClock(stop.planned_arrival_at)} 到达` : null,
    ].filter(Boolean).join(' · ');
    return h(
      'article',
      { class: `stop-card${done ? ' stop-done' : ''}`, dataset: { assignment: stop.assignment_id } },
      h('div', { class: 'stop-head' }, h('span', { class: 'stop-order' }, stop.route_order ?? '–'), h('div', {}, h('div', { class: 'stop-party' }, stop.party_name), h('div', { class: 'stop-address' }, stop.address)), h('span', { class: `stop-status status-${stop.attempt_status}` }, status)),
      h('div', { class: 'stop-meta muted' }, `${stop.case_number} · ${stop.documents.join('、')}`, stop.leg_km !== null ? ` · 距上一站 ${stop.leg_km.toFixed(1)} 公里` : ''),
      timing ? h('div', { class: 'stop-window' }, timing) : null,
      local.waiting ? h('div', { class: 'stop-queued' }, `${local.waiting} 项现场记录待上传`) : null,
      nav && !done
        ? h('div', { class: 'stop-actions' }, h('a', { class: 'btn btn-big nav-amap', href: nav.amap_web, target: '_blank', rel: 'noopener' }, '高德导航'), h('a', { class: 'btn btn-big nav-baidu', href: nav.baidu_app }, '百度导航'))
        : null,
      done ? this.doneActions(stop) : this.visitControls(stop, local),
    );
  }

  doneActions(stop) {
    if (stop.attempt_status !== 'succeeded') return null;
    return h('div', { class: 'stop-actions' }, h('button', { class: 'btn btn-big download-proof', onclick: (event) => this.downloadProof(stop, event.target) }, '下载送达回证'));
  }

  visitControls(stop, local) {
    if (this.form && this.form.stop.assignment_id === stop.assignment_id) return this.form.element;
    if (!local.checkedIn) {
      return h('div', { class: 'stop-actions' }, h('button', { class: 'btn btn-ok btn-big check-in', onclick: (event) => this.checkIn(stop, event.target) }, '到达签到（记录位置）'));
    }
    return h('div', { class: 'stop-actions' }, h('button', { class: 'btn btn-primary btn-big open-visit', onclick: () => this.openForm(stop) }, '登记送达情况'));
  }

  openForm(stop) {
    this.form?.destroy();
    this.form = new VisitForm(stop, {
      outbox: this.outbox,
      queued: () => this.queuedFor(stop),
      onDone: () => {
        this.form?.destroy();
        this.form = null;
        this.refreshQueue().then(() => this.render());
      },
    });
    this.render();
    this.form.showQueue(this.queued, this.progress);
    this.form.element.scrollIntoView({ block: 'start' });
  }

  async checkIn(stop, button) {
    button.disabled = true;
    let here;
    try {
      here = await currentPosition();
    } catch (error) {
      button.disabled = false;
      toast(error.message, 'error');
      return;
    }
    const body = { ...here, phone_time: new Date().toISOString() };
    await this.outbox.add({ kind: 'check_in', assignment_id: stop.assignment_id, label: '到达签到', body });
    toast(`已签到（精度 ±${Math.round(here.accuracy_m)} 米）${navigator.onLine ? '' : '，恢复网络后上传'}`, 'ok');
    await this.refreshQueue();
    this.openForm(stop);
  }

  async downloadProof(stop, button) {
    button.disabled = true;
    try {
      const proof = await api('/api/proofs', { method: 'POST', body: { attempt_id: stop.attempt_id } });
      const response = await fetch(`/api/evidence/${proof.evidence_id}/content`, { headers: { Authorization: `Bearer ${currentToken()}` } });
      if (!response.ok) throw new Error(`送达回证下载失败（${response.status}）`);
      const url = URL.createObjectURL(await response.blob());
      const link = h('a', { href: url, download: `送达回证-${stop.case_number}-${stop.party_name}.pdf` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      button.disabled = false;
    }
  }
}
