import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { alternate, cpuAllowedSpeedUp, pairLines } from '../../src/bench/sweep';
// the compiled section: it runs dist/cli.js, as the bench does (so `npm run build` before running this alone)
import { binNodeFlags } from '../../dist/bench/measure';
import { notebookSweepSection, sweepCommand, sweepPairs } from '../../dist/bench/notebook-sweeps';
import { HEAP_NODE_FLAGS } from '../../src/util/young-generation';
import { tempDir } from '../temp-dir';

test('serial and parallel runs alternate in order S P, P S, S P, each pair kept as [serial, parallel]', () => {
  const order: number[] = [];
  const pairs = alternate(3, (workers) => (order.push(workers), { wall: workers, cpu: order.length }), 2);
  assert.deepEqual(order, [1, 2, 2, 1, 1, 2]);
  assert.deepEqual(
    pairs.map(([s, p]) => [s.cpu, p.cpu]),
    [
      [1, 2],
      [4, 3],
      [5, 6],
    ],
  );
});

test('the speed-up is the median of the pairs ratios, each kept; CPU seconds are medians over the same runs', () => {
  const run = (wall: number, cpu: number) => ({ wall, cpu });
  const [speedUp, cpu] = pairLines(
    [
      [run(4, 3), run(2, 3.3)],
      [run(3, 3), run(2, 3.6)],
      [run(6, 3.3), run(2, 3)],
    ],
    'warm workers',
    2,
    true,
  );
  assert.deepEqual(speedUp.samples, [2, 1.5, 3]);
  assert.equal(speedUp.value, 2);
  assert.equal(speedUp.met, true);
  assert.match(speedUp.name, /median of 3 alternating pairs; 4\.00 s -> 2\.00 s/);
  assert.equal(cpu.value, 3.3);
  assert.equal(cpu.baselineValue, 3);
  assert.ok(Math.abs(cpu.ratio - 1.1) < 1e-12, `CPU ratio ${cpu.ratio}`);
});

test('an even count of pairs: the mean of the middle two; one-thread runs: cores busy, speed-up CPU allows', () => {
  const run = (wall: number, cpu: number, mainCpu?: number) => ({ wall, cpu, mainCpu });
  const [speedUp, cpu, busy, allowed] = pairLines(
    [
      [run(4, 3, 2), run(4, 4)],
      [run(4, 3.6, 3), run(2, 5)],
    ],
    "a fresh process's first sweep",
    2,
    false,
  );
  assert.deepEqual(speedUp.samples, [1, 2]);
  assert.equal(speedUp.value, 1.5);
  assert.equal(cpu.value, 4.5);
  assert.equal(cpu.baselineValue, 3.3);
  assert.match(cpu.name, /0\.60 s more per thread/);
  assert.deepEqual(busy.samples, [1.5, 1.2]);
  assert.ok(Math.abs(busy.value - 1.35) < 1e-12, `cores busy ${busy.value}`);
  // main-thread CPU 2 and 3 against 4 and 5 CPU s over 2 cores
  assert.deepEqual(allowed.samples, [1, 1.2]);
  assert.ok(Math.abs(allowed.value - 1.1) < 1e-12, `allowed ${allowed.value}`);
});

/** Calls `work` with a fresh directory, removed when the test ends whatever happens. */
function inTempDir(work: (dir: string) => void): void {
  work(tempDir('bench-pairs'));
}

const fakeRun = (seconds: number) => ({ peakRssMiB: 1, seconds, cpuSeconds: seconds });

test('notebook sweeps: one pair per sweep, which side goes first alternating, one thread against the default', () =>
  inTempDir((dir) => {
    const calls: string[] = [];
    const pairs = sweepPairs(['a', 'b', 'c'], dir, (name, workers, file) => {
      calls.push(`${name}/${workers ?? 'default'}`);
      writeFileSync(file, `rows of ${name}`);
      return fakeRun(workers === 1 ? 4 : 2);
    });
    assert.deepEqual(calls, ['a/1', 'a/default', 'b/default', 'b/1', 'c/1', 'c/default']);
    assert.deepEqual(
      pairs.map((p) => [p.name, p.serial.seconds, p.parallel.seconds]),
      [
        ['a', 4, 2],
        ['b', 4, 2],
        ['c', 4, 2],
      ],
    );
  }));

test('notebook sweeps: a default run that wrote other rows than the one-thread run fails the bench, naming it', () =>
  inTempDir((dir) => {
    const run = (name: string, workers: number | undefined, file: string) => {
      writeFileSync(file, name === 'b' && workers === undefined ? 'other rows' : `rows of ${name}`);
      return fakeRun(1);
    };
    assert.throws(() => sweepPairs(['a', 'b'], dir, run), {
      message: 'sweep b: the default run wrote other rows than the one-thread run',
    });
  }));

test('a notebook sweep on one thread asks for 1 worker; the default asks for none, by flag or environment', () => {
  const env = { PATH: '/bin', POSTCOPY_LAB_WORKERS: '1' };
  const one = sweepCommand('push', 1, 'o.json', env);
  const cli = resolve('dist/cli.js');
  assert.deepEqual(one.args, [...HEAP_NODE_FLAGS, cli, 'sweep', 'push', '--workers', '1', '-o', 'o.json']);
  const byDefault = sweepCommand('push', undefined, 'o.json', env);
  assert.deepEqual(byDefault.args, [...HEAP_NODE_FLAGS, cli, 'sweep', 'push', '-o', 'o.json']);
  assert.deepEqual(byDefault.env, { PATH: '/bin' });
  assert.deepEqual(one.env, { PATH: '/bin' });
});

test("the bench reads the node flags of the bin's shebang; a file without that shebang is refused", () => {
  const dir = tempDir('bench-shebang');
  const file = join(dir, 'cli.js');
  writeFileSync(file, '#!/usr/bin/env -S node --a=1  --b\nrequire("x");\n');
  assert.deepEqual(binNodeFlags(file), ['--a=1', '--b']);
  writeFileSync(file, '#!/usr/bin/env -S node\n');
  assert.deepEqual(binNodeFlags(file), []);
  writeFileSync(file, '#!/usr/bin/env node --a=1\n');
  assert.throws(() => binNodeFlags(file), /does not start with '#!\/usr\/bin\/env -S node'/);
  assert.deepEqual(binNodeFlags(), HEAP_NODE_FLAGS);
});

test("the notebooks section runs a sweep as the CLI does and names each sweep's line and the goal's", () => {
  const lines = notebookSweepSection(['modes']);
  const names = lines.map((l) => l.name);
  assert.match(names[0], /^speed-up, sweep modes \(/);
  const cores = availableParallelism();
  const total = lines.find((l) => l.name.startsWith(`speed-up by default on ${cores} cores, sweep modes alone`));
  assert.ok(total, names.join('\n'));
  assert.equal(total.target, cores >= 2 ? 'ratio >= 1.8' : undefined);
  for (const l of lines) assert.ok(l.value > 0 && Number.isFinite(l.value), `${l.name}: ${l.value}`);
});

test("the speed-up CPU allows: one thread's main-thread CPU over the parallel run's process CPU per core", () => {
  // 3 CPU s in one thread; 4 CPU s over 2 cores is 2 s each at best: 1.5x
  assert.equal(cpuAllowedSpeedUp(3, 4, 2), 1.5);
  assert.equal(cpuAllowedSpeedUp(6, 6, 4), 4);
});
