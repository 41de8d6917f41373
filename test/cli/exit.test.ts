/**
 * The CLI ends itself once its output is written (src/cli.ts exitWhenWritten, against Node's shutdown hang
 * nodejs/node#54918): what it wrote to a slow reader must still arrive whole, and its exit code stay what it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { tempDir } from '../temp-dir';

const CLI = resolve('dist/cli.js');
const dir = tempDir('cli-exit');

/** Runs the CLI with standard output and descriptor 3 as sockets read only after a pause: [exit code, bytes]. */
async function runSlowlyRead(args: readonly string[]): Promise<[number | null, Buffer, Buffer]> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
  // listened for at once: a child that only writes a file may close before the pause ends
  const closed = once(child, 'close');
  const [stdout, fd3] = [child.stdout, child.stdio[3] as Readable];
  for (const stream of [stdout, fd3]) stream.pause();
  // the writer fills the sockets' buffers and waits; the reader starts late
  await new Promise((done) => setTimeout(done, 300));
  const read = [stdout, fd3].map(async (stream) => Buffer.concat(await stream.toArray()));
  const [code] = await closed;
  return [code as number | null, await read[0], await read[1]];
}

test('output to a slow reader arrives whole before the CLI ends itself (standard output, fd 3)', async () => {
  const gen = ['trace', 'gen', 'zipf', '--seed', '1', '--accesses', '500000', '--pages', '64'];
  const file = join(dir, 'gen.trace');
  const page = join(dir, 'page.html');
  for (const [args, into] of [
    [[...gen, '-o', file], 'none'],
    [[...gen, '-o', '-'], 'stdout'],
    [[...gen, '-o', '/dev/fd/3'], 'fd3'],
    [['whatif', '-o', page], 'none'],
    [['whatif', '-o', '-'], 'stdout'],
    [['whatif', '-o', '/dev/fd/3'], 'fd3'],
  ] as const) {
    const [code, stdout, fd3] = await runSlowlyRead(args);
    assert.equal(code, 0, args.join(' '));
    if (into === 'none') continue;
    const expected = readFileSync(args[0] === 'whatif' ? page : file);
    assert.ok((into === 'stdout' ? stdout : fd3).equals(expected), `${args.join(' ')}: not the whole output`);
  }
  const [code] = await runSlowlyRead(['simulate', join(dir, 'missing.trace')]);
  assert.equal(code, 2);
});
