/**
 * The findings notebooks state first, each against a hand-made case and one where it goes the other way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whatIfGridFinding } from '../../src/experiments';

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
