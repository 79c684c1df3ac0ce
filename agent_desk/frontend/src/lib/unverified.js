// The fields an import marked 待核实 (imported with a warning, e.g. an ID number whose check digit is wrong),
// shown wherever staff act on them: the desk's task card and the case file.

import { h } from './dom.js';

const UNVERIFIED_LABELS = { id_number: '证件号码', deadline: '送达期限', emails: '电子邮箱', hearing_at: '开庭时间' };

/** A 待核实 box listing each marked field with why; nothing when none is marked. */
export function unverifiedList(fields, attributes = {}) {
  const entries = Object.entries(fields || {});
  if (!entries.length) return null;
  return h('div', { class: 'unverified', ...attributes },
    h('strong', {}, '待核实'),
    h('ul', {}, entries.map(([field, why]) => h('li', {}, `${UNVERIFIED_LABELS[field] || field}：${why}`))));
}
