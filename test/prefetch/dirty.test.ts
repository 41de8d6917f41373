import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../src/migration';
import { createPredictor, feedHistory } from '../../src/prefetch';
import { loadTrace, switchoverAtFraction, type Trace } from '../../src/trace';
import { context } from './helpers';

/** ppm-hybrid-dirty after a history of `pages`, of which those with a 1 in `writes` were writes. */
function trained(pages: number[], writes?: number[]) {
  const predictor = createPredictor('ppm-hybrid-dirty');
  feedHistory(predictor, Uint32Array.from(pages), writes && Uint8Array.from(writes));
  return predictor;
}

const HISTORY = [10, 11, 12, 13, 14, 15, 16];
const WRITES = [0, 1, 0, 1, 0, 1, 0]; // 11, 13 and 15 written; 10, 12, 14 and 16 only read

test("ppm-hybrid-dirty: the hybrid's slots for seen pages go to written pages first, in the hybrid's order", () => {
  // ppm-hybrid after the same history ranks at 13: 14, 12, 15, 11, 16, 10, 17, 9 (all but 17 and 9 seen)
  const hybrid = createPredictor('ppm-hybrid');
  feedHistory(hybrid, Uint32Array.from(HISTORY));
  assert.deepEqual(hybrid.onFault(13, 8, context(100)), [14, 12, 15, 11, 16, 10, 17, 9]);
  // a fault on a written page: written pages (2 / 4 per page) now fault more than read-only ones (1 / 5): 15, 11 first
  assert.deepEqual(trained(HISTORY, WRITES).onFault(13, 3, context(100)), [15, 11, 14]);
  // a never-seen page keeps the slot the hybrid gave it: 17 and 9 stay last of the eight
  assert.deepEqual(trained(HISTORY, WRITES).onFault(13, 8, context(100)), [15, 11, 14, 12, 16, 10, 17, 9]);
});

test('ppm-hybrid-dirty keeps the hybrid order while read-only pages fault as often per page, or without writes', () => {
  // a first fault on the read-only 12: read-only pages 2 / 5 per page against written 1 / 4
  assert.deepEqual(trained(HISTORY, WRITES).onFault(12, 3, context(100)), [13, 11, 14]);
  // no write flags: every seen page is read-only, the order is the hybrid's
  assert.deepEqual(trained(HISTORY).onFault(13, 3, context(100)), [14, 12, 15]);
});

test('pinned: ppm-hybrid-dirty on the sort trace and a whole-guest QEMU trace (k 8, switchover 50 %, push off)', () => {
  const run = (trace: Trace) => {
    const predictor = 'ppm-hybrid-dirty';
    const r = simulate(trace, { predictor, k: 8, push: 'off', switchover: switchoverAtFraction(trace, 0.5) });
    return [r.networkFaults, r.prefetchIssued, r.prefetchUsed];
  };
  const sort = loadTrace('datasets/sort.trace.gz');
  // ppm-hybrid: 57 faults on sort, 143 on the QEMU bzip2 guest
  assert.deepEqual(run(sort), [56, 448, 408]);
  assert.deepEqual(run(loadTrace('datasets/qemu/bzip2-plugin-1.pctrace.gz')), [139, 1112, 554]);
  // sort's one fault fewer comes from asking the hybrid for 4k pages, not from the dirty log: without writes too
  assert.equal(run({ ...sort, write: new Uint8Array(sort.write.length) })[0], 56);
});

test('ppm-hybrid-dirty at k = 2^16 on a VM of 2^20 pages: k distinct unsent pages, fault after fault', () => {
  const k = 2 ** 16;
  const vmPages = 2 ** 20;
  const sent = [9, 17, 70_000];
  const predictor = trained(HISTORY, WRITES);
  for (const fault of [13, 600_000]) {
    const pages = predictor.onFault(fault, k, context(vmPages, sent));
    assert.equal(new Set(pages).size, k);
    assert.ok(pages.every((p) => Number.isInteger(p) && p >= 0 && p < vmPages && p !== fault && !sent.includes(p)));
  }
});
