/**
 * The shared copies of a sweep's traces: exact copies in SharedArrayBuffers, and a bounded number of
 * buffers however many trace objects pass through (V8 never collects dropped ones in time: shared-traces.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedTraces } from '../../src/experiments/shared-traces';
import { makeTrace, type Trace } from '../../src/trace';

function traceOf(length: number, seed: number, timeStep = 1): Trace {
  const page = Array.from({ length }, (_, i) => (i * 7 + seed) % 97);
  const write = Array.from({ length }, (_, i) => (i + seed) % 3 === 0);
  const time = Array.from({ length }, (_, i) => i * timeStep);
  return makeTrace({ page, write: write.map(Number), time }, { name: `t${seed}`, pageSize: 8192 });
}

function assertSharedCopy(copy: Trace, trace: Trace): void {
  assert.equal(copy.name, trace.name);
  assert.equal(copy.pageSize, trace.pageSize);
  for (const column of ['time', 'page', 'write'] as const) {
    assert.equal(copy[column].constructor, trace[column].constructor, column);
    assert.deepEqual([...copy[column]], [...trace[column]], column);
    assert.ok(copy[column].buffer instanceof SharedArrayBuffer, column);
  }
}

test('50 batches of fresh trace objects reuse the three buffers of the first (one per column)', () => {
  const store = new SharedTraces();
  for (let batch = 0; batch < 50; batch++) {
    const trace = traceOf(500, batch);
    const copies = store.forBatch([trace, trace]);
    assert.equal(copies.size, 1);
    assertSharedCopy(copies.get(trace)!.trace, trace);
  }
  assert.equal(store.buffersAllocated, 3);
});

test('the same trace object again is not copied again; two traces of a batch get two slots, reused next batch', () => {
  const store = new SharedTraces();
  const a = traceOf(300, 1);
  const b = traceOf(200, 2);
  const first = store.forBatch([a, b, a]);
  assert.notEqual(first.get(a)!.id, first.get(b)!.id);
  assertSharedCopy(first.get(a)!.trace, a);
  assertSharedCopy(first.get(b)!.trace, b);
  const again = store.forBatch([a]);
  assert.equal(again.get(a)!.trace, first.get(a)!.trace);
  assert.equal(store.buffersAllocated, 6);
  // b's slot takes a fresh trace that fits it; a keeps its own
  const c = traceOf(150, 3);
  const next = store.forBatch([a, c]);
  assert.equal(next.get(a)!.trace, first.get(a)!.trace);
  assert.equal(next.get(c)!.id, first.get(b)!.id);
  assertSharedCopy(next.get(c)!.trace, c);
  assert.equal(store.buffersAllocated, 6);
});

test('growing traces and wider time columns replace buffers by at least 1.5 times, so few are made', () => {
  const store = new SharedTraces();
  for (let length = 1000; length <= 2000; length += 20) {
    const trace = traceOf(length, length);
    assertSharedCopy(store.forBatch([trace]).get(trace)!.trace, trace);
  }
  // per column, room for 1000 accesses, then 1500, then 2250
  assert.equal(store.buffersAllocated, 9);
  const wide = traceOf(1000, 5, 2 ** 23);
  assert.ok(wide.time instanceof Float64Array);
  assertSharedCopy(store.forBatch([wide]).get(wide)!.trace, wide);
});

test('a trace changed in place since its copy was made is copied again: column values, a wider column, a field', () => {
  const store = new SharedTraces();
  const trace = traceOf(300, 4) as { -readonly [K in keyof Trace]: Trace[K] };
  store.forBatch([trace]);
  trace.page[299] ^= 1;
  assertSharedCopy(store.forBatch([trace]).get(trace)!.trace, trace);
  trace.time = Float64Array.from(trace.time);
  assertSharedCopy(store.forBatch([trace]).get(trace)!.trace, trace);
  trace.pageSize = 4096;
  assertSharedCopy(store.forBatch([trace]).get(trace)!.trace, trace);
  // unchanged, it is the same copy again
  const copy = store.forBatch([trace]).get(trace)!.trace;
  assert.equal(store.forBatch([trace]).get(trace)!.trace, copy);
});
