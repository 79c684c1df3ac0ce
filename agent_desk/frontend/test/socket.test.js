import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LiveSocket } from '../src/lib/socket.js';

function recordingSocket() {
  const seen = [];
  const socket = new LiveSocket(['calls'], {
    snapshot: (topic) => seen.push(`snapshot ${topic}`),
    event: (topic, data, seq) => seen.push(`event ${topic} ${data.call_id} ${seq}`),
    applied: () => seen.push('applied'),
  });
  return { socket, seen };
}

const event = (seq, callId) => ({ type: 'event', topic: 'calls', seq, data: { call_id: callId } });

test('a batch frame is applied message by message, in order, then once as a whole', () => {
  const { socket, seen } = recordingSocket();
  const batch = { type: 'batch', data: [{ type: 'snapshot', topic: 'calls', data: { calls: [] } }, event(1, 'a'), event(2, 'b')] };
  socket.onMessage({ data: JSON.stringify(batch) });
  assert.deepEqual(seen, ['snapshot calls', 'event calls a 1', 'event calls b 2', 'applied']);
  assert.equal(socket.lastSeq.get('calls'), 2);
});

test('a single message is applied on its own', () => {
  const { socket, seen } = recordingSocket();
  socket.onMessage({ data: JSON.stringify(event(7, 'c')) });
  assert.deepEqual(seen, ['event calls c 7', 'applied']);
});

test('a frame that is not JSON changes nothing', () => {
  const { socket, seen } = recordingSocket();
  socket.onMessage({ data: '{not json' });
  assert.deepEqual(seen, []);
});
