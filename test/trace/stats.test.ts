import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatTraceStats,
  generateTrace,
  largestPage,
  makeTrace,
  pageHistogram,
  reuseDistances,
  traceFootprint,
  traceStats,
} from '../../src/trace';

test('stats of a small trace match the hand computation', () => {
  // i: 0  1  2  3  4  5
  // p: 1  2  1  3  2  1      writes at i = 1 and 4
  // reuse distances (distinct other pages since the previous access to the same page):
  //   i2 (page 1, previous i0): {2} -> 1;  i4 (page 2, previous i1): {1, 3} -> 2;  i5 (page 1, previous i2): {3, 2} -> 2
  // cold = 3 first touches; sorted distances [1, 2, 2]: mean 5/3, median = value ceil(1.5) = 2nd = 2,
  // p90 = value ceil(2.7) = 3rd = 2, p99 = 3rd = 2, max 2
  const trace = makeTrace(
    { time: [0, 10, 10, 20, 30, 35], page: [1, 2, 1, 3, 2, 1], write: [0, 1, 0, 0, 1, 0] },
    { name: 'hand' },
  );
  const s = traceStats(trace);
  assert.equal(s.accesses, 6);
  assert.equal(s.distinctPages, 3);
  assert.equal(s.footprintMiB, (3 * 4096) / 1048576); // 0.01171875
  assert.equal(s.writes, 2);
  assert.equal(s.writeShare, 2 / 6);
  assert.equal(s.firstTime, 0);
  assert.equal(s.lastTime, 35);
  assert.deepEqual(s.reuseDistance, { cold: 3, reuses: 3, mean: 5 / 3, median: 2, p90: 2, p99: 2, max: 2 });
  // max page 3 -> width ceil(4 / 16) = 1, four bins: page 0: 0, page 1: 3, page 2: 2, page 3: 1
  assert.deepEqual(
    s.pageHistogram.map((b) => [b.firstPage, b.lastPage, b.accesses]),
    [
      [0, 0, 0],
      [1, 1, 3],
      [2, 2, 2],
      [3, 3, 1],
    ],
  );
  assert.equal(s.name, 'hand');
});

test('reuse distance: immediate repeat is 0, a scan of k pages repeated gives k - 1', () => {
  assert.deepEqual(Array.from(reuseDistances(new Uint32Array([5, 5, 5])).distances), [0, 0]);
  // 0 1 2 3 0 1 2 3: each second access has 3 other pages in between
  const scan = reuseDistances(new Uint32Array([0, 1, 2, 3, 0, 1, 2, 3]));
  assert.deepEqual(Array.from(scan.distances), [3, 3, 3, 3]);
  assert.equal(scan.distinctPages, 4);
  // 7 8 8 8 7: the 8s repeat, but only one distinct page separates the two 7s
  assert.deepEqual(Array.from(reuseDistances(new Uint32Array([7, 8, 8, 8, 7])).distances), [0, 0, 1]);
});

test('reuse distances equal a brute-force count on a generated trace', () => {
  const t = generateTrace('zipf', { seed: 'rd', accesses: 2000, pages: 60 });
  const fast = Array.from(reuseDistances(t.page).distances);
  const slow: number[] = [];
  for (let i = 0; i < t.page.length; i++) {
    const previous = t.page.lastIndexOf(t.page[i], i - 1);
    if (previous >= 0 && i > 0) slow.push(new Set(t.page.subarray(previous + 1, i)).size);
  }
  assert.deepEqual(fast, slow);
});

test('reuse distances of pages at or above 2^31 stay exact across the window renumbering', () => {
  // 1000 pages from 2^31 in a fixed cycle (7919 is prime to 1000): every reuse has the other 999 in between; the
  // renumbering at 65,536 stamps once read such a page as "no page here" (it was kept as a negative Int32)
  const pages = Uint32Array.from({ length: 200_000 }, (_, i) => 2 ** 31 + ((i * 7919) % 1000));
  const { distances, distinctPages } = reuseDistances(pages);
  assert.equal(distinctPages, 1000);
  assert.equal(distances.length, 199_000);
  assert.ok(distances.every((d) => d === 999));
});

test('page histogram: 16 equal bins from page 0, the last one clipped at the largest page', () => {
  // pages 0..99: width ceil(100 / 16) = 7; 15 bins (0-6 ... 98-99), the last holding 2 pages
  const bins = pageHistogram(Uint32Array.from({ length: 100 }, (_, i) => i));
  assert.equal(bins.length, 15);
  assert.deepEqual(bins[0], { firstPage: 0, lastPage: 6, accesses: 7 });
  assert.deepEqual(bins[14], { firstPage: 98, lastPage: 99, accesses: 2 });
  assert.equal(
    bins.reduce((a, b) => a + b.accesses, 0),
    100,
  );
});

test('traceFootprint: the hand-computed counts above, without reuse distances; zero for an empty trace', () => {
  const trace = makeTrace({ time: [0, 10, 10, 20, 30, 35], page: [1, 2, 1, 3, 2, 1], write: [0, 1, 0, 0, 1, 0] });
  assert.deepEqual(traceFootprint(trace), {
    accesses: 6,
    distinctPages: 3,
    footprintMiB: (3 * 4096) / 1048576,
    writes: 2,
    writeShare: 2 / 6,
  });
  assert.deepEqual(traceFootprint(makeTrace({ page: [] })), {
    accesses: 0,
    distinctPages: 0,
    footprintMiB: 0,
    writes: 0,
    writeShare: 0,
  });
});

test('an empty trace has zero stats and no reuse summary', () => {
  const s = traceStats(makeTrace({ page: [] }));
  assert.equal(s.accesses, 0);
  assert.equal(s.writeShare, 0);
  assert.deepEqual(s.reuseDistance, { cold: 0, reuses: 0, mean: null, median: null, p90: null, p99: null, max: null });
  assert.deepEqual(s.pageHistogram, []);
  assert.match(formatTraceStats(s), /accesses {8}0/);
});

test('the text report shows every number and a bar per bin', () => {
  const report = formatTraceStats(
    traceStats(makeTrace({ page: [1, 2, 1, 3, 2, 1], write: [0, 1, 0, 0, 1, 0] }, { name: 'hand' })),
  );
  assert.match(report, /distinct pages {2}3/);
  assert.match(report, /write share {5}0\.3333 \(2 writes\)/);
  assert.match(report, /cold 3, reuses 3: mean 1\.67, median 2, p90 2, p99 2, max 2/);
  // page 1 has the most accesses: the full 40-character bar
  assert.match(report, /1-1 #{40} 3/);
});

test('largestPage: the largest page number, -1 for none', () => {
  assert.equal(largestPage(new Uint32Array([3, 0xffffffff, 7])), 0xffffffff);
  assert.equal(largestPage(new Uint32Array([0])), 0);
  assert.equal(largestPage(new Uint32Array(0)), -1);
  // the largest at every position of arrays of 1 to 9 pages (each of the scan's four lanes and its tail)
  for (let n = 1; n <= 9; n++) {
    for (let at = 0; at < n; at++) {
      const pages = Uint32Array.from({ length: n }, (_, i) => (i === at ? 0xfffffffe : i));
      assert.equal(largestPage(pages), 0xfffffffe, `${n} pages, largest at ${at}`);
    }
  }
});

/** The straightforward reference: a Fenwick tree over every access position (memory in the accesses). */
function referenceDistances(page: Uint32Array): number[] {
  const tree = new Int32Array(page.length + 1);
  const add = (i: number, d: number) => {
    for (let x = i + 1; x <= page.length; x += x & -x) tree[x] += d;
  };
  const prefix = (i: number) => {
    let s = 0;
    for (let x = i; x > 0; x -= x & -x) s += tree[x];
    return s;
  };
  const last = new Map<number, number>();
  const out: number[] = [];
  page.forEach((p, i) => {
    const previous = last.get(p);
    if (previous !== undefined) {
      out.push(prefix(i) - prefix(previous + 1));
      add(previous, -1);
    }
    add(i, 1);
    last.set(p, i);
  });
  return out;
}

test('reuse distances stay exact when the stamp window is renumbered and doubled (long traces, many pages)', () => {
  for (const [kind, accesses, pages] of [
    ['zipf', 300_000, 50],
    ['zipf', 300_000, 100_000],
    ['random', 100_000, 2 ** 32],
  ] as const) {
    const t = generateTrace(kind, { seed: `window-${pages}`, accesses, pages, zipfExponent: 0.6 });
    assert.deepEqual(
      Array.from(reuseDistances(t.page).distances),
      referenceDistances(t.page),
      `${accesses} accesses over ${pages} pages`,
    );
  }
});
