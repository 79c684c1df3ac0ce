// Field delivery: an officer's day on the phone (route, navigation, on-site evidence, offline as an installed
// app), or for supervisors the open field attempts on a list and a map, assigned by hand or planned for
// every officer at once.

import '../field/field.css';
import { requireLogin, showUser } from '../lib/chrome.js';
import { byId } from '../lib/dom.js';
import { OfficerDay } from '../field/officer.js';
import { clearRoutes } from '../field/store.js';
import { AssignmentBoard } from '../field/supervisor.js';

/** The officer's page keeps working without signal: the service worker keeps the page and its assets. */
function registerOfflineWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/field-sw.js', { scope: '/field' }).catch(() => {
    // without it the page still works online; the outbox (IndexedDB) does not depend on it
  });
}

const user = requireLogin(['field_officer', 'supervisor', 'admin']);
if (user) {
  // at logout the phone forgets the routes it kept; visit records not yet sent stay for their officer
  showUser(user, user.role === 'field_officer' ? () => clearRoutes() : undefined);
  const main = byId('field-main');
  if (user.role === 'field_officer') {
    byId('field-title').textContent = '今日外出送达';
    new OfficerDay(main, user).start();
    registerOfflineWorker();
  } else {
    byId('field-title').textContent = '外出送达分派';
    new AssignmentBoard(main).start();
  }
}
