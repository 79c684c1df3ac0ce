// One party at the window: identity checked, documents handed over, the 送达回证 and the 送达地址确认书
// signed on the screen (or the refusal recorded with a witness), then served through the pickup channel;
// the proof of service prints as a PDF once it is made.

import { api } from '../lib/api.js';
import { currentToken } from '../lib/session.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { SignatureCapture } from '../lib/signature.js';

const PROOF_POLL_MS = 1500;
const PROOF_POLL_TRIES = 40;

export class WindowService {
  constructor(box, { onChanged, onClose }) {
    this.box = box;
    this.onChanged = onChanged;
    this.onClose = onClose;
    this.captures = [];
    this.attempt = null;
    this.showRefusal = false;
  }

  show(attempt) {
    this.attempt = attempt;
    this.render();
    if (attempt.status === 'succeeded' && !attempt.proof_evidence_id) this.waitForProof();
  }

  facts() {
    return Object.fromEntries(this.attempt.facts.map((fact) => [fact.key, fact]));
  }

  render() {
    for (const capture of this.captures) capture.destroy();
    this.captures = [];
    const attempt = this.attempt;
    const facts = this.facts();
    const served = attempt.status === 'succeeded';
    if (attempt.status === 'failed' || attempt.status === 'cancelled') {
      replaceChildren(this.box, this.partyLine('返回'), this.endedBox());
      return;
    }
    replaceChildren(
      this.box,
      this.partyLine(served ? '办理下一位' : '返回'),
      served ? this.servedBox() : null,
      h('ol', { class: 'steps' },
        this.step('身份核验', facts.identity_check, () => null, [facts.appointment || facts.walk_in]),
        facts.proxy ? this.step('授权委托书扫描件', facts.authorisation_scan, () => this.authorisationForm()) : null,
        this.step('交付文书', facts.documents_handed, () => this.handOverForm(), [facts.handed_over_at]),
        this.step('签署送达回证', facts.signature, () => (facts.refusal_note ? null : this.receiptForm())),
        this.step('签署送达地址确认书', facts.address_confirmation, () => (facts.refusal_note ? null : this.confirmationForm())),
        facts.refusal_note ? this.step('拒绝签收（留置）', facts.refusal_note, () => null, [facts.witness]) : null,
      ),
      served ? null : this.finish(facts),
    );
  }

  partyLine(closeLabel) {
    const attempt = this.attempt;
    return h('div', { class: 'booking-line' },
      h('span', { class: 'booking-name', id: 'party-name' }, attempt.party_name),
      h('span', {}, attempt.party_id_masked),
      h('span', {}, attempt.case_number),
      h('button', { type: 'button', class: 'btn btn-small push-right', onclick: () => this.close() }, closeLabel),
    );
  }

  /** A booking that ended without a pickup (no-show, cancelled): what happened and what comes next. */
  endedBox() {
    const attempt = this.attempt;
    const what = attempt.status === 'cancelled' ? '预约已取消' : `未能领取：${attempt.outcome_label || '未按约来院'}`;
    return h('div', { class: 'refused-box', id: 'ended' },
      h('div', {}, what),
      h('div', { class: 'step-fact', id: 'next-step' }, attempt.next_step ? `已安排下一步：${attempt.next_step}` : '尚未安排下一种送达方式，请联系主管'),
    );
  }

  step(title, done, form, extra = []) {
    return h('li', { class: `step ${done ? 'step-done' : ''}` },
      h('h3', {}, title),
      done ? [done, ...extra].filter(Boolean).map((fact) => h('p', { class: 'step-fact' }, factText(fact))) : form(),
    );
  }

  handOverForm() {
    const boxes = this.attempt.documents.map((document) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'document', value: String(document.id), checked: true }), `${document.name}`, h('span', { class: 'muted' }, `（SHA-256 ${(document.sha256 || '').slice(0, 12)}…）`)),
    );
    const form = h('form', { id: 'hand-over-form', onsubmit: (event) => {
      event.preventDefault();
      const ids = [...form.querySelectorAll('input[name=document]:checked')].map((input) => Number(input.value));
      this.post('hand-over', { document_ids: ids }, '文书已交付');
    } }, boxes, h('button', { type: 'submit', class: 'btn btn-primary btn-big', id: 'hand-over' }, '确认已当面交付'));
    return form;
  }

  /** An agent or lawyer collects: the scan of their 授权委托书 (PDF or image), kept as evidence. */
  authorisationForm() {
    const input = h('input', { type: 'file', name: 'file', id: 'authorisation-file', accept: 'application/pdf,image/png,image/jpeg', required: true });
    const form = h('form', { id: 'authorisation-form', onsubmit: (event) => {
      event.preventDefault();
      if (!input.files.length) return;
      const body = new FormData();
      body.append('file', input.files[0], input.files[0].name);
      this.post('authorisation', body, '授权委托书扫描件已保存');
    } },
      h('p', { class: 'muted' }, '请扫描代理人出示的授权委托书（PDF、PNG 或 JPEG），作为证据保存并列入送达回证。'),
      h('label', { class: 'field' }, '授权委托书扫描件', input),
      h('button', { type: 'submit', class: 'btn btn-primary btn-big', id: 'upload-authorisation' }, '上传扫描件'),
    );
    return form;
  }

  receiptForm() {
    const area = h('div', { id: 'receipt-signature' });
    const button = h('button', { type: 'button', class: 'btn btn-primary btn-big', id: 'sign-receipt', disabled: true }, '确认签名（送达回证）');
    const capture = new SignatureCapture(area, { label: '受送达人请在此签名（送达回证）', onChange: (empty) => { button.disabled = empty; } });
    this.captures.push(capture);
    button.addEventListener('click', () => this.post('signatures/receipt', capture.value(), '送达回证已签名'));
    return [area, button];
  }

  confirmationForm() {
    const party = this.attempt;
    const form = h('form', { id: 'confirmation-form' },
      h('label', { class: 'field' }, '送达地址', h('input', { name: 'postal_address', autocomplete: 'off', maxlength: 300 })),
      h('label', { class: 'field' }, '手机号码', h('input', { name: 'mobile', autocomplete: 'off', inputmode: 'tel', maxlength: 32 })),
      h('label', { class: 'field' }, '电子邮箱', h('input', { name: 'email', autocomplete: 'off', inputmode: 'email', maxlength: 200 })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'consents_to_electronic' }), '同意以上手机号码或电子邮箱接收电子送达'),
    );
    const area = h('div', { id: 'confirmation-signature' });
    const button = h('button', { type: 'button', class: 'btn btn-primary btn-big', id: 'sign-confirmation', disabled: true }, '确认签名（送达地址确认书）');
    const capture = new SignatureCapture(area, { label: `${party.party_name} 请在此签名（送达地址确认书）`, onChange: (empty) => { button.disabled = empty; } });
    this.captures.push(capture);
    button.addEventListener('click', () => {
      const body = {
        ...capture.value(),
        postal_address: form.postal_address.value.trim() || null,
        mobile: form.mobile.value.trim() || null,
        email: form.email.value.trim() || null,
        consents_to_electronic: form.consents_to_electronic.checked,
      };
      this.post('signatures/address-confirmation', body, '送达地址确认书已签名');
    });
    return [form, area, button];
  }

  refusalForm() {
    const form = h('form', { id: 'refusal-form', onsubmit: (event) => {
      event.preventDefault();
      this.post('refusal', { note: form.note.value.trim(), witness: form.witness.value.trim() }, '拒签情况已登记');
    } },
      h('label', { class: 'field' }, '经办人员说明（拒签经过）', h('textarea', { name: 'note', rows: 2, maxlength: 500, required: true })),
      h('label', { class: 'field' }, '见证人（姓名、身份或单位）', h('input', { name: 'witness', maxlength: 200, required: true })),
      h('button', { type: 'submit', class: 'btn btn-warn btn-big', id: 'record-refusal' }, '登记拒签'),
    );
    return form;
  }

  finish(facts) {
    const attempt = this.attempt;
    const refusing = Boolean(facts.refusal_note);
    const missing = refusing ? attempt.missing_for_refusal : attempt.missing_to_serve;
    return h('div', { class: 'step' },
      missing.length ? h('p', { class: 'missing', id: 'missing' }, `尚缺：${missing.join('、')}`) : null,
      h('div', { class: 'button-row' },
        refusing
          ? h('button', { type: 'button', class: 'btn btn-warn btn-big', id: 'serve-refusal', disabled: missing.length > 0, onclick: () => this.serve('left_with_refusal') }, '完成留置送达')
          : h('button', { type: 'button', class: 'btn btn-ok btn-big', id: 'serve', disabled: missing.length > 0, onclick: () => this.serve('served') }, '完成送达'),
        refusing || this.showRefusal ? null : h('button', { type: 'button', class: 'btn btn-big', id: 'refuse', onclick: () => { this.showRefusal = true; this.render(); } }, '当事人拒绝签收'),
      ),
      this.showRefusal && !refusing ? this.refusalForm() : null,
    );
  }

  servedBox() {
    const label = this.attempt.outcome === 'left_with_refusal' ? '已留置送达' : '已送达';
    const proof = this.attempt.proof_evidence_id;
    const confirmation = this.facts().address_confirmation;
    return h('div', { class: 'served-box', id: 'served' },
      `${label}：${this.attempt.party_name}`,
      h('div', { class: 'button-row' },
        proof
          ? h('button', { type: 'button', class: 'btn btn-primary', id: 'print-proof', onclick: () => openEvidence(proof) }, '打印送达回证（PDF）')
          : h('span', { class: 'muted', id: 'proof-pending' }, '送达回证生成中…'),
        confirmation
          ? h('button', { type: 'button', class: 'btn', id: 'print-confirmation', onclick: () => printConfirmation(confirmation.evidence_id) }, '打印送达地址确认书（PDF）')
          : null,
      ),
    );
  }

  async post(path, body, done) {
    try {
      const attempt = await api(`/api/window/attempts/${this.attempt.attempt_id}/${path}`, { method: 'POST', body });
      toast(done, 'ok');
      this.show(attempt);
      this.onChanged();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async serve(outcome) {
    this.showRefusal = false;
    await this.post('serve', { outcome }, outcome === 'served' ? '送达完成' : '留置送达完成');
  }

  async waitForProof() {
    const attemptId = this.attempt.attempt_id;
    for (let i = 0; i < PROOF_POLL_TRIES; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, PROOF_POLL_MS));
      if (!this.attempt || this.attempt.attempt_id !== attemptId) return;
      const attempt = await api(`/api/window/attempts/${attemptId}`).catch(() => null);
      if (attempt && attempt.proof_evidence_id) {
        this.attempt = attempt;
        this.render();
        return;
      }
    }
  }

  close() {
    for (const capture of this.captures) capture.destroy();
    this.captures = [];
    this.attempt = null;
    this.showRefusal = false;
    this.onClose();
  }
}

const MOMENT = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short', hour12: false });

/** A fact as the clerk reads it: moments in court time. */
function factText(fact) {
  return fact.key.endsWith('_at') ? `${fact.label}：${MOMENT.format(new Date(fact.value))}` : fact.value;
}

/** The signed 送达地址确认书 as a PDF (made once on the server, kept as evidence), opened for printing. */
async function printConfirmation(recordId) {
  try {
    const pdf = await api('/api/proofs/address-confirmations', { method: 'POST', body: { evidence_id: recordId } });
    await openEvidence(pdf.evidence_id);
  } catch (error) {
    toast(error.message, 'error');
  }
}

/** Open an evidence file (the proof PDF) in a new tab: fetched with the session's token. */
async function openEvidence(evidenceId) {
  const response = await fetch(`/api/evidence/${evidenceId}/content`, { headers: { Authorization: `Bearer ${currentToken()}` } });
  if (!response.ok) {
    toast('无法打开送达回证', 'error');
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  window.open(url, '_blank', 'noopener');
}
