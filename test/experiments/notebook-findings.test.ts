/**
 * The findings notebooks state first, each against a hand-made case and one where it goes the other way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realComparisonFinding, whatIfGridFinding } from '../../src/experiments';

test('whatIfGridFinding: cells cut, added and equal, and the knob that moves the count most', () => {
  const cell = (workload: string, k: number, none: number, ppm: number) => ({
    params: { workload, k },
    rows: [
      { method: 'none', stallMs: none },
      { method: 'ppm', stallMs: ppm },
    ],
  });
  // k decides: PPM cuts the stall at k 2 on both workloads, never at k 8; each workload has one cut
  assert.equal(
    whatIfGridFinding([cell('a', 2, 10, 4), cell('a', 8, 10, 12), cell('b', 2, 10, 5), cell('b', 8, 10, 10)]),
    "**Finding.** Over the 4 settings of the grid below, PPM prefetch cuts the VM's stall against plain post-copy " +
      'in 2, adds to it in 1, leaves it as it is in 1. The knob that moves this most is k: PPM cuts the stall in ' +
      '2 of 2 settings at k 2, 0 of 2 settings at k 8.',
  );
  // the other way: PPM adds stall everywhere, so no knob changes how often it cuts it
  assert.equal(
    whatIfGridFinding([cell('a', 2, 10, 11), cell('a', 8, 10, 12), cell('b', 2, 1, 2)]),
    "**Finding.** Over the 3 settings of the grid below, PPM prefetch cuts the VM's stall against plain post-copy " +
      'in 0, adds to it in 3. No knob of the grid changes how often it does.',
  );
});

test('realComparisonFinding: metrics agreeing everywhere and in part, the replay without a host cost, the timed runs', () => {
  const row = (workload: string, metric: string, agrees: boolean, realMedian = 100, simulatedMedian = 100) => ({
    workload,
    metric,
    agrees,
    realMedian,
    simulatedMedian,
  });
  const measured = [
    row('w1', 'requests', true),
    row('w2', 'requests', false),
    row('w1', 'stall ms', false),
    row('w2', 'stall ms', false),
    row('w1', 'total ms', true),
    row('w2', 'total ms', true),
  ];
  // without a host cost: 3× and 5× the real requests (median 4×), 2× and 1× the real stall (median 1.5×)
  const farOff = [
    row('w1', 'requests', false, 100, 300),
    row('w2', 'requests', false, 100, 500),
    row('w1', 'stall ms', false, 10, 20),
    row('w2', 'stall ms', true, 10, 10),
  ];
  const timed = [row('w1', 'requests', false), row('w1', 'stall ms', true), row('w1', 'total ms', true)];
  assert.equal(
    realComparisonFinding(farOff, measured, timed),
    '**Finding.** Replayed with a host cost per fault measured on the other workloads, the simulator agrees with ' +
      'real QEMU (within the real min–max or 25 % of the median) in total time on all 2 workloads, in requests on ' +
      'only 1, in stall on only 0. Without a host cost per fault the replays have 4× the real requests and 1.5× the ' +
      'real stall (medians over the workloads): both more than 25 % off. The timed runs replayed with their own ' +
      'measured costs, nothing fitted, agree on requests on 0, stall on 1 and total time on 1 of 1 workloads.',
  );
  // the other way: every metric agrees everywhere, the replay without a host cost is close, no timed runs
  const everywhere = measured.map((r) => ({ ...r, agrees: true }));
  const close = [
    row('w1', 'requests', true, 100, 110),
    row('w2', 'requests', true, 100, 110),
    row('w1', 'stall ms', true, 10, 9),
    row('w2', 'stall ms', true, 10, 9),
  ];
  assert.equal(
    realComparisonFinding(close, everywhere, []),
    '**Finding.** Replayed with a host cost per fault measured on the other workloads, the simulator agrees with ' +
      'real QEMU (within the real min–max or 25 % of the median) in requests, stall and total time on all 2 workloads. ' +
      'Without a host cost per fault the replays have 1.1× the real requests and 0.9× the real stall (medians over ' +
      'the workloads): both within 25 %.',
  );
  // only the stall off without a host cost; no metric agrees on every workload
  const stallOff = close.map((r) => (r.metric === 'stall ms' ? { ...r, simulatedMedian: 20 } : r));
  assert.match(
    realComparisonFinding(stallOff, measured.slice(0, 4), []),
    /in no metric on all 2 workloads: in requests on only 1, in stall on only 0\. .*: the stall more than 25 % off\.$/,
  );
});
