/**
 * A notebook run stopped from outside (Ctrl-C, kill, a closed terminal, SIGKILL of either process): no tslab kernel
 * outlives it (kernels start in their own session, so no signal to the run's process group reaches them) and it
 * leaves no page behind, half or whole. A run killed at a moment it cannot act on (SIGKILL of the node side) leaves
 * only its work directory, which the next run removes (test/report/jupyter.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../temp-dir';

const FIXTURE = join(__dirname, '..', 'fixtures', 'wait-forever.ipynb');
const ROOT = join(__dirname, '..', '..');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 0.1 s for up to `seconds`; whether it became true. */
async function waitFor(condition: () => boolean, seconds: number): Promise<boolean> {
  for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(100)) if (condition()) return true;
  return condition();
}

type Target = 'group' | 'node' | 'python';

/**
 * Starts a run of the fixture in a process group of its own (as a shell runs `npm run reproduce`), waits until its
 * kernel runs the cell, sends `signal` to the group, the node process or the Python side; returns the kernel's pid,
 * whether the run ended within 30 s, whether the kernel is alive 10 s later, and what the run left in its output
 * directory.
 */
async function killRun(signal: NodeJS.Signals, target: Target) {
  const out = tempDir('pcl-killed-run');
  const pidFile = join(tempDir('pcl-killed-kernel'), 'pid');
  const code =
    "const j = require('./src/report/jupyter');" +
    `j.executeNotebooks([{ notebook: ${JSON.stringify(FIXTURE)}, env: { PCL_KERNEL_PID_FILE: ${JSON.stringify(pidFile)} } }],` +
    `${JSON.stringify(out)}, { env: { ...j.registerKernel(), TSLAB_TRANSPILE_ONLY: '1' } })` +
    '.catch((e) => { console.error(e.message); process.exit(2); });';
  const run = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = once(run, 'exit');
  try {
    // the file exists before the kernel's pid is written in it (an empty read gave pid 0 and /proc/0/stat)
    const pidWritten = () => existsSync(pidFile) && /^\d+$/.test(readFileSync(pidFile, 'utf8'));
    assert.ok(await waitFor(pidWritten, 120), 'the kernel started the cell');
    const kernel = Number(readFileSync(pidFile, 'utf8'));
    // the kernel's parent: field 4 of /proc/PID/stat, after the command in parentheses
    const python = Number(readFileSync(`/proc/${kernel}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    process.kill(target === 'group' ? -run.pid! : target === 'node' ? run.pid! : python, signal);
    // a kernel left alive holds the Python side's stderr: the node side then waited for ever
    const runEnded = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
    const kernelLives = !(await waitFor(() => !isAlive(kernel), 10));
    if (kernelLives) process.kill(kernel, 'SIGKILL');
    return { runEnded, kernelLives, left: readdirSync(out), stderr, status: run.exitCode };
  } finally {
    if (run.exitCode === null && run.signalCode === null) process.kill(-run.pid!, 'SIGKILL');
  }
}

// every way a run is stopped from outside, at once (each waits on its kernel's start, not on the CPU)
const cases: [NodeJS.Signals, Target][] = [
  ['SIGINT', 'group'], // Ctrl-C
  ['SIGHUP', 'group'], // the terminal closed
  ['SIGTERM', 'group'],
  ['SIGTERM', 'node'], // kill PID
  ['SIGKILL', 'group'],
  ['SIGKILL', 'python'],
  ['SIGKILL', 'node'],
];
const results = Promise.all(cases.map(([signal, target]) => killRun(signal, target)));

for (const [index, [signal, target]] of cases.entries())
  test(`${signal} to the run's ${target === 'group' ? 'process group' : `${target} process`}: no kernel lives on, no page is left`, async () => {
    const { runEnded, kernelLives, left, stderr, status } = (await results)[index];
    assert.equal(kernelLives, false, 'the kernel outlived the run');
    assert.equal(runEnded, true, 'the run ended');
    // SIGKILL of the node side: its work directory stays (named by its pid, removed by the next run); no page anywhere
    if (signal === 'SIGKILL' && target !== 'python') assert.match(left.join(), /^(\.nbconvert-\d+-\w+)?$/);
    else assert.deepEqual(left, []);
    // the one case where the node side lives on to say what happened: one line, as for any failure
    if (target === 'python')
      assert.deepEqual([status, stderr], [2, 'executing notebooks failed: the Python side was killed (SIGKILL)\n']);
  });
