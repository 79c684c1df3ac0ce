// A pile of returned 回执 cards and envelopes, scanned: each is matched to its letter by the waybill's
// barcode and kept as evidence (a letter returned to a confirmed address is served by it).

import { api } from '../lib/api.js';
import { h, replaceChildren, toast } from '../lib/dom.js';

export class ReceiptsView {
  constructor(box) {
    this.box = box;
  }

  show() {
    const files = h('input', { type: 'file', id: 'receipt-files', multiple: true, accept: 'application/pdf,image/png,image/jpeg' });
    const results = h('div', { id: 'receipt-results' });
    const send = async () => {
      if (!files.files.length) {
        toast('请选择扫描件', 'error');
        return;
      }
      const body = new FormData();
      for (const file of files.files) body.append('files', file, file.name);
      try {
        renderMatches(results, await api('/api/postal/receipts', { method: 'POST', body }));
      } catch (error) {
        toast(error.message, 'error');
      }
    };
    replaceChildren(this.box,
      h('p', { class: 'muted' }, '选择一批回执卡或退件信封的扫描件（PDF、PNG 或 JPEG），系统按邮件条码自动匹配并存入证据。单件上传请在「邮件跟踪」中打开该邮件。'),
      h('div', { class: 'postal-toolbar' },
        h('label', { class: 'field' }, '扫描件（可多选）', files),
        h('button', { type: 'button', class: 'btn btn-primary', id: 'upload-receipts', onclick: send }, '上传并按条码匹配'),
      ),
      results,
    );
  }
}

function renderMatches(box, matches) {
  const matched = matches.filter((match) => !match.problem).length;
  replaceChildren(box,
    h('p', {}, `共 ${matches.length} 份，匹配成功 ${matched} 份。`),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['文件', '邮件号', '结果'].map((title) => h('th', {}, title)))),
      h('tbody', {}, matches.map((match) => h('tr', {},
        h('td', {}, match.filename || '—'),
        h('td', { class: 'num' }, match.waybill_no || '—'),
        h('td', { class: match.problem ? 'match-problem' : 'match-ok' }, match.problem || `已存入证据 #${match.evidence_id}`),
      ))),
    ),
  );
}
