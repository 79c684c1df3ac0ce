// The staff navigation bar: the pages of the logged-in user's role (from lib/nav.js), the current one marked.
// A page puts <nav id="nav" class="console-nav" aria-label="页面导航"></nav> in its topbar and calls
// showNav(user, location.pathname) once it knows the user.

import { byId, h, replaceChildren } from './dom.js';
import { pagesFor } from './nav.js';

/** Fill <nav id="nav"> (or ELEMENT) with links to the role's pages; CURRENTPATH's page gets aria-current. */
export function showNav(user, currentPath = location.pathname, element = byId('nav')) {
  if (!element || !user) return;
  element.classList.add('console-nav');
  if (!element.hasAttribute('aria-label')) element.setAttribute('aria-label', '页面导航');
  const home = currentPath === '/console' ? 'page' : null;
  const links = [h('a', { href: '/console', class: 'console-nav-home', 'aria-current': home }, '首页')];
  const pages = pagesFor(user.role);
  // The longest path that holds CURRENTPATH is the current page (/admin/sms, not /admin as well).
  const holding = pages.filter((page) => currentPath === page.path || currentPath.startsWith(`${page.path}/`));
  const current = holding.sort((a, b) => b.path.length - a.path.length)[0];
  for (const page of pages) {
    links.push(h('a', { href: page.path, 'aria-current': page === current ? 'page' : null }, page.title));
  }
  replaceChildren(element, links);
}
