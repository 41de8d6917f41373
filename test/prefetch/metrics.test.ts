import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictionMetrics, PREDICTOR_NAMES } from '../../src/prefetch';
import { GENERATOR_KINDS, generateTrace, makeTrace, switchoverAtFraction, type Trace } from '../../src/trace';
import { UserError } from '../../src/errors';

// next-k, k = 2, VM of 10 pages, no history ("next missing" = next page touched that is neither present nor issued):
//   0: fault, issues 1 2 (next missing 1: hit)             1, 2: used (issued at 0)
//   3: page 5 fault, issues 6 7 (next missing 3: miss)      4: page 3 fault, issues 4 (5 is present; next missing 9: miss)
//   5: page 1 present                                       6: page 9 fault, proposes nothing (4 is issued: nothing missing, not counted)
//   7: page 4 used (issued at 4, 3 accesses earlier)
const HAND = makeTrace({ page: [0, 1, 2, 5, 3, 1, 9, 4] });

test('prediction metrics of next-k on a hand-checked trace', () => {
  const m = predictionMetrics(HAND, 'next-k', { k: 2 });
  assert.deepEqual(
    {
      faults: m.faults,
      faultsWithoutPrefetch: m.faultsWithoutPrefetch,
      issued: m.prefetchIssued,
      used: m.prefetchUsed,
      late: m.latePrefetches,
    },
    { faults: 4, faultsWithoutPrefetch: 7, issued: 5, used: 3, late: 0 },
  );
  assert.equal(m.accuracy, 3 / 5);
  assert.equal(m.coverage, 3 / 7);
  assert.equal(m.topKHitRate, 1 / 3);
  assert.equal(m.historyAccesses, 0);
  assert.equal(m.accesses, 8);
});

test('late prefetches: first touches within `lead` accesses of the issuing fault', () => {
  assert.equal(predictionMetrics(HAND, 'next-k', { k: 2, lead: 1 }).latePrefetches, 1); // page 1
  const m = predictionMetrics(HAND, 'next-k', { k: 2, lead: 3 }); // pages 1, 2 and 4
  assert.equal(m.latePrefetches, 3);
  assert.equal(m.lateness, 1);
  assert.equal(m.faults, 4); // a late prefetch is not a fault
});

test('the oracle on the hand-checked trace, and history before switchover', () => {
  // 0: fault, issues 1 2; 3: page 5 fault, issues 3 9 (next unsent touches); 7: page 4 fault, nothing left
  const m = predictionMetrics(HAND, 'oracle', { k: 2 });
  assert.deepEqual(
    [m.faults, m.prefetchIssued, m.prefetchUsed, m.accuracy, m.coverage, m.topKHitRate],
    [3, 4, 4, 1, 4 / 7, 1],
  );
  const withHistory = predictionMetrics(HAND, 'none', { switchover: 3 }); // time = index: 0, 1, 2 are history
  // after switchover 5 3 1 9 4: five distinct pages, all faults without prefetching
  assert.deepEqual(
    [
      withHistory.historyAccesses,
      withHistory.accesses,
      withHistory.faults,
      withHistory.faultsWithoutPrefetch,
      withHistory.accuracy,
    ],
    [3, 5, 5, 5, 0],
  );
  assert.throws(() => predictionMetrics(HAND, 'next-k', { k: -1 }), /k must be a whole number between 0/);
  assert.throws(
    () => predictionMetrics(HAND, 'next-k', { k: 2 ** 22 + 1 }),
    /k must be a whole number between 0 and 4194304/,
  );
});

function distinctAfter(trace: Trace, start: number): number {
  return new Set(trace.page.subarray(start)).size;
}

test('over random traces the oracle never faults more than any predictor at the same k', () => {
  for (let seed = 0; seed < 20; seed++) {
    const kind = GENERATOR_KINDS[seed % GENERATOR_KINDS.length];
    const trace = generateTrace(kind, { seed, accesses: 3000, pages: 400, stride: 3, hotFraction: 0.3 });
    const switchover = switchoverAtFraction(trace, 0.3);
    for (const k of [1, 4, 16]) {
      const oracle = predictionMetrics(trace, 'oracle', { k, switchover });
      assert.equal(oracle.topKHitRate, 1); // it always names the next missing page
      for (const name of PREDICTOR_NAMES) {
        const m = predictionMetrics(trace, name, { k, switchover, maxContexts: 500 });
        const where = `${kind} seed ${seed} k ${k} ${name}`;
        assert.ok(oracle.faults <= m.faults, `${where}: oracle ${oracle.faults} > ${m.faults}`);
        assert.ok(m.topKHitRate <= oracle.topKHitRate, where);
        assert.equal(m.faultsWithoutPrefetch, distinctAfter(trace, m.historyAccesses), where);
        assert.ok(m.prefetchUsed <= m.prefetchIssued && m.prefetchIssued <= k * m.faults, where);
      }
    }
  }
});

test('a trace changed in place between calls is measured as it is now (nothing kept from the call before)', () => {
  const trace = generateTrace('zipf', { seed: 'in place', accesses: 20_000, pages: 2000 });
  const switchover = switchoverAtFraction(trace, 0.3);
  for (const predictor of ['oracle', 'ppm'] as const) {
    const before = predictionMetrics(trace, predictor, { k: 8, switchover });
    trace.page.reverse();
    const after = predictionMetrics(trace, predictor, { k: 8, switchover });
    assert.deepEqual(after, predictionMetrics({ ...trace, page: trace.page.slice() }, predictor, { k: 8, switchover }));
    assert.notDeepEqual(after, before);
  }
});

test('a page raised in place past the VM is named, as simulate names it, not read as present (a fault short)', () => {
  const trace = generateTrace('zipf', { seed: 'raised', accesses: 20_000, pages: 2000 });
  const switchover = switchoverAtFraction(trace, 0.3);
  predictionMetrics(trace, 'ppm', { switchover }); // the array's largest page is remembered
  const largest = Math.max(...trace.page);
  trace.page[trace.page.length - 1] = 5000;
  for (const predictor of ['none', 'ppm'] as const)
    assert.throws(
      () => predictionMetrics(trace, predictor, { switchover }),
      (err: unknown) =>
        err instanceof UserError &&
        err.message ===
          `trace "${trace.name}" was changed in place after it was first read: page 5000 is beyond its largest page ` +
            `then (${largest}), which sized the VM; measure a copy ({ ...trace, page: trace.page.slice() })`,
    );
  const copy = predictionMetrics({ ...trace, page: trace.page.slice() }, 'none', { switchover });
  assert.equal(copy.faults, copy.faultsWithoutPrefetch);
});

test('a misspelt option is refused naming it, not run with the default (session 34); a known one is taken', () => {
  const trace = generateTrace('zipf', { seed: 'typo', accesses: 2000, pages: 200 });
  for (const [options, name] of [
    [{ ordre: 1 }, 'ordre'],
    [{ swichover: 600 }, 'swichover'],
  ] as const)
    assert.throws(
      () => predictionMetrics(trace, 'ppm', options as never),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.startsWith(`unknown prediction option "${name}" (known: direction, `) &&
        err.message.endsWith(', trace, firstTouches, k, switchover, lead, vmPages)'),
    );
  const switchover = switchoverAtFraction(trace, 0.3);
  assert.notDeepEqual(
    predictionMetrics(trace, 'ppm', { switchover, order: 1 }),
    predictionMetrics(trace, 'ppm', { switchover }),
  );
});
