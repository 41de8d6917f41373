import { refuseUnknownNames, shownNumber, UserError } from '../errors';
import { columnsOn, type DecodedColumns } from './packed';
import {
  compactTimes,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE,
  needsWideTimes,
  type TimeColumn,
  type Trace,
  type TraceChunk,
} from './types';

/**
 * Most accesses TraceBuilder.reserve makes room for at once when the whole count cannot be had (2^25, 288 MiB of
 * columns): from there the columns grow by doubling.
 */
const FALLBACK_UPFRONT_ACCESSES = 2 ** 25;

export interface TraceColumns {
  /** Instruction clock per access; defaults to the access index (0, 1, 2, ...). */
  time?: ArrayLike<number>;
  page: ArrayLike<number>;
  /** 1 (or any non-zero) = write; defaults to all reads. */
  write?: ArrayLike<number>;
}

export interface TraceMeta {
  pageSize?: number;
  name?: string;
}

/** TraceColumns' and TraceMeta's names (the compiler keeps them whole): a misspelt one ({ pages }) is refused. */
const COLUMN_NAMES = Object.keys({ time: true, page: true, write: true } satisfies Record<keyof TraceColumns, true>);
const META_NAMES = Object.keys({ pageSize: true, name: true } satisfies Record<keyof TraceMeta, true>);

/** Largest page size: 1 GiB, the largest huge page there is. */
export const MAX_PAGE_SIZE = 2 ** 30;

/**
 * Checks a page size: a positive power of two (pages are aligned blocks of memory), at most MAX_PAGE_SIZE. `name` is
 * what the message calls it: the command line's flag where the user typed one.
 */
export function checkPageSize(pageSize: number, name = 'page size'): number {
  if (!Number.isSafeInteger(pageSize) || pageSize <= 0 || (pageSize & (pageSize - 1)) !== 0) {
    throw new UserError(`${name} must be a positive power of two, got ${pageSize}`);
  }
  if (pageSize > MAX_PAGE_SIZE)
    throw new UserError(`${name} must be at most ${MAX_PAGE_SIZE} (1 GiB), got ${pageSize}`);
  return pageSize;
}

/**
 * Builds a validated Trace from columns: every page a whole number in [0, 2^32), every time a
 * whole number in [0, 2^53) and non-decreasing, all columns the same length.
 */
export function makeTrace(cols: TraceColumns, opts: TraceMeta = {}): Trace {
  // ignored: { writes } made a trace of reads, { pagesize } one of 4 KiB pages, without a word
  refuseUnknownNames(cols, COLUMN_NAMES, 'trace column');
  refuseUnknownNames(opts, META_NAMES, 'trace setting');
  const n = cols.page.length;
  if (cols.time && cols.time.length !== n)
    throw new UserError(`time has ${cols.time.length} entries but page has ${n}`);
  if (cols.write && cols.write.length !== n)
    throw new UserError(`write has ${cols.write.length} entries but page has ${n}`);
  const time = new Float64Array(n);
  const page = new Uint32Array(n);
  const write = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = cols.page[i];
    if (!Number.isInteger(p) || p < 0 || p > MAX_PAGE)
      throw new UserError(`access ${i}: page must be a whole number in [0, ${MAX_PAGE}], got ${shownNumber(p)}`);
    const t = cols.time ? cols.time[i] : i;
    if (!Number.isSafeInteger(t) || t < 0)
      throw new UserError(`access ${i}: time must be a whole number >= 0, got ${shownNumber(t)}`);
    if (i > 0 && t < time[i - 1])
      throw new UserError(`access ${i}: time ${t} is before the previous access's time ${time[i - 1]}`);
    time[i] = t;
    page[i] = p;
    write[i] = cols.write && cols.write[i] ? 1 : 0;
  }
  return {
    time: compactTimes(time),
    page,
    write,
    pageSize: checkPageSize(opts.pageSize ?? DEFAULT_PAGE_SIZE),
    name: opts.name ?? 'trace',
  };
}

/**
 * Appends accesses to growing typed-array columns (doubling), for readers that do not know
 * the length in advance. Callers validate values; `finish` trims to the used length.
 */
export class TraceBuilder {
  /** Uint32 until a time needs more (then Float64 from there on): compact storage for the usual traces. */
  private time: TimeColumn;
  private page: Uint32Array;
  private write: Uint8Array;
  length = 0;
  private announced = 0;

  /**
   * `expected` accesses are allocated at once (no doubling) when known. `memory` gives the columns' memory:
   * zeroed by default; node's file readers pass memory not zeroed first (every access is written before `finish`
   * hands it out, and room past the last is cut off there), sparing the allocator a memset of reused memory.
   */
  constructor(
    expected = 1024,
    private readonly memory: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
  ) {
    ({ time: this.time, page: this.page, write: this.write } = columnsOn(Math.max(1, expected), false, memory));
  }

  push(time: number, page: number, write: number): void {
    this.makeRoom(1, needsWideTimes(time));
    this.time[this.length] = time;
    this.page[this.length] = page;
    this.write[this.length] = write;
    this.length++;
  }

  /**
   * The number of accesses announced (a binary file's header): room for all of them is made at once (growing by
   * doubling cost a sixth of loading a .pctrace, and past 2^25 accesses a copy of the columns and half as much
   * memory again at its peak), and growth stops exactly at the count, so that `finish` need not copy to trim.
   * Room costs address space only until accesses fill it (the system hands out zeroed pages as they are first
   * written), so a damaged header's count costs nothing real; one too large to have at all (refused with a
   * RangeError) gets 2^25 accesses' room, then doubling.
   */
  reserve(accesses: number): void {
    this.announced = accesses;
    if (accesses <= this.page.length) return;
    try {
      this.resize(accesses);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      if (FALLBACK_UPFRONT_ACCESSES > this.page.length) this.resize(FALLBACK_UPFRONT_ACCESSES);
    }
  }

  /**
   * Room for the next `count` accesses, as views of the columns where they will go (times widened first
   * when `wideTimes`): a decoder writes there, and `append` of those views only counts them.
   */
  claim(count: number, wideTimes: boolean): DecodedColumns {
    this.makeRoom(count, wideTimes);
    const end = this.length + count;
    return {
      time: this.time.subarray(this.length, end),
      page: this.page.subarray(this.length, end),
      write: this.write.subarray(this.length, end),
    };
  }

  /** Appends a decoded chunk (its accesses already validated by the decoder). */
  append(chunk: TraceChunk): void {
    const n = chunk.page.length;
    if (chunk.page.buffer === this.page.buffer && chunk.page.byteOffset === this.length * 4) {
      this.length += n; // decoded in place, into views from claim
      return;
    }
    this.makeRoom(n, n > 0 && needsWideTimes(chunk.time[n - 1]));
    this.time.set(chunk.time, this.length);
    this.page.set(chunk.page, this.length);
    this.write.set(chunk.write, this.length);
    this.length += n;
  }

  finish(pageSize: number, name: string): Trace {
    const n = this.length;
    const trim = <T extends TimeColumn | Uint8Array>(column: T) =>
      column.length === n ? column : (column.slice(0, n) as T);
    return {
      time: trim(this.time),
      page: trim(this.page),
      write: trim(this.write),
      pageSize: checkPageSize(pageSize),
      name,
    };
  }

  /** Room for `count` more accesses, the time column widened first when `wideTimes` (a time of 2^32 or more). */
  private makeRoom(count: number, wideTimes: boolean): void {
    while (this.length + count > this.page.length) this.grow();
    if (wideTimes && this.time instanceof Uint32Array) this.widenTimes();
  }

  private grow(): void {
    const doubled = this.page.length * 2;
    this.resize(this.announced > this.page.length && this.announced < doubled ? this.announced : doubled);
  }

  private resize(size: number): void {
    const { time, page, write } = columnsOn(size, this.time instanceof Float64Array, this.memory);
    time.set(this.time);
    page.set(this.page);
    write.set(this.write);
    this.time = time;
    this.page = page;
    this.write = write;
  }

  /** The first time of 2^32 or more: the time column becomes Float64 (what is there is copied). */
  private widenTimes(): void {
    const wide = new Float64Array(this.memory(this.time.length * 8), 0, this.time.length);
    wide.set(this.time);
    this.time = wide;
  }
}
