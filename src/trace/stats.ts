import { largestPage, type Trace } from './types';

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

/** Fenwick (binary indexed) tree of counts over positions 0..n-1. */
class CountTree {
  private readonly tree: Int32Array;
  constructor(size: number) {
    this.tree = new Int32Array(size + 1);
  }
  add(position: number, delta: number): void {
    for (let i = position + 1; i < this.tree.length; i += i & -i) this.tree[i] += delta;
  }
  /** Sum over positions 0..position-1. */
  prefix(position: number): number {
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }
}

/**
 * Reuse distances of all reuses, in access order, plus the number of distinct pages. A position is
 * marked while it holds the latest access to its page, so the marks strictly between the previous
 * access to p and now count the distinct other pages touched in between: O(n log n).
 */
export function reuseDistances(page: Uint32Array): { distances: Float64Array; distinctPages: number } {
  const n = page.length;
  const marks = new CountTree(n);
  const lastAccess = lastAccessTable(page);
  const distances = new Float64Array(n);
  let reuses = 0;
  for (let i = 0; i < n; i++) {
    const previous = lastAccess.get(page[i]);
    if (previous >= 0) {
      distances[reuses++] = marks.prefix(i) - marks.prefix(previous + 1);
      marks.add(previous, -1);
    }
    marks.add(i, 1);
    lastAccess.set(page[i], i);
  }
  return { distances: distances.slice(0, reuses), distinctPages: n - reuses };
}

/** Page -> index of its latest access (-1 = none yet). */
interface LastAccessTable {
  get(page: number): number;
  set(page: number, index: number): void;
}

/** Largest page count indexed directly by an array (32 MiB of Int32); sparser traces use a Map. */
const DIRECT_TABLE_PAGES = 1 << 23;

function lastAccessTable(page: Uint32Array): LastAccessTable {
  const maxPage = largestPage(page);
  if (maxPage < DIRECT_TABLE_PAGES) {
    const table = new Int32Array(maxPage + 1).fill(-1);
    return { get: (p) => table[p], set: (p, i) => void (table[p] = i) };
  }
  const map = new Map<number, number>();
  return { get: (p) => map.get(p) ?? -1, set: (p, i) => void map.set(p, i) };
}

/** Nearest-rank quantile of ascending `sorted` (non-empty), q in (0, 1]. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

function summarize(distances: Float64Array, cold: number): ReuseDistanceSummary {
  const m = distances.length;
  if (m === 0) return { cold, reuses: 0, mean: null, median: null, p90: null, p99: null, max: null };
  const sorted = distances.slice().sort();
  let sum = 0;
  for (let i = 0; i < m; i++) sum += sorted[i];
  return { cold, reuses: m, mean: sum / m, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted[m - 1] };
}

/** Bins of equal width ceil((maxPage + 1) / bins) from page 0; fewer bins when there are fewer pages. */
export function pageHistogram(page: Uint32Array, bins = HISTOGRAM_BINS): PageHistogramBin[] {
  if (page.length === 0) return [];
  const maxPage = largestPage(page);
  const width = Math.ceil((maxPage + 1) / bins);
  const used = Math.ceil((maxPage + 1) / width);
  const counts = new Float64Array(used);
  for (let i = 0; i < page.length; i++) counts[Math.floor(page[i] / width)]++;
  return Array.from(counts, (accesses, b) => ({ firstPage: b * width, lastPage: Math.min(maxPage, (b + 1) * width - 1), accesses }));
}

export function traceStats(trace: Trace): TraceStats {
  const n = trace.page.length;
  let writes = 0;
  for (let i = 0; i < n; i++) writes += trace.write[i];
  const { distances, distinctPages } = reuseDistances(trace.page);
  return {
    name: trace.name,
    pageSize: trace.pageSize,
    accesses: n,
    distinctPages,
    footprintMiB: (distinctPages * trace.pageSize) / 2 ** 20,
    writes,
    writeShare: n === 0 ? 0 : writes / n,
    firstTime: n === 0 ? 0 : trace.time[0],
    lastTime: n === 0 ? 0 : trace.time[n - 1],
    reuseDistance: summarize(distances, distinctPages),
    pageHistogram: pageHistogram(trace.page),
  };
}

const BAR_WIDTH = 40;

/** Human-readable report of traceStats, with a text bar chart of the page histogram. */
export function formatTraceStats(stats: TraceStats): string {
  const r = stats.reuseDistance;
  const round = (x: number | null): string => (x === null ? '-' : String(Math.round(x * 100) / 100));
  const lines = [
    `trace           ${stats.name}`,
    `accesses        ${stats.accesses}`,
    `distinct pages  ${stats.distinctPages}`,
    `footprint       ${stats.footprintMiB.toFixed(2)} MiB (${stats.pageSize}-byte pages)`,
    `write share     ${stats.writeShare.toFixed(4)} (${stats.writes} writes)`,
    `time            ${stats.firstTime} .. ${stats.lastTime} instructions`,
    `reuse distance  cold ${r.cold}, reuses ${r.reuses}: mean ${round(r.mean)}, median ${round(r.median)}, p90 ${round(r.p90)}, p99 ${round(r.p99)}, max ${round(r.max)}`,
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
