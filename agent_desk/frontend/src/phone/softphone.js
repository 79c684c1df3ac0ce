// The browser softphone: JsSIP over Asterisk's websocket, one call at a time.
// Listens to: registration changes and calls; UI code subscribes to 'change'.

import JsSIP from 'jssip';

import { keepLoopbackCandidates, pageIsOnLoopback } from './sdp.js';
import { microphoneConstraints, savePhoneSettings } from './settings.js';

const EXPECTATION_MS = 60000;

export class Softphone extends EventTarget {
  /** sip: {ws_url, uri, username, password, display_name} from GET /api/desk/me. */
  constructor({ sip, settings, audioElement }) {
    super();
    this.sip = sip;
    this.settings = settings;
    this.audio = audioElement;
    this.ua = null;
    this.registration = 'idle'; // idle | connecting | registered | unregistered | failed
    this.registrationError = '';
    this.call = null; // {session, direction, number, state, muted, held, startedAt}
    this.expected = null; // {number, until}: a call the desk just asked the system to place
    this.loopbackOnly = pageIsOnLoopback();
  }

  start() {
    const socket = new JsSIP.WebSocketInterface(this.sip.ws_url);
    this.ua = new JsSIP.UA({
      sockets: [socket],
      uri: this.sip.uri,
      authorization_user: this.sip.username,
      password: this.sip.password,
      display_name: this.sip.display_name,
      register: true,
      session_timers: false,
      user_agent: 'Songda-Desk',
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    this.ua.on('connecting', () => this.setRegistration('connecting'));
    this.ua.on('registered', () => this.setRegistration('registered'));
    this.ua.on('unregistered', () => this.setRegistration('unregistered'));
    this.ua.on('disconnected', () => this.setRegistration('connecting'));
    this.ua.on('registrationFailed', (event) => this.setRegistration('failed', event.cause));
    this.ua.on('newRTCSession', (event) => this.onNewSession(event));
    this.ua.start();
    if (this.settings.outputDeviceId) this.applySettings(this.settings);
  }

  stop() {
    if (this.ua) this.ua.stop();
  }

  /** The desk asked the system to call NUMBER: the system rings this phone first. */
  expectCall(number) {
    this.expected = { number: String(number || ''), until: Date.now() + EXPECTATION_MS };
  }

  answer() {
    if (!this.call || this.call.direction !== 'incoming' || this.call.state !== 'ringing') return;
    this.call.state = 'answering';
    this.call.session.answer({
      mediaConstraints: microphoneConstraints(this.settings),
      pcConfig: { iceServers: [] },
    });
    this.changed();
  }

  hangup() {
    if (this.call && !this.call.session.isEnded()) this.call.session.terminate();
  }

  toggleMute() {
    if (!this.call || this.call.state !== 'active') return;
    if (this.call.muted) this.call.session.unmute({ audio: true });
    else this.call.session.mute({ audio: true });
  }

  toggleHold() {
    if (!this.call || !['active', 'held'].includes(this.call.state)) return;
    if (this.call.held) this.call.session.unhold();
    else this.call.session.hold();
  }

  /** New audio settings: the output device applies at once, the microphone on the next call. */
  async applySettings(settings) {
    this.settings = settings;
    savePhoneSettings(settings);
    if (this.audio.setSinkId && settings.outputDeviceId !== undefined) {
      try {
        await this.audio.setSinkId(settings.outputDeviceId || '');
      } catch (error) {
        console.warn('setSinkId failed', error);
      }
    }
    this.changed();
  }

  onNewSession({ session, originator }) {
    if (this.call && !this.call.session.isEnded()) {
      if (originator === 'remote') session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    const number = (session.remote_identity && session.remote_identity.uri.user) || '';
    const displayName = (session.remote_identity && session.remote_identity.display_name) || '';
    const direction = originator === 'remote' ? 'incoming' : 'outgoing';
    this.call = { session, direction, number, displayName, state: 'ringing', muted: false, held: false, startedAt: null };
    this.watchSession(session);
    this.changed();
    if (direction === 'incoming' && this.shouldAutoAnswer(number)) this.answer();
  }

  /** Answer by itself only a call the page just asked the system for (the same number, if one was given). */
  shouldAutoAnswer(number) {
    const expected = this.expected;
    if (!this.settings.autoAnswer || !expected || Date.now() > expected.until) return false;
    if (expected.number && digitsOf(number) && !digitsOf(expected.number).endsWith(digitsOf(number))) return false;
    this.expected = null;
    return true;
  }

  watchSession(session) {
    if (this.loopbackOnly) {
      session.on('sdp', (event) => {
        event.sdp = keepLoopbackCandidates(event.sdp);
      });
    }
    session.on('peerconnection', ({ peerconnection }) => this.attachRemoteAudio(peerconnection));
    session.on('accepted', () => this.update(session, { state: 'active', startedAt: Date.now() }));
    session.on('confirmed', () => {
      this.attachRemoteAudio(session.connection);
      this.update(session, { state: 'active' });
    });
    session.on('muted', () => this.update(session, { muted: true }));
    session.on('unmuted', () => this.update(session, { muted: false }));
    session.on('hold', () => this.update(session, { held: true, state: 'held' }));
    session.on('unhold', () => this.update(session, { held: false, state: 'active' }));
    session.on('ended', (event) => this.finish(session, event.cause));
    session.on('failed', (event) => this.finish(session, event.cause));
  }

  attachRemoteAudio(connection) {
    if (!connection) return;
    const play = () => {
      const tracks = connection.getReceivers().map((receiver) => receiver.track).filter(Boolean);
      if (!tracks.length) return;
      this.audio.srcObject = new MediaStream(tracks);
      this.audio.play().catch(() => {});
    };
    connection.addEventListener('track', play);
    play();
  }

  update(session, fields) {
    if (!this.call || this.call.session !== session) return;
    Object.assign(this.call, fields);
    this.changed();
  }

  finish(session, cause) {
    if (!this.call || this.call.session !== session) return;
    this.call = { ...this.call, state: 'ended', cause };
    this.audio.srcObject = null;
    this.changed();
  }

  setRegistration(state, error = '') {
    this.registration = state;
    this.registrationError = error || '';
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }
}

function digitsOf(value) {
  return String(value || '').replace(/\D/g, '');
}
