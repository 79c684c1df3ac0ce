// The postal console (邮寄送达): the day's batches by sender office (review, fix, remove, confirm, print),
// tracking of the posted letters, receipt scans, monthly costs, printer calibration, and for supervisors
// the letters with no tracking event for N days; and the paper copies parties asked for after service.

import '../postal/postal.css';

import { requireLogin, showUser } from '../lib/chrome.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { BatchesView } from '../postal/batches.js';
import { CostsView } from '../postal/costs.js';
import { PaperRequestsView } from '../postal/paper.js';
import { PrintersView } from '../postal/printers.js';
import { ReceiptsView } from '../postal/receipts.js';
import { SilentView, TrackingView } from '../postal/tracking.js';

const SUPERVISORS = ['supervisor', 'admin'];

function tabsFor(user) {
  return [
    { id: 'batches', title: '今日批次', View: BatchesView },
    { id: 'tracking', title: '邮件跟踪', View: TrackingView },
    SUPERVISORS.includes(user.role) ? { id: 'silent', title: '长时间无轨迹', View: SilentView } : null,
    { id: 'receipts', title: '回执扫描', View: ReceiptsView },
    { id: 'paper', title: '纸质文书申请', View: PaperRequestsView },
    { id: 'costs', title: '邮费统计', View: CostsView },
    { id: 'printers', title: '打印机校准', View: PrintersView },
  ].filter(Boolean);
}

function start(user) {
  showUser(user);
  showNav(user, location.pathname);
  const tabs = tabsFor(user);
  const select = (tab) => {
    replaceChildren(byId('tabs'), tabs.map((each) =>
      h('button', { type: 'button', role: 'tab', class: 'btn', id: `tab-${each.id}`, 'aria-selected': String(each === tab), onclick: () => select(each) }, each.title)));
    // Each tab renders into its own element: a slower answer of the tab left behind lands in a detached one.
    const box = h('div', { class: 'postal-tab', id: `view-${tab.id}` });
    replaceChildren(byId('view'), box);
    Promise.resolve(new tab.View(box).show()).catch((error) => toast(`加载失败：${error.message}`, 'error'));
  };
  select(tabs[0]);
}

const user = requireLogin(['clerk', ...SUPERVISORS]);
if (user) start(user);
