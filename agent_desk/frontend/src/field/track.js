// The day's GPS track: positions kept while the page is open, sent in batches (mileage is measured on it).
// Without signal a batch goes to the phone's outbox (IndexedDB) and is sent with the visit records, so a
// spell without signal still counts; the server keeps a position sent twice once.

import { api } from '../lib/api.js';

const SEND_EVERY_MS = 60000;

export class TrackRecorder {
  constructor(outbox = null) {
    this.outbox = outbox;
    this.pending = [];
    this.watch = null;
  }

  start() {
    if (!navigator.geolocation || this.watch !== null) return;
    this.watch = navigator.geolocation.watchPosition(
      (position) => this.pending.push({ at: new Date(position.timestamp).toISOString(), lon: position.coords.longitude, lat: position.coords.latitude, accuracy_m: position.coords.accuracy }),
      () => {},
      { enableHighAccuracy: true, maximumAge: 5000 },
    );
    setInterval(() => this.flush(), SEND_EVERY_MS);
  }

  async flush() {
    if (!this.pending.length) return;
    const batch = this.pending.splice(0, 500);
    try {
      if (!navigator.onLine) throw new Error('offline');
      await api('/api/field/track', { method: 'POST', body: { fixes: batch } });
    } catch {
      if (this.outbox) await this.outbox.add({ kind: 'track', label: 'GPS 轨迹', body: { fixes: batch } });
      else this.pending.unshift(...batch); // kept for the next try
    }
  }
}
