import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPredictor, majorityDelta, parsePredictorName, PREDICTOR_NAMES } from '../../src/prefetch';
import { makeTrace } from '../../src/trace';
import { context } from './helpers';

test('every registered name creates a predictor of that name', () => {
  const trace = makeTrace({ page: [0, 1] });
  for (const name of PREDICTOR_NAMES) assert.equal(createPredictor(name, { trace }).name, name);
  assert.throws(() => parsePredictorName('lru'), /unknown predictor "lru" \(known: none, next-k/);
});

test('none proposes nothing, next-k proposes p+1..p+k inside the VM', () => {
  assert.deepEqual(createPredictor('none').onFault(5, 4, context(100)), []);
  assert.deepEqual(createPredictor('next-k').onFault(5, 3, context(100)), [6, 7, 8]);
  assert.deepEqual(createPredictor('next-k').onFault(8, 3, context(10)), [9]);
});

test('readahead ramps its window on sequential faults and resets on a random one', () => {
  const ra = createPredictor('readahead');
  const vm = context(1000);
  assert.deepEqual(ra.onFault(10, 8, vm), [11]); // first fault: random, window 1
  assert.deepEqual(ra.onFault(12, 8, vm), [13, 14]); // 12 <= 10 + 1 + 1: sequential, window 2
  assert.deepEqual(ra.onFault(15, 8, vm), [16, 17, 18, 19]); // 15 <= 12 + 2 + 1: window 4
  assert.deepEqual(ra.onFault(20, 8, vm), [21, 22, 23, 24, 25, 26, 27, 28]); // window 8 = k
  assert.deepEqual(ra.onFault(29, 8, vm).length, 8); // stays capped at k
  assert.deepEqual(ra.onFault(500, 8, vm), [501]); // random: back to 1
  assert.deepEqual(ra.onFault(400, 8, vm), [401]); // backwards is random too
});

test('bubbling forward skips sent pages and returns k unsent ones', () => {
  const b = createPredictor('bubbling', { direction: 'forward' });
  assert.deepEqual(b.onFault(10, 3, context(100, [11, 13])), [12, 14, 15]);
  assert.deepEqual(b.onFault(98, 3, context(100)), [99]);
});

test('dual bubbling alternates above and below the pivot, skipping sent pages and VM edges', () => {
  const b = createPredictor('bubbling', { direction: 'dual' });
  assert.deepEqual(b.onFault(10, 5, context(100)), [11, 9, 12, 8, 13]);
  const c = createPredictor('bubbling');
  assert.deepEqual(c.onFault(10, 4, context(100, [11, 9, 8])), [12, 7, 13, 6]);
  assert.deepEqual(c.onFault(1, 4, context(100, [11, 9, 8])), [2, 0, 3, 4]);
  // the skip lists remember sent pages: the same answer later, when more are sent
  assert.deepEqual(c.onFault(10, 2, context(100, [11, 9, 8, 12, 7])), [13, 6]);
});

test('stride proposes p+d.. only once the same delta was seen twice', () => {
  const s = createPredictor('stride');
  const vm = context(100);
  assert.deepEqual(s.onFault(10, 3, vm), []);
  assert.deepEqual(s.onFault(14, 3, vm), []); // delta 4 seen once
  assert.deepEqual(s.onFault(18, 3, vm), [22, 26, 30]); // delta 4 confirmed
  assert.deepEqual(s.onFault(15, 3, vm), []); // broken
  assert.deepEqual(s.onFault(12, 3, vm), [9, 6, 3]); // -3 twice
  assert.deepEqual(s.onFault(9, 5, vm), [6, 3, 0]); // stops at page 0
});

test('majorityDelta is a Boyer-Moore vote with a verifying count', () => {
  const of = (xs: number[]) => (i: number) => xs[i];
  assert.equal(majorityDelta(of([2, 2, 5, 2]), 4), 2);
  assert.equal(majorityDelta(of([2, 5, 2, 5]), 4), undefined); // exactly half is no majority
  assert.equal(majorityDelta(of([7, 1, 2]), 1), 7);
  assert.equal(majorityDelta(of([]), 0), undefined);
});

test('leap follows the majority delta, doubling its window, and falls back to next pages', () => {
  const leap = createPredictor('leap', { history: 8 }); // windows 2, 4, 8
  const vm = context(1000);
  assert.deepEqual(leap.onFault(100, 3, vm), [101, 102, 103]); // no deltas yet: fallback
  assert.deepEqual(leap.onFault(105, 3, vm), [110, 115, 120]); // deltas [5]: majority 5
  assert.deepEqual(leap.onFault(108, 3, vm), [109, 110, 111]); // [3, 5]: no majority of 2, window covers all
  assert.deepEqual(leap.onFault(113, 3, vm), [118, 123, 128]); // newest 2 = [5, 3] none; 3 = [5, 3, 5]: 5
  assert.deepEqual(leap.onFault(116, 2, vm), [117, 118]); // [3, 5] none; [3, 5, 3, 5] is a tie: fallback
  const doubling = createPredictor('leap', { history: 8 });
  let last: number[] = [];
  for (const p of [0, 2, 4, 6, 8, 10, 19, 26, 28]) last = doubling.onFault(p, 2, vm);
  // newest deltas [2, 7, 9, 2, 2, 2, 2, 2]: no majority in 2 or 4, six 2s in 8
  assert.deepEqual(last, [30, 32]);
});

test('markov proposes the most frequent successors, most recent first on ties, skipping sent pages', () => {
  const m = createPredictor('markov', { training: 'offline' });
  for (const p of [1, 2, 1, 3, 1, 2, 1, 4, 1, 5]) m.observeHistory(p);
  // successors of 1: 2 (x2), 3 (x1), 4 (x1), 5 (x1, newest)
  assert.deepEqual(m.onFault(1, 3, context(10)), [2, 5, 4]);
  assert.deepEqual(m.onFault(1, 3, context(10, [2, 4])), [5, 3]);
  // rows for 1, 2, 3, 4; transitions 1->2, 2->1, 1->3, 3->1, 1->4, 4->1, 1->5
  assert.equal(m.modelSize(), 4 + 7);
});

test('markov training modes: offline ignores faults, online ignores history', () => {
  const history = [1, 2, 1, 2];
  const faults = [1, 3, 1, 3, 1];
  const run = (training: 'offline' | 'online' | 'both') => {
    const m = createPredictor('markov', { training });
    for (const p of history) m.observeHistory(p);
    let last: number[] = [];
    for (const p of faults) last = m.onFault(p, 2, context(10));
    return last;
  };
  assert.deepEqual(run('offline'), [2]);
  assert.deepEqual(run('online'), [3]);
  assert.deepEqual(run('both'), [3, 2]); // 3: two faults (1->3 twice) vs 2: twice in history, 3 is newer
});

test('oracle proposes the next distinct unsent pages in first-touch order', () => {
  const trace = makeTrace({ page: [4, 5, 6, 5, 7, 4, 8, 9, 6, 10] });
  const o = createPredictor('oracle', { trace });
  assert.deepEqual(o.onFault(5, 3, context(20, [5], 1)), [6, 7, 4]);
  assert.deepEqual(o.onFault(8, 3, context(20, [5, 6, 7, 4, 8], 6)), [9, 10]);
  assert.throws(() => createPredictor('oracle'), /needs the trace/);
});
