// Login: username + password -> bearer token kept in sessionStorage for this tab.

import { api } from '../lib/api.js';
import { byId } from '../lib/dom.js';
import { homeFor, saveSession } from '../lib/session.js';

const REASONS = { expired: '登录已失效，请重新登录。' };

function safeNext(user) {
  const next = new URLSearchParams(location.search).get('next') || '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : homeFor(user);
}

function showError(text) {
  const box = byId('login-error');
  box.textContent = text;
  box.hidden = !text;
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  showError('');
  try {
    const result = await api('/api/auth/login', {
      method: 'POST',
      auth: false,
      body: { username: form.username.value.trim(), password: form.password.value },
    });
    saveSession(result.token, result.user);
    location.assign(safeNext(result.user));
  } catch (error) {
    const refused = error.status === 401 || error.status === 429; // wrong password, or too many tries from here
    showError(refused ? error.message || '用户名或密码错误' : `登录失败：${error.message}`);
    button.disabled = false;
  }
}

const reason = new URLSearchParams(location.search).get('reason');
if (REASONS[reason]) showError(REASONS[reason]);
byId('login-form').addEventListener('submit', submit);
byId('username').focus();
