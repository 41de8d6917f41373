/**
 * Binary trace format `.pctrace`, version 2 (all integers little-endian):
 *   header: 8 bytes magic "PCTRACE" + 0x1a | u16 version = 2 | u16 flags = 0 | u32 page size
 *           | u64 access count | u32 name length | name (UTF-8) | u32 CRC-32 of the header bytes before it
 *   blocks: u32 access count (1..65536) | u32 payload bytes | u32 CRC-32 of the two fields and the payload | payload
 *   payload: per access two unsigned LEB128 varints:
 *            time - previous time, then zigzag(page - previous page) * 2 + write
 *            where "previous" restarts at (time 0, page 0) in every block, so blocks decode alone.
 * The file ends right after the last block; block counts must add up to the header's count.
 * Version 1 is the same without the two CRC fields; it is still read.
 *
 * Pure (no node modules): the browser bundle decodes with it too. The CRC-32 is zlib's (IEEE 802.3).
 */
import { UserError } from '../errors';
import { concatBytes } from './bytes';
import { checkPageSize, TraceBuilder } from './make';
import { MAX_PAGE, type Trace, type TraceChunk } from './types';
import { crc32 } from './crc32';

export const BINARY_MAGIC = Uint8Array.from([0x50, 0x43, 0x54, 0x52, 0x41, 0x43, 0x45, 0x1a]);
export const BINARY_VERSION = 2;
/** Versions this reader decodes: 1 (no checksums) and 2. */
const READABLE_VERSIONS = [1, 2];
export const BLOCK_ACCESSES = 65536;
const HEADER_FIXED_BYTES = 28;
const CRC_BYTES = 4;
/** Widest access: 8-byte time delta (< 2^53 needs 8 varint bytes) + 5-byte page/write field. */
const MAX_ACCESS_BYTES = 13;
const MAX_NAME_BYTES = 65536;

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

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Growable byte buffer for the encoder. */
class ByteWriter {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** Unsigned LEB128 of a whole number < 2^53 (arithmetic, not bit operations: values exceed 32 bits). */
  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The version-2 header of a trace of `count` accesses. */
export function encodeBinaryHeader(name: string, pageSize: number, count: number): Uint8Array {
  const nameBytes = utf8Encoder.encode(name).subarray(0, MAX_NAME_BYTES);
  const out = new Uint8Array(HEADER_FIXED_BYTES + nameBytes.length + CRC_BYTES);
  const v = view(out);
  out.set(BINARY_MAGIC, 0);
  v.setUint16(8, BINARY_VERSION, true);
  v.setUint16(10, 0, true);
  v.setUint32(12, pageSize, true);
  v.setBigUint64(16, BigInt(count), true);
  v.setUint32(24, nameBytes.length, true);
  out.set(nameBytes, HEADER_FIXED_BYTES);
  v.setUint32(out.length - CRC_BYTES, crc32(out.subarray(0, out.length - CRC_BYTES)), true);
  return out;
}

/** Columns of accesses to encode (a Trace or a TraceChunk). */
interface AccessColumns {
  readonly time: ArrayLike<number>;
  readonly page: ArrayLike<number>;
  readonly write: ArrayLike<number>;
}

/** Accesses [from, to) as version-2 blocks of at most BLOCK_ACCESSES each, one piece per block. */
export function* encodeBinaryBlocks(columns: AccessColumns, from = 0, to = columns.page.length): Generator<Uint8Array> {
  for (let start = from; start < to; start += BLOCK_ACCESSES) {
    const end = Math.min(to, start + BLOCK_ACCESSES);
    const out = new ByteWriter();
    out.reserve(12 + MAX_ACCESS_BYTES * (end - start));
    out.length = 12;
    let time = 0;
    let page = 0;
    for (let i = start; i < end; i++) {
      const delta = columns.page[i] - page;
      const zigzag = delta >= 0 ? 2 * delta : -2 * delta - 1;
      out.varint(columns.time[i] - time);
      out.varint(zigzag * 2 + (columns.write[i] ? 1 : 0));
      time = columns.time[i];
      page = columns.page[i];
    }
    const block = out.result();
    const v = view(block);
    v.setUint32(0, end - start, true);
    v.setUint32(4, block.length - 12, true);
    v.setUint32(8, crc32(block.subarray(12), crc32(block.subarray(0, 8))), true);
    yield block;
  }
}

/** Encodes a whole trace in the binary format (version 2). */
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
  private parts: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes needed before the next unit (header or block) can be decoded. */
  private need = HEADER_FIXED_BYTES;
  /** File offset of the first buffered byte, for error positions. */
  private offset = 0;
  private blocks = 0;
  private lastTime = 0;

  constructor(
    private readonly fileName: string,
    private readonly onChunk: (chunk: TraceChunk) => void,
  ) {}

  feed(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.buffered += bytes.length;
    if (this.buffered < this.need) return;
    const data = this.parts.length === 1 ? this.parts[0] : concatBytes(this.parts);
    let at = 0;
    for (;;) {
      const used = this.header ? this.block(data, at) : this.parseHeader(data, at);
      if (used === 0) break;
      at += used;
      this.offset += used;
    }
    this.parts = at < data.length ? [data.subarray(at)] : [];
    this.buffered = data.length - at;
  }

  finish(): void {
    if (!this.header) throw new UserError(`${this.fileName}: binary trace header is truncated`);
    if (this.buffered > 0) throw new UserError(`${this.where()}: truncated block`);
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
        `binary trace version ${version} is not supported (this reader knows versions ${READABLE_VERSIONS.join(' and ')})`,
      );
    }
    const nameBytes = v.getUint32(24, true);
    if (nameBytes > MAX_NAME_BYTES) fail(`trace name of ${nameBytes} bytes is too long`);
    const size = HEADER_FIXED_BYTES + nameBytes + (version >= 2 ? CRC_BYTES : 0);
    if (available < size) return this.wait(size);
    if (version >= 2) {
      const stored = v.getUint32(size - CRC_BYTES, true);
      if (stored !== crc32(bytes.subarray(0, size - CRC_BYTES))) fail('header checksum mismatch (the file is damaged)');
    }
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
    if (bytes < 2 * count || bytes > MAX_ACCESS_BYTES * count)
      throw new UserError(`${this.where()}: block of ${count} accesses cannot take ${bytes} bytes`);
    if (data.length - at < headerBytes + bytes) return this.wait(headerBytes + bytes);
    const payload = data.subarray(at + headerBytes, at + headerBytes + bytes);
    if (headerBytes === 12 && v.getUint32(8, true) !== crc32(payload, crc32(data.subarray(at, at + 8)))) {
      throw new UserError(`${this.where()}: checksum mismatch (the file is damaged)`);
    }
    if (this.accesses + count > header.count)
      throw new UserError(`${this.where()}: blocks hold more accesses than the header's ${header.count}`);
    const chunk = {
      start: this.accesses,
      time: new Float64Array(count),
      page: new Uint32Array(count),
      write: new Uint8Array(count),
    };
    this.lastTime = this.decodePayload(payload, chunk);
    this.accesses += count;
    this.blocks++;
    this.need = headerBytes;
    this.onChunk(chunk);
    return headerBytes + bytes;
  }

  /** Decodes one block's payload into `chunk`; returns the block's last time. */
  private decodePayload(payload: Uint8Array, chunk: TraceChunk): number {
    const { time: times, page: pages, write: writes } = chunk;
    const n = pages.length;
    let pos = 0;
    let time = 0;
    let page = 0;
    for (let i = 0; i < n; i++) {
      const delta = readVarint(payload, pos);
      if (delta < 0) this.badVarint(chunk.start + i, delta);
      const field = readVarint(payload, varintEnd);
      if (field < 0) this.badVarint(chunk.start + i, field);
      pos = varintEnd;
      time += delta;
      const zigzag = Math.floor(field / 2);
      page += zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
      if (!Number.isSafeInteger(time)) this.fail(chunk.start + i, 'time exceeds 2^53');
      if (page < 0 || page > MAX_PAGE) this.fail(chunk.start + i, `page ${page} is out of range`);
      if (i === 0 && time < this.lastTime)
        this.fail(chunk.start, `time ${time} is before the previous access's time ${this.lastTime}`);
      times[i] = time;
      pages[i] = page;
      writes[i] = field % 2;
    }
    if (pos !== payload.length)
      throw new UserError(`${this.where()}: block has ${payload.length - pos} bytes after its last access`);
    return time;
  }

  private badVarint(access: number, code: number): never {
    this.fail(access, code === TRUNCATED ? 'block payload ends inside an access' : 'varint longer than 8 bytes');
  }

  private fail(access: number, reason: string): never {
    throw new UserError(`${this.where()}: access ${access}: ${reason}`);
  }
}

/** Decodes a whole binary trace held in memory. */
export function decodeBinaryTrace(data: Uint8Array, fileName: string): Trace {
  const builder = new TraceBuilder();
  const decoder = new BinaryTraceDecoder(fileName, (chunk) => builder.append(chunk));
  decoder.feed(data);
  decoder.finish();
  const header = decoder.header as BinaryHeader;
  return builder.finish(header.pageSize, header.name);
}
