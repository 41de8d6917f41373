import { UserError } from '../errors';
import { TraceBuilder } from './make';
import { DEFAULT_PAGE_SIZE, MAX_PAGE, type Trace } from './types';

/**
 * Plain-text interchange format, one access per line:
 *   TIME PAGE [R|W]   decimal integers; kind R (read, the default) or W (write), either case
 *   PAGE              time = the access's index (0-based, counting access lines only)
 * Fields are separated by spaces or tabs. Blank lines and lines starting with `#` are ignored,
 * except the directive `# page-size: N` (before the first access) which sets the page size.
 * TIME is a whole number in [0, 2^53) and never smaller than the previous access's time;
 * PAGE is a whole number in [0, 2^32).
 */
const DIGITS = /^\d+$/;
const PAGE_SIZE_DIRECTIVE = /^#\s*page-size:\s*(\S+)\s*$/i;
const NAME_DIRECTIVE = /^#\s*name:\s*(.*?)\s*$/i;
const LINES_PER_PIECE = 65536;

function wholeNumber(text: string, what: string, max: number): number {
  if (!DIGITS.test(text)) throw new Error(`${what} must be a decimal whole number, got '${text}'`);
  const value = Number(text);
  if (value > max) throw new Error(`${what} ${text} is larger than ${max}`);
  return value;
}

/** Parses the text format; errors name `fileName:LINE: reason`. */
export function parseTextTrace(text: string, fileName: string, name = fileName): Trace {
  const out = new TraceBuilder();
  let pageSize = DEFAULT_PAGE_SIZE;
  let traceName = name;
  const lines = text.split('\n');
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex].trim();
    if (line === '') continue;
    try {
      if (line.startsWith('#')) {
        const size = PAGE_SIZE_DIRECTIVE.exec(line);
        if (size) {
          if (out.length > 0) throw new Error('page-size directive must come before the first access');
          pageSize = wholeNumber(size[1], 'page size', 2 ** 30);
          if (pageSize === 0 || (pageSize & (pageSize - 1)) !== 0) throw new Error(`page size must be a power of two, got ${pageSize}`);
        }
        const named = NAME_DIRECTIVE.exec(line);
        if (named && named[1] !== '') traceName = named[1];
        continue;
      }
      const fields = line.split(/[ \t]+/);
      if (fields.length > 3) throw new Error(`expected 'TIME PAGE [R|W]' or 'PAGE', got ${fields.length} fields`);
      const lone = fields.length === 1;
      const time = lone ? out.length : wholeNumber(fields[0], 'time', Number.MAX_SAFE_INTEGER);
      const page = wholeNumber(fields[lone ? 0 : 1], 'page', MAX_PAGE);
      const kind = fields.length === 3 ? fields[2].toUpperCase() : 'R';
      if (kind !== 'R' && kind !== 'W') throw new Error(`kind must be R or W, got '${fields[2]}'`);
      if (time < out.lastTime()) throw new Error(`time ${time} is before the previous access's time ${out.lastTime()}`);
      out.push(time, page, kind === 'W' ? 1 : 0);
    } catch (err) {
      throw new UserError(`${fileName}:${lineIndex + 1}: ${(err as Error).message}`);
    }
  }
  return out.finish(pageSize, traceName);
}

/** Formats a trace in the text format (header comments, then `TIME PAGE R|W` per line) as UTF-8 pieces. */
export function formatTextTrace(trace: Trace): Buffer {
  const pieces = [Buffer.from(`# postcopy-lab trace\n# name: ${trace.name.replace(/\s+/g, ' ')}\n# page-size: ${trace.pageSize}\n`)];
  const n = trace.page.length;
  for (let from = 0; from < n; from += LINES_PER_PIECE) {
    let text = '';
    const to = Math.min(n, from + LINES_PER_PIECE);
    for (let i = from; i < to; i++) text += `${trace.time[i]} ${trace.page[i]} ${trace.write[i] ? 'W' : 'R'}\n`;
    pieces.push(Buffer.from(text));
  }
  return Buffer.concat(pieces);
}
