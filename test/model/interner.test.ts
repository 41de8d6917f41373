import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enlarged } from '../../src/util/enlarged';
import { Interner } from '../../src/model/interner';

test('Interner gives dense indices in order of first sight, small and huge symbols alike', () => {
  const symbols = new Interner();
  assert.equal(symbols.indexOf(5), -1);
  assert.deepEqual(
    [5, 2 ** 32 - 1, 5, 0, 70_000, 2 ** 24, 2 ** 32 - 1].map((s) => symbols.intern(s)),
    [0, 1, 0, 2, 3, 4, 1],
  );
  assert.equal(symbols.size, 5);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => symbols.valueOf(i)),
    [5, 2 ** 32 - 1, 0, 70_000, 2 ** 24],
  );
  assert.equal(symbols.indexOf(70_000), 3);
  assert.equal(symbols.indexOf(70_001), -1);
  assert.equal(symbols.indexOf(2 ** 24 + 1), -1);
});

test('enlarged keeps the elements, fills the new tail and keeps the array type', () => {
  const grown = enlarged(Int32Array.of(3, -4), 5, -1);
  assert.ok(grown instanceof Int32Array);
  assert.deepEqual([...grown], [3, -4, -1, -1, -1]);
  assert.deepEqual([...enlarged(Float64Array.of(0.5), 3)], [0.5, 0, 0]);
});
