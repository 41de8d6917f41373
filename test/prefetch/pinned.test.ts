import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/migration';
import { predictionMetrics, PREDICTOR_NAMES, type PredictorName } from '../../src/prefetch';
import { loadTrace, switchoverAtFraction } from '../../src/trace';

/**
 * Exact counts per predictor on one real trace at fixed settings (as libCacheSim pins miss counts): any
 * change in a predictor's behaviour shows up here as a diff to explain, not as a silent drift in figures.
 * datasets/sort.trace.gz, switchover at 30 % of the accesses, k = 8, every other setting at its default
 * (push off, so the counts do not depend on timing). A new predictor adds its line.
 */
const PINNED: Record<PredictorName, { networkFaults: number; prefetchIssued: number; prefetchUsed: number }> = {
  none: { networkFaults: 577, prefetchIssued: 0, prefetchUsed: 0 },
  'next-k': { networkFaults: 395, prefetchIssued: 226, prefetchUsed: 182 },
  readahead: { networkFaults: 503, prefetchIssued: 90, prefetchUsed: 74 },
  bubbling: { networkFaults: 75, prefetchIssued: 600, prefetchUsed: 502 },
  stride: { networkFaults: 507, prefetchIssued: 136, prefetchUsed: 70 },
  markov: { networkFaults: 231, prefetchIssued: 456, prefetchUsed: 346 },
  leap: { networkFaults: 336, prefetchIssued: 294, prefetchUsed: 241 },
  ppm: { networkFaults: 81, prefetchIssued: 648, prefetchUsed: 496 },
  'ppm-delta': { networkFaults: 82, prefetchIssued: 656, prefetchUsed: 495 },
  'phase-bubbling': { networkFaults: 69, prefetchIssued: 552, prefetchUsed: 508 },
  'ppm-hybrid': { networkFaults: 69, prefetchIssued: 552, prefetchUsed: 508 },
  'ppm-hybrid-dirty': { networkFaults: 72, prefetchIssued: 576, prefetchUsed: 505 },
  'random-k': { networkFaults: 83, prefetchIssued: 661, prefetchUsed: 494 },
  'ppm-order0': { networkFaults: 81, prefetchIssued: 648, prefetchUsed: 496 },
  oracle: { networkFaults: 65, prefetchIssued: 512, prefetchUsed: 512 },
};

const trace = loadTrace('datasets/sort.trace.gz');
const switchover = switchoverAtFraction(trace, 0.3);

test('every predictor has pinned counts', () => {
  assert.deepEqual(Object.keys(PINNED).sort(), [...PREDICTOR_NAMES].sort());
});

for (const predictor of PREDICTOR_NAMES) {
  test(`${predictor}: exact faults and prefetches on sort.trace.gz (switchover 30 %, k = 8)`, () => {
    const r = simulate(trace, { predictor, k: 8, switchover });
    const { networkFaults, prefetchIssued, prefetchUsed } = r;
    assert.deepEqual({ networkFaults, prefetchIssued, prefetchUsed }, PINNED[predictor]);
    // without push the prediction metrics replay the same faults
    const m = predictionMetrics(trace, predictor, { k: 8, switchover });
    assert.deepEqual([m.faults, m.prefetchIssued, m.prefetchUsed], [networkFaults, prefetchIssued, prefetchUsed]);
  });
}
