// PDF documents shown in the page with PDF.js (bundled, its worker served from /assets: no CDN, and the
// page's CSP needs nothing more than 'self'). The file is fetched with the session's bearer token.
//
//   const view = await renderPdf(container, '/api/documents/7/file', { onPage: (n, total) => ... });
//   view.pageCount; view.destroy();
//
// Pages are drawn when they scroll into view; onPage(pageNumber, pageCount) is called once for each page
// the user has seen (at least half of it on screen), so a caller can report what was read.

import { GlobalWorkerOptions, getDocument } from 'pdfjs-dist';

import { apiBlob } from './api.js';
import { h } from './dom.js';

GlobalWorkerOptions.workerSrc = '/assets/pdf.worker.js';
const PDFJS_ASSETS = '/assets/pdfjs/';

/**
 * Show the PDF at URL inside CONTAINER (replacing its content). Options: onPage(pageNumber, pageCount),
 * width (CSS pixels of a page; default: the container's width), data (a Blob/ArrayBuffer instead of
 * fetching URL). Returns { pageCount, destroy() }; throws ApiError when the file cannot be fetched.
 */
export async function renderPdf(container, url, { onPage, width, data } = {}) {
  container.replaceChildren(h('p', { class: 'muted pdf-loading' }, '正在打开文书…'));
  const source = data || (await apiBlob(url));
  const bytes = new Uint8Array(source instanceof Blob ? await source.arrayBuffer() : source);
  const task = getDocument({
    data: bytes,
    cMapUrl: `${PDFJS_ASSETS}cmaps/`,
    cMapPacked: true,
    standardFontDataUrl: `${PDFJS_ASSETS}standard_fonts/`,
    enableXfa: false,
  });
  const pdf = await task.promise;
  const pageWidth = width || Math.max(320, container.clientWidth - 16);
  const seen = new Set();
  const drawn = new Set();
  const frames = [];
  for (let number = 1; number <= pdf.numPages; number += 1) {
    const frame = h('div', { class: 'pdf-page', dataset: { page: String(number) }, 'aria-label': `第 ${number} 页` });
    frame.style.minHeight = `${Math.round(pageWidth * 1.414)}px`;
    frames.push(frame);
  }
  container.replaceChildren(h('div', { class: 'pdf-view' }, frames));

  async function draw(frame) {
    const number = Number(frame.dataset.page);
    if (drawn.has(number)) return;
    drawn.add(number);
    const page = await pdf.getPage(number);
    const base = page.getViewport({ scale: 1 });
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: (pageWidth / base.width) * ratio });
    const canvas = h('canvas', { width: Math.floor(viewport.width), height: Math.floor(viewport.height) });
    canvas.style.width = `${pageWidth}px`;
    canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
    frame.replaceChildren(canvas);
    frame.style.minHeight = '';
    await page.render({ canvasContext: canvas.getContext('2d'), canvas, viewport }).promise;
    frame.dataset.rendered = 'true';
  }

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const frame = entry.target;
      draw(frame).catch((error) => frame.replaceChildren(h('p', { class: 'error-text' }, `第 ${frame.dataset.page} 页显示失败：${error.message}`)));
      const number = Number(frame.dataset.page);
      if (entry.intersectionRatio >= 0.5 && !seen.has(number)) {
        seen.add(number);
        if (onPage) onPage(number, pdf.numPages);
      }
    }
  }, { threshold: [0, 0.5] });
  for (const frame of frames) observer.observe(frame);

  return {
    pageCount: pdf.numPages,
    pagesSeen: () => [...seen].sort((a, b) => a - b),
    destroy() {
      observer.disconnect();
      task.destroy();
      container.replaceChildren();
    },
  };
}
