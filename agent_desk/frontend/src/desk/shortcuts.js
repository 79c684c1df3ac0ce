// Keyboard shortcuts of the agent desk (documented on the page from this same table).

import { isTyping } from '../lib/dom.js';
import { DISPOSITIONS } from './disposition.js';

export const DESK_SHORTCUTS = [
  { key: 'N', text: '下一个任务' },
  { key: 'H', text: '挂断当前通话' },
  { key: 'A', text: '接听来电' },
  { key: 'M', text: '静音 / 取消静音' },
  ...DISPOSITIONS.map((item) => ({ key: item.key, text: `处理结果：${item.text}` })),
  { key: 'Enter', text: '保存处理结果（输入框内用 Ctrl+Enter）' },
];

/** actions: { next, hangup, answer, mute, choose(key) -> bool, submit } */
export function bindDeskShortcuts(actions) {
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.metaKey) return;
    if (event.key === 'Enter' && (event.ctrlKey || !isTyping(event))) {
      if (event.target instanceof HTMLButtonElement && !event.ctrlKey) return; // the focused button handles it
      event.preventDefault();
      actions.submit();
      return;
    }
    if (event.ctrlKey || isTyping(event)) return;
    const key = event.key.toUpperCase();
    const handlers = { N: actions.next, H: actions.hangup, A: actions.answer, M: actions.mute };
    if (handlers[key]) {
      event.preventDefault();
      handlers[key]();
    } else if (actions.choose(event.key)) {
      event.preventDefault();
    }
  });
}
