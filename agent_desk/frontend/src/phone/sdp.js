// SDP rewriting for loopback-only deployments (Chromium + Asterisk on 127.0.0.1).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function pageIsOnLoopback(hostname = location.hostname) {
  return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.');
}

function isLoopbackAddress(address) {
  return address.startsWith('127.') || address === '::1';
}

/**
 * Keep only ICE candidates that can connect on a loopback-only machine ("a=candidate:f 1 udp p ADDRESS
 * port typ host ..."): the loopback ones. A browser that gathers none (Firefox skips loopback) keeps its
 * IP-literal host candidates instead, which still reach Asterisk on the same host. mDNS names (.local)
 * always go: they can never resolve here and only delay or break ICE.
 */
export function keepLoopbackCandidates(sdp) {
  const lines = sdp.split(/\r\n/);
  const addressOf = (line) => line.split(' ')[4] || '';
  const candidates = lines.filter((line) => line.startsWith('a=candidate:'));
  const hasLoopback = candidates.some((line) => isLoopbackAddress(addressOf(line)));
  const usable = (address) => (hasLoopback ? isLoopbackAddress(address) : !address.endsWith('.local'));
  return lines.filter((line) => !line.startsWith('a=candidate:') || usable(addressOf(line))).join('\r\n');
}
