// The live websocket: log in and subscribe to topics with the first message, receive snapshots and events,
// reconnect with exponential backoff (with jitter); the server re-sends a snapshot of each topic on every
// connect.

import { serverClock } from './clock.js';
import { currentToken, redirectToLogin } from './session.js';

const PING_EVERY_MS = 20000;
const MAX_BACKOFF_MS = 30000;
const CLOSE_UNAUTHORIZED = 4401; // token revoked or expired
const CLOSE_FORBIDDEN = 4403; // this role has no live desk

export class LiveSocket {
  /**
   * topics: names to subscribe to; handlers: { snapshot(topic, data), event(topic, data, seq),
   * applied(), status(state) } where state is 'connecting' | 'open' | 'closed'. applied() follows the
   * messages of each frame (a batch carries several): a page can render once there, not per message.
   */
  constructor(topics, handlers) {
    this.topics = topics;
    this.handlers = handlers;
    this.ws = null;
    this.failures = 0;
    this.lastSeq = new Map();
    this.stopped = false;
    this.pingTimer = null;
    this.retryTimer = null;
  }

  start() {
    this.stopped = false;
    this.connect();
    window.addEventListener('online', () => this.reconnectNow());
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.ws) this.ws.close(1000);
  }

  reconnectNow() {
    if (this.stopped || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  connect() {
    const token = currentToken();
    if (!token) {
      redirectToLogin();
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.emitStatus('connecting');
    // No token in the URL (URLs end up in logs): it goes in the first message, once open.
    const ws = new WebSocket(`${scheme}://${location.host}/ws`);
    this.ws = ws;
    ws.addEventListener('open', () => this.onOpen(ws, token));
    ws.addEventListener('message', (message) => this.onMessage(message));
    ws.addEventListener('close', (close) => this.onClose(ws, close));
  }

  onOpen(ws, token) {
    if (ws !== this.ws) {
      ws.close();
      return;
    }
    // batch: under load the server sends the messages waiting for this desk in one frame.
    this.send({ type: 'auth', data: { token, topics: this.topics, batch: true } });
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
    this.emitStatus('open');
  }

  onMessage(message) {
    let envelope;
    try {
      envelope = JSON.parse(message.data);
    } catch {
      return;
    }
    const envelopes = envelope.type === 'batch' ? envelope.data : [envelope];
    for (const each of envelopes) this.onEnvelope(each);
    this.handlers.applied?.();
  }

  onEnvelope(envelope) {
    const serverTime = envelope.server_time || (envelope.data && envelope.data.server_time);
    if (serverTime) serverClock.observeExact(Date.parse(serverTime), Date.now());
    if (envelope.type === 'hello') {
      this.failures = 0; // logged in: a refused login (closed after open) keeps backing off
    } else if (envelope.type === 'snapshot') {
      this.lastSeq.delete(envelope.topic);
      this.handlers.snapshot?.(envelope.topic, envelope.data);
    } else if (envelope.type === 'event') {
      this.lastSeq.set(envelope.topic, envelope.seq);
      this.handlers.event?.(envelope.topic, envelope.data, envelope.seq);
    } else if (envelope.type === 'error') {
      console.warn('websocket error', envelope.data);
    }
  }

  onClose(ws, close) {
    clearInterval(this.pingTimer);
    if (ws !== this.ws) return;
    this.ws = null;
    this.emitStatus('closed');
    if (close.code === CLOSE_UNAUTHORIZED) {
      redirectToLogin('expired');
      return;
    }
    if (close.code === CLOSE_FORBIDDEN) {
      this.stopped = true;
      this.emitStatus('forbidden');
      return;
    }
    if (this.stopped) return;
    this.failures += 1;
    const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 8));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  emitStatus(state) {
    this.handlers.status?.(state);
  }
}
