// The server's clock as seen from this page. Durations are always computed as
// serverNow() - timestamp, never by counting timer ticks (background tabs throttle timers).

/**
 * HTTP Date headers have one-second resolution: each response bounds the offset
 * (server - local) between `date - receivedAt` and `date + 1000 - sentAt`. The bounds of
 * successive responses are intersected; the estimate is the middle of what is left.
 */
export class ServerClock {
  constructor() {
    this.low = -Infinity;
    this.high = Infinity;
    this.offsetMs = 0;
  }

  observeHttpDate(dateHeader, sentAt, receivedAt) {
    const serverMs = Date.parse(dateHeader || '');
    if (Number.isNaN(serverMs)) return;
    this.observeRange(serverMs - receivedAt, serverMs + 1000 - sentAt);
  }

  /** An exact server timestamp (ms) received at `receivedAt` (e.g. in a websocket message). */
  observeExact(serverMs, receivedAt) {
    if (!Number.isFinite(serverMs)) return;
    this.observeRange(serverMs - receivedAt - 2000, serverMs - receivedAt);
  }

  observeRange(low, high) {
    const newLow = Math.max(this.low, low);
    const newHigh = Math.min(this.high, high);
    if (newLow > newHigh) {
      // The local clock jumped (or the server's did): start over from this observation.
      this.low = low;
      this.high = high;
    } else {
      this.low = newLow;
      this.high = newHigh;
    }
    this.offsetMs = Math.round((this.low + this.high) / 2);
  }

  now() {
    return Date.now() + this.offsetMs;
  }

  /** Whole seconds from now (server time) until an ISO timestamp; 0 once it has passed. */
  secondsUntil(iso) {
    const end = Date.parse(iso || '');
    return Number.isNaN(end) ? null : Math.max(0, Math.ceil((end - this.now()) / 1000));
  }

  /** Whole seconds from an ISO timestamp until now (server time); null without a timestamp. */
  secondsSince(iso, until = null) {
    if (!iso) return null;
    const start = Date.parse(iso);
    if (Number.isNaN(start)) return null;
    const end = until ? Date.parse(until) : this.now();
    return Math.max(0, Math.floor((end - start) / 1000));
  }
}

export const serverClock = new ServerClock();

/** 75 -> "01:15"; 3725 -> "1:02:05". */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '--:--';
  const s = Math.floor(seconds % 60);
  const m = Math.floor((seconds / 60) % 60);
  const hours = Math.floor(seconds / 3600);
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const timeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** ISO timestamp -> Beijing time "2025/03/01 14:05". */
export function formatDateTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateTimeFormat.format(date);
}

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : timeFormat.format(date);
}

/** Today's date in Beijing as YYYY-MM-DD (for the pickup slot picker). */
export function beijingDate(offsetDays = 0) {
  const shifted = new Date(serverClock.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return shifted.toISOString().slice(0, 10);
}

/**
 * Re-render every second and whenever the tab becomes visible again. The callback must
 * compute everything from timestamps, so throttled or skipped ticks do no harm.
 */
export function everySecond(render) {
  const timer = setInterval(render, 1000);
  const onVisible = () => {
    if (document.visibilityState === 'visible') render();
  };
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
