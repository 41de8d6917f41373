import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceScheduler } from '../../src/experiments/schedule';

test('each worker stays on one trace; a worker whose trace runs out joins the one with most jobs left per worker', () => {
  // jobs 0-9 alternate between traces a and b (5 each), job 10 is trace c's only job
  const traces = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'c'];
  const s = new TraceScheduler(traces, 2);
  assert.deepEqual(s.take(0, 2), [0, 2]);
  assert.deepEqual(s.take(1, 2), [1, 3]);
  assert.deepEqual(s.take(0, 9), [4, 6, 8]);
  assert.equal(s.left, 4);
  // a is done: b has 3 jobs left for 2 workers (1.5 each), c one job for one worker
  assert.deepEqual(s.take(0, 1), [5]);
  assert.deepEqual(s.take(1, 5), [7, 9]);
  assert.deepEqual(s.take(1, 5), [10]);
  assert.deepEqual(s.take(0, 5), []);
  assert.equal(s.left, 0);
});

test('every job is handed out exactly once, whatever the chunk sizes and the order workers ask in', () => {
  const traces = Array.from({ length: 50 }, (_, i) => (i * 7) % 4);
  const s = new TraceScheduler(traces, 3);
  const seen: number[] = [];
  for (let ask = 0; s.left > 0; ask++) seen.push(...s.take(ask % 3, 1 + (ask % 5)));
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    traces.map((_, i) => i),
  );
});
