import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeKeepers } from '../../src/util/shape-keepers';

test('a kind keeper is made at the first object of its kind and every renewal-th after, each kind counted apart', () => {
  const keepers = new ShapeKeepers(4);
  const made: string[] = [];
  for (let i = 1; i <= 9; i++) {
    keepers.madeOne('a', () => made.push(`a${i}`));
    if (i <= 5) keepers.madeOne('b', () => made.push(`b${i}`));
  }
  assert.deepEqual(made, ['a1', 'b1', 'a5', 'b5', 'a9']);
});
