// npm test: makes sure Jupyter and Chromium are there (installs the Debian packages when run as root on
// Debian, as `npm run reproduce` does), then runs every test/**/*.test.ts with node's test runner through
// tsx (Node 20 has no --test globs). Installing first matters: test files run in parallel, and the
// browser tests must not start before Chromium exists.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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

function collect(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return collect(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
// The whole suite also checks formatting (prettier, .prettierrc.json), so CI refuses unformatted code.
if (!only.length) {
  const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  const check = spawnSync(process.execPath, [prettier, '--check', '--log-level', 'warn', 'src', 'test', 'scripts'], {
    stdio: 'inherit',
    cwd: root,
  });
  if (check.status !== 0) {
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
// A test file that hangs (a sweep's main thread blocked in Atomics.wait never runs the test's own timers) is
// killed and counted as failed after TEST_TIMEOUT_MS, so CI fails in minutes instead of waiting out its limit;
// the whole suite took 8.4 minutes on the shared 2-core machine at load 8-10.
const TEST_TIMEOUT_MS = 15 * 60_000;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...selected],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
process.exit(result.status ?? 1);
