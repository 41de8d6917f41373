import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { appendFileSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { UserError } from '../../src/errors';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, switchingAfter, type Crc32 } from '../../src/trace/crc32';
import { concatBytes } from '../../src/trace/bytes';
import { ColumnPool, TraceDecoder } from '../../src/trace/decode';
import { decodeWithWasm, leaseColumnArena, type ColumnAllocator } from '../../src/trace/packed';
import {
  BinaryTraceDecoder,
  decodeBinaryTrace,
  encodeBinaryBlocks,
  encodeBinaryHeader,
  encodeBinaryTrace,
  encodeBinaryTrailer,
  formatTextTrace,
  generateTrace,
  GENERATOR_KINDS,
  largestPage,
  loadTrace,
  readTrace,
  makeTrace,
  MAX_PAGE,
  MAX_VM_PAGES,
  saveTrace,
  streamTrace,
  summarizeTrace,
  summarizeTraceFile,
  TextTraceParser,
  TraceBuilder,
  writeTraceStream,
  type TraceChunk,
  type StreamOptions,
  type Trace,
} from '../../src/trace';
import seedrandom from 'seedrandom';
import { asVersion1, asVersion3, encodeVersion2 } from './older-pctrace';
import { tempDir } from '../temp-dir';

const dir = tempDir('trace-formats');

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

/**
 * Every access of a streamed file, with the chunk starts, how many distinct buffers their pages came in and
 * those buffers' bytes.
 */
async function drain(
  path: string,
  options: StreamOptions = {},
): Promise<{ trace: Trace; starts: number[]; pageArrays: number; pageArrayBytes: number }> {
  const builder = new TraceBuilder();
  const starts: number[] = [];
  // the page arrays handed out, by where they start (memory and byte), each as long as the longest seen there
  const pageArrays = new Map<ArrayBufferLike, Map<number, number>>();
  const stream = streamTrace(path, options);
  for (let next = await stream.next(); ; next = await stream.next()) {
    if (next.done) {
      const lengths = [...pageArrays.values()].flatMap((byStart) => [...byStart.values()]);
      const trace = builder.finish(next.value.pageSize, next.value.name);
      return { trace, starts, pageArrays: lengths.length, pageArrayBytes: lengths.reduce((a, b) => a + b, 0) };
    }
    starts.push(next.value.start);
    const { buffer, byteOffset, byteLength } = next.value.page;
    const byStart = pageArrays.get(buffer) ?? pageArrays.set(buffer, new Map()).get(buffer)!;
    byStart.set(byteOffset, Math.max(byStart.get(byteOffset) ?? 0, byteLength));
    builder.append(next.value);
  }
}

test('binary round trips: edge values, several blocks, gzip, and the same accesses from the stream', async () => {
  const big = generateTrace('random', { seed: 'blocks', accesses: 2 * 65536 + 5, pages: 1 << 20, writeRatio: 0.5 });
  for (const [trace, name] of [
    [edgy, 'edgy.pctrace'],
    [big, 'big.pctrace'],
    [big, 'big.pctrace.gz'],
  ] as const) {
    const path = join(dir, name);
    saveTrace(trace, path);
    assertSameAccesses(loadTrace(path), trace);
    assert.equal(loadTrace(path).name, trace.name);
    const streamed = await drain(path);
    assertSameAccesses(streamed.trace, trace);
    assert.equal(streamed.trace.name, trace.name);
    if (trace === big) assert.deepEqual(streamed.starts, [0, 65536, 131072]);
  }
  // delta-encoded binary is smaller than the text form of the same accesses
  saveTrace(big, join(dir, 'big.trace'));
  assert.ok(readFileSync(join(dir, 'big.pctrace')).length < readFileSync(join(dir, 'big.trace')).length / 2);
  // text, gzip text and gzip binary stream too; the text file (2 MB) loads through more than one refilled read buffer
  for (const name of ['big.trace', 'big.pctrace.gz']) assertSameAccesses((await drain(join(dir, name))).trace, big);
  assertSameAccesses(loadTrace(join(dir, 'big.trace')), big);
  saveTrace(big, join(dir, 'big.trace.gz'));
  assertSameAccesses((await drain(join(dir, 'big.trace.gz'))).trace, big);
});

test('a stream reusing its chunks gives the same accesses, in arrays reused across reads', async () => {
  // 1.97 MiB of random pages: blocks over two 1 MiB reads
  const trace = generateTrace('random', { seed: 'reuse', accesses: 10 * 65536 + 3, pages: 1 << 24, writeRatio: 0.5 });
  for (const [expected, name] of [
    [trace, 'reuse.pctrace'],
    [trace, 'reuse.pctrace.gz'],
    [edgy, 'edgy-reuse.pctrace'],
  ] as const) {
    const path = join(dir, name);
    saveTrace(expected, path);
    const reused = await drain(path, { reuseChunks: true });
    assertSameAccesses(reused.trace, expected);
    if (expected === trace) {
      assert.ok(readFileSync(path).length > 2 ** 20 || name.endsWith('.gz'));
      assert.equal(reused.starts.length, 11);
      assert.ok(reused.pageArrays < 11, `${reused.pageArrays} page arrays for 11 chunks`);
      assert.equal((await drain(path)).pageArrays, 11);
    }
  }
});

test('reused chunks decode in place in the wasm arena, one stream at a time; two at once stay apart', async () => {
  // the stream holding the arena also reads its file into the wasm memory, as loadTrace does (payloads not copied)
  const wide = wideTimesTrace();
  // 40 blocks of constant frames, all in the first read: handed out a block at a time, the rest of the read fed
  // again after each hand-out (so its buffer must not be read into meanwhile)
  const accesses = 40 * 65536;
  const constant = makeTrace(
    { time: Float64Array.from({ length: accesses }, (_, i) => 3 * i), page: new Uint32Array(accesses).fill(7) },
    { name: 'arena' },
  );
  const [widePath, constantPath] = [file('arena-wide.pctrace', encodeBinaryTrace(wide)), join(dir, 'arena.pctrace')];
  saveTrace(constant, constantPath);
  // loaded while the first stream runs: more bytes than that stream's whole file
  const other = generateTrace('random', { seed: 'arena', accesses: 65536, pages: 1 << 20, writeRatio: 0.5 });
  const otherPath = join(dir, 'arena-other.pctrace');
  saveTrace(other, otherPath);
  const arena = leaseColumnArena();
  assert.ok(arena, 'the arena is free');
  arena.close();
  // interleaved: the first stream holds the arena (its chunks lie in the wasm memory), the second copies out
  const streams = [streamTrace(constantPath, { reuseChunks: true }), streamTrace(widePath, { reuseChunks: true })];
  const builders = [new TraceBuilder(), new TraceBuilder()];
  const memories = [new Set<ArrayBufferLike>(), new Set<ArrayBufferLike>()];
  const done = [false, false];
  while (!done[0] || !done[1]) {
    for (const i of [0, 1]) {
      if (done[i]) continue;
      const next = await streams[i].next();
      if (next.done) done[i] = true;
      else {
        memories[i].add(next.value.page.buffer);
        builders[i].append(next.value);
        assert.equal(leaseColumnArena(), undefined, 'held while a stream runs');
        // loadTrace meanwhile reads into a buffer of its own in the same memory
        if (i === 0 && next.value.start === 16 * 65536) assertSameAccesses(loadTrace(otherPath), other);
      }
    }
  }
  assertSameAccesses(builders[0].finish(constant.pageSize, constant.name), constant);
  assertSameAccesses(builders[1].finish(wide.pageSize, wide.name), wide);
  assert.equal(memories[0].size, 1, "the first stream's pages all in the arena's memory");
  assert.ok(![...memories[1]].some((memory) => memories[0].has(memory)), 'the second stream keeps out of it');
  // given back at the end, and by a stream left early; a wide-times file in the arena on its own
  const left = streamTrace(constantPath, { reuseChunks: true });
  await left.next();
  await left.return(undefined as never);
  assertSameAccesses((await drain(widePath, { reuseChunks: true })).trace, wide);
  const again = leaseColumnArena();
  assert.ok(again, 'free again');
  again.close();
});

test('a stream reusing its chunks holds no more than the blocks of one read: many small blocks stay small', async () => {
  const trace = generateTrace('random', { seed: 'small blocks', accesses: 3000, pages: 1 << 16, writeRatio: 0.5 });
  // one access per block, as a writer fed one access at a time writes them
  const blocks = Array.from({ length: 3000 }, (_, i) => [...encodeBinaryBlocks(trace, i, i + 1)]).flat();
  const path = file(
    'small-blocks.pctrace',
    concatBytes([
      encodeBinaryHeader(trace.name, trace.pageSize, 3000),
      ...blocks,
      encodeBinaryTrailer(summarizeTrace(trace)),
    ]),
  );
  const reused = await drain(path, { reuseChunks: true });
  assertSameAccesses(reused.trace, trace);
  assert.equal(reused.starts.length, 3000);
  // a set of full-block columns per block would be 3000 x 256 KiB of pages
  assert.ok(reused.pageArrayBytes <= 4 * 3000, `${reused.pageArrayBytes} bytes of page arrays`);
});

test('a stream decodes a block at a time, though one read holds 40 blocks of constant frames', async () => {
  const accesses = 40 * 65536;
  const constant = makeTrace(
    { time: Float64Array.from({ length: accesses }, (_, i) => 3 * i), page: new Uint32Array(accesses).fill(7) },
    { name: 'constant' },
  );
  const path = join(dir, 'constant.pctrace');
  saveTrace(constant, path);
  assert.ok(readFileSync(path).length < 2 ** 20, 'the whole file in one read');
  for (const reuseChunks of [false, true]) {
    const streamed = await drain(path, { reuseChunks });
    assertSameAccesses(streamed.trace, constant);
    assert.equal(streamed.starts.length, 40);
  }
  // reused: one column set, each block decoded into it once the one before was handed out
  const reused = await drain(path, { reuseChunks: true });
  assert.equal(reused.pageArrays, 1);
});

test('a column pool keeps at most its bound, and never hands out one column twice between two releases', () => {
  const bound = 1 << 21;
  const pool = new ColumnPool(bound);
  // runs of 16p one-access blocks, each followed by 16 full blocks (as constant frames decode, 2^20 accesses at
  // once): unbounded, a full set would be kept at every position 0..79, 80 x 65,536 accesses
  for (let p = 0; p < 5; p++) {
    pool.release();
    const columns = [...new Array<number>(16 * p).fill(1), ...new Array<number>(16).fill(65536)].map((count, i) => {
      const c = pool.allocate(count, i % 3 === 0);
      c.time.fill(i);
      c.page.fill(i);
      c.write.fill(i & 0xff);
      return c;
    });
    columns.forEach((c, i) =>
      assert.ok(c.time.every((v) => v === i) && c.page.every((v) => v === i) && c.write.every((v) => v === (i & 0xff))),
    );
  }
  assert.ok(pool.heldAccesses <= bound, `${pool.heldAccesses} accesses kept`);
  assert.ok(pool.heldAccesses >= 16 * 65536, 'one hand-out of full blocks is kept');
});

test('version-1, -2 (varints) and -3 files are still read: files their writers made, and several blocks', async () => {
  for (const [version, bytes] of [
    [1, asVersion1(encodeVersion2(edgy))],
    [2, encodeVersion2(edgy)],
    [3, asVersion3(encodeBinaryTrace(edgy))],
  ] as const) {
    const fixture = `test/fixtures/edgy-v${version}.pctrace`;
    assertSameAccesses(loadTrace(fixture), edgy);
    // the test's writers of the old versions write what the old library wrote
    assert.ok(bytes.equals(readFileSync(fixture)), `version ${version}`);
  }
  const big = generateTrace('zipf', { seed: 'v1', accesses: 2 * 65536 + 9, pages: 5000, writeRatio: 0.3 });
  for (const [name, bytes] of [
    ['big-v1.pctrace', asVersion1(encodeVersion2(big))],
    ['big-v2.pctrace', encodeVersion2(big)],
    ['big-v2.pctrace.gz', gzipSync(encodeVersion2(big))],
    ['big-v3.pctrace', asVersion3(encodeBinaryTrace(big))],
  ] as const) {
    const path = file(name, bytes);
    assertSameAccesses(loadTrace(path), big);
    assertSameAccesses((await drain(path)).trace, big);
    // no trailer: summarised by a pass over the blocks
    assert.deepEqual(await summarizeTraceFile(path), { ...summarizeTrace(big), file: path });
  }
});

test('version 3 packs every generator kind, long pauses and page jumps exactly, and is smaller than version 2', () => {
  for (const kind of GENERATOR_KINDS) {
    const trace = generateTrace(kind, { seed: 'v3', accesses: 70_000, pages: 1 << 20, writeRatio: 0.3 });
    const encoded = encodeBinaryTrace(trace);
    assertSameAccesses(decodeBinaryTrace(encoded, 'v3.pctrace'), trace);
    assert.ok(encoded.length < encodeVersion2(trace).length, kind);
  }
  // steps of 0 to 2^40 instructions (frames wider than 32 bits), pages anywhere in 2^32, all-read and all-write runs
  const random = seedrandom('v3 edges');
  const time: number[] = [];
  const page: number[] = [];
  const write: number[] = [];
  for (let i = 0, t = 0; i < 5000; i++) {
    t += Math.floor(random() ** 8 * 2 ** 40);
    time.push(t);
    page.push(i % 1500 < 700 ? Math.floor(random() * 2 ** 32) : 2 ** 32 - 1 - (i % 7));
    write.push(i < 2048 ? 0 : i < 3072 ? 1 : Number(random() < 0.5));
  }
  const edges = makeTrace({ time, page, write }, { name: 'edges' });
  assertSameAccesses(decodeBinaryTrace(encodeBinaryTrace(edges), 'edges.pctrace'), edges);
  assertSameAccesses(decodeBinaryTrace(encodeBinaryTrace(edgy), 'edgy.pctrace'), edgy);
});

/** Frames of every width 0-32, value and delta, then a last frame of 37 accesses (one group of 32 and 5). */
function widthsTrace(): Trace {
  // per width w: a frame of pages spread over exactly w bits (a value frame), then a frame of pages walking by
  // steps of w bits either way (a delta frame: checked per value where the walk could leave [0, 2^32) by its
  // bounds, summed unchecked where it cannot); times step by w % 13 bits (a Uint32 column), writes 0 or 1 bit
  const random = seedrandom('widths');
  const time: number[] = [];
  const page: number[] = [];
  const write: number[] = [];
  let t = 0;
  const push = (p: number, stepBits: number, w: number) => {
    t += Math.floor(random() * 2 ** stepBits);
    time.push(t);
    page.push(p);
    write.push(w % 2 === 0 ? 0 : Number(random() < 0.5));
  };
  for (let width = 0; width <= 32; width++) {
    // the range holds 2^31, where the frame ends and the walk starts
    const low = Math.min(2 ** 32 - 2 ** width, Math.max(0, 2 ** 31 - Math.floor(random() * 2 ** width)));
    for (let i = 0; i < 1024; i++) {
      const u = i === 0 ? 0 : i === 1 ? 2 ** width - 1 : i === 1023 ? 2 ** 31 - low : Math.floor(random() * 2 ** width);
      push(low + u, width % 13, width);
    }
    let p = 2 ** 31;
    for (let i = 0; i < 1024; i++) {
      p += Math.floor(random() * 2 ** Math.min(width, 24)) - (width > 0 ? 2 ** (Math.min(width, 24) - 1) : 0);
      push(p, width % 13, width + 1);
    }
  }
  // a block's last frame of 37 accesses: one group of 32, then 5 one by one
  for (let i = 0; i < 37; i++) push(Math.floor(random() * 2 ** 20), 3, 1);
  return makeTrace({ time, page, write }, { name: 'widths' });
}

/** 3,000 accesses whose times pass 2^32 (a Float64 column, delta frames up to 53 bits wide), pages anywhere. */
function wideTimesTrace(): Trace {
  const random = seedrandom('filled');
  let t = 0;
  return makeTrace({
    time: Array.from({ length: 3000 }, () => (t += Math.floor(random() ** 8 * 2 ** 40))),
    page: Array.from({ length: 3000 }, () => Math.floor(random() * 2 ** 32)),
    write: Array.from({ length: 3000 }, () => Number(random() < 0.5)),
  });
}

test('version 3 decodes frames of every width 0-32, whole and partial, value and delta, each checked or not', () => {
  const trace = widthsTrace();
  assert.ok(trace.time instanceof Uint32Array);
  assertSameAccesses(decodeBinaryTrace(encodeBinaryTrace(trace), 'widths.pctrace'), trace);
});

test("a block's columns are written in full: columns holding other values first decode to the same trace", async () => {
  // what lets a stream hand out fresh columns unzeroed (io.ts): every value is overwritten before a block goes out
  const filled: ColumnAllocator = (count, wideTimes) => ({
    time: wideTimes ? new Float64Array(count).fill(0.5) : new Uint32Array(count).fill(2 ** 32 - 1),
    page: new Uint32Array(count).fill(2 ** 32 - 1),
    write: new Uint8Array(count).fill(255),
  });
  const traces = [widthsTrace(), wideTimesTrace(), edgy];
  for (const kind of GENERATOR_KINDS)
    for (const [accesses, pages] of [
      [1, 5000],
      [31, 5000],
      [1025, 1 << 18],
      [65537, 1 << 20],
    ])
      traces.push(generateTrace(kind, { seed: 'filled', accesses, pages, writeRatio: 0.3 }));
  for (const trace of traces) {
    const chunks: TraceChunk[] = [];
    const decoder = new BinaryTraceDecoder('filled.pctrace', (chunk) => chunks.push(chunk), undefined, filled);
    decoder.feed(encodeBinaryTrace(trace));
    decoder.finish();
    const column = (name: 'time' | 'page' | 'write') => chunks.flatMap((chunk) => Array.from(chunk[name]));
    const columns = { time: column('time'), page: column('page'), write: column('write') };
    assertSameAccesses(makeTrace(columns, { pageSize: trace.pageSize }), trace);
  }
  // a TraceBuilder on memory holding other bytes: binary blocks decoded into its room, text lines pushed (the room
  // doubling, times widened to 64 bits on the way), as node's loadTrace and readTrace build
  const ones = (bytes: number) => new Uint8Array(bytes).fill(255).buffer;
  for (const trace of traces) {
    const builder = new TraceBuilder(undefined, ones);
    const decoder = new BinaryTraceDecoder(
      'filled.pctrace',
      (chunk) => builder.append(chunk),
      (header) => builder.reserve(header.count),
      (count, wideTimes) => builder.claim(count, wideTimes),
    );
    decoder.feed(encodeBinaryTrace(trace));
    decoder.finish();
    assertSameAccesses(builder.finish(trace.pageSize, 'filled'), trace);
    const text = new TraceBuilder(undefined, ones);
    const parser = new TextTraceParser('filled.trace', text, 'filled');
    parser.feed(formatTextTrace(trace));
    parser.finish();
    assertSameAccesses(text.finish(parser.pageSize, parser.name), trace);
  }
  // and the columns a stream of fresh columns hands out are each their own memory
  const path = join(dir, 'filled.pctrace');
  saveTrace(traces[traces.length - 1], path);
  const streamed: TraceChunk[] = [];
  for await (const chunk of streamTrace(path)) streamed.push(chunk);
  assert.equal(streamed.length, 2);
  assert.equal(
    new Set(streamed.flatMap((chunk) => [chunk.time.buffer, chunk.page.buffer, chunk.write.buffer])).size,
    6,
  );
});

test('version 3 decodes the same where WebAssembly cannot run (node --jitless has none)', () => {
  const trace = widthsTrace();
  const path = join(dir, 'widths-jitless.pctrace');
  saveTrace(trace, path);
  const io = join(__dirname, '..', '..', 'dist', 'trace', 'io.js');
  const script = `const t = require(${JSON.stringify(io)}).loadTrace(${JSON.stringify(path)});
    const columns = [Array.from(t.time), Array.from(t.page), Array.from(t.write)];
    process.stdout.write(JSON.stringify([typeof WebAssembly, ...columns]));`;
  const child = spawnSync(process.execPath, ['--jitless', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  // (node warns on stderr that --jitless turns WebAssembly off)
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), [
    'undefined',
    Array.from(trace.time),
    Array.from(trace.page),
    Array.from(trace.write),
  ]);
});

test('where the engine has no SIMD (node --no-enable-sse4-1) the scalar wasm module decodes, the same columns', () => {
  const trace = widthsTrace();
  const path = join(dir, 'widths-scalar.pctrace');
  saveTrace(trace, path);
  const traceDir = join(__dirname, '..', '..', 'dist', 'trace');
  const script = `const t = require(${JSON.stringify(join(traceDir, 'io.js'))}).loadTrace(${JSON.stringify(path)});
    const columns = [Array.from(t.time), Array.from(t.page), Array.from(t.write)];
    const wasm = require(${JSON.stringify(join(traceDir, 'packed.js'))}).decodeWithWasm(true);
    // a module whose one function returns a v128 constant: refused where the engine has no SIMD
    let simd = true;
    try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10,
      22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11])); } catch { simd = false; }
    process.stdout.write(JSON.stringify([simd, wasm, ...columns]));`;
  const child = spawnSync(process.execPath, ['--no-enable-sse4-1', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), [
    false,
    true,
    Array.from(trace.time),
    Array.from(trace.page),
    Array.from(trace.write),
  ]);
});

/**
 * Trace `k` of a family of awkward shapes: blocks ending in a frame of one access; now and then a time step of 2^31 or
 * more (often one the 32-bit column still holds, often not), pages jumping up to 2^32 either way.
 */
function jumpyTrace(k: number): Trace {
  const random = seedrandom(`jumpy ${k}`);
  const accesses = [1, 2, 1025, 2049, 65537][k % 5];
  const time: number[] = [];
  const page: number[] = [];
  let t = Math.floor(random() * 2 ** (k % 3 === 0 ? 33 : 20));
  let p = Math.floor(random() * 2 ** 32);
  for (let i = 0; i < accesses; i++) {
    const fits = 2 ** 32 - 1 - t - 2 ** 31;
    // odd traces: now and then any step; even ones: a step the 32-bit column still holds at each frame's first access
    // (the last frame of a block of 1,025 or 2,049 holds only it)
    const even = k % 2 === 0;
    if (even ? i > 0 && i % 1024 === 0 && fits > 0 : random() < 0.002)
      t += even ? 2 ** 31 + Math.floor(random() * fits) : Math.floor(random() * 2 ** 33);
    else t += Math.floor(random() * 16);
    p = Math.min(2 ** 32 - 1, Math.max(0, p + Math.floor((random() - 0.5) * (random() < 0.01 ? 2 ** 33 : 64))));
    time.push(Math.min(t, Number.MAX_SAFE_INTEGER));
    page.push(p);
  }
  return makeTrace({ time, page, write: page.map((x) => x % 2) }, { name: `jumpy ${k}` });
}

test('the wasm decoders (SIMD, scalar) and the JavaScript loop give the same columns: widths, kinds, 64-bit times', () => {
  const traces = [widthsTrace(), wideTimesTrace(), edgy];
  for (const kind of GENERATOR_KINDS)
    for (const [accesses, pages] of [
      [1, 5000],
      [1025, 1 << 18],
      [65537 + 31, 1 << 24],
    ])
      traces.push(generateTrace(kind, { seed: 'twins', accesses, pages, writeRatio: 0.3 }));
  for (let k = 0; k < 60; k++) traces.push(jumpyTrace(k));
  const decoded = (bytes: Uint8Array, wasm: boolean | 'scalar') => {
    assert.equal(decodeWithWasm(wasm), wasm !== false);
    try {
      const trace = decodeBinaryTrace(bytes, 'twins.pctrace');
      return [Array.from(trace.time), Array.from(trace.page), Array.from(trace.write), trace.time.constructor.name];
    } finally {
      decodeWithWasm(true);
    }
  };
  for (const trace of traces) {
    const bytes = encodeBinaryTrace(trace);
    const wasm = decoded(bytes, true);
    assert.deepEqual(wasm.slice(0, 3), [Array.from(trace.time), Array.from(trace.page), Array.from(trace.write)]);
    assert.deepEqual(decoded(bytes, false), wasm, trace.name);
    assert.deepEqual(decoded(bytes, 'scalar'), wasm, trace.name);
  }
});

test('a time step of 2^31 or more alone in a frame decodes exactly (version 3 and 4, both decoders)', () => {
  // 1025 accesses: the second time frame holds one access, stepping 3e9 (its sums fit 32 bits, taken unchecked)
  const time = Array.from({ length: 1025 }, (_, i) => i);
  time[1024] = 1023 + 3e9;
  const trace = makeTrace(
    { time, page: time.map((_, i) => i % 7), write: time.map((_, i) => i % 2) },
    { name: 'long-pause' },
  );
  const bytes = encodeBinaryTrace(trace);
  for (const wasm of [true, 'scalar', false] as const) {
    assert.equal(decodeWithWasm(wasm), wasm !== false);
    try {
      assertSameAccesses(decodeBinaryTrace(bytes, 'pause.pctrace'), trace);
      assertSameAccesses(decodeBinaryTrace(asVersion3(bytes), 'pause.pctrace'), trace);
    } finally {
      decodeWithWasm(true);
    }
  }
});

test('a file written from chunks that reuse one set of arrays gets the summary of what it holds', async () => {
  // pages walk upwards, so each chunk's largest page is larger than the one before
  const trace = generateTrace('sequential', { seed: 'reused', accesses: 3 * 65536, pages: 1 << 20, writeRatio: 0.3 });
  const time = new Float64Array(65536);
  const page = new Uint32Array(65536);
  const write = new Uint8Array(65536);
  function* chunks(): Generator<TraceChunk> {
    for (let start = 0; start < trace.page.length; start += 65536) {
      time.set(trace.time.subarray(start, start + 65536));
      page.set(trace.page.subarray(start, start + 65536));
      write.set(trace.write.subarray(start, start + 65536));
      // remembered for this array, as a simulation asking would: true of the first chunk only
      largestPage(page);
      yield { start, time, page, write };
    }
  }
  const path = join(dir, 'reused-chunks.pctrace');
  await writeTraceStream(path, summarizeTrace(trace), chunks());
  assert.deepEqual(await summarizeTraceFile(path), { ...summarizeTrace(trace), file: path });
  assertSameAccesses(loadTrace(path), trace);
});

test('one-bit write frames decode the same into a write column at any byte alignment', () => {
  // 70,000 accesses: a full block, then one of 4 frames and 368 accesses (11 groups of 32 and 16 left)
  const trace = generateTrace('random', { seed: 'bits', accesses: 70_000, pages: 1000, writeRatio: 0.4 });
  const bytes = encodeBinaryTrace(trace);
  for (const shift of [0, 1, 2, 3]) {
    const writes: number[][] = [];
    const decoder = new BinaryTraceDecoder(
      'bits.pctrace',
      (chunk) => writes.push(Array.from(chunk.write)),
      undefined,
      (count, wideTimes) => ({
        time: wideTimes ? new Float64Array(count) : new Uint32Array(count),
        page: new Uint32Array(count),
        write: new Uint8Array(count + shift).subarray(shift),
      }),
    );
    decoder.feed(bytes);
    decoder.finish();
    assert.deepEqual(writes.flat(), Array.from(trace.write), `column at byte ${shift}`);
  }
});

test('a binary trace fed in pieces of any size and at any memory alignment decodes the same', () => {
  const trace = generateTrace('phased', { seed: 'pieces', accesses: 3 * 65536 + 77, pages: 1 << 16, writeRatio: 0.3 });
  const encoded = encodeBinaryTrace(trace);
  for (const shift of [0, 1, 2, 3]) {
    // a node Buffer at byte offset `shift` of its memory: payloads out of 4-byte alignment are copied, not viewed
    const bytes = Buffer.concat([Buffer.alloc(shift), encoded]).subarray(shift);
    for (const size of [7, 4093, 1 << 20, 1_000_003]) {
      const builder = new TraceBuilder();
      const decoder = new BinaryTraceDecoder('pieces.pctrace', (chunk) => builder.append(chunk));
      for (let at = 0; at < bytes.length; at += size) decoder.feed(bytes.subarray(at, at + size));
      decoder.finish();
      assertSameAccesses(builder.finish(trace.pageSize, trace.name), trace);
    }
  }
});

test('version-3 damage with a valid checksum (a writer bug) is a one-line error naming block and frame', () => {
  const bug = makeTrace({ time: [10, 20, 30], page: [7, 9, 8], write: [0, 1, 0] }, { name: 'bug' });
  // pages walking by one: a delta frame (reference 0, 1 bit), its sums checked only where they could leave [0, 2^32)
  const walk = makeTrace({ time: [10, 20, 30], page: [1000, 1001, 1002], write: [0, 1, 0] }, { name: 'walk' });
  const walk4 = makeTrace({ time: [10, 20, 30, 40], page: [1000, 1001, 1002, 1003] }, { name: 'walk4' });
  // 512 pages up from 1000 and back down (and down and back up): one delta frame of steps -1 and +1 (a value frame
  // would need 10 bits)
  const bumpPages = Array.from({ length: 1024 }, (_, i) => 1000 + (i < 512 ? i : 1023 - i));
  const bump = makeTrace({ time: bumpPages.map((_, i) => 10 * i), page: bumpPages }, { name: 'bump' });
  const dip = makeTrace({ time: bump.time, page: bumpPages.map((page) => 2000 - page) }, { name: 'dip' });
  const startAt1000 = Buffer.alloc(8);
  startAt1000.writeDoubleLE(1000);
  // both payloads: the time column (start, one reference, one mode byte + padding, then one word), then the pages
  // from byte 24, then the writes
  for (const wasm of [true, 'scalar', false] as const) {
    decodeWithWasm(wasm);
    try {
      assertDamage(bug, 'step.pctrace', (p) => p.writeDoubleLE(-5, 8), /time frame 1: negative time step -5/);
      assertDamage(bug, 'width.pctrace', (p) => (p[16] = 60), /time frame 1: width 60 is not in \[0, 53\]/);
      // the mode byte's bit 6 is reserved: a width in range beside it is not the problem
      const reserved = /time frame 1: its mode byte sets the reserved bit 6$/;
      assertDamage(bug, 'reserved.pctrace', (p) => (p[16] = 0x80 | 0x40 | 5), reserved);
      assertDamage(bug, 'start.pctrace', (p) => p.writeDoubleLE(0.5, 0), /time column starts at 0\.5/);
      // a reference that lets values pass 2^32 - 1
      const page = /page frame 1: values can leave \[0, 4294967295\]/;
      assertDamage(bug, 'page.pctrace', (p) => p.writeDoubleLE(2 ** 32 - 2, 32), page);
      assertDamage(bug, 'ref.pctrace', (p) => p.writeDoubleLE(0.5, 8), /time frame 1: reference 0\.5 is out of range/);
      const valueTimes = /time frame 1: a value frame, which this column does not have/;
      assertDamage(bug, 'kind.pctrace', (p) => (p[16] = 4), valueTimes);
      // the write column starts at byte 48 (its mode byte at 64)
      const deltaWrites = /write frame 1: a delta frame, which this column does not have/;
      assertDamage(bug, 'writes.pctrace', (p) => (p[64] = 0x81), deltaWrites);
      // pages 31 bits wide take 3 words, not 1: the write column's header then runs past the payload
      assertDamage(bug, 'short.pctrace', (p) => (p[40] = 31), /block payload ends inside a column/);
      // writes 0 bits wide take no word: the one written is left over
      assertDamage(bug, 'after.pctrace', (p) => (p[64] = 0), /block has 4 bytes after its last access/);
      const below = /page frame 1: a value leaves \[0, 4294967295\]/;
      assertDamage(walk, 'walk-down.pctrace', (p) => p.writeDoubleLE(-2000, 32), below);
      // times from 2^53 - 3 (a Float64 column, sums checked): the second passes the largest safe integer
      const late = /time frame 1: a value leaves \[0, 9007199254740991\]/;
      assertDamage(walk, 'walk-late.pctrace', (p) => p.writeDoubleLE(2 ** 53 - 3, 0), late);
      // the wasm decoder sums and checks two values at a time, then a frame's odd last one: the same from values in
      // pairs only (an even frame), and from a walk whose top passes 2^32 - 1 while its last value is back inside
      assertDamage(walk4, 'walk4-late.pctrace', (p) => p.writeDoubleLE(2 ** 53 - 3, 0), late);
      assertDamage(bump, 'bump.pctrace', (p) => p.writeDoubleLE(2 ** 32 - 301, p.indexOf(startAt1000)), below);
      assertDamage(dip, 'dip.pctrace', (p) => p.writeDoubleLE(300, p.indexOf(startAt1000)), below);
    } finally {
      decodeWithWasm(true);
    }
  }
});

/** Loading `trace` saved as `name` with its first block's payload changed by `change` (the checksum redone) fails so. */
function assertDamage(trace: Trace, name: string, change: (payload: Buffer) => void, message: RegExp): void {
  const data = Buffer.from(encodeBinaryTrace(trace));
  const blockAt = (28 + data.readUInt32LE(24) + 4 + 3) & ~3;
  const payload = data.subarray(blockAt + 12, blockAt + 12 + data.readUInt32LE(blockAt + 4));
  change(payload);
  data.writeUInt32LE(zlibCrc32(payload, zlibCrc32(data.subarray(blockAt, blockAt + 8))), blockAt + 8);
  const where = `${name.replace('.', '\\.')}: block 1 \\(byte \\d+\\): `;
  assertUserError(() => loadTrace(file(name, data)), new RegExp(where + message.source));
}

test('every single-bit flip of a version-2, -3 or -4 file is detected (CRC-32 per block, on the header and trailer)', () => {
  const trace = generateTrace('zipf', { seed: 'flip', accesses: 200, pages: 64, writeRatio: 0.5 });
  const nameBytes = Buffer.byteLength(trace.name);
  const v4 = Buffer.from(encodeBinaryTrace(trace));
  for (const [good, headerEnd, trailerAt] of [
    [encodeVersion2(trace), 28 + nameBytes + 4, Infinity],
    [asVersion3(v4), (28 + nameBytes + 4 + 3) & ~3, Infinity],
    [v4, (28 + nameBytes + 4 + 3) & ~3, v4.length - 36],
  ] as const) {
    for (let bit = 0; bit < good.length * 8; bit++) {
      const bad = Buffer.from(good);
      bad[bit >> 3] ^= 1 << (bit & 7);
      // a flipped trailer count makes it a second block
      const where =
        bit >> 3 < headerEnd
          ? /^flip\.pctrace: /
          : bit >> 3 < trailerAt
            ? /^flip\.pctrace: block 1 \(byte \d+\): /
            : /^flip\.pctrace: (summary trailer|block 2) \(byte \d+\): /;
      const ok = (err: unknown) => err instanceof UserError && where.test(err.message) && !err.message.includes('\n');
      assert.throws(() => decodeBinaryTrace(bad, 'flip.pctrace'), ok, `bit ${bit}`);
    }
  }
  // a flipped payload bit names the block and the checksum
  const good = Buffer.from(encodeBinaryTrace(trace));
  const headerEnd = (28 + nameBytes + 4 + 3) & ~3;
  const bad = Buffer.from(good);
  bad[headerEnd + 12 + 5] ^= 0x10;
  assertUserError(
    () => loadTrace(file('crc.pctrace', bad)),
    /crc\.pctrace: block 1 \(byte \d+\): checksum mismatch \(the file is damaged\)/,
  );
});

test("version 4 ends with the summary, read off the file's ends; every full pass checks it against the blocks", async () => {
  const big = generateTrace('zipf', { seed: 'trailer', accesses: 3 * 65536 + 17, pages: 1 << 20, writeRatio: 0.3 });
  const empty = makeTrace({ page: [] }, { name: 'empty' });
  for (const trace of [big, edgy, empty]) {
    for (const name of ['s.pctrace', 's.pctrace.gz', 's.trace']) {
      const path = join(dir, `summary-${trace.name}-${name}`);
      saveTrace(trace, path);
      assert.deepEqual(await summarizeTraceFile(path), { ...summarizeTrace(trace), file: path }, path);
      // the loaded trace's largest page, remembered from the trailer where there is one, is the scan's
      const scanned = Array.from(trace.page).reduce((a, b) => Math.max(a, b), -1);
      assert.equal(largestPage(loadTrace(path).page), scanned, path);
      assert.equal(largestPage((await readTrace(path)).page), scanned, path);
    }
  }
  const good = Buffer.from(encodeBinaryTrace(big));
  const headerEnd = (28 + Buffer.byteLength(big.name) + 4 + 3) & ~3;
  const trailerAt = good.length - 36;
  // blocks unread: a damaged one does not stop the summary, and the pass after names it
  const damaged = Buffer.from(good);
  damaged[headerEnd + 12 + 5] ^= 0x10;
  const checksum = /block 1 \(byte \d+\): checksum mismatch \(the file is damaged\)$/;
  const path = file('summary-damaged.pctrace', damaged);
  assert.deepEqual(await summarizeTraceFile(path), { ...summarizeTrace(big), file: path });
  await assert.rejects(drain(path), checksum);
  // without a trailer (version 3), or with a cut one, the summary is a pass, which names the damage
  await assert.rejects(summarizeTraceFile(file('summary-damaged-v3.pctrace', asVersion3(damaged))), checksum);
  await assert.rejects(
    summarizeTraceFile(file('summary-cut.pctrace', good.subarray(0, good.length - 1))),
    new RegExp(`summary trailer \\(byte ${trailerAt}\\): truncated$`),
  );
  // a writer's bug: the trailer's checksum holds, its summary does not
  const trailer = (name: string, change: (trailer: Buffer) => void) => {
    const data = Buffer.from(good);
    change(data.subarray(trailerAt));
    data.writeUInt32LE(
      zlibCrc32(data.subarray(trailerAt + 12), zlibCrc32(data.subarray(trailerAt, trailerAt + 8))),
      trailerAt + 8,
    );
    return file(name, data);
  };
  const summary = summarizeTrace(big);
  const where = `summary trailer \\(byte ${trailerAt}\\)`;
  for (const [at, field, label] of [
    [12, 'largestPage', 'largest page'],
    [20, 'firstTime', 'first time'],
    [28, 'lastTime', 'last time'],
  ] as const) {
    const wrong = summary[field] + 1;
    const lying = trailer(`lying-${field}.pctrace`, (t) => t.writeDoubleLE(wrong, at));
    const message = new RegExp(`${where}: ${label} ${wrong} is not the blocks' ${summary[field]}$`);
    assertUserError(() => loadTrace(lying), message);
    await assert.rejects(drain(lying), message);
    assert.deepEqual(await summarizeTraceFile(lying), { ...summary, [field]: wrong, file: lying });
  }
  // one page too few, whether the frames' headers bound the largest page (2^20 pages: a value frame's reference +
  // 2^width - 1 is its largest) or only a scan finds it (5000 pages: 13-bit frames from 0, a bound of 8191)
  for (const pages of [1 << 20, 5000]) {
    const trace = generateTrace('zipf', { seed: 'few', accesses: 2 * 65536, pages, writeRatio: 0.3 });
    const bytes = Buffer.from(encodeBinaryTrace(trace));
    const at = bytes.length - 36;
    const largest = summarizeTrace(trace).largestPage;
    bytes.writeDoubleLE(largest - 1, at + 12);
    bytes.writeUInt32LE(zlibCrc32(bytes.subarray(at + 12), zlibCrc32(bytes.subarray(at, at + 8))), at + 8);
    assertUserError(
      () => decodeBinaryTrace(bytes, 'few.pctrace'),
      new RegExp(
        `^few\\.pctrace: summary trailer \\(byte ${at}\\): largest page ${largest - 1} is not the blocks' ${largest}$`,
      ),
    );
  }
  // impossible summaries are not taken from the ends: the summary pass names them
  for (const [name, change, message] of [
    ['no-page', (t: Buffer) => t.writeDoubleLE(-1, 12), /largest page -1 is impossible for 196625 accesses$/],
    ['backwards', (t: Buffer) => t.writeDoubleLE(2 ** 40, 20), /times 1099511627776 to \d+ are impossible$/],
    ['long', (t: Buffer) => t.writeUInt32LE(28, 4), /takes 28 bytes, not 24$/],
  ] as const) {
    const path = trailer(`impossible-${name}.pctrace`, change);
    await assert.rejects(summarizeTraceFile(path), new RegExp(`${where}: ${message.source}`));
    assertUserError(() => loadTrace(path), new RegExp(`${where}: ${message.source}`));
  }
  // a largest page no VM may hold (it refuses the run, 'VM too large', before a block is read) is checked by a pass
  // first: a damaged trailer is named as such, while a trace that holds such pages keeps its summary
  for (const far of [MAX_VM_PAGES, MAX_PAGE]) {
    const vmLie = trailer(`lying-vm-${far}.pctrace`, (t) => t.writeDoubleLE(far, 12));
    const lie = new RegExp(`${where}: largest page ${far} is not the blocks' ${summary.largestPage}$`);
    await assert.rejects(summarizeTraceFile(vmLie), lie);
    const genuine = join(dir, `far-${far}.pctrace`);
    saveTrace(makeTrace({ page: [3, far, 5] }, { name: 'far' }), genuine);
    assert.equal((await summarizeTraceFile(genuine)).largestPage, far);
  }
  // anything after the trailer; a trailer before the last block (the blocks after it are not counted)
  assertUserError(
    () => loadTrace(file('after.pctrace', Buffer.concat([good, Buffer.alloc(4)]))),
    new RegExp(`after\\.pctrace: bytes after the summary trailer \\(byte ${good.length}\\)$`),
  );
  const secondBlockAt = headerEnd + 12 + good.readUInt32LE(headerEnd + 4);
  const early = Buffer.concat([
    good.subarray(0, secondBlockAt),
    good.subarray(trailerAt),
    good.subarray(secondBlockAt),
  ]);
  assertUserError(
    () => loadTrace(file('early.pctrace', early)),
    /early\.pctrace: truncated: header promises 196625 accesses, blocks hold 65536$/,
  );
});

test("the pure CRC-32 and node's give the same sums", () => {
  const bytes = new TextEncoder().encode('123456789');
  assert.equal(crc32(bytes), 0xcbf43926);
  assert.equal(crc32(bytes.subarray(4), crc32(bytes.subarray(0, 4))), 0xcbf43926);
  assert.equal(zlibCrc32(bytes), 0xcbf43926);
});

/** The SIMD CRC-32 addon, where a prebuilt binary of it loads on this platform (else the library keeps zlib's). */
const simdCrc32 = (() => {
  try {
    return (require('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32;
  } catch {
    return undefined;
  }
})();

test(
  "the SIMD CRC-32 addon gives zlib's sums: any length, any offset into wasm memory, any previous sum",
  { skip: simdCrc32 ? false : 'no prebuilt @node-rs/crc32 binary loads on this platform' },
  () => {
    const crc = simdCrc32 as NonNullable<typeof simdCrc32>;
    assert.equal(crc(new TextEncoder().encode('123456789')), 0xcbf43926);
    const random = seedrandom('crc');
    const memory = new Uint8Array(new WebAssembly.Memory({ initial: 4 }).buffer);
    for (let i = 0; i < memory.length; i++) memory[i] = Math.floor(random() * 256);
    for (let round = 0; round < 300; round++) {
      const from = Math.floor(random() * 4096);
      const length = round < 70 ? round : Math.floor(random() * 200_000);
      const bytes = memory.subarray(from, from + length);
      const previous = Math.floor(random() * 2 ** 32);
      assert.equal(crc(bytes, previous), zlibCrc32(bytes, previous), `${from} ${length} ${previous}`);
    }
  },
);

/**
 * CRC-32s that record their calls by name (`calls`), the nine bytes of the CRC-32 check value (0xcbf43926), and a
 * switchingAfter over 10 bytes from 'first' to 'later' that counts how often it asks for the later one (`asked()`).
 */
function recordingSwitch() {
  const calls: string[] = [];
  const named =
    (name: string): Crc32 =>
    (bytes, previous) => (calls.push(name), zlibCrc32(bytes, previous));
  let asked = 0;
  const sum = switchingAfter(10, named('first'), () => (asked++, named('later')));
  return { calls, named, bytes: new TextEncoder().encode('123456789'), sum, asked: () => asked };
}

test('switchingAfter sums through the first CRC until past its bytes, then asks once for the later one', () => {
  const { calls, named, bytes, sum, asked } = recordingSwitch();
  for (let i = 0; i < 4; i++) assert.equal(sum(bytes.subarray(4), sum(bytes.subarray(0, 4), 0)), 0xcbf43926);
  // 4, 9, then 13 bytes: the call that passed 10 still sums with the first
  assert.deepEqual(calls, ['first', 'first', 'first', 'later', 'later', 'later', 'later', 'later']);
  assert.equal(asked(), 1);
  calls.length = 0;
  const kept = switchingAfter(0, named('first'), () => undefined);
  for (let i = 0; i < 3; i++) assert.equal(kept(bytes, 0), 0xcbf43926);
  assert.deepEqual(calls, ['first', 'first', 'first']);
});

test('switchingAfter told that more than its bytes are coming switches at once; told fewer, it waits', () => {
  const { calls, named, bytes, sum, asked } = recordingSwitch();
  // 10 bytes coming: not past 10, so the first sums them
  sum.expect(10);
  assert.equal(sum(bytes, 0), 0xcbf43926);
  assert.deepEqual(calls, ['first']);
  assert.equal(asked(), 0);
  // 9 summed, 2 more coming: past 10
  sum.expect(2);
  assert.equal(asked(), 1);
  assert.equal(sum(bytes, 0), 0xcbf43926);
  sum.expect(1e9);
  assert.equal(sum(bytes, 0), 0xcbf43926);
  assert.deepEqual(calls, ['first', 'later', 'later']);
  assert.equal(asked(), 1);
  // from the start, as a stream of a large file is
  calls.length = 0;
  const large = switchingAfter(10, named('first'), () => named('later'));
  large.expect(11);
  assert.equal(large(bytes, 0), 0xcbf43926);
  assert.deepEqual(calls, ['later']);
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
  assert.throws(
    fn,
    (err: unknown) => err instanceof UserError && pattern.test(err.message) && !err.message.includes('\n'),
  );
}

test('every kind of bad text line is rejected with FILE:LINE: reason', () => {
  const cases: [string, RegExp][] = [
    ['1 2\nx 3\n', /:2: time must be a decimal whole number, got "x"/],
    ['1 -2\n', /:1: page must be a decimal whole number, got "-2"/],
    ['1.5 2\n', /:1: time must be a decimal whole number/],
    ['1 2 R extra\n', /:1: expected 'TIME PAGE \[R\|W\]' or 'PAGE', got 4 fields/],
    ['1 2 X\n', /:1: kind must be R or W, got "X"/],
    ['5 1\n\n4 1\n', /:3: time 4 is before the previous access's time 5/],
    ['1 4294967296\n', /:1: page 4294967296 is larger than 4294967295/],
    ['9007199254740992 1\n', /:1: time 9007199254740992 is larger than/],
    ['1 2\n# page-size: 4096\n', /:2: page-size directive must come before the first access/],
    ['# page-size: 1000\n', /:1: page size must be a power of two, got 1000/],
    ['0x10\n', /:1: page must be a decimal whole number, got "0x10"/],
  ];
  cases.forEach(([content, pattern], i) => {
    const path = file(`bad${i}.trace`, content);
    assertUserError(
      () => loadTrace(path),
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${pattern.source}`),
    );
  });
});

test('missing files, corrupt gzip, binary junk and damaged binary traces are UserErrors', () => {
  assertUserError(() => loadTrace(join(dir, 'nope.trace')), /nope\.trace: no such file/);
  assertUserError(() => loadTrace(dir), /is a directory, not a trace file/);
  assertUserError(
    () => loadTrace(file('bad.gz', Buffer.concat([gzipSync('1 2\n').subarray(0, 12)]))),
    /corrupt gzip data/,
  );
  assertUserError(() => loadTrace(file('junk.bin', Buffer.from([1, 0, 2, 3]))), /contains NUL bytes/);
  const good = Buffer.from(encodeBinaryTrace(edgy));
  const headerEnd = 28 + 4 + 4;
  const trailerAt = good.length - 36;
  // cut inside a block: the message version 3 gives, for both versions
  for (const [name, bytes] of [
    ['cut.pctrace', good],
    ['cut-v3.pctrace', asVersion3(good)],
  ] as const) {
    assertUserError(
      () => loadTrace(file(name, bytes.subarray(0, trailerAt - 1))),
      new RegExp(`${name.replace('.', '\\.')}: block 1 \\(byte 36\\): truncated block`),
    );
  }
  assertUserError(
    () => loadTrace(file('cut-trailer.pctrace', good.subarray(0, good.length - 1))),
    new RegExp(`cut-trailer\\.pctrace: summary trailer \\(byte ${trailerAt}\\): truncated`),
  );
  assertUserError(
    () => loadTrace(file('no-trailer.pctrace', good.subarray(0, trailerAt))),
    /no-trailer\.pctrace: truncated: the summary trailer is missing/,
  );
  assertUserError(() => loadTrace(file('head.pctrace', good.subarray(0, 20))), /header is truncated/);
  assertUserError(
    () => loadTrace(file('noblocks.pctrace', good.subarray(0, headerEnd))),
    /truncated: header promises 5 accesses, blocks hold 0/,
  );
  // header fields changed with a valid checksum, as a buggy writer would
  const header = (offset: number, change: (data: Buffer) => void) => {
    const data = Buffer.from(good);
    change(data);
    data.writeUInt32LE(zlibCrc32(data.subarray(0, headerEnd - 4)), headerEnd - 4);
    return file(`header${offset}.pctrace`, data);
  };
  assertUserError(
    () => loadTrace(header(8, (d) => d.writeUInt16LE(9, 8))),
    /version 9 is not supported \(this reader knows versions 1, 2, 3 and 4\)/,
  );
  assertUserError(
    () => loadTrace(header(12, (d) => d.writeUInt32LE(3000, 12))),
    /page size must be a positive power of two, got 3000/,
  );
  assertUserError(
    () => loadTrace(header(16, (d) => d.writeBigUInt64LE(4n, 16))),
    /block 1 \(byte 36\): blocks hold more accesses than the header's 4/,
  );
  assertUserError(
    () => loadTrace(header(17, (d) => d.writeBigUInt64LE(10n, 16))),
    /truncated: header promises 10 accesses, blocks hold 5/,
  );
  // room for the count is made at once; one too large to have falls back to growing as blocks come
  assertUserError(
    () => loadTrace(header(18, (d) => d.writeBigUInt64LE(2n ** 52n, 16))),
    /truncated: header promises 4503599627370496 accesses, blocks hold 5/,
  );
  const twice = Buffer.concat([good.subarray(0, trailerAt), good.subarray(headerEnd)]);
  twice.writeBigUInt64LE(10n, 16);
  twice.writeUInt32LE(zlibCrc32(twice.subarray(0, headerEnd - 4)), headerEnd - 4);
  // the second copy of the block restarts at time 0 after time 2^53 - 1
  assertUserError(
    () => loadTrace(file('back.pctrace', twice)),
    /block 2 \(byte \d+\): access 5: time 0 is before the previous access's time 9007199254740991/,
  );
});

test('FIFOs and devices are refused at once with one line, never read (a FIFO without writer would block)', () => {
  const fifo = join(dir, 'pipe.trace');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assertUserError(() => loadTrace(fifo), /pipe\.trace: is a FIFO, not a trace file \(only regular files are read\)/);
  assertUserError(() => loadTrace('/dev/zero'), /^\/dev\/zero: is a device, not a trace file/);
});

/**
 * Runs `work` with every read of a file cut short to a random count of bytes, at most `most` (a file system may return
 * fewer bytes than asked), calling `beforeRead` with the read's number first (to change the file meanwhile).
 */
async function withReads<T>(most: number, beforeRead: (read: number) => void, work: () => T): Promise<Awaited<T>> {
  const { read, readSync } = fs;
  const random = seedrandom(`reads of ${most}`);
  const cut = (length: number) => Math.min(length, 1 + Math.floor(random() * most));
  let reads = 0;
  fs.read = ((fd: number, buffer: Uint8Array, offset: number, length: number, position: number, callback: never) => {
    beforeRead(reads++);
    return read(fd, buffer, offset, cut(length), position, callback);
  }) as typeof fs.read;
  fs.readSync = ((fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null) => {
    beforeRead(reads++);
    return readSync(fd, buffer, offset, cut(length), position);
  }) as typeof fs.readSync;
  try {
    return await work();
  } finally {
    fs.read = read;
    fs.readSync = readSync;
  }
}

/** The one-line message `work` fails with, the file's path replaced by FILE. */
async function failure(path: string, work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (err) {
    assert.ok(err instanceof UserError && !err.message.includes('\n'), String(err));
    return err.message.replaceAll(path, 'FILE');
  }
  assert.fail(`${path} was read without a failure`);
}

test('reads returning fewer bytes than asked give the same accesses and the same damage messages', async () => {
  // 2 MiB of random pages: blocks across reads of every size
  const trace = generateTrace('random', { seed: 'short', accesses: 13 * 65536 + 7, pages: 1 << 24, writeRatio: 0.5 });
  const versions = [
    ['short.pctrace', encodeBinaryTrace(trace)],
    ['short-v3.pctrace', asVersion3(encodeBinaryTrace(trace))],
    ['short-v2.pctrace', encodeVersion2(trace)],
    ['short-v1.pctrace', asVersion1(encodeVersion2(trace))],
  ] as const;
  const readers = [
    () => loadTrace,
    () => async (path: string) => (await drain(path)).trace,
    () => async (path: string) => (await drain(path, { reuseChunks: true })).trace,
  ];
  for (const [name, bytes] of versions) {
    const path = file(name, bytes);
    // a few bytes at most per read, then a few blocks (the smaller only on version 4: 500 reads a MiB)
    for (const most of name === 'short.pctrace' ? [4093, 300_001] : [300_001])
      for (const reader of readers)
        assertSameAccesses(
          await withReads(
            most,
            () => 0,
            () => reader()(path),
          ),
          trace,
        );
  }
  // damage: cut inside a block, inside the trailer, bytes after it; each read as a whole file would be
  const good = encodeBinaryTrace(trace);
  for (const [name, bytes] of [
    ['short-cut.pctrace', good.subarray(0, good.length - 200_000)],
    ['short-cut-trailer.pctrace', good.subarray(0, good.length - 5)],
    ['short-after.pctrace', concatBytes([good, new Uint8Array(9)])],
  ] as const) {
    const path = file(name, bytes);
    const expected = await failure(path, () => loadTrace(path));
    for (const reader of readers)
      assert.equal(
        await failure(path, () =>
          withReads(
            65_521,
            () => 0,
            () => reader()(path),
          ),
        ),
        expected,
        name,
      );
  }
});

test('a file that grows or shrinks while it is read fails as the file it became would', async () => {
  const trace = generateTrace('random', { seed: 'resized', accesses: 13 * 65536 + 7, pages: 1 << 24, writeRatio: 0.5 });
  const good = encodeBinaryTrace(trace);
  assert.ok(good.length > 2 * 2 ** 20, 'more than two reads');
  const cut = good.subarray(0, good.length - 700_000);
  const longer = concatBytes([good, Uint8Array.of(1, 2, 3)]);
  const changes = [
    ['shrinks', cut, (path: string) => truncateSync(path, cut.length)],
    ['grows', longer, (path: string) => appendFileSync(path, Uint8Array.of(1, 2, 3))],
  ] as const;
  for (const [how, became, change] of changes) {
    const path = join(dir, `resized-${how}.pctrace`);
    writeFileSync(path, became);
    const expected = await failure(path, () => loadTrace(path));
    const readers = [() => loadTrace(path), () => drain(path), () => drain(path, { reuseChunks: true })];
    for (const read of readers) {
      writeFileSync(path, good);
      // changed before the second read (the stream's is asked for while the first read is decoded)
      const changeOnce = (n: number) => n === 1 && change(path);
      assert.equal(await failure(path, () => withReads(Infinity, changeOnce, read)), expected, how);
    }
  }
});

test('a read failing (EIO) while a .gz streams is a one-line error, not an unhandled error event', async () => {
  const trace = generateTrace('random', { seed: 'eio', accesses: 3 * 65536, pages: 1 << 20 });
  const path = file('eio.pctrace.gz', gzipSync(encodeBinaryTrace(trace), { level: 1 }));
  const { read } = fs;
  let reads = 0;
  // the first two reads pass (the stream sees the gzip magic in them), the later ones fail as a bad disk would: the
  // gunzipping read stream's own reads among them
  fs.read = ((fd: number, buffer: Uint8Array, offset: number, length: number, position: number, callback: never) => {
    if (++reads <= 2) return read(fd, buffer, offset, length, position, callback);
    process.nextTick(callback, Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }), 0);
  }) as typeof fs.read;
  try {
    for (const reuseChunks of [false, true]) {
      reads = 0;
      await assert.rejects(
        drain(path, { reuseChunks }),
        (err) => err instanceof UserError && /eio\.pctrace\.gz: cannot read \(EIO\)$/.test(err.message),
      );
    }
  } finally {
    fs.read = read;
  }
});

test('the streaming reader reports the same damage', async () => {
  const good = encodeBinaryTrace(edgy);
  const oneLine = (pattern: RegExp) => (err: unknown) =>
    err instanceof UserError && pattern.test(err.message) && !err.message.includes('\n');
  await assert.rejects(drain(join(dir, 'missing.pctrace')), oneLine(/missing\.pctrace: no such file/));
  await assert.rejects(drain(file('s-cut.pctrace', good.subarray(0, good.length - 38))), oneLine(/truncated block/));
  await assert.rejects(
    drain(file('s-cut-trailer.pctrace', good.subarray(0, good.length - 2))),
    oneLine(/summary trailer \(byte \d+\): truncated/),
  );
  await assert.rejects(drain(file('s-bad.trace', '1 2\n0 1\n')), oneLine(/s-bad\.trace:2: time 0 is before/));
  await assert.rejects(
    drain(file('s-bad.gz', gzipSync('1 2\n').subarray(0, 12))),
    oneLine(/s-bad\.gz: corrupt gzip data/),
  );
  await assert.rejects(drain('/dev/zero'), oneLine(/is a device, not a trace file/));
});

test('makeTrace validates its columns and defaults time to the index', () => {
  const t = makeTrace({ page: [3, 1] });
  assert.deepEqual(Array.from(t.time), [0, 1]);
  assert.deepEqual(Array.from(t.write), [0, 0]);
  assertUserError(
    () => makeTrace({ time: [2, 1], page: [0, 0] }),
    /access 1: time 1 is before the previous access's time 2/,
  );
  assertUserError(() => makeTrace({ page: [1.5] }), /access 0: page must be a whole number/);
  assertUserError(() => makeTrace({ page: [2 ** 32] }), /page must be a whole number in \[0, 4294967295\]/);
  assertUserError(() => makeTrace({ time: [0], page: [0, 1] }), /time has 1 entries but page has 2/);
  assertUserError(() => makeTrace({ page: [0] }, { pageSize: 100 }), /page size must be a positive power of two/);
  // session 35: a misspelt column or setting was ignored (a trace of reads, of 4 KiB pages), a string shown as a number
  assertUserError(
    () => makeTrace({ page: [0], writes: [1] } as never),
    /^unknown trace column "writes" \(known: time, page, write\)$/,
  );
  assertUserError(
    () => makeTrace({ page: [0] }, { pagesize: 8192 } as never),
    /^unknown trace setting "pagesize" \(known: pageSize, name\)$/,
  );
  assertUserError(() => makeTrace({ page: ['3'] as never }), /^access 0: page must be .*, got "3"$/);
  assertUserError(() => makeTrace({ time: ['0'] as never, page: [3] }), /^access 0: time must be .*, got "0"$/);
});

test('times are stored in 4 bytes while they fit, in 8 from the first one of 2^32 or more, with the same values', () => {
  assert.ok(generateTrace('zipf', { seed: 'c', accesses: 100, pages: 10 }).time instanceof Uint32Array);
  assert.ok(makeTrace({ page: [1, 2] }).time instanceof Uint32Array);
  assert.ok(edgy.time instanceof Float64Array);
  const builder = new TraceBuilder(2);
  const times = [0, 7, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
  for (const t of times) builder.push(t, 1, 0);
  const built = builder.finish(4096, 'widened');
  assert.ok(built.time instanceof Float64Array);
  assert.deepEqual(Array.from(built.time), times);
  // a text trace of small times loads compact; the binary one of the edge values loads wide and exact
  assert.ok(loadTrace(file('small.trace', '1 2\n3 4\n')).time instanceof Uint32Array);
  saveTrace(edgy, join(dir, 'wide.pctrace'));
  assertSameAccesses(loadTrace(join(dir, 'wide.pctrace')), edgy);
  // version-3 blocks decode to 4-byte times when their frames bound them below 2^32
  const chunkTimes = (trace: Trace) => {
    const kinds: string[] = [];
    const decoder = new BinaryTraceDecoder('t.pctrace', (chunk) => kinds.push(chunk.time.constructor.name));
    decoder.feed(encodeBinaryTrace(trace));
    decoder.finish();
    return kinds;
  };
  assert.deepEqual(chunkTimes(generateTrace('zipf', { seed: 'c', accesses: 70_000, pages: 10 })), [
    'Uint32Array',
    'Uint32Array',
  ]);
  assert.deepEqual(chunkTimes(edgy), ['Float64Array']);
  // loaded in place: the first block's times fit 4 bytes, the second's do not, so the columns widen between them
  const crossing = makeTrace({
    page: Array.from({ length: 70_000 }, (_, i) => i % 999),
    time: Array.from({ length: 70_000 }, (_, i) => i * 62_000),
  });
  assert.deepEqual(chunkTimes(crossing), ['Uint32Array', 'Float64Array']);
  saveTrace(crossing, join(dir, 'crossing.pctrace'));
  const loaded = loadTrace(join(dir, 'crossing.pctrace'));
  assert.ok(loaded.time instanceof Float64Array);
  assertSameAccesses(loaded, crossing);
});

test('no byte in a file named .pctrace, or the magic cut short: a damaged binary trace; no byte in a text trace: empty', () => {
  const decode = (name: string, bytes: Uint8Array, namedBinary: boolean) => {
    const decoder = new TraceDecoder(name, 'x', () => {}, undefined, undefined, namedBinary);
    decoder.feed(bytes);
    return decoder.finish();
  };
  // the browser's what-if worker decodes a dropped file so, as loadTrace and streamTrace do a file on disk
  assert.throws(() => decode('x.pctrace', new Uint8Array(0), true), {
    message: 'x.pctrace: empty, but a .pctrace holds its header even with no access (the file is damaged)',
  });
  assert.deepEqual(decode('x.trace', new Uint8Array(0), false), { name: 'x', pageSize: 4096, accesses: 0 });
  const cut = encodeBinaryHeader('x', 4096, 0).subarray(0, 5);
  assert.throws(() => decode('x.trace', cut, false), { message: 'x.trace: binary trace header is truncated' });
  for (const [name, namedBinary] of [
    ['e.pctrace', true],
    ['e.PCTRACE.gz', true],
    ['e.trace', false],
  ] as const) {
    const path = join(dir, name);
    writeFileSync(path, name.endsWith('.gz') ? gzipSync(new Uint8Array(0)) : new Uint8Array(0));
    const damaged = {
      message: `${path}: empty, but a .pctrace holds its header even with no access (the file is damaged)`,
    };
    if (namedBinary) assert.throws(() => loadTrace(path), damaged);
    else assert.equal(loadTrace(path).page.length, 0);
  }
});
