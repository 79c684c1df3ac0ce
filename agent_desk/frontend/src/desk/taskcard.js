// The task card: case, party, documents, contact points (history, earlier attempts) and the script.

import { formatDateTime } from '../lib/clock.js';
import { h, replaceChildren } from '../lib/dom.js';
import { unverifiedList } from '../lib/unverified.js';
import {
  ATTEMPT_STATUS_LABELS,
  CONTACT_EVENT_LABELS,
  CONTACT_SOURCE_LABELS,
  CONTACT_KIND_LABELS,
  CONTACT_STATE_LABELS,
  DOCUMENT_KIND_LABELS,
  LITIGATION_ROLE_LABELS,
  METHOD_LABELS,
  OUTCOME_LABELS,
  label,
} from '../lib/labels.js';

const CASE_TYPE_LABELS = { civil: '民事', commercial: '商事', administrative: '行政', enforcement: '执行', mediation: '多元调解+速裁' };
const PARTY_TYPE_LABELS = { natural_person: '自然人', legal_person: '法人', unincorporated: '非法人组织' };

export class TaskCard {
  /** onCall(contactPoint) is called when the agent clicks 拨打 on a phone number. */
  constructor(container, { onCall, onRelease }) {
    this.container = container;
    this.onCall = onCall;
    this.onRelease = onRelease;
    this.card = null;
    this.callBusy = false;
  }

  show(card) {
    this.card = card;
    this.render();
  }

  /** While a call is live, the 拨打 buttons are disabled (one call at a time). */
  setCallBusy(busy) {
    if (this.callBusy === busy) return;
    this.callBusy = busy;
    this.render();
  }

  render() {
    const card = this.card;
    if (!card) {
      replaceChildren(
        this.container,
        h('div', { class: 'empty', id: 'task-empty' }, h('p', {}, '当前没有任务。'), h('p', { class: 'muted' }, '点击“下一个任务”（快捷键 N）领取待送达任务。')),
      );
      return;
    }
    replaceChildren(
      this.container,
      this.header(card),
      h('div', { class: 'card-grid' }, this.partySection(card), this.documentsSection(card)),
      this.contactsSection(card),
      this.attemptsSection(card),
      this.callbacksSection(card),
      this.scriptSection(card),
    );
  }

  header(card) {
    const theCase = card.case || {};
    const delivery = card.delivery || {};
    const lock = card.lock || {};
    const lockUntil = lock.expires_at || lock.locked_until || lock.until;
    return h(
      'header',
      { class: 'task-header', id: 'task-card', dataset: { deliveryId: String(delivery.id ?? '') } },
      h('div', {}, h('h2', { id: 'task-case-number' }, theCase.case_number || '（无案号）'), h('div', { class: 'muted' }, [theCase.court_name, theCase.cause, theCase.case_type_label || label(CASE_TYPE_LABELS, theCase.case_type)].filter(Boolean).join(' · '))),
      h(
        'dl',
        { class: 'facts' },
        fact('送达期限', delivery.deadline || theCase.service_deadline || '未设定'),
        fact('开庭时间', theCase.hearing_at ? formatDateTime(theCase.hearing_at) : '未排期'),
        fact('承办法官', theCase.judge_name || ''),
        fact('书记员', theCase.clerk_name || ''),
        lockUntil ? fact('任务锁定至', formatDateTime(lockUntil)) : null,
      ),
      h('button', { class: 'btn btn-small', id: 'task-release', onclick: () => this.onRelease(card) }, '退回任务'),
    );
  }

  partySection(card) {
    const party = card.party || {};
    return h(
      'section',
      { class: 'panel' },
      h('h3', {}, '受送达人'),
      h('p', { class: 'party-name', id: 'task-party-name' }, party.name || ''),
      h('p', { class: 'muted' }, [party.litigation_role_label || label(LITIGATION_ROLE_LABELS, party.litigation_role), party.party_type_label || label(PARTY_TYPE_LABELS, party.party_type)].filter(Boolean).join(' · ')),
      party.id_number_masked || party.id_number ? h('p', { class: 'muted' }, `证件号：${party.id_number_masked || party.id_number}`) : null,
      unverifiedList({ ...(card.case || {}).unverified_fields, ...party.unverified_fields }, { id: 'task-unverified' }),
    );
  }

  documentsSection(card) {
    const documents = card.documents || [];
    return h(
      'section',
      { class: 'panel' },
      h('h3', {}, `待送达文书（${documents.length}）`),
      documents.length
        ? h('ul', { class: 'documents' }, documents.map((doc) => h('li', {}, doc.name || '', documentTag(doc))))
        : h('p', { class: 'muted' }, '无'),
    );
  }

  contactsSection(card) {
    const points = card.contact_points || [];
    return h(
      'section',
      { class: 'panel' },
      h('h3', {}, '联系方式'),
      points.length ? h('div', { class: 'contacts' }, points.map((point) => this.contactRow(point))) : h('p', { class: 'muted' }, '没有登记的联系方式'),
    );
  }

  contactRow(point) {
    const isPhone = point.kind === 'phone';
    const invalid = point.state === 'invalid';
    const history = point.history || [];
    const attempts = point.attempts || point.previous_attempts || [];
    return h(
      'div',
      { class: `contact ${invalid ? 'contact-invalid' : ''}`, dataset: { contactPointId: String(point.id) } },
      h(
        'div',
        { class: 'contact-main' },
        h('span', { class: 'tag' }, label(CONTACT_KIND_LABELS, point.kind)),
        h('span', { class: 'contact-value' }, point.value),
        h('span', { class: `state state-${point.state}` }, label(CONTACT_STATE_LABELS, point.state)),
        point.source ? h('span', { class: 'muted' }, `来源：${label(CONTACT_SOURCE_LABELS, point.source)}`) : null,
        isPhone
          ? h(
              'button',
              {
                class: 'btn btn-call',
                'data-action': 'call',
                disabled: this.callBusy,
                title: invalid ? '该号码已标记无效，仍可拨打核实' : '系统先呼叫您的话机，接通后再呼叫对方',
                onclick: () => this.onCall(point),
              },
              '拨打',
            )
          : null,
      ),
      attempts.length ? h('ul', { class: 'contact-attempts' }, attempts.map((attempt) => h('li', {}, attemptText(attempt)))) : null,
      history.length
        ? h(
            'details',
            { class: 'contact-history' },
            h('summary', {}, `变更记录（${history.length}）`),
            h('ul', {}, history.map((event) => h('li', {}, `${formatDateTime(event.at)} ${label(CONTACT_EVENT_LABELS, event.kind)} ${event.source ? `（${label(CONTACT_SOURCE_LABELS, event.source)}）` : ''} ${event.note || ''}`))),
          )
        : null,
    );
  }

  attemptsSection(card) {
    const attempts = card.attempts || (card.delivery && card.delivery.attempts) || [];
    return h(
      'section',
      { class: 'panel' },
      h('h3', {}, `以往送达尝试（${attempts.length}）`),
      attempts.length
        ? h('ul', { class: 'attempts', id: 'task-attempts' }, attempts.map((attempt) => h('li', {}, attemptText(attempt))))
        : h('p', { class: 'muted' }, '首次送达'),
    );
  }

  callbacksSection(card) {
    const callbacks = card.callbacks || [];
    if (!callbacks.length) return null;
    const kinds = { requested: '当事人约定回拨', retry: '系统安排重拨', bounced: '邮件退回待处理' };
    return h(
      'section',
      { class: 'panel' },
      h('h3', {}, '待回拨'),
      h('ul', { class: 'attempts' }, callbacks.map((item) => h('li', {}, `${formatDateTime(item.due_at)} · ${item.kind_label || kinds[item.kind] || item.kind}${item.note ? ` · ${item.note}` : ''}`))),
    );
  }

  scriptSection(card) {
    const script = typeof card.script === 'string' ? card.script : (card.script && (card.script.text || card.script.body)) || '';
    return h('section', { class: 'panel script' }, h('h3', {}, '通话话术（请按此宣读）'), h('div', { class: 'script-text', id: 'task-script' }, script || '（无话术）'));
  }
}

/** The kind as a tag, unless the document's name already says it. */
function documentTag(doc) {
  const kind = label(DOCUMENT_KIND_LABELS, doc.kind);
  return kind && !(doc.name || '').includes(kind) ? h('span', { class: 'tag' }, kind) : null;
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value || '—')];
}

function attemptText(attempt) {
  const when = attempt.ended_at || attempt.started_at || attempt.planned_at || attempt.created_at;
  const parts = [
    formatDateTime(when),
    label(METHOD_LABELS, attempt.method),
    label(ATTEMPT_STATUS_LABELS, attempt.status),
    attempt.outcome ? `结果：${label(OUTCOME_LABELS, attempt.outcome)}` : '',
    attempt.notes || '',
  ];
  return parts.filter(Boolean).join(' · ');
}
