// Imports (案件导入) for clerks and admins: upload the court's export and its documents zip with a live
// progress bar (the upload's bytes, then the rows validated, then the write), the problems with their row
// numbers and messages, the refused cases of an import of the valid cases only, and the Excel of problems
// (the original sheet with a 问题 column beside it) to fix and upload again.

import '../console/console.css';
import '../schedule/schedule.css';

import { api, apiBlob, saveBlob } from '../lib/api.js';
import { requireLogin, showUser } from '../lib/chrome.js';
import { formatDateTime } from '../lib/clock.js';
import { showNav } from '../lib/consolenav.js';
import { byId, h, replaceChildren, toast } from '../lib/dom.js';
import { currentToken, redirectToLogin } from '../lib/session.js';

const POLL_MS = 400;
const SUMMARY = [
  ['rows', '数据行'],
  ['cases_created', '新建案件'],
  ['cases_updated', '更新案件'],
  ['parties_created', '新建当事人'],
  ['parties_updated', '更新当事人'],
  ['contact_points_added', '新增联系方式'],
  ['documents_created', '新建文书'],
  ['files_attached', '关联文书文件'],
  ['deliveries_created', '新建送达任务'],
  ['deliveries_updated', '更新送达任务'],
  ['error_count', '错误'],
  ['warning_count', '警告'],
  ['cases_refused', '被拒的案件'],
  ['rows_refused', '被拒的数据行'],
];
const LEVELS = { error: '错误', warning: '警告' };

/** POST the form with XMLHttpRequest, which reports the upload's progress (fetch does not). */
function uploadForm(formData, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/intake/imports');
    request.setRequestHeader('Authorization', `Bearer ${currentToken()}`);
    request.setRequestHeader('Accept', 'application/json');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { body = null; }
      if (request.status === 401) redirectToLogin('expired');
      if (request.status === 202) resolve(body);
      else reject(new Error((body && typeof body.detail === 'string' && body.detail) || `上传失败（${request.status}）`));
    });
    request.addEventListener('error', () => reject(new Error('网络连接失败，请检查网络')));
    request.send(formData);
  });
}

class ImportsPage {
  constructor(user) {
    this.user = user;
    this.jobId = null;
  }

  async start() {
    byId('upload').addEventListener('submit', (event) => {
      event.preventDefault();
      this.upload();
    });
    await this.loadJobs();
  }

  progress(label, fraction) {
    byId('progress').hidden = false;
    byId('progress-label').textContent = label;
    const bar = byId('progress-bar');
    if (fraction === null) bar.removeAttribute('value');
    else bar.value = Math.round(fraction * 100);
  }

  async upload() {
    const form = byId('upload');
    const file = byId('export-file').files[0];
    if (!file) {
      toast('请选择案件表文件', 'error');
      return;
    }
    const data = new FormData();
    data.append('file', file);
    const documents = byId('documents-file').files[0];
    if (documents) data.append('documents', documents);
    data.append('valid_cases_only', String(byId('valid-only').checked));
    data.append('dry_run', String(byId('dry-run').checked));
    byId('start-import').disabled = true;
    try {
      this.progress('正在上传…', 0);
      const accepted = await uploadForm(data, (share) => this.progress(`正在上传 ${Math.round(share * 100)}%`, share));
      this.jobId = accepted.id;
      const job = await this.follow(accepted.id);
      this.showJob(job);
      form.reset();
      await this.loadJobs();
    } catch (error) {
      this.progress(`导入未开始：${error.message}`, 0);
      toast(error.message, 'error');
    } finally {
      byId('start-import').disabled = false;
    }
  }

  /** Poll the job until it is finished, moving the bar with its rows. */
  async follow(jobId) {
    for (;;) {
      const job = await api(`/api/intake/imports/${jobId}`);
      if (['done', 'partial', 'failed'].includes(job.status)) {
        this.progress(`${job.status_label}：共 ${job.total_rows} 行`, 1);
        return job;
      }
      if (job.status === 'writing') this.progress(`写入数据库…（${job.total_rows} 行已校验）`, null);
      else if (job.total_rows) this.progress(`校验中：${job.processed_rows} / ${job.total_rows} 行`, job.progress);
      else this.progress('排队中…', 0);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async open(jobId) {
    this.jobId = jobId;
    try {
      this.showJob(await api(`/api/intake/imports/${jobId}`));
      this.markSelected();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  showJob(job) {
    const section = byId('job');
    section.hidden = false;
    const problems = [
      ...job.errors.map((issue) => ({ ...issue, level: 'error' })),
      ...job.warnings.map((issue) => ({ ...issue, level: 'warning' })),
    ].sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || (a.level === 'error' ? -1 : 1));
    const summary = job.summary || {};
    const outcome = {
      done: job.dry_run ? '试运行完成，未写入任何数据。' : '已导入。',
      partial: '只导入了无误的案件；下列案件整案未导入，改正后重新上传即可（已导入的案件不会重复）。',
      failed: job.valid_cases_only ? '没有可导入的案件，未写入任何数据。' : '文件有错误，未写入任何数据。改正后重新上传，或勾选“只导入无误的案件”。',
    }[job.status] || '';
    const refused = summary.refused_cases || [];
    replaceChildren(section,
      h('div', { class: 'job-head' },
        h('h2', {}, `导入 #${job.id}：${job.filename}`),
        h('span', { class: `status-badge status-${job.status}`, id: 'job-status' }, job.status_label),
        problems.length ? h('button', { type: 'button', class: 'btn', id: 'download-problems', onclick: () => this.download(job) }, '下载问题清单（Excel）') : null),
      h('p', {}, outcome),
      h('dl', { class: 'summary-grid' }, SUMMARY.filter(([key]) => summary[key] !== undefined).map(([key, text]) => h('div', {}, h('dt', {}, text), h('dd', {}, String(summary[key]))))),
      refused.length ? h('div', { id: 'refused' }, h('h3', {}, `未导入（${refused.length}）：有错误的案件整案未导入，案号无法识别的行单独列出`),
        h('ul', { class: 'refused-list' }, refused.map((item) => h('li', {}, `${item.case_number || '案号无法识别'}：第 ${item.rows.join('、')} 行`)))) : null,
      problems.length ? this.problemsTable(problems) : h('p', { class: 'muted' }, '没有发现问题。'),
    );
  }

  problemsTable(problems) {
    const rows = problems.map((issue) => h('tr', { class: `problem problem-${issue.level}` },
      h('td', {}, issue.row === null || issue.row === undefined ? '文件' : `第 ${issue.row} 行`),
      h('td', {}, h('span', { class: `level level-${issue.level}` }, LEVELS[issue.level])),
      h('td', {}, issue.column || '—'),
      h('td', {}, issue.value || ''),
      h('td', {}, issue.message),
    ));
    return h('table', { class: 'data-table problems-table', id: 'problems' },
      h('thead', {}, h('tr', {}, ['行', '级别', '列', '内容', '问题'].map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', {}, rows));
  }

  async download(job) {
    try {
      const blob = await apiBlob(`/api/intake/imports/${job.id}/problems.xlsx`);
      const stem = job.filename.replace(/\.[^.]+$/, '');
      saveBlob(blob, `导入问题-${job.id}-${stem}.xlsx`);
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  async loadJobs() {
    const section = byId('jobs');
    try {
      const jobs = await api('/api/intake/imports?limit=20');
      const rows = jobs.map((job) => h('tr', { class: 'job-row', dataset: { job: job.id }, tabindex: '0', onclick: () => this.open(job.id), onkeydown: (event) => { if (event.key === 'Enter') this.open(job.id); } },
        h('td', {}, `#${job.id}`),
        h('td', {}, job.filename),
        h('td', {}, h('span', { class: `status-badge status-${job.status}` }, job.status_label)),
        h('td', {}, String(job.total_rows)),
        h('td', {}, String(job.summary.error_count ?? 0)),
        h('td', {}, String(job.summary.warning_count ?? 0)),
        h('td', {}, job.valid_cases_only ? '只导入无误的案件' : (job.dry_run ? '试运行' : '整个文件')),
        h('td', {}, formatDateTime(job.created_at)),
      ));
      replaceChildren(section, h('h2', {}, '最近的导入'),
        jobs.length ? h('table', { class: 'data-table' },
          h('thead', {}, h('tr', {}, ['任务', '文件', '状态', '行数', '错误', '警告', '方式', '时间'].map((title) => h('th', { scope: 'col' }, title)))),
          h('tbody', {}, rows)) : h('p', { class: 'muted' }, '还没有导入记录。'));
      this.markSelected();
    } catch (error) {
      replaceChildren(section, h('h2', {}, '最近的导入'), h('p', { class: 'error-text' }, `加载失败：${error.message}`));
    }
  }

  markSelected() {
    for (const row of document.querySelectorAll('.job-row')) row.setAttribute('aria-selected', String(Number(row.dataset.job) === this.jobId));
  }
}

const user = requireLogin(['clerk', 'admin']);
if (user) {
  showUser(user);
  showNav(user, location.pathname);
  new ImportsPage(user).start();
}
