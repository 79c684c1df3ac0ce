// The softphone's panel: registration, the current call (answer, hang up, mute, hold) and audio settings.

import { everySecond, formatDuration } from '../lib/clock.js';
import { h, replaceChildren } from '../lib/dom.js';
import { canChooseOutput, listAudioDevices, microphoneConstraints } from './settings.js';

const REGISTRATION_LABELS = {
  idle: '未启动',
  connecting: '正在连接',
  registered: '已注册',
  unregistered: '未注册',
  failed: '注册失败',
};

const CALL_LABELS = {
  ringing: '来电振铃',
  answering: '正在接听',
  active: '通话中',
  held: '保持中',
  ended: '已结束',
};

export class PhonePanel {
  constructor(container, softphone) {
    this.container = container;
    this.phone = softphone;
    this.devices = { inputs: [], outputs: [] };
    this.statusBox = h('div', { class: 'phone-status' });
    this.callBox = h('div', { class: 'phone-call' });
    this.settingsBox = h('details', { class: 'phone-settings' });
    replaceChildren(container, h('h2', {}, '网页话机'), this.statusBox, this.callBox, this.settingsBox);
    softphone.addEventListener('change', () => this.render());
    everySecond(() => this.tick());
    this.renderSettings();
    this.render();
    this.refreshDevices(false);
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.refreshDevices(false));
  }

  render() {
    const phone = this.phone;
    const state = phone.registration;
    const sipUser = phone.sip ? phone.sip.username : '';
    replaceChildren(
      this.statusBox,
      h('span', { class: `dot dot-${state}`, 'aria-hidden': 'true' }),
      h('span', { id: 'phone-registration', 'data-state': state }, REGISTRATION_LABELS[state] || state),
      h('span', { class: 'muted' }, sipUser ? ` · ${sipUser}` : ''),
      phone.registrationError ? h('div', { class: 'error-text' }, `原因：${phone.registrationError}`) : null,
    );
    this.renderCall();
  }

  renderCall() {
    const call = this.phone.call;
    if (!call || call.state === 'ended') {
      replaceChildren(this.callBox, h('p', { class: 'muted' }, call ? `上一通：${endedText(call)}` : '无通话'));
      return;
    }
    const seconds = call.startedAt ? Math.floor((Date.now() - call.startedAt) / 1000) : null;
    const ringing = call.direction === 'incoming' && call.state === 'ringing';
    replaceChildren(
      this.callBox,
      h(
        'div',
        { class: `phone-call-line ${ringing ? 'ringing' : ''}`, id: 'phone-call-state', 'data-state': call.state },
        `${CALL_LABELS[call.state] || call.state} ${callerText(call)}`,
        seconds !== null ? h('span', { class: 'timer', id: 'phone-timer' }, ` 话机计时 ${formatDuration(seconds)}`) : null,
      ),
      h(
        'div',
        { class: 'button-row' },
        ringing ? h('button', { class: 'btn btn-ok', id: 'phone-answer', onclick: () => this.phone.answer() }, '接听') : null,
        h('button', { class: 'btn btn-danger', id: 'phone-hangup', onclick: () => this.phone.hangup() }, ringing ? '拒接' : '挂断'),
        call.state === 'active' || call.state === 'held'
          ? [
              h('button', { class: 'btn', id: 'phone-mute', 'aria-pressed': String(call.muted), onclick: () => this.phone.toggleMute() }, call.muted ? '取消静音' : '静音'),
              h('button', { class: 'btn', id: 'phone-hold', 'aria-pressed': String(call.held), onclick: () => this.phone.toggleHold() }, call.held ? '恢复通话' : '保持'),
            ]
          : null,
      ),
    );
  }

  /** Every second: only the timer text (local timestamps of this browser's own call). */
  tick() {
    const timer = this.callBox.querySelector('#phone-timer');
    const call = this.phone.call;
    if (timer && call && call.startedAt) timer.textContent = ` 话机计时 ${formatDuration(Math.floor((Date.now() - call.startedAt) / 1000))}`;
  }

  renderSettings() {
    const settings = this.phone.settings;
    const toggle = (key, text) =>
      h(
        'label',
        { class: 'check' },
        h('input', {
          type: 'checkbox',
          id: `phone-setting-${key}`,
          checked: Boolean(settings[key]),
          onchange: (event) => this.save({ [key]: event.target.checked }),
        }),
        ` ${text}`,
      );
    const inputSelect = this.deviceSelect('phone-input', this.devices.inputs, settings.inputDeviceId, '系统默认麦克风', (id) =>
      this.save({ inputDeviceId: id }),
    );
    const outputSelect = canChooseOutput()
      ? this.deviceSelect('phone-output', this.devices.outputs, settings.outputDeviceId, '系统默认扬声器', (id) =>
          this.save({ outputDeviceId: id }),
        )
      : h('span', { class: 'muted' }, '本浏览器不支持选择扬声器');
    replaceChildren(
      this.settingsBox,
      h('summary', {}, '话机设置（音频设备、声音处理、自动接听）'),
      h('label', { class: 'field' }, '麦克风', inputSelect),
      h('label', { class: 'field' }, '扬声器/耳机', outputSelect),
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => this.refreshDevices(true) }, '刷新设备列表'),
      h(
        'fieldset',
        {},
        h('legend', {}, '声音处理（下次通话生效）'),
        toggle('echoCancellation', '回声消除'),
        toggle('autoGainControl', '自动增益'),
        toggle('noiseSuppression', '降噪'),
      ),
      toggle('autoAnswer', '自动接听本工作台发起的外呼（系统先呼坐席）'),
    );
  }

  deviceSelect(id, devices, selected, defaultText, onChange) {
    return h(
      'select',
      { id, onchange: (event) => onChange(event.target.value) },
      h('option', { value: '' }, defaultText),
      devices.map((device, index) =>
        h('option', { value: device.deviceId, selected: device.deviceId === selected }, device.label || `设备 ${index + 1}`),
      ),
    );
  }

  async refreshDevices(askPermission) {
    try {
      if (askPermission) {
        const stream = await navigator.mediaDevices.getUserMedia(microphoneConstraints(this.phone.settings));
        stream.getTracks().forEach((track) => track.stop());
      }
      this.devices = await listAudioDevices();
    } catch (error) {
      console.warn('audio devices', error);
    }
    this.renderSettings();
  }

  save(fields) {
    this.phone.applySettings({ ...this.phone.settings, ...fields });
  }
}

// JsSIP's end causes (JsSIP.C.causes) in Chinese.
const END_CAUSES = {
  Terminated: '已挂断',
  BYE: '对方已挂断',
  Canceled: '已取消',
  Busy: '忙线',
  Rejected: '已拒接',
  Redirected: '已转接',
  Unavailable: '对方不可用',
  'Not Found': '号码不存在',
  'Address Incomplete': '号码不完整',
  'Incompatible SDP': '媒体协商失败',
  'Missing SDP': '媒体协商失败',
  'Authentication Error': '认证失败',
  'No Answer': '无应答',
  'Expires': '已超时',
  'No ACK': '未收到确认',
  'Dialog Error': '会话错误',
  'User Denied Media Access': '麦克风权限被拒绝',
  'Bad Media Description': '媒体描述错误',
  'RTP Timeout': '语音超时',
  'Connection Error': '连接错误',
  'Request Timeout': '请求超时',
  'SIP Failure Code': '呼叫失败',
  'Internal Error': '内部错误',
  'WebRTC Error': '浏览器语音错误',
};

/** A named caller (e.g. 监听) by name, a party by number. */
function callerText(call) {
  return call.displayName && !/^\d*$/.test(call.displayName) ? call.displayName : call.number || '';
}

function endedText(call) {
  const cause = call.cause ? `（${END_CAUSES[call.cause] || call.cause}）` : '';
  return `${callerText(call)} ${cause}`.trim() || '已结束';
}
