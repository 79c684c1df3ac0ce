// The court window screen (法院窗口): today's appointments by slot; check-in by ID number, appointment code
// or a tapped booking; walk-ins found by name, ID or case number; then the hand-over, signatures and serving.

import '../window/window.css';

import { api } from '../lib/api.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { renderBookings } from '../window/bookings.js';
import { renderCheckIn, renderWalkIn } from '../window/checkin.js';
import { WindowService } from '../window/service.js';
import { renderSettings } from '../window/settings.js';

const REFRESH_MS = 30000;
const ISO_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }); // YYYY-MM-DD

/** Today at the court (Beijing). */
function courtDay() {
  return ISO_DAY.format(new Date());
}

const DAY = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' });

class CourtWindow {
  constructor(user) {
    this.user = user;
    this.bookings = [];
    this.windows = [];
    this.selected = null;
    this.mode = 'check-in';
    this.service = new WindowService(byId('work'), { onChanged: () => this.refresh(), onClose: () => this.home() });
  }

  async start() {
    showUser(this.user);
    showNav(this.user, location.pathname);
    const picker = h('input', { type: 'date', id: 'window-date', 'aria-label': '查看其他日期的预约', value: courtDay(), onchange: (event) => { this.day = event.target.value || null; this.selected = null; this.refresh(); } });
    replaceChildren(byId('today'), DAY.format(new Date()), ' ', picker);
    this.windows = await api('/api/window/windows');
    await this.refresh();
    this.home();
    setInterval(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    try {
      const asked = this.day && this.day !== courtDay() ? `?date=${this.day}` : '';
      this.bookings = await api(`/api/window/bookings${asked}`);
    } catch (error) {
      toast(`预约加载失败：${error.message}`, 'error');
    }
    const today = !this.day || this.day === courtDay();
    renderBookings(byId('day'), this.bookings, { selectedId: this.selected?.id, onPick: (booking) => this.pick(booking), day: today ? null : this.day });
  }

  /** The right side without a party: the check-in or walk-in form. */
  home() {
    const work = byId('work');
    const tabs = h('div', { class: 'window-tabs', role: 'tablist' },
      h('button', { type: 'button', class: 'btn btn-big', id: 'tab-check-in', 'aria-pressed': String(this.mode === 'check-in'), onclick: () => this.switchTo('check-in') }, '预约签到'),
      h('button', { type: 'button', class: 'btn btn-big', id: 'tab-walk-in', 'aria-pressed': String(this.mode === 'walk-in'), onclick: () => this.switchTo('walk-in') }, '现场来院'),
      this.user.role === 'clerk' ? null : h('button', { type: 'button', class: 'btn btn-big', id: 'tab-settings', 'aria-pressed': String(this.mode === 'settings'), onclick: () => this.switchTo('settings') }, '窗口设置'),
    );
    const body = h('div', {});
    replaceChildren(work, tabs, body);
    const onAttempt = (attempt) => this.open(attempt);
    if (this.mode === 'walk-in') renderWalkIn(body, this.windows, { onAttempt });
    else if (this.mode === 'settings') renderSettings(body);
    else renderCheckIn(body, this.selected, { onAttempt });
  }

  switchTo(mode) {
    this.mode = mode;
    this.selected = null;
    this.home();
    this.refresh();
  }

  async pick(booking) {
    this.selected = booking;
    this.mode = 'check-in';
    if (booking.status !== 'booked' && booking.attempt_id) {
      try {
        this.open(await api(`/api/window/attempts/${booking.attempt_id}`));
      } catch (error) {
        toast(error.message, 'error');
      }
    } else {
      this.home();
    }
    this.refresh();
  }

  open(attempt) {
    this.service.show(attempt);
    this.refresh();
  }
}

const user = requireLogin(['clerk', 'supervisor', 'admin']);
if (user) {
  new CourtWindow(user).start().catch((error) => toast(`窗口页面加载失败：${error.message}`, 'error'));
}
