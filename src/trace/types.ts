/**
 * A page-access trace: column-oriented typed arrays, never one object per access.
 * Access i happened when the VM had executed `time[i]` instructions (non-decreasing),
 * touched guest page frame `page[i]`, and wrote it when `write[i] === 1`.
 */
export interface Trace {
  /** VM progress clock in instructions (see TimeColumn). */
  readonly time: TimeColumn;
  /** Guest page frame number. */
  readonly page: Uint32Array;
  /** 1 = write, 0 = read. */
  readonly write: Uint8Array;
  /** Page size in bytes (default 4096). */
  readonly pageSize: number;
  /** Human-readable name (file or generator), used in reports. */
  readonly name: string;
}

/**
 * Instruction counts: 4 bytes each while every one is below 2^32 (compactTimes), else Float64, which
 * keeps whole numbers exact up to 2^53. Both read the same (`time[i]` is a number).
 */
export type TimeColumn = Uint32Array | Float64Array;

/** Largest time a Uint32Array time column holds. */
const MAX_COMPACT_TIME = 0xffffffff;

/** The compact column for non-decreasing `time` (a copy as Uint32Array when its last value fits), else `time`. */
export function compactTimes(time: TimeColumn): TimeColumn {
  if (time instanceof Uint32Array || (time.length > 0 && time[time.length - 1] > MAX_COMPACT_TIME)) return time;
  return Uint32Array.from(time);
}

/** Whether a time needs the Float64 column. */
export function needsWideTimes(time: number): boolean {
  return time > MAX_COMPACT_TIME;
}

export const DEFAULT_PAGE_SIZE = 4096;

/**
 * Per page array already scanned: its largest page, and an index where it is (-1 until asked again: found then, once).
 * The largest page lowered in place (a trace edited between runs) is seen by reading that index; one raised past it
 * in place is not (simulate names it: 'changed in place'), so a caller that raises pages must pass a copy (README
 * "Notebooks interactively"), except to a sweep, whose batches read their traces afresh (forgetLargestPages).
 */
const largestOf = new WeakMap<Uint32Array, { largest: number; at: number }>();

/**
 * Forgets what largestPage remembered of `pages`: a sweep's batch hashes its traces afresh (job-results.ts: a trace
 * changed in place between sweeps is another trace), and its runs must size the VM from the pages as they are now.
 */
export function forgetLargestPages(pages: Iterable<Uint32Array>): void {
  for (const page of pages) largestOf.delete(page);
}

/** Records `largest` as the largest page of `page`, known without a scan (a file's trailer, checked). */
export function rememberLargestPage(page: Uint32Array, largest: number): void {
  largestOf.set(page, { largest, at: -1 });
}

/**
 * Largest page number among `page`, or -1 when there is none (a VM needs largest + 1 pages).
 * Remembered per array: every simulation of a trace asks, and the scan costs as much as a replay. A remembered one
 * is checked where it was (one read; the first time, a search up to it), and scanned again once it is not there.
 */
export function largestPage(page: Uint32Array): number {
  const known = largestOf.get(page);
  if (known !== undefined) {
    if (known.largest < 0) return known.largest; // no page: a typed array's length does not change
    if (known.at < 0) known.at = page.indexOf(known.largest);
    if (page[known.at] === known.largest) return known.largest;
  }
  const max = largestIn(page, 0, page.length, -1);
  largestOf.set(page, { largest: max, at: -1 });
  return max;
}

/** The largest of `above` and values[from, to), scanned (not remembered). */
export function largestIn(values: Uint32Array, from: number, to: number, above: number): number {
  // four running maxima, so that their compares overlap: 1.75x the speed of one (a streamed summary scans every chunk)
  let a = above;
  let b = above;
  let c = above;
  let d = above;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    if (values[i] > a) a = values[i];
    if (values[i + 1] > b) b = values[i + 1];
    if (values[i + 2] > c) c = values[i + 2];
    if (values[i + 3] > d) d = values[i + 3];
  }
  for (; i < to; i++) if (values[i] > a) a = values[i];
  return Math.max(a, b, c, d);
}

/** Number of accesses in a trace. */
export function traceLength(trace: Trace): number {
  return trace.page.length;
}

/**
 * A run of consecutive accesses delivered by a streaming reader. `start` is the index of the
 * chunk's first access within the whole trace; the arrays are owned by the consumer.
 */
export interface TraceChunk {
  readonly start: number;
  readonly time: TimeColumn;
  readonly page: Uint32Array;
  readonly write: Uint8Array;
}

/** Largest page frame number a trace can hold (Uint32Array). */
export const MAX_PAGE = 0xffffffff;

/** What a writer needs before the first access: a binary file's header. */
export interface TraceSummaryHead {
  readonly name: string;
  readonly pageSize: number;
  readonly accesses: number;
}

/** What is known of a trace before replaying it: read off its arrays, or from a first pass over a file. */
export interface TraceSummary extends TraceSummaryHead {
  /** Largest page number, -1 when there is no access. */
  readonly largestPage: number;
  /** Time of the first and of the last access (0 when there is none). */
  readonly firstTime: number;
  readonly lastTime: number;
  /** The file it was read from (summarizeTraceFile), for messages: a trace's own name does not say which file. */
  readonly file?: string;
}

/** Accumulates a TraceSummary over the chunks of one pass, in order. */
export class SummaryBuilder {
  private accesses = 0;
  private largest = -1;
  private firstTime = 0;
  private lastTime = 0;

  add(chunk: TraceChunk): void {
    const n = chunk.page.length;
    if (n === 0) return;
    if (this.accesses === 0) this.firstTime = chunk.time[0];
    // scanned, not remembered: a stream's chunks may reuse one array (a column pool, a writer's caller)
    this.largest = largestIn(chunk.page, 0, n, this.largest);
    this.lastTime = chunk.time[n - 1];
    this.accesses += n;
  }

  finish(name: string, pageSize: number): TraceSummary {
    return {
      name,
      pageSize,
      accesses: this.accesses,
      largestPage: this.largest,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
    };
  }
}

/** The whole trace as one chunk (views, no copy). */
export function wholeTraceChunk(trace: Trace): TraceChunk {
  return { start: 0, time: trace.time, page: trace.page, write: trace.write };
}

/** A trace's summary; its largest page is remembered for its page array (largestPage). */
export function summarizeTrace(trace: Trace): TraceSummary {
  const n = trace.page.length;
  return {
    name: trace.name,
    pageSize: trace.pageSize,
    accesses: n,
    largestPage: largestPage(trace.page),
    firstTime: n === 0 ? 0 : trace.time[0],
    lastTime: n === 0 ? 0 : trace.time[n - 1],
  };
}
