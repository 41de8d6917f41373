/**
 * Binary trace format `.pctrace`, version 4 (all integers little-endian):
 *   header: 8 bytes magic "PCTRACE" + 0x1a | u16 version = 4 | u16 flags = 0 | u32 page size
 *           | u64 access count | u32 name length | name (UTF-8) | u32 CRC-32 of the header bytes before it
 *           | zero bytes up to a multiple of 4 (so that blocks, and their 32-bit words, start aligned)
 *   blocks: u32 access count (1..65536) | u32 payload bytes | u32 CRC-32 of the two fields and the payload | payload
 *   payload: the block's times, pages and writes as bit-packed frames (packed.ts).
 *   trailer: a block of 0 accesses whose 24-byte payload is the trace's summary: f64 largest page (-1 when there
 *            is no access) | f64 first time | f64 last time; so that a reader learns it from the file's last 36
 *            bytes instead of a pass over every block (the CLI's first pass), and every full pass checks it.
 * The file ends right after the trailer; block counts must add up to the header's count.
 * Version 3 is version 4 without the trailer; versions 1 and 2 (payload: varints per access, varint.ts; version 1
 * without the CRC fields and the padding) are still read.
 *
 * Pure (no node modules): the browser bundle decodes with it too. The CRC-32 is zlib's (IEEE 802.3).
 */
import { UserError } from '../errors';
import { concatBytes, copyBytes } from './bytes';
import { checkPageSize, TraceBuilder } from './make';
import { MAX_PAGE, rememberLargestPage, summarizeTrace, type Trace, type TraceChunk, type TraceSummary } from './types';
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
export const BINARY_VERSION = 4;
/** Versions this reader decodes: 1 (varints, no checksums), 2 (varints), 3 (packed frames) and 4 (with a trailer). */
const READABLE_VERSIONS = [1, 2, 3, 4];
/** The first version whose files end with the summary trailer. */
const TRAILER_VERSION = 4;
const TRAILER_PAYLOAD_BYTES = 24;
/** Bytes of the trailer: a block header of 0 accesses, then the summary. */
export const TRAILER_BYTES = 12 + TRAILER_PAYLOAD_BYTES;
export const BLOCK_ACCESSES = 65536;
const HEADER_FIXED_BYTES = 28;
const CRC_BYTES = 4;
const MAX_NAME_BYTES = 65536;
/** Most bytes a header can take (the longest name, the CRC, the padding). */
export const MAX_HEADER_BYTES = HEADER_FIXED_BYTES + MAX_NAME_BYTES + CRC_BYTES + 3;
/** Most bytes a version-3 payload can take per access (53 + 32 + 1 bits) and per block (starts, frames, padding). */
const MAX_PACKED_ACCESS_BYTES = 11;
const MAX_PACKED_BLOCK_OVERHEAD = 3 * (8 + 9 * (BLOCK_ACCESSES / 1024) + 3 + 8);
/**
 * Most bytes one unit (the header or a block of any version) can take, so the most a reader fed in pieces waits for
 * at once: a larger block's header is refused before its bytes are waited for.
 */
export const MAX_UNIT_BYTES = Math.max(
  MAX_HEADER_BYTES,
  12 + Math.max(MAX_VARINT_ACCESS_BYTES, MAX_PACKED_ACCESS_BYTES) * BLOCK_ACCESSES + MAX_PACKED_BLOCK_OVERHEAD,
);

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
  return concatBytes([
    encodeBinaryHeader(trace.name, trace.pageSize, trace.page.length),
    ...encodeBinaryBlocks(trace),
    encodeBinaryTrailer(summarizeTrace(trace)),
  ]);
}

/**
 * The header at the start of `data`, checked (a one-line UserError naming `fileName`), or the number of bytes it
 * needs when `data` ends before it.
 */
function readHeader(data: Uint8Array, fileName: string): BinaryHeader | number {
  const fail = (reason: string): never => {
    throw new UserError(`${fileName}: ${reason}`);
  };
  if (data.length < HEADER_FIXED_BYTES) return HEADER_FIXED_BYTES;
  if (!isBinaryTrace(data)) fail('not a postcopy-lab binary trace (bad magic)');
  const v = view(data);
  const version = v.getUint16(8, true);
  if (!READABLE_VERSIONS.includes(version)) {
    fail(
      `binary trace version ${version} is not supported ` +
        `(this reader knows versions ${READABLE_VERSIONS.join(', ').replace(/, (\d+)$/, ' and $1')})`,
    );
  }
  const nameBytes = v.getUint32(24, true);
  if (nameBytes > MAX_NAME_BYTES) fail(`trace name of ${nameBytes} bytes is too long`);
  const size = headerBytes(version, nameBytes);
  if (data.length < size) return size;
  const crcAt = HEADER_FIXED_BYTES + nameBytes;
  if (version >= 2 && v.getUint32(crcAt, true) !== crc32(data.subarray(0, crcAt)))
    fail('header checksum mismatch (the file is damaged)');
  if (data.subarray(crcAt + CRC_BYTES, size).some((byte) => byte !== 0)) fail('header padding is not zero');
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
  const name = utf8Decoder.decode(data.subarray(HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + nameBytes));
  return { version, pageSize, count, name, bytes: size };
}

/** What the trailer holds: the summary fields the header does not. */
type TrailerSummary = Pick<TraceSummary, 'largestPage' | 'firstTime' | 'lastTime'>;

/** The trailer of a trace summarised as `summary` (largest page -1 and times 0 for an empty trace). */
export function encodeBinaryTrailer(summary: TrailerSummary): Uint8Array {
  const out = new Uint8Array(TRAILER_BYTES);
  const v = view(out);
  v.setUint32(4, TRAILER_PAYLOAD_BYTES, true);
  v.setFloat64(12, summary.largestPage, true);
  v.setFloat64(20, summary.firstTime, true);
  v.setFloat64(28, summary.lastTime, true);
  v.setUint32(8, crc32(out.subarray(12), crc32(out.subarray(0, 8))), true);
  return out;
}

/** The summary in a trailer's TRAILER_BYTES bytes of a trace of `count` accesses, or why they are not one. */
function readTrailer(bytes: Uint8Array, count: number): TrailerSummary | string {
  const v = view(bytes);
  if (v.getUint32(4, true) !== TRAILER_PAYLOAD_BYTES)
    return `takes ${v.getUint32(4, true)} bytes, not ${TRAILER_PAYLOAD_BYTES}`;
  if (v.getUint32(8, true) !== crc32(bytes.subarray(12), crc32(bytes.subarray(0, 8))))
    return 'checksum mismatch (the file is damaged)';
  const summary = {
    largestPage: v.getFloat64(12, true),
    firstTime: v.getFloat64(20, true),
    lastTime: v.getFloat64(28, true),
  };
  const { largestPage, firstTime, lastTime } = summary;
  if (
    !Number.isSafeInteger(largestPage) ||
    largestPage < (count > 0 ? 0 : -1) ||
    largestPage > (count > 0 ? MAX_PAGE : -1)
  )
    return `largest page ${largestPage} is impossible for ${count} accesses`;
  if (!Number.isSafeInteger(firstTime) || !Number.isSafeInteger(lastTime) || firstTime < 0 || lastTime < firstTime)
    return `times ${firstTime} to ${lastTime} are impossible`;
  if (count === 0 && lastTime !== 0) return `times ${firstTime} to ${lastTime} are impossible for no access`;
  return summary;
}

/**
 * A version-4 file's summary from its first bytes (its header, at least) and its last TRAILER_BYTES, its blocks unread:
 * undefined for another format, an older version, or when the trailer is not intact (a cut or damaged file, whose full
 * pass names the damage). Every full pass checks the blocks against it.
 */
export function summaryFromTrailer(head: Uint8Array, tail: Uint8Array, fileName: string): TraceSummary | undefined {
  if (!isBinaryTrace(head)) return undefined;
  const header = readHeader(head, fileName);
  if (typeof header === 'number' || header.version < TRAILER_VERSION || tail.length !== TRAILER_BYTES) return undefined;
  if (view(tail).getUint32(0, true) !== 0) return undefined;
  const trailer = readTrailer(tail, header.count);
  if (typeof trailer === 'string') return undefined;
  return { name: header.name, pageSize: header.pageSize, accesses: header.count, ...trailer };
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
  private firstTime = 0;
  private lastTime = 0;
  /** Largest page decoded so far, kept for files with a trailer (which must agree). */
  private readonly largest = { value: -1 };
  private trailerRead = false;

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
   * chunks as they come so holds about that many: one read of tiny blocks can hold hundreds. Unless
   * `keepUnfinished`, an unfinished unit at the end is not taken (nor copied): the caller feeds it again, followed
   * by the bytes after it (a reader that puts it in front of its next read, where it then decodes in place).
   */
  feed(bytes: Uint8Array, maxAccesses = Infinity, keepUnfinished = true): number {
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
    if (this.accesses >= limit || !keepUnfinished) return at;
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
    if (this.pending.length > 0)
      throw new UserError(
        this.trailerNext() ? `${this.trailerWhere()}: truncated` : `${this.where()}: truncated block`,
      );
    if (this.accesses !== this.header.count) this.truncated();
    if (this.trailerNext()) throw new UserError(`${this.fileName}: truncated: the summary trailer is missing`);
  }

  private truncated(): never {
    const header = this.header as BinaryHeader;
    throw new UserError(
      `${this.fileName}: truncated: header promises ${header.count} accesses, blocks hold ${this.accesses}`,
    );
  }

  /** Whether the trailer is the next unit: all the blocks of a file that has one are read, the trailer not yet. */
  private trailerNext(): boolean {
    const header = this.header as BinaryHeader;
    return header.version >= TRAILER_VERSION && !this.trailerRead && this.accesses === header.count;
  }

  private trailerWhere(): string {
    return `${this.fileName}: summary trailer (byte ${this.offset})`;
  }

  /** The largest page, once the trailer has confirmed it (a file of version 4 read to its end). */
  get checkedLargestPage(): number | undefined {
    return this.trailerRead ? this.largest.value : undefined;
  }

  private where(): string {
    return `${this.fileName}: block ${this.blocks + 1} (byte ${this.offset})`;
  }

  /** Decodes the header at data[at..] and returns its length, or 0 (setting `need`) when more bytes are needed. */
  private parseHeader(data: Uint8Array, at: number): number {
    const header = readHeader(data.subarray(at), this.fileName);
    if (typeof header === 'number') return this.wait(header);
    this.header = header;
    this.onHeader?.(header);
    this.need = this.blockHeaderBytes();
    return header.bytes;
  }

  private blockHeaderBytes(): number {
    return this.header && this.header.version >= 2 ? 12 : 8;
  }

  private wait(bytes: number): number {
    this.need = bytes;
    return 0;
  }

  /**
   * Decodes the block at data[at..] into a chunk and returns its length, or 0 (setting `need`) when more bytes are
   * needed.
   */
  private block(data: Uint8Array, at: number): number {
    const header = this.header as BinaryHeader;
    const headerBytes = this.blockHeaderBytes();
    if (this.trailerRead) {
      if (at < data.length)
        throw new UserError(`${this.fileName}: bytes after the summary trailer (byte ${this.offset})`);
      return this.wait(1);
    }
    if (data.length - at < headerBytes) return this.wait(headerBytes);
    const v = view(data.subarray(at, at + headerBytes));
    const count = v.getUint32(0, true);
    if (count === 0 && header.version >= TRAILER_VERSION) return this.trailer(data, at);
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
      ? decodePackedPayload(
          payload,
          count,
          (reason) => this.fail(-1, reason),
          this.allocate,
          header.version >= TRAILER_VERSION ? this.largest : undefined,
        )
      : decodeVarintPayload(payload, count, (access, reason) => this.fail(access, reason));
    const chunk: TraceChunk = { start: this.accesses, ...columns };
    if (chunk.time[0] < this.lastTime)
      this.fail(0, `time ${chunk.time[0]} is before the previous access's time ${this.lastTime}`);
    if (this.accesses === 0) this.firstTime = chunk.time[0];
    this.lastTime = chunk.time[count - 1];
    this.accesses += count;
    this.blocks++;
    this.need = headerBytes;
    this.onChunk(chunk);
    return headerBytes + bytes;
  }

  /**
   * Reads the trailer at data[at..] (a block header of 0 accesses there) and checks it against the blocks read;
   * returns its length, or 0 (setting `need`) when more bytes are needed.
   */
  private trailer(data: Uint8Array, at: number): number {
    // a trailer before the last block: the blocks after it hold the rest, as if the file ended there
    if (this.accesses < (this.header as BinaryHeader).count) this.truncated();
    if (data.length - at < TRAILER_BYTES) return this.wait(TRAILER_BYTES);
    const summary = readTrailer(data.subarray(at, at + TRAILER_BYTES), this.accesses);
    if (typeof summary === 'string') throw new UserError(`${this.trailerWhere()}: ${summary}`);
    const read: [keyof TrailerSummary, string, number][] = [
      ['largestPage', 'largest page', this.largest.value],
      ['firstTime', 'first time', this.firstTime],
      ['lastTime', 'last time', this.lastTime],
    ];
    for (const [field, label, value] of read) {
      if (summary[field] !== value)
        throw new UserError(`${this.trailerWhere()}: ${label} ${summary[field]} is not the blocks' ${value}`);
    }
    this.trailerRead = true;
    return TRAILER_BYTES;
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
  return withKnownLargestPage(builder.finish(header.pageSize, header.name), decoder.checkedLargestPage);
}

/** `trace`, its largest page remembered when a checked trailer gave it (each simulation asks: a scan saved). */
export function withKnownLargestPage(trace: Trace, largest: number | undefined): Trace {
  if (largest !== undefined) rememberLargestPage(trace.page, largest);
  return trace;
}
