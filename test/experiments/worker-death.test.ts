/**
 * A sweep worker that dies hard (process.exit, an uncaught throw, out of memory) fails the sweep at
 * once: the caller gets a UserError naming the job it was running (or saying it died loading the library,
 * before any job), the CLI exits 2 with that one line
 * and writes no file, and the next sweep starts a fresh pool. The workers die through a preloaded
 * fixture (test/fixtures/die-in-sweep-worker.cjs), so no job kind exists only for tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir';

const dir = tempDir('worker-death');
const fixture = join(__dirname, '..', 'fixtures', 'die-in-sweep-worker.cjs');

/**
 * node with the fixture preloaded; a hang shows as a SIGKILL after `timeout` ms (r.signal), not as a stuck
 * suite (spawnSync blocks the test runner's own timers, so this timeout is the only one that can fire).
 */
function nodeWithDyingWorkers(how: string, args: string[], env: Record<string, string> = {}, timeout = 60_000) {
  return spawnSync(process.execPath, ['--max-old-space-size=128', '--import', 'tsx', '--require', fixture, ...args], {
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
    env: { ...process.env, DIE_HOW: how, ...env },
  });
}

test('the sweep command exits 2 with one line naming the job or the loading and the cause, and writes nothing', () => {
  const inJob = /^postcopy-lab: a sweep worker stopped while running job "sequential [\w-]+": /;
  const loading = /^postcopy-lab: a sweep worker stopped while loading the library, before it ran any job: /;
  const causes: [string, string, RegExp, RegExp][] = [
    ['exit', 'job', inJob, /it exited with code 3$/],
    ['oom', 'job', inJob, /it ran out of memory$/],
    // every worker dies loading: no job ever began
    ['throw', 'load', loading, /it threw boom$/],
    ['exit', 'load', loading, /it exited with code 3$/],
  ];
  for (const [how, when, where, cause] of causes) {
    const output = join(dir, `${how}-${when}.json`);
    const r = nodeWithDyingWorkers(
      how,
      ['src/cli.ts', 'sweep', 'faults', '--workloads', 'sequential', '--workers', '2', '-o', output],
      { DIE_WHEN: when },
    );
    assert.equal(r.signal, null, `${how} ${when}: the sweep hung`);
    assert.equal(r.status, 2, `${how} ${when}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], where);
    assert.match(lines[0], cause);
    assert.equal(existsSync(output), false, `${how} ${when}: a file was written`);
  }
});

test("the sweep command exits 2 with one line when the sweep's supervisor thread dies", () => {
  const output = join(dir, 'supervisor.json');
  const args = ['src/cli.ts', 'sweep', 'faults', '--workloads', 'sequential', '--workers', '2', '-o', output];
  const r = nodeWithDyingWorkers('exit', args, { DIE_WHO: 'supervisor' });
  assert.equal(r.signal, null, 'the sweep hung');
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    "postcopy-lab: the sweep's supervisor thread stopped, and with it the sweep's workers",
  ]);
  assert.equal(existsSync(output), false, 'a file was written');
});

/** Runs a sweep with the looping worker fixture: it must end with exit 2, one line matching `message`, no file. */
function expectStuckSweep(output: string, args: string[], message: RegExp): void {
  // the stuck job must first use 5 CPU s: on a loaded machine that takes far longer in wall time. tsx's
  // compile cache starts empty, as in a clean clone (CI): the workers then compile the sources themselves
  const tsxCache = mkdtempSync(join(dir, 'tmp-'));
  const r = nodeWithDyingWorkers('loop', [...args, '-o', output], { TMPDIR: tsxCache }, 300_000);
  assert.equal(r.signal, null, 'the sweep hung');
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], message);
  assert.equal(existsSync(output), false, 'a file was written');
}

test("a worker stuck in a job fails the sweep with one line once the job used 100 times its kind's CPU", () => {
  expectStuckSweep(
    join(dir, 'loop.json'),
    ['src/cli.ts', 'sweep', 'network', '--workloads', 'sequential', '--workers', '2'],
    /^postcopy-lab: a sweep worker seems stuck in job "sequential [^"]+": \d+\.\d CPU s without an answer, over 100 times the costliest finished job of its kind$/,
  );
});

test('a sweep of one job per method and workload fails with one line when one gets stuck (judged by its method)', () => {
  expectStuckSweep(
    join(dir, 'loop-faults.json'),
    ['src/cli.ts', 'sweep', 'faults', '--workloads', 'sequential,zipf', '--workers', '2'],
    /^postcopy-lab: a sweep worker seems stuck in job "(sequential|zipf) [^"]+": \d+\.\d CPU s without an answer, over 100 times the costliest finished job of its method per access and page$/,
  );
});

test('in a program the sweep throws a UserError, and the next sweep runs on a fresh pool with the same rows', () => {
  const program = `
    const pcl = require('./src/experiments');
    const workloads = pcl.syntheticWorkloads({ kinds: ['sequential', 'zipf'], seeds: ['t'], accesses: 3000 });
    const rowsOn = (workers) => {
      pcl.forgetJobResults();
      pcl.setSweepWorkers(workers);
      return JSON.stringify(pcl.faultComparison(workloads));
    };
    let first = 'no error';
    try { rowsOn(2); } catch (err) { first = err.name + ': ' + err.message; }
    console.log(JSON.stringify({ first, same: rowsOn(2) === rowsOn(1) }));`;
  const r = nodeWithDyingWorkers('exit', ['-e', program], { DIE_ONCE: join(dir, 'died') });
  assert.equal(r.status, 0, r.stderr);
  const { first, same } = JSON.parse(r.stdout) as { first: string; same: boolean };
  assert.match(first, /^UserError: a sweep worker stopped while running job "\w+ [\w-]+": it exited with code 3$/);
  assert.equal(same, true);
});

test('a worker of a warm pool that dies in its first job of a sweep is said to die in that job', () => {
  // the pool's second sweep: its idle workers begin their first job while the sweep still sends the others
  const program = `
    const pcl = require('./src/experiments');
    const workloads = pcl.syntheticWorkloads({ kinds: ['sequential', 'zipf'], seeds: ['t'], accesses: 3000 });
    pcl.setSweepWorkers(2);
    pcl.faultComparison(workloads);
    pcl.forgetJobResults();
    try { pcl.faultComparison(workloads); console.log('no error'); } catch (err) { console.log(err.message); }`;
  const r = nodeWithDyingWorkers('exit', ['-e', program], { DIE_WHEN: 'second', DIE_SLOW_SENDS: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^a sweep worker stopped while running job "\w+ [\w-]+": it exited with code 3$/);
});
