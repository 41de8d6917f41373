import { UserError } from '../errors';
import type { EscapeMethod } from '../prefetch/types';
import { wholeOption } from '../prefetch/options';
import { TopK } from '../prefetch/top-k';
import { FrequencyRanking } from './frequency';
import { PairMap } from './pair-map';

export const PPM_ESCAPE_METHODS: readonly EscapeMethod[] = ['A', 'C', 'D'];
export const PPM_DEFAULTS = { order: 3, escape: 'C' as EscapeMethod, maxContexts: 1 << 20 };
/** Largest allowed maxContexts: context ids (at most cap + order) are int32. */
export const PPM_MAX_CONTEXTS = 2 ** 30;
const MAX_ORDER = 64;

export interface PpmOptions {
  order?: number;
  escape?: EscapeMethod;
  maxContexts?: number;
}

export interface PpmSize {
  /** Stored contexts of order >= 1 (the order-0 context is always there and not counted). */
  contexts: number;
  /** Stored (context, symbol) counts, order 0 included. */
  counts: number;
}

/**
 * Probability of a symbol with count `count` and of the escape, in a context whose
 * non-excluded symbols have total count n and number q (Cleary & Witten; Moffat; Howard):
 *   A: P(s) = c / (n + 1),      P(esc) = 1 / (n + 1)
 *   C: P(s) = c / (n + q),      P(esc) = q / (n + q)
 *   D: P(s) = (c - 1/2) / n,    P(esc) = q / (2n)
 */
export function symbolProbability(method: EscapeMethod, count: number, n: number, q: number): number {
  if (method === 'A') return count / (n + 1);
  if (method === 'C') return count / (n + q);
  return (count - 0.5) / n;
}

export function escapeProbability(method: EscapeMethod, n: number, q: number): number {
  if (method === 'A') return 1 / (n + 1);
  if (method === 'C') return q / (n + q);
  return q / (2 * n);
}

/**
 * Prediction by Partial Matching over integer symbols (pages or page deltas), for ranking the
 * next symbols rather than for coding them.
 *
 * Model: every context of order 1..N (the last m symbols) that occurred in training stores the
 * counts of the symbols that followed it; order 0 counts every symbol. Counts are updated in all
 * orders (no update exclusion), so each count is a true frequency.
 *
 * Prediction (blending with exclusion): start at the longest context of the current history that
 * has counts, assign each of its symbols weight * P(s), multiply weight by P(esc), exclude its
 * symbols from all lower orders (they leave n and q there), and repeat down to order 0. Order -1
 * (uniform over unseen symbols) is omitted: it ranks nothing. A context whose symbols are all
 * excluded is passed with escape probability 1. Ranking sorts by this probability; equal
 * probabilities go to the symbol observed most recently.
 *
 * Storage: contexts form a trie keyed by the history read backwards (order-m context = child of
 * the order-(m-1) context by the symbol m steps back). Symbols are interned to dense indices;
 * contexts and their counts live in typed arrays: (parent, symbol) -> child and (context,
 * symbol) -> count entry are PairMaps, and each context's count entries form a linked list for
 * enumeration. Order 0 is a FrequencyRanking so the top of 10^6 symbols is found without sorting.
 *
 * Bounded memory (maxContexts, default 2^20): when the contexts of order >= 1 exceed the cap,
 * the least recently used ones are dropped until at most max(order, 3/4 cap) remain. A context
 * is "used" whenever it is on the current history's path, so a context is never used later than
 * its parent and dropping by last use never orphans a child. Order-0 counts are never pruned
 * (they are bounded by the number of distinct symbols).
 */
export class PpmModel {
  readonly order: number;
  readonly escape: EscapeMethod;
  readonly maxContexts: number;

  private readonly symbolIndex = new Map<number, number>();
  private readonly symbolValue: number[] = [];
  private readonly orderZero = new FrequencyRanking();

  /** Per context id (0 = the order-0 root, whose counts live in orderZero). */
  private parent = new Int32Array(1024);
  private edge = new Int32Array(1024);
  /** Tick of last use; -1 for a free id. The root is never pruned. */
  private lastUse = new Float64Array(1024).fill(-1);
  /** First count entry of the context, -1 when none. */
  private firstEntry = new Int32Array(1024).fill(-1);
  private contextIds = 1;
  private readonly freeIds: number[] = [];
  private readonly children = new PairMap();
  /** Per count entry: the symbol, its count and the next entry of the same context (or of the free list). */
  private entrySymbol = new Int32Array(4096);
  private entryCount = new Float64Array(4096);
  private entryNext = new Int32Array(4096);
  private entryIds = 0;
  private freeEntry = -1;
  private readonly entries = new PairMap();
  private liveContexts = 0;
  private storedCounts = 0;

  /** Symbol indices of the recent history, newest first (-1: a symbol the model never learned). */
  private readonly recent: Int32Array;
  private recentLength = 0;
  /** Context ids matching the recent history: path[m] is the order-m context, m < pathLength. */
  private readonly path: Int32Array;
  private pathLength = 1;
  private tick = 0;
  /** Exclusion marks: excludedIn[symbol] === query stamp when excluded in the current query. */
  private readonly excludedIn: number[] = [];
  private stamp = 0;

  constructor(options: PpmOptions = {}) {
    this.order = wholeOption(options.order, 'order', PPM_DEFAULTS.order, 1, MAX_ORDER);
    this.escape = options.escape ?? PPM_DEFAULTS.escape;
    if (!PPM_ESCAPE_METHODS.includes(this.escape)) throw new UserError(`escape must be one of ${PPM_ESCAPE_METHODS.join(', ')}, got '${this.escape}'`);
    this.maxContexts = wholeOption(options.maxContexts, 'maxContexts', PPM_DEFAULTS.maxContexts, this.order, PPM_MAX_CONTEXTS);
    this.recent = new Int32Array(this.order);
    this.path = new Int32Array(this.order + 1);
  }

  /**
   * Appends a symbol to the history. With `learn`, its count goes up in every context of the
   * current path first (training); without, the model is frozen and only the history moves on.
   */
  update(symbol: number, learn = true): void {
    this.tick++;
    let index = this.symbolIndex.get(symbol);
    if (learn) {
      if (index === undefined) {
        index = this.symbolValue.length;
        this.symbolIndex.set(symbol, index);
        this.symbolValue.push(symbol);
        this.excludedIn.push(0);
      }
      this.count(index);
    }
    this.recent.copyWithin(1, 0, this.order - 1);
    this.recent[0] = index ?? -1;
    this.recentLength = Math.min(this.recentLength + 1, this.order);
    this.pathLength = this.walk(this.recent, this.recentLength, this.path, learn, true);
    if (this.liveContexts > this.maxContexts) this.prune();
  }

  /**
   * The blended probability of every symbol seen after `history` (its last `order` symbols, oldest
   * first), with exclusion, from the longest context with counts down to order 0. Symbols
   * the model never saw are absent; the mass left (1 - sum) is the final escape.
   */
  distribution(history: readonly number[]): Map<number, number> {
    const newestFirst = Int32Array.from(history.slice(-this.order).reverse(), (s) => this.symbolIndex.get(s) ?? -1);
    const path = new Int32Array(this.order + 1);
    const length = this.walk(newestFirst, newestFirst.length, path, false, false);
    const result = new Map<number, number>();
    this.blend(path, length, (symbol, p) => {
      result.set(this.symbolValue[symbol], p);
      return true;
    });
    return result;
  }

  /**
   * The k most probable next symbols after the current history (blended as in `distribution`)
   * among those `accept` admits, best first. A rejected symbol for which `gone` holds is never
   * offered again from order 0 (for pages already sent: they stay sent).
   */
  rank(k: number, accept: (symbol: number) => boolean, gone?: (symbol: number) => boolean): number[] {
    if (k <= 0) return [];
    const best = new TopK(k);
    this.blend(this.path, this.pathLength, (symbol, p, atOrderZero) => {
      const recency = this.orderZero.recency(symbol);
      // order 0 comes in descending (p, recency): the first that does not fit ends the search
      if (!best.accepts(p, recency)) return !atOrderZero;
      const value = this.symbolValue[symbol];
      if (accept(value)) best.offer(value, p, recency);
      else if (atOrderZero && gone?.(value)) this.orderZero.retire(symbol);
      return true;
    });
    return best.result();
  }

  /** Stored contexts (order >= 1) and counts (order 0 included). */
  size(): PpmSize {
    return { contexts: this.liveContexts, counts: this.storedCounts + this.orderZero.distinct };
  }

  /**
   * Visits each symbol of the blended distribution along `path` with its probability: contexts
   * from the deepest down, order 0 last and in descending count (visit returning false stops).
   */
  private blend(path: Int32Array, length: number, visit: (symbol: number, p: number, atOrderZero: boolean) => boolean): void {
    const stamp = ++this.stamp;
    let weight = 1;
    let excludedCount = 0;
    let excludedTotal = 0;
    for (let m = length - 1; m >= 1; m--) {
      let n = 0;
      let q = 0;
      for (let e = this.firstEntry[path[m]]; e >= 0; e = this.entryNext[e]) {
        if (this.excludedIn[this.entrySymbol[e]] !== stamp) {
          n += this.entryCount[e];
          q++;
        }
      }
      if (n === 0) continue;
      for (let e = this.firstEntry[path[m]]; e >= 0; e = this.entryNext[e]) {
        const s = this.entrySymbol[e];
        if (this.excludedIn[s] === stamp) continue;
        this.excludedIn[s] = stamp;
        excludedCount++;
        excludedTotal += this.orderZero.count(s);
        if (!visit(s, weight * symbolProbability(this.escape, this.entryCount[e], n, q), false)) return;
      }
      weight *= escapeProbability(this.escape, n, q);
    }
    const n = this.orderZero.total - excludedTotal;
    const q = this.orderZero.distinct - excludedCount;
    if (n === 0) return;
    this.orderZero.forEachDescending((s) => this.excludedIn[s] === stamp || visit(s, weight * symbolProbability(this.escape, this.orderZero.count(s), n, q), true));
  }

  /** Adds one to `symbol` in every context on the current path. */
  private count(symbol: number): void {
    this.orderZero.increment(symbol, this.tick);
    for (let m = 1; m < this.pathLength; m++) {
      const id = this.path[m];
      const e = this.entries.get(id, symbol);
      if (e >= 0) this.entryCount[e]++;
      else this.entries.set(id, symbol, this.newEntry(id, symbol));
    }
  }

  /**
   * Writes into `path` the context ids for a history of `length` symbols (newest first): the root,
   * then each existing deeper context, creating missing ones when `create`; returns the path's
   * length. `touch` marks them used now (for LRU pruning).
   */
  private walk(newestFirst: Int32Array, length: number, path: Int32Array, create: boolean, touch: boolean): number {
    path[0] = 0;
    let m = 0;
    for (; m < length; m++) {
      const symbol = newestFirst[m];
      if (symbol < 0) break;
      let id = this.children.get(path[m], symbol);
      if (id < 0) {
        if (!create) break;
        id = this.newContext(path[m], symbol);
      }
      if (touch) this.lastUse[id] = this.tick;
      path[m + 1] = id;
    }
    return m + 1;
  }

  private newContext(parent: number, symbol: number): number {
    const id = this.freeIds.pop() ?? this.contextIds++;
    if (id >= this.parent.length) this.growContexts();
    this.parent[id] = parent;
    this.edge[id] = symbol;
    this.lastUse[id] = this.tick;
    this.firstEntry[id] = -1;
    this.children.set(parent, symbol, id);
    this.liveContexts++;
    return id;
  }

  /** A count entry of 1 for `symbol`, linked at the head of the context's list. */
  private newEntry(id: number, symbol: number): number {
    let e = this.freeEntry;
    if (e >= 0) this.freeEntry = this.entryNext[e];
    else {
      e = this.entryIds++;
      if (e >= this.entrySymbol.length) this.growEntries();
    }
    this.entrySymbol[e] = symbol;
    this.entryCount[e] = 1;
    this.entryNext[e] = this.firstEntry[id];
    this.firstEntry[id] = e;
    this.storedCounts++;
    return e;
  }

  /** Drops the least recently used contexts until at most max(order, 3/4 cap) remain (see class doc). */
  private prune(): void {
    const keep = Math.max(this.order, Math.floor((this.maxContexts * 3) / 4));
    const uses = new Float64Array(this.liveContexts);
    let j = 0;
    for (let id = 1; id < this.contextIds; id++) if (this.lastUse[id] >= 0) uses[j++] = this.lastUse[id];
    uses.sort().reverse();
    // keep exactly the contexts used after the first one that does not fit (ties go together)
    const threshold = uses[keep];
    for (let id = 1; id < this.contextIds; id++) if (this.lastUse[id] >= 0 && this.lastUse[id] <= threshold) this.dropContext(id);
  }

  private dropContext(id: number): void {
    for (let e = this.firstEntry[id]; e >= 0; ) {
      const next = this.entryNext[e];
      this.entries.delete(id, this.entrySymbol[e]);
      this.entryNext[e] = this.freeEntry;
      this.freeEntry = e;
      this.storedCounts--;
      e = next;
    }
    this.firstEntry[id] = -1;
    this.children.delete(this.parent[id], this.edge[id]);
    this.lastUse[id] = -1;
    this.freeIds.push(id);
    this.liveContexts--;
  }

  private growContexts(): void {
    const size = this.parent.length * 2;
    this.parent = grow(this.parent, new Int32Array(size));
    this.edge = grow(this.edge, new Int32Array(size));
    this.lastUse = grow(this.lastUse, new Float64Array(size).fill(-1));
    this.firstEntry = grow(this.firstEntry, new Int32Array(size).fill(-1));
  }

  private growEntries(): void {
    const size = this.entrySymbol.length * 2;
    this.entrySymbol = grow(this.entrySymbol, new Int32Array(size));
    this.entryCount = grow(this.entryCount, new Float64Array(size));
    this.entryNext = grow(this.entryNext, new Int32Array(size));
  }
}

/** `larger` with `smaller` copied into its start. */
function grow<T extends Int32Array | Float64Array>(smaller: T, larger: T): T {
  larger.set(smaller);
  return larger;
}
