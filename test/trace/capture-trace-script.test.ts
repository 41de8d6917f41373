/**
 * scripts/capture-trace.sh as a user meets it: a command that does not exist is one line and exit 2 (valgrind's own
 * line was followed by the converter's "no lackey records"), and a traced command that exits non-zero leaves the
 * trace of its run, says so in one line and exits with the command's status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTrace } from '../../src/trace';
import { tempDir } from '../temp-dir';

const SCRIPT = resolve('scripts/capture-trace.sh');
const dir = tempDir('capture-trace');
const hasValgrind = spawnSync('bash', ['-c', 'command -v valgrind'], { encoding: 'utf8' }).status === 0;

function capture(...args: string[]) {
  return spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('a command that is not there: exit 2, one line naming it, no file', () => {
  for (const missing of ['no-such-command-here', './no-such-file', 'cd']) {
    const out = join(dir, 'missing.trace');
    const r = capture('-o', out, '--', missing, 'arg');
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `${SCRIPT}: ${missing}: command not found (no such executable)\n`);
    assert.equal(existsSync(out), false);
  }
});

test(
  'a traced command that exits non-zero: its trace is written, one line says so, the exit status is its own',
  { skip: !hasValgrind && 'valgrind is not installed' },
  () => {
    const out = join(dir, 'failed.trace');
    const r = capture('-o', out, '--', 'sh', '-c', 'exit 3');
    assert.equal(r.status, 3, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0], /^lackey-to-trace: \d+ instructions, .* -> \S+failed\.trace$/);
    assert.equal(lines[1], `${SCRIPT}: sh exited with status 3; the trace written is of that run`);
    assert.equal(lines.length, 2);
    const trace = loadTrace(out);
    assert.ok(trace.page.length > 0);
    assert.equal(trace.name, 'failed', 'without --name, the output file name without its extensions');
  },
);
