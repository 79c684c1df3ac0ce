import assert from 'node:assert/strict';
import { test } from 'node:test';

import { keepLoopbackCandidates, pageIsOnLoopback } from '../src/phone/sdp.js';

const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
  'c=IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host generation 0',
  'a=candidate:2 1 udp 2122194687 127.0.0.1 50001 typ host generation 0',
  'a=candidate:3 1 udp 2122129151 5f0e2c1a-1b2c.local 50002 typ host generation 0',
  'a=candidate:4 1 udp 2122063615 ::1 50003 typ host generation 0',
  'a=rtpmap:111 opus/48000/2',
  '',
].join('\r\n');

test('only loopback ICE candidates stay; every other line is kept as it was', () => {
  const lines = keepLoopbackCandidates(OFFER).split('\r\n');
  assert.deepEqual(
    lines.filter((line) => line.startsWith('a=candidate:')).map((line) => line.split(' ')[4]),
    ['127.0.0.1', '::1'],
  );
  assert.deepEqual(
    lines.filter((line) => !line.startsWith('a=candidate:')),
    OFFER.split('\r\n').filter((line) => !line.startsWith('a=candidate:')),
  );
});

test('the filter applies only when the page itself is served from loopback', () => {
  assert.equal(pageIsOnLoopback('127.0.0.1'), true);
  assert.equal(pageIsOnLoopback('localhost'), true);
  assert.equal(pageIsOnLoopback('desk.court.example'), false);
});

test('a browser that gathers no loopback candidate keeps its IP-literal ones, never mDNS names', () => {
  const firefoxOffer = OFFER.split('\r\n')
    .filter((line) => !/ (127\.0\.0\.1|::1) /.test(line))
    .join('\r\n');
  const kept = keepLoopbackCandidates(firefoxOffer)
    .split('\r\n')
    .filter((line) => line.startsWith('a=candidate:'))
    .map((line) => line.split(' ')[4]);
  assert.deepEqual(kept, ['192.168.1.20']);
});
