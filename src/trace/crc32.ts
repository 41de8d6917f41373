/**
 * CRC-32 (zlib's polynomial) for the binary format's checksums, behind one seam: the pure
 * `crc-32` package by default, so the browser bundle computes the same sums; node-only code
 * installs node's native zlib.crc32, about four times faster, through `useCrc32`.
 */
import { buf } from 'crc-32';

type Crc32 = (bytes: Uint8Array, previous: number) => number;

let implementation: Crc32 = (bytes, previous) => buf(bytes, previous) >>> 0;

/** Unsigned CRC-32 of `bytes`, continuing from the CRC of the bytes before them (`previous`, default none). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return implementation(bytes, previous);
}

/** Switches to another implementation with the same results (node's zlib.crc32); tests compare the two. */
export function useCrc32(fn: Crc32): void {
  implementation = fn;
}
