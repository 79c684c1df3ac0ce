// The page frame shared by the desk and the wall: who is logged in, logout, live-connection indicator.

import { api } from './api.js';
import { byId, h, replaceChildren } from './dom.js';
import { ROLE_LABELS, label } from './labels.js';
import { clearSession, currentToken, currentUser, redirectToLogin } from './session.js';

const CONNECTION_LABELS = { connecting: '实时连接：正在连接…', open: '实时连接：正常', closed: '实时连接：已断开，正在重连…', forbidden: '实时连接：无权限' };

/** Returns the logged-in user, or leaves for the login page (returns null). */
export function requireLogin(allowedRoles) {
  const user = currentUser();
  if (!currentToken() || !user) {
    redirectToLogin();
    return null;
  }
  if (allowedRoles && !allowedRoles.includes(user.role)) {
    replaceChildren(document.body, h('main', { class: 'notice' }, h('h1', {}, '没有权限'), h('p', {}, `当前账号（${label(ROLE_LABELS, user.role)}）不能使用此页面。`), h('a', { href: '/login' }, '换一个账号登录')));
    return null;
  }
  return user;
}

export function showUser(user, onLogout) {
  const box = byId('user');
  replaceChildren(
    box,
    h('span', { id: 'user-name' }, `${user.full_name || user.username}（${label(ROLE_LABELS, user.role)}）`),
    h('button', { class: 'btn btn-small', id: 'logout', onclick: () => logout(onLogout) }, '退出登录'),
  );
}

async function logout(onLogout) {
  try {
    if (onLogout) onLogout();
    await api('/api/auth/logout', { method: 'POST' });
  } catch {
    // the token is dropped locally whatever the server says
  }
  clearSession();
  location.assign('/login');
}

export function showConnection(state) {
  const box = byId('connection');
  if (!box) return;
  box.textContent = CONNECTION_LABELS[state] || state;
  box.dataset.state = state;
  box.className = `connection connection-${state}`;
}
