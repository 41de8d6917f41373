// npm test: makes sure Jupyter and Chromium are there (installs the Debian packages when run as root on
// Debian, as `npm run reproduce` does), and QEMU where test/qemu's real migrations are selected, then runs every
// test/**/*.test.ts with node's test runner through tsx (Node 20 has no --test globs). Installing first matters:
// test files run in parallel, and the browser tests must not start before Chromium exists.
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
if (!existsSync(join(root, 'dist', 'report', 'jupyter.js'))) {
  console.error('test: dist/ is missing; run `npm ci` (or `npm run build`) first');
  process.exit(2);
}
const { ensurePrerequisites } = await import('../dist/report/jupyter.js');
try {
  ensurePrerequisites();
} catch (err) {
  console.error(`test: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}

/** The bytes of the files at or under `path` (links not followed; 0 for what is gone meanwhile). */
function bytesUnder(path) {
  try {
    const stats = lstatSync(path);
    if (!stats.isDirectory()) return stats.size;
    return readdirSync(path).reduce((sum, entry) => sum + bytesUnder(join(path, entry)), 0);
  } catch {
    return 0;
  }
}

function collect(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return collect(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

// A signal that stops the run (Ctrl-C, a CI's time limit) stops the child running (prettier, then the tests) first:
// with a synchronous child the run ended and left prettier running.
const ENDING_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
let stoppedBy;
let child;
for (const signal of Object.keys(ENDING_SIGNALS))
  process.on(signal, () => {
    stoppedBy = signal;
    child?.kill(signal);
  });

const only = process.argv.slice(2);
// The whole suite also checks formatting (prettier, .prettierrc.json), so CI refuses unformatted code.
if (!only.length) {
  const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  child = spawn(process.execPath, [prettier, '--check', '--log-level', 'warn', 'src', 'test', 'scripts'], {
    stdio: 'inherit',
    cwd: root,
  });
  const [checkStatus] = await once(child, 'exit');
  if (stoppedBy) process.exit(ENDING_SIGNALS[stoppedBy]);
  if (checkStatus !== 0) {
    console.error('test: files above are not formatted; run `npm run format`');
    process.exit(1);
  }
}

const files = collect(join(root, 'test')).sort();
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
// a mistyped filter would otherwise run node's own test discovery and pass with whatever it found
if (selected.length === 0) {
  console.error(`test: no test file under test/ matches ${only.map((o) => JSON.stringify(o)).join(' or ')}`);
  process.exit(2);
}
// The real QEMU tests (test/qemu) need QEMU, a Debian kernel and the guest built into .cache/qemu: set up like Jupyter
// and Chromium as root on Debian (`npm run qemu:setup`, ~100 MB of packages), so CI runs a real post-copy
// migration; elsewhere those tests skip, saying what is missing.
if (selected.some((f) => f.includes(join('test', 'qemu')))) {
  const { missingQemu, qemuAssets } = await import('../dist/qemu/migrate.js');
  const missing = missingQemu(qemuAssets(join(root, '.cache', 'qemu')));
  if (missing && process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    console.log(`test: setting up QEMU for the real migration tests (${missing}) ...`);
    child = spawn('bash', [join(root, 'scripts', 'qemu-setup.sh')], { stdio: 'inherit', cwd: root });
    const [setupStatus] = await once(child, 'exit');
    if (stoppedBy) process.exit(ENDING_SIGNALS[stoppedBy]);
    if (setupStatus !== 0) {
      console.error('test: `npm run qemu:setup` failed (above); the real QEMU tests need it');
      process.exit(2);
    }
  }
}

// A test file that hangs (a sweep's main thread blocked in Atomics.wait never runs the test's own timers) is
// killed and counted as failed after TEST_TIMEOUT_MS, so CI fails in minutes instead of waiting out its limit;
// the whole suite took 8.4 minutes on the shared 2-core machine at load 8-10.
const TEST_TIMEOUT_MS = 15 * 60_000;

// The tests run with TMPDIR set to a directory of their own, so that whatever a test leaves there (earlier sessions'
// runs left 6.4 GB in /tmp) fails the run, one line naming it, and is removed with the directory.
// A signal that stopped the run stopped the tests first: the run still removes the directory, without naming what
// the stopped tests had no time to remove.
const testTmp = mkdtempSync(join(tmpdir(), 'postcopy-lab-test-'));
// as root, tests run commands as nobody in directories made here (test/cli/bad-inputs.test.ts): it must get through
chmodSync(testTmp, 0o755);
// tsx's compile cache, shared by the run's test processes: the run's own, so it starts empty and goes with it
const KEPT = new Set([`tsx-${userInfo().uid}`]);
const tests = (child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...selected],
  {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, TMPDIR: testTmp },
  },
));
const [status, signal] = await once(tests, 'exit');
const left = readdirSync(testTmp).filter((entry) => !KEPT.has(entry));
const bytes = left.reduce((sum, entry) => sum + bytesUnder(join(testTmp, entry)), 0);
// a test process's own child may still be ending: retried while the directory is not empty yet
rmSync(testTmp, { recursive: true, force: true, maxRetries: 5 });
stoppedBy ??= signal;
if (stoppedBy) process.exit(ENDING_SIGNALS[stoppedBy] ?? 1);
if (left.length) {
  const size = bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  console.error(
    `test: the tests left ${left.length === 1 ? '1 entry' : `${left.length} entries`} (${size}) in their ` +
      `temporary directory (removed now): ${left.sort().join(', ')}; make them with tempDir (test/temp-dir.ts)`,
  );
}
process.exit(status || (left.length ? 1 : 0));
