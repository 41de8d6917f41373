/**
 * Per-page arrays handed from one simulation to the next. Every run needs a few arrays of the VM's size (arrival
 * times, touched and predicted flags: 10 bytes per page, 2.5 MB for a 1 GiB VM), and a sweep runs thousands of short
 * runs: new ones each time cost the operating system's fresh pages and V8 a full collection whenever enough
 * external memory has come and gone (notebook 04's sweep: 1.5-2 of 8-10 CPU s). A run takes its arrays here, filled
 * as new ones would be, and gives them back when it is done; only arrays up to MAX_ARRAY_BYTES are kept, at most
 * MAX_KEPT_BYTES in all (per thread).
 */

const MAX_ARRAY_BYTES = 8 * 2 ** 20;
const MAX_KEPT_BYTES = 8 * 2 ** 20;

type PageArray = Float64Array | Uint8Array;

/** Arrays given back, oldest first. */
const kept: PageArray[] = [];
let keptBytes = 0;

function take<T extends PageArray>(type: new (length: number) => T, length: number): T {
  const at = kept.findIndex((a) => a instanceof type && a.length === length);
  if (at < 0) return new type(length);
  const [array] = kept.splice(at, 1);
  keptBytes -= array.byteLength;
  return array as T;
}

/** A Float64Array of `length` elements, each `value`. */
export function float64PageArray(length: number, value: number): Float64Array {
  return take(Float64Array, length).fill(value);
}

/** A Uint8Array of `length` zeros. */
export function uint8PageArray(length: number): Uint8Array {
  return take(Uint8Array, length).fill(0);
}

/** Gives arrays back for later runs: the caller must not use them again. */
export function giveBackPageArrays(...arrays: PageArray[]): void {
  for (const array of arrays) {
    if (array.byteLength > MAX_ARRAY_BYTES || kept.includes(array)) continue;
    kept.push(array);
    keptBytes += array.byteLength;
  }
  while (keptBytes > MAX_KEPT_BYTES) keptBytes -= kept.shift()!.byteLength;
}

/** How many arrays are kept now (tests). */
export function keptPageArrays(): number {
  return kept.length;
}
