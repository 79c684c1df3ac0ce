// Small form helpers of the administration page.

import { h } from '../lib/dom.js';

export function field(caption, input) {
  return h('label', {}, caption, input);
}

export function input(name, attrs = {}) {
  return h('input', { name, id: attrs.id || `f-${name}`, ...attrs });
}

export function choice(name, options, attrs = {}) {
  return h('select', { name, id: attrs.id || `f-${name}`, ...attrs }, options.map(([value, text]) => h('option', { value }, text)));
}

/** The form's fields as an object: empty strings become null, numbers stay strings unless NUMBERS names them. */
export function valuesOf(form, numbers = []) {
  const values = {};
  for (const [name, value] of new FormData(form).entries()) {
    const text = typeof value === 'string' ? value.trim() : value;
    values[name] = text === '' ? null : numbers.includes(name) ? Number(text) : text;
  }
  return values;
}

/** Beijing time of an ISO instant, as 2026-03-02 09:30:05. */
export function beijing(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' });
}
