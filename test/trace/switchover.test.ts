import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fractionSwitchover, makeTrace, parseSwitchover } from '../../src/trace';

test('a switchover after a share of the accesses falls at floor(share * n) of the exact product, not of its double', () => {
  // 0.29 * 100 = 28.999999999999996, 0.7 * 90 = 62.99999999999999, 0.57 * 100 = 56.99999999999999 in doubles
  assert.deepEqual(fractionSwitchover(0.29, 100, 990), { index: 29 });
  assert.deepEqual(fractionSwitchover(0.7, 90, 890), { index: 63 });
  assert.deepEqual(fractionSwitchover(0.57, 100, 990), { index: 57 });
  // no whole number: floor as before (30 % of 7 = 2.1, 1/3 of 10 = 3.33...)
  assert.deepEqual(fractionSwitchover(0.3, 7, 60), { index: 2 });
  assert.deepEqual(fractionSwitchover(1 / 3, 10, 90), { index: 3 });
  assert.deepEqual(fractionSwitchover(0, 10, 90), { index: 0 });
  assert.deepEqual(fractionSwitchover(1, 10, 90), { instructions: 91 });
  // the same through a trace in memory: access i runs at instruction 10 i, so 29% of 100 switches at instruction 290
  const trace = makeTrace({
    page: Array.from({ length: 100 }, (_, i) => i % 7),
    time: Array.from({ length: 100 }, (_, i) => 10 * i),
  });
  assert.equal(parseSwitchover('29%', trace), 290);
  assert.equal(parseSwitchover('0.29', trace), 290);
});
