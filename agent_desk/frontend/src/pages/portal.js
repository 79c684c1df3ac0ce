// The party portal (phone first): the personal link from the court's SMS or e-mail (/s/TOKEN) or /portal;
// login by a one-time code (SMS or e-mail) or WeChat; the party's deliveries, each document shown in the
// page with PDF.js (the pages shown are reported), the 送达回证 signed on the screen, paper on request and
// the 送达地址确认书. The session is an HttpOnly cookie of its own; no staff token is ever sent.

import '../window/window.css';
import '../portal/portal.css';

import { api } from '../lib/api.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { renderPdf } from '../lib/pdfview.js';
import { SignatureCapture } from '../lib/signature.js';
import { loginScreen } from '../portal/login.js';

const main = byId('portal');
const logoutButton = byId('logout');
const linkToken = (location.pathname.match(/^\/s\/([A-Za-z0-9_-]{8,64})$/) || [])[1] || null;
let me = null;
let teardown = () => {};

export const portalApi = (path, options = {}) => api(`/api/portal${path}`, { ...options, auth: false });

function show(...children) {
  teardown();
  teardown = () => {};
  replaceChildren(main, ...children);
  window.scrollTo(0, 0);
}

function delivery(id) {
  return me.deliveries.find((item) => item.id === Number(id));
}

async function refresh() {
  me = await portalApi('/me');
  logoutButton.hidden = false;
  if (me.deliveries[0]) byId('court-name').textContent = me.deliveries[0].court;
}

async function route() {
  if (!me) return;
  const [screen, deliveryId, documentId] = location.hash.replace(/^#/, '').split('/');
  const item = deliveryId ? delivery(deliveryId) : null;
  if (screen === 'doc' && item) return documentScreen(item, item.documents.find((d) => d.id === Number(documentId)));
  if (screen === 'sign' && item) return signScreen(item);
  if (screen === 'paper' && item) return paperScreen(item);
  if (screen === 'confirm' && item) return confirmScreen(item);
  return listScreen();
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function listScreen() {
  const cards = me.deliveries.map((item) => {
    const allViewed = item.documents.every((doc) => doc.viewed);
    return h('section', { class: 'panel delivery-card', dataset: { delivery: String(item.id) } },
      h('h2', {}, item.case_number, h('span', { class: `status-pill ${item.status_label === '已送达' ? 'status-served' : ''}` }, item.status_label)),
      h('p', { class: 'muted' }, `${item.court} · 受送达人 ${item.party_name}`),
      item.served_on ? h('p', {}, `送达日期：${item.served_on}`) : null,
      h('ul', { class: 'doc-list' }, item.documents.map((doc) => h('li', { class: 'doc-item' },
        h('span', { class: 'doc-name' }, `《${doc.name}》`),
        doc.viewed ? h('span', { class: 'viewed-tag' }, '✓ 已查阅') : null,
        h('button', { type: 'button', class: 'btn btn-primary', dataset: { doc: String(doc.id) }, onclick: () => go(`#doc/${item.id}/${doc.id}`) }, '查看'),
      ))),
      item.signed
        ? h('div', { class: 'served-box' }, '您已签收本次送达的文书')
        : item.can_sign
          ? [
              allViewed ? null : h('p', { class: 'notice' }, '请逐一查看上列文书，全部查阅后即可签收送达回证。'),
              h('button', { type: 'button', class: 'btn btn-ok btn-big', id: `sign-${item.id}`, disabled: !allViewed, onclick: () => go(`#sign/${item.id}`) }, '签收送达回证'),
            ]
          : null,
      h('div', { class: 'button-row' },
        h('button', { type: 'button', class: 'btn', onclick: () => go(`#paper/${item.id}`) }, item.paper_requested ? '已申请纸质文书（可再次申请）' : '申请纸质文书'),
        h('button', { type: 'button', class: 'btn', onclick: () => go(`#confirm/${item.id}`) }, '填写送达地址确认书'),
      ),
    );
  });
  show(
    h('section', { class: 'panel' },
      h('h1', {}, `${me.parties.join('、') || '当事人'}，您好`),
      h('p', { class: 'muted' }, `登录账号 ${me.login}。以下是法院向您电子送达的文书，请及时查阅。`),
    ),
    cards.length ? cards : h('section', { class: 'panel' }, h('p', {}, '暂无送达给您的文书。')),
    h('p', { class: 'small-print' }, '您在本页面的查阅、签收等操作将被记录（时间、IP 地址、设备），作为送达凭证的一部分。'),
  );
}

function backButton() {
  return h('button', { type: 'button', class: 'btn btn-inline', id: 'back', onclick: () => go('') }, '‹ 返回');
}

async function documentScreen(item, doc) {
  if (!doc) return listScreen();
  const box = h('div', { class: 'pdf-box', id: 'pdf' });
  show(h('div', { class: 'viewer-head' }, backButton(), h('h1', {}, `《${doc.name}》`)), h('section', { class: 'panel' }, box));
  const base = `/deliveries/${item.id}/documents/${doc.id}`;
  let view = null;
  let reports = Promise.resolve();
  const seen = new Set();
  teardown = () => view && view.destroy();
  try {
    const response = await fetch(`/api/portal${base}/file`, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(response.status === 404 ? '文书不存在或无权查看' : `文书打开失败（${response.status}）`);
    const data = await response.blob();
    view = await renderPdf(box, null, {
      data,
      // One report at a time, each with every page seen so far: none is lost, whatever the order.
      onPage: (page, pageCount) => {
        seen.add(page);
        const pages = [...seen].sort((a, b) => a - b);
        reports = reports
          .then(() => portalApi(`${base}/pages`, { method: 'POST', body: { pages, page_count: pageCount } }))
          .then(() => { doc.viewed = true; box.dataset.reported = String(Number(box.dataset.reported || 0) + 1); })
          .catch((error) => toast(error.message, 'error'));
      },
    });
    box.dataset.pages = String(view.pageCount);
  } catch (error) {
    replaceChildren(box, h('p', { class: 'error-text' }, error.message));
  }
}

function receiptText(item) {
  return `受送达人${item.party_name}确认：已收到并查阅${item.court}就${item.case_number}案件送达的以下文书：`
    + `${item.documents.map((doc) => `《${doc.name}》`).join('')}。本人在此签名确认收到。`;
}

function signScreen(item) {
  if (!item.can_sign) return listScreen();
  const area = h('div', { id: 'receipt-signature' });
  const submit = h('button', { type: 'button', class: 'btn btn-ok btn-big', id: 'submit-sign', disabled: true }, '确认签收');
  show(
    h('div', { class: 'viewer-head' }, backButton(), h('h1', {}, '签收送达回证')),
    h('section', { class: 'panel' },
      h('p', { class: 'receipt-text' }, receiptText(item)),
      h('p', { class: 'muted' }, '请在下方框内手写签名：'),
      area,
      submit,
    ),
  );
  const pad = new SignatureCapture(area, { label: '请在此处签名', onChange: (empty) => { submit.disabled = empty; } });
  teardown = () => pad.destroy();
  submit.addEventListener('click', async () => {
    submit.disabled = true;
    try {
      const signed = await portalApi(`/deliveries/${item.id}/sign`, { method: 'POST', body: pad.value() });
      await refresh();
      show(
        h('section', { class: 'panel', id: 'signed' },
          h('div', { class: 'served-box' }, '签收成功'),
          h('p', {}, '您的签收确认码：'),
          h('p', { class: 'confirmation-code', id: 'confirmation-code' }, signed.confirmation_code),
          signed.served_on ? h('p', {}, `送达日期：${signed.served_on}`) : null,
          h('p', { class: 'muted' }, '请妥善保存确认码。法院已生成电子送达凭证。'),
          h('button', { type: 'button', class: 'btn btn-primary', onclick: () => go('') }, '返回文书列表'),
        ),
      );
    } catch (error) {
      submit.disabled = false;
      toast(error.message, 'error');
    }
  });
}

function paperScreen(item) {
  const address = h('textarea', { name: 'postal_address', rows: 3, placeholder: '省市区、街道、门牌号，收件人及电话' });
  const addressField = h('label', { class: 'field' }, '邮寄地址', address);
  const way = (value, label) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'way', value, checked: value === 'postal', onchange: () => { addressField.hidden = value !== 'postal'; } }), label);
  const form = h('form', { class: 'panel', id: 'paper-form' },
    h('p', {}, '电子送达与纸质送达具有同等效力。如您需要纸质文书，法院将为您邮寄或安排来院领取。'),
    way('postal', '邮寄给我（EMS 法院专递）'),
    way('pickup', '我到法院诉讼服务中心领取'),
    addressField,
    h('button', { type: 'submit', class: 'btn btn-primary btn-big' }, '提交申请'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name=way]:checked').value;
    try {
      const answer = await portalApi(`/deliveries/${item.id}/paper`, { method: 'POST', body: { way: chosen, postal_address: address.value } });
      await refresh();
      toast(answer.message, 'ok');
      go('');
    } catch (error) {
      toast(error.message, 'error');
    }
  });
  show(h('div', { class: 'viewer-head' }, backButton(), h('h1', {}, '申请纸质文书')), form);
}

function confirmScreen(item) {
  const input = (name, label, attrs = {}) => h('label', { class: 'field' }, label, h('input', { name, ...attrs }));
  const area = h('div', { id: 'confirmation-signature' });
  const submit = h('button', { type: 'submit', class: 'btn btn-ok btn-big', disabled: true }, '签名并提交');
  const form = h('form', { class: 'panel', id: 'confirmation-form' },
    h('p', {}, '请确认您今后接收本院诉讼文书的地址。确认后，法院将按此地址送达；同意电子送达的，文书到达您的手机或邮箱即视为送达。'),
    input('postal_address', '送达地址（邮寄）', { placeholder: '省市区、街道、门牌号' }),
    input('mobile', '手机号码', { type: 'tel', inputmode: 'numeric', maxlength: 11 }),
    input('email', '电子邮箱', { type: 'email' }),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'consents_to_electronic' }), '我同意人民法院通过以上手机号码或电子邮箱电子送达诉讼文书（含判决书、裁定书、调解书）'),
    h('p', { class: 'muted' }, '请手写签名：'),
    area,
    submit,
  );
  show(h('div', { class: 'viewer-head' }, backButton(), h('h1', {}, '送达地址确认书')), form);
  const pad = new SignatureCapture(area, { label: '请在此处签名', onChange: (empty) => { submit.disabled = empty; } });
  teardown = () => pad.destroy();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      ...pad.value(),
      postal_address: data.get('postal_address'),
      mobile: data.get('mobile'),
      email: data.get('email'),
      consents_to_electronic: data.get('consents_to_electronic') === 'on',
    };
    try {
      const answer = await portalApi(`/deliveries/${item.id}/address-confirmation`, { method: 'POST', body });
      toast(answer.message, 'ok');
      go('');
    } catch (error) {
      toast(error.message, 'error');
    }
  });
}

async function loggedIn() {
  await refresh();
  if (linkToken) history.replaceState(null, '', `/portal${location.hash}`);
  await route();
}

logoutButton.addEventListener('click', async () => {
  await portalApi('/logout', { method: 'POST' }).catch(() => {});
  me = null;
  logoutButton.hidden = true;
  location.href = '/portal';
});
window.addEventListener('hashchange', () => route());

portalApi('/me')
  .then(() => loggedIn())
  .catch((error) => {
    if (error.status !== 401) toast(error.message, 'error');
    loginScreen(main, { linkToken, onLoggedIn: loggedIn, call: portalApi });
  });
