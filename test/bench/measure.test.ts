import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild, line } from '../../src/bench/measure';
import { tempDir } from '../temp-dir';

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

test("runChild reports the child's own peak memory: a child holding 200 MiB reports more than that", () => {
  const script = join(tempDir('bench-test'), 'hold.js');
  writeFileSync(script, 'const a = new Uint8Array(200 * 2 ** 20).fill(1); if (a[5] !== 1) process.exit(1);');
  const run = runChild([script]);
  assert.ok(run.peakRssMiB > 200 && run.peakRssMiB < 400, `peak ${run.peakRssMiB} MiB`);
  assert.throws(() => runChild([join(script, '..', 'missing.js')]), /failed/);
});

test("runChild leaves out the parent's memory: a parent holding 256 MiB does not raise an idle child's peak", () => {
  const script = join(tempDir('bench-test'), 'idle.js');
  writeFileSync(script, '');
  const held = new Uint8Array(256 * 2 ** 20).fill(1);
  const run = runChild([script]);
  assert.equal(held[7], 1);
  assert.ok(run.peakRssMiB < 200, `peak ${run.peakRssMiB} MiB`);
});

test("runChild reports the child's CPU seconds, every thread's and its main thread's apart", () => {
  // each thread spins until its own CPU clock (schedstat) passes 0.3 s: what it spent, whatever the load
  const spin = `const fs = require('fs');
const own = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
const start = own(); while (own() - start < 0.3);`;
  const script = join(tempDir('bench-test'), 'spin.js');
  writeFileSync(
    script,
    `const { Worker } = require('worker_threads');
new Worker(${JSON.stringify(spin)}, { eval: true }).on('exit', () => { ${spin} });`,
  );
  const run = runChild([script]);
  assert.ok(run.mainCpuSeconds !== undefined && run.mainCpuSeconds >= 0.3, `main thread ${run.mainCpuSeconds} s`);
  assert.ok(run.cpuSeconds - run.mainCpuSeconds >= 0.3, `process ${run.cpuSeconds} s, main ${run.mainCpuSeconds} s`);
});

test("a bench stopped mid-run leaves its directory in TMPDIR, which the next bench removes; a live bench's is kept", () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  // named as a bench names them (a Ctrl-C in the memory section left one with its 10^8-access trace)
  const orphan = join(tmpdir(), `postcopy-bench-${dead}-abc123`);
  const live = join(tmpdir(), `postcopy-bench-${process.ppid}-def456`);
  for (const dir of [orphan, live]) {
    mkdirSync(dir);
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'bench.pctrace'), 'half a trace');
  }
  const script = join(tempDir('bench-test'), 'idle.js');
  writeFileSync(script, '');
  runChild([script]);
  assert.equal(existsSync(orphan), false, "the dead bench's directory is still there");
  assert.equal(existsSync(live), true);
});
