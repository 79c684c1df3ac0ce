// JSON calls to the Songda API with the session's bearer token; errors carry a Chinese message.

import { serverClock } from './clock.js';
import { currentToken, redirectToLogin } from './session.js';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

const STATUS_MESSAGES = {
  400: '请求有误',
  403: '没有权限执行此操作',
  404: '未找到',
  409: '操作冲突，请刷新后重试',
  422: '填写的内容有误',
  429: '操作过于频繁，请稍后再试',
  503: '服务暂不可用，请稍后再试',
};

function errorMessage(status, body) {
  const detail = body && body.detail;
  // Server messages are shown when they are Chinese; framework defaults ("Not Found"...) are replaced.
  if (typeof detail === 'string' && /[\u4e00-\u9fff]/.test(detail)) return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail.map((item) => item.msg || JSON.stringify(item)).join('；');
  }
  return STATUS_MESSAGES[status] || `服务器错误（${status}）`;
}

/**
 * fetch + JSON. Options: method, body (JSON-encoded; a FormData is sent as it is, for file uploads),
 * headers, auth (default true).
 * A 401 on an authenticated call ends the session and returns to the login page.
 */
export async function api(path, { method = 'GET', body, headers = {}, auth = true } = {}) {
  const finalHeaders = { Accept: 'application/json', ...headers };
  const isForm = body instanceof FormData;
  if (body !== undefined && !isForm) finalHeaders['Content-Type'] = 'application/json';
  const token = currentToken();
  if (auth && token) finalHeaders.Authorization = `Bearer ${token}`;
  const sentAt = Date.now();
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: finalHeaders,
      body: body === undefined || isForm ? body : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(0, '网络连接失败，请检查网络', null);
  }
  serverClock.observeHttpDate(response.headers.get('Date'), sentAt, Date.now());
  const data = await readBody(response);
  if (response.status === 401 && auth) {
    redirectToLogin('expired');
    throw new ApiError(401, '登录已失效，请重新登录', data);
  }
  if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, data), data);
  return data;
}

async function readBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/** A fresh Idempotency-Key: one per user action, reused only when that same action is retried. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * POST with an Idempotency-Key, retried with the same key when the network failed or the
 * server was briefly unavailable: the server returns the first result instead of acting twice.
 */
export async function postIdempotent(path, body, key, { attempts = 3 } = {}) {
  let lastError = null;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      return await api(path, { method: 'POST', body, headers: { 'Idempotency-Key': key } });
    } catch (error) {
      lastError = error;
      if (!(error instanceof ApiError) || ![0, 502, 504].includes(error.status)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
    }
  }
  throw lastError;
}

/**
 * GET a file with the session's bearer token: its bytes as a Blob (errors as api() raises them). For PDFs
 * shown in the page and files saved by the user; audio uses a signed link instead (it must seek by Range).
 */
export async function apiBlob(path) {
  const token = currentToken();
  let response;
  try {
    response = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  } catch {
    throw new ApiError(0, '网络连接失败，请检查网络', null);
  }
  if (response.status === 401) {
    redirectToLogin('expired');
    throw new ApiError(401, '登录已失效，请重新登录', null);
  }
  if (!response.ok) {
    const data = await readBody(response);
    throw new ApiError(response.status, errorMessage(response.status, data), data);
  }
  return response.blob();
}

/** Save BLOB as a file named FILENAME (a download the browser shows). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
