import { UserError } from '../errors';
import type { EscapeMethod } from '../prefetch/types';
import { wholeOption } from '../prefetch/options';
import { TopK } from '../prefetch/top-k';
import { FrequencyRanking } from './frequency';

export const PPM_ESCAPE_METHODS: readonly EscapeMethod[] = ['A', 'C', 'D'];
export const PPM_DEFAULTS = { order: 3, escape: 'C' as EscapeMethod, maxContexts: 1 << 20 };
/** Context ids and symbol indices share one 53-bit Map key: id * 2^32 + symbol index. */
const KEY_SCALE = 2 ** 32;
/** Largest allowed maxContexts: ids (at most cap + order) must stay below 2^21 for exact keys. */
export const PPM_MAX_CONTEXTS = 2 ** 21 - 256;
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
 * the order-(m-1) context by the symbol m steps back), held in two flat Maps with numeric keys
 * (context id * 2^32 + symbol index): children and count slots. Symbols are interned to dense
 * indices. Order 0 is a FrequencyRanking so the top of 10^6 symbols is found without sorting.
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
  private readonly parent: number[] = [0];
  private readonly edge: number[] = [-1];
  /** Tick of last use; -1 for a free id. */
  private readonly lastUse: number[] = [Infinity];
  private readonly totals: number[] = [0];
  private readonly successors: number[][] = [[]];
  private readonly successorCounts: number[][] = [[]];
  private readonly freeIds: number[] = [];
  private readonly children = new Map<number, number>();
  private readonly slots = new Map<number, number>();
  private liveContexts = 0;
  private storedCounts = 0;

  /** Symbol indices of the recent history, newest first (-1: a symbol the model never learned). */
  private readonly recent: number[] = [];
  /** Context ids matching the recent history: path[m] is the order-m context. */
  private path: number[] = [0];
  private tick = 0;
  /** Exclusion marks: excludedIn[symbol] === query stamp when excluded in the current query. */
  private readonly excludedIn: number[] = [];
  private stamp = 0;

  constructor(options: PpmOptions = {}) {
    this.order = wholeOption(options.order, 'order', PPM_DEFAULTS.order, 1, MAX_ORDER);
    this.escape = options.escape ?? PPM_DEFAULTS.escape;
    if (!PPM_ESCAPE_METHODS.includes(this.escape)) throw new UserError(`escape must be one of ${PPM_ESCAPE_METHODS.join(', ')}, got '${this.escape}'`);
    this.maxContexts = wholeOption(options.maxContexts, 'maxContexts', PPM_DEFAULTS.maxContexts, this.order, PPM_MAX_CONTEXTS);
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
    this.recent.unshift(index ?? -1);
    if (this.recent.length > this.order) this.recent.pop();
    this.path = this.walk(this.recent, learn);
    if (this.liveContexts > this.maxContexts) this.prune();
  }

  /**
   * The blended probability of every symbol seen after `history` (its last `order` symbols, oldest
   * first), with exclusion, from the longest context with counts down to order 0. Symbols
   * the model never saw are absent; the mass left (1 - sum) is the final escape.
   */
  distribution(history: readonly number[]): Map<number, number> {
    const newestFirst = history.slice(-this.order).reverse().map((s) => this.symbolIndex.get(s) ?? -1);
    const result = new Map<number, number>();
    this.blend(this.walk(newestFirst, false, false), (symbol, p) => {
      result.set(this.symbolValue[symbol], p);
      return true;
    });
    return result;
  }

  /**
   * The k most probable next symbols after the current history (blended as in `distribution`)
   * among those `accept` admits, best first. With `permanent`, a symbol rejected at order 0 is
   * never offered again (for pages already sent).
   */
  rank(k: number, accept: (symbol: number) => boolean, permanent = false): number[] {
    if (k <= 0) return [];
    const best = new TopK(k);
    this.blend(this.path, (symbol, p, atOrderZero) => {
      const recency = this.orderZero.recency(symbol);
      // order 0 comes in descending (p, recency): the first that does not fit ends the search
      if (!best.accepts(p, recency)) return !atOrderZero;
      const value = this.symbolValue[symbol];
      if (accept(value)) best.offer(value, p, recency);
      else if (atOrderZero && permanent) this.orderZero.retire(symbol);
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
  private blend(path: readonly number[], visit: (symbol: number, p: number, atOrderZero: boolean) => boolean): void {
    const stamp = ++this.stamp;
    let weight = 1;
    let excludedCount = 0;
    let excludedTotal = 0;
    for (let m = path.length - 1; m >= 1; m--) {
      const id = path[m];
      const symbols = this.successors[id];
      const counts = this.successorCounts[id];
      let n = 0;
      let q = 0;
      for (let i = 0; i < symbols.length; i++) {
        if (this.excludedIn[symbols[i]] !== stamp) {
          n += counts[i];
          q++;
        }
      }
      if (n === 0) continue;
      for (let i = 0; i < symbols.length; i++) {
        const s = symbols[i];
        if (this.excludedIn[s] === stamp) continue;
        this.excludedIn[s] = stamp;
        excludedCount++;
        excludedTotal += this.orderZero.count(s);
        if (!visit(s, weight * symbolProbability(this.escape, counts[i], n, q), false)) return;
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
    for (let m = 1; m < this.path.length; m++) {
      const id = this.path[m];
      const key = id * KEY_SCALE + symbol;
      const slot = this.slots.get(key);
      if (slot === undefined) {
        this.slots.set(key, this.successors[id].length);
        this.successors[id].push(symbol);
        this.successorCounts[id].push(1);
        this.storedCounts++;
      } else {
        this.successorCounts[id][slot]++;
      }
      this.totals[id]++;
    }
  }

  /**
   * Context ids for a history (newest first): the root, then each existing deeper context,
   * creating missing ones when `create`. `touch` marks them used now (for LRU pruning).
   */
  private walk(newestFirst: readonly number[], create: boolean, touch = true): number[] {
    const path = [0];
    for (let m = 0; m < newestFirst.length && m < this.order; m++) {
      const symbol = newestFirst[m];
      if (symbol < 0) break;
      const parent = path[m];
      let id = this.children.get(parent * KEY_SCALE + symbol);
      if (id === undefined) {
        if (!create) break;
        id = this.newContext(parent, symbol);
      }
      if (touch) this.lastUse[id] = this.tick;
      path.push(id);
    }
    return path;
  }

  private newContext(parent: number, symbol: number): number {
    const id = this.freeIds.pop() ?? this.parent.length;
    this.parent[id] = parent;
    this.edge[id] = symbol;
    this.lastUse[id] = this.tick;
    this.totals[id] = 0;
    this.successors[id] = [];
    this.successorCounts[id] = [];
    this.children.set(parent * KEY_SCALE + symbol, id);
    this.liveContexts++;
    return id;
  }

  /** Drops the least recently used contexts until at most max(order, 3/4 cap) remain (see class doc). */
  private prune(): void {
    const keep = Math.max(this.order, Math.floor((this.maxContexts * 3) / 4));
    const uses = new Float64Array(this.liveContexts);
    let j = 0;
    for (let id = 1; id < this.lastUse.length; id++) if (this.lastUse[id] >= 0) uses[j++] = this.lastUse[id];
    uses.sort().reverse();
    // keep exactly the contexts used after the first one that does not fit
    const threshold = uses[keep];
    for (let id = 1; id < this.lastUse.length; id++) if (this.lastUse[id] >= 0 && this.lastUse[id] <= threshold) this.dropContext(id);
  }

  private dropContext(id: number): void {
    for (const symbol of this.successors[id]) this.slots.delete(id * KEY_SCALE + symbol);
    this.storedCounts -= this.successors[id].length;
    this.children.delete(this.parent[id] * KEY_SCALE + this.edge[id]);
    this.successors[id] = [];
    this.successorCounts[id] = [];
    this.lastUse[id] = -1;
    this.freeIds.push(id);
    this.liveContexts--;
  }
}
