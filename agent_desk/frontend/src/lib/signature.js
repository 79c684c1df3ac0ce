// A handwritten signature captured on a canvas (signature_pad): the strokes (points with time) and the
// PNG go to the server, which keeps both as evidence (backend/signatures). One piece for every screen that
// asks for a signature: the court window, e-delivery, field delivery.

import SignaturePad from 'signature_pad';

import { h } from './dom.js';

export class SignatureCapture {
  /**
   * Build the signing area inside CONTAINER (its height comes from the .signature-canvas style).
   * Options: label (what is being signed), onChange(empty) after each stroke or clear.
   */
  constructor(container, { label = '请在此处签名', onChange = () => {} } = {}) {
    this.onChange = onChange;
    this.canvas = h('canvas', { class: 'signature-canvas', 'aria-label': label });
    this.hint = h('div', { class: 'signature-hint' }, label);
    const clear = h('button', { type: 'button', class: 'btn signature-clear', onclick: () => this.clear() }, '重签');
    this.box = h('div', { class: 'signature-box' }, this.hint, this.canvas, clear);
    container.append(this.box);
    this.pad = new SignaturePad(this.canvas, { penColor: '#111', minWidth: 1, maxWidth: 3, backgroundColor: 'rgba(255,255,255,0)' });
    this.pad.addEventListener('endStroke', () => this.changed());
    // Sized when it is laid out (the container may not be on the page yet) and whenever it is resized.
    this.size = '';
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this.canvas);
  }

  /** Match the canvas's pixels to its size on screen (sharp on high-DPI tablets); the drawing is kept. */
  fit() {
    const size = `${this.canvas.offsetWidth}x${this.canvas.offsetHeight}`;
    if (!this.canvas.offsetWidth || size === this.size) return;
    this.size = size;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = this.pad.toData();
    this.canvas.width = this.canvas.offsetWidth * ratio;
    this.canvas.height = this.canvas.offsetHeight * ratio;
    this.canvas.getContext('2d').scale(ratio, ratio);
    this.pad.clear();
    if (data.length) this.pad.fromData(data);
    this.canvas.dataset.ready = 'true'; // laid out: strokes drawn from now on are kept
  }

  changed() {
    this.hint.hidden = !this.isEmpty();
    this.onChange(this.isEmpty());
  }

  isEmpty() {
    return this.pad.isEmpty();
  }

  clear() {
    this.pad.clear();
    this.changed();
  }

  /** What the API takes: { strokes, png_data_url }. */
  value() {
    return { strokes: this.pad.toData(), png_data_url: this.pad.toDataURL('image/png') };
  }

  setEnabled(enabled) {
    if (enabled) this.pad.on();
    else this.pad.off();
    this.box.classList.toggle('signature-disabled', !enabled);
  }

  destroy() {
    this.observer.disconnect();
    this.pad.off();
    this.box.remove();
  }
}
