// The portal's login: from a personal link (the code goes to an address on file, chosen among masked ones)
// or typed (a mobile number or e-mail address); WeChat website login where the court has it. The server's
// answers are shown as they come (in Chinese): codes expire, are limited and lock after wrong tries.

import { byId, h, replaceChildren, toast } from '../lib/dom.js';

const RESEND_SECONDS = 60;

function codeRow(onSend) {
  const input = h('input', { id: 'code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6, placeholder: '6位验证码' });
  const send = h('button', { type: 'button', class: 'btn', id: 'send-code' }, '获取验证码');
  let timer = null;
  send.addEventListener('click', async () => {
    send.disabled = true;
    try {
      const answer = await onSend();
      toast(answer.message, 'ok');
      let left = RESEND_SECONDS;
      send.textContent = `${left}秒后重发`;
      timer = setInterval(() => {
        left -= 1;
        send.textContent = left > 0 ? `${left}秒后重发` : '重新获取';
        if (left <= 0) { clearInterval(timer); send.disabled = false; }
      }, 1000);
      input.focus();
    } catch (error) {
      send.disabled = false;
      toast(error.message, 'error');
    }
  });
  return { row: h('div', { class: 'code-row' }, input, send), input };
}

function wechatBlock(enabled) {
  if (!enabled) return null;
  return [
    h('div', { class: 'divider' }, '或'),
    h('a', { class: 'btn btn-wechat btn-big', id: 'wechat', href: '/api/portal/wechat/start' }, '微信登录'),
    h('p', { class: 'small-print' }, '首次使用微信登录，需要用登记的手机号验证一次以完成绑定。'),
  ];
}

const WECHAT_NOTES = {
  bind: ['微信授权成功。首次使用请用登记的手机号接收验证码完成绑定，以后可直接微信登录。', 'notice'],
  refused: ['您取消了微信授权，请使用验证码登录。', 'notice notice-warn'],
  failed: ['微信登录未成功，请重试或使用验证码登录。', 'notice notice-warn'],
  off: ['本院未开通微信登录，请使用验证码登录。', 'notice notice-warn'],
};

export async function loginScreen(main, { linkToken, onLoggedIn, call }) {
  const wechatNote = WECHAT_NOTES[new URLSearchParams(location.search).get('wechat')];
  let link = null;
  if (linkToken) {
    try {
      link = await call(`/links/${encodeURIComponent(linkToken)}`);
      byId('court-name').textContent = link.court;
    } catch (error) {
      replaceChildren(main, h('section', { class: 'panel' }, h('h1', {}, '链接无效或已过期'),
        h('p', {}, '请使用短信中的完整链接，或通过下方入口用手机号登录查收文书。'),
        h('a', { class: 'btn btn-primary btn-big', href: '/portal' }, '前往文书查收登录')));
      return;
    }
  }
  const config = link || (await call('/config').catch(() => ({ wechat: false })));
  let kind = 'phone';
  const addressLabel = h('span', {}, '手机号码');
  const address = h('input', { id: 'address', name: 'address', type: 'tel', inputmode: 'numeric', maxlength: 11, placeholder: '登记的手机号码' });
  const target = () => {
    if (link) {
      const chosen = main.querySelector('input[name=choice]:checked');
      return { link_token: linkToken, choice: Number(chosen ? chosen.value : 0) };
    }
    return { kind, address: address.value.trim() };
  };
  const { row, input } = codeRow(() => call('/codes', { method: 'POST', body: target() }));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-big', id: 'login' }, link ? '验证并查看文书' : '登录');
  const tabs = link ? null : h('div', { class: 'tabs' },
    ['phone', 'email'].map((value) => h('button', {
      type: 'button', class: 'btn', 'aria-pressed': String(value === kind), dataset: { kind: value },
      onclick: (event) => {
        kind = value;
        for (const tab of event.target.parentElement.children) tab.setAttribute('aria-pressed', String(tab.dataset.kind === kind));
        address.type = kind === 'phone' ? 'tel' : 'email';
        address.inputMode = kind === 'phone' ? 'numeric' : 'email';
        address.maxLength = kind === 'phone' ? 11 : 200;
        address.placeholder = kind === 'phone' ? '登记的手机号码' : '登记的电子邮箱';
        address.value = '';
        addressLabel.textContent = kind === 'phone' ? '手机号码' : '电子邮箱';
      },
    }, value === 'phone' ? '手机号' : '电子邮箱')));
  const form = h('form', { class: 'panel', id: 'login-form' },
    link
      ? [
          h('h1', {}, '您有法院文书待查收'),
          h('p', {}, `${link.court}向您电子送达了诉讼文书。为保护您的隐私，请先验证身份后查看。`),
          h('p', { class: 'muted' }, '验证码发送至：'),
          link.options.map((option, index) => h('label', { class: 'choice' },
            h('input', { type: 'radio', name: 'choice', value: String(option.choice), checked: index === 0 }),
            `${option.kind === 'phone' ? '短信' : '邮件'} ${option.label}`)),
        ]
      : [h('h1', {}, '文书查收登录'), h('p', { class: 'muted' }, '请使用法院登记的手机号码或电子邮箱登录。'), tabs, h('label', { class: 'field' }, addressLabel, address)],
    wechatNote ? h('p', { class: wechatNote[1] }, wechatNote[0]) : null,
    h('label', { class: 'field' }, '验证码', row),
    submit,
    wechatBlock(config.wechat && !(wechatNote && wechatNote === WECHAT_NOTES.bind)),
    h('p', { class: 'small-print' }, '验证码5分钟内有效，仅可使用一次；连续输错5次将暂时锁定。请勿将验证码告诉他人。'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await call('/login', { method: 'POST', body: { ...target(), code: input.value.trim() } });
      await onLoggedIn();
    } catch (error) {
      submit.disabled = false;
      toast(error.message, 'error');
    }
  });
  replaceChildren(main, form);
}
