import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeStreamAtomic } from '../../src/util/atomic-write';

const dir = mkdtempSync(join(tmpdir(), 'atomic-write-'));

test('a regular file is replaced whole by a rename: a reader of the old file still reads the old content', async () => {
  const path = join(dir, 'regular.json');
  writeFileSync(path, 'old');
  const reader = openSync(path, 'r');
  writeFileAtomic(path, 'new!');
  const buffer = Buffer.alloc(8);
  assert.equal(buffer.subarray(0, readSync(reader, buffer, 0, 8, 0)).toString(), 'old');
  closeSync(reader);
  assert.equal(readFileSync(path, 'utf8'), 'new!');
  await writeStreamAtomic(path, [Buffer.from('streamed')]);
  assert.equal(readFileSync(path, 'utf8'), 'streamed');
});

test('an output naming an open descriptor (as /dev/stdout does) is appended through it, the link kept', async () => {
  const writers = [
    (path: string) => writeFileAtomic(path, 'through the descriptor'),
    (path: string) => writeStreamAtomic(path, [Buffer.from('through the descriptor')]),
  ];
  for (const [i, write] of writers.entries()) {
    // as `>> redirected` opens it: what the file held stays
    const redirected = join(dir, `redirected-${i}.json`);
    writeFileSync(redirected, 'before; ');
    const fd = openSync(redirected, 'a');
    const link = join(dir, `stdout-${i}`);
    symlinkSync(`/proc/self/fd/${fd}`, link);
    await write(link);
    closeSync(fd);
    // renamed over, the link became a file of its own and the descriptor's file stayed empty
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(redirected, 'utf8'), 'before; through the descriptor');
  }
});

test("a link planted at the temporary file's name is not written through", async () => {
  for (const write of [
    (path: string) => writeFileAtomic(path, 'output'),
    (path: string) => writeStreamAtomic(path, [Buffer.from('output')]),
  ]) {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched');
    const path = join(dir, 'out.json');
    symlinkSync(victim, join(dir, `.out.json.postcopy-lab-${process.pid}.tmp`));
    await write(path);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
    assert.ok(lstatSync(path).isFile());
    assert.equal(readFileSync(path, 'utf8'), 'output');
  }
});
