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

/** Number of accesses in a trace. */
export function traceLength(trace: Trace): number {
  return trace.page.length;
}
