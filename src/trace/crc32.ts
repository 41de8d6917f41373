/**
 * CRC-32 (zlib's polynomial) for the binary format's checksums, behind one seam: the pure
 * `crc-32` package by default, so the browser bundle computes the same sums; node-only code
 * installs node's native zlib.crc32, about four times faster, through `useCrc32`.
 */
import { buf } from 'crc-32';

export type Crc32 = (bytes: Uint8Array, previous: number) => number;

/** A CRC-32 that can be told how many bytes are coming, so that it can get ready for them (see switchingAfter). */
export type ExpectingCrc32 = Crc32 & { expect(bytes: number): void };

let implementation: Crc32 = (bytes, previous) => buf(bytes, previous) >>> 0;
let expected: (bytes: number) => void = () => {};

/** Unsigned CRC-32 of `bytes`, continuing from the CRC of the bytes before them (`previous`, default none). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return implementation(bytes, previous);
}

/** Switches to another implementation with the same results (node's zlib.crc32); tests compare the two. */
export function useCrc32(fn: Crc32 | ExpectingCrc32): void {
  implementation = fn;
  expected = 'expect' in fn ? fn.expect : () => {};
}

/** Tells the CRC-32 in use that about `bytes` bytes (a file's size) are about to be checked. */
export function expectCrc32Bytes(bytes: number): void {
  expected(bytes);
}

/**
 * `first` until it has summed more than `bytes` bytes, then the implementation `later` gives (asked once, only
 * then; `first` stays if it gives none): a faster one whose cost to load pays only once enough bytes are checked.
 * Told (`expect`) that more than `bytes` bytes in all are coming, it switches at once: a large file's first bytes
 * need not go through `first`, and a stream can load `later` while its first read is in flight.
 */
export function switchingAfter(bytes: number, first: Crc32, later: () => Crc32 | undefined): ExpectingCrc32 {
  let summed = 0;
  let switched = false;
  const switchNow = () => {
    switched = true;
    current = later() ?? first;
  };
  let current: Crc32 = (data, previous) => {
    summed += data.length;
    if (summed > bytes) switchNow();
    return first(data, previous);
  };
  return Object.assign((data: Uint8Array, previous: number) => current(data, previous), {
    expect(coming: number) {
      if (!switched && summed + coming > bytes) switchNow();
    },
  });
}
