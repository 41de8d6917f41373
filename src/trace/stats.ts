import { printable } from '../errors';
import { firstTouchOrder } from './first-touch';
import { largestPage, summarizeTrace, wholeTraceChunk, type Trace, type TraceChunk, type TraceSummary } from './types';

/**
 * Reuse (LRU stack) distance of an access to page p: the number of distinct OTHER pages accessed
 * since the previous access to p (0 for an immediate repeat). First accesses are cold and have none.
 * Percentiles use the nearest-rank rule: the q-quantile of m sorted values is value number
 * ceil(q * m) (1-based), so the median of [1, 2, 3, 4] is 2.
 */
export interface ReuseDistanceSummary {
  /** First accesses to a page (no previous access). */
  cold: number;
  /** Accesses with a previous access to the same page. */
  reuses: number;
  /** Over the reuses; null when there are none. */
  mean: number | null;
  median: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export interface PageHistogramBin {
  firstPage: number;
  lastPage: number;
  accesses: number;
}

export interface TraceStats {
  name: string;
  pageSize: number;
  accesses: number;
  distinctPages: number;
  /** distinctPages * pageSize / 2^20. */
  footprintMiB: number;
  writes: number;
  /** writes / accesses (0 for an empty trace). */
  writeShare: number;
  /** Time of the first and last access (0 for an empty trace). */
  firstTime: number;
  lastTime: number;
  reuseDistance: ReuseDistanceSummary;
  /** Accesses per range of page numbers: HISTOGRAM_BINS equal ranges covering 0..max page. */
  pageHistogram: PageHistogramBin[];
}

export const HISTOGRAM_BINS = 16;

/** Set bits of a 32-bit word (SWAR popcount: JavaScript has no popcount instruction). */
function bitCount(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Marked stamps 0..size-1: a bit per stamp, and a Fenwick (binary indexed) tree over the marks per 32-stamp word.
 * The tree is 32 times smaller than one over stamps, so on a million distinct pages it stays in the L2 cache,
 * where a tree per stamp missed on most of its steps (reuse distances spent 88 % of `trace stats` there).
 */
class StampMarks {
  private readonly bits: Int32Array;
  /** tree[i] sums the marks of words i - (i & -i) .. i - 1 (1-based Fenwick layout over words). */
  private readonly tree: Int32Array;

  /** Stamps 0..marked-1 marked, the rest of the `size` not. */
  constructor(size: number, marked = 0) {
    const words = Math.ceil(size / 32);
    this.bits = new Int32Array(words);
    this.tree = new Int32Array(words + 1);
    const full = marked >>> 5;
    this.bits.fill(-1, 0, full);
    if (marked & 31) this.bits[full] = (1 << (marked & 31)) - 1;
    // build in O(words): each node passes its sum on to its parent
    for (let i = 1; i <= words; i++) {
      this.tree[i] += bitCount(this.bits[i - 1]);
      const parent = i + (i & -i);
      if (parent <= words) this.tree[parent] += this.tree[i];
    }
  }

  mark(stamp: number): void {
    this.bits[stamp >>> 5] |= 1 << (stamp & 31);
    for (let i = (stamp >>> 5) + 1; i < this.tree.length; i += i & -i) this.tree[i]++;
  }

  unmark(stamp: number): void {
    this.bits[stamp >>> 5] &= ~(1 << (stamp & 31));
    for (let i = (stamp >>> 5) + 1; i < this.tree.length; i += i & -i) this.tree[i]--;
  }

  has(stamp: number): boolean {
    return (this.bits[stamp >>> 5] & (1 << (stamp & 31))) !== 0;
  }

  /** Marks at stamps 0..stamp (inclusive). */
  upTo(stamp: number): number {
    const word = stamp >>> 5;
    // bits 0..stamp & 31 of its word: (2 << 31) is 0 in 32-bit arithmetic, so bit 31 takes the whole word
    let sum = bitCount(this.bits[word] & ((2 << (stamp & 31)) - 1));
    for (let i = word; i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }
}

/** Page -> stamp of its latest access (-1 = none yet). */
interface LastAccessTable {
  get(page: number): number;
  set(page: number, stamp: number): void;
}

/** Largest page count indexed directly by an array (32 MiB of Int32); sparser traces use a Map. */
const DIRECT_TABLE_PAGES = 1 << 23;

function lastAccessTable(largestPage: number): LastAccessTable {
  if (largestPage < DIRECT_TABLE_PAGES) {
    const table = new Int32Array(largestPage + 1).fill(-1);
    return { get: (p) => table[p], set: (p, i) => void (table[p] = i) };
  }
  const map = new Map<number, number>();
  return { get: (p) => map.get(p) ?? -1, set: (p, i) => void map.set(p, i) };
}

/** Stamps a window holds at first; it doubles when the distinct pages fill half of it. */
const FIRST_WINDOW = 1 << 16;

/**
 * Reuse distances in one pass, with memory in the distinct pages, not the accesses. Each access gets
 * a stamp; a stamp is marked while it holds the latest access to its page, so the marks strictly
 * between the previous access to p and now count the distinct other pages touched in between. When
 * the stamps run out, the marked ones are renumbered 0, 1, 2, ... in order (the counts between them
 * do not change), so the window never needs more than twice the distinct pages: O(n log d) in all.
 */
export class ReuseDistanceCounter {
  private window = FIRST_WINDOW;
  private marks = new StampMarks(FIRST_WINDOW);
  /** Page accessed at each stamp; only the marked stamps' entries are read (compact), so none is ever cleared. */
  private pageAt = new Uint32Array(FIRST_WINDOW);
  private next = 0;
  private readonly last: LastAccessTable;
  distinctPages = 0;

  /** `largestPage` sizes the page table (direct array or Map). */
  constructor(largestPage: number) {
    this.last = lastAccessTable(largestPage);
  }

  /** The reuse distance of the next access, to page p; -1 for a first access. */
  add(p: number): number {
    if (this.next === this.window) this.compact();
    const previous = this.last.get(p);
    let distance = -1;
    if (previous >= 0) {
      // one mark per distinct page, all at stamps before next: those after previous are the distance
      distance = this.distinctPages - this.marks.upTo(previous);
      this.marks.unmark(previous);
    } else {
      this.distinctPages++;
    }
    this.marks.mark(this.next);
    this.pageAt[this.next] = p;
    this.last.set(p, this.next);
    this.next++;
    return distance;
  }

  private compact(): void {
    if (2 * this.distinctPages > this.window) this.window *= 2;
    const pageAt = new Uint32Array(this.window);
    let kept = 0;
    for (let stamp = 0; stamp < this.next; stamp++) {
      if (!this.marks.has(stamp)) continue;
      const p = this.pageAt[stamp];
      pageAt[kept] = p;
      this.last.set(p, kept++);
    }
    this.pageAt = pageAt;
    this.marks = new StampMarks(this.window, kept);
    this.next = kept;
  }
}

/** Reuse distances of all reuses, in access order, plus the number of distinct pages. */
export function reuseDistances(page: Uint32Array): { distances: Float64Array; distinctPages: number } {
  const counter = new ReuseDistanceCounter(largestPage(page));
  const distances = new Float64Array(page.length);
  let reuses = 0;
  for (let i = 0; i < page.length; i++) {
    const distance = counter.add(page[i]);
    if (distance >= 0) distances[reuses++] = distance;
  }
  return { distances: distances.slice(0, reuses), distinctPages: counter.distinctPages };
}

/** Nearest-rank quantile from counts per value (counts[v] = how many times v occurs, m in all), q in (0, 1]. */
function quantileOfCounts(counts: Float64Array, m: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * m));
  let seen = 0;
  for (let v = 0; v < counts.length; v++) {
    seen += counts[v];
    if (seen >= rank) return v;
  }
  return counts.length - 1;
}

/** Summary from counts per distance (a distance is below the number of distinct pages). */
function summarize(counts: Float64Array, cold: number): ReuseDistanceSummary {
  let m = 0;
  let sum = 0;
  let max = -1;
  for (let d = 0; d < counts.length; d++) {
    if (counts[d] === 0) continue;
    m += counts[d];
    sum += d * counts[d];
    max = d;
  }
  if (m === 0) return { cold, reuses: 0, mean: null, median: null, p90: null, p99: null, max: null };
  const q = (x: number) => quantileOfCounts(counts, m, x);
  return { cold, reuses: m, mean: sum / m, median: q(0.5), p90: q(0.9), p99: q(0.99), max };
}

/** Width of the page histogram's bins: HISTOGRAM_BINS equal ranges from page 0 to the largest. */
function binWidth(largest: number, bins: number): number {
  return Math.ceil((largest + 1) / bins);
}

function histogramBins(counts: Float64Array, width: number, largest: number): PageHistogramBin[] {
  return Array.from(counts, (accesses, b) => ({
    firstPage: b * width,
    lastPage: Math.min(largest, (b + 1) * width - 1),
    accesses,
  }));
}

/** Bins of equal width ceil((maxPage + 1) / bins) from page 0; fewer bins when there are fewer pages. */
export function pageHistogram(page: Uint32Array, bins = HISTOGRAM_BINS): PageHistogramBin[] {
  if (page.length === 0) return [];
  const maxPage = largestPage(page);
  const width = binWidth(maxPage, bins);
  const counts = new Float64Array(Math.ceil((maxPage + 1) / width));
  for (let i = 0; i < page.length; i++) counts[Math.floor(page[i] / width)]++;
  return histogramBins(counts, width, maxPage);
}

/**
 * traceStats over chunks fed in order, with memory in the distinct pages (not the accesses): the
 * summary of a first pass gives the largest page (table sizes, histogram bins) and the times.
 */
export class TraceStatsBuilder {
  private readonly reuse: ReuseDistanceCounter;
  /** Reuses per distance value; grows as larger distances appear. */
  private distanceCounts = new Float64Array(1024);
  private readonly width: number;
  private readonly binCounts: Float64Array;
  private writes = 0;

  constructor(private readonly summary: TraceSummary) {
    this.reuse = new ReuseDistanceCounter(summary.largestPage);
    this.width = binWidth(Math.max(0, summary.largestPage), HISTOGRAM_BINS);
    this.binCounts = new Float64Array(summary.accesses === 0 ? 0 : Math.ceil((summary.largestPage + 1) / this.width));
  }

  add(chunk: TraceChunk): void {
    const { page, write } = chunk;
    const { reuse, width, binCounts } = this;
    let writes = 0;
    for (let i = 0; i < page.length; i++) {
      const p = page[i];
      writes += write[i];
      binCounts[Math.floor(p / width)]++;
      const distance = reuse.add(p);
      if (distance < 0) continue;
      if (distance >= this.distanceCounts.length) this.growDistances(distance);
      this.distanceCounts[distance]++;
    }
    this.writes += writes;
  }

  finish(): TraceStats {
    const { summary, writes } = this;
    const distinctPages = this.reuse.distinctPages;
    return {
      name: summary.name,
      pageSize: summary.pageSize,
      ...footprint(summary, distinctPages, writes),
      firstTime: summary.firstTime,
      lastTime: summary.lastTime,
      reuseDistance: summarize(this.distanceCounts, distinctPages),
      pageHistogram: histogramBins(this.binCounts, this.width, summary.largestPage),
    };
  }

  private growDistances(distance: number): void {
    const grown = new Float64Array(Math.max(2 * this.distanceCounts.length, distance + 1));
    grown.set(this.distanceCounts);
    this.distanceCounts = grown;
  }
}

type TraceFootprint = Pick<TraceStats, 'accesses' | 'distinctPages' | 'footprintMiB' | 'writes' | 'writeShare'>;

function footprint(summary: TraceSummary, distinctPages: number, writes: number): TraceFootprint {
  const n = summary.accesses;
  return {
    accesses: n,
    distinctPages,
    footprintMiB: (distinctPages * summary.pageSize) / 2 ** 20,
    writes,
    writeShare: n === 0 ? 0 : writes / n,
  };
}

/**
 * The counts of traceStats that need no reuse distances or histogram (a notebook's setup table), in one
 * cheap pass: reuse distances cost a tree update per access.
 */
export function traceFootprint(trace: Trace): TraceFootprint {
  const summary = summarizeTrace(trace);
  let writes = 0;
  for (let i = 0; i < trace.write.length; i++) writes += trace.write[i];
  return footprint(summary, firstTouchOrder(trace.page, summary.largestPage).length, writes);
}

export function traceStats(trace: Trace): TraceStats {
  const builder = new TraceStatsBuilder(summarizeTrace(trace));
  builder.add(wholeTraceChunk(trace));
  return builder.finish();
}

const BAR_WIDTH = 40;

/** Human-readable report of traceStats, with a text bar chart of the page histogram. */
export function formatTraceStats(stats: TraceStats): string {
  const r = stats.reuseDistance;
  const round = (x: number | null): string => (x === null ? '-' : String(Math.round(x * 100) / 100));
  const lines = [
    `trace           ${printable(stats.name)}`,
    `accesses        ${stats.accesses}`,
    `distinct pages  ${stats.distinctPages}`,
    `footprint       ${stats.footprintMiB.toFixed(2)} MiB (${stats.pageSize}-byte pages)`,
    `write share     ${stats.writeShare.toFixed(4)} (${stats.writes} writes)`,
    `time            ${stats.firstTime} .. ${stats.lastTime} instructions`,
    `reuse distance  cold ${r.cold}, reuses ${r.reuses}: mean ${round(r.mean)}, median ${round(r.median)}, ` +
      `p90 ${round(r.p90)}, p99 ${round(r.p99)}, max ${round(r.max)}`,
  ];
  if (stats.pageHistogram.length > 0) {
    const peak = Math.max(...stats.pageHistogram.map((b) => b.accesses));
    const label = (b: PageHistogramBin) => `${b.firstPage}-${b.lastPage}`;
    const labelWidth = Math.max(...stats.pageHistogram.map((b) => label(b).length));
    lines.push('accesses by page number:');
    for (const bin of stats.pageHistogram) {
      const bar = '#'.repeat(peak === 0 ? 0 : Math.round((bin.accesses / peak) * BAR_WIDTH));
      lines.push(`  ${label(bin).padStart(labelWidth)} ${bar.padEnd(BAR_WIDTH)} ${bin.accesses}`);
    }
  }
  return lines.join('\n');
}
