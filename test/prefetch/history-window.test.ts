import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryWindow } from '../../src/prefetch/history-window';

function drained(window: HistoryWindow): number[] {
  const out: number[] = [];
  window.drain((p) => out.push(p));
  return out;
}

test('HistoryWindow keeps the last capacity pages, oldest first, and empties on drain', () => {
  const w = new HistoryWindow(4);
  for (const p of [1, 2, 3, 4, 5, 6]) w.push(p);
  assert.deepEqual(drained(w), [3, 4, 5, 6]);
  assert.deepEqual(drained(w), []);
});

test('pushBlock records the same window as pushing each page, for blocks shorter, longer and wrapping', () => {
  const stream = Array.from({ length: 23 }, (_, i) => 100 + i);
  for (const cuts of [
    [0, 23],
    [0, 3, 4, 9, 10, 23],
    [0, 2, 11, 12, 13, 22, 23],
    [0, 1, 5],
  ]) {
    const byPage = new HistoryWindow(5);
    const byBlock = new HistoryWindow(5);
    const end = cuts[cuts.length - 1];
    for (const p of stream.slice(0, end)) byPage.push(p);
    for (let c = 1; c < cuts.length; c++) byBlock.pushBlock(Uint32Array.from(stream.slice(cuts[c - 1], cuts[c])));
    assert.deepEqual(drained(byBlock), drained(byPage), `cuts ${cuts}`);
  }
});

test('take returns the kept pages oldest first, whether or not the ring wrapped, and empties the window', () => {
  const w = new HistoryWindow(3);
  assert.deepEqual([...w.take()], []);
  for (const p of [7, 8]) w.push(p);
  assert.deepEqual([...w.take()], [7, 8]);
  for (const p of [1, 2, 3]) w.push(p);
  assert.deepEqual([...w.take()], [1, 2, 3]);
  for (const p of [1, 2, 3, 4, 5]) w.push(p);
  assert.deepEqual([...w.take()], [3, 4, 5]);
  assert.deepEqual([...w.take()], []);
});

test('a window larger than its first allocation grows and still keeps the last capacity pages', () => {
  const stream = Array.from({ length: 9000 }, (_, i) => (i * 7919) % 65536);
  for (const capacity of [3000, 8192, 20000]) {
    const byPage = new HistoryWindow(capacity);
    const byBlock = new HistoryWindow(capacity);
    for (const p of stream) byPage.push(p);
    for (const [from, to] of [
      [0, 700],
      [700, 2500],
      [2500, 9000],
    ])
      byBlock.pushBlock(Uint32Array.from(stream.slice(from, to)));
    const expected = stream.slice(-capacity);
    assert.deepEqual([...byPage.take()], expected, `capacity ${capacity} by page`);
    assert.deepEqual([...byBlock.take()], expected, `capacity ${capacity} by block`);
  }
});
