/**
 * A page-access trace: column-oriented typed arrays, never one object per access.
 * Access i happened when the VM had executed `time[i]` instructions (non-decreasing),
 * touched guest page frame `page[i]`, and wrote it when `write[i] === 1`.
 */
export interface Trace {
  /** VM progress clock in instructions. Float64 keeps integers exact up to 2^53 (> 2^32). */
  readonly time: Float64Array;
  /** Guest page frame number. */
  readonly page: Uint32Array;
  /** 1 = write, 0 = read. */
  readonly write: Uint8Array;
  /** Page size in bytes (default 4096). */
  readonly pageSize: number;
  /** Human-readable name (file or generator), used in reports. */
  readonly name: string;
}

export const DEFAULT_PAGE_SIZE = 4096;

/** Largest page number among `page`, or -1 when there is none (a VM needs largest + 1 pages). */
export function largestPage(page: Uint32Array): number {
  let max = -1;
  for (let i = 0; i < page.length; i++) if (page[i] > max) max = page[i];
  return max;
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
  readonly time: Float64Array;
  readonly page: Uint32Array;
  readonly write: Uint8Array;
}

/** Largest page frame number a trace can hold (Uint32Array). */
export const MAX_PAGE = 0xffffffff;
