import { UserError } from '../errors';
import { LineSplitter } from './bytes';
import { TraceBuilder } from './make';
import { MAX_LINE_BYTES } from './text';
import { DEFAULT_PAGE_SIZE, type Trace } from './types';

/**
 * Turns the output of `valgrind --tool=lackey --trace-mem=yes` into a page-access trace.
 *
 * Reduction, exactly:
 *  1. Clock: every `I` record (one guest instruction) adds 1 to the clock, before anything else
 *     on that line; an access's time is the clock after the records before and including it.
 *  2. Accesses: every data record ` L ` (load: read), ` S ` (store: write) and ` M ` (modify:
 *     write); `I` records too when `includeInstructionFetches`. Its virtual page is the
 *     record's address >> 12 (the page of its first byte; the size field is ignored).
 *  3. Filter: a window of the `lruPages` most recently used virtual pages (LRU). An access to a
 *     page in the window only refreshes it and is dropped; an access to a page outside it is
 *     kept (with its own time and kind) and the page enters the window, evicting the least
 *     recently used one. So a page counts again only after it fell out. `lruPages = 0` keeps all.
 *  4. Dense frames: the distinct virtual pages of the kept accesses, sorted by address, are
 *     numbered 0, 1, 2, ...; each access's page becomes that number.
 * Lines that are not records (valgrind's `==pid==` messages) are ignored.
 */
export interface LackeyOptions {
  /** Size of the LRU window of recent pages; 0 = no filtering. Default 64. */
  lruPages?: number;
  /** Count instruction fetches as read accesses too. Default false. */
  includeInstructionFetches?: boolean;
  /** Name for the finished trace. */
  name?: string;
}

export const DEFAULT_LRU_PAGES = 64;

const SPACE = 0x20;
const COMMA = 0x2c;
const CHAR_I = 0x49;
const CHAR_L = 0x4c;
const CHAR_S = 0x53;
const CHAR_M = 0x4d;
/** 4096-byte pages: the last three hex digits of an address are the offset within its page. */
const PAGE_OFFSET_HEX_DIGITS = 3;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/** Streaming converter: `feed` it lackey's output in any chunking, then `finish`. */
export class LackeyConverter extends LineSplitter {
  private readonly lruPages: number;
  private readonly includeFetches: boolean;
  private readonly name: string;
  /** Map iteration order is insertion order: the first key is the least recently used page. */
  private readonly window = new Map<number, true>();
  private lineNumber = 0;
  private clock = 0;
  private times = new Float64Array(1024);
  private pages = new Float64Array(1024);
  private writes = new Uint8Array(1024);
  private kept = 0;
  /** Every access seen before filtering, for reporting the reduction. */
  rawAccesses = 0;

  constructor(opts: LackeyOptions = {}) {
    super(MAX_LINE_BYTES);
    const lru = opts.lruPages ?? DEFAULT_LRU_PAGES;
    if (!Number.isSafeInteger(lru) || lru < 0)
      throw new UserError(`LRU window must be a whole number >= 0, got ${lru}`);
    this.lruPages = lru;
    this.includeFetches = opts.includeInstructionFetches ?? false;
    this.name = opts.name ?? 'lackey';
  }

  /** Guest instructions seen so far. */
  get instructions(): number {
    return this.clock;
  }

  feed(chunk: Uint8Array): void {
    this.feedLines(chunk);
  }

  /** Processes a final unterminated line, then remaps pages densely. */
  finish(): Trace {
    this.finishLines();
    const n = this.kept;
    const sorted = this.pages.slice(0, n).sort();
    const frameOf = new Map<number, number>();
    for (let i = 0; i < n; i++) if (!frameOf.has(sorted[i])) frameOf.set(sorted[i], frameOf.size);
    const out = new TraceBuilder();
    for (let i = 0; i < n; i++) out.push(this.times[i], frameOf.get(this.pages[i]) as number, this.writes[i]);
    return out.finish(DEFAULT_PAGE_SIZE, this.name);
  }

  protected lineTooLong(): never {
    throw new UserError(`lackey line ${this.lineNumber + 1}: line longer than ${MAX_LINE_BYTES} bytes`);
  }

  protected line(data: Uint8Array, start: number, end: number): void {
    this.lineNumber++;
    if (end - start < 4) return;
    const first = data[start];
    if (first === CHAR_I && data[start + 1] === SPACE) {
      this.clock++;
      if (this.includeFetches) this.access(this.pageOf(data, start + 2, end), 0);
    } else if (first === SPACE && data[start + 2] === SPACE) {
      const kind = data[start + 1];
      if (kind === CHAR_L) this.access(this.pageOf(data, start + 3, end), 0);
      else if (kind === CHAR_S || kind === CHAR_M) this.access(this.pageOf(data, start + 3, end), 1);
    }
  }

  /** Parses `  hexaddr,size` from `from`, returning hexaddr >> 12 (exact for 64-bit addresses). */
  private pageOf(data: Uint8Array, from: number, end: number): number {
    let i = from;
    while (i < end && data[i] === SPACE) i++;
    const digitsStart = i;
    while (i < end && data[i] !== COMMA) i++;
    const digits = i - digitsStart;
    if (i === end || digits === 0 || digits > 16)
      throw new UserError(`lackey line ${this.lineNumber}: expected 'ADDRESS,SIZE'`);
    let page = 0;
    for (let k = digitsStart; k < i; k++) {
      const v = hexValue(data[k]);
      if (v < 0) throw new UserError(`lackey line ${this.lineNumber}: bad hex address`);
      if (k < i - PAGE_OFFSET_HEX_DIGITS) page = page * 16 + v;
    }
    return page;
  }

  private access(page: number, write: number): void {
    this.rawAccesses++;
    if (this.lruPages > 0) {
      const hit = this.window.delete(page);
      this.window.set(page, true);
      if (hit) return;
      if (this.window.size > this.lruPages) this.window.delete(this.window.keys().next().value as number);
    }
    this.keep(page, write);
  }

  private keep(page: number, write: number): void {
    if (this.kept === this.pages.length) {
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.times = grow(this.times, (n) => new Float64Array(n));
      this.pages = grow(this.pages, (n) => new Float64Array(n));
      this.writes = grow(this.writes, (n) => new Uint8Array(n));
    }
    this.times[this.kept] = this.clock;
    this.pages[this.kept] = page;
    this.writes[this.kept] = write;
    this.kept++;
  }
}
