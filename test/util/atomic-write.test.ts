import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { checkOutputPath, writeFileAtomic, writeStreamAtomic } from '../../src/util/atomic-write';
import { tempDir } from '../temp-dir';

const dir = tempDir('atomic-write');

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

const expected = Buffer.from(Uint8Array.from({ length: 1 << 20 }, (_, i) => i % 251));
const fixture = 'test/fixtures/write-standard-output.ts';

test('an output naming standard output is written through it, whatever it is: a socket, a pipe, a file', async () => {
  for (const how of ['whole', 'streamed'])
    for (const path of ['/dev/stdout', '/dev/fd/1', '-']) {
      // node gives a child's stdio 'pipe' as one end of a socket pair: opening /dev/stdout then fails (ENXIO)
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, how, path], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const [stdout, stderr] = [child.stdout, child.stderr].map(async (stream) =>
        Buffer.concat(await stream.toArray()),
      );
      const [code] = await once(child, 'close');
      assert.equal((await stderr).toString(), 'socket\n', `${how} ${path}`);
      assert.equal(code, 0);
      assert.ok((await stdout).equals(expected), `${how} ${path}: not the bytes written`);
      // a shell pipe, and a regular file opened by the parent as `> file` would (written at its offset)
      const piped = spawnSync('bash', ['-c', `'${process.execPath}' --import tsx ${fixture} ${how} ${path} | cat`]);
      assert.equal(piped.stderr.toString(), 'pipe\n');
      assert.ok(piped.stdout.equals(expected), `${how} ${path} into a pipe`);
      const target = join(dir, `standard-${how}`);
      const fd = openSync(target, 'w');
      const intoFile = spawnSync(process.execPath, ['--import', 'tsx', fixture, how, path], {
        stdio: ['ignore', fd, 'pipe'],
      });
      closeSync(fd);
      assert.equal(intoFile.stderr.toString(), 'file\n');
      assert.ok(readFileSync(target).equals(expected), `${how} ${path} into a file`);
    }
});

test('a socket named /dev/fd/3 (opening it gives ENXIO) is written through a stream on its descriptor', async () => {
  for (const how of ['whole', 'streamed']) {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, how, '/dev/fd/3'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const [written, stderr] = [child.stdio[3] as Readable, child.stderr].map(async (stream) =>
      Buffer.concat(await stream.toArray()),
    );
    const [code] = await once(child, 'close');
    assert.equal((await stderr).toString(), 'socket\n', how);
    assert.equal(code, 0);
    assert.ok((await written).equals(expected), `${how}: not the bytes written`);
  }
});

test('an output that is a symbolic link gets the content in the file it leads to; the link stays a link', async () => {
  const writers = [
    (path: string) => writeFileAtomic(path, 'new content'),
    (path: string) => writeStreamAtomic(path, [Buffer.from('new content')]),
  ];
  for (const [i, write] of writers.entries()) {
    const real = join(dir, `real-${i}.json`);
    writeFileSync(real, 'old');
    const link = join(dir, `latest-${i}.json`);
    symlinkSync(real, link);
    await write(link);
    // renamed over, the link became a file of its own and the file it named kept the old content
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(real, 'utf8'), 'new content');
  }
});

test('a link to a file not there yet is written through, the link kept; a loop of links is refused', async () => {
  // 21ce104 replaced both links with a file of its own and exited 0
  const writers = [
    (path: string) => writeFileAtomic(path, 'new content'),
    (path: string) => writeStreamAtomic(path, [Buffer.from('new content')]),
    (path: string) => checkOutputPath(path),
  ];
  for (const [i, write] of writers.entries()) {
    const link = join(dir, `to-be-${i}.json`);
    symlinkSync(`later/to-be-${i}.json`, link);
    symlinkSync(join(dir, `link-${i}`), join(dir, `loop-${i}`));
    symlinkSync(join(dir, `loop-${i}`), join(dir, `link-${i}`));
    await write(link);
    assert.ok(lstatSync(link).isSymbolicLink());
    if (i < 2) assert.equal(readFileSync(join(dir, 'later', `to-be-${i}.json`), 'utf8'), 'new content');
    await assert.rejects(async () => write(join(dir, `loop-${i}`)), {
      name: 'UserError',
      message: /^cannot write \S+loop-\d: its symbolic links go round in a loop \(ELOOP\)$/,
    });
    assert.ok(lstatSync(join(dir, `loop-${i}`)).isSymbolicLink());
  }
});

test("a link's relative target is read from the link's real directory, as the kernel reads it", async () => {
  // a95f11a read `../res/x.json` from the path's own directory, `linked`, a link to `real/out`: it replaced the
  // unrelated res/x.json and left the link's own file as it was
  const base = join(dir, 'through-a-linked-directory');
  for (const sub of ['real/out', 'real/res', 'res']) mkdirSync(join(base, sub), { recursive: true });
  symlinkSync(join(base, 'real/out'), join(base, 'linked'));
  symlinkSync('../res/x.json', join(base, 'real/out/res.json'));
  symlinkSync('../res/new.json', join(base, 'real/out/new.json'));
  writeFileSync(join(base, 'real/res/x.json'), 'old');
  writeFileSync(join(base, 'res/x.json'), 'unrelated');
  const writers = [writeFileAtomic, (path: string, data: string) => writeStreamAtomic(path, [Buffer.from(data)])];
  for (const write of writers) {
    await write(join(base, 'linked/res.json'), 'new content');
    await write(join(base, 'linked/new.json'), 'new file');
    assert.equal(readFileSync(join(base, 'real/res/x.json'), 'utf8'), 'new content');
    assert.equal(readFileSync(join(base, 'real/res/new.json'), 'utf8'), 'new file');
    assert.equal(readFileSync(join(base, 'res/x.json'), 'utf8'), 'unrelated');
    assert.ok(lstatSync(join(base, 'real/out/res.json')).isSymbolicLink());
    assert.ok(lstatSync(join(base, 'real/out/new.json')).isSymbolicLink());
    rmSync(join(base, 'real/res/new.json'));
  }
});

test('checkOutputPath refuses what the write would refuse, before any work, and leaves nothing behind', () => {
  const base = join(dir, 'check');
  mkdirSync(base);
  writeFileSync(join(base, 'a-file'), '');
  assert.throws(() => checkOutputPath(base), /check is a directory: name the file to write/);
  assert.throws(() => checkOutputPath(join(base, 'a-file', 'x.json')), /a-file is not a directory/);
  assert.throws(() => checkOutputPath('/proc/nope/x.json'), /cannot create directory \/proc\/nope/);
  // writable: the missing directory is made (the write would make it too), no file is left in it
  checkOutputPath(join(base, 'new', 'x.json'));
  assert.deepEqual(readdirSync(join(base, 'new')), []);
  for (const fine of ['-', '/dev/stdout', '/dev/null', join(base, 'a-file')]) checkOutputPath(fine);
  assert.deepEqual(readdirSync(base).sort(), ['a-file', 'new']);
});

test('a name of 255 bytes, the longest a file may have, is written: its temporary name shortens', async () => {
  const base = join(dir, 'long-names');
  mkdirSync(base);
  // one start, two names: each gets its own temporary file (a hash of the whole name tells them apart)
  const names = ['x', 'y'].map((last) => `${'é'.repeat(120)}${'a'.repeat(9)}${last}.json`);
  assert.equal(Buffer.byteLength(names[0]), 255);
  writeFileAtomic(join(base, names[0]), 'whole');
  await Promise.all(names.map((name) => writeStreamAtomic(join(base, name), [Buffer.from(name.slice(-6))])));
  assert.deepEqual(readdirSync(base).sort(), [...names].sort());
  assert.deepEqual(
    names.map((name) => readFileSync(join(base, name), 'utf8')),
    ['x.json', 'y.json'],
  );
});
