import assert from 'node:assert/strict';
import { test } from 'node:test';

import { queueRows } from '../src/desk/queue.js';

test('queue rows come from the topic table, the shared pool under its label', () => {
  const rows = queueRows({
    groups: [
      { group: '商事组', label: '商事组', waiting: 12, due_today: 3, overdue: 1, callbacks_due: 2, locked: 1 },
      { group: null, label: '公共队列', waiting: 4, due_today: 0, overdue: 0, callbacks_due: 0, locked: 0 },
    ],
    generated_at: '2026-03-02T01:30:00Z',
  });
  assert.deepEqual(rows[0], { group: '商事组', waiting: 12, dueToday: 3, overdue: 1, callbacksDue: 2, locked: 1 });
  assert.equal(rows[1].group, '公共队列');
  assert.deepEqual(queueRows(null), []);
});
