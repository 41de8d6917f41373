/**
 * Any trace file's bytes to accesses: sniffs the binary magic, then hands the bytes to the binary
 * decoder or the text parser. Pure (no node modules): node's file readers and the browser feed it alike.
 */
import { UserError } from '../errors';
import { concatBytes, copyBytes } from './bytes';
import { BINARY_MAGIC, BinaryTraceDecoder, isBinaryTrace } from './binary';
import type { ColumnAllocator, ColumnArena } from './packed';
import { TextTraceParser, type AccessSink } from './text';
import type { TraceChunk } from './types';

/** Accesses per chunk handed out by the text path (the binary path hands out its blocks, of at most as many). */
export const CHUNK_ACCESSES = 65536;

/** Collects single accesses into chunks of CHUNK_ACCESSES. */
export class ChunkSink implements AccessSink {
  private time = new Float64Array(CHUNK_ACCESSES);
  private page = new Uint32Array(CHUNK_ACCESSES);
  private write = new Uint8Array(CHUNK_ACCESSES);
  private filled = 0;
  private start = 0;

  constructor(private readonly onChunk: (chunk: TraceChunk) => void) {}

  push(time: number, page: number, write: number): void {
    this.time[this.filled] = time;
    this.page[this.filled] = page;
    this.write[this.filled] = write;
    if (++this.filled === CHUNK_ACCESSES) this.flush();
  }

  /** Hands out the accesses collected so far, if any. */
  flush(): void {
    if (this.filled === 0) return;
    const n = this.filled;
    this.onChunk({
      start: this.start,
      time: this.time.subarray(0, n),
      page: this.page.subarray(0, n),
      write: this.write.subarray(0, n),
    });
    this.start += n;
    this.filled = 0;
    this.time = new Float64Array(CHUNK_ACCESSES);
    this.page = new Uint32Array(CHUNK_ACCESSES);
    this.write = new Uint8Array(CHUNK_ACCESSES);
  }
}

/** A trace's default name: the file name without its format extensions. */
export function nameFromPath(path: string): string {
  return path
    .slice(path.lastIndexOf('/') + 1)
    .replace(/(\.gz)$/i, '')
    .replace(/\.(pctrace|trace|txt)$/i, '');
}

/**
 * Whether a path asks for the binary format: it ends in .pctrace (or .pctrace.gz), in any case (OUT.PCTRACE was
 * written as text: a reader takes either format, so nothing said so until the size or another tool did).
 */
export function isBinaryPath(path: string): boolean {
  return /\.pctrace(\.gz)?$/i.test(path);
}

/** What a trace file says about itself besides its accesses. */
export interface TraceFileInfo {
  name: string;
  pageSize: number;
  accesses: number;
  /** The largest page, when the file's trailer gives it (checked against every block). */
  largestPage?: number;
}

function isMagicPrefix(bytes: Uint8Array): boolean {
  return bytes.length < BINARY_MAGIC.length && bytes.every((byte, i) => byte === BINARY_MAGIC[i]);
}

/**
 * Decodes a trace file fed in chunks of bytes (already gunzipped): `feed`, then `finish`. Accesses
 * reach `onChunk` in order. `name` is the trace's name unless the file names itself.
 */
export class TraceDecoder {
  private binary: BinaryTraceDecoder | undefined;
  private text: TextTraceParser | undefined;
  private chunkSink: ChunkSink | undefined;
  private pending = new Uint8Array(0);

  /**
   * `accessSink`, when given, takes a text file's accesses one by one instead of in chunks (a
   * TraceBuilder loading the whole trace saves the copy); binary blocks always go to `onChunk`, decoded
   * into the sink's claimed views, else into `allocate`'s columns (by default fresh ones). `namedBinary`: the file's
   * name says .pctrace (isBinaryPath), so no byte at all is a damaged file, not an empty text trace.
   */
  constructor(
    private readonly fileName: string,
    private readonly name: string,
    private readonly onChunk: (chunk: TraceChunk) => void,
    private readonly accessSink?: AccessSink,
    private readonly allocate?: ColumnAllocator,
    private readonly namedBinary = false,
  ) {}

  /**
   * Decodes what `bytes` completes; returns the bytes taken: all of them, or for a binary file fewer once
   * `maxAccesses` accesses were decoded, or (unless `keepUnfinished`) without an unfinished unit at the end
   * (see BinaryTraceDecoder.feed), the rest to be fed again.
   */
  feed(bytes: Uint8Array, maxAccesses = Infinity, keepUnfinished = true): number {
    if (this.binary || this.text) return this.feedChosen(bytes, maxAccesses, keepUnfinished);
    const held = this.pending;
    const data = held.length === 0 ? bytes : concatBytes([held, bytes]);
    if (isMagicPrefix(data)) {
      if (!keepUnfinished) return 0;
      this.pending = copyBytes(data); // feeders may reuse their buffers
      return bytes.length;
    }
    this.choose(data);
    // the held bytes start the header, so they are taken before any of `bytes`
    return this.feedChosen(data, maxAccesses, keepUnfinished) - held.length;
  }

  private feedChosen(bytes: Uint8Array, maxAccesses: number, keepUnfinished: boolean): number {
    if (this.binary) return this.binary.feed(bytes, maxAccesses, keepUnfinished);
    this.text!.feed(bytes);
    return bytes.length;
  }

  finish(): TraceFileInfo {
    if (!this.binary && !this.text) {
      // the magic's first bytes and no more: a binary trace cut in its header (read as text: "page must be a ...")
      if (this.pending.length > 0) throw new UserError(`${this.fileName}: binary trace header is truncated`);
      // a .pctrace holds its header even with no access: none is a write that never happened or was cut at once
      if (this.namedBinary)
        throw new UserError(
          `${this.fileName}: empty, but a .pctrace holds its header even with no access (the file is damaged)`,
        );
      this.choose(this.pending);
      this.feedChosen(this.pending, Infinity, true);
    }
    if (this.binary) {
      this.binary.finish();
      const header = this.binary.header!;
      const largestPage = this.binary.checkedLargestPage;
      return {
        name: header.name,
        pageSize: header.pageSize,
        accesses: this.binary.accesses,
        ...(largestPage === undefined ? {} : { largestPage }),
      };
    }
    const text = this.text!;
    text.finish();
    this.chunkSink?.flush();
    return { name: text.name, pageSize: text.pageSize, accesses: text.accesses };
  }

  private choose(data: Uint8Array): void {
    if (isBinaryTrace(data)) {
      const sink = this.accessSink;
      this.binary = new BinaryTraceDecoder(
        this.fileName,
        this.onChunk,
        (header) => sink?.reserve?.(header.count),
        sink?.claim ? (count, wideTimes) => sink.claim!(count, wideTimes) : this.allocate,
      );
      return;
    }
    const sink = this.accessSink ?? (this.chunkSink = new ChunkSink(this.onChunk));
    this.text = new TextTraceParser(this.fileName, sink, this.name);
  }
}

interface ColumnSet {
  time: Uint32Array;
  wideTime: Float64Array | undefined;
  page: Uint32Array;
  write: Uint8Array;
}

/**
 * Block columns handed out again once `release`d: for readers that keep nothing of a chunk once they ask for the
 * next (summaries, statistics, first touches, copies), sparing a fresh allocation per block, whose zeroing, page
 * faults and garbage collections cost a quarter of a warmed stream's CPU. Holds as many sets as blocks were
 * decoded between two releases (a stream releases before each block), each as large as the largest block it held:
 * many small blocks hold no more than their fresh arrays would. The sets kept hold `maxHeld` accesses at most, beyond
 * which blocks get fresh columns: runs of one-access blocks each followed by blocks of constant frames (a few KB)
 * would grow a full set at every position a run ends at, one read after another (40 such runs: 415 MB peak RSS).
 */
export class ColumnPool {
  private readonly sets: ColumnSet[] = [];
  private used = 0;
  private held = 0;

  /** `arena`, when given, is where the kept sets live as long as it has room (blocks decode in place there). */
  constructor(
    private readonly maxHeld: number,
    private readonly arena?: ColumnArena,
  ) {}

  /** Accesses the sets kept can take. */
  get heldAccesses(): number {
    return this.held;
  }

  /** Every set free again: the columns handed out so far are overwritten by the next blocks. */
  release(): void {
    this.used = 0;
  }

  /** `count` values of `type` in the arena when `kept` and it has room, else in fresh memory. */
  private column<T>(
    type: new (buffer: ArrayBuffer, at: number, count: number) => T,
    size: number,
    count: number,
    kept: boolean,
  ): T {
    const at = kept ? this.arena?.take(size * count) : undefined;
    return at === undefined
      ? new type(new ArrayBuffer(size * count), 0, count)
      : new type(this.arena!.buffer, at, count);
  }

  readonly allocate: ColumnAllocator = (count, wideTimes) => {
    let set = this.sets[this.used];
    let kept = true;
    if (!set || set.page.length < count) {
      const held = this.held - (set?.page.length ?? 0) + count;
      kept = held <= this.maxHeld;
      set = {
        time: this.column(Uint32Array, 4, count, kept),
        wideTime: undefined,
        page: this.column(Uint32Array, 4, count, kept),
        write: this.column(Uint8Array, 1, count, kept),
      };
      if (kept) {
        this.sets[this.used] = set;
        this.held = held;
      }
    }
    this.used++;
    if (wideTimes && (set.wideTime?.length ?? 0) < count)
      set.wideTime = this.column(Float64Array, 8, set.page.length, kept);
    const time = wideTimes ? set.wideTime! : set.time;
    return { time: time.subarray(0, count), page: set.page.subarray(0, count), write: set.write.subarray(0, count) };
  };
}
