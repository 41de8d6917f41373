import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors';
import {
  encodeBinaryTrace,
  GENERATOR_KINDS,
  generateTrace,
  generateTracesByWriteRatio,
  type GeneratorKind,
  type GeneratorOptions,
} from '../../src/trace';

const base: GeneratorOptions = { seed: 'det', accesses: 5000, pages: 300, writeRatio: 0.25 };

test('same seed gives a byte-identical trace for every kind; another seed differs for the random kinds', () => {
  for (const kind of GENERATOR_KINDS) {
    const a = encodeBinaryTrace(generateTrace(kind, base));
    const b = encodeBinaryTrace(generateTrace(kind, { ...base }));
    assert.ok(Buffer.from(a).equals(b), kind);
    const other = generateTrace(kind, { ...base, seed: 'other' });
    const same = generateTrace(kind, base);
    if (kind !== 'sequential' && kind !== 'strided')
      assert.notDeepEqual(Array.from(other.page), Array.from(same.page), kind);
    assert.notDeepEqual(Array.from(other.write), Array.from(same.write), kind);
  }
  // a numeric seed and its decimal string are the same seed
  assert.deepEqual(
    Array.from(generateTrace('random', { ...base, seed: 7 }).page),
    Array.from(generateTrace('random', { ...base, seed: '7' }).page),
  );
});

test('every kind: right length, pages in range, time = i * instructionsPerAccess', () => {
  for (const kind of GENERATOR_KINDS) {
    const t = generateTrace(kind, { ...base, instructionsPerAccess: 3 });
    assert.equal(t.page.length, base.accesses);
    for (let i = 0; i < t.page.length; i++) {
      assert.ok(t.page[i] < base.pages, kind);
      assert.equal(t.time[i], 3 * i);
    }
    assert.equal(t.pageSize, 4096);
  }
  assert.equal(generateTrace('random', { ...base, accesses: 0 }).page.length, 0);
});

test('sequential and strided follow their hand-written orders', () => {
  const seq = generateTrace('sequential', { seed: 1, accesses: 7, pages: 3 });
  assert.deepEqual(Array.from(seq.page), [0, 1, 2, 0, 1, 2, 0]);
  // stride 2 over 5 pages: lap 0 = 0, 2, 4; lap 1 = 1, 3; then lap 0 again
  const strided = generateTrace('strided', { seed: 1, accesses: 8, pages: 5, stride: 2 });
  assert.deepEqual(Array.from(strided.page), [0, 2, 4, 1, 3, 0, 2, 4]);
  // a stride wider than the space behaves like stride = pages: still every page once per sweep
  assert.deepEqual(
    Array.from(generateTrace('strided', { seed: 1, accesses: 4, pages: 2, stride: 9 }).page),
    [0, 1, 0, 1],
  );
});

test('pointer chase walks one cycle through all pages', () => {
  const pages = 50;
  const t = generateTrace('pointer-chase', { seed: 's', accesses: 3 * pages, pages });
  assert.equal(new Set(t.page.subarray(0, pages)).size, pages);
  for (let i = pages; i < t.page.length; i++) assert.equal(t.page[i], t.page[i - pages]);
});

test('zipf: the hottest page gets about 1/H(100) of the accesses', () => {
  // exponent 1 over 100 pages: P(rank 1) = 1 / (1 + 1/2 + ... + 1/100) = 1 / 5.187 = 0.193
  const t = generateTrace('zipf', { seed: 'z', accesses: 20000, pages: 100 });
  const counts = new Map<number, number>();
  for (const p of t.page) counts.set(p, (counts.get(p) ?? 0) + 1);
  const sorted = [...counts.values()].sort((a, b) => b - a);
  assert.ok(Math.abs(sorted[0] / 20000 - 0.193) < 0.015, `top share ${sorted[0] / 20000}`);
  // rank 2 gets half of rank 1 in expectation
  assert.ok(Math.abs(sorted[1] / sorted[0] - 0.5) < 0.1);
});

test('random covers the pages about uniformly', () => {
  const t = generateTrace('random', { seed: 'u', accesses: 40000, pages: 4 });
  const counts = [0, 0, 0, 0];
  for (const p of t.page) counts[p]++;
  for (const c of counts) assert.ok(Math.abs(c / 40000 - 0.25) < 0.01, `${counts}`);
});

test('phased: each phase stays inside its own window of hotFraction * pages', () => {
  // 4000 accesses, 4 phases of 1000; window = round(0.05 * 1000) = 50 pages
  const t = generateTrace('phased', { seed: 'p', accesses: 4000, pages: 1000, hotFraction: 0.05, phases: 4 });
  const lows: number[] = [];
  for (let phase = 0; phase < 4; phase++) {
    const slice = Array.from(t.page.subarray(phase * 1000, (phase + 1) * 1000));
    const low = Math.min(...slice);
    assert.ok(Math.max(...slice) - low < 50, `phase ${phase}`);
    lows.push(low);
  }
  assert.ok(new Set(lows).size > 1, 'phases move their window');
  // phase 0 is a sequential scan of its window
  assert.deepEqual(
    Array.from(t.page.subarray(0, 3)).map((p) => p - lows[0]),
    [0, 1, 2],
  );
});

test('write ratio: share close to the ratio, 0 and 1 exact, pages unchanged by it', () => {
  const share = (kind: GeneratorKind, writeRatio: number) => {
    const t = generateTrace(kind, { ...base, accesses: 20000, writeRatio });
    return t.write.reduce((a, b) => a + b, 0) / t.write.length;
  };
  assert.ok(Math.abs(share('random', 0.3) - 0.3) < 0.015);
  assert.equal(share('zipf', 0), 0);
  assert.equal(share('zipf', 1), 1);
  const reads = generateTrace('zipf', { ...base, writeRatio: 0 });
  const writes = generateTrace('zipf', { ...base, writeRatio: 0.9 });
  assert.deepEqual(Array.from(reads.page), Array.from(writes.page));
});

test('traces by write ratio: each the trace generateTrace makes with that ratio, one page column for all', () => {
  const ratios = [0, 0.05, 0.5, 1];
  for (const kind of ['zipf', 'phased'] as const) {
    const traces = generateTracesByWriteRatio(kind, base, ratios);
    traces.forEach((trace, i) => assert.deepEqual(trace, generateTrace(kind, { ...base, writeRatio: ratios[i] })));
    assert.equal(traces[1].page, traces[3].page);
  }
  assert.throws(
    () => generateTracesByWriteRatio('zipf', { ...base, kind: 'zipf' } as never, [0]),
    /generator option "kind"/,
  );
  assert.throws(
    () => generateTracesByWriteRatio('zipf', base, [0.1, 1.5]),
    /write ratio must be a number in \[0, 1\], got 1.5/,
  );
});

test('impossible parameters are UserErrors naming the parameter', () => {
  const bad = (kind: string, opts: Partial<GeneratorOptions>, pattern: RegExp) =>
    assert.throws(
      () => generateTrace(kind as GeneratorKind, { ...base, ...opts }),
      (e: unknown) => e instanceof UserError && pattern.test(e.message),
    );
  bad('bogus', {}, /unknown generator "bogus"/);
  bad('random', { pages: 0 }, /pages must be a whole number in \[1, 2\^32\]/);
  bad('random', { accesses: -1 }, /accesses must be a whole number >= 0/);
  bad('random', { accesses: 1.5 }, /accesses must be a whole number/);
  bad('random', { writeRatio: 1.5 }, /write ratio must be a number in \[0, 1\]/);
  bad('strided', { stride: 0 }, /stride must be a whole number >= 1/);
  bad('zipf', { zipfExponent: -1 }, /zipf exponent must be a number >= 0/);
  bad('phased', { hotFraction: 0 }, /hot fraction must be a number in \(0, 1\]/);
  bad('phased', { phases: 0 }, /phases must be a whole number >= 1/);
  bad('random', { instructionsPerAccess: 0 }, /instructions per access must be a whole number >= 1/);
  bad('random', { pageSize: 1000 }, /page size must be a positive power of two/);
  // a number given as a string: shown quoted ('got 10' read as if 10 were refused), and refused where it ran (session 34)
  bad('random', { pages: '10' as never }, /^pages must be a whole number in \[1, 2\^32\], got "10"$/);
  bad('random', { writeRatio: '0.5' as never }, /^write ratio must be a number in \[0, 1\], got "0\.5"$/);
  bad('phased', { hotFraction: '0.1' as never }, /^hot fraction must be a number in \(0, 1\], got "0\.1"$/);
  // a misspelt option was ignored and the default's trace made (session 35)
  bad(
    'zipf',
    { zipfExponant: 2 } as never,
    /^unknown generator option "zipfExponant" \(known: seed, accesses, pages, /,
  );
});
