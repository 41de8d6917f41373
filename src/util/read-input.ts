import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileLabel, UserError } from '../errors';

/**
 * A small input file as text, gunzipped when it starts with the gzip magic; problems are one-line
 * UserErrors naming the file. Only regular files: /dev/zero never ends and a FIFO without a writer blocks.
 */
export function readInputText(path: string): string {
  if (path === '-') throw new UserError('standard input (-) is not read here: name a file');
  let data: Buffer;
  try {
    if (!statSync(path).isFile())
      throw new UserError(`${fileLabel(path)}: not a regular file (only regular files are read)`);
    data = readFileSync(path);
    if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${fileLabel(path)}: no such file`
        : `${fileLabel(path)}: cannot read (${code ?? (err as Error).message})`,
    );
  }
  return data.toString('utf8');
}
