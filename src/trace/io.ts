/**
 * Trace files on disk (node only): open with checks, read in chunks (gunzipping a stream that starts
 * with the gzip magic) and hand the bytes to the pure decoders (decode.ts).
 */
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  openSync,
  read,
  readSync,
  type ReadStream,
  type Stats,
} from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import * as zlib from 'node:zlib';
import { fileLabel, UserError } from '../errors';
import { writeFileAtomic, writeStreamAtomic } from '../util/atomic-write';
import {
  BLOCK_ACCESSES,
  encodeBinaryBlocks,
  encodeBinaryHeader,
  encodeBinaryTrace,
  encodeBinaryTrailer,
  isGzip,
  MAX_HEADER_BYTES,
  MAX_UNIT_BYTES,
  summaryFromTrailer,
  TRAILER_BYTES,
  withKnownLargestPage,
} from './binary';
import { expectCrc32Bytes, switchingAfter, useCrc32, type Crc32 } from './crc32';
import { ColumnPool, isBinaryPath, nameFromPath, TraceDecoder, type TraceFileInfo } from './decode';
import { columnsOn, leaseColumnArena, loadReadBuffer, type ColumnAllocator } from './packed';
import { FirstTouchOrder } from './first-touch';
import { MAX_VM_PAGES } from './limits';
import { TraceBuilder } from './make';
import { firstAtOrAfter } from './switchover';
import { formatTextTrace, textTraceHeader, textTraceLines } from './text';
import { SummaryBuilder, type Trace, type TraceChunk, type TraceSummary, type TraceSummaryHead } from './types';

/**
 * Bytes a process checks with zlib's CRC-32 before it loads @node-rs/crc32 (SIMD: 14-19 GB/s here against zlib's
 * 4-4.6): loading it costs a fresh process 2.4-6 ms CPU, what zlib takes for about 16 MiB, so a process pays at most
 * about twice the cheaper choice's CRC, and a CLI run over a small trace never loads it.
 */
const ZLIB_CRC_BYTES = 16 * 2 ** 20;

// Node 20.15+ has zlib's own CRC-32: same sums as the pure package, about four times faster; the addon is four times
// faster again where its prebuilt binary loads (else zlib stays).
if (typeof zlib.crc32 === 'function') useCrc32(switchingAfter(ZLIB_CRC_BYTES, zlib.crc32, simdCrc32));

function simdCrc32(): Crc32 | undefined {
  try {
    return (require('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32;
  } catch {
    return undefined;
  }
}

/**
 * Tells the CRC-32 about a .pctrace's size before its blocks are checked: past ZLIB_CRC_BYTES the SIMD addon loads
 * at once (in a stream, while the first read is in flight) instead of after 16 MiB through zlib (4-6 ms CPU in a
 * fresh process). A text trace has no checksums; a .gz's size only understates its bytes.
 */
function expectChecksums(fd: number, path: string): void {
  if (isBinaryPath(path)) expectCrc32Bytes(fstatSync(fd).size);
}

/** Bytes per read: large enough that system calls cost nothing, small enough to stay in cache. */
export const READ_BYTES = 1 << 20;
/**
 * Room before each read for the unfinished unit (the header, or a block cut by the read's end) of the bytes before,
 * put in front of it so that every unit lies whole in one buffer.
 */
const CARRY_BYTES = (MAX_UNIT_BYTES + 3) & ~3;
const NO_BYTES = new Uint8Array(0);

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Opens a trace file for reading. Only regular files: a FIFO without a writer would block forever
 * and /dev/zero never ends, so both are refused (opened non-blocking, so that the check itself cannot hang).
 */
export function openTraceFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${fileLabel(path)}: no such file`
        : `${fileLabel(path)}: cannot open (${code ?? (err as Error).message})`,
    );
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new UserError(`${fileLabel(path)}: is ${fileKind(stat)}, not a trace file (only regular files are read)`);
  }
  return fd;
}

function readError(path: string, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code?.startsWith('Z_')) return new UserError(`${fileLabel(path)}: corrupt gzip data (${(err as Error).message})`);
  return new UserError(`${fileLabel(path)}: cannot read (${code ?? (err as Error).message})`);
}

/** Reads up to `into.length` bytes from the file's current position into `into` (empty at the end). */
function readChunk(fd: number, path: string, into: Uint8Array): Uint8Array {
  try {
    return into.subarray(0, readSync(fd, into, 0, into.length, null));
  } catch (err) {
    throw readError(path, err);
  }
}

/** A read buffer: CARRY_BYTES of room for the bytes carried, then READ_BYTES to read into. */
function readBuffer(): Uint8Array {
  return Buffer.allocUnsafe(CARRY_BYTES + READ_BYTES);
}

/** Puts `carry` at the end of `buffer`'s room for it, right before what is read next; returns where it starts. */
function putCarry(buffer: Uint8Array, carry: Uint8Array): number {
  buffer.set(carry, CARRY_BYTES - carry.length);
  return CARRY_BYTES - carry.length;
}

/** The whole of a gzip file open as `fd` (its first read `first`), decompressed in one call (see feedFile). */
function gunzipWhole(fd: number, path: string, first: Uint8Array, buffer: Uint8Array): Buffer {
  const parts = [Buffer.from(first)];
  for (let chunk = readChunk(fd, path, buffer); chunk.length > 0; chunk = readChunk(fd, path, buffer))
    parts.push(Buffer.from(chunk));
  try {
    return zlib.gunzipSync(Buffer.concat(parts));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw readError(path, err);
    throw new UserError(
      `${fileLabel(path)}: decompresses to more than ${bufferConstants.MAX_LENGTH / 2 ** 30} GiB, more than ` +
        'loadTrace holds at once; read it with streamTrace (as the CLI does) or readTrace',
    );
  }
}

/**
 * Feeds `decoder` a whole file, gunzipped when it starts with the gzip magic. A plain file is read a chunk at a time
 * into one buffer, refilled, each read after the unfinished unit of the one before, so that a block's payload
 * decodes where it was read (in the wasm decoder's memory where it runs: no copy in). A gzip file is decompressed in
 * one call (node has no synchronous streaming gunzip; `streamTrace` streams it): the compressed and the whole
 * decompressed file are held at once (a text trace's about 10 bytes per access, as much again as the trace's
 * arrays), at most node's largest Buffer (4 GiB on node 20; beyond, a one-line error).
 */
function feedFile(path: string, decoder: TraceDecoder): void {
  const fd = openTraceFile(path);
  try {
    expectChecksums(fd, path);
    const buffer = loadReadBuffer() ?? readBuffer();
    const room = buffer.subarray(CARRY_BYTES, CARRY_BYTES + READ_BYTES);
    let bytes = readChunk(fd, path, room);
    if (isGzip(bytes)) {
      const data = gunzipWhole(fd, path, bytes, room);
      for (let at = 0; at < data.length; at += READ_BYTES) decoder.feed(data.subarray(at, at + READ_BYTES));
      return;
    }
    for (let bytesRead = bytes.length; bytesRead > 0;) {
      // moved before the next read, which overwrites where it lies now
      const from = putCarry(buffer, bytes.subarray(decoder.feed(bytes, Infinity, false)));
      bytesRead = readChunk(fd, path, room).length;
      bytes = buffer.subarray(from, CARRY_BYTES + bytesRead);
    }
    // an unfinished unit at the end: the decoder's finish names it
    decoder.feed(bytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a whole trace file into memory: binary (recognised by its magic) or text, either one
 * optionally gzip-compressed (recognised by the gzip magic, whatever the extension). Every problem
 * is a one-line UserError naming the file (and the line, for text; the block, for binary).
 */
export function loadTrace(path: string): Trace {
  const builder = new TraceBuilder(undefined, unzeroedMemory);
  const decoder = new TraceDecoder(
    fileLabel(path),
    nameFromPath(path),
    (chunk) => builder.append(chunk),
    builder,
    undefined,
    isBinaryPath(path),
  );
  feedFile(path, decoder);
  const info = decoder.finish();
  return withKnownLargestPage(builder.finish(info.pageSize, info.name), info.largestPage);
}

/**
 * A plain file's bytes from its start, read ahead: each read runs (on libuv's thread pool) while the caller decodes
 * the bytes before it, into two buffers taken in turn, each read after room for what the caller left unfinished of
 * the bytes before (`next` puts it there), so that every block lies whole in one buffer and decodes where it was
 * read. Bytes handed out stay valid until the next call.
 */
class ReadAhead {
  private turn = 0;
  private position = 0;
  private reading: Promise<number>;

  constructor(
    private readonly fd: number,
    private readonly buffers: Uint8Array[],
  ) {
    this.reading = this.readInto(buffers[0]);
  }

  private readInto(buffer: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) =>
      read(this.fd, buffer, CARRY_BYTES, READ_BYTES, this.position, (err, bytesRead) =>
        err ? reject(err) : resolve(bytesRead),
      ),
    );
  }

  /** The next read's bytes after `carry` (at most CARRY_BYTES of the bytes returned last); undefined at the end. */
  async next(carry: Uint8Array): Promise<Uint8Array | undefined> {
    const bytesRead = await this.reading;
    if (bytesRead === 0) return undefined;
    const buffer = this.buffers[this.turn];
    const bytes = buffer.subarray(putCarry(buffer, carry), CARRY_BYTES + bytesRead);
    this.position += bytesRead;
    // the other buffer's bytes are all decoded or carried (just now): read on into it
    this.turn ^= 1;
    this.reading = this.readInto(this.buffers[this.turn]);
    return bytes;
  }

  /** Waits for the read in flight: it must end before the descriptor it reads is closed. */
  async close(): Promise<void> {
    await this.reading.catch(() => undefined);
  }
}

/**
 * Memory not zeroed first, for columns the decoders fill: the binary decoder writes every value of a block's columns
 * before it hands the block out (one that fails is never handed out; a test fills columns with other values first
 * and gets the same trace), and a TraceBuilder hands out only the accesses written. Zeroing was waste: the
 * allocator's memset of reused memory took 11 % of a warmed fresh-array stream's CPU and 8 % of repeated loads'.
 * Past node's largest Buffer, a zeroed ArrayBuffer (columns of more than 2^30 accesses).
 */
function unzeroedMemory(bytes: number): ArrayBuffer {
  return bytes <= bufferConstants.MAX_LENGTH ? Buffer.allocUnsafeSlow(bytes).buffer : new ArrayBuffer(bytes);
}

/** Fresh columns for a stream's blocks, not zeroed (see unzeroedMemory). */
const unzeroedColumns: ColumnAllocator = (count, wideTimes) => columnsOn(count, wideTimes, unzeroedMemory);

/** How streamTrace hands out chunks. */
export interface StreamOptions {
  /**
   * Each chunk is valid only until the next is asked for: its arrays are then reused (a binary file's blocks),
   * for a reader that keeps nothing of a chunk. Default false: every chunk's arrays are its own.
   */
  reuseChunks?: boolean;
}

/**
 * Streams a trace file's accesses chunk by chunk, gunzip included, so that memory stays at a few
 * chunks whatever the file's size. Returns (as the generator's value) the file's name, page size
 * and access count, known for sure only at the end.
 */
export function streamTrace(path: string, options: StreamOptions = {}): AsyncGenerator<TraceChunk, TraceFileInfo> {
  // not `yield*`: delegating cost every chunk a promise more (see streamOpenFile)
  return streamOpenFile(undefined, path, options);
}

/**
 * Feeds a decoder the bytes of one read (or gunzipped piece) a block at a time, handing out each block's chunk before
 * the next block decodes (so a pool of reused columns holds one block's set, still in cache when the reader takes
 * it; a text file's chunks come all at once). A class, not a generator: a stream's async generator delegating to a
 * sync one (`yield*`) paid a promise per chunk more (see streamOpenFile).
 */
class BlockFeeder {
  private bytes = NO_BYTES;
  private at = 0;
  private handedOut = 0;
  /** The decoder took none of the bytes left: an unfinished unit (see TraceDecoder.feed for `keepUnfinished`). */
  private stuck = false;

  constructor(
    private readonly decoder: TraceDecoder,
    private readonly ready: TraceChunk[],
    private readonly pool: ColumnPool | undefined,
    private readonly keepUnfinished: boolean,
  ) {}

  /** The bytes to decode next, the ones before all decoded or carried. */
  feed(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.at = 0;
    this.stuck = false;
  }

  /** The bytes the decoder did not take: an unfinished unit, which the next read goes after. */
  get rest(): Uint8Array {
    return this.bytes.subarray(this.at);
  }

  /** The next chunk of the bytes fed (or of the decoder's finish), or undefined when they hold no more. */
  next(): TraceChunk | undefined {
    while (this.handedOut === this.ready.length) {
      this.ready.length = this.handedOut = 0;
      if (this.stuck || this.at >= this.bytes.length) return undefined;
      // the chunks decoded before have all been handed out, and the next asked for
      this.pool?.release();
      // at most one access asked for: the decoder stops after the block that holds it
      const taken = this.decoder.feed(
        this.at === 0 ? this.bytes : this.bytes.subarray(this.at),
        1,
        this.keepUnfinished,
      );
      this.stuck = taken === 0;
      this.at += taken;
    }
    return this.ready[this.handedOut++];
  }
}

/**
 * streamTrace of the file open as `fd` (opened here when undefined, at the first chunk asked for), which it closes.
 * Each chunk costs one `yield` here: through `yield*` of a sync generator, as until 2026-11-27, an async-from-sync
 * iterator added a promise per chunk, and the generator was large enough (2.2 KB of bytecode) that TurboFan took
 * 26-132 ms of a worker to compile it once a long stream made it hot.
 */
async function* streamOpenFile(
  openFd: number | undefined,
  path: string,
  { reuseChunks = false }: StreamOptions,
): AsyncGenerator<TraceChunk, TraceFileInfo> {
  const fd = openFd ?? openTraceFile(path);
  // chunks reused: the wasm decoder's arena unless another stream holds it (blocks decode in place there, and a plain
  // file is read into its buffers, so payloads need no copy)
  const arena = reuseChunks ? leaseColumnArena() : undefined;
  // the first read starts at once: whether the file is gzip is seen in its bytes
  const reads = new ReadAhead(fd, arena?.reads ?? [readBuffer(), readBuffer()]);
  let file: ReadStream | undefined;
  try {
    // while the first read is in flight
    expectChecksums(fd, path);
    const ready: TraceChunk[] = [];
    // twice a block: a set may be larger than the block it takes now
    const pool = reuseChunks ? new ColumnPool(2 * BLOCK_ACCESSES, arena) : undefined;
    const decoder = new TraceDecoder(
      fileLabel(path),
      nameFromPath(path),
      (chunk) => ready.push(chunk),
      undefined,
      pool?.allocate ?? unzeroedColumns,
      isBinaryPath(path),
    );
    let blocks: BlockFeeder;
    try {
      const first = await reads.next(NO_BYTES);
      if (first && isGzip(first)) {
        await reads.close();
        // a read stream closes the descriptor itself when destroyed
        file = createReadStream('', { fd, start: 0, highWaterMark: READ_BYTES });
        const gunzip = zlib.createGunzip({ chunkSize: READ_BYTES });
        // pipe leaves the file's own errors to the file: unhandled there, a failed read (EIO) ended the process
        file.once('error', (err) => gunzip.destroy(err));
        blocks = new BlockFeeder(decoder, ready, pool, true);
        for await (const bytes of file.pipe(gunzip)) {
          blocks.feed(bytes);
          for (let chunk = blocks.next(); chunk; chunk = blocks.next()) yield chunk;
        }
      } else {
        blocks = new BlockFeeder(decoder, ready, pool, false);
        for (let bytes = first; bytes; bytes = await reads.next(blocks.rest)) {
          blocks.feed(bytes);
          for (let chunk = blocks.next(); chunk; chunk = blocks.next()) yield chunk;
        }
        // an unfinished unit at the end: the decoder's finish names it
        decoder.feed(blocks.rest);
      }
    } catch (err) {
      throw readError(path, err);
    } finally {
      await reads.close();
      if (file) file.destroy();
      else closeSync(fd);
    }
    const info = decoder.finish();
    for (let chunk = blocks.next(); chunk; chunk = blocks.next()) yield chunk;
    return info;
  } finally {
    // after the last chunk (and the last read): another stream may then read and decode into the arena
    arena?.close();
  }
}

/** Whether a path asks for gzip compression: it ends in .gz, in any case. */
function isGzipPath(path: string): boolean {
  return /\.gz$/i.test(path);
}

/**
 * Saves a trace atomically: binary when the path ends in .pctrace, text otherwise;
 * a trailing .gz gzip-compresses either.
 */
export function saveTrace(trace: Trace, path: string): void {
  const encoded = isBinaryPath(path) ? encodeBinaryTrace(trace) : formatTextTrace(trace);
  writeFileAtomic(path, isGzipPath(path) ? zlib.gzipSync(encoded, { level: 9 }) : encoded);
}

/**
 * Streams a whole trace file (or the one open as `fd`) into `onChunk`, which keeps nothing of a chunk; returns what
 * the file says about itself.
 */
async function eachChunk(path: string, onChunk: (chunk: TraceChunk) => void, fd?: number): Promise<TraceFileInfo> {
  const options = { reuseChunks: true };
  const stream = fd === undefined ? streamTrace(path, options) : streamOpenFile(fd, path, options);
  for (let next = await stream.next(); ; next = await stream.next()) {
    if (next.done) return next.value;
    onChunk(next.value);
  }
}

/**
 * The summary of the file open as `fd` read from its header and trailer (a plain .pctrace of version 4), its blocks
 * unread; undefined for a gzip, text or older binary file, or a trailer that is not intact (then a full pass names
 * the damage). Closes `fd` only when it throws.
 */
function summaryOfEnds(fd: number, path: string): TraceSummary | undefined {
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.allocUnsafe(Math.min(size, MAX_HEADER_BYTES));
    const headBytes = readSync(fd, head, 0, head.length, 0);
    if (size < TRAILER_BYTES) return undefined;
    const tail = Buffer.allocUnsafe(TRAILER_BYTES);
    const tailBytes = readSync(fd, tail, 0, TRAILER_BYTES, size - TRAILER_BYTES);
    return summaryFromTrailer(head.subarray(0, headBytes), tail.subarray(0, tailBytes), fileLabel(path));
  } catch (err) {
    closeSync(fd);
    throw readError(path, err);
  }
}

/**
 * A trace file's name, page size, access count, largest page, first and last time: read off the ends of a
 * version-4 .pctrace (the blocks, read by the passes after, are checked against it), else in one pass. `file` is
 * `path`, so that a replay that finds the file changed names it.
 */
export async function summarizeTraceFile(path: string): Promise<TraceSummary> {
  const fd = openTraceFile(path);
  const known = summaryOfEnds(fd, path);
  // a largest page no VM may hold refuses the run before any block is read: the pass first tells a damaged trailer
  if (known && known.largestPage < MAX_VM_PAGES) {
    closeSync(fd);
    return { ...known, file: path };
  }
  const builder = new SummaryBuilder();
  // the same descriptor: one open per pass, as the CLI's tests count them
  const info = await eachChunk(path, (chunk) => builder.add(chunk), fd);
  return { ...builder.finish(info.name, info.pageSize), file: path };
}

/**
 * The pages of a trace file in order of first touch (FirstTouchOrder) among the accesses at or after
 * instruction `from` and from access `fromIndex` on, in one streamed pass: what the oracle and the predict
 * metrics read of the future.
 */
export async function firstTouchesOfFile(
  path: string,
  largestPage: number,
  from: number,
  fromIndex = 0,
): Promise<Uint32Array> {
  const order = new FirstTouchOrder(largestPage);
  await eachChunk(path, (chunk) =>
    order.add(chunk.page.subarray(Math.max(firstAtOrAfter(chunk.time, from), fromIndex - chunk.start))),
  );
  return order.finish();
}

/** The time of access `index` of a trace file, read up to that access only. */
export async function timeAtIndex(path: string, index: number): Promise<number> {
  for await (const chunk of streamTrace(path, { reuseChunks: true })) {
    if (index < chunk.start + chunk.page.length) return chunk.time[index - chunk.start];
  }
  throw new UserError(`${fileLabel(path)}: has no access ${index}`);
}

/**
 * A trace file's bytes piece by piece: the format's header, then each chunk encoded (binary for .pctrace, else text).
 */
async function* encodedPieces(
  path: string,
  head: TraceSummaryHead,
  chunks: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
): AsyncGenerator<Uint8Array> {
  const binary = isBinaryPath(path);
  yield binary
    ? encodeBinaryHeader(head.name, head.pageSize, head.accesses)
    : textTraceHeader(head.name, head.pageSize);
  const summary = new SummaryBuilder();
  for await (const chunk of chunks) {
    yield* binary ? encodeBinaryBlocks(chunk) : textTraceLines(chunk);
    summary.add(chunk);
  }
  const written = summary.finish(head.name, head.pageSize);
  if (written.accesses !== head.accesses)
    throw new UserError(
      `${fileLabel(path)}: ${written.accesses} accesses written, ${head.accesses} announced ` +
        '(the input changed while it was read)',
    );
  if (binary) yield encodeBinaryTrailer(written);
}

/**
 * saveTrace for a trace that arrives in chunks (generated, or streamed from another file): written
 * as it comes, never held whole, atomically. `head` gives the name, page size and access count first.
 */
export async function writeTraceStream(
  path: string,
  head: TraceSummaryHead,
  chunks: AsyncIterable<TraceChunk> | Iterable<TraceChunk>,
): Promise<void> {
  await writeStreamAtomic(path, encodedPieces(path, head, chunks), isGzipPath(path));
}

/** loadTrace through streamTrace: a .gz is gunzipped as a stream, never whole in memory beside the trace. */
export async function readTrace(path: string): Promise<Trace> {
  const builder = new TraceBuilder(undefined, unzeroedMemory);
  const info = await eachChunk(path, (chunk) => builder.append(chunk));
  return withKnownLargestPage(builder.finish(info.pageSize, info.name), info.largestPage);
}
