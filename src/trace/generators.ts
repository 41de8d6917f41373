import seedrandom from 'seedrandom';
import { quoted, refuseUnknownNames, shownNumber, UserError } from '../errors';
import { CHUNK_ACCESSES } from './decode';
import { checkPageSize, TraceBuilder } from './make';
import { DEFAULT_PAGE_SIZE, MAX_PAGE, type Trace, type TraceChunk, type TraceSummaryHead } from './types';
import { deepFreeze } from '../util/deep-freeze';

export const GENERATOR_KINDS = ['sequential', 'strided', 'random', 'zipf', 'pointer-chase', 'phased'] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

export interface GeneratorOptions {
  /** Same seed, same options => byte-identical trace. */
  seed: string | number;
  /** Number of accesses. */
  accesses: number;
  /** Pages 0..pages-1 form the address space. */
  pages: number;
  /** Probability that an access is a write, in [0, 1]. Default 0. */
  writeRatio?: number;
  /** strided: pages skipped per access. Default 16. */
  stride?: number;
  /** zipf: exponent s (popularity of rank r is proportional to 1 / r^s). Default 1. */
  zipfExponent?: number;
  /** phased: each phase's working set as a fraction of all pages. Default 0.1. */
  hotFraction?: number;
  /** phased: number of phases of equal length. Default 4. */
  phases?: number;
  /** Instructions between two accesses: access i happens at time i * this. Default 10. */
  instructionsPerAccess?: number;
  /** Page size in bytes recorded in the trace. Default 4096. */
  pageSize?: number;
}

/** GeneratorOptions' names (the compiler keeps this whole): a misspelt one ({ zipfExponant }) is refused. */
const GENERATOR_OPTION_NAMES = Object.keys({
  seed: true,
  accesses: true,
  pages: true,
  writeRatio: true,
  stride: true,
  zipfExponent: true,
  hotFraction: true,
  phases: true,
  instructionsPerAccess: true,
  pageSize: true,
} satisfies Record<keyof GeneratorOptions, true>);

export const GENERATOR_DEFAULTS = deepFreeze({
  writeRatio: 0,
  stride: 16,
  zipfExponent: 1,
  hotFraction: 0.1,
  phases: 4,
  instructionsPerAccess: 10,
});

type Random = () => number;
/** Yields the next page of a pattern over pages 0..size-1; closures keep generation allocation-free. */
type PageStream = () => number;

function uniformInt(random: Random, size: number): number {
  return Math.floor(random() * size);
}

/** 0, 1, 2, ... wrapping around. */
function sequential(size: number): PageStream {
  let next = 0;
  return () => {
    const page = next;
    next = next + 1 === size ? 0 : next + 1;
    return page;
  };
}

/**
 * Offsets 0, s, 2s, ... while below size, then 1, 1+s, ... then 2, ...: every page once per
 * sweep of `stride` laps, then the sweep repeats.
 */
function strided(size: number, stride: number): PageStream {
  const step = Math.min(stride, size);
  let lap = 0;
  let next = 0;
  return () => {
    const page = next;
    next += step;
    if (next >= size) {
      lap = lap + 1 === step ? 0 : lap + 1;
      next = lap;
    }
    return page;
  };
}

function uniform(size: number, random: Random): PageStream {
  return () => uniformInt(random, size);
}

/** A random permutation of 0..size-1 (Fisher-Yates). */
function permutation(size: number, random: Random): Uint32Array {
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  for (let i = size - 1; i > 0; i--) {
    const j = uniformInt(random, i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * Zipf popularity: rank r (1-based) is drawn with probability proportional to 1 / r^s by binary
 * search in the cumulative weights; ranks map to pages through a random permutation, so the hot
 * pages are scattered over the address space rather than packed at its start.
 */
function zipf(size: number, exponent: number, random: Random): PageStream {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) {
    total += 1 / Math.pow(r + 1, exponent);
    cumulative[r] = total;
  }
  const pageOfRank = permutation(size, random);
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= target) lo = mid + 1;
      else hi = mid;
    }
    return pageOfRank[lo];
  };
}

/**
 * Follows a random cyclic permutation (Sattolo's algorithm: one cycle through all pages) from a
 * random start, like walking a linked list scattered over memory.
 */
function pointerChase(size: number, random: Random): PageStream {
  const next = new Uint32Array(size);
  for (let i = 0; i < size; i++) next[i] = i;
  for (let i = size - 1; i > 0; i--) {
    const j = uniformInt(random, i);
    const t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  let current = uniformInt(random, size);
  return () => {
    const page = current;
    current = next[current];
    return page;
  };
}

/** The patterns that phases cycle through, in order. */
export const PHASE_PATTERNS = ['sequential', 'random', 'zipf', 'pointer-chase', 'strided'] as const;

/**
 * Phases of equal length (the last takes the remainder). Phase k works on its own window of
 * max(1, round(hotFraction * pages)) consecutive pages at a random offset, with pattern
 * PHASE_PATTERNS[k mod 5] inside the window.
 */
function phased(opts: Required<Omit<GeneratorOptions, 'seed' | 'pageSize'>>, random: Random): (i: number) => number {
  const window = Math.max(1, Math.round(opts.hotFraction * opts.pages));
  const phaseLength = Math.max(1, Math.floor(opts.accesses / opts.phases));
  let phase = -1;
  let offset = 0;
  let inner: PageStream = () => 0;
  return (i) => {
    const wanted = Math.min(opts.phases - 1, Math.floor(i / phaseLength));
    if (wanted !== phase) {
      phase = wanted;
      offset = uniformInt(random, opts.pages - window + 1);
      inner = pattern(PHASE_PATTERNS[phase % PHASE_PATTERNS.length], window, opts, random);
    }
    return offset + inner();
  };
}

function pattern(
  kind: Exclude<GeneratorKind, 'phased'>,
  size: number,
  opts: { stride: number; zipfExponent: number },
  random: Random,
): PageStream {
  switch (kind) {
    case 'sequential':
      return sequential(size);
    case 'strided':
      return strided(size, opts.stride);
    case 'random':
      return uniform(size, random);
    case 'zipf':
      return zipf(size, opts.zipfExponent, random);
    case 'pointer-chase':
      return pointerChase(size, random);
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new UserError(message);
}

/** Fills defaults and rejects impossible parameters with a UserError naming the option. */
function resolveOptions(kind: string, opts: GeneratorOptions): Required<Omit<GeneratorOptions, 'seed' | 'pageSize'>> {
  check(
    (GENERATOR_KINDS as readonly string[]).includes(kind),
    `unknown generator ${quoted(kind)} (kinds: ${GENERATOR_KINDS.join(', ')})`,
  );
  // ignored, it generated the default's trace without a word
  refuseUnknownNames(opts, GENERATOR_OPTION_NAMES, 'generator option');
  const d = GENERATOR_DEFAULTS;
  const o = {
    accesses: opts.accesses,
    pages: opts.pages,
    writeRatio: opts.writeRatio ?? d.writeRatio,
    stride: opts.stride ?? d.stride,
    zipfExponent: opts.zipfExponent ?? d.zipfExponent,
    hotFraction: opts.hotFraction ?? d.hotFraction,
    phases: opts.phases ?? d.phases,
    instructionsPerAccess: opts.instructionsPerAccess ?? d.instructionsPerAccess,
  };
  check(
    Number.isSafeInteger(o.accesses) && o.accesses >= 0,
    `accesses must be a whole number >= 0, got ${shownNumber(o.accesses)}`,
  );
  check(
    Number.isSafeInteger(o.pages) && o.pages >= 1 && o.pages - 1 <= MAX_PAGE,
    `pages must be a whole number in [1, 2^32], got ${shownNumber(o.pages)}`,
  );
  // a string ('0.5') passed its comparisons and ran, where a whole number given as a string is refused
  check(
    typeof o.writeRatio === 'number' && o.writeRatio >= 0 && o.writeRatio <= 1,
    `write ratio must be a number in [0, 1], got ${shownNumber(o.writeRatio)}`,
  );
  check(
    Number.isSafeInteger(o.stride) && o.stride >= 1,
    `stride must be a whole number >= 1, got ${shownNumber(o.stride)}`,
  );
  check(
    Number.isFinite(o.zipfExponent) && o.zipfExponent >= 0,
    `zipf exponent must be a number >= 0, got ${shownNumber(o.zipfExponent)}`,
  );
  check(
    typeof o.hotFraction === 'number' && o.hotFraction > 0 && o.hotFraction <= 1,
    `hot fraction must be a number in (0, 1], got ${shownNumber(o.hotFraction)}`,
  );
  check(
    Number.isSafeInteger(o.phases) && o.phases >= 1,
    `phases must be a whole number >= 1, got ${shownNumber(o.phases)}`,
  );
  check(
    Number.isSafeInteger(o.instructionsPerAccess) && o.instructionsPerAccess >= 1,
    `instructions per access must be a whole number >= 1, got ${shownNumber(o.instructionsPerAccess)}`,
  );
  check(
    Number.isSafeInteger(o.accesses * o.instructionsPerAccess),
    'accesses * instructions per access must stay below 2^53',
  );
  return o;
}

/**
 * Generates a synthetic trace. Pages and writes draw from two separate seeded streams
 * (seed and seed + ':writes'), so changing the write ratio never changes the page sequence.
 */
export function generateTrace(kind: GeneratorKind, opts: GeneratorOptions): Trace {
  const generated = generateTraceChunks(kind, opts);
  const builder = new TraceBuilder(generated.accesses);
  for (const chunk of generated.chunks) builder.append(chunk);
  return builder.finish(generated.pageSize, generated.name);
}

/** Whether each access in turn is a write: a seeded stream of its own, so the pages never depend on the write ratio. */
function writeStream(seed: string | number, writeRatio: number): () => number {
  const writeRandom = seedrandom.alea(`${seed}:writes`);
  return () => (writeRatio > 0 && writeRandom() < writeRatio ? 1 : 0);
}

/**
 * generateTrace(kind, { ...opts, writeRatio }) for each of `writeRatios`, drawing the pages once: the traces share
 * one time and page column (read-only, as every trace's), each has its own writes. Notebook 05's sweep makes seven
 * write shares of one VM per seed, and drawing the same zipf pages seven times was most of its CPU in one thread.
 */
export function generateTracesByWriteRatio(
  kind: GeneratorKind,
  opts: GeneratorOptions,
  writeRatios: readonly number[],
): Trace[] {
  const ratios = writeRatios.map((writeRatio) => resolveOptions(kind, { ...opts, writeRatio }).writeRatio);
  const pages = generateTrace(kind, { ...opts, writeRatio: 0 });
  return ratios.map((writeRatio) => {
    const isWrite = writeStream(opts.seed, writeRatio);
    const write = new Uint8Array(pages.write.length);
    for (let i = 0; i < write.length; i++) write[i] = isWrite();
    return { ...pages, write };
  });
}

/**
 * generateTrace a chunk of at most CHUNK_ACCESSES at a time, so that a trace of any length can be
 * written to a file without being held whole; the same accesses in the same order.
 */
export function generateTraceChunks(
  kind: GeneratorKind,
  opts: GeneratorOptions,
): TraceSummaryHead & { chunks: Iterable<TraceChunk> } {
  const o = resolveOptions(kind, opts);
  const pageSize = checkPageSize(opts.pageSize ?? DEFAULT_PAGE_SIZE);
  function* chunks(): Generator<TraceChunk> {
    const random = seedrandom.alea(String(opts.seed));
    const isWrite = writeStream(opts.seed, o.writeRatio);
    const pageAt: (i: number) => number = kind === 'phased' ? phased(o, random) : pattern(kind, o.pages, o, random);
    for (let start = 0; start < o.accesses; start += CHUNK_ACCESSES) {
      const n = Math.min(CHUNK_ACCESSES, o.accesses - start);
      const chunk = { start, time: new Float64Array(n), page: new Uint32Array(n), write: new Uint8Array(n) };
      for (let j = 0; j < n; j++) {
        const i = start + j;
        chunk.time[j] = i * o.instructionsPerAccess;
        chunk.page[j] = pageAt(i);
        chunk.write[j] = isWrite();
      }
      yield chunk;
    }
  }
  return { name: `${kind}(seed=${opts.seed})`, pageSize, accesses: o.accesses, chunks: chunks() };
}
