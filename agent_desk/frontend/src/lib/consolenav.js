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
  const links = [h('a', { href: '/console', class: 'console-nav-home' }, '首页')];
  for (const page of pagesFor(user.role)) {
    const current = currentPath === page.path || currentPath.startsWith(`${page.path}/`);
    links.push(h('a', { href: page.path, 'aria-current': current ? 'page' : null }, page.title));
  }
  replaceChildren(element, links);
}
