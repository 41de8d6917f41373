/**
 * Per-page arrays handed from one simulation to the next (util/array-pool.ts). Every run needs a few arrays of the
 * VM's size (arrival times, touched and predicted flags: 10 bytes per page, 2.5 MB for a 1 GiB VM), and a sweep
 * runs thousands of short runs (notebook 04's sweep: new arrays per run cost 1.5-2 of 8-10 CPU s). A run takes its
 * arrays here, filled as new ones would be, and gives them back when it is done; only arrays up to 8 MiB are kept,
 * at most 8 MiB in all (per thread).
 */
import { ArrayPool } from '../util/array-pool';

const pool = new ArrayPool(8 * 2 ** 20, 8 * 2 ** 20);

/** A Float64Array of `length` elements, each `value`. */
export function float64PageArray(length: number, value: number): Float64Array {
  return pool.take(Float64Array, length).fill(value);
}

/** A Uint8Array of `length` zeros. */
export function uint8PageArray(length: number): Uint8Array {
  return pool.take(Uint8Array, length).fill(0);
}

/** Gives arrays back for later runs: the caller must not use them again. */
export function giveBackPageArrays(...arrays: (Float64Array | Uint8Array)[]): void {
  pool.giveBack(...arrays);
}

/** How many arrays are kept now (tests). */
export function keptPageArrays(): number {
  return pool.size;
}
