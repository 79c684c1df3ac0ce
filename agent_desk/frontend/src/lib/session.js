// The login session of this tab: the bearer token and the user live in sessionStorage.

import { landingFor } from './nav.js';

const TOKEN_KEY = 'songda.token';
const USER_KEY = 'songda.user';

export function saveSession(token, user) {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
}

export function currentToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function currentUser() {
  try {
    return JSON.parse(sessionStorage.getItem(USER_KEY) || 'null');
  } catch {
    return null;
  }
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

/** Leave for the login page, coming back here afterwards. */
export function redirectToLogin(reason = '') {
  clearSession();
  const next = encodeURIComponent(location.pathname + location.search);
  const why = reason ? `&reason=${encodeURIComponent(reason)}` : '';
  location.assign(`/login?next=${next}${why}`);
}

/** The page a user lands on after login, by role: its first page in lib/nav.js (clerks /cases, field /field). */
export function homeFor(user) {
  return user ? landingFor(user.role) : '/login';
}
