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

// A page without a browser: the socket class, the tab's session and its address, all recorded.
class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static made = [];

  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    this.listeners = {};
    FakeWebSocket.made.push(this);
  }

  addEventListener(type, listener) {
    (this.listeners[type] ||= []).push(listener);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close() {}

  fire(type, event = {}) {
    if (type === 'open') this.readyState = FakeWebSocket.OPEN;
    if (type === 'close') this.readyState = 3;
    for (const listener of this.listeners[type] || []) listener(event);
  }
}

function fakePage(token) {
  const stored = new Map([['songda.token', token]]);
  const left = [];
  globalThis.WebSocket = FakeWebSocket;
  globalThis.window = { addEventListener() {} };
  globalThis.sessionStorage = {
    getItem: (key) => stored.get(key) ?? null,
    setItem: (key, value) => stored.set(key, value),
    removeItem: (key) => stored.delete(key),
  };
  globalThis.location = {
    protocol: 'https:', host: 'desk.example', pathname: '/desk', search: '', assign: (url) => left.push(url),
  };
  FakeWebSocket.made = [];
  return { left };
}

test('the token goes in the first message, never in the URL, on every (re)connect', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  fakePage('tok-123');
  const socket = new LiveSocket(['me', 'queue'], {});
  socket.start();
  const login = { type: 'auth', data: { token: 'tok-123', topics: ['me', 'queue'], batch: true } };

  const [first] = FakeWebSocket.made;
  assert.equal(first.url, 'wss://desk.example/ws');
  first.fire('open');
  assert.deepEqual(first.sent, [login]);
  socket.onMessage({ data: JSON.stringify({ type: 'hello', data: { server_time: new Date().toISOString() } }) });

  first.fire('close', { code: 1006 });
  t.mock.timers.tick(1000); // the first retry waits 0.5 to 1 s
  const second = FakeWebSocket.made[1];
  assert.equal(second.url, 'wss://desk.example/ws');
  second.fire('open');
  assert.deepEqual(second.sent, [login]);
  t.mock.timers.tick(20000);
  assert.deepEqual(second.sent.at(-1), { type: 'ping' });
  socket.stop();
});

test('a refused token (4401) leaves for the login page; a refused login keeps backing off', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const { left } = fakePage('tok-456');
  const socket = new LiveSocket(['calls'], {});
  socket.start();
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const ws = FakeWebSocket.made.at(-1);
    ws.fire('open');
    ws.fire('close', { code: 4408 }); // open, but closed before any hello: no reset of the backoff
    assert.equal(socket.failures, attempt);
    t.mock.timers.tick(30000);
  }
  const last = FakeWebSocket.made.at(-1);
  last.fire('open');
  last.fire('close', { code: 4401 });
  assert.deepEqual(left, ['/login?next=%2Fdesk&reason=expired']);
  socket.stop();
});
