import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extent,
  intervalsOverlap,
  mean,
  median,
  geometricMean,
  probabilityGreater,
  quantile,
  quantileSorted,
} from '../../src/util/statistics';

test('mean: sum over count; NaN when empty', () => {
  assert.equal(mean([1, 2, 6]), 3);
  assert.equal(mean([-2.5]), -2.5);
  assert.ok(Number.isNaN(mean([])));
});

test('quantileSorted: linear interpolation between ranks (type 7)', () => {
  const sorted = [10, 20, 30, 40, 50];
  // position (5 - 1) * p: 0 -> 10, 1 -> 50, 0.5 -> rank 2 exactly, 0.99 -> 3.96 -> 40 + 0.96 * 10
  assert.equal(quantileSorted(sorted, 0), 10);
  assert.equal(quantileSorted(sorted, 1), 50);
  assert.equal(quantileSorted(sorted, 0.5), 30);
  assert.ok(Math.abs(quantileSorted(sorted, 0.99) - 49.6) < 1e-9);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([7], 0.99), 7);
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
});

test('quantile sorts a copy and leaves its input alone', () => {
  const values = [4, 1, 3, 2];
  assert.equal(quantile(values, 0.25), 1.75);
  assert.deepEqual(values, [4, 1, 3, 2]);
});

test('geometricMean: exp of the mean log; 2x and 0.5x cancel', () => {
  assert.equal(geometricMean([1, 4]), 2);
  assert.ok(Math.abs(geometricMean([2, 0.5, 1]) - 1) < 1e-12);
  assert.ok(
    Math.abs(geometricMean([1, 1, 1, 1, 1, 8]) - Math.SQRT2) < 1e-12,
    'one 8x among 1x moves it, unlike a median',
  );
  assert.ok(Number.isNaN(geometricMean([])));
});

test('median: middle value, or the mean of the two middle ones', () => {
  assert.equal(median([5, 1, 100]), 5);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('extent: smallest and largest value', () => {
  assert.deepEqual(extent([3, 1, 2]), { min: 1, max: 3 });
  assert.deepEqual(extent([-1]), { min: -1, max: -1 });
  const empty = extent([]);
  assert.ok(Number.isNaN(empty.min) && Number.isNaN(empty.max));
  // a NaN among the values makes both NaN, as it makes the mean (not Infinity to -Infinity for [NaN])
  for (const values of [[NaN], [1, NaN, 3], [NaN, 2]]) assert.deepEqual(extent(values), { min: NaN, max: NaN });
});

test('intervalsOverlap: closed intervals sharing at least one point', () => {
  assert.equal(intervalsOverlap({ min: 1, max: 2 }, { min: 2, max: 5 }), true);
  assert.equal(intervalsOverlap({ min: 3, max: 4 }, { min: 1, max: 2 }), false);
  assert.equal(intervalsOverlap({ min: 0, max: 10 }, { min: 4, max: 5 }), true);
});

test('probabilityGreater: share of (higher, lower) pairs in order, ties half; NaN when a side is empty', () => {
  // pairs (3,1) (3,3) (4,1) (4,3): 1 + 0.5 + 1 + 1 of 4
  assert.equal(probabilityGreater([3, 4], [1, 3]), 0.875);
  assert.equal(probabilityGreater([1, 2], [5, 6]), 0);
  assert.equal(probabilityGreater([2, 2], [2]), 0.5);
  assert.ok(Number.isNaN(probabilityGreater([], [1])));
});
