import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { UserError } from '../../src/errors';
import { encodeBinaryTrace, generateTrace, loadTrace, makeTrace, readBinaryTraceStream, saveTrace, type Trace } from '../../src/trace';

const dir = mkdtempSync(join(tmpdir(), 'trace-formats-'));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function assertSameAccesses(actual: Trace, expected: Trace): void {
  assert.deepEqual(Array.from(actual.time), Array.from(expected.time));
  assert.deepEqual(Array.from(actual.page), Array.from(expected.page));
  assert.deepEqual(Array.from(actual.write), Array.from(expected.write));
  assert.equal(actual.pageSize, expected.pageSize);
}

/** Edge values: times beyond 2^32, page 0 next to page 2^32 - 1 (largest page deltas both ways). */
const edgy = makeTrace(
  { time: [0, 0, 5, 2 ** 32 + 7, 2 ** 53 - 1], page: [0, 2 ** 32 - 1, 0, 123456, 2 ** 32 - 1], write: [0, 1, 1, 0, 1] },
  { pageSize: 8192, name: 'edgy' },
);

test('text format: TIME PAGE [R|W] lines, lone PAGE lines, comments and blank lines', () => {
  const trace = loadTrace(file('a.trace', '# comment\n\n5 10 W\n7\t3\n  8 4 r  \n'));
  // times as written; kinds W, default R, lower-case r
  assert.deepEqual(Array.from(trace.time), [5, 7, 8]);
  assert.deepEqual(Array.from(trace.page), [10, 3, 4]);
  assert.deepEqual(Array.from(trace.write), [1, 0, 0]);
  assert.equal(trace.pageSize, 4096);
  const lone = loadTrace(file('b.trace', '4\n# x\n9\n\n9\n'));
  // time = index of the access among access lines: 0, 1, 2 (comments and blanks do not count)
  assert.deepEqual(Array.from(lone.time), [0, 1, 2]);
  assert.deepEqual(Array.from(lone.page), [4, 9, 9]);
  assert.equal(loadTrace(file('c.trace', '# page-size: 65536\r\n1 2\r\n')).pageSize, 65536);
  assert.equal(loadTrace(file('empty.trace', '')).page.length, 0);
});

test('text and gzip text round trips keep every access, the page size and the name', () => {
  for (const name of ['edgy.trace', 'edgy.trace.gz', 'edgy.txt']) {
    const path = join(dir, name);
    saveTrace(edgy, path);
    const back = loadTrace(path);
    assertSameAccesses(back, edgy);
    assert.equal(back.name, 'edgy');
  }
  assert.deepEqual(readFileSync(join(dir, 'edgy.trace.gz')).subarray(0, 2), Buffer.from([0x1f, 0x8b]));
});

test('binary round trips: edge values, several blocks, gzip, and the same bytes from the stream', async () => {
  const big = generateTrace('random', { seed: 'blocks', accesses: 2 * 65536 + 5, pages: 1 << 20, writeRatio: 0.5 });
  for (const [trace, name] of [[edgy, 'edgy.pctrace'], [big, 'big.pctrace'], [big, 'big.pctrace.gz']] as const) {
    const path = join(dir, name);
    saveTrace(trace, path);
    assertSameAccesses(loadTrace(path), trace);
    assert.equal(loadTrace(path).name, trace.name);
    const starts: number[] = [];
    const pages: number[] = [];
    for await (const chunk of readBinaryTraceStream(path)) {
      starts.push(chunk.start);
      assert.equal(chunk.time.length, chunk.page.length);
      for (let i = 0; i < chunk.page.length; i++) {
        assert.equal(chunk.time[i], trace.time[chunk.start + i]);
        assert.equal(chunk.write[i], trace.write[chunk.start + i]);
      }
      pages.push(...chunk.page);
    }
    assert.deepEqual(pages, Array.from(trace.page));
    if (trace === big) assert.deepEqual(starts, [0, 65536, 131072]);
  }
  // delta-encoded binary is smaller than the text form of the same accesses
  saveTrace(big, join(dir, 'big.trace'));
  assert.ok(readFileSync(join(dir, 'big.pctrace')).length < readFileSync(join(dir, 'big.trace')).length / 2);
});

test('an empty trace round-trips in both formats', () => {
  const empty = makeTrace({ page: [] }, { name: 'empty' });
  for (const name of ['e.pctrace', 'e.trace']) {
    saveTrace(empty, join(dir, name));
    assert.equal(loadTrace(join(dir, name)).page.length, 0);
  }
});

test('saving leaves no temporary file behind', () => {
  const sub = mkdtempSync(join(dir, 'atomic-'));
  saveTrace(edgy, join(sub, 'x.pctrace'));
  saveTrace(edgy, join(sub, 'x.trace'));
  assert.deepEqual(readdirSync(sub).sort(), ['x.pctrace', 'x.trace']);
});

function assertUserError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof UserError && pattern.test(err.message) && !err.message.includes('\n'));
}

test('every kind of bad text line is rejected with FILE:LINE: reason', () => {
  const cases: [string, RegExp][] = [
    ['1 2\nx 3\n', /:2: time must be a decimal whole number, got 'x'/],
    ['1 -2\n', /:1: page must be a decimal whole number, got '-2'/],
    ['1.5 2\n', /:1: time must be a decimal whole number/],
    ['1 2 R extra\n', /:1: expected 'TIME PAGE \[R\|W\]' or 'PAGE', got 4 fields/],
    ['1 2 X\n', /:1: kind must be R or W, got 'X'/],
    ['5 1\n\n4 1\n', /:3: time 4 is before the previous access's time 5/],
    ['1 4294967296\n', /:1: page 4294967296 is larger than 4294967295/],
    ['9007199254740992 1\n', /:1: time 9007199254740992 is larger than/],
    ['1 2\n# page-size: 4096\n', /:2: page-size directive must come before the first access/],
    ['# page-size: 1000\n', /:1: page size must be a power of two, got 1000/],
    ['0x10\n', /:1: page must be a decimal whole number, got '0x10'/],
  ];
  cases.forEach(([content, pattern], i) => {
    const path = file(`bad${i}.trace`, content);
    assertUserError(() => loadTrace(path), new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${pattern.source}`));
  });
});

test('missing files, corrupt gzip, binary junk and damaged binary traces are UserErrors', () => {
  assertUserError(() => loadTrace(join(dir, 'nope.trace')), /nope\.trace: no such file/);
  assertUserError(() => loadTrace(dir), /is a directory, not a trace file/);
  assertUserError(() => loadTrace(file('bad.gz', Buffer.concat([gzipSync('1 2\n').subarray(0, 12)]))), /corrupt gzip data/);
  assertUserError(() => loadTrace(file('junk.bin', Buffer.from([1, 0, 2, 3]))), /contains NUL bytes/);
  const good = encodeBinaryTrace(edgy);
  assertUserError(() => loadTrace(file('cut.pctrace', good.subarray(0, good.length - 1))), /truncated block/);
  assertUserError(() => loadTrace(file('head.pctrace', good.subarray(0, 20))), /header is truncated/);
  const noBlocks = good.subarray(0, 28 + 4);
  assertUserError(() => loadTrace(file('noblocks.pctrace', noBlocks)), /header claims 5 accesses but the file is too short/);
  const version = Buffer.from(good);
  version.writeUInt16LE(9, 8);
  assertUserError(() => loadTrace(file('v9.pctrace', version)), /version 9 is not supported/);
  const pageSize = Buffer.from(good);
  pageSize.writeUInt32LE(3000, 12);
  assertUserError(() => loadTrace(file('ps.pctrace', pageSize)), /page size must be a positive power of two, got 3000/);
  const fewer = Buffer.from(good);
  fewer.writeBigUInt64LE(4n, 16);
  assertUserError(() => loadTrace(file('fewer.pctrace', fewer)), /blocks hold more accesses than the header's 4/);
  const more = Buffer.concat([good, good.subarray(28 + 4)]);
  more.writeBigUInt64LE(10n, 16);
  // second copy of the block restarts at time 0 after time 2^53 - 1
  assertUserError(() => loadTrace(file('back.pctrace', more)), /time 0 is before the previous access's time 9007199254740991/);
});

test('FIFOs and devices are refused at once with one line, never read (a FIFO without writer would block)', () => {
  const fifo = join(dir, 'pipe.trace');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assertUserError(() => loadTrace(fifo), /pipe\.trace: is a FIFO, not a trace file \(only regular files are read\)/);
  assertUserError(() => loadTrace('/dev/zero'), /^\/dev\/zero: is a device, not a trace file/);
});

test('the streaming reader reports the same damage', async () => {
  const good = encodeBinaryTrace(edgy);
  const drain = async (path: string) => {
    for await (const chunk of readBinaryTraceStream(path)) assert.ok(chunk.page.length > 0);
  };
  await assert.rejects(drain(join(dir, 'missing.pctrace')), (err: unknown) => err instanceof UserError && /cannot open \(ENOENT\)/.test(err.message));
  await assert.rejects(drain(file('s-cut.pctrace', good.subarray(0, good.length - 2))), /truncated block/);
  await assert.rejects(drain(file('s-text.pctrace', '1 2\n'.repeat(20))), /not a postcopy-lab binary trace \(bad magic\)/);
});

test('makeTrace validates its columns and defaults time to the index', () => {
  const t = makeTrace({ page: [3, 1] });
  assert.deepEqual(Array.from(t.time), [0, 1]);
  assert.deepEqual(Array.from(t.write), [0, 0]);
  assertUserError(() => makeTrace({ time: [2, 1], page: [0, 0] }), /access 1: time 1 is before the previous access's time 2/);
  assertUserError(() => makeTrace({ page: [1.5] }), /access 0: page must be a whole number/);
  assertUserError(() => makeTrace({ page: [2 ** 32] }), /page must be a whole number in \[0, 4294967295\]/);
  assertUserError(() => makeTrace({ time: [0], page: [0, 1] }), /time has 1 entries but page has 2/);
  assertUserError(() => makeTrace({ page: [0] }, { pageSize: 100 }), /page size must be a positive power of two/);
});
