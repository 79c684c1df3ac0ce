// The visit records the phone could not send yet, sent in the order they were made once there is signal.
// Files go in resumable chunks: the server says how many bytes it has, and the phone sends from there
// (a dropped connection costs one chunk, never the whole file). Each record is sent until the server
// answers; a refusal (a file whose bytes no longer match the hash taken at capture, a result missing
// facts) is reported to the officer and taken out of the queue.

import { ApiError, api } from '../lib/api.js';
import { currentToken } from '../lib/session.js';
import { enqueue, pending, remove, update } from './store.js';

export const CHUNK_BYTES = 256 * 1024;
const RETRY_MS = 5000;

const PATHS = {
  check_in: (record) => `/api/field/tasks/${record.assignment_id}/check-in`,
  signature: (record) => `/api/field/tasks/${record.assignment_id}/signatures`,
  outcome: (record) => `/api/field/tasks/${record.assignment_id}/outcome`,
  track: () => '/api/field/track',
};

function offline(error) {
  return error instanceof ApiError ? error.status === 0 || error.status >= 502 : error instanceof TypeError;
}

async function sendChunk(upload, blob) {
  const from = upload.received_bytes;
  let response;
  try {
    response = await fetch(`/api/field/uploads/${upload.upload_id}/chunk`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${currentToken()}`, 'Upload-Offset': String(from), 'Content-Type': 'application/octet-stream' },
      body: blob.slice(from, from + CHUNK_BYTES),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, '网络连接失败，请检查网络', null);
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 409) {
    // resume where the server is; a conflict that is not about the offset (the visit ended) is an answer
    const state = await api(`/api/field/uploads/${upload.upload_id}`);
    if (state.state === 'receiving' && state.received_bytes === from) throw new ApiError(409, body.detail || '上传冲突', body);
    return state;
  }
  if (response.status === 422 && body.upload) return body.upload; // refused: the caller tells the officer
  if (!response.ok) throw new ApiError(response.status, typeof body.detail === 'string' ? body.detail : `上传失败（${response.status}）`, body);
  return body;
}

/** Send a captured file from where the server's copy ends; returns the final upload state. */
export async function sendFile(record, onProgress = () => {}) {
  const declared = {
    purpose: record.purpose,
    filename: record.filename,
    size_bytes: record.blob.size,
    sha256: record.sha256,
    captured_at: record.captured_at,
  };
  let upload = await api(`/api/field/tasks/${record.assignment_id}/uploads`, { method: 'POST', body: declared });
  while (upload.state === 'receiving') {
    onProgress(upload.received_bytes, upload.size_bytes);
    upload = await sendChunk(upload, record.blob);
  }
  onProgress(upload.received_bytes, upload.size_bytes);
  return upload;
}

export class Outbox {
  /** Records of USER_ID only (a phone shared by officers keeps each one's records for them);
   * listener(event): { type: 'sent'|'refused'|'progress'|'changed', record, message } */
  constructor(userId, listener) {
    this.userId = userId;
    this.listener = listener;
    this.running = null;
    this.timer = null;
    window.addEventListener('online', () => this.flush());
  }

  async add(record) {
    await enqueue({ ...record, user_id: this.userId });
    this.listener({ type: 'changed' });
    return this.flush();
  }

  async records() {
    return (await pending()).filter((record) => record.user_id === this.userId);
  }

  /** Send what waits, in order; stops at the first record that cannot go out for want of signal. */
  flush() {
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  async drain() {
    clearTimeout(this.timer);
    const records = (await this.records()).sort((a, b) => a.id - b.id);
    for (const record of records) {
      try {
        await this.send(record);
        await remove(record.id);
        this.listener({ type: 'sent', record });
      } catch (error) {
        if (offline(error)) {
          this.timer = setTimeout(() => this.flush(), RETRY_MS);
          this.listener({ type: 'changed' });
          return;
        }
        await remove(record.id);
        this.listener({ type: 'refused', record, message: error.message });
      }
    }
    this.listener({ type: 'changed' });
  }

  async send(record) {
    if (record.kind !== 'file') {
      record.answer = await api(PATHS[record.kind](record), { method: 'POST', body: record.body });
      return;
    }
    const upload = await sendFile(record, (received, size) => this.listener({ type: 'progress', record, received, size }));
    if (upload.state === 'refused') {
      if (!record.resent) {
        await update({ ...record, resent: true }); // sent again once, from the first byte
        return this.send({ ...record, resent: true });
      }
      throw new Error(`${record.label}已被拒收：${upload.refusal}`);
    }
    record.answer = upload;
  }
}
