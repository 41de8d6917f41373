/**
 * Plain-text interchange format, one access per line:
 *   TIME PAGE [R|W]   decimal integers; kind R (read, the default) or W (write), either case
 *   PAGE              time = the access's index (0-based, counting access lines only)
 * Fields are separated by spaces or tabs. Blank lines and lines starting with `#` are ignored,
 * except the directives `# page-size: N`, which sets the page size, and `# name: TEXT`, both before the first access
 * (one after it is a header of another trace run into this one); either given again with another value is refused
 * (which one the trace means is not known).
 * TIME is a whole number in [0, 2^53) and never smaller than the previous access's time;
 * PAGE is a whole number in [0, 2^32). A UTF-8 byte order mark at the start and `\r\n` line ends are fine; CR
 * alone (classic Mac OS) is not a line end, as for most Unix tools: such a file is refused saying so.
 *
 * Pure (no node modules): the browser bundle parses with it too. The parser works on the bytes:
 * no string per line, no split; only comment lines and errors are ever decoded to text.
 */
import type { DecodedColumns } from './packed';
import { printable, quoted, UserError } from '../errors';
import { concatBytes, LineSplitter } from './bytes';
import { TraceBuilder } from './make';
import { DEFAULT_PAGE_SIZE, MAX_PAGE, type Trace } from './types';

const PAGE_SIZE_DIRECTIVE = /^#\s*page-size:\s*(\S+)\s*$/i;
const NAME_DIRECTIVE = /^#\s*name:\s*(.*?)\s*$/i;
const DIGITS = /^\d+$/;
const LINES_PER_PIECE = 65536;
/**
 * A longer line is an error, not a reason to buffer a file without line ends (a valid access line takes < 40 bytes).
 */
export const MAX_LINE_BYTES = 1 << 20;

const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const CR = 0x0d;
const ZERO = 0x30;
const BOM = [0xef, 0xbb, 0xbf];

/** Receives each parsed access, in order. */
export interface AccessSink {
  push(time: number, page: number, write: number): void;
  /** Optional: the file announced how many accesses it holds (a binary header), so room can be made once. */
  reserve?(accesses: number): void;
  /**
   * Optional: where the next binary block of `count` accesses may decode in place (views of the sink's
   * own storage); the chunk then handed to onChunk is those views.
   */
  claim?(count: number, wideTimes: boolean): DecodedColumns;
}

/** Separators inside a line. */
function isSeparator(byte: number): boolean {
  return byte === SPACE || byte === TAB;
}

/** What String.prototype.trim removes among ASCII: space, tab, CR, vertical tab, form feed. */
function isBlank(byte: number): boolean {
  return byte === SPACE || (byte >= TAB && byte <= 0x0d);
}

const utf8 = new TextDecoder();

function wholeNumberError(
  bytes: Uint8Array,
  from: number,
  to: number,
  what: string,
  max: number,
  value: number,
): string {
  const text = utf8.decode(bytes.subarray(from, to));
  return value < 0
    ? `${what} must be a decimal whole number, got ${quoted(text)}`
    : `${what} ${text} is larger than ${max}`;
}

/** Decimal digits in bytes[from, to) as a number, or -1 when a byte is not a digit. */
function digits(bytes: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = bytes[i] - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Streaming parser of the text format: `feed` it the file's bytes in any chunking (a line may
 * be split anywhere, CR and LF included), then `finish`. Errors are UserErrors `FILE:LINE: reason`.
 */
export class TextTraceParser extends LineSplitter {
  /** Page size from the `# page-size:` directive (default 4096). */
  pageSize = DEFAULT_PAGE_SIZE;
  /** Name from the `# name:` directive, else the name given to the constructor. */
  name: string;
  /** Accesses parsed so far. */
  accesses = 0;
  private lastTime = 0;
  private lineNumber = 0;
  /** Lines of the previous access and of the last one holding only a page: for the message when times go back. */
  private lastAccessLine = 0;
  private lastLoneLine = 0;
  /** Line of the `# page-size:` directive, 0 when there was none. */
  private pageSizeLine = 0;
  /** Line of the `# name:` directive, 0 when there was none. */
  private nameLine = 0;
  /** The first bytes while they may still be the start of a byte order mark. */
  private head: Uint8Array = new Uint8Array(0);
  private started = false;

  constructor(
    private readonly fileName: string,
    private readonly sink: AccessSink,
    name = fileName,
  ) {
    super(MAX_LINE_BYTES);
    this.name = name;
  }

  feed(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (bytes.indexOf(0) >= 0)
      throw new UserError(
        `${this.fileName}: neither a text trace nor a postcopy-lab binary trace (contains NUL bytes)`,
      );
    let data = bytes;
    if (!this.started) {
      if (this.head.length + data.length < BOM.length && data.every((b, i) => b === BOM[this.head.length + i])) {
        this.head = concatBytes([this.head, data]);
        return;
      }
      data = concatBytes([this.head, data]);
      this.head = new Uint8Array(0);
      this.started = true;
      if (data[0] === BOM[0] && data[1] === BOM[1] && data[2] === BOM[2]) data = data.subarray(3);
    }
    this.feedLines(data);
  }

  /** Parses the last line when the file does not end with a line end. */
  finish(): void {
    if (!this.started) {
      this.started = true;
      this.feedLines(this.head);
    }
    this.finishLines();
  }

  protected lineTooLong(partial: Uint8Array): never {
    this.badLine(partial, 0, partial.length, this.lineNumber + 1, `line longer than ${MAX_LINE_BYTES} bytes`);
  }

  private fail(lineNumber: number, reason: string): never {
    throw new UserError(`${this.fileName}:${lineNumber}: ${reason}`);
  }

  /**
   * An access line bytes[from, to) that does not parse: said to hold a CR when it does. A file whose lines end in
   * CR alone is one line to this parser, and the reason alone ("got '0 10'", the CR shown as a space) hid why.
   */
  private badLine(bytes: Uint8Array, from: number, to: number, lineNumber: number, reason: string): never {
    if (bytes.subarray(from, to).includes(CR))
      this.fail(lineNumber, 'a carriage return (CR) inside the line: lines must end in LF or CR LF, not in CR alone');
    this.fail(lineNumber, reason);
  }

  /** One line, bytes[from, to) without its LF. */
  protected line(bytes: Uint8Array, from: number, to: number): void {
    const lineNumber = ++this.lineNumber;
    let s = from;
    let e = to;
    while (s < e && isBlank(bytes[s])) s++;
    while (e > s && isBlank(bytes[e - 1])) e--;
    if (s === e) return;
    // a CR-only file whose first line is a comment would be one comment: an empty trace, not an error
    if (bytes[s] === HASH) {
      if (bytes.subarray(s, e).includes(CR)) this.badLine(bytes, s, e, lineNumber, 'comment holds a CR');
      return this.comment(utf8.decode(bytes.subarray(s, e)), lineNumber);
    }
    // Field boundaries: [s0, e0) [s1, e1) [s2, e2), and how many fields there are in all.
    let s0 = s,
      e0 = s,
      s1 = s,
      e1 = s,
      s2 = s,
      e2 = s;
    let fields = 0;
    for (let i = s; i < e;) {
      const fieldStart = i;
      while (i < e && !isSeparator(bytes[i])) i++;
      if (fields === 0) ((s0 = fieldStart), (e0 = i));
      else if (fields === 1) ((s1 = fieldStart), (e1 = i));
      else if (fields === 2) ((s2 = fieldStart), (e2 = i));
      fields++;
      while (i < e && isSeparator(bytes[i])) i++;
    }
    if (fields > 3) this.badLine(bytes, s, e, lineNumber, `expected 'TIME PAGE [R|W]' or 'PAGE', got ${fields} fields`);
    let time: number;
    let pageStart = s0;
    let pageEnd = e0;
    if (fields === 1) {
      time = this.accesses;
      this.lastLoneLine = lineNumber;
    } else {
      time = digits(bytes, s0, e0);
      if (time < 0 || time > Number.MAX_SAFE_INTEGER) {
        this.badLine(bytes, s, e, lineNumber, wholeNumberError(bytes, s0, e0, 'time', Number.MAX_SAFE_INTEGER, time));
      }
      pageStart = s1;
      pageEnd = e1;
    }
    const page = digits(bytes, pageStart, pageEnd);
    if (page < 0 || page > MAX_PAGE)
      this.badLine(bytes, s, e, lineNumber, wholeNumberError(bytes, pageStart, pageEnd, 'page', MAX_PAGE, page));
    let write = 0;
    if (fields === 3) {
      const kind = e2 - s2 === 1 ? bytes[s2] | 0x20 : 0;
      if (kind === 0x77) write = 1;
      else if (kind !== 0x72)
        this.badLine(
          bytes,
          s,
          e,
          lineNumber,
          `kind must be R or W, got ${quoted(utf8.decode(bytes.subarray(s2, e2)))}`,
        );
    }
    if (time < this.lastTime) this.fail(lineNumber, this.timeGoesBack(time, fields === 1));
    this.lastTime = time;
    this.lastAccessLine = lineNumber;
    this.accesses++;
    this.sink.push(time, page, write);
  }

  /** Why `time` cannot follow the previous access's; a time a lone page takes (its index) is not in the file. */
  private timeGoesBack(time: number, lone: boolean): string {
    const fix = 'give every access line a time or none';
    const previous = this.lastAccessLine;
    if (lone) {
      const index = `a line holding only a page takes its access index as its time, ${time}`;
      return `${index}, before line ${previous}'s time ${this.lastTime}: ${fix}`;
    }
    if (this.lastLoneLine === previous) {
      const index = `the access index line ${previous} takes as its time (it holds only a page)`;
      return `time ${time} is before ${this.lastTime}, ${index}: ${fix}`;
    }
    return `time ${time} is before the previous access's time ${this.lastTime}`;
  }

  private comment(line: string, lineNumber: number): void {
    const size = PAGE_SIZE_DIRECTIVE.exec(line);
    if (size) {
      if (this.accesses > 0) this.fail(lineNumber, 'page-size directive must come before the first access');
      const value = Number(size[1]);
      if (!DIGITS.test(size[1]))
        this.fail(lineNumber, `page size must be a decimal whole number, got ${quoted(size[1])}`);
      if (value > 2 ** 30) this.fail(lineNumber, `page size ${size[1]} is larger than ${2 ** 30}`);
      if (value === 0 || (value & (value - 1)) !== 0)
        this.fail(lineNumber, `page size must be a power of two, got ${value}`);
      if (this.pageSizeLine > 0 && value !== this.pageSize)
        this.fail(lineNumber, `page size ${value} contradicts line ${this.pageSizeLine}'s page size ${this.pageSize}`);
      this.pageSize = value;
      this.pageSizeLine = lineNumber;
    }
    const named = NAME_DIRECTIVE.exec(line);
    if (!named || named[1] === '') return;
    // a header inside the accesses (`cat a.txt b.txt` of two traces of one name) was taken as if at the top
    if (this.accesses > 0) this.fail(lineNumber, 'name directive must come before the first access');
    // two traces run together (`cat a.txt b.txt`) kept the second one's name without a word
    if (this.nameLine > 0 && named[1] !== this.name)
      this.fail(lineNumber, `name ${quoted(named[1])} contradicts line ${this.nameLine}'s name ${quoted(this.name)}`);
    this.name = named[1];
    this.nameLine = lineNumber;
  }
}

/** Column view of accesses for the formatter (a Trace or a TraceChunk). */
interface AccessColumns {
  readonly time: ArrayLike<number>;
  readonly page: ArrayLike<number>;
  readonly write: ArrayLike<number>;
}

const utf8Encoder = new TextEncoder();

/**
 * The text format's header comments for a trace's name and page size: the name on one line (white space runs as one
 * space) and its other control characters as escapes (printable), as `trace stats` shows it: a text trace is read in
 * terminals (`head`, `less`), and an ESC from a .pctrace's name recoloured or retitled them.
 */
export function textTraceHeader(name: string, pageSize: number): Uint8Array {
  const shown = printable(name.replace(/\s+/g, ' '));
  return utf8Encoder.encode(`# postcopy-lab trace\n# name: ${shown}\n# page-size: ${pageSize}\n`);
}

/** Accesses as `TIME PAGE R|W` lines, in pieces of LINES_PER_PIECE lines. */
export function* textTraceLines(columns: AccessColumns): Generator<Uint8Array> {
  const n = columns.page.length;
  for (let from = 0; from < n; from += LINES_PER_PIECE) {
    let text = '';
    const to = Math.min(n, from + LINES_PER_PIECE);
    for (let i = from; i < to; i++) text += `${columns.time[i]} ${columns.page[i]} ${columns.write[i] ? 'W' : 'R'}\n`;
    yield utf8Encoder.encode(text);
  }
}

/** A whole trace in the text format (header comments, then `TIME PAGE R|W` per line). */
export function formatTextTrace(
  trace: AccessColumns & { readonly name: string; readonly pageSize: number },
): Uint8Array {
  return concatBytes([textTraceHeader(trace.name, trace.pageSize), ...textTraceLines(trace)]);
}

/** Parses a whole text trace held in memory (bytes or a string) into a Trace; errors name `fileName:LINE`. */
export function parseTextTrace(text: Uint8Array | string, fileName: string, name = fileName): Trace {
  const builder = new TraceBuilder();
  const parser = new TextTraceParser(fileName, builder, name);
  parser.feed(typeof text === 'string' ? utf8Encoder.encode(text) : text);
  parser.finish();
  return builder.finish(parser.pageSize, parser.name);
}
