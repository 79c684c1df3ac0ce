// The day's GPS track: positions kept while the page is open, sent in batches (mileage is measured on it).

import { api } from '../lib/api.js';

const SEND_EVERY_MS = 60000;

export class TrackRecorder {
  constructor() {
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
      await api('/api/field/track', { method: 'POST', body: { fixes: batch } });
    } catch {
      this.pending.unshift(...batch); // no signal: kept for the next try
    }
  }
}
