// The case file's calls: each with an audio player that seeks (the recording streams from a signed,
// expiring link, so the browser fetches it by Range requests), the per-speaker transcript following the
// audio (the line being spoken is highlighted; a click on a line jumps there) and the key-phrase flags to
// confirm or dismiss.

import { api } from '../lib/api.js';
import { formatDateTime, formatDuration } from '../lib/clock.js';
import { h, replaceChildren, toast } from '../lib/dom.js';
import { SPEAKER_LABELS } from './labels.js';

const REVIEWERS = ['admin', 'supervisor', 'agent', 'clerk'];
const REVIEW_LABELS = { open: '待复核', confirmed: '已确认', dismissed: '已排除' };

/** The line of UTTERANCES being spoken at SECONDS (the last one started), or -1 before the first. */
export function lineAt(utterances, seconds) {
  let current = -1;
  utterances.forEach((utterance, index) => {
    if (utterance.start <= seconds + 0.05) current = index;
  });
  return current;
}

class CallView {
  constructor(call, user, caseId) {
    this.call = call;
    this.user = user;
    this.caseId = caseId;
    this.audio = null;
    this.lines = [];
    this.current = -1;
  }

  recording() {
    return this.call.recordings.find((item) => item.leg === 'mix') || this.call.recordings[0] || null;
  }

  /** The <audio> element, its source a fresh signed link (asked for once, when first needed). */
  async player() {
    if (this.audio) return this.audio;
    const recording = this.recording();
    const link = await api(`/api/evidence/${recording.evidence_id}/media-link`, { method: 'POST' });
    const audio = h('audio', { controls: true, preload: 'metadata', class: 'call-audio', src: link.url });
    audio.addEventListener('timeupdate', () => this.follow(audio.currentTime));
    audio.addEventListener('seeked', () => this.follow(audio.currentTime));
    audio.addEventListener('error', () => toast('录音加载失败，请刷新页面后重试', 'error'));
    replaceChildren(this.playerBox, audio);
    this.audio = audio;
    return audio;
  }

  async playFrom(seconds) {
    try {
      const audio = await this.player();
      if (audio.readyState < 1) await new Promise((resolve) => audio.addEventListener('loadedmetadata', resolve, { once: true }));
      audio.currentTime = seconds;
      await audio.play();
    } catch (error) {
      toast(`无法播放录音：${error.message}`, 'error');
    }
  }

  follow(seconds) {
    const utterances = this.call.transcript ? this.call.transcript.utterances : [];
    const index = lineAt(utterances, seconds);
    if (index === this.current) return;
    if (this.lines[this.current]) this.lines[this.current].classList.remove('current');
    this.current = index;
    const line = this.lines[index];
    if (line) {
      line.classList.add('current');
      line.setAttribute('aria-current', 'true');
    }
    this.lines.forEach((other, i) => { if (i !== index) other.removeAttribute('aria-current'); });
  }

  render() {
    const call = this.call;
    const recording = this.recording();
    this.playerBox = h('div', { class: 'call-player' },
      recording
        ? h('button', { class: 'btn btn-primary play-recording', type: 'button', onclick: () => this.playFrom(0) }, '▶ 播放录音')
        : h('span', { class: 'muted' }, '无录音'));
    return h('article', { class: 'call-card', dataset: { call: call.call_id, record: String(call.call_record_id) } },
      h('header', { class: 'call-head' },
        h('strong', {}, formatDateTime(call.answered_at || call.originated_at)),
        h('span', {}, `拨打 ${call.number_dialled}`),
        h('span', { class: 'tag' }, call.outcome_label || call.status),
        h('span', { class: 'muted' }, `通话 ${formatDuration(call.talk_seconds)}`),
        h('span', { class: 'muted' }, `送达尝试 #${call.delivery_attempt_id}`)),
      this.playerBox,
      this.transcript(),
      this.flags());
  }

  transcript() {
    const transcript = this.call.transcript;
    if (!transcript) return h('p', { class: 'muted' }, '暂无转写');
    if (transcript.status !== 'done') return h('p', { class: 'muted' }, `转写：${transcript.status_label}${transcript.error ? `（${transcript.error}）` : ''}`);
    this.lines = transcript.utterances.map((utterance, index) => h('li', {
      class: `line speaker-${utterance.speaker}`,
      dataset: { index: String(index), start: String(utterance.start) },
      tabindex: '0',
      title: '点击从此处播放',
      onclick: () => this.playFrom(utterance.start),
      onkeydown: (event) => { if (event.key === 'Enter') this.playFrom(utterance.start); },
    }, h('span', { class: 'line-time' }, formatDuration(utterance.start)), h('span', { class: 'line-speaker' }, utterance.speaker_label || SPEAKER_LABELS[utterance.speaker]), h('span', { class: 'line-text' }, utterance.text)));
    return h('ol', { class: 'transcript', 'aria-label': '通话转写' }, this.lines);
  }

  flags() {
    const flags = this.call.transcript ? this.call.transcript.flags : [];
    if (!flags.length) return null;
    const canReview = REVIEWERS.includes(this.user.role);
    const list = h('ul', { class: 'flags' });
    const draw = () => replaceChildren(list, flags.map((flag) => h('li', { class: `flag flag-${flag.review_status}`, dataset: { flag: String(flag.id) } },
      h('span', { class: 'tag' }, flag.category_label),
      h('button', { class: 'link-button', type: 'button', title: '跳到此处', onclick: () => this.playFrom(flag.start) }, `“${flag.phrase}” ${formatDuration(flag.start)}`),
      h('span', { class: 'flag-state' }, REVIEW_LABELS[flag.review_status] || flag.review_label),
      canReview && flag.review_status === 'open' ? [
        h('button', { class: 'btn btn-small btn-ok', type: 'button', onclick: () => review(flag, 'confirmed') }, '确认'),
        h('button', { class: 'btn btn-small', type: 'button', onclick: () => review(flag, 'dismissed') }, '排除'),
      ] : null)));
    const review = async (flag, decision) => {
      try {
        const updated = await api(`/api/transcripts/flags/${flag.id}/review`, { method: 'POST', body: { decision } });
        Object.assign(flag, updated);
        draw();
        toast(decision === 'confirmed' ? '已确认' : '已排除');
      } catch (error) {
        toast(`操作失败：${error.message}`, 'error');
      }
    };
    draw();
    return h('div', { class: 'flag-box' }, h('h4', {}, '关键词提示'), h('p', { class: 'muted' }, this.call.transcript.flag_notice || ''), list);
  }
}

/** Render the case's CALLS into BOX. */
export function renderCalls(box, calls, user, caseId) {
  if (!calls.length) {
    replaceChildren(box, h('h2', {}, '通话'), h('p', { class: 'muted' }, '本案暂无通话记录'));
    return;
  }
  replaceChildren(box, h('h2', {}, `通话（${calls.length}）`), calls.map((call) => new CallView(call, user, caseId).render()));
}
