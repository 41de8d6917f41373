import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelUnits, plannedSweepWorkers } from '../../src/report/notebook-plan';

// notebooks/seconds.json at the time of writing, in its longest-first order
const SECONDS = {
  '09': 17.6,
  '07': 10,
  '03': 9.5,
  '01': 9.3,
  '04': 8.2,
  '08': 8.2,
  '02': 6.3,
  '06': 6.1,
  '05': 4.1,
  '00': 1.7,
};
const LONGEST_FIRST = Object.keys(SECONDS).map((name) => [name]);
const alone = (...names: string[]) => names.map((name) => [name]);

test('a full run on two cores: every notebook runs beside another halfway through, so one worker each', () => {
  // by hand: slot A 09 0-17.6, 01 17.6-26.9, 08 26.9-35.1, 05 35.1-39.2, 00 39.2-40.9;
  // slot B 07 0-10, 03 10-19.5, 04 19.5-27.7, 02 27.7-34.0, 06 34.0-40.1: 00's middle, 40.05, is inside 06
  assert.deepEqual(plannedSweepWorkers(LONGEST_FIRST, SECONDS, 2, 2), new Array(10).fill(1));
});

test('two notebooks: the long one gets both cores when the other ends before its middle', () => {
  assert.deepEqual(plannedSweepWorkers(alone('09', '00'), SECONDS, 2, 2), [2, 1]);
  // 07 ends at 10, after 09's middle (8.8): they run side by side
  assert.deepEqual(plannedSweepWorkers(alone('09', '07'), SECONDS, 2, 2), [1, 1]);
});

test('one slot: each notebook runs alone with every core; four cores share among those beside it', () => {
  assert.deepEqual(plannedSweepWorkers(alone('05', '00'), SECONDS, 1, 2), [2, 2]);
  // 09's middle 8.8 and 07's 5 fall beside each other only; 00's, 0.85, beside both
  assert.deepEqual(plannedSweepWorkers(alone('09', '07', '00'), SECONDS, 3, 4), [2, 2, 1]);
});

test('notebooks without earlier seconds count as the mean of the known ones, or all alike when none is known', () => {
  // new counts 9.65 s (the mean of 17.6 and 1.7): it runs 0-9.65 beside 09, and 00 then 9.65-11.35, still beside 09
  assert.deepEqual(plannedSweepWorkers(alone('new', '09', '00'), SECONDS, 2, 2), [1, 1, 1]);
  // 1 s each: a and b side by side, c alone after them
  assert.deepEqual(plannedSweepWorkers(alone('a', 'b', 'c'), {}, 2, 2), [1, 1, 2]);
});

test("a unit's notebooks run one after another on one slot", () => {
  // slot A: 04 0-8.2, 07 8.2-18.2; slot B: 09 0-17.6, then 00 17.6-19.3: 07's middle 13.2 is beside 09, 00's
  // middle 18.45 after 07's end, so 00 runs alone
  assert.deepEqual(plannedSweepWorkers([['04', '07'], ['09'], ['00']], SECONDS, 2, 2), [1, 1, 1, 2]);
  // alone, the unit's two notebooks each get both cores
  assert.deepEqual(plannedSweepWorkers([['04', '07']], SECONDS, 2, 2), [2, 2]);
});

test('kernel units: a group runs in its order in one kernel, the units longest first by their summed seconds', () => {
  const names = Object.keys(SECONDS).sort();
  const units = kernelUnits(names, SECONDS, [['04', '07']]);
  // 04 + 07: 18.2 s, longer than 09's 17.6
  assert.deepEqual(units.slice(0, 3), [['04', '07'], ['09'], ['03']]);
  assert.deepEqual(units.flat().sort(), names);
  assert.equal(units.length, 9);
});

test('kernel units: members not asked for are left out, a name in two groups counts in the first, none stays', () => {
  assert.deepEqual(kernelUnits(['07', '09'], SECONDS, [['04', '07']]), [['09'], ['07']]);
  assert.deepEqual(
    kernelUnits(['00', '04', '07'], SECONDS, [
      ['07', '04', '07'],
      ['04', '00'],
    ]),
    [['07', '04'], ['00']],
  );
  assert.deepEqual(kernelUnits(['05', '00'], SECONDS, []), [['05'], ['00']]);
  // unknown seconds count as longest; equal totals keep the order of the names
  assert.deepEqual(kernelUnits(['b', 'a', '00'], SECONDS, []), [['b'], ['a'], ['00']]);
});
