/**
 * A migration whose node process is killed by SIGKILL (no finally, no signal handler runs) takes its QEMUs with it:
 * with a stand-in QEMU (a shell script on PATH that becomes `sleep`), everywhere, and with the real one when
 * `npm run qemu:setup` has been run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { missingQemu, qemuAssets } from '../../src/qemu/migrate';
import { QEMU_RUN_DEFAULTS, readyTextOf } from '../../src/qemu/campaign';
import { tempDir } from '../temp-dir';

const root = resolve(__dirname, '..', '..');
const assets = qemuAssets(join(root, '.cache', 'qemu'));
const missing = missingQemu(assets);

/**
 * The migration port of this file's runs: 47800-48299, apart from migrate.e2e.test.ts's 47300-47799, so that the two
 * files running at once never pick one port (47400 + pid % 500 overlapped it).
 */
const KILLED_RUN_PORT = 47800 + (process.pid % 500);

/** A node process running one migration into `dir` (it stops at the source's QMP socket or its boot). */
function startMigration(dir: string, env: NodeJS.ProcessEnv): ChildProcess {
  const script = join(dir, 'migrate.ts');
  const settings = { ...QEMU_RUN_DEFAULTS, workload: 'random', readyText: readyTextOf('random'), ramMiB: 128 };
  writeFileSync(
    script,
    `import { runQemuMigration } from ${JSON.stringify(join(root, 'src', 'qemu', 'migrate'))};\n` +
      `void runQemuMigration(${JSON.stringify(settings)}, ${JSON.stringify(assets)}, ` +
      `${JSON.stringify(join(dir, 'run'))}, ${KILLED_RUN_PORT});\n`,
  );
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, stdio: 'ignore' });
}

/** Whether process `pid` is gone: no such process, or a zombie (killed, not yet reaped by its new parent). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits up to `ms` for `found` to give a value. */
async function waitFor<T>(found: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = found();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms / 1000} s`);
    await sleep(50);
  }
}

/** SIGKILLs `node` and says whether `child` (its QEMU) was gone within 5 s; a survivor is killed here. */
async function killAndCheck(node: ChildProcess, child: number): Promise<boolean> {
  const exited = new Promise((done) => node.once('exit', done));
  node.kill('SIGKILL');
  await exited;
  const deadline = Date.now() + 5000;
  while (!gone(child) && Date.now() < deadline) await sleep(50);
  const ended = gone(child);
  if (!ended) process.kill(child, 'SIGKILL');
  return ended;
}

test('SIGKILL of the node running a migration ends its QEMU (a stand-in QEMU)', async () => {
  const dir = tempDir('postcopy-lab-killed-qemu');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const pidFile = join(dir, 'qemu.pid');
  // as QEMU does, it stays until it is told to quit (it never opens the QMP socket: the migration waits for it)
  writeFileSync(join(bin, 'qemu-system-x86_64'), `#!/bin/sh\necho $$ > ${JSON.stringify(pidFile)}\nexec sleep 120\n`);
  chmodSync(join(bin, 'qemu-system-x86_64'), 0o755);
  const node = startMigration(dir, { ...process.env, PATH: `${bin}:${process.env.PATH}` });
  const qemu = await waitFor(
    () =>
      existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() ? Number(readFileSync(pidFile, 'utf8')) : undefined,
    30_000,
    'stand-in QEMU',
  );
  assert.ok(await killAndCheck(node, qemu), 'the stand-in QEMU outlived the killed node');
});

test(
  'SIGKILL of the node running a migration ends its QEMU (real QEMU)',
  { skip: missing && `skipped: ${missing}` },
  async () => {
    const dir = tempDir('postcopy-lab-killed-qemu');
    const node = startMigration(dir, process.env);
    // the source QEMU: a child of any of node's threads, named qemu-system-x86 (comm keeps 15 characters)
    const qemu = await waitFor(
      () => {
        const children = readdirSync(`/proc/${node.pid}/task`).flatMap((task) =>
          readFileSync(`/proc/${node.pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
        );
        return children.find((pid) => {
          try {
            return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'qemu-system-x86';
          } catch {
            return false;
          }
        });
      },
      30_000,
      'source QEMU',
    );
    assert.ok(await killAndCheck(node, qemu), 'the source QEMU outlived the killed node');
  },
);
