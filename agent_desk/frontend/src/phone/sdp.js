// SDP rewriting for loopback-only deployments (Chromium + Asterisk on 127.0.0.1).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function pageIsOnLoopback(hostname = location.hostname) {
  return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.');
}

function isLoopbackAddress(address) {
  return address.startsWith('127.') || address === '::1';
}

/**
 * Drop every ICE candidate whose address is not a loopback address ("a=candidate:f 1 udp p ADDRESS
 * port typ host ..."), including mDNS names: on a loopback-only machine they can never connect and
 * only delay or break ICE.
 */
export function keepLoopbackCandidates(sdp) {
  const lines = sdp.split(/\r\n/);
  const kept = lines.filter((line) => {
    if (!line.startsWith('a=candidate:')) return true;
    const address = line.split(' ')[4] || '';
    return isLoopbackAddress(address);
  });
  return kept.join('\r\n');
}
