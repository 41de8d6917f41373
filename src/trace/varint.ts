/**
 * The payload of a version-1 or version-2 `.pctrace` block (read only; version 3 writes packed.ts):
 * per access two unsigned LEB128 varints, time - previous time, then zigzag(page - previous page) * 2 + write,
 * where "previous" restarts at (time 0, page 0) in every block. Pure (no node modules).
 */
import { MAX_PAGE } from './types';
import type { DecodedColumns } from './packed';

/** Widest access: 8-byte time delta (< 2^53 needs 8 varint bytes) + 5-byte page/write field. */
export const MAX_VARINT_ACCESS_BYTES = 13;

const TRUNCATED = -1;
const TOO_LONG = -2;
/** Where the last readVarint stopped: a module variable, so that the decoding loop allocates nothing. */
let varintEnd = 0;

/** The unsigned LEB128 varint at payload[pos] (at most 8 bytes), or TRUNCATED / TOO_LONG; sets varintEnd. */
function readVarint(payload: Uint8Array, pos: number): number {
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 8; k++) {
    if (pos + k >= payload.length) return TRUNCATED;
    const byte = payload[pos + k];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      varintEnd = pos + k + 1;
      return value;
    }
    scale *= 0x80;
  }
  return TOO_LONG;
}

/**
 * Decodes a varint payload of `n` accesses; `fail(access, reason)` reports damage at the block's access
 * `access` (it throws), `fail(-1, reason)` damage of the block as a whole.
 */
export function decodeVarintPayload(
  payload: Uint8Array,
  n: number,
  fail: (access: number, reason: string) => never,
): DecodedColumns {
  const times = new Float64Array(n);
  const pages = new Uint32Array(n);
  const writes = new Uint8Array(n);
  let pos = 0;
  let time = 0;
  let page = 0;
  for (let i = 0; i < n; i++) {
    const delta = readVarint(payload, pos);
    if (delta < 0) badVarint(i, delta, fail);
    const field = readVarint(payload, varintEnd);
    if (field < 0) badVarint(i, field, fail);
    pos = varintEnd;
    time += delta;
    const zigzag = Math.floor(field / 2);
    page += zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    if (!Number.isSafeInteger(time)) fail(i, 'time exceeds 2^53');
    if (page < 0 || page > MAX_PAGE) fail(i, `page ${page} is out of range`);
    times[i] = time;
    pages[i] = page;
    writes[i] = field % 2;
  }
  if (pos !== payload.length) fail(-1, `block has ${payload.length - pos} bytes after its last access`);
  return { time: times, page: pages, write: writes };
}

function badVarint(access: number, code: number, fail: (access: number, reason: string) => never): never {
  return fail(access, code === TRUNCATED ? 'block payload ends inside an access' : 'varint longer than 8 bytes');
}
