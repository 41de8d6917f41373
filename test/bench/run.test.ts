import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const bench = (...args: string[]) =>
  spawnSync(process.execPath, [resolve('dist/bench/run.js'), ...args], { encoding: 'utf8', timeout: 30_000 });

test('npm run bench -- --help lists the flags and sections, as the message for an unknown flag says it does', () => {
  const help = bench('--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: npm run bench -- \[--only SECTIONS\]/);
  for (const section of ['replay', 'sweep', 'parse', 'memory', 'notebooks'])
    assert.match(help.stdout, new RegExp(section));
  const unknown = bench('--bogus');
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stderr, "bench: Unknown option '--bogus' (--help lists the options)\n");
});
