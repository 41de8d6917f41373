/**
 * Writers of the older .pctrace versions, kept with the tests (the library writes version 4 only) so that
 * the reader is checked on files of every version: version 3 (version 4 without the summary trailer), version 2
 * (varints per access, CRC-32 per block and on the header) and version 1 (the same without the checksums), as
 * the writers of those versions made them.
 */
import { crc32 } from 'node:zlib';
import type { Trace } from '../../src/trace';

/** Unsigned LEB128 of a whole number < 2^53. */
function varint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** A trace as a version-2 file: header with CRC, blocks of 65536 accesses with count, size and CRC. */
export function encodeVersion2(trace: Trace): Buffer {
  const name = Buffer.from(trace.name, 'utf8');
  const header = Buffer.alloc(28 + name.length + 4);
  Buffer.from('PCTRACE\x1a', 'latin1').copy(header, 0);
  header.writeUInt16LE(2, 8);
  header.writeUInt32LE(trace.pageSize, 12);
  header.writeBigUInt64LE(BigInt(trace.page.length), 16);
  header.writeUInt32LE(name.length, 24);
  name.copy(header, 28);
  header.writeUInt32LE(crc32(header.subarray(0, 28 + name.length)), 28 + name.length);
  const parts = [header];
  for (let start = 0; start < trace.page.length; start += 65536) {
    const end = Math.min(trace.page.length, start + 65536);
    const payload: number[] = [];
    let time = 0;
    let page = 0;
    for (let i = start; i < end; i++) {
      const delta = trace.page[i] - page;
      varint(payload, trace.time[i] - time);
      varint(payload, (delta >= 0 ? 2 * delta : -2 * delta - 1) * 2 + trace.write[i]);
      time = trace.time[i];
      page = trace.page[i];
    }
    const block = Buffer.alloc(12 + payload.length);
    block.writeUInt32LE(end - start, 0);
    block.writeUInt32LE(payload.length, 4);
    Buffer.from(payload).copy(block, 12);
    block.writeUInt32LE(crc32(block.subarray(12), crc32(block.subarray(0, 8))), 8);
    parts.push(block);
  }
  return Buffer.concat(parts);
}

/** The version-1 layout of a version-2 file: version 1, no header CRC, no block CRCs. */
export function asVersion1(v2: Uint8Array): Buffer {
  const data = Buffer.from(v2);
  const headerEnd = 28 + data.readUInt32LE(24);
  const parts = [data.subarray(0, headerEnd)];
  parts[0].writeUInt16LE(1, 8);
  for (let at = headerEnd + 4; at < data.length;) {
    const payload = data.readUInt32LE(at + 4);
    parts.push(data.subarray(at, at + 8), data.subarray(at + 12, at + 12 + payload));
    at += 12 + payload;
  }
  return Buffer.concat(parts);
}

/** The version-3 file of a version-4 file: the same header (version 3, its CRC again) and blocks, no trailer. */
export function asVersion3(v4: Uint8Array): Buffer {
  const data = Buffer.from(v4.subarray(0, v4.length - 36));
  const crcAt = 28 + data.readUInt32LE(24);
  data.writeUInt16LE(3, 8);
  data.writeUInt32LE(crc32(data.subarray(0, crcAt)), crcAt);
  return data;
}
