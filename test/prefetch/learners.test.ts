import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/migration';
import { createPredictor, type PredictorName } from '../../src/prefetch';
import { loadTrace, switchoverAtFraction } from '../../src/trace';
import { SeenCredit } from '../../src/prefetch/phase-bubbling';
import { context } from './helpers';

/** A predictor that has observed `history` before switchover. */
function trained(name: PredictorName, history: number[], options = {}) {
  const p = createPredictor(name, options);
  for (const page of history) p.observeHistory(page);
  return p;
}

test("ppm-delta carries a learnt stride to pages it never saw; the paper's ppm proposes only seen pages", () => {
  const history = [10, 12, 14, 16, 18];
  // deltas 2, 2, 2, 2; the fault at 30 has the unseen delta 12, so only order 0 speaks: delta 2
  assert.deepEqual(trained('ppm-delta', history, { training: 'offline' }).onFault(30, 3, context(100)), [32]);
  // page PPM: the most frequent (all once), most recent first, of the pages it saw
  assert.deepEqual(trained('ppm', history, { training: 'offline' }).onFault(30, 3, context(100)), [18, 16, 14]);
});

test('phase-bubbling: the 4k nearest unsent pages, last used in the history closest in time to the faulted one', () => {
  // last history access: 50 at 0, 10 at 1, 11 at 2, 12 at 3, 52 at 4, 51 at 5, 13 at 6
  const history = [50, 10, 11, 12, 52, 51, 13];
  // around 12 (at 3): 13 (3 away), 11 (1), 14 (never seen), 10 (2), ... -> 11, 10, 13, then unseen pages nearest first
  assert.deepEqual(trained('phase-bubbling', history).onFault(12, 2, context(100)), [11, 10]);
  // 7 seen pages fault more often per page than 93 unseen ones, so the 5 seen pages nearest 12 join the 20 nearest
  // pages (13, 11, 50, 10, 51) and every seen one goes first: 51 (at 5) ties 10, 50 (at 0) ties 13
  assert.deepEqual(trained('phase-bubbling', history).onFault(12, 5, context(100)), [11, 10, 51, 13, 50]);
  assert.deepEqual(trained('phase-bubbling', history).onFault(51, 2, context(100)), [52, 50]); // 52 at 4 beats 50 at 0
  assert.deepEqual(trained('phase-bubbling', history).onFault(12, 2, context(100, [11])), [10, 13]);
  // a fault on a page never seen: unseen neighbours in bubbling order, then seen ones most recent first
  assert.deepEqual(trained('phase-bubbling', history).onFault(30, 3, context(100)), [31, 29, 32]);
  assert.deepEqual(trained('phase-bubbling', [4, 0, 1, 2, 3]).onFault(5, 2, context(6)), [3, 2]); // bubbling: 4, 3
  // no history: plain dual bubbling
  assert.deepEqual(trained('phase-bubbling', []).onFault(10, 4, context(100)), [11, 9, 12, 8]);
});

test('SeenCredit: the class whose pages faulted more often per page goes first, (faults + 1) / (pages + 1)', () => {
  const credit = new SeenCredit(4, 4);
  assert.equal(credit.seenFirst(), true); // 1/5 against 1/5: a tie goes to the seen pages
  credit.fault(false);
  assert.equal(credit.seenFirst(), false); // 1/5 against 2/5
  credit.fault(true);
  assert.equal(credit.seenFirst(), true); // 2/5 against 2/5
  assert.equal(new SeenCredit(3, 97).seenFirst(), true); // before any fault the smaller class: 1/4 against 1/98
  assert.equal(new SeenCredit(720, 63).seenFirst(), false); // 1/721 against 1/64
});

test('phase-bubbling learns from the faults whether pages never seen come before the seen ones', () => {
  // a mostly cold VM: seen pages first, and the seen page 60, last used just before 11, beats its neighbour 10
  assert.deepEqual(trained('phase-bubbling', [10, 60, 11]).onFault(11, 2, context(100)), [60, 10]);
  // 4 seen pages (3..6, last used at 0..3) and 4 never seen (0, 1, 2, 7) in an 8-page VM
  const fresh = trained('phase-bubbling', [3, 4, 5, 6]);
  assert.deepEqual(fresh.onFault(5, 2, context(8)), [6, 4]); // seen first (2/5 against 1/5): 6 and 4 are 1 away in time
  const learnt = trained('phase-bubbling', [3, 4, 5, 6]);
  for (const unseen of [0, 1, 2]) learnt.onFault(unseen, 1, context(8, [0, 1, 2]));
  // three faults on never-seen pages (4/5) against one on a seen page (2/5): the never-seen 7 goes first
  assert.deepEqual(learnt.onFault(5, 2, context(8, [0, 1, 2])), [7, 6]);
});

test("ppm-hybrid: the delta contexts' likely pages first, then phase-bubbling, skipping taken and sent pages", () => {
  const history = [10, 12, 14, 16, 18];
  // the fault at 20 continues the stride: context (2, 2, 2) has seen delta 2 twice, P = 2/3 -> 22;
  // then phase-bubbling around 20 (never seen): unseen neighbours first
  assert.deepEqual(trained('ppm-hybrid', history).onFault(20, 4, context(100)), [22, 21, 19, 23]);
  // 22 sent: the model has nothing left; seen pages 18, 16 come after the unseen ones
  assert.deepEqual(trained('ppm-hybrid', history).onFault(20, 4, context(100, [21, 22])), [23, 19, 24, 25]);
  // an unseen delta leaves no context with counts: the neighbours alone, never the order-0 guess
  assert.deepEqual(trained('ppm-hybrid', history).onFault(50, 3, context(100)), [51, 49, 52]);
  // deltas 2, 2, 3, 2: after (.., 2) the deltas 2 and 3 have P = 1/4 each, below 1/2: neighbours only
  assert.deepEqual(trained('ppm-hybrid', [10, 12, 14, 17]).onFault(19, 2, context(100)), [20, 18]);
  const eager = trained('ppm-hybrid', [10, 12, 14, 17], { minProbability: 0 });
  assert.deepEqual(eager.onFault(19, 2, context(100)), [21, 22]);
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
  assert.ok(
    second.every((q) => !first.includes(q)),
    'a proposed page is never drawn again',
  );
  assert.deepEqual(draw(), [first, second]);
  assert.deepEqual(draw('x'), draw('x'));
  assert.notDeepEqual(draw('x'), draw('y'));
  const few = createPredictor('random-k');
  assert.deepEqual(few.onFault(0, 8, context(5, [2])).sort(), [1, 3, 4]);
  assert.deepEqual(few.onFault(1, 8, context(5, [0, 1, 2, 3, 4])), []);
});

const NEW_PREDICTORS = ['ppm-delta', 'phase-bubbling', 'ppm-hybrid', 'random-k', 'ppm-order0'] as const;

test('pinned: network faults of the new predictors on the sort trace (k 8, switchover 50 %, push off)', () => {
  // like libCacheSim's pinned miss counts: a change in behaviour shows up here as a diff
  const trace = loadTrace('datasets/sort.trace.gz');
  const faults = (predictor: PredictorName) =>
    simulate(trace, { predictor, k: 8, push: 'off', switchover: switchoverAtFraction(trace, 0.5) }).networkFaults;
  assert.deepEqual(Object.fromEntries(NEW_PREDICTORS.map((p) => [p, faults(p)])), {
    'ppm-delta': 77,
    'phase-bubbling': 57,
    'ppm-hybrid': 57,
    'random-k': 83,
    'ppm-order0': 80,
  });
});

test('pinned: on a whole-guest QEMU trace (a sparse 256 MiB guest) the faults send seen pages first', () => {
  // most of the guest's pages are never touched: phase-bubbling learns from the faults that seen pages fault more often
  // per page and fetches the nearest seen ones however far (it took 160 faults when never-seen pages were always last)
  const trace = loadTrace('datasets/qemu/bzip2-plugin-1.pctrace.gz');
  const run = (predictor: PredictorName) => {
    const r = simulate(trace, { predictor, k: 8, push: 'off', switchover: switchoverAtFraction(trace, 0.5) });
    return [r.networkFaults, r.prefetchIssued, r.prefetchUsed];
  };
  assert.deepEqual(run('bubbling'), [194, 1552, 499]);
  assert.deepEqual(run('phase-bubbling'), [143, 1144, 550]);
  assert.deepEqual(run('ppm-hybrid'), [143, 1144, 550]);
});
