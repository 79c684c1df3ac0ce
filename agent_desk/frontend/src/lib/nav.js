// The staff pages each role may use, in the order the console's navigation shows them. One table: the
// console's entry page, every page's navigation bar and the login hint read it. A page added to Songda
// adds its row here (and its route in agent_desk/web.py and its name in build.mjs).

export const STAFF_PAGES = [
  { path: '/desk', title: '坐席工作台', roles: ['agent', 'supervisor', 'admin'] },
  { path: '/wall', title: '监控墙', roles: ['supervisor', 'admin'] },
  { path: '/cases', title: '案件', roles: ['clerk', 'supervisor', 'admin'] },
  { path: '/imports', title: '案件导入', roles: ['clerk', 'admin'] },
  { path: '/hearings', title: '庭审排期', roles: ['clerk', 'supervisor', 'admin'] },
  { path: '/board', title: '送达看板', roles: ['supervisor', 'admin'] },
  { path: '/window', title: '法院窗口', roles: ['clerk', 'supervisor', 'admin'] },
  { path: '/postal', title: '邮寄送达', roles: ['clerk', 'supervisor', 'admin'] },
  { path: '/field', title: '外出送达', roles: ['field_officer', 'supervisor', 'admin'] },
  { path: '/admin', title: '系统管理', roles: ['admin'] },
  { path: '/admin/sms', title: '短信收件箱', roles: ['admin'] },
];

/** The pages a role may open, in navigation order. */
export function pagesFor(role) {
  return STAFF_PAGES.filter((page) => page.roles.includes(role));
}

// Where a role lands when its first page is not its home: supervisors watch the wall; an admin, who may
// use everything, starts on the console's entry page.
const LANDING = { supervisor: '/wall', admin: '/console' };

/** Where a role lands after logging in: its home (LANDING), else its first page. */
export function landingFor(role) {
  if (LANDING[role]) return LANDING[role];
  const pages = pagesFor(role);
  return pages.length ? pages[0].path : '/login';
}
