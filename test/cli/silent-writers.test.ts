/**
 * A command that writes a file says nothing on success, whether -o names a file or is - (standard output): -o
 * already says where the output went, and with - a line on stderr would only join the output in a terminal.
 * Runs the compiled dist/cli.js: `npm run build` before running it alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../temp-dir';

const CLI = resolve('dist/cli.js');
const dir = tempDir('silent-writers');
const trace = join(dir, 'small.trace');
writeFileSync(trace, '0 0\n100 0\n300 1 W\n1000 2\n');

test('trace gen, trace convert, sweep, sweep merge and whatif print nothing on stderr, to a file or to -', () => {
  const shard = join(dir, 'modes.json');
  const writers = [
    (out: string) => ['trace', 'gen', 'zipf', '--seed', '1', '--accesses', '100', '--pages', '10', '-o', out],
    (out: string) => ['trace', 'convert', trace, out],
    (out: string) => ['sweep', 'modes', '--workers', '1', '--shard', '0/1', '-o', out],
    (out: string) => ['sweep', 'merge', shard, '-o', out],
    (out: string) => ['whatif', '-o', out, trace],
  ];
  for (const [i, writer] of writers.entries()) {
    const file = i === 2 ? shard : join(dir, `out-${i}`);
    for (const out of [file, '-']) {
      const args = writer(out);
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '', args.join(' '));
      assert.ok(out === '-' ? r.stdout.length > 0 : r.stdout === '' && existsSync(file), args.join(' '));
    }
  }
});
