// Administration (系统管理, admins only): users and roles, pickup windows with their slot templates, and the
// audit log. The tab is kept in the address (#users, #windows, #audit?object_type=evidence&object_id=5).

import '../board/staff.css';

import { AuditTab } from '../admin/audit.js';
import { UsersTab } from '../admin/users.js';
import { WindowsTab } from '../admin/windows.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { byId, toast } from '../lib/dom.js';

const user = requireLogin(['admin']);
if (user) {
  showUser(user);
  showNav(user, location.pathname);
  const panel = byId('panel');
  const tabs = { users: new UsersTab(panel, user), windows: new WindowsTab(panel), audit: new AuditTab(panel) };

  const open = (name, preset) => {
    for (const button of document.querySelectorAll('[role=tab]')) button.setAttribute('aria-selected', String(button.dataset.tab === name));
    tabs[name].show(preset).catch((error) => toast(`加载失败：${error.message}`, 'error'));
  };

  const fromHash = () => {
    const [name, query] = location.hash.slice(1).split('?');
    open(tabs[name] ? name : 'users', new URLSearchParams(query || ''));
  };

  for (const button of document.querySelectorAll('[role=tab]')) {
    button.addEventListener('click', () => {
      if (location.hash === `#${button.dataset.tab}`) fromHash();
      else location.hash = button.dataset.tab;
    });
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
}
