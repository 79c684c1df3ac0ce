// On-site files: hashed on the phone when taken (SHA-256, WebCrypto), sent later with that hash; the
// server refuses a file whose bytes no longer match. And the phone's position for the check-in.

export async function sha256Hex(file) {
  if (!globalThis.crypto || !crypto.subtle) throw new Error('此浏览器无法计算文件哈希（需要 HTTPS 访问）');
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
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
