import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { firstRepeat, NextAlive, PairMap, TopK, wholeOption } from '../../src/util';

test('NextAlive finds the next alive index and skips removed ones', () => {
  const s = new NextAlive(5);
  s.remove(1);
  s.remove(2);
  assert.equal(s.find(1), 3);
  s.remove(3);
  s.remove(4);
  assert.equal(s.find(0), 0);
  assert.equal(s.find(1), 5);
});

test('NextAlive.find refuses what is not an index instead of walking forever', () => {
  const s = new NextAlive(5);
  s.remove(0);
  for (const i of [-1, 0.5, NaN, -Infinity]) assert.throws(() => s.find(i), RangeError, String(i));
  assert.equal(s.find(Infinity), 5);
  assert.equal(s.find(0), 1);
});

test('NextAlive agrees with a scan over alive flags under random removes and finds', () => {
  const random = seedrandom.alea('next-alive');
  const size = 300;
  const alive = new NextAlive(size);
  const flags = new Array<boolean>(size).fill(true);
  for (let step = 0; step < 20000; step++) {
    const i = Math.floor(random() * (size + 2));
    if (random() < 0.3) {
      alive.remove(i);
      if (i < size) flags[i] = false;
    } else {
      let expected = Math.min(i, size);
      while (expected < size && !flags[expected]) expected++;
      assert.equal(alive.find(i), expected);
    }
  }
});

test('PairMap refuses a first key its slots cannot hold instead of losing the entry', () => {
  const pairs = new PairMap();
  pairs.set(2 ** 31 - 2, 7, 1);
  assert.equal(pairs.get(2 ** 31 - 2, 7), 1);
  for (const a of [2 ** 31 - 1, -1, NaN]) assert.throws(() => pairs.set(a, 7, 2), RangeError, String(a));
  assert.equal(pairs.size, 1);
});

test('PairMap agrees with a Map under random sets and retains (bulk removals)', () => {
  const random = seedrandom.alea('pairs');
  const pairs = new PairMap(4);
  const reference = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const x = Math.floor(random() * 40);
    const y = Math.floor(random() * 40);
    pairs.set(x, y, i);
    reference.set(`${x},${y}`, i);
    if (i % 500 === 499) {
      // a different value parity goes each time, so entries leave from every part of every probe run
      const parity = (i / 500) % 2;
      pairs.retain((value) => value % 2 !== parity);
      for (const [key, value] of reference) if (value % 2 === parity) reference.delete(key);
      assert.equal(pairs.size, reference.size);
    }
  }
  assert.equal(pairs.size, reference.size);
  for (let x = 0; x < 40; x++)
    for (let y = 0; y < 40; y++) assert.equal(pairs.get(x, y), reference.get(`${x},${y}`) ?? -1);
});

test('TopK keeps the k best by score, the most recent first on equal scores', () => {
  const best = new TopK(2);
  best.offer(10, 1, 1);
  best.offer(11, 3, 2);
  best.offer(12, 1, 5);
  assert.deepEqual(best.result(), [11, 12]);
  assert.equal(best.accepts(1, 4), false);
  assert.equal(best.accepts(1, 6), true);
  assert.equal(new TopK(0).accepts(9, 9), false);
});

test('wholeOption: the fallback when unset, the value within bounds, a one-line error otherwise', () => {
  assert.equal(wholeOption(undefined, 'k', 8, 0), 8);
  assert.equal(wholeOption(3, 'k', 8, 0, 3), 3);
  for (const bad of [-1, 4, 1.5, NaN])
    assert.throws(() => wholeOption(bad, 'k', 8, 0, 3), /^UserError: k must be a whole number between 0 and 3/);
});

test('firstRepeat: the first item paired with an earlier one, as both indices; undefined when none', () => {
  const equal = (a: string, b: string) => a === b;
  assert.deepEqual(firstRepeat(['a', 'b', 'a', 'b'], equal), [0, 2]);
  assert.deepEqual(firstRepeat(['a', 'b', 'c', 'b', 'a'], equal), [1, 3]);
  assert.deepEqual(firstRepeat(['x', 'y', 'y'], equal), [1, 2]);
  assert.equal(firstRepeat(['a', 'b', 'c'], equal), undefined);
  assert.equal(firstRepeat([], equal), undefined);
  // `same` need not be equality: here the same first letter
  assert.deepEqual(
    firstRepeat(['ab', 'cd', 'ax'], (a, b) => a[0] === b[0]),
    [0, 2],
  );
});
