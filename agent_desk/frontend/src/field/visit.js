// The form at the door: photos and video (hashed the moment they are taken), the result, who received the
// documents and their signature on the screen, or for a refusal (留置送达) the witness's name and signature
// or a photo/video of the documents left. Each piece goes to the outbox at once; the result is queued only
// when the facts its proof needs are there, so a refusal is never recorded without its witness or photo.

import { h, replaceChildren, toast } from '../lib/dom.js';
import { SignatureCapture } from '../lib/signature.js';
import { sha256Hex } from './capture.js';
import { RESULT_LABELS, SERVING } from './labels.js';

const FILE_LABELS = { photo: '现场照片', video: '现场视频', refusal_photo: '留置送达照片', refusal_video: '留置送达视频' };
const SIGNATURE_LABELS = { signature: '签收人签名', witness_signature: '见证人签名' };

export class VisitForm {
  constructor(stop, { outbox, queued, onDone }) {
    this.stop = stop;
    this.outbox = outbox;
    this.queued = queued;
    this.onDone = onDone;
    this.captures = {};
    this.sent = new Set(); // purposes whose records reached the server while the form was open
    this.queueList = h('ul', { class: 'visit-queue', id: 'visit-queue' });
    this.element = this.build();
    this.showResult('');
  }

  has(key) {
    return this.stop.facts.includes(key) || this.sent.has(key) || this.queued().some((record) => record.purpose === key);
  }

  build() {
    const form = h('form', { class: 'visit-form', id: 'visit-form', onsubmit: (event) => this.submit(event) });
    const choices = Object.entries(RESULT_LABELS).map(([value, text]) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'result', value, required: true, onchange: () => this.showResult(value) }), text));
    replaceChildren(
      form,
      h('h3', {}, '现场证据'),
      h('div', { class: 'stop-actions' }, this.fileButton('photo', 'image/*', '拍摄现场照片'), this.fileButton('video', 'video/*', '拍摄现场视频')),
      this.queueList,
      h('h3', {}, '送达结果'),
      h('div', { class: 'result-choices' }, choices),
      h('section', { class: 'for-result', dataset: { for: 'served served_to_family' } },
        h('label', { class: 'field' }, '签收人姓名及与受送达人关系', h('input', { name: 'received_by', id: 'received-by', placeholder: '如：本人 张三；配偶 李四' })),
        this.signatureArea('signature', '签收人请在此签名（送达回证）')),
      h('fieldset', { class: 'for-result', dataset: { for: 'left_with_refusal' } }, h('legend', {}, '留置送达'),
        h('label', { class: 'field' }, '拒收情况', h('textarea', { name: 'refusal_note', rows: 2, placeholder: '如：当事人拒绝签收，文书留置于住所门口' })),
        h('label', { class: 'field' }, '见证人姓名（身份或单位）', h('input', { name: 'witness_name', id: 'witness-name', placeholder: '如：王五（物业管理员）' })),
        this.signatureArea('witness_signature', '见证人请在此签名'),
        h('p', { class: 'muted small' }, '无见证人时，拍摄留置文书的照片或视频：'),
        h('div', { class: 'stop-actions' }, this.fileButton('refusal_photo', 'image/*', '拍摄留置照片'), this.fileButton('refusal_video', 'video/*', '拍摄留置视频'))),
      h('label', { class: 'field' }, '备注', h('input', { name: 'notes', placeholder: '如：敲门十分钟无人应答；邻居称已搬走' })),
      h('button', { class: 'btn btn-primary btn-big', type: 'submit', id: 'submit-visit' }, '提交送达结果'),
    );
    return form;
  }

  showResult(result) {
    for (const section of this.element.querySelectorAll('.for-result')) {
      section.hidden = !section.dataset.for.split(' ').includes(result);
    }
  }

  fileButton(purpose, accept, text) {
    return h('label', { class: 'btn btn-big capture', dataset: { purpose } }, text, h('input', { type: 'file', accept, capture: 'environment', hidden: true, onchange: (event) => this.capture(purpose, event.target) }));
  }

  async capture(purpose, input) {
    const file = input.files && input.files[0];
    input.value = '';
    if (!file) return;
    try {
      const sha256 = await sha256Hex(file); // at capture: the server checks the bytes it gets against this
      const blob = new Blob([await file.arrayBuffer()], { type: file.type });
      await this.outbox.add({ kind: 'file', assignment_id: this.stop.assignment_id, purpose, label: FILE_LABELS[purpose], filename: file.name, blob, sha256, captured_at: new Date().toISOString() });
      toast(`${FILE_LABELS[purpose]}已保存（SHA-256 ${sha256.slice(0, 12)}…）`, 'ok');
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  signatureArea(purpose, label) {
    const area = h('div', { class: 'signature-area', id: `${purpose}-area` });
    const button = h('button', { type: 'button', class: 'btn btn-primary sign-confirm', id: `${purpose}-confirm`, disabled: true }, `确认${SIGNATURE_LABELS[purpose]}`);
    const capture = new SignatureCapture(area, { label, onChange: (empty) => { button.disabled = empty; } });
    this.captures[purpose] = capture;
    button.addEventListener('click', () => this.sign(purpose, capture, button));
    return h('div', {}, area, button);
  }

  async sign(purpose, capture, button) {
    const form = this.element;
    const signer = (purpose === 'signature' ? form.received_by.value : form.witness_name.value).trim();
    if (!signer) {
      toast(purpose === 'signature' ? '请先填写签收人姓名' : '请先填写见证人姓名', 'error');
      return;
    }
    const body = { purpose, signer: signer.slice(0, 50), signed_at: new Date().toISOString(), ...capture.value() };
    await this.outbox.add({ kind: 'signature', assignment_id: this.stop.assignment_id, purpose, label: SIGNATURE_LABELS[purpose], body });
    capture.setEnabled(false);
    button.disabled = true;
    button.textContent = `✓ 已签名（${signer}）`;
  }

  /** The facts the result needs that the phone does not have yet (the server checks them again). */
  missing(result, values) {
    const lacking = [];
    if (SERVING.has(result)) {
      if (!values.received_by) lacking.push('签收人姓名及关系');
      if (!this.has('signature')) lacking.push('签收人签名');
      if (!this.has('photo') && !this.has('video')) lacking.push('现场照片或视频');
    }
    if (result === 'left_with_refusal') {
      if (!values.refusal_note) lacking.push('拒收情况');
      const witnessed = values.witness_name && this.has('witness_signature');
      if (!witnessed && !this.has('refusal_photo') && !this.has('refusal_video')) lacking.push('见证人姓名及签名，或留置文书的照片/视频');
    }
    return lacking;
  }

  async submit(event) {
    event.preventDefault();
    const form = this.element;
    const text = (name) => (form[name] && form[name].value.trim()) || null;
    const result = form.result.value;
    const body = { result, received_by: text('received_by'), refusal_note: text('refusal_note'), witness_name: text('witness_name'), notes: text('notes') };
    const lacking = this.missing(result, body);
    if (lacking.length) {
      toast(`尚缺：${lacking.join('、')}`, 'error');
      return;
    }
    await this.outbox.add({ kind: 'outcome', assignment_id: this.stop.assignment_id, label: `送达结果：${RESULT_LABELS[result]}`, body });
    toast(navigator.onLine ? '送达结果已提交' : '送达结果已保存在本机，恢复网络后自动上传', 'ok');
    this.onDone();
  }

  showQueue(queued, progress) {
    const mine = queued.filter((record) => record.assignment_id === this.stop.assignment_id && record.kind === 'file');
    replaceChildren(this.queueList, mine.map((record) => h('li', { class: 'queued-file', dataset: { purpose: record.purpose } }, `${record.label} ${record.filename} · SHA-256 ${record.sha256.slice(0, 12)}… · `, h('span', { class: 'queued-state' }, progress.get(record.id) ? `上传中 ${progress.get(record.id)}` : '待上传'))));
    for (const button of this.element.querySelectorAll('label.capture')) {
      const purpose = button.dataset.purpose;
      button.classList.toggle('captured', this.has(purpose));
    }
  }

  noteSent(record) {
    if (record.purpose) this.sent.add(record.purpose);
  }

  destroy() {
    for (const capture of Object.values(this.captures)) capture.destroy();
  }
}
