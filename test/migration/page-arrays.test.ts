import { test } from 'node:test';
import assert from 'node:assert/strict';
import { float64PageArray, giveBackPageArrays, keptPageArrays, uint8PageArray } from '../../src/migration/page-arrays';
import { simulate, simulateStreams } from '../../src/migration';
import { generateTrace, summarizeTrace, wholeTraceChunk } from '../../src/trace';

test('page arrays given back come out again filled as new ones, each to one taker at a time', () => {
  const flags = uint8PageArray(1000);
  const times = float64PageArray(1000, Infinity);
  flags.fill(7);
  times.fill(3);
  giveBackPageArrays(flags, times, flags);
  const [a, b] = [uint8PageArray(1000), uint8PageArray(1000)];
  assert.notEqual(a, b);
  assert.ok(a === flags || b === flags);
  assert.ok(a.every((v) => v === 0) && b.every((v) => v === 0));
  const again = float64PageArray(1000, -1);
  assert.equal(again, times);
  assert.ok(again.every((v) => v === -1));
  // another length or type is never handed out for this one
  giveBackPageArrays(a);
  assert.notEqual(uint8PageArray(999), a);
  assert.notEqual(float64PageArray(1000, 0) as unknown, a);
});

test('page arrays kept are bounded: none over 8 MiB, 8 MiB in all', () => {
  const before = keptPageArrays();
  giveBackPageArrays(new Uint8Array(8 * 2 ** 20 + 1));
  assert.equal(keptPageArrays(), before);
  giveBackPageArrays(...Array.from({ length: 10 }, () => new Float64Array(2 ** 20)));
  assert.ok(keptPageArrays() <= 1, `${keptPageArrays()} arrays of 8 MiB kept`);
});

test('runs that reuse the arrays of earlier runs, one after another or side by side, give the same numbers', async () => {
  const traces = [
    generateTrace('zipf', { seed: 'arrays', accesses: 5000, pages: 400, writeRatio: 0.3 }),
    generateTrace('phased', { seed: 'arrays', accesses: 5000, pages: 400 }),
  ];
  const inputs = [
    { predictor: 'ppm' as const, switchover: 3000, vmPages: 512 },
    { predictor: 'next-k' as const, push: 'restart' as const, vmPages: 512 },
    { mode: 'hybrid' as const, predictor: 'ppm' as const, switchover: 3000, vmPages: 512 },
    { predictor: 'none' as const, vmPages: 512, zeroPageShare: 0.5 },
  ];
  const first = traces.map((trace) => inputs.map((input) => simulate(trace, input)));
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(
      traces.map((trace) => inputs.map((input) => simulate(trace, input))),
      first,
    );
    const together = await Promise.all(
      traces.map((trace) => simulateStreams(summarizeTrace(trace), [wholeTraceChunk(trace)], inputs)),
    );
    assert.deepEqual(together, first);
  }
});
