/**
 * CHROMIUM_PATH (read when src/report/export.ts loads): a wrong one is one line, not playwright's launch log. And where a
 * launched Chromium keeps its profile: a directory named by the PID, gone with the process or with the next launch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { tempDir } from '../temp-dir';

/** The message launchChromium fails with (or 'launched') in a process where CHROMIUM_PATH is `path`. */
function launchWith(path: string): string {
  const code =
    "require('./src/report/export').launchChromium()" +
    ".then((b) => b.close().then(() => console.log('launched')), (e) => console.log(e.constructor.name + ': ' + e.message))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, CHROMIUM_PATH: path },
  });
  return r.stdout.trim();
}

test('CHROMIUM_PATH naming a directory or a file without execute permission: one line saying so', () => {
  const dir = tempDir('chromium-path');
  const plain = join(dir, 'plain');
  writeFileSync(plain, 'x');
  chmodSync(plain, 0o644);
  // playwright's errors were 6 ("spawn EACCES" and a launch log) and more lines
  assert.equal(launchWith(dir), `UserError: Chromium at ${dir} is not a program this user may run (set CHROMIUM_PATH)`);
  assert.equal(
    launchWith(plain),
    `UserError: Chromium at ${plain} is not a program this user may run (set CHROMIUM_PATH)`,
  );
  assert.match(launchWith(join(dir, 'none')), /^UserError: Chromium not found at \S+none \(apt-get install/);
});

/**
 * Starts a process that launches Chromium with TMPDIR `tmp` and waits, sends it `signal` once it is up; returns what
 * is left in `tmp` when it has ended.
 */
async function launchAndStop(tmp: string, signal: NodeJS.Signals): Promise<string[]> {
  const code =
    "require('./src/report/export').launchChromium().then(() => { console.log('up'); setInterval(() => {}, 1000); })";
  const run = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(run.stdout!, 'data');
  run.kill(signal);
  await once(run, 'exit');
  await chromiumGone(tmp);
  return leftIn(tmp);
}

/** What is in `tmp` but tsx's cache (tsx-UID), which the child processes' tsx keeps there. */
const leftIn = (tmp: string) => readdirSync(tmp).filter((entry) => !entry.startsWith('tsx-'));

/** Waits (up to 10 s) until no process names `tmp` in its command line: Chromium ends when its pipe closes. */
async function chromiumGone(tmp: string): Promise<void> {
  const naming = () =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .some((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(tmp);
        } catch {
          return false; // gone meanwhile
        }
      });
  for (let waited = 0; naming() && waited < 10_000; waited += 100) await sleep(100);
}

for (const signal of ['SIGKILL', 'SIGINT'] as const)
  test(`${signal} to a process with Chromium open leaves only its own profile directory; the next launch removes it`, async () => {
    const tmp = tempDir('chromium-tmp');
    // playwright's own profile and artifacts directories (playwright_chromiumdev_profile-*) stayed for ever
    assert.match((await launchAndStop(tmp, signal)).join(), /^(postcopy-lab-chromium-\d+-\w{6})?$/);
    const closed = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "require('./src/report/export').launchChromium().then((b) => b.close())"],
      { env: { ...process.env, TMPDIR: tmp } },
    );
    assert.equal(closed.status, 0);
    assert.deepEqual(leftIn(tmp), []);
  });
