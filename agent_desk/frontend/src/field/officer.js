// The officer's day on the phone: stops in route order with navigation, check-in with GPS, photos and
// video taken in the page, and the visit's result. Positions are sent while the page is open (mileage).

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { currentPosition, uploadMedia } from './capture.js';
import { RESULT_LABELS, STATUS_LABELS, courtToday } from './labels.js';
import { TrackRecorder } from './track.js';

export class OfficerDay {
  constructor(root) {
    this.root = root;
    this.day = courtToday();
    this.data = { route: null, stops: [] };
    this.open = null; // the stop whose form is shown
    this.track = new TrackRecorder();
  }

  async start() {
    this.track.start();
    await this.load();
  }

  async load() {
    try {
      this.data = await api(`/api/field/tasks?day=${this.day}`);
    } catch (error) {
      toast(error.message, 'error');
    }
    this.render();
  }

  async planRoute() {
    let start = null;
    try {
      const here = await currentPosition();
      start = { lon: here.lon, lat: here.lat };
    } catch {
      start = null; // from the court
    }
    try {
      this.data = await api('/api/field/routes', { method: 'POST', body: { day: this.day, start } });
      toast('路线已规划', 'ok');
    } catch (error) {
      toast(error.message, 'error');
    }
    this.render();
  }

  render() {
    const { route, stops } = this.data;
    const summary = route
      ? `共 ${route.stops} 站，规划里程 ${route.planned_km.toFixed(1)} 公里`
      : `共 ${stops.length} 个任务，尚未规划路线`;
    replaceChildren(
      this.root,
      h('section', { class: 'field-summary' }, h('div', {}, h('strong', {}, this.day), ' ', summary), h('button', { class: 'btn btn-primary btn-big', onclick: () => this.planRoute() }, route ? '重新规划路线' : '规划今日路线')),
      stops.length ? stops.map((stop) => this.stopCard(stop)) : h('p', { class: 'muted field-empty' }, '今天没有分派给您的外出送达任务。'),
    );
  }

  stopCard(stop) {
    const done = stop.result !== null;
    const nav = stop.navigation;
    return h(
      'article',
      { class: `stop-card${done ? ' stop-done' : ''}`, dataset: { assignment: stop.assignment_id } },
      h('div', { class: 'stop-head' }, h('span', { class: 'stop-order' }, stop.route_order ?? '–'), h('div', {}, h('div', { class: 'stop-party' }, stop.party_name), h('div', { class: 'stop-address' }, stop.address)), h('span', { class: `stop-status status-${stop.attempt_status}` }, done ? RESULT_LABELS[stop.result] : STATUS_LABELS[stop.attempt_status] || stop.attempt_status)),
      h('div', { class: 'stop-meta muted' }, `${stop.case_number} · ${stop.documents.join('、')}`, stop.leg_km !== null ? ` · 距上一站 ${stop.leg_km.toFixed(1)} 公里` : ''),
      nav && !done
        ? h('div', { class: 'stop-actions' }, h('a', { class: 'btn btn-big', href: nav.amap_web, target: '_blank', rel: 'noopener' }, '高德导航'), h('a', { class: 'btn btn-big', href: nav.baidu_app }, '百度导航'))
        : null,
      done ? null : this.visitControls(stop),
    );
  }

  visitControls(stop) {
    if (!stop.checked_in_at) {
      return h('div', { class: 'stop-actions' }, h('button', { class: 'btn btn-ok btn-big', onclick: (event) => this.checkIn(stop, event.target) }, '到达签到（记录位置）'));
    }
    if (this.open !== stop.assignment_id) {
      return h('div', { class: 'stop-actions' }, h('button', { class: 'btn btn-primary btn-big', onclick: () => { this.open = stop.assignment_id; this.render(); } }, '登记送达情况'));
    }
    return this.visitForm(stop);
  }

  async checkIn(stop, button) {
    button.disabled = true;
    try {
      const here = await currentPosition();
      await api(`/api/field/tasks/${stop.assignment_id}/check-in`, { method: 'POST', body: { ...here, phone_time: new Date().toISOString() } });
      toast(`已签到（精度 ±${Math.round(here.accuracy_m)} 米）`, 'ok');
      this.open = stop.assignment_id;
      await this.load();
    } catch (error) {
      button.disabled = false;
      toast(error.message, 'error');
    }
  }

  visitForm(stop) {
    const has = (key) => stop.facts.includes(key);
    const capture = (purpose, accept, text) => h('label', { class: 'btn btn-big capture' }, has(purpose) ? `✓ ${text}` : text, h('input', { type: 'file', accept, capture: 'environment', hidden: true, onchange: (event) => this.upload(stop, purpose, event.target) }));
    const form = h('form', { class: 'visit-form', onsubmit: (event) => this.finish(event, stop) });
    replaceChildren(
      form,
      h('h3', {}, '现场证据'),
      h('div', { class: 'stop-actions' }, capture('photo', 'image/*', '拍摄现场照片'), capture('video', 'video/*', '拍摄现场视频')),
      h('h3', {}, '送达结果'),
      h('div', { class: 'result-choices' }, Object.entries(RESULT_LABELS).map(([value, text]) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'result', value, required: true }), text))),
      h('label', { class: 'field' }, '签收人及关系（签收时填写）', h('input', { name: 'received_by', placeholder: '如：本人 张三；配偶 李四' })),
      h('p', { class: 'muted small' }, '签收人手写签名：签名板即将上线，届时在此签名。'),
      h('fieldset', {}, h('legend', {}, '留置送达'), h('label', { class: 'field' }, '拒收情况', h('textarea', { name: 'refusal_note', rows: 2, placeholder: '如：当事人拒绝签收，文书留置于住所门口' })), h('div', { class: 'stop-actions' }, capture('refusal_photo', 'image/*', '拍摄留置照片'), capture('refusal_video', 'video/*', '拍摄留置视频'))),
      h('label', { class: 'field' }, '备注', h('input', { name: 'notes' })),
      h('button', { class: 'btn btn-primary btn-big', type: 'submit' }, '提交'),
    );
    return form;
  }

  async upload(stop, purpose, input) {
    const file = input.files && input.files[0];
    if (!file) return;
    try {
      await uploadMedia(stop.assignment_id, purpose, file);
      toast('已上传并核对哈希', 'ok');
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async finish(event, stop) {
    event.preventDefault();
    const form = event.target;
    const text = (name) => (form[name] && form[name].value.trim()) || null;
    const body = { result: form.result.value, received_by: text('received_by'), refusal_note: text('refusal_note'), notes: text('notes') };
    try {
      const answer = await api(`/api/field/tasks/${stop.assignment_id}/outcome`, { method: 'POST', body });
      toast(answer.next_method ? `已登记；下一步：${answer.next_method}` : '已送达，送达回证将自动生成', 'ok');
      this.open = null;
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }
}
