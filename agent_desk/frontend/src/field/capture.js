// On-site files: hashed on the phone when taken (SHA-256), sent with that hash; the server refuses a file
// whose bytes no longer match.

import { currentToken } from '../lib/session.js';

export async function sha256Hex(file) {
  if (!globalThis.crypto || !crypto.subtle) return '';
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function uploadMedia(assignmentId, purpose, file) {
  const form = new FormData();
  form.append('purpose', purpose);
  const hash = await sha256Hex(file);
  if (hash) form.append('sha256', hash);
  form.append('file', file, file.name);
  const response = await fetch(`/api/field/tasks/${assignmentId}/media`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${currentToken()}` },
    body: form,
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(typeof body.detail === 'string' ? body.detail : `上传失败（${response.status}）`);
  return body;
}

/** The phone's position: { lon, lat, accuracy_m } (WGS-84), or an error in Chinese. */
export function currentPosition() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('此设备不支持定位'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ lon: position.coords.longitude, lat: position.coords.latitude, accuracy_m: position.coords.accuracy }),
      () => reject(new Error('无法获取位置：请允许本页面使用定位')),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 10000 },
    );
  });
}
