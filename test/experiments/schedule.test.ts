import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobScheduler } from '../../src/experiments/schedule';

test('a worker stays on one code and trace, then takes the free group running the same code', () => {
  // jobs 0-7 run codes p, q alternately on traces a, a, b, b, a, a, b, b: groups (p a) (q a) (p b) (q b)
  const s = new JobScheduler(['p', 'q', 'p', 'q', 'p', 'q', 'p', 'q'], ['a', 'a', 'b', 'b', 'a', 'a', 'b', 'b'], 2);
  assert.deepEqual(s.take(0, 5), [0, 4]);
  assert.deepEqual(s.take(1, 1), [1]);
  // (p a) is done: (p b) runs the code worker 0 has compiled, though (q b) is as large
  assert.deepEqual(s.take(0, 5), [2, 6]);
  assert.deepEqual(s.take(1, 5), [5]);
  assert.deepEqual(s.take(1, 5), [3, 7]);
  assert.equal(s.left, 0);
  assert.deepEqual(s.take(0, 5), []);
});

test('without a free group of its code a worker takes a free one on a trace it ran, then joins the fullest', () => {
  // groups in order: (s c) = job 0, (q b) = 1, 2, 3, (r a) = 4, 5, (p a) = 6
  const s = new JobScheduler(['s', 'q', 'q', 'q', 'r', 'r', 'p'], ['c', 'b', 'b', 'b', 'a', 'a', 'a'], 2);
  assert.deepEqual(s.take(0, 1), [1]); // all free: the largest, (q b)
  assert.deepEqual(s.take(1, 1), [4]); // the largest free one, (r a)
  assert.deepEqual(s.take(0, 2), [2, 3]);
  assert.deepEqual(s.take(1, 1), [5]);
  // (r a) is done and no free group runs r: of the free (s c) and (p a), one job each, worker 1 ran trace a
  assert.deepEqual(s.take(1, 1), [6]);
  assert.deepEqual(s.take(0, 1), [0]);
  assert.equal(s.left, 0);
});

test('workers share the last group: one who runs out joins the group with most jobs left per worker', () => {
  const s = new JobScheduler(['p', 'p', 'p', 'p', 'p', 'q'], ['a', 'a', 'a', 'a', 'a', 'b'], 2);
  assert.deepEqual(s.take(0, 1), [0]);
  assert.deepEqual(s.take(1, 1), [5]);
  // (q b) is done and nothing else is free: worker 1 joins (p a)
  assert.deepEqual(s.take(1, 2), [1, 2]);
  assert.deepEqual(s.take(0, 5), [3, 4]);
  assert.equal(s.left, 0);
});

test('every job is handed out exactly once, whatever the chunk sizes and the order workers ask in', () => {
  const traces = Array.from({ length: 50 }, (_, i) => (i * 7) % 4);
  const codes = Array.from({ length: 50 }, (_, i) => i % 3);
  const s = new JobScheduler(codes, traces, 3);
  const seen: number[] = [];
  for (let ask = 0; s.left > 0; ask++) seen.push(...s.take(ask % 3, 1 + (ask % 5)));
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    traces.map((_, i) => i),
  );
});

test("a pool's workers go back to the code they ran in an earlier sweep", () => {
  const codesRan = [new Set<unknown>(), new Set<unknown>()];
  const first = new JobScheduler(['p', 'q'], ['a', 'a'], 2, codesRan);
  assert.deepEqual([first.take(0, 1), first.take(1, 1)], [[0], [1]]);
  // the next sweep lists q first: worker 0 still takes p, worker 1 q
  const next = new JobScheduler(['q', 'p'], ['a', 'a'], 2, codesRan);
  assert.deepEqual([next.take(0, 1), next.take(1, 1)], [[1], [0]]);
});

test('a count given as a function is asked for the group the jobs come from', () => {
  // groups in order: (p a) = jobs 0, 2, 4, (q a) = 1, 3
  const s = new JobScheduler(['p', 'q', 'p', 'q', 'p'], ['a', 'a', 'a', 'a', 'a'], 2);
  const asked: number[] = [];
  const twoOfP = (group: number) => (asked.push(group), group === s.groupOf(0) ? 2 : 1);
  assert.deepEqual(s.take(0, twoOfP), [0, 2]);
  assert.deepEqual(s.take(1, twoOfP), [1]);
  assert.deepEqual(asked, [s.groupOf(0), s.groupOf(1)]);
});

test('a worker goes on to the free group training the model it trained on that trace, before its own code', () => {
  // groups: (d a m) = 0, 1; (h a m) = 2; (d b m) = 3, 4; (x a) = 5: codes d and h train model m on trace a
  const s = new JobScheduler(['d', 'd', 'h', 'd', 'd', 'x'], ['a', 'a', 'a', 'b', 'b', 'a'], 2, undefined, [
    'm',
    'm',
    'm',
    'm',
    'm',
    undefined,
  ]);
  assert.deepEqual(s.take(0, 2), [0, 1]); // the largest free group, (d a m)
  // worker 1 leaves (h a m) to worker 0, who trained m on a, and takes the largest of the others, (d b m)
  assert.deepEqual(s.take(1, 1), [3]);
  // (d a m) is done: (h a m), model m on a, comes before (d b m)'s code d (worker 1 is on it anyway)
  assert.deepEqual(s.take(0, 1), [2]);
  // then (x a), which trains nothing, before joining worker 1 on (d b m), whose model worker 1 trained on b
  assert.deepEqual(s.take(0, 1), [5]);
  assert.deepEqual(s.take(0, 1), [4]);
  assert.equal(s.left, 0);
});

test('jobs of one code and trace training different models (PPM orders) are groups of their own', () => {
  const s = new JobScheduler(['p', 'p', 'p', 'p'], ['a', 'a', 'a', 'a'], 2, undefined, [1, 2, 1, 2]);
  assert.equal(s.groupOf(0), s.groupOf(2));
  assert.equal(s.groupOf(1), s.groupOf(3));
  assert.notEqual(s.groupOf(0), s.groupOf(1));
  // each worker on one order: neither trains the other's model
  assert.deepEqual(s.take(0, 5), [0, 2]);
  assert.deepEqual(s.take(1, 5), [1, 3]);
});
