// The disposition panel: what came of this task. Keys 1-9 pick a result, Enter (Ctrl+Enter in a field) saves.

import { api } from '../lib/api.js';
import { beijingDate, formatTime } from '../lib/clock.js';
import { h, replaceChildren, toast } from '../lib/dom.js';

export const DISPOSITIONS = [
  { kind: 'pickup', key: '1', text: '来院领取' },
  { kind: 'electronic', key: '2', text: '电子送达' },
  { kind: 'postal', key: '3', text: '邮寄 EMS' },
  { kind: 'field', key: '4', text: '外出送达' },
  { kind: 'no_answer', key: '5', text: '未接' },
  { kind: 'busy', key: '6', text: '忙线' },
  { kind: 'refused', key: '7', text: '拒绝' },
  { kind: 'wrong_number', key: '8', text: '号码错误' },
  { kind: 'callback', key: '9', text: '预约回拨' },
];

const FAILURES = new Set(['no_answer', 'busy', 'refused', 'wrong_number']);

export class DispositionPanel {
  constructor(container, { onSaved }) {
    this.container = container;
    this.onSaved = onSaved;
    this.card = null;
    this.kind = null;
    this.renderedKind = undefined;
    this.renderedCard = undefined;
    this.lastCalledPointId = null;
    this.slots = [];
    this.saving = false;
    this.fieldsBox = h('div', { class: 'disposition-fields' });
  }

  setTask(card) {
    const changed = !this.card || !card || this.card.delivery?.id !== card.delivery?.id;
    this.card = card;
    if (changed) {
      this.kind = null;
      this.lastCalledPointId = null;
    }
    this.render();
  }

  setLastCalled(contactPointId) {
    this.lastCalledPointId = contactPointId;
  }

  /** Choose a result by its shortcut key; true if the key was one. */
  chooseByKey(key) {
    const option = DISPOSITIONS.find((item) => item.key === key);
    if (!option || !this.card) return false;
    this.choose(option.kind);
    return true;
  }

  choose(kind) {
    this.kind = kind;
    this.render();
    const firstField = this.fieldsBox.querySelector('input:not([type=radio]), textarea, select');
    if (firstField) firstField.focus();
  }

  render() {
    if (!this.card) {
      replaceChildren(this.container, h('h2', {}, '处理结果'), h('p', { class: 'muted' }, '领取任务后在此登记处理结果。'));
      return;
    }
    const buttons = DISPOSITIONS.map((item) =>
      h(
        'button',
        {
          type: 'button',
          class: `btn kind ${this.kind === item.kind ? 'selected' : ''}`,
          'data-kind': item.kind,
          'aria-pressed': String(this.kind === item.kind),
          onclick: () => this.choose(item.kind),
        },
        h('kbd', {}, item.key),
        ` ${item.text}`,
      ),
    );
    if (this.renderedKind !== this.kind || this.renderedCard !== this.card?.delivery?.id) this.renderFields();
    replaceChildren(
      this.container,
      h('h2', {}, '处理结果'),
      h('div', { class: 'kinds', role: 'group', 'aria-label': '处理结果' }, buttons),
      this.fieldsBox,
      h(
        'button',
        { class: 'btn btn-primary btn-wide', id: 'disposition-submit', disabled: !this.kind || this.saving, onclick: () => this.submit() },
        this.saving ? '正在保存…' : '保存处理结果（Enter）',
      ),
    );
  }

  renderFields() {
    const renderers = {
      pickup: () => this.pickupFields(),
      electronic: () => this.electronicFields(),
      postal: () => this.postalFields(),
      field: () => [h('label', { class: 'field' }, '外出送达说明', h('textarea', { name: 'notes', rows: 3, placeholder: '如：白天不在家，建议晚间上门；地址附近标志…' }))],
      wrong_number: () => this.wrongNumberFields(),
      callback: () => [h('label', { class: 'field' }, '回拨时间', h('input', { type: 'datetime-local', name: 'callback_at', value: defaultCallbackTime() }))],
    };
    const render = renderers[this.kind];
    this.renderedKind = this.kind;
    this.renderedCard = this.card?.delivery?.id;
    if (!this.kind) {
      replaceChildren(this.fieldsBox, h('p', { class: 'muted' }, '请选择处理结果（数字键 1–9）。'));
      return;
    }
    replaceChildren(
      this.fieldsBox,
      render ? render() : null,
      FAILURES.has(this.kind) ? this.followUpFields() : null,
      this.kind !== 'field' ? h('label', { class: 'field' }, '备注（可选）', h('textarea', { name: 'notes', rows: 2 })) : null,
    );
  }

  /** After a failed call the system schedules a retry by its rules; the agent may choose otherwise. */
  followUpFields() {
    const when = h('input', { type: 'datetime-local', name: 'retry_at', value: defaultCallbackTime(), hidden: true });
    const choice = h(
      'select',
      { name: 'follow_up', onchange: (event) => { when.hidden = event.target.value !== 'retry_at'; } },
      h('option', { value: '' }, '按规则自动安排重拨'),
      h('option', { value: 'retry_at' }, '指定重拨时间'),
      h('option', { value: 'postal' }, '改用 EMS 邮寄送达'),
      h('option', { value: 'field' }, '改用外出送达'),
    );
    return h('label', { class: 'field' }, '后续安排', choice, when);
  }

  pickupFields() {
    const dateInput = h('input', { type: 'date', name: 'pickup_date', value: beijingDate(1), onchange: (event) => this.loadSlots(event.target.value) });
    const list = h('div', { class: 'slots', id: 'pickup-slots' }, h('p', { class: 'muted' }, '正在加载可预约时段…'));
    this.slotList = list;
    this.loadSlots(dateInput.value);
    return [h('label', { class: 'field' }, '领取日期', dateInput), list];
  }

  async loadSlots(date) {
    try {
      this.slots = (await api(`/api/desk/pickup-slots?date=${encodeURIComponent(date)}`)) || [];
    } catch (error) {
      replaceChildren(this.slotList, h('p', { class: 'error-text' }, `时段加载失败：${error.message}`));
      return;
    }
    if (!this.slots.length) {
      replaceChildren(this.slotList, h('p', { class: 'muted' }, '当天没有可预约时段，请换一天。'));
      return;
    }
    replaceChildren(
      this.slotList,
      this.slots.map((slot) => {
        const full = slot.booked >= slot.capacity;
        return h(
          'label',
          { class: `slot ${full ? 'slot-full' : ''}` },
          h('input', { type: 'radio', name: 'slot_id', value: String(slot.id), disabled: full }),
          h('strong', {}, ` ${formatTime(slot.starts_at)}–${formatTime(slot.ends_at)}`),
          h('span', { class: full ? 'slot-left full' : 'slot-left' }, full ? '已约满' : `余 ${slot.capacity - slot.booked} 个`),
          h('span', { class: 'slot-window muted' }, `${slot.window || ''}${slot.location ? ` · ${slot.location}` : ''}`),
        );
      }),
    );
  }

  electronicFields() {
    const mobile = this.contactValues('phone').find((value) => /^1\d{10}$/.test(value.replace(/\D/g, ''))) || '';
    const email = this.contactValues('email')[0] || '';
    return [
      h('label', { class: 'field' }, '手机号', h('input', { type: 'tel', name: 'mobile', value: mobile, inputmode: 'numeric' })),
      h('label', { class: 'field' }, '电子邮箱', h('input', { type: 'email', name: 'email', value: email })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'consent' }), ' 受送达人在通话中明确同意电子送达（已录音）'),
    ];
  }

  postalFields() {
    const addresses = this.contactValues('address');
    return [
      addresses.length > 1
        ? h('label', { class: 'field' }, '已登记地址', h('select', { onchange: (event) => { this.fieldsBox.querySelector('[name=address]').value = event.target.value; } }, addresses.map((value) => h('option', { value }, value))))
        : null,
      h('label', { class: 'field' }, '邮寄地址（EMS 司法专邮）', h('textarea', { name: 'address', rows: 2 }, addresses[0] || '')),
    ];
  }

  wrongNumberFields() {
    const phones = (this.card.contact_points || []).filter((point) => point.kind === 'phone');
    return [
      h(
        'label',
        { class: 'field' },
        '错误的号码',
        h('select', { name: 'contact_point_id' }, phones.map((point) => h('option', { value: String(point.id), selected: point.id === this.lastCalledPointId }, point.value))),
      ),
    ];
  }

  contactValues(kind) {
    return (this.card.contact_points || []).filter((point) => point.kind === kind && point.state !== 'invalid').map((point) => point.value);
  }

  /** The request body for the chosen result, or a Chinese message saying what is missing. */
  body() {
    const value = (name) => this.fieldsBox.querySelector(`[name=${name}]`)?.value?.trim() || '';
    const result = this.kindFields(value);
    if (typeof result === 'string') return result;
    const notes = value('notes');
    if (notes && !result.notes) result.notes = notes;
    const followUp = value('follow_up');
    if (followUp === 'retry_at') {
      if (!value('retry_at')) return '请选择重拨时间';
      result.callback_at = new Date(value('retry_at')).toISOString();
    } else if (followUp) {
      result.next_method = followUp;
    }
    return result;
  }

  kindFields(value) {
    const kind = this.kind;
    if (kind === 'pickup') {
      const slot = this.fieldsBox.querySelector('[name=slot_id]:checked');
      return slot ? { kind, slot_id: Number(slot.value) } : '请选择领取时段';
    }
    if (kind === 'electronic') {
      const consent = this.fieldsBox.querySelector('[name=consent]').checked;
      if (!consent) return '电子送达须经受送达人同意';
      if (!value('mobile') && !value('email')) return '请填写手机号或电子邮箱';
      const mobile = value('mobile').replace(/\D/g, '');
      if (mobile && !/^1\d{10}$/.test(mobile)) return '手机号应为 11 位数字';
      return { kind, consent, ...(mobile ? { mobile } : {}), ...(value('email') ? { email: value('email') } : {}) };
    }
    if (kind === 'postal') return value('address') ? { kind, address: value('address') } : '请填写邮寄地址';
    if (kind === 'field') return value('notes') ? { kind, notes: value('notes') } : '请填写外出送达说明';
    if (kind === 'wrong_number') return value('contact_point_id') ? { kind, contact_point_id: Number(value('contact_point_id')) } : '没有可标记的电话号码';
    if (kind === 'callback') {
      const at = value('callback_at');
      return at ? { kind, callback_at: new Date(at).toISOString() } : '请选择回拨时间';
    }
    return { kind };
  }

  async submit() {
    if (!this.card || !this.kind || this.saving) return;
    const body = this.body();
    if (typeof body === 'string') {
      toast(body, 'error');
      return;
    }
    this.saving = true;
    this.render();
    try {
      const result = await api(`/api/desk/tasks/${this.card.delivery.id}/disposition`, { method: 'POST', body });
      const text = DISPOSITIONS.find((item) => item.kind === body.kind)?.text || body.kind;
      toast(`已保存处理结果：${text}`, 'ok');
      this.onSaved(result, body);
    } catch (error) {
      toast(`保存失败：${error.message}`, 'error');
    } finally {
      this.saving = false;
      this.render();
    }
  }
}

function defaultCallbackTime() {
  const inAnHour = new Date(Date.now() + 3600 * 1000);
  inAnHour.setMinutes(0, 0, 0);
  const local = new Date(inAnHour.getTime() - inAnHour.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}
