import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  firstTouchOrder,
  firstTouchOrderFrom,
  FirstTouchOrders,
  sharingFirstTouchOrders,
} from '../../src/trace/first-touch';

test('first-touch order from a start: each page once, in order of first touch from there', () => {
  const pages = new Uint32Array([3, 1, 3, 2, 1, 0]);
  // from 0: 3, 1, (3), 2, (1), 0; from 2: 3, 2, 1, 0
  assert.deepEqual([...firstTouchOrder(pages, 3)], [3, 1, 2, 0]);
  assert.deepEqual([...firstTouchOrderFrom(pages, 2)], [3, 2, 1, 0]);
  assert.deepEqual([...firstTouchOrderFrom(pages, 6)], []);
  // outside a batch each is built from the pages as they are now
  assert.notEqual(firstTouchOrderFrom(pages, 2), firstTouchOrderFrom(pages, 2));
});

test("a batch's runs share its traces' first-touch orders, the latest start per page array; outside, none kept", () => {
  const pages = new Uint32Array([3, 1, 3, 2, 1, 0]);
  const orders = new FirstTouchOrders();
  const kept = sharingFirstTouchOrders(orders, () => {
    const fromTwo = firstTouchOrderFrom(pages, 2);
    assert.deepEqual([...fromTwo], [3, 2, 1, 0]);
    assert.equal(firstTouchOrderFrom(pages, 2), fromTwo);
    // another start is built and kept instead
    assert.deepEqual([...firstTouchOrderFrom(pages, 0)], [3, 1, 2, 0]);
    const again = firstTouchOrderFrom(pages, 2);
    assert.notEqual(again, fromTwo);
    assert.deepEqual(again, fromTwo);
    // another array with the same contents has an order of its own
    assert.notEqual(firstTouchOrderFrom(pages.slice(), 2), again);
    return again;
  });
  assert.equal(orders.from(pages, 2), kept);
  // the batch is over: the pages changed in place are read as they are
  pages.reverse();
  assert.deepEqual([...firstTouchOrderFrom(pages, 2)], [2, 3, 1]);
});
