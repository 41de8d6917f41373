import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors';
import { checkPageSize } from './make';
import { MAX_PAGE, type Trace, type TraceChunk } from './types';

/**
 * Binary trace format, version 1 (all integers little-endian):
 *   header: 8 bytes magic "PCTRACE" + 0x1a | u16 version = 1 | u16 flags = 0 | u32 page size
 *           | u64 access count | u32 name length | name (UTF-8)
 *   blocks: u32 access count (1..65536) | u32 payload bytes | payload
 *   payload: per access two unsigned LEB128 varints:
 *            time - previous time, then zigzag(page - previous page) * 2 + write
 *            where "previous" restarts at (time 0, page 0) in every block, so blocks decode alone.
 * The file ends right after the last block; block counts must add up to the header's count.
 */
export const BINARY_MAGIC = Buffer.from([0x50, 0x43, 0x54, 0x52, 0x41, 0x43, 0x45, 0x1a]);
export const BINARY_VERSION = 1;
export const BLOCK_ACCESSES = 65536;
const HEADER_FIXED_BYTES = 28;
const BLOCK_HEADER_BYTES = 8;
/** Widest access: 8-byte time delta (< 2^53 needs 8 varint bytes) + 5-byte page/write field. */
const MAX_ACCESS_BYTES = 13;
const MAX_NAME_BYTES = 65536;

export interface BinaryHeader {
  pageSize: number;
  count: number;
  name: string;
  /** Bytes taken by the header: blocks start here. */
  bytes: number;
}

export function isBinaryTrace(data: Uint8Array): boolean {
  return data.length >= BINARY_MAGIC.length && BINARY_MAGIC.equals(data.subarray(0, BINARY_MAGIC.length));
}

/** Growable byte buffer for the encoder. */
class ByteWriter {
  bytes = Buffer.alloc(1 << 16);
  length = 0;

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = Buffer.alloc(Math.max(this.bytes.length * 2, this.length + n));
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
  }

  /** Unsigned LEB128 of a whole number < 2^53 (arithmetic, not bit operations: values exceed 32 bits). */
  varint(value: number): void {
    this.reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }
}

/** Encodes a whole trace in the binary format. */
export function encodeBinaryTrace(trace: Trace): Buffer {
  const name = Buffer.from(trace.name, 'utf8').subarray(0, MAX_NAME_BYTES);
  const n = trace.page.length;
  const out = new ByteWriter();
  out.reserve(HEADER_FIXED_BYTES + name.length);
  BINARY_MAGIC.copy(out.bytes, 0);
  out.bytes.writeUInt16LE(BINARY_VERSION, 8);
  out.bytes.writeUInt16LE(0, 10);
  out.bytes.writeUInt32LE(trace.pageSize, 12);
  out.bytes.writeBigUInt64LE(BigInt(n), 16);
  out.bytes.writeUInt32LE(name.length, 24);
  name.copy(out.bytes, HEADER_FIXED_BYTES);
  out.length = HEADER_FIXED_BYTES + name.length;
  for (let from = 0; from < n; from += BLOCK_ACCESSES) {
    const to = Math.min(n, from + BLOCK_ACCESSES);
    out.reserve(BLOCK_HEADER_BYTES);
    const blockStart = out.length;
    out.bytes.writeUInt32LE(to - from, blockStart);
    out.length += BLOCK_HEADER_BYTES;
    let time = 0;
    let page = 0;
    for (let i = from; i < to; i++) {
      const delta = trace.page[i] - page;
      const zigzag = delta >= 0 ? 2 * delta : -2 * delta - 1;
      out.varint(trace.time[i] - time);
      out.varint(zigzag * 2 + trace.write[i]);
      time = trace.time[i];
      page = trace.page[i];
    }
    out.bytes.writeUInt32LE(out.length - blockStart - BLOCK_HEADER_BYTES, blockStart + 4);
  }
  return out.bytes.subarray(0, out.length);
}

/** Parses the header at the start of `data`, or returns undefined when more bytes are needed. */
function parseHeader(data: Buffer, fileName: string): BinaryHeader | undefined {
  if (data.length < HEADER_FIXED_BYTES) return undefined;
  if (!isBinaryTrace(data)) throw new UserError(`${fileName}: not a postcopy-lab binary trace (bad magic)`);
  const version = data.readUInt16LE(8);
  if (version !== BINARY_VERSION) throw new UserError(`${fileName}: binary trace version ${version} is not supported (this reader knows version ${BINARY_VERSION})`);
  const flags = data.readUInt16LE(10);
  if (flags !== 0) throw new UserError(`${fileName}: unknown binary trace flags ${flags}`);
  const count = Number(data.readBigUInt64LE(16));
  if (!Number.isSafeInteger(count)) throw new UserError(`${fileName}: access count ${count} is too large`);
  const nameBytes = data.readUInt32LE(24);
  if (nameBytes > MAX_NAME_BYTES) throw new UserError(`${fileName}: trace name of ${nameBytes} bytes is too long`);
  if (data.length < HEADER_FIXED_BYTES + nameBytes) return undefined;
  let pageSize: number;
  try {
    pageSize = checkPageSize(data.readUInt32LE(12));
  } catch (err) {
    throw new UserError(`${fileName}: ${(err as Error).message}`);
  }
  const name = data.toString('utf8', HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + nameBytes);
  return { pageSize, count, name, bytes: HEADER_FIXED_BYTES + nameBytes };
}

/**
 * Reads the block header at `at` in `data`: its access count and payload size, validated.
 * `where` names the file and the block's byte offset in it, for errors.
 */
function parseBlockHeader(data: Buffer, at: number, where: string): { count: number; bytes: number } {
  const count = data.readUInt32LE(at);
  const bytes = data.readUInt32LE(at + 4);
  if (count < 1 || count > BLOCK_ACCESSES) throw new UserError(`${where}: block access count ${count} is not in [1, ${BLOCK_ACCESSES}]`);
  if (bytes < 2 * count || bytes > MAX_ACCESS_BYTES * count) throw new UserError(`${where}: block of ${count} accesses cannot take ${bytes} bytes`);
  return { count, bytes };
}

/**
 * Decodes one block payload into columns at `into[at..]`. `previousTime` is the time of the
 * access before the block (non-decreasing across blocks); returns the block's last time.
 */
function decodeBlock(
  payload: Buffer,
  count: number,
  into: { time: Float64Array; page: Uint32Array; write: Uint8Array },
  at: number,
  previousTime: number,
  where: string,
): number {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let k = 0; k < 8; k++) {
      if (pos >= payload.length) throw new UserError(`${where}: block payload ends inside an access`);
      const byte = payload[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new UserError(`${where}: varint longer than 8 bytes`);
  };
  let time = 0;
  let page = 0;
  for (let i = 0; i < count; i++) {
    time += varint();
    const field = varint();
    const zigzag = Math.floor(field / 2);
    page += zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    if (!Number.isSafeInteger(time)) throw new UserError(`${where}: access ${at + i}: time exceeds 2^53`);
    if (page < 0 || page > MAX_PAGE) throw new UserError(`${where}: access ${at + i}: page ${page} is out of range`);
    if (i === 0 && time < previousTime) throw new UserError(`${where}: access ${at + i}: time ${time} is before the previous access's time ${previousTime}`);
    into.time[at + i] = time;
    into.page[at + i] = page;
    into.write[at + i] = field % 2;
  }
  if (pos !== payload.length) throw new UserError(`${where}: block has ${payload.length - pos} bytes after its last access`);
  return time;
}

/** Decodes a whole binary trace held in memory. */
export function decodeBinaryTrace(data: Buffer, fileName: string): Trace {
  const header = parseHeader(data, fileName);
  if (!header) throw new UserError(`${fileName}: binary trace header is truncated`);
  // Every access takes at least 2 bytes: a larger claimed count is corruption, not a reason to allocate.
  if (header.count > (data.length - header.bytes) / 2) throw new UserError(`${fileName}: header claims ${header.count} accesses but the file is too short for them`);
  const columns = { time: new Float64Array(header.count), page: new Uint32Array(header.count), write: new Uint8Array(header.count) };
  let offset = header.bytes;
  let decoded = 0;
  let lastTime = 0;
  while (offset < data.length) {
    if (offset + BLOCK_HEADER_BYTES > data.length) throw new UserError(`${fileName}: byte ${offset}: truncated block header`);
    const block = parseBlockHeader(data, offset, `${fileName}: byte ${offset}`);
    const payloadStart = offset + BLOCK_HEADER_BYTES;
    if (payloadStart + block.bytes > data.length) throw new UserError(`${fileName}: byte ${offset}: truncated block (needs ${block.bytes} bytes)`);
    if (decoded + block.count > header.count) throw new UserError(`${fileName}: byte ${offset}: blocks hold more accesses than the header's ${header.count}`);
    lastTime = decodeBlock(data.subarray(payloadStart, payloadStart + block.bytes), block.count, columns, decoded, lastTime, `${fileName}: byte ${offset}`);
    decoded += block.count;
    offset = payloadStart + block.bytes;
  }
  if (decoded !== header.count) throw new UserError(`${fileName}: truncated: header promises ${header.count} accesses, blocks hold ${decoded}`);
  return { ...columns, pageSize: header.pageSize, name: header.name };
}

/** Collects streamed bytes; copies only when a requested slice spans several received parts. */
class ByteQueue {
  private parts: Buffer[] = [];
  length = 0;
  /** Bytes consumed so far, for error positions. */
  consumed = 0;

  push(part: Buffer): void {
    this.parts.push(part);
    this.length += part.length;
  }

  /** The first `n` bytes as one buffer (copied once if they span parts), without consuming them. */
  peek(n: number): Buffer {
    if (this.parts[0].length < n) this.parts = [Buffer.concat(this.parts)];
    return this.parts[0].subarray(0, n);
  }

  skip(n: number): void {
    let left = n;
    while (left > 0) {
      const head = this.parts[0];
      if (head.length <= left) {
        this.parts.shift();
        left -= head.length;
      } else {
        this.parts[0] = head.subarray(left);
        left = 0;
      }
    }
    this.length -= n;
    this.consumed += n;
  }
}

/** The first bytes of a file (fewer if it is shorter); missing or unreadable file -> UserError. */
export function readFileStart(path: string, bytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new UserError(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0));
  } catch (err) {
    throw new UserError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Streams a binary trace (optionally gzip-compressed) block by block: memory stays bounded by
 * one block (at most 65,536 accesses) plus the read buffer, whatever the file size.
 */
export async function* readBinaryTraceStream(path: string): AsyncIterable<TraceChunk> {
  const gzip = isGzip(readFileStart(path, 2));
  const file = createReadStream(path);
  const input: AsyncIterable<Buffer> = gzip ? file.pipe(createGunzip()) : file;
  const queue = new ByteQueue();
  let header: BinaryHeader | undefined;
  let start = 0;
  let lastTime = 0;
  try {
    for await (const part of input) {
      queue.push(part);
      if (!header) {
        header = parseHeader(queue.peek(Math.min(queue.length, HEADER_FIXED_BYTES + MAX_NAME_BYTES)), path);
        if (!header) continue;
        queue.skip(header.bytes);
      }
      while (queue.length >= BLOCK_HEADER_BYTES) {
        const block = parseBlockHeader(queue.peek(BLOCK_HEADER_BYTES), 0, `${path}: byte ${queue.consumed}`);
        if (queue.length < BLOCK_HEADER_BYTES + block.bytes) break;
        if (start + block.count > header.count) throw new UserError(`${path}: byte ${queue.consumed}: blocks hold more accesses than the header's ${header.count}`);
        const chunk = { start, time: new Float64Array(block.count), page: new Uint32Array(block.count), write: new Uint8Array(block.count) };
        const payload = queue.peek(BLOCK_HEADER_BYTES + block.bytes).subarray(BLOCK_HEADER_BYTES);
        lastTime = decodeBlock(payload, block.count, chunk, 0, lastTime, `${path}: byte ${queue.consumed}`);
        queue.skip(BLOCK_HEADER_BYTES + block.bytes);
        start += block.count;
        yield chunk;
      }
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: ${(err as Error).message}`);
  } finally {
    file.destroy();
  }
  if (!header) throw new UserError(`${path}: binary trace header is truncated`);
  if (queue.length > 0) throw new UserError(`${path}: byte ${queue.consumed}: truncated block`);
  if (start !== header.count) throw new UserError(`${path}: truncated: header promises ${header.count} accesses, blocks hold ${start}`);
}
