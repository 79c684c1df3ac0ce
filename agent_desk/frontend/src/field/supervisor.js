// The supervisor's board: open field attempts (filtered by district and deadline) on a list and a map,
// assigned to an officer for a day by hand, or shared among all officers with one planned route each; the
// parties' visit windows and each officer's start point (picked on the map) and hours bind the routes.

import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { STATUS_LABELS, courtClock, courtToday } from './labels.js';

const COLOURS = ['#1d4f91', '#c0392b', '#1f8a4c', '#c57a00', '#7a3db8', '#0e7c86'];

export class AssignmentBoard {
  constructor(root) {
    this.root = root;
    this.stops = [];
    this.officers = [];
    this.settings = null;
    this.selected = new Set();
    this.filters = { district: '', deadline_before: '' };
    this.day = courtToday();
  }

  async start() {
    this.layout();
    try {
      [this.settings, this.officers] = await Promise.all([api('/api/field/settings'), api('/api/field/officers')]);
    } catch (error) {
      toast(error.message, 'error');
      return;
    }
    this.setUpMap();
    this.renderControls();
    await this.loadOfficerDays();
    await this.load();
  }

  layout() {
    this.controls = h('section', { class: 'board-controls panel' });
    this.list = h('section', { class: 'board-list panel' });
    this.mapBox = h('div', { class: 'board-map', id: 'field-map' });
    replaceChildren(this.root, h('div', { class: 'board' }, h('div', { class: 'board-side' }, this.controls, this.list), this.mapBox));
  }

  setUpMap() {
    const start = this.settings.start;
    this.map = L.map(this.mapBox, { zoomControl: true, attributionControl: false }).setView([start.lat, start.lon], 12);
    if (this.settings.tile_url) {
      L.tileLayer(this.settings.tile_url, { maxZoom: 19 }).addTo(this.map);
    } else {
      this.mapBox.classList.add('plain-map'); // no tile server configured: points and routes on a plain ground
    }
    this.layer = L.layerGroup().addTo(this.map);
    this.map.on('click', (event) => {
      const form = this.officerDayBox;
      if (!form || !form.lon) return;
      form.lon.value = event.latlng.lng.toFixed(5);
      form.lat.value = event.latlng.lat.toFixed(5);
      toast('已选定出发点，请保存', 'info');
    });
  }

  renderControls() {
    const officerOptions = this.officers.map((officer) => h('option', { value: officer.id }, officer.full_name));
    replaceChildren(
      this.controls,
      h('div', { class: 'board-row' },
        h('label', { class: 'field' }, '区', h('input', { value: this.filters.district, placeholder: '如 西城区', onchange: (e) => { this.filters.district = e.target.value.trim(); this.load(); } })),
        h('label', { class: 'field' }, '期限不晚于', h('input', { type: 'date', value: this.filters.deadline_before, onchange: (e) => { this.filters.deadline_before = e.target.value; this.load(); } })),
        h('label', { class: 'field' }, '送达日期', h('input', { type: 'date', value: this.day, onchange: (e) => { this.day = e.target.value; } }))),
      h('div', { class: 'board-row' },
        h('label', { class: 'field' }, '送达人员', this.officerSelect = h('select', { onchange: () => this.loadOfficerDay() }, officerOptions)),
        h('button', { class: 'btn btn-primary', onclick: () => this.assignSelected() }, '分派所选'),
        h('button', { class: 'btn btn-ok', onclick: () => this.planDay() }, `一键规划当天（${this.officers.length} 名送达人员）`)),
      this.officerDayBox = h('form', { class: 'board-row officer-day', id: 'officer-day', onsubmit: (event) => this.saveOfficerDay(event) }),
    );
    this.loadOfficerDay();
  }

  async loadOfficerDays() {
    const days = await Promise.all(this.officers.map((officer) => api(`/api/field/officers/${officer.id}/day`).catch(() => null)));
    this.officerDays = new Map(this.officers.map((officer, index) => [officer.id, days[index]]));
  }

  /** The chosen officer's start point (click the map to move it) and working hours. */
  async loadOfficerDay() {
    const officerId = Number(this.officerSelect.value);
    if (!officerId) return;
    let day;
    try {
      day = await api(`/api/field/officers/${officerId}/day`);
    } catch (error) {
      toast(error.message, 'error');
      return;
    }
    const input = (name, value, attrs = {}) => h('input', { name, value, ...attrs });
    replaceChildren(
      this.officerDayBox,
      h('label', { class: 'field' }, '出发点', input('start_label', day.start_label, { maxlength: 100, size: 10 })),
      h('label', { class: 'field' }, '经度', input('lon', day.start.lon.toFixed(5), { size: 9 })),
      h('label', { class: 'field' }, '纬度', input('lat', day.start.lat.toFixed(5), { size: 8 })),
      h('label', { class: 'field' }, '上班', input('works_from', day.works_from, { type: 'time' })),
      h('label', { class: 'field' }, '下班', input('works_until', day.works_until, { type: 'time' })),
      h('button', { class: 'btn', type: 'submit' }, '保存出发点与工作时间'),
      h('span', { class: 'muted small' }, day.own ? '' : '（未单独设置：法院出发，默认工作时间；可在地图上点选出发点）'),
    );
  }

  async saveOfficerDay(event) {
    event.preventDefault();
    const form = this.officerDayBox;
    const body = {
      start: { lon: Number(form.lon.value), lat: Number(form.lat.value) },
      start_label: form.start_label.value.trim() || '出发点',
      works_from: form.works_from.value,
      works_until: form.works_until.value,
    };
    try {
      await api(`/api/field/officers/${this.officerSelect.value}/day`, { method: 'PUT', body });
      toast('已保存出发点与工作时间', 'ok');
      this.loadOfficerDay();
      await this.loadOfficerDays();
      this.renderMap();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  /** When the party can be found at home (e.g. only in the afternoon): the routes keep to it. */
  windowCell(stop) {
    const text = stop.available_from ? `${stop.available_from}–${stop.available_until}` : '任意';
    const from = h('input', { type: 'time', value: stop.available_from || '' });
    const until = h('input', { type: 'time', value: stop.available_until || '' });
    const editor = h('div', { class: 'window-editor', hidden: true }, from, until,
      h('button', { class: 'btn btn-small', onclick: () => this.saveWindow(stop, from.value || null, until.value || null) }, '保存'),
      h('button', { class: 'btn btn-small', onclick: () => this.saveWindow(stop, null, null) }, '不限'));
    return h('td', {}, h('button', { class: 'link-button window-text', title: '设置当事人可送达时段', onclick: () => { editor.hidden = !editor.hidden; } }, text), editor);
  }

  async saveWindow(stop, from, until) {
    try {
      await api(`/api/field/attempts/${stop.attempt_id}/window`, { method: 'PUT', body: { available_from: from, available_until: until } });
      toast(from ? `已设置可送达时段 ${from}–${until}` : '已取消可送达时段', 'ok');
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async load() {
    const query = new URLSearchParams(Object.entries(this.filters).filter(([, value]) => value));
    try {
      this.stops = await api(`/api/field/attempts?${query}`);
    } catch (error) {
      toast(error.message, 'error');
    }
    this.renderList();
    this.renderMap();
  }

  officerName(id) {
    const officer = this.officers.find((item) => item.id === id);
    return officer ? officer.full_name : '';
  }

  colourIndex(id) {
    const index = this.officers.findIndex((item) => item.id === id);
    return index < 0 ? 'x' : index % COLOURS.length;
  }

  colour(id) {
    const index = this.officers.findIndex((item) => item.id === id);
    return index < 0 ? '#6b7785' : COLOURS[index % COLOURS.length];
  }

  renderList() {
    const rows = this.stops.map((stop) => h('tr', {},
      h('td', {}, h('input', { type: 'checkbox', checked: this.selected.has(stop.attempt_id), onchange: (e) => (e.target.checked ? this.selected.add(stop.attempt_id) : this.selected.delete(stop.attempt_id)) })),
      h('td', {}, stop.party_name, h('div', { class: 'muted small' }, stop.case_number)),
      h('td', {}, stop.address),
      h('td', {}, stop.deadline || '—'),
      this.windowCell(stop),
      h('td', {}, stop.officer_id ? h('span', { class: `officer-tag officer-c${this.colourIndex(stop.officer_id)}` }, `${this.officerName(stop.officer_id)} ${stop.day}${stop.route_order ? ` 第${stop.route_order}站` : ''}${stop.planned_arrival_at ? ` ${courtClock(stop.planned_arrival_at)}` : ''}`) : h('span', { class: 'muted' }, '未分派')),
      h('td', {}, STATUS_LABELS[stop.attempt_status] || stop.attempt_status)));
    replaceChildren(this.list, h('h2', {}, `待外出送达（${this.stops.length}）`), h('table', { class: 'board-table' }, h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, '受送达人'), h('th', {}, '地址'), h('th', {}, '期限'), h('th', {}, '可送达时段'), h('th', {}, '分派'), h('th', {}, '状态'))), h('tbody', {}, rows)));
  }

  renderMap() {
    this.layer.clearLayers();
    const start = this.settings.start;
    const points = [[start.lat, start.lon]];
    L.circleMarker([start.lat, start.lon], { radius: 9, color: '#1f2933', fillColor: '#ffffff', fillOpacity: 1, weight: 3 }).bindTooltip('法院（出发点）').addTo(this.layer);
    const byOfficer = new Map();
    for (const stop of this.stops) {
      if (stop.lat === null || stop.lon === null) continue;
      points.push([stop.lat, stop.lon]);
      const colour = this.colour(stop.officer_id);
      L.circleMarker([stop.lat, stop.lon], { radius: 8, color: colour, fillColor: colour, fillOpacity: stop.officer_id ? 0.85 : 0.25, weight: 2 })
        .bindTooltip(`${stop.route_order ? `${stop.route_order}. ` : ''}${stop.party_name} · ${stop.address}`)
        .addTo(this.layer);
      if (stop.officer_id && stop.route_order) {
        if (!byOfficer.has(stop.officer_id)) byOfficer.set(stop.officer_id, []);
        byOfficer.get(stop.officer_id).push(stop);
      }
    }
    for (const [officerId, route] of byOfficer) {
      route.sort((a, b) => a.route_order - b.route_order);
      const own = this.officerDays?.get(officerId);
      const from = own && own.own ? own.start : start;
      if (from !== start) {
        L.circleMarker([from.lat, from.lon], { radius: 9, color: this.colour(officerId), fillColor: '#ffffff', fillOpacity: 1, weight: 3 }).bindTooltip(`${this.officerName(officerId)}：${own.start_label}（出发点）`).addTo(this.layer);
        points.push([from.lat, from.lon]);
      }
      L.polyline([[from.lat, from.lon], ...route.map((stop) => [stop.lat, stop.lon])], { color: this.colour(officerId), weight: 3, opacity: 0.8 }).addTo(this.layer);
    }
    if (points.length > 1) this.map.fitBounds(points, { padding: [30, 30] });
  }

  async assignSelected() {
    if (!this.selected.size) {
      toast('请先勾选要分派的送达任务', 'error');
      return;
    }
    try {
      await api('/api/field/assignments', { method: 'POST', body: { attempt_ids: [...this.selected], officer_id: Number(this.officerSelect.value), day: this.day } });
      toast(`已分派 ${this.selected.size} 个任务`, 'ok');
      this.selected.clear();
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async planDay() {
    try {
      const routes = await api('/api/field/plan-day', { method: 'POST', body: { day: this.day, officer_ids: this.officers.map((officer) => officer.id) } });
      const total = routes.reduce((sum, route) => sum + route.planned_km, 0);
      toast(`已为 ${routes.length} 名送达人员规划路线，共 ${total.toFixed(1)} 公里`, 'ok');
      await this.load();
    } catch (error) {
      toast(error.message, 'error');
    }
  }
}
