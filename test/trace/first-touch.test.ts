import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstTouchOrder, firstTouchOrderFrom } from '../../src/trace';

test('first-touch order from a start: each page once, in order of first touch from there; kept for the latest start', () => {
  const pages = new Uint32Array([3, 1, 3, 2, 1, 0]);
  // from 0: 3, 1, (3), 2, (1), 0; from 2: 3, 2, 1, 0
  assert.deepEqual([...firstTouchOrder(pages, 3)], [3, 1, 2, 0]);
  const fromTwo = firstTouchOrderFrom(pages, 2);
  assert.deepEqual([...fromTwo], [3, 2, 1, 0]);
  // the same start of the same array: the same order, not built again
  assert.equal(firstTouchOrderFrom(pages, 2), fromTwo);
  // another start is built for it, and then kept instead
  assert.deepEqual([...firstTouchOrderFrom(pages, 0)], [3, 1, 2, 0]);
  const again = firstTouchOrderFrom(pages, 2);
  assert.notEqual(again, fromTwo);
  assert.deepEqual(again, fromTwo);
  // another array with the same contents has an order of its own
  assert.notEqual(firstTouchOrderFrom(pages.slice(), 2), again);
  assert.deepEqual([...firstTouchOrderFrom(pages, 6)], []);
});
