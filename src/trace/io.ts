import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { decodeBinaryTrace, encodeBinaryTrace, isBinaryTrace, isGzip } from './binary';
import { formatTextTrace, parseTextTrace } from './text';
import type { Trace } from './types';

/** A trace's default name: the file name without its format extensions. */
function nameFromPath(path: string): string {
  return basename(path).replace(/(\.gz)$/, '').replace(/\.(pctrace|trace|txt)$/, '');
}

/**
 * Loads a trace file: binary (recognised by its magic) or text, either one optionally gzip-compressed
 * (recognised by the gzip magic, whatever the extension). Every problem is a one-line UserError
 * naming the file (and the line, for text).
 */
export function loadTrace(path: string): Trace {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? (err as Error).message})`);
  }
  if (isGzip(data)) {
    try {
      data = gunzipSync(data);
    } catch (err) {
      throw new UserError(`${path}: corrupt gzip data (${(err as Error).message})`);
    }
  }
  if (isBinaryTrace(data)) return decodeBinaryTrace(data, path);
  if (data.includes(0)) throw new UserError(`${path}: neither a text trace nor a postcopy-lab binary trace (contains NUL bytes)`);
  return parseTextTrace(data.toString('utf8'), path, nameFromPath(path));
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
