import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ServerClock, formatDuration } from '../src/lib/clock.js';

test('HTTP Date headers narrow the server clock offset to the overlap of their bounds', () => {
  const clock = new ServerClock();
  // Server says 10:00:00 (true time in [0, 1000) ms later); request sent at local 0, answered at 200.
  clock.observeHttpDate('Thu, 01 Jan 1970 00:00:05 GMT', 0, 200);
  assert.deepEqual([clock.low, clock.high], [4800, 6000]);
  clock.observeHttpDate('Thu, 01 Jan 1970 00:00:06 GMT', 700, 800);
  assert.deepEqual([clock.low, clock.high], [5200, 6000]);
  assert.equal(clock.offsetMs, 5600);
});

test('a local clock jump starts the estimate over instead of keeping an empty range', () => {
  const clock = new ServerClock();
  clock.observeRange(1000, 2000);
  clock.observeRange(50000, 51000);
  assert.equal(clock.offsetMs, 50500);
});

test('durations come from timestamps, not from counted ticks', () => {
  const clock = new ServerClock();
  const seconds = clock.secondsSince('2026-03-02T01:30:00Z', '2026-03-02T01:31:15.900Z');
  assert.equal(seconds, 75);
  assert.equal(clock.secondsSince(null), null);
  assert.equal(formatDuration(75), '01:15');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(null), '--:--');
});
