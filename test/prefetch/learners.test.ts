import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/migration';
import { createPredictor, type PredictorName } from '../../src/prefetch';
import { loadTrace, switchoverAtFraction } from '../../src/trace';
import { context } from './helpers';

/** A predictor that has observed `history` before switchover. */
function trained(name: PredictorName, history: number[], options = {}) {
  const p = createPredictor(name, options);
  for (const page of history) p.observeHistory(page);
  return p;
}

test('ppm-delta carries a learnt stride to pages it never saw; the paper\'s ppm proposes only seen pages', () => {
  const history = [10, 12, 14, 16, 18];
  // deltas 2, 2, 2, 2; the fault at 30 has the unseen delta 12, so only order 0 speaks: delta 2
  assert.deepEqual(trained('ppm-delta', history, { training: 'offline' }).onFault(30, 3, context(100)), [32]);
  // page PPM: the most frequent (all once), most recent first, of the pages it saw
  assert.deepEqual(trained('ppm', history, { training: 'offline' }).onFault(30, 3, context(100)), [18, 16, 14]);
});

test('hybrid: the delta contexts\' pages first, then dual bubbling around the fault, skipping taken and sent pages', () => {
  const history = [10, 12, 14, 16, 18];
  // fault at 20 continues the stride: contexts (2), (2, 2), (2, 2, 2) all predict delta 2 -> 22
  assert.deepEqual(trained('hybrid', history).onFault(20, 4, context(100)), [22, 21, 19, 23]);
  assert.deepEqual(trained('hybrid', history).onFault(20, 4, context(100, [21, 22])), [23, 19, 24, 18]); // 22 sent: the model has nothing left
  // an unseen delta leaves no context with counts: bubbling alone, never the order-0 guess
  assert.deepEqual(trained('hybrid', history).onFault(50, 3, context(100)), [51, 49, 52]);
});

test('ppm-order0 proposes the most frequent unsent pages, most recent first on ties, never the faulted one', () => {
  const history = [5, 5, 3, 7, 3, 5, 8];
  // counts 5:3, 3:2, 7:1, 8:1, and online the fault at 9 adds 9:1
  assert.deepEqual(trained('ppm-order0', history).onFault(9, 4, context(100)), [5, 3, 8, 7]);
  assert.deepEqual(trained('ppm-order0', history).onFault(9, 4, context(100, [5, 8])), [3, 7]);
  const p = trained('ppm-order0', history, { training: 'offline' });
  assert.deepEqual(p.onFault(3, 2, context(100, [5])), [8, 7]);
  assert.deepEqual(p.onFault(8, 5, context(100, [5, 3])), [7]); // 5 and 3 sent, 8 faulted
  assert.deepEqual(p.onFault(1, 2, context(6)), []); // 7 and 8 lie outside a 6-page VM
  assert.equal(p.modelSize(), 4);
});

test('random-k: k distinct unsent pages, the same under the same seed, all of them when fewer remain', () => {
  const draw = (seed?: string) => {
    const r = createPredictor('random-k', { seed });
    return [r.onFault(0, 5, context(50, [1, 2, 3])), r.onFault(7, 5, context(50, [1, 2, 3]))];
  };
  const [first, second] = draw();
  for (const pages of [first, second]) {
    assert.equal(pages.length, 5);
    assert.equal(new Set(pages).size, 5);
    assert.ok(pages.every((q) => q >= 0 && q < 50 && ![0, 1, 2, 3, 7].includes(q)));
  }
  assert.ok(second.every((q) => !first.includes(q)), 'a proposed page is never drawn again');
  assert.deepEqual(draw(), [first, second]);
  assert.deepEqual(draw('x'), draw('x'));
  assert.notDeepEqual(draw('x'), draw('y'));
  const few = createPredictor('random-k');
  assert.deepEqual(few.onFault(0, 8, context(5, [2])).sort(), [1, 3, 4]);
  assert.deepEqual(few.onFault(1, 8, context(5, [0, 1, 2, 3, 4])), []);
});

test('pinned: network faults of the new predictors on the sort trace (k 8, switchover 50 %, push off)', () => {
  // like libCacheSim's pinned miss counts: a change in behaviour shows up here as a diff
  const trace = loadTrace('datasets/sort.trace.gz');
  const faults = (predictor: PredictorName) =>
    simulate(trace, { predictor, k: 8, push: 'off', switchover: switchoverAtFraction(trace, 0.5) }).networkFaults;
  assert.deepEqual(
    Object.fromEntries((['ppm-delta', 'hybrid', 'random-k', 'ppm-order0'] as const).map((p) => [p, faults(p)])),
    { 'ppm-delta': 77, hybrid: 73, 'random-k': 83, 'ppm-order0': 80 },
  );
});
