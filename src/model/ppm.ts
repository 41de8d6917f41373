import { UserError } from '../errors';
import { enlarged } from '../util/enlarged';
import { PairMap } from '../util/pair-map';
import { TopK } from '../util/top-k';
import { wholeOption } from '../util/whole-option';
import { FrequencyRanking } from './frequency';
import { Interner } from './interner';

export const PPM_ESCAPE_METHODS = ['A', 'C', 'D'] as const;
export type EscapeMethod = (typeof PPM_ESCAPE_METHODS)[number];
export const PPM_DEFAULTS = { order: 3, escape: 'C' as EscapeMethod, maxContexts: 1 << 20, minProbability: 0 };
/** Largest allowed maxContexts: node ids are int32. */
export const PPM_MAX_CONTEXTS = 2 ** 30;

/** Smallest allowed maxContexts for an order: the nodes one update may create. */
export function ppmMinContexts(order: number): number {
  return order + 1;
}
/** Largest allowed order. */
export const PPM_MAX_ORDER = 64;

export interface PpmOptions {
  order?: number;
  escape?: EscapeMethod;
  maxContexts?: number;
}

export interface PpmSize {
  /** Stored contexts of order 1..N (the order-0 context is always there and not counted). */
  contexts: number;
  /** Stored counts: one per trie node, i.e. per (context of order 0..N, symbol) pair seen. */
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
 * Storage: a trie of the strings of length 1..N+1 seen in training. The node for string C·x
 * holds count(x after C) and is itself the context C·x for the next symbol, so one update is
 * N+1 child lookups: from each current context (order 0..N) to its child by the new symbol,
 * whose count goes up and which becomes the next step's context one order higher. Children are
 * found through one PairMap (parent, symbol) -> node and enumerated through sibling links; all
 * per-node data sits in typed arrays. Symbols are interned to dense indices. Order 0 is also
 * kept in a FrequencyRanking, so its top symbols are found without sorting.
 *
 * Bounded memory (maxContexts, default 2^20, counts every trie node): when the nodes exceed the
 * cap, every count is halved (rounding down) and nodes whose count reaches 0 are dropped, with
 * their subtrees, repeating until at most 3/4 of the cap remain. Rare strings go first and the
 * model ages, like count rescaling in PPM coders. A string never occurs more often than its
 * prefix, so a node's count never exceeds its parent's and no child outlives its parent. The
 * current contexts are found again from the last N symbols afterwards. Order-0 counts in the
 * FrequencyRanking are never halved or dropped (they are bounded by the number of distinct
 * symbols).
 */
export class PpmModel {
  readonly order: number;
  readonly escape: EscapeMethod;
  readonly maxContexts: number;

  private symbols = new Interner();
  private orderZero = new FrequencyRanking();

  /** Per node id; node 0 is the root (the empty, order-0 context), never dropped. */
  private parentOf = new Int32Array(1024);
  private symbolOf = new Int32Array(1024);
  private countOf = new Float64Array(1024);
  private depthOf = new Int32Array(1024);
  private firstChild = new Int32Array(1024).fill(-1);
  private nextSibling = new Int32Array(1024).fill(-1);
  private prevSibling = new Int32Array(1024).fill(-1);
  /**
   * The child last reached from each node: checked before the hash map, since a context is mostly
   * followed by the symbol that followed it last time (the regularity PPM itself relies on).
   */
  private lastChild = new Int32Array(1024).fill(-1);
  private nodeIds = 1;
  private freeIds: number[] = [];
  private children = new PairMap();
  private liveNodes = 0;
  private liveContexts = 0;

  /** The last `order` symbol indices, newest at recent[(recentEnd - 1) mod order]; -1 = unknown. */
  private recent: Int32Array;
  private recentEnd = 0;
  /** The contexts of the current history: path[m] is the order-m node, m < pathLength. */
  private path: Int32Array;
  private nextPath: Int32Array;
  private pathLength = 1;
  private tick = 0;
  /** Per symbol index: the root's child (the order-0 node) by direct lookup, the one looked up in every update. */
  private rootChild = new Int32Array(1024).fill(-1);
  /** Per symbol index: excludedIn[symbol] === query stamp when excluded in the current query. */
  private excludedIn = new Int32Array(1024);
  private stamp = 0;
  /** The ranking's candidates, reused by every rank() (cleared first). */
  private readonly best = new TopK(0);

  constructor(options: PpmOptions = {}) {
    this.order = wholeOption(options.order, 'order', PPM_DEFAULTS.order, 1, PPM_MAX_ORDER);
    this.escape = options.escape ?? PPM_DEFAULTS.escape;
    if (!PPM_ESCAPE_METHODS.includes(this.escape))
      throw new UserError(`escape must be one of ${PPM_ESCAPE_METHODS.join(', ')}, got '${this.escape}'`);
    this.maxContexts = wholeOption(
      options.maxContexts,
      'maxContexts',
      PPM_DEFAULTS.maxContexts,
      ppmMinContexts(this.order),
      PPM_MAX_CONTEXTS,
    );
    this.path = new Int32Array(this.order + 1);
    this.nextPath = new Int32Array(this.order + 1);
    this.recent = new Int32Array(this.order).fill(-1);
  }

  /**
   * An independent copy in the same state: it ranks, learns and prunes exactly as this model would
   * (sweeps reuse a model trained on a history instead of training it again, src/prefetch/trained-models.ts).
   */
  clone(): PpmModel {
    const copy = new PpmModel({ order: this.order, escape: this.escape, maxContexts: this.maxContexts });
    copy.symbols = this.symbols.clone();
    copy.orderZero = this.orderZero.clone();
    copy.parentOf = this.parentOf.slice();
    copy.symbolOf = this.symbolOf.slice();
    copy.countOf = this.countOf.slice();
    copy.depthOf = this.depthOf.slice();
    copy.firstChild = this.firstChild.slice();
    copy.nextSibling = this.nextSibling.slice();
    copy.prevSibling = this.prevSibling.slice();
    copy.lastChild = this.lastChild.slice();
    copy.nodeIds = this.nodeIds;
    copy.freeIds = this.freeIds.slice();
    copy.children = this.children.clone();
    copy.liveNodes = this.liveNodes;
    copy.liveContexts = this.liveContexts;
    copy.recent = this.recent.slice();
    copy.recentEnd = this.recentEnd;
    copy.path = this.path.slice();
    copy.nextPath = this.nextPath.slice();
    copy.pathLength = this.pathLength;
    copy.tick = this.tick;
    copy.rootChild = this.rootChild.slice();
    copy.excludedIn = this.excludedIn.slice();
    copy.stamp = this.stamp;
    return copy;
  }

  /**
   * Appends a symbol to the history. With `learn`, its count goes up in every context of the
   * current history first (training); without, the model is frozen and only the history moves on.
   */
  update(symbol: number, learn = true): void {
    const tick = ++this.tick;
    const index = learn ? this.symbols.intern(symbol) : this.symbols.indexOf(symbol);
    if (index >= this.rootChild.length) this.growSymbols();
    if (learn) this.orderZero.increment(index, tick);
    this.recent[this.recentEnd] = index;
    this.recentEnd = (this.recentEnd + 1) % this.order;
    const next = this.nextPath;
    const path = this.path;
    const pathLength = index >= 0 ? this.pathLength : 0;
    let length = 1;
    next[0] = 0;
    for (let m = 0; m < pathLength; m++) {
      const parent = path[m];
      let id = this.childOf(parent, index);
      if (id < 0) {
        if (!learn) break;
        id = this.newNode(parent, index);
      }
      // read countOf after newNode: it may have grown the arrays
      if (learn) this.countOf[id]++;
      if (m < this.order) next[length++] = id;
    }
    this.nextPath = path;
    this.path = next;
    this.pathLength = length;
    if (this.liveNodes > this.maxContexts) this.prune();
  }

  /**
   * The blended probability of every symbol seen after `history` (its last `order` symbols, oldest
   * first), with exclusion, from the longest context with counts down to order 0. Symbols
   * the model never saw are absent; the mass left (1 - sum) is the final escape.
   */
  distribution(history: readonly number[]): Map<number, number> {
    const recent = history.slice(-this.order).map((s) => this.symbols.indexOf(s));
    const path = new Int32Array(this.order + 1);
    const length = this.contextsOf(recent, path);
    const result = new Map<number, number>();
    this.blend(path, length, (symbol, p) => {
      result.set(this.symbols.valueOf(symbol), p);
      return true;
    });
    return result;
  }

  /**
   * The k most probable next symbols after the current history (blended as in `distribution`)
   * among those `accept` admits and at least `minProbability` likely, best first. A rejected symbol for which `gone` holds is never
   * offered again from order 0 (for pages already sent: they stay sent). With `contextsOnly` the
   * ranking stops before order 0: only symbols some context of order >= 1 predicts, none merely frequent.
   */
  rank(
    k: number,
    accept: (symbol: number) => boolean,
    gone?: (symbol: number) => boolean,
    minProbability = 0,
    contextsOnly = false,
  ): number[] {
    if (k <= 0) return [];
    const best = this.best;
    best.clear(k);
    this.blend(this.path, this.pathLength, (symbol, p, atOrderZero) => {
      if (atOrderZero && contextsOnly) return false;
      // order 0 comes in descending probability: below the threshold nothing later qualifies
      if (p < minProbability) return !atOrderZero;
      const recency = this.orderZero.recency(symbol);
      // order 0 comes in descending (p, recency): the first that does not fit ends the search
      if (!best.accepts(p, recency)) return !atOrderZero;
      const value = this.symbols.valueOf(symbol);
      if (accept(value)) best.offer(value, p, recency);
      else if (atOrderZero && gone?.(value)) this.orderZero.retire(symbol);
      return true;
    });
    return best.result();
  }

  /** Stored contexts (order 1..N) and counts (trie nodes). */
  size(): PpmSize {
    return { contexts: this.liveContexts, counts: this.liveNodes };
  }

  /**
   * Visits each symbol of the blended distribution along `path` with its probability: contexts
   * from the deepest down, order 0 last and in descending count (visit returning false stops).
   */
  private blend(
    path: Int32Array,
    length: number,
    visit: (symbol: number, p: number, atOrderZero: boolean) => boolean,
  ): void {
    const stamp = ++this.stamp;
    let weight = 1;
    let excludedCount = 0;
    let excludedTotal = 0;
    for (let m = length - 1; m >= 1; m--) {
      let n = 0;
      let q = 0;
      for (let c = this.firstChild[path[m]]; c >= 0; c = this.nextSibling[c]) {
        if (this.excludedIn[this.symbolOf[c]] !== stamp) {
          n += this.countOf[c];
          q++;
        }
      }
      if (n === 0) continue;
      for (let c = this.firstChild[path[m]]; c >= 0; c = this.nextSibling[c]) {
        const s = this.symbolOf[c];
        if (this.excludedIn[s] === stamp) continue;
        this.excludedIn[s] = stamp;
        excludedCount++;
        excludedTotal += this.orderZero.count(s);
        if (!visit(s, weight * symbolProbability(this.escape, this.countOf[c], n, q), false)) return;
      }
      weight *= escapeProbability(this.escape, n, q);
    }
    const n = this.orderZero.total - excludedTotal;
    const q = this.orderZero.distinct - excludedCount;
    if (n === 0) return;
    this.orderZero.forEachDescending(
      (s) =>
        this.excludedIn[s] === stamp ||
        visit(s, weight * symbolProbability(this.escape, this.orderZero.count(s), n, q), true),
    );
  }

  /**
   * Writes into `path` the nodes of the contexts of `recent` (symbol indices, oldest first):
   * path[m] = node of its last m symbols, for as long as they exist; returns the path's length.
   */
  private contextsOf(recent: readonly number[], path: Int32Array): number {
    path[0] = 0;
    let length = 1;
    for (let m = 1; m <= recent.length; m++) {
      let id = 0;
      for (let i = recent.length - m; i < recent.length && id >= 0; i++)
        id = recent[i] < 0 ? -1 : this.childOf(id, recent[i]);
      if (id < 0) break;
      path[length++] = id;
    }
    return length;
  }

  /** The last `order` symbol indices, oldest first (fewer at the start of training). */
  private recentSymbols(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.order; i++) {
      const s = this.recent[(this.recentEnd + i) % this.order];
      if (s >= 0 || out.length > 0) out.push(s);
    }
    return out;
  }

  /** The node of string parent·symbol, or -1. */
  private childOf(parent: number, symbol: number): number {
    if (parent === 0) return this.rootChild[symbol];
    const last = this.lastChild[parent];
    if (last >= 0 && this.symbolOf[last] === symbol && this.parentOf[last] === parent) return last;
    const id = this.children.get(parent, symbol);
    if (id >= 0) this.lastChild[parent] = id;
    return id;
  }

  private newNode(parent: number, symbol: number): number {
    const id = this.freeIds.pop() ?? this.nodeIds++;
    if (id >= this.parentOf.length) this.grow();
    this.parentOf[id] = parent;
    this.symbolOf[id] = symbol;
    this.countOf[id] = 0;
    this.depthOf[id] = this.depthOf[parent] + 1;
    this.firstChild[id] = -1;
    this.lastChild[id] = -1;
    this.lastChild[parent] = id;
    this.prevSibling[id] = -1;
    this.nextSibling[id] = this.firstChild[parent];
    if (this.firstChild[parent] >= 0) this.prevSibling[this.firstChild[parent]] = id;
    this.firstChild[parent] = id;
    if (parent === 0) this.rootChild[symbol] = id;
    else this.children.set(parent, symbol, id);
    this.liveNodes++;
    if (this.depthOf[id] <= this.order) this.liveContexts++;
    return id;
  }

  /** Halves all counts, dropping nodes that reach 0, until at most 3/4 of the cap remain (see class doc). */
  private prune(): void {
    const target = Math.floor((this.maxContexts * 3) / 4);
    while (this.liveNodes > target) {
      for (let id = 1; id < this.nodeIds; id++) {
        if (this.countOf[id] <= 0) continue;
        this.countOf[id] = Math.floor(this.countOf[id] / 2);
        if (this.countOf[id] === 0) this.dropSubtree(id);
      }
    }
    this.pathLength = this.contextsOf(this.recentSymbols(), this.path);
  }

  private dropSubtree(root: number): void {
    const prev = this.prevSibling[root];
    const next = this.nextSibling[root];
    if (prev >= 0) this.nextSibling[prev] = next;
    else this.firstChild[this.parentOf[root]] = next;
    if (next >= 0) this.prevSibling[next] = prev;
    const stack = [root];
    while (stack.length > 0) {
      const id = stack.pop()!;
      for (let c = this.firstChild[id]; c >= 0; c = this.nextSibling[c]) stack.push(c);
      if (this.parentOf[id] === 0) this.rootChild[this.symbolOf[id]] = -1;
      else this.children.delete(this.parentOf[id], this.symbolOf[id]);
      if (this.lastChild[this.parentOf[id]] === id) this.lastChild[this.parentOf[id]] = -1;
      this.countOf[id] = -1;
      this.freeIds.push(id);
      this.liveNodes--;
      if (this.depthOf[id] <= this.order) this.liveContexts--;
    }
  }

  private growSymbols(): void {
    this.rootChild = enlarged(this.rootChild, this.rootChild.length * 2, -1);
    this.excludedIn = enlarged(this.excludedIn, this.rootChild.length);
  }

  private grow(): void {
    const size = this.parentOf.length * 2;
    this.parentOf = enlarged(this.parentOf, size);
    this.symbolOf = enlarged(this.symbolOf, size);
    this.countOf = enlarged(this.countOf, size);
    this.depthOf = enlarged(this.depthOf, size);
    this.firstChild = enlarged(this.firstChild, size, -1);
    this.nextSibling = enlarged(this.nextSibling, size, -1);
    this.prevSibling = enlarged(this.prevSibling, size, -1);
    this.lastChild = enlarged(this.lastChild, size, -1);
  }
}
