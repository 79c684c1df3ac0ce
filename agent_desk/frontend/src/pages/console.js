// The console's entry page: the pages the logged-in user's role may use, as cards (table: lib/nav.js).

import '../console/console.css';

import { requireLogin, showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren } from '../lib/dom.js';
import { ROLE_LABELS, label } from '../lib/labels.js';
import { pagesFor } from '../lib/nav.js';

const PAGE_HINTS = {
  '/desk': '接听与外呼、送达任务、通话记录',
  '/wall': '实时坐席状态、队列、超时告警、监听',
  '/cases': '按案号、当事人、电话、状态、期限、开庭日期查找案件，查看卷宗与证据',
  '/imports': '上传案件导出文件与文书压缩包，查看并下载问题清单',
  '/hearings': '设置、调整开庭时间与法庭，传票送达风险',
  '/board': '按状态、方式、期限、坐席筛选送达，批量分派，导出 Excel',
  '/window': '来院领取预约、签到、现场交付与签名',
  '/postal': '邮寄送达：EMS 法院专递、妥投与退件',
  '/field': '外出送达任务清单、现场记录',
  '/admin': '用户与角色、领取窗口、审计日志',
  '/admin/sms': '内置模拟短信中心收到的短信，可点开其中的当事人链接',
};

const user = requireLogin();
if (user) {
  showUser(user);
  showNav(user, location.pathname);
  const pages = pagesFor(user.role);
  replaceChildren(
    byId('main'),
    h('h1', {}, `${user.full_name || user.username}，您好`),
    h('p', { class: 'muted' }, `当前角色：${label(ROLE_LABELS, user.role)}。以下是您可以使用的页面。`),
    pages.length
      ? h('ul', { class: 'console-cards' }, pages.map((page) => h('li', {},
        h('a', { href: page.path, class: 'console-card' }, h('strong', {}, page.title), h('span', {}, PAGE_HINTS[page.path] || '')))))
      : h('p', { class: 'error-text' }, '此角色暂无可用页面，请联系系统管理员。'),
    h('p', { class: 'muted' }, h('a', { href: '/docs' }, '接口文档（API）')),
  );
}
