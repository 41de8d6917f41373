/**
 * Trace files on disk (node only): open with checks, read in chunks, detect gzip and the binary
 * magic, and hand the bytes to the pure decoders in text.ts and binary.ts.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { decodeBinaryTrace, encodeBinaryTrace, isBinaryTrace, isGzip } from './binary';
import { TraceBuilder } from './make';
import { formatTextTrace, TextTraceParser } from './text';
import type { Trace } from './types';

/** Bytes per read: large enough that system calls cost nothing, small enough to stay in cache. */
export const READ_BYTES = 1 << 20;

/** A trace's default name: the file name without its format extensions. */
export function nameFromPath(path: string): string {
  return basename(path).replace(/(\.gz)$/, '').replace(/\.(pctrace|trace|txt)$/, '');
}

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Opens a trace file for reading. Only regular files: a FIFO without a writer would block forever
 * and /dev/zero never ends, so both are refused (opened non-blocking, so that the check itself cannot hang).
 */
export function openTraceFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot open (${code ?? (err as Error).message})`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new UserError(`${path}: is ${fileKind(stat)}, not a trace file (only regular files are read)`);
  }
  return fd;
}

/** Reads up to READ_BYTES from the file's current position into a fresh buffer (empty at the end). */
function readChunk(fd: number, path: string): Buffer {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, READ_BYTES, null));
  } catch (err) {
    throw new UserError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * A file's content in chunks, gunzipped when it starts with the gzip magic. Plain files are read a
 * chunk at a time; a gzip file is decompressed in one call (node has no synchronous streaming gunzip),
 * then handed out in chunks.
 */
export function* fileChunks(path: string): Generator<Uint8Array> {
  const fd = openTraceFile(path);
  try {
    const first = readChunk(fd, path);
    if (!isGzip(first)) {
      for (let chunk = first; chunk.length > 0; chunk = readChunk(fd, path)) yield chunk;
      return;
    }
    const parts = [first];
    for (let chunk = readChunk(fd, path); chunk.length > 0; chunk = readChunk(fd, path)) parts.push(chunk);
    let data: Buffer;
    try {
      data = gunzipSync(Buffer.concat(parts));
    } catch (err) {
      throw new UserError(`${path}: corrupt gzip data (${(err as Error).message})`);
    }
    for (let at = 0; at < data.length; at += READ_BYTES) yield data.subarray(at, at + READ_BYTES);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a trace file: binary (recognised by its magic) or text, either one optionally gzip-compressed
 * (recognised by the gzip magic, whatever the extension). Every problem is a one-line UserError
 * naming the file (and the line, for text).
 */
export function loadTrace(path: string): Trace {
  const chunks = fileChunks(path);
  const first = chunks.next();
  if (!first.done && isBinaryTrace(first.value)) {
    const parts = [first.value];
    for (const chunk of chunks) parts.push(chunk);
    return decodeBinaryTrace(Buffer.concat(parts), path);
  }
  const builder = new TraceBuilder();
  const parser = new TextTraceParser(path, builder, nameFromPath(path));
  if (!first.done) parser.feed(first.value);
  for (const chunk of chunks) parser.feed(chunk);
  parser.finish();
  return builder.finish(parser.pageSize, parser.name);
}

/** Whether a path asks for the binary format: it ends in .pctrace (or .pctrace.gz). */
export function isBinaryPath(path: string): boolean {
  return /\.pctrace(\.gz)?$/.test(path);
}

/**
 * Saves a trace atomically: binary when the path ends in .pctrace, text otherwise;
 * a trailing .gz gzip-compresses either.
 */
export function saveTrace(trace: Trace, path: string): void {
  const encoded = isBinaryPath(path) ? encodeBinaryTrace(trace) : formatTextTrace(trace);
  writeFileAtomic(path, path.endsWith('.gz') ? gzipSync(encoded, { level: 9 }) : encoded);
}
