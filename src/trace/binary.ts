/**
 * Binary trace format `.pctrace`, version 3 (all integers little-endian):
 *   header: 8 bytes magic "PCTRACE" + 0x1a | u16 version = 3 | u16 flags = 0 | u32 page size
 *           | u64 access count | u32 name length | name (UTF-8) | u32 CRC-32 of the header bytes before it
 *           | zero bytes up to a multiple of 4 (so that blocks, and their 32-bit words, start aligned)
 *   blocks: u32 access count (1..65536) | u32 payload bytes | u32 CRC-32 of the two fields and the payload | payload
 *   payload: the block's times, pages and writes as bit-packed frames (packed.ts).
 * The file ends right after the last block; block counts must add up to the header's count.
 * Versions 1 and 2 (payload: varints per access, varint.ts; version 1 without the CRC fields and the padding)
 * are still read.
 *
 * Pure (no node modules): the browser bundle decodes with it too. The CRC-32 is zlib's (IEEE 802.3).
 */
import { UserError } from '../errors';
import { concatBytes, copyBytes } from './bytes';
import { checkPageSize, TraceBuilder } from './make';
import { type Trace, type TraceChunk } from './types';
import { crc32 } from './crc32';
import {
  ByteWriter,
  decodePackedPayload,
  encodePackedPayload,
  type AccessColumns,
  type ColumnAllocator,
} from './packed';
import { decodeVarintPayload, MAX_VARINT_ACCESS_BYTES } from './varint';

export const BINARY_MAGIC = Uint8Array.from([0x50, 0x43, 0x54, 0x52, 0x41, 0x43, 0x45, 0x1a]);
export const BINARY_VERSION = 3;
/** Versions this reader decodes: 1 (varints, no checksums), 2 (varints) and 3 (packed frames). */
const READABLE_VERSIONS = [1, 2, 3];
export const BLOCK_ACCESSES = 65536;
const HEADER_FIXED_BYTES = 28;
const CRC_BYTES = 4;
const MAX_NAME_BYTES = 65536;
/** Most bytes a version-3 payload can take per access (53 + 32 + 1 bits) and per block (starts, frames, padding). */
const MAX_PACKED_ACCESS_BYTES = 11;
const MAX_PACKED_BLOCK_OVERHEAD = 3 * (8 + 9 * (BLOCK_ACCESSES / 1024) + 3 + 8);

export interface BinaryHeader {
  version: number;
  pageSize: number;
  count: number;
  name: string;
  /** Bytes taken by the header: blocks start here. */
  bytes: number;
}

export function isBinaryTrace(data: Uint8Array): boolean {
  return data.length >= BINARY_MAGIC.length && BINARY_MAGIC.every((byte, i) => data[i] === byte);
}

export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Bytes of a header with a name of `nameBytes` bytes: version 3 pads it to a multiple of 4. */
function headerBytes(version: number, nameBytes: number): number {
  const unpadded = HEADER_FIXED_BYTES + nameBytes + (version >= 2 ? CRC_BYTES : 0);
  return version >= 3 ? (unpadded + 3) & ~3 : unpadded;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The header of a trace of `count` accesses. */
export function encodeBinaryHeader(name: string, pageSize: number, count: number): Uint8Array {
  const nameBytes = utf8Encoder.encode(name).subarray(0, MAX_NAME_BYTES);
  const crcAt = HEADER_FIXED_BYTES + nameBytes.length;
  const out = new Uint8Array(headerBytes(BINARY_VERSION, nameBytes.length));
  const v = view(out);
  out.set(BINARY_MAGIC, 0);
  v.setUint16(8, BINARY_VERSION, true);
  v.setUint16(10, 0, true);
  v.setUint32(12, pageSize, true);
  v.setBigUint64(16, BigInt(count), true);
  v.setUint32(24, nameBytes.length, true);
  out.set(nameBytes, HEADER_FIXED_BYTES);
  v.setUint32(crcAt, crc32(out.subarray(0, crcAt)), true);
  return out;
}

/** Accesses [from, to) as blocks of at most BLOCK_ACCESSES each, one piece per block. */
export function* encodeBinaryBlocks(columns: AccessColumns, from = 0, to = columns.page.length): Generator<Uint8Array> {
  for (let start = from; start < to; start += BLOCK_ACCESSES) {
    const end = Math.min(to, start + BLOCK_ACCESSES);
    const out = new ByteWriter();
    out.length = 12;
    encodePackedPayload(out, columns, start, end);
    const block = out.result();
    const v = view(block);
    v.setUint32(0, end - start, true);
    v.setUint32(4, block.length - 12, true);
    v.setUint32(8, crc32(block.subarray(12), crc32(block.subarray(0, 8))), true);
    yield block;
  }
}

/** Encodes a whole trace in the binary format (the current version). */
export function encodeBinaryTrace(trace: Trace): Uint8Array {
  return concatBytes([encodeBinaryHeader(trace.name, trace.pageSize, trace.page.length), ...encodeBinaryBlocks(trace)]);
}

/**
 * Streaming decoder: `feed` it a binary trace's bytes in any chunking, then `finish`. Each block
 * becomes one TraceChunk handed to `onChunk`, so memory stays at one block whatever the file size.
 * Damage (bad magic, unknown version, checksum mismatch, truncation, excess bytes, decreasing time)
 * is a one-line UserError naming the file and the block or byte offset.
 */
export class BinaryTraceDecoder {
  header: BinaryHeader | undefined;
  /** Accesses decoded so far. */
  accesses = 0;
  /** The bytes of a unit (header or block) whose end has not come yet: a copy, so feeders may reuse their buffers. */
  private pending = new Uint8Array(0);
  /** Bytes needed before the next unit (header or block) can be decoded. */
  private need = HEADER_FIXED_BYTES;
  /** File offset of the next unit, for error positions. */
  private offset = 0;
  private blocks = 0;
  private lastTime = 0;

  /**
   * `onHeader`, when given, learns the header as soon as it is read (before the first chunk); `allocate`
   * says where version-3 blocks decode (fresh arrays by default).
   */
  constructor(
    private readonly fileName: string,
    private readonly onChunk: (chunk: TraceChunk) => void,
    private readonly onHeader?: (header: BinaryHeader) => void,
    private readonly allocate?: ColumnAllocator,
  ) {}

  /**
   * Decodes what `bytes` completes, in order; returns the bytes taken: all of them (an unfinished unit is kept),
   * or fewer once `maxAccesses` accesses were decoded in this call, the rest to be fed again. A stream handing out
   * chunks as they come so holds about that many: one read of tiny blocks can hold hundreds.
   */
  feed(bytes: Uint8Array, maxAccesses = Infinity): number {
    const limit = this.accesses + maxAccesses;
    let at = 0;
    // first the unit begun in an earlier piece: completed with a copy of its own bytes, not the whole piece
    while (this.pending.length > 0) {
      if (at === bytes.length) return at;
      const take = Math.min(bytes.length - at, this.need - this.pending.length);
      this.pending = concatBytes([this.pending, bytes.subarray(at, at + take)]);
      at += take;
      if (this.pending.length === this.need)
        this.pending = this.pending.subarray(this.decodeUnits(this.pending, 0, Infinity));
    }
    at += this.decodeUnits(bytes, at, limit);
    if (this.accesses >= limit) return at;
    if (at < bytes.length) this.pending = copyBytes(bytes.subarray(at));
    return bytes.length;
  }

  /** Decodes the whole units (header or blocks) at data[at..] until `limit` accesses; returns the bytes they took. */
  private decodeUnits(data: Uint8Array, at: number, limit: number): number {
    let used = 0;
    while (this.accesses < limit) {
      const unit = this.header ? this.block(data, at + used) : this.parseHeader(data, at + used);
      if (unit === 0) break;
      used += unit;
      this.offset += unit;
    }
    return used;
  }

  finish(): void {
    if (!this.header) throw new UserError(`${this.fileName}: binary trace header is truncated`);
    if (this.pending.length > 0) throw new UserError(`${this.where()}: truncated block`);
    if (this.accesses !== this.header.count) {
      throw new UserError(
        `${this.fileName}: truncated: header promises ${this.header.count} accesses, blocks hold ${this.accesses}`,
      );
    }
  }

  private where(): string {
    return `${this.fileName}: block ${this.blocks + 1} (byte ${this.offset})`;
  }

  /** Decodes the header at data[at..] and returns its length, or 0 (setting `need`) when more bytes are needed. */
  private parseHeader(data: Uint8Array, at: number): number {
    const fail = (reason: string): never => {
      throw new UserError(`${this.fileName}: ${reason}`);
    };
    const available = data.length - at;
    if (available < HEADER_FIXED_BYTES) return this.wait(HEADER_FIXED_BYTES);
    const bytes = data.subarray(at);
    if (!isBinaryTrace(bytes)) fail('not a postcopy-lab binary trace (bad magic)');
    const v = view(bytes);
    const version = v.getUint16(8, true);
    if (!READABLE_VERSIONS.includes(version)) {
      fail(
        `binary trace version ${version} is not supported (this reader knows versions ${READABLE_VERSIONS.join(', ').replace(/, (\d+)$/, ' and $1')})`,
      );
    }
    const nameBytes = v.getUint32(24, true);
    if (nameBytes > MAX_NAME_BYTES) fail(`trace name of ${nameBytes} bytes is too long`);
    const size = headerBytes(version, nameBytes);
    if (available < size) return this.wait(size);
    const crcAt = HEADER_FIXED_BYTES + nameBytes;
    if (version >= 2 && v.getUint32(crcAt, true) !== crc32(bytes.subarray(0, crcAt)))
      fail('header checksum mismatch (the file is damaged)');
    if (bytes.subarray(crcAt + CRC_BYTES, size).some((byte) => byte !== 0)) fail('header padding is not zero');
    const flags = v.getUint16(10, true);
    if (flags !== 0) fail(`unknown binary trace flags ${flags}`);
    const count = Number(v.getBigUint64(16, true));
    if (!Number.isSafeInteger(count)) fail(`access count ${count} is too large`);
    let pageSize = 0;
    try {
      pageSize = checkPageSize(v.getUint32(12, true));
    } catch (err) {
      fail((err as Error).message);
    }
    const name = utf8Decoder.decode(bytes.subarray(HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + nameBytes));
    this.header = { version, pageSize, count, name, bytes: size };
    this.onHeader?.(this.header);
    this.need = this.blockHeaderBytes();
    return size;
  }

  private blockHeaderBytes(): number {
    return this.header && this.header.version >= 2 ? 12 : 8;
  }

  private wait(bytes: number): number {
    this.need = bytes;
    return 0;
  }

  /** Decodes the block at data[at..] into a chunk and returns its length, or 0 (setting `need`) when more bytes are needed. */
  private block(data: Uint8Array, at: number): number {
    const header = this.header as BinaryHeader;
    const headerBytes = this.blockHeaderBytes();
    if (data.length - at < headerBytes) return this.wait(headerBytes);
    const v = view(data.subarray(at, at + headerBytes));
    const count = v.getUint32(0, true);
    const bytes = v.getUint32(4, true);
    if (count < 1 || count > BLOCK_ACCESSES)
      throw new UserError(`${this.where()}: block access count ${count} is not in [1, ${BLOCK_ACCESSES}]`);
    const packed = header.version >= 3;
    const fits = packed
      ? bytes % 4 === 0 && bytes <= MAX_PACKED_ACCESS_BYTES * count + MAX_PACKED_BLOCK_OVERHEAD
      : bytes >= 2 * count && bytes <= MAX_VARINT_ACCESS_BYTES * count;
    if (!fits) throw new UserError(`${this.where()}: block of ${count} accesses cannot take ${bytes} bytes`);
    if (data.length - at < headerBytes + bytes) return this.wait(headerBytes + bytes);
    const payload = data.subarray(at + headerBytes, at + headerBytes + bytes);
    if (headerBytes === 12 && v.getUint32(8, true) !== crc32(payload, crc32(data.subarray(at, at + 8)))) {
      throw new UserError(`${this.where()}: checksum mismatch (the file is damaged)`);
    }
    if (this.accesses + count > header.count)
      throw new UserError(`${this.where()}: blocks hold more accesses than the header's ${header.count}`);
    const columns = packed
      ? decodePackedPayload(payload, count, (reason) => this.fail(-1, reason), this.allocate)
      : decodeVarintPayload(payload, count, (access, reason) => this.fail(access, reason));
    const chunk: TraceChunk = { start: this.accesses, ...columns };
    if (chunk.time[0] < this.lastTime)
      this.fail(0, `time ${chunk.time[0]} is before the previous access's time ${this.lastTime}`);
    this.lastTime = chunk.time[count - 1];
    this.accesses += count;
    this.blocks++;
    this.need = headerBytes;
    this.onChunk(chunk);
    return headerBytes + bytes;
  }

  /** Damage at the block's access `access` (-1: of the block as a whole). */
  private fail(access: number, reason: string): never {
    if (access < 0) throw new UserError(`${this.where()}: ${reason}`);
    throw new UserError(`${this.where()}: access ${this.accesses + access}: ${reason}`);
  }
}

/** Decodes a whole binary trace held in memory. */
export function decodeBinaryTrace(data: Uint8Array, fileName: string): Trace {
  const builder = new TraceBuilder();
  const decoder = new BinaryTraceDecoder(
    fileName,
    (chunk) => builder.append(chunk),
    (header) => builder.reserve(header.count),
    (count, wideTimes) => builder.claim(count, wideTimes),
  );
  decoder.feed(data);
  decoder.finish();
  const header = decoder.header as BinaryHeader;
  return builder.finish(header.pageSize, header.name);
}
