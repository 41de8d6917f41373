/**
 * CRC-32 (zlib's polynomial) for the binary format's checksums, behind one seam: the pure
 * `crc-32` package by default, so the browser bundle computes the same sums; node-only code
 * installs node's native zlib.crc32, about four times faster, through `useCrc32`.
 */
import { buf } from 'crc-32';

export type Crc32 = (bytes: Uint8Array, previous: number) => number;

let implementation: Crc32 = (bytes, previous) => buf(bytes, previous) >>> 0;

/** Unsigned CRC-32 of `bytes`, continuing from the CRC of the bytes before them (`previous`, default none). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return implementation(bytes, previous);
}

/** Switches to another implementation with the same results (node's zlib.crc32); tests compare the two. */
export function useCrc32(fn: Crc32): void {
  implementation = fn;
}

/**
 * `first` until it has summed more than `bytes` bytes, then the implementation `later` gives (asked once, only
 * then; `first` stays if it gives none): a faster one whose cost to load pays only once enough bytes are checked.
 */
export function switchingAfter(bytes: number, first: Crc32, later: () => Crc32 | undefined): Crc32 {
  let summed = 0;
  let current: Crc32 = (data, previous) => {
    summed += data.length;
    if (summed > bytes) current = later() ?? first;
    return first(data, previous);
  };
  return (data, previous) => current(data, previous);
}
