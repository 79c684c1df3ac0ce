// The case file (卷宗) at /cases/{id}: the case, its parties with every contact point and its history, the
// documents shown in the page (PDF.js), deliveries and their attempts as one timeline with each method's
// facts, the calls with recordings and transcripts, the proofs to download with their verification state,
// and "verify the evidence chain now". Each read is audited by the API.

import '../console/console.css';

import { api, apiBlob, saveBlob } from '../lib/api.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { formatDateTime } from '../lib/clock.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import {
  ATTEMPT_STATUS_LABELS,
  CONTACT_EVENT_LABELS,
  CONTACT_KIND_LABELS,
  CONTACT_SOURCE_LABELS,
  CONTACT_STATE_LABELS,
  DOCUMENT_KIND_LABELS,
  LITIGATION_ROLE_LABELS,
  METHOD_LABELS,
  OUTCOME_LABELS,
  label,
} from '../lib/labels.js';
import { renderPdf } from '../lib/pdfview.js';
import { unverifiedList } from '../lib/unverified.js';
import { renderCalls } from '../console/calls.js';
import { CASE_TYPE_LABELS, DELIVERY_STATUS_LABELS, EVIDENCE_KIND_LABELS, PARTY_TYPE_LABELS, day } from '../console/labels.js';

const caseId = Number(location.pathname.split('/')[2]);
let pdfView = null;
let verification = null; // the last chain verification, for the proofs' state

function field(name, value) {
  return h('div', { class: 'fact' }, h('dt', {}, name), h('dd', {}, value || '—'));
}

function renderHeader(file) {
  const item = file.case;
  replaceChildren(byId('case-head'),
    h('div', { class: 'case-title' },
      h('h1', {}, item.case_number),
      h('span', { class: 'tag' }, label(CASE_TYPE_LABELS, item.case_type)),
      h('a', { href: '/cases', class: 'muted back-link' }, '← 返回案件列表')),
    h('dl', { class: 'facts' },
      field('案由', item.cause),
      field('法院', file.court_name),
      field('承办法官', item.judge_name),
      field('书记员', item.clerk_name),
      field('立案日期', day(item.filed_on)),
      field('送达期限', day(item.service_deadline)),
      field('开庭时间', item.hearing_at ? formatDateTime(item.hearing_at) : '')),
    unverifiedList(item.unverified_fields, { id: 'case-unverified' }));
}

function renderParties(parties) {
  const cards = parties.map((party) => h('article', { class: 'party-card', dataset: { party: String(party.id) } },
    h('header', {}, h('strong', {}, party.name), h('span', { class: 'tag' }, label(LITIGATION_ROLE_LABELS, party.litigation_role)),
      h('span', { class: 'muted' }, label(PARTY_TYPE_LABELS, party.party_type)), party.id_number ? h('span', { class: 'muted' }, `证件 ${party.id_number}`) : null),
    unverifiedList(party.unverified_fields),
    party.contact_points.length
      ? h('ul', { class: 'contacts' }, party.contact_points.map((point) => h('li', { class: `contact contact-${point.state}` },
        h('div', {}, h('span', { class: 'contact-kind' }, label(CONTACT_KIND_LABELS, point.kind)), h('span', { class: 'contact-value' }, point.value),
          h('span', { class: `state state-${point.state}` }, label(CONTACT_STATE_LABELS, point.state)),
          h('span', { class: 'muted' }, `来源：${label(CONTACT_SOURCE_LABELS, point.source)}`)),
        point.history.length ? h('ol', { class: 'history' }, point.history.map((event) => h('li', {},
          h('time', {}, formatDateTime(event.at)), ' ', label(CONTACT_EVENT_LABELS, event.kind), event.note ? `：${event.note}` : '', h('span', { class: 'muted' }, `（${label(CONTACT_SOURCE_LABELS, event.source)}）`)))) : null)))
      : h('p', { class: 'muted' }, '无联系方式')));
  replaceChildren(byId('parties'), h('h2', {}, `当事人（${parties.length}）`), h('div', { class: 'party-grid' }, cards));
}

async function showPdf(title, url) {
  const viewer = byId('viewer');
  viewer.hidden = false;
  const status = h('span', { class: 'muted', id: 'pages-seen' });
  const body = h('div', { class: 'viewer-body' });
  replaceChildren(viewer, h('header', { class: 'viewer-head' }, h('strong', {}, title), status,
    h('button', { class: 'btn btn-small', type: 'button', onclick: closePdf }, '关闭')), body);
  viewer.scrollIntoView({ behavior: 'smooth', block: 'start' });
  if (pdfView) pdfView.destroy();
  try {
    pdfView = await renderPdf(body, url, { onPage: (page, total) => { status.textContent = `已阅 ${pdfView ? pdfView.pagesSeen().length : page} / ${total} 页`; } });
    status.textContent = `共 ${pdfView.pageCount} 页`;
  } catch (error) {
    replaceChildren(body, h('p', { class: 'error-text' }, `文书打开失败：${error.message}`));
  }
}

function closePdf() {
  if (pdfView) pdfView.destroy();
  pdfView = null;
  byId('viewer').hidden = true;
}

async function download(url, filename) {
  try {
    saveBlob(await apiBlob(url), filename);
  } catch (error) {
    toast(`下载失败：${error.message}`, 'error');
  }
}

function renderDocuments(documents) {
  const rows = documents.map((document) => h('tr', { dataset: { document: String(document.id) } },
    h('td', {}, document.name), h('td', {}, label(DOCUMENT_KIND_LABELS, document.kind)),
    h('td', { class: 'actions' },
      document.content_type === 'application/pdf' ? h('button', { class: 'btn btn-small view-document', type: 'button', onclick: () => showPdf(document.name, `/api/documents/${document.id}/file`) }, '查看') : null,
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => download(`/api/documents/${document.id}/file`, document.name) }, '下载'))));
  replaceChildren(byId('documents'), h('h2', {}, `文书（${documents.length}）`),
    documents.length ? h('table', { class: 'data-table' }, h('thead', {}, h('tr', {}, h('th', {}, '名称'), h('th', {}, '类型'), h('th', {}, ''))), h('tbody', {}, rows)) : h('p', { class: 'muted' }, '无文书'));
}

function attemptTime(attempt) {
  return attempt.started_at || attempt.planned_at || attempt.created_at;
}

function renderTimeline(deliveries) {
  const entries = [];
  for (const delivery of deliveries) {
    entries.push({ at: delivery.created_at, delivery, attempt: null });
    for (const attempt of delivery.attempts) entries.push({ at: attemptTime(attempt), delivery, attempt });
  }
  entries.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  const items = entries.map(({ at, delivery, attempt }) => {
    if (!attempt) {
      return h('li', { class: 'timeline-item timeline-delivery', dataset: { delivery: String(delivery.id) } },
        h('time', {}, formatDateTime(at)),
        h('div', {}, h('strong', {}, `送达任务 #${delivery.id}`), ` 受送达人：${delivery.party_name}`,
          h('span', { class: `tag status-${delivery.status}` }, label(DELIVERY_STATUS_LABELS, delivery.status)),
          delivery.deadline ? h('span', { class: 'muted' }, ` 期限 ${day(delivery.deadline)}`) : null,
          delivery.legal_service_date ? h('span', {}, ` 送达日期 ${day(delivery.legal_service_date)}`) : null));
    }
    return h('li', { class: `timeline-item timeline-attempt attempt-${attempt.status}`, dataset: { attempt: String(attempt.id) } },
      h('time', {}, formatDateTime(at)),
      h('div', {},
        h('strong', {}, label(METHOD_LABELS, attempt.method)), ` · ${delivery.party_name} `,
        h('span', { class: 'tag' }, label(ATTEMPT_STATUS_LABELS, attempt.status)),
        attempt.outcome ? h('span', { class: 'tag' }, label(OUTCOME_LABELS, attempt.outcome)) : null,
        attempt.legal_service_date ? h('span', {}, ` 送达日期 ${day(attempt.legal_service_date)}`) : null,
        h('span', { class: 'muted' }, ` 尝试 #${attempt.id}`),
        attempt.facts.length ? h('dl', { class: 'attempt-facts' }, attempt.facts.map((fact) => h('div', {}, h('dt', {}, fact.label), h('dd', {}, fact.value)))) : null,
        attempt.notes ? h('p', { class: 'muted' }, attempt.notes) : null));
  });
  const attempts = deliveries.reduce((sum, delivery) => sum + delivery.attempts.length, 0);
  replaceChildren(byId('timeline'), h('h2', {}, `送达过程（${deliveries.length} 项任务，${attempts} 次尝试）`), h('ol', { class: 'timeline' }, items));
}

/** A mass case's file comes 50 parties and 50 deliveries at a time (the API pages them); the rest on request. */
function offerMore(file) {
  byId('file-more')?.remove();
  if (file.parties_next === null && file.deliveries_next === null) return;
  const shown = `当事人 ${file.parties.length}/${file.parties_total}，送达任务 ${file.deliveries.length}/${file.deliveries_total}`;
  const button = h('button', { class: 'btn', type: 'button', id: 'file-more', onclick: async () => {
    button.disabled = true;
    const none = '2147483647'; // past every id: that part is complete
    const query = new URLSearchParams({ parties_after: String(file.parties_next ?? none), deliveries_after: String(file.deliveries_next ?? none) });
    try {
      const page = await api(`/api/cases/${caseId}/file?${query}`);
      file.parties.push(...page.parties);
      file.deliveries.push(...page.deliveries);
      Object.assign(file, { parties_next: page.parties_next, deliveries_next: page.deliveries_next });
      renderParties(file.parties);
      renderTimeline(file.deliveries);
      offerMore(file);
    } catch (error) {
      toast(`加载失败：${error.message}`, 'error');
      button.disabled = false;
    }
  } }, `加载更多（已显示${shown}）`);
  byId('timeline').append(button);
}

function proofState(item) {
  if (!verification) return h('span', { class: 'muted verify-state' }, '未核验');
  const problems = verification.problems.filter((problem) => problem.evidence_id === item.id);
  if (problems.length) return h('span', { class: 'state state-invalid verify-state' }, `有问题：${problems.map((problem) => problem.message).join('；')}`);
  return h('span', { class: 'state state-verified verify-state' }, verification.intact ? '完好（证据链完整）' : '文件完好');
}

// Proofs download through plain links to signed, expiring URLs (the browser's own download, no script at
// click time), issued when the list is drawn and again before they expire.
const LINK_REFRESH_MS = 20 * 60 * 1000;
const proofLinks = new Map(); // evidence id -> signed URL
let linkTimer = null;

function proofLink(item) {
  const url = proofLinks.get(item.id);
  return h('a', {
    class: 'btn btn-small download-proof',
    href: url || '#',
    download: `送达回证-${item.id}.pdf`,
    'aria-disabled': url ? null : 'true',
    dataset: { evidence: String(item.id) },
  }, '下载');
}

async function issueProofLinks(proofs) {
  await Promise.all(proofs.map(async (item) => {
    try {
      const link = await api(`/api/evidence/${item.id}/media-link`, { method: 'POST' });
      proofLinks.set(item.id, link.url);
      const anchor = document.querySelector(`.download-proof[data-evidence="${item.id}"]`);
      if (anchor) {
        anchor.href = link.url;
        anchor.removeAttribute('aria-disabled');
      }
    } catch (error) {
      toast(`回证下载链接获取失败：${error.message}`, 'error');
    }
  }));
  clearTimeout(linkTimer);
  linkTimer = setTimeout(() => issueProofLinks(proofs), LINK_REFRESH_MS);
}

function renderEvidence(evidence) {
  const proofs = evidence.filter((item) => item.kind === 'proof_pdf');
  const counts = {};
  for (const item of evidence) counts[item.kind] = (counts[item.kind] || 0) + 1;
  const rows = proofs.map((item) => h('tr', { class: 'proof-row', dataset: { evidence: String(item.id) } },
    h('td', {}, `送达回证 #${item.id}`), h('td', {}, formatDateTime(item.created_at)),
    h('td', {}, item.attempt_ids.map((id) => `#${id}`).join('、') || '—'),
    h('td', { class: 'sha' }, h('code', { title: item.sha256 }, item.sha256.slice(0, 16) + '…')),
    h('td', {}, proofState(item)),
    h('td', { class: 'actions' },
      h('button', { class: 'btn btn-small', type: 'button', onclick: () => showPdf(`送达回证 #${item.id}`, `/api/evidence/${item.id}/content`) }, '查看'),
      proofLink(item))));
  replaceChildren(byId('proofs'),
    h('h2', {}, `送达回证与证据（证据 ${evidence.length} 项）`),
    proofs.length
      ? h('table', { class: 'data-table' }, h('thead', {}, h('tr', {}, ['回证', '生成时间', '送达尝试', 'SHA-256', '核验状态', ''].map((title) => h('th', {}, title)))), h('tbody', {}, rows))
      : h('p', { class: 'muted' }, '暂无送达回证'),
    h('p', { class: 'muted evidence-counts' }, Object.entries(counts).map(([kind, count]) => `${label(EVIDENCE_KIND_LABELS, kind)} ${count}`).join(' · ')));
}

async function verifyChain(file) {
  const button = byId('verify');
  const box = byId('verify-result');
  button.disabled = true;
  box.className = 'verify-result muted';
  box.textContent = '正在核验证据链与文件哈希…';
  try {
    verification = await api(`/api/cases/${caseId}/evidence/verify`);
    box.className = `verify-result ${verification.intact ? 'verify-ok' : 'verify-bad'}`;
    replaceChildren(box,
      h('strong', {}, verification.intact ? '✔ 证据链完整' : '✘ 证据链有问题'),
      ` 已核对链条 ${verification.entries_checked} 条、文件 ${verification.files_checked} 个。链头序号 ${verification.head_seq ?? '—'}，哈希 `,
      h('code', {}, verification.head_hash ? `${verification.head_hash.slice(0, 16)}…` : '—'),
      verification.problems.length ? h('ul', {}, verification.problems.map((problem) => h('li', {}, problem.message))) : null);
    renderEvidence(file.evidence);
  } catch (error) {
    box.className = 'verify-result verify-bad';
    box.textContent = `核验失败：${error.message}`;
  } finally {
    button.disabled = false;
  }
}

async function start(user) {
  showUser(user);
  showNav(user, '/cases');
  if (!Number.isInteger(caseId) || caseId <= 0) {
    replaceChildren(byId('case-head'), h('p', { class: 'error-text' }, '案件编号有误'));
    return;
  }
  // The calls (recordings, transcripts) are asked for at once too, and drawn after the rest of the file.
  const callsRequest = api(`/api/cases/${caseId}/calls`);
  callsRequest.catch(() => {}); // a failure is shown below, once the file is drawn
  let file;
  try {
    file = await api(`/api/cases/${caseId}/file`);
  } catch (error) {
    replaceChildren(byId('case-head'), h('h1', {}, '无法打开卷宗'), h('p', { class: 'error-text' }, error.status === 404 ? '案件不存在或您无权查看' : error.message));
    return;
  }
  document.title = `${file.case.case_number} · 卷宗 · 送达`;
  renderHeader(file);
  renderParties(file.parties);
  renderDocuments(file.documents);
  renderTimeline(file.deliveries);
  offerMore(file);
  renderEvidence(file.evidence);
  const proofsReady = issueProofLinks(file.evidence.filter((item) => item.kind === 'proof_pdf'));
  const verifyButton = byId('verify');
  verifyButton.hidden = !['clerk', 'supervisor', 'admin'].includes(user.role);
  verifyButton.addEventListener('click', () => verifyChain(file));
  document.body.dataset.ready = 'file';
  performance.mark('casefile-usable'); // benchmarks/case_file_page.py reads these marks
  try {
    renderCalls(byId('calls'), await callsRequest, user, caseId);
  } catch (error) {
    replaceChildren(byId('calls'), h('h2', {}, '通话'), h('p', { class: 'error-text' }, `通话加载失败：${error.message}`));
  }
  await proofsReady;
  document.body.dataset.ready = 'all';
  performance.mark('casefile-complete');
}

const user = requireLogin(['clerk', 'supervisor', 'admin']);
if (user) start(user);
