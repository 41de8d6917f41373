import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors';

/** A small input file as text, gunzipped when it starts with the gzip magic; problems are one-line UserErrors naming the file. */
export function readInputText(path: string): string {
  let data: Buffer;
  try {
    data = readFileSync(path);
    if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? (err as Error).message})`);
  }
  return data.toString('utf8');
}
