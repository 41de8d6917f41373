/**
 * The command line checks what it can before reading the trace: flags alone before any pass, the checks
 * against the trace's summary (switchover, VM size) right after the summary pass, before the first-touch
 * pass or whole read of the oracle and predict. Counted as the opens of the trace file (a preload wraps
 * fs.openSync, through which every pass opens it), so a bad flag on a large trace fails at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../temp-dir';

const dir = tempDir('check-order');
const tracePath = join(dir, 'counted.trace');
writeFileSync(tracePath, Array.from({ length: 2000 }, (_, i) => `${i * 10} ${(i * 7) % 300}\n`).join(''));
const openLog = join(dir, 'opens');

/**
 * Counts the opens of the trace file and writes the count to PCL_OPEN_LOG at exit; with PCL_REWRITE_AT=n,
 * replaces the file's content by PCL_REWRITE_WITH just before its n-th open (a file changed between passes).
 */
const PRELOAD = `data:text/javascript,${encodeURIComponent(`
import fs from 'node:fs';
const open = fs.openSync;
let opens = 0;
fs.openSync = function (path, ...rest) {
  if (String(path) === process.env.PCL_COUNTED) {
    opens++;
    if (opens === Number(process.env.PCL_REWRITE_AT)) fs.writeFileSync(path, process.env.PCL_REWRITE_WITH);
  }
  return open.call(this, path, ...rest);
};
process.on('exit', () => fs.writeFileSync(process.env.PCL_OPEN_LOG, String(opens)));
`)}`;

/** [arguments after --trace FILE, opens of the trace before the refusal, what the one line says]. */
const CASES: Array<[string[], number, RegExp]> = [
  [['simulate', '--prefetcher', 'oracle', '--bandwidth', 'fast'], 0, /^--bandwidth: bandwidth must be/],
  [['compare', '--prefetchers', 'none,oracle', '--switchover', '12x'], 0, /^--switchover must be/],
  [['predict', '--predictor', 'oracle', '--switchover', 'soon'], 0, /^--switchover must be/],
  [['simulate', '--prefetcher', 'oracle', '--vm-pages', '2'], 1, /beyond the VM's 2 pages$/],
  [['simulate', '--prefetcher', 'oracle', '--mode', 'hybrid', '--vm-pages', '2'], 1, /beyond the VM's 2 pages$/],
  [['compare', '--prefetchers', 'ppm,oracle', '--switchover', '1000000'], 1, /no access/],
  [['predict', '--predictor', 'oracle', '--switchover', '1000000'], 1, /no access/],
  // it made the page's workloads and read the trace first (0.5 CPU s; a bad-inputs case once hit 30 s at load 20)
  [['whatif', '-o', dir], 0, /is a directory: name the file to write$/],
];

/** The CLI on the trace through the preload; `env` adds to the preload's settings. */
function run(args: readonly string[], env: Record<string, string> = {}) {
  const [command, ...rest] = args;
  const argv = ['--import', PRELOAD, resolve('dist/cli.js'), command, '--trace', tracePath, ...rest];
  return spawnSync(process.execPath, argv, {
    encoding: 'utf8',
    env: { ...process.env, PCL_COUNTED: tracePath, PCL_OPEN_LOG: openLog, ...env },
  });
}

test('bad parameters are refused before the passes that do not need them: exit 2, one line', () => {
  for (const [args, opens, message] of CASES) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^postcopy-lab: [^\n]+\n$/, args.join(' '));
    assert.match(r.stderr.slice('postcopy-lab: '.length).trimEnd(), message, args.join(' '));
    assert.equal(Number(readFileSync(openLog, 'utf8')), opens, `${args.join(' ')}: opens of the trace`);
  }
});

test('predict on a file rewritten between its passes with a page beyond the first pass: exit 2, one line', () => {
  const original = readFileSync(tracePath, 'utf8');
  const rewritten = original.replace(/^0 0\n/, '0 100000\n');
  try {
    // opens: the summary, the first-touch order, then the replay, which meets the rewritten file
    const r = run(['predict', '--predictor', 'ppm', '--switchover', '50%'], {
      PCL_REWRITE_AT: '3',
      PCL_REWRITE_WITH: rewritten,
    });
    assert.equal(r.status, 2, r.stdout);
    assert.match(
      r.stderr,
      // named by its file, not by the trace's own name ('trace counted changed ...'; a header may give it any name)
      new RegExp(
        `^postcopy-lab: ${tracePath.replace(/[.]/g, '\\.')} changed while it was read, or its summary trailer is ` +
          'wrong \\([^\\n]+\\)\\n$',
      ),
    );
    assert.equal(r.stdout, '');
  } finally {
    writeFileSync(tracePath, original);
  }
});
