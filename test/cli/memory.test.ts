/**
 * compare's memory check up front (src/cli/simulate.ts passesInMemory), with the available memory the CLI sees set
 * by a preloaded stub: methods that do not fit together run in several passes with the same numbers; a run that does
 * not fit alone is refused with one line and exit 2 (it was left to the kernel, which killed it with no message).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { passesInMemory } from '../../src/cli/simulate';
import { resolveSimConfig } from '../../src/migration';
import { makeTrace, summarizeTrace } from '../../src/trace';

const CLI = resolve('dist/cli.js');
const STUB = resolve('test/fixtures/available-memory.cjs');
const TRACE = 'datasets/sqlite.trace.gz';
/** 2^22 pages: 42 MB per post-copy run of none, next-k or oracle, 126 MB for ppm-hybrid (with its skip lists). */
const COMPARE = ['compare', TRACE, '--prefetchers', 'none,next-k,ppm-hybrid,oracle', '--vm-pages', '4194304'];

function cli(args: readonly string[], availableBytes?: number) {
  const stub = availableBytes === undefined ? [] : ['-r', STUB];
  return spawnSync(process.execPath, [...stub, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PCL_TEST_AVAILABLE: String(availableBytes) },
  });
}

test('methods that do not fit in memory together run in passes, with the numbers of one pass', () => {
  const together = cli([...COMPARE, '--json']);
  assert.equal(together.status, 0, together.stderr);
  // room for about two runs at a time (80% of it for the runs' arrays): three passes
  const passes = cli([...COMPARE, '--json'], 160e6);
  assert.equal(passes.status, 0, passes.stderr);
  assert.equal(passes.stderr, '');
  assert.deepEqual(JSON.parse(passes.stdout), JSON.parse(together.stdout));
  assert.equal(JSON.parse(passes.stdout).length, 4);
});

test('a run that does not fit alone is refused with one line naming what it needs and what is available', () => {
  const r = cli(COMPARE, 60e6);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    'postcopy-lab: --vm-pages 4194304 needs about 126 MB of memory for one postcopy run, more than the 48 MB ' +
      'this machine has free for it (60 MB available, counting any memory limit of this process): give a ' +
      'smaller --vm-pages or free some memory\n',
  );
  const own = cli(['simulate', TRACE, '--mode', 'hybrid'], 5000);
  assert.equal(own.status, 2);
  assert.match(own.stderr, /^postcopy-lab: the trace's VM of 783 pages \(its largest page \+ 1\) needs about 1 MB/);
  assert.doesNotMatch(own.stderr, /--vm-pages/);
});

test('passesInMemory: runs in order, a new pass where the next would pass 80 % of the memory (hand-computed)', () => {
  // 10^6 pages: 10 bytes each for none, next-k and the oracle (arrival time, two flags), 30 for ppm-hybrid (+ 20)
  const summary = summarizeTrace(makeTrace({ page: [0, 1, 2] }, { name: 'tiny' }));
  const runs = ['none', 'next-k', 'ppm-hybrid', 'oracle'] as const;
  const configs = runs.map((predictor) => resolveSimConfig(summary, { predictor, vmPages: 1e6 }));
  assert.deepEqual(passesInMemory(configs, 1e9, true), [[0, 4]]);
  // 40 MB for the runs: 10 + 10, then 30 + 10 = 40 exactly
  assert.deepEqual(passesInMemory(configs, 50e6, true), [
    [0, 2],
    [2, 4],
  ]);
  // a little less, and the oracle no longer joins ppm-hybrid
  assert.deepEqual(passesInMemory(configs, 49.9e6, true), [
    [0, 2],
    [2, 3],
    [3, 4],
  ]);
  // 24 MB: ppm-hybrid's 30 MB fit in no pass
  assert.throws(() => passesInMemory(configs, 30e6, true), /--vm-pages 1000000 needs about 30 MB .* than the 24 MB/);
});
