import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPeakRss, line } from '../../src/bench/measure';

const fields = {
  section: 'replay',
  name: 'x',
  unit: 'accesses/s',
  baseline: 'bare loop',
  baselineValue: 200,
  value: 50,
};

test('a bench line is its value over the baseline measured in the same run', () => {
  assert.deepEqual(line(fields), { ...fields, ratio: 0.25 });
});

test('a goal on the ratio or on the value is checked and named', () => {
  assert.deepEqual(line(fields, { ratioAtLeast: 1 / 3 }), {
    ...fields,
    ratio: 0.25,
    target: 'ratio >= 0.333',
    met: false,
  });
  assert.deepEqual(line(fields, { valueAtLeast: 40 }), {
    ...fields,
    ratio: 0.25,
    target: '>= 4e+1 accesses/s',
    met: true,
  });
  assert.equal(line(fields, { valueAtMost: 49, ratioAtLeast: 0.2 }).met, false);
});

test("childPeakRss reports the child's own peak memory: a child holding 200 MiB reports more than that", () => {
  const script = join(mkdtempSync(join(tmpdir(), 'bench-test-')), 'hold.js');
  writeFileSync(script, 'const a = new Uint8Array(200 * 2 ** 20).fill(1); if (a[5] !== 1) process.exit(1);');
  const run = childPeakRss([script]);
  assert.ok(run.peakRssMiB > 200 && run.peakRssMiB < 400, `peak ${run.peakRssMiB} MiB`);
  assert.throws(() => childPeakRss([join(script, '..', 'missing.js')]), /failed/);
});

test("childPeakRss leaves out the parent's memory: a parent holding 256 MiB does not raise an idle child's peak", () => {
  const script = join(mkdtempSync(join(tmpdir(), 'bench-test-')), 'idle.js');
  writeFileSync(script, '');
  const held = new Uint8Array(256 * 2 ** 20).fill(1);
  const run = childPeakRss([script]);
  assert.equal(held[7], 1);
  assert.ok(run.peakRssMiB < 200, `peak ${run.peakRssMiB} MiB`);
});
