import { quoted, UserError } from '../errors';
import { ArrayPool } from '../util/array-pool';
import { enlarged } from '../util/enlarged';
import { PairMap } from '../util/pair-map';
import { TopK } from '../util/top-k';
import { wholeOption } from '../util/whole-option';
import { FrequencyRanking } from './frequency';
import { Interner } from './interner';
import { deepFreeze } from '../util/deep-freeze';

export const PPM_ESCAPE_METHODS = ['A', 'C', 'D'] as const;
export type EscapeMethod = (typeof PPM_ESCAPE_METHODS)[number];
export const PPM_DEFAULTS = deepFreeze({
  order: 3,
  escape: 'C' as EscapeMethod,
  maxContexts: 1 << 20,
  minProbability: 0,
});
/**
 * Largest allowed maxContexts. The node records are one Int32Array (NODE_INTS per node), and V8 makes none
 * longer than 2^32 elements: 2^29 nodes, and an update adds up to order + 1 past the cap before the pruning.
 * 2^28 leaves that margin. At that cap the records double to 2^29 nodes once ids pass the cap (16 GiB, the 8 GiB
 * array beside it while it is copied), the depth bytes to 0.5 GiB, and the child map takes up to 6 GiB (2^29
 * slots of 12 bytes): some 22 GiB, more than most machines give.
 */
export const PPM_MAX_CONTEXTS = 2 ** 28;

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

/** A trie node's record: int32 slots, the count a float64 over the last two (so records are 32 bytes). */
const NODE_PARENT = 0;
const NODE_SYMBOL = 1;
const NODE_FIRST_CHILD = 2;
const NODE_NEXT_SIBLING = 3;
const NODE_PREV_SIBLING = 4;
/**
 * The child last reached from the node: checked before the hash map, since a context is mostly
 * followed by the symbol that followed it last time (the regularity PPM itself relies on).
 */
const NODE_LAST_CHILD = 5;
const NODE_INTS = 8;
/** The count's index in the float64 view: node id * NODE_FLOATS + NODE_COUNT. */
const NODE_FLOATS = NODE_INTS / 2;
const NODE_COUNT = 3;
/** The record layout, for the test that audits a trie's links and counts (test/model/ppm-trie.test.ts). */
export const PPM_NODE_RECORD = deepFreeze({
  ints: NODE_INTS,
  parent: NODE_PARENT,
  symbol: NODE_SYMBOL,
  firstChild: NODE_FIRST_CHILD,
  nextSibling: NODE_NEXT_SIBLING,
  prevSibling: NODE_PREV_SIBLING,
  lastChild: NODE_LAST_CHILD,
  floats: NODE_FLOATS,
  count: NODE_COUNT,
});

/**
 * Node records of released models, for later copies and growth (a sweep copies a kept model for every run, and its
 * online learning then grows the copy): at most 8 MiB each (2^18 nodes), 16 MiB in all, per thread.
 */
const nodeRecords = new ArrayPool(8 * 2 ** 20, 16 * 2 ** 20);
const RELEASED = new Int32Array(0);
/** Batches of fewer symbols than this are ranked at order 0 symbol by symbol (FrequencyRanking.relink). */
const RELINK_LEAST = 1024;
/**
 * The error of a trie whose links or counts are inconsistent, which only a bug makes: the loops it would send
 * round forever stop with it (the test that audits the trie says which link is wrong).
 */
function brokenTrie(what: string): Error {
  return new Error(`PPM model: broken trie (a bug): ${what}`);
}
/** update's one symbol to learn, as learn() takes them. */
const oneSymbol = new Uint32Array(1);

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
 * whose count goes up and which becomes the next step's context one order higher. An only child
 * is found through its parent's first-child link, the children of a node with several through one
 * PairMap (parent, symbol) -> node (most contexts are followed by one symbol only: the map holds
 * 0-80 % of the nodes of the repository's workloads); all are enumerated through sibling links. A
 * node's fields sit together in one 32-byte record of a typed array (NODE_* above), so a lookup
 * touches one cache line per node instead of one per field. Symbols are interned to dense
 * indices. Order 0 is also kept in a FrequencyRanking, so its top symbols are found without sorting.
 *
 * Bounded memory (maxContexts, default 2^20, counts every trie node): when the nodes exceed the
 * cap, every count is halved (rounding down) and nodes whose count reaches 0 are dropped, with
 * their subtrees, repeating until at most 3/4 of the cap remain. Rare strings go first and the
 * model ages, like count rescaling in PPM coders. A learnt symbol counts the strings it ends in every
 * stored context, each the suffix of the next longer, and halving keeps counts in order: so a node never
 * counts more than the node of its suffix (its string without the first symbol), which is stored whenever
 * it is, and the current contexts, found again from the last N symbols after a prune, end at the first
 * missing one. A node may count more than its parent (its string without the last symbol): a frozen step,
 * or a halving between counting a context and counting the symbol after it, leaves the parent behind; so
 * children go with their parent (its subtree), not by their own counts. Order-0 counts in the
 * FrequencyRanking are never halved or dropped (they are bounded by the number of distinct symbols).
 */
export class PpmModel {
  readonly order: number;
  readonly escape: EscapeMethod;
  readonly maxContexts: number;

  private symbols = new Interner();
  private orderZero = new FrequencyRanking();

  /** The node records (NODE_*) by node id, and the same memory as float64 for the counts; node 0 is the root. */
  private nodes = PpmModel.rootOnly(1024);
  private counts = new Float64Array(this.nodes.buffer);
  /**
   * Per node id: its string's length (the root 0), so a prune knows which dropped nodes were contexts (<= order)
   * without a walk to the root per node (a byte beside the full 32-byte records).
   */
  private depths = new Uint8Array(1024);
  /** dropSubtree's stack of nodes to drop, kept between calls. */
  private readonly dropping: number[] = [];
  private nodeIds = 1;
  private freeIds: number[] = [];
  private children = new PairMap();
  private liveNodes = 0;
  private liveContexts = 0;

  /** The last `order` symbol indices, newest at recent[(recentEnd - 1) mod order]; -1 = unknown. */
  private recent: Int32Array;
  private recentEnd = 0;
  /** The contexts of the current history: path[m] is the order-m node, m < pathLength (one slot spare). */
  private path: Int32Array;
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
      throw new UserError(`escape must be one of ${PPM_ESCAPE_METHODS.join(', ')}, got ${quoted(String(this.escape))}`);
    this.maxContexts = wholeOption(
      options.maxContexts,
      'maxContexts',
      PPM_DEFAULTS.maxContexts,
      ppmMinContexts(1),
      PPM_MAX_CONTEXTS,
    );
    // the bound that depends on the order, said apart: the flag's own bounds are those of order 1; both spellings,
    // since the same line answers a library call (options) and the command line or the what-if page (flags)
    const least = ppmMinContexts(this.order);
    if (this.maxContexts < least) {
      throw new UserError(
        `maxContexts (--max-contexts) must be at least order (--order ${this.order}) + 1 = ${least} (the nodes ` +
          `one update of an order-${this.order} model may create), got ${this.maxContexts}`,
      );
    }
    // a slot beyond order: an update reads path[m + 1] before it overwrites it
    this.path = new Int32Array(this.order + 2);
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
    copy.nodes = nodeRecords.take(Int32Array, this.nodes.length);
    copy.nodes.set(this.nodes);
    copy.counts = new Float64Array(copy.nodes.buffer);
    copy.depths = this.depths.slice();
    copy.nodeIds = this.nodeIds;
    copy.freeIds = this.freeIds.slice();
    copy.children = this.children.clone();
    copy.liveNodes = this.liveNodes;
    copy.liveContexts = this.liveContexts;
    copy.recent = this.recent.slice();
    copy.recentEnd = this.recentEnd;
    copy.path = this.path.slice();
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
    if (learn) {
      oneSymbol[0] = symbol;
      this.learn(oneSymbol);
      return;
    }
    const index = this.symbols.indexOf(symbol);
    ++this.tick;
    this.pushRecent(index);
    // the path moves up one order in place: path[m + 1] becomes the child of the old path[m]
    const path = this.path;
    const pathLength = index >= 0 ? this.pathLength : 0;
    let length = 1;
    let parent = 0;
    for (let m = 0; m < pathLength; m++) {
      const following = path[m + 1];
      const id = this.childOf(parent, index);
      if (id < 0) break;
      if (m < this.order) path[length++] = id;
      parent = following;
    }
    this.pathLength = length;
  }

  /**
   * Learns `symbols[from..]` in order: the same as update(s, true) for each (training, where a model learns a
   * whole history at once). Order 0 takes a long batch's counts first and orders its symbols once, after it (a pass
   * over every symbol).
   */
  learn(symbols: Uint32Array, from = 0): void {
    const batch = symbols.length - from;
    const relinkAfter = batch >= RELINK_LEAST && batch * 4 >= this.symbols.size;
    const firstTick = this.tick + 1;
    this.learnEach(symbols, from, relinkAfter);
    if (relinkAfter) this.orderZero.relink(firstTick, this.tick);
  }

  /**
   * learn's loop, with the trie's arrays in locals that no call inside reassigns (room for an update's new nodes is
   * made before it), so V8 checks them once instead of at every node. It ends with its loop: V8 compiles a long
   * loop while it runs and keeps that code for later calls, where code after the loop that had not run yet
   * deoptimized at every call (1121 times in a bench run, once per fault learnt online).
   */
  private learnEach(symbols: Uint32Array, from: number, relinkAfter: boolean): void {
    const { order, orderZero, path, recent } = this;
    const symbolIndex = this.symbols;
    let { nodes, counts, rootChild, pathLength, tick, recentEnd } = this;
    for (let i = from; i < symbols.length; i++) {
      const index = symbolIndex.intern(symbols[i]);
      if (index >= rootChild.length) rootChild = this.growSymbols();
      if ((this.nodeIds + order + 1) * NODE_INTS > nodes.length) {
        this.grow();
        ({ nodes, counts } = this);
      }
      if (relinkAfter) orderZero.countOnly(index, ++tick);
      else orderZero.increment(index, ++tick);
      recent[recentEnd] = index;
      recentEnd = recentEnd + 1 === order ? 0 : recentEnd + 1;
      // order 0's node is the root's child, by direct lookup
      let id = rootChild[index];
      if (id < 0) id = this.newNode(0, index, 1);
      counts[id * NODE_FLOATS + NODE_COUNT]++;
      // the path moves up one order in place: path[m + 1] becomes the child of the old path[m]
      let parent = path[1];
      path[1] = id;
      for (let m = 1; m < pathLength; m++) {
        const following = path[m + 1];
        // the child reached last time, as in childOf (inlined: this loop is most of training)
        id = nodes[parent * NODE_INTS + NODE_LAST_CHILD];
        if (id < 0 || nodes[id * NODE_INTS + NODE_SYMBOL] !== index || nodes[id * NODE_INTS + NODE_PARENT] !== parent)
          id = this.childOf(parent, index);
        if (id < 0) id = this.newNode(parent, index, m + 1);
        counts[id * NODE_FLOATS + NODE_COUNT]++;
        if (m < order) path[m + 1] = id;
        parent = following;
      }
      if (pathLength <= order) pathLength++;
      this.pathLength = pathLength;
      this.tick = tick;
      this.recentEnd = recentEnd;
      if (this.liveNodes > this.maxContexts) {
        this.prune();
        pathLength = this.pathLength;
      }
    }
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
   * among those `accept` admits and at least `minProbability` likely, best first. A rejected symbol
   * for which `gone` holds is never offered again from order 0 (for pages already sent: they stay
   * sent). With `contextsOnly` the ranking stops before order 0: only symbols some context of order
   * >= 1 predicts, none merely frequent.
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
    const { nodes, counts, liveNodes } = this;
    let weight = 1;
    let excludedCount = 0;
    let excludedTotal = 0;
    for (let m = length - 1; m >= 1; m--) {
      let n = 0;
      let q = 0;
      let siblings = 0;
      const first = nodes[path[m] * NODE_INTS + NODE_FIRST_CHILD];
      for (let c = first; c >= 0; c = nodes[c * NODE_INTS + NODE_NEXT_SIBLING]) {
        // more siblings than live nodes: a cycle of links, round which this loop would go forever (the next one
        // walks the same list, so it ends once this one has)
        if (++siblings > liveNodes) throw brokenTrie(`the children of node ${path[m]} have a cycle`);
        if (this.excludedIn[nodes[c * NODE_INTS + NODE_SYMBOL]] !== stamp) {
          n += counts[c * NODE_FLOATS + NODE_COUNT];
          q++;
        }
      }
      if (n === 0) continue;
      for (let c = first; c >= 0; c = nodes[c * NODE_INTS + NODE_NEXT_SIBLING]) {
        const s = nodes[c * NODE_INTS + NODE_SYMBOL];
        if (this.excludedIn[s] === stamp) continue;
        this.excludedIn[s] = stamp;
        excludedCount++;
        excludedTotal += this.orderZero.count(s);
        const p = weight * symbolProbability(this.escape, counts[c * NODE_FLOATS + NODE_COUNT], n, q);
        if (!visit(s, p, false)) return;
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

  /** Appends a symbol index to the last `order` ones (a ring: no division per update). */
  private pushRecent(index: number): void {
    this.recent[this.recentEnd] = index;
    this.recentEnd = this.recentEnd + 1 === this.order ? 0 : this.recentEnd + 1;
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
    const nodes = this.nodes;
    const last = nodes[parent * NODE_INTS + NODE_LAST_CHILD];
    if (
      last >= 0 &&
      nodes[last * NODE_INTS + NODE_SYMBOL] === symbol &&
      nodes[last * NODE_INTS + NODE_PARENT] === parent
    )
      return last;
    // a context seen once so far (most of them in training) has no children; one with a single child finds it
    // through the first-child link, whether or not the map holds it (an only child goes in when a second comes,
    // and stays there when pruning drops the other): nothing to look up
    const first = nodes[parent * NODE_INTS + NODE_FIRST_CHILD];
    if (first < 0) return -1;
    if (nodes[first * NODE_INTS + NODE_NEXT_SIBLING] < 0)
      return nodes[first * NODE_INTS + NODE_SYMBOL] === symbol ? first : -1;
    const id = this.children.get(parent, symbol);
    if (id >= 0) nodes[parent * NODE_INTS + NODE_LAST_CHILD] = id;
    return id;
  }

  /** A node for string parent·symbol, `depth` symbols long (the parent's depth + 1), with count 0. */
  private newNode(parent: number, symbol: number, depth: number): number {
    const id = this.freeIds.pop() ?? this.nodeIds++;
    if ((id + 1) * NODE_INTS > this.nodes.length) this.grow();
    const nodes = this.nodes;
    const at = id * NODE_INTS;
    const first = nodes[parent * NODE_INTS + NODE_FIRST_CHILD];
    nodes[at + NODE_PARENT] = parent;
    nodes[at + NODE_SYMBOL] = symbol;
    nodes[at + NODE_FIRST_CHILD] = -1;
    nodes[at + NODE_NEXT_SIBLING] = first;
    nodes[at + NODE_PREV_SIBLING] = -1;
    nodes[at + NODE_LAST_CHILD] = -1;
    this.counts[id * NODE_FLOATS + NODE_COUNT] = 0;
    this.depths[id] = depth;
    if (first >= 0) nodes[first * NODE_INTS + NODE_PREV_SIBLING] = id;
    nodes[parent * NODE_INTS + NODE_FIRST_CHILD] = id;
    nodes[parent * NODE_INTS + NODE_LAST_CHILD] = id;
    if (parent === 0) this.rootChild[symbol] = id;
    else if (first >= 0) {
      // the parent has two children now: its children go in the map from here on (an only child stays out)
      if (nodes[first * NODE_INTS + NODE_NEXT_SIBLING] < 0)
        this.children.set(parent, nodes[first * NODE_INTS + NODE_SYMBOL], first);
      this.children.set(parent, symbol, id);
    }
    this.liveNodes++;
    if (depth <= this.order) this.liveContexts++;
    return id;
  }

  /**
   * Halves all counts, dropping nodes that reach 0, until at most 3/4 of the cap remain (see class doc). The child map
   * loses its dropped nodes in one pass at the end (a dropped node's count is -1), not one delete per node: a prune
   * drops a quarter of the cap or more, and the deletes were half of training on traces of many distinct contexts.
   */
  private prune(): void {
    const target = Math.floor((this.maxContexts * 3) / 4);
    const counts = this.counts;
    for (let passes = 0; this.liveNodes > target; passes++) {
      // a count (a whole number below 2^53) is 0 after 53 halvings: a broken trie would keep this loop going
      if (passes >= 53) throw brokenTrie(`${this.liveNodes} nodes left after ${passes} halvings`);
      for (let id = 1; id < this.nodeIds; id++) {
        const at = id * NODE_FLOATS + NODE_COUNT;
        if (counts[at] <= 0) continue;
        counts[at] = Math.floor(counts[at] / 2);
        if (counts[at] === 0) this.dropSubtree(id);
      }
    }
    this.children.retain((id) => counts[id * NODE_FLOATS + NODE_COUNT] >= 0);
    this.pathLength = this.contextsOf(this.recentSymbols(), this.path);
  }

  /** Drops `root` and its subtree: unlinked from the tree, counts -1, ids free (prune then cleans the child map). */
  private dropSubtree(root: number): void {
    const { nodes, counts, depths, order, dropping, liveNodes } = this;
    // the links into the subtree from outside: its root's parent and siblings (the rest goes with the subtree)
    const parent = nodes[root * NODE_INTS + NODE_PARENT];
    const prev = nodes[root * NODE_INTS + NODE_PREV_SIBLING];
    const next = nodes[root * NODE_INTS + NODE_NEXT_SIBLING];
    if (prev >= 0) nodes[prev * NODE_INTS + NODE_NEXT_SIBLING] = next;
    else nodes[parent * NODE_INTS + NODE_FIRST_CHILD] = next;
    if (next >= 0) nodes[next * NODE_INTS + NODE_PREV_SIBLING] = prev;
    if (nodes[parent * NODE_INTS + NODE_LAST_CHILD] === root) nodes[parent * NODE_INTS + NODE_LAST_CHILD] = -1;
    if (parent === 0) this.rootChild[nodes[root * NODE_INTS + NODE_SYMBOL]] = -1;
    dropping.push(root);
    while (dropping.length > 0) {
      const id = dropping.pop()!;
      const at = id * NODE_INTS;
      if (counts[id * NODE_FLOATS + NODE_COUNT] < 0) throw brokenTrie(`node ${id} dropped twice`);
      // more nodes to drop than live ones: a cycle of links, which would fill the memory
      for (let c = nodes[at + NODE_FIRST_CHILD]; c >= 0; c = nodes[c * NODE_INTS + NODE_NEXT_SIBLING])
        if (dropping.push(c) > liveNodes) throw brokenTrie(`the subtree of node ${root} has a cycle`);
      counts[id * NODE_FLOATS + NODE_COUNT] = -1;
      this.freeIds.push(id);
      this.liveNodes--;
      if (depths[id] <= order) this.liveContexts--;
    }
  }

  private growSymbols(): Int32Array {
    this.rootChild = enlarged(this.rootChild, this.rootChild.length * 2, -1);
    this.excludedIn = enlarged(this.excludedIn, this.rootChild.length);
    return this.rootChild;
  }

  /**
   * The model will not be used again: its node records go to later copies and growing models. Any use after this
   * is a bug (the owner, a predictor, refuses to be asked anything after its run).
   */
  release(): void {
    if (this.nodes !== RELEASED) nodeRecords.giveBack(this.nodes);
    this.nodes = RELEASED;
    this.counts = new Float64Array(0);
    this.depths = new Uint8Array(0);
  }

  private grow(): void {
    try {
      const larger = nodeRecords.take(Int32Array, this.nodes.length * 2);
      larger.set(this.nodes);
      larger.fill(0, this.nodes.length);
      nodeRecords.giveBack(this.nodes);
      this.nodes = larger;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const gib = (this.nodes.length * 2 * 4) / 2 ** 30;
      const nodes = (this.nodes.length * 2) / NODE_INTS;
      throw new UserError(
        `the PPM model cannot grow to ${nodes} trie nodes (${gib.toFixed(1)} GiB: ${err.message}); ` +
          `lower maxContexts (now ${this.maxContexts})`,
      );
    }
    this.counts = new Float64Array(this.nodes.buffer);
    this.depths = enlarged(this.depths, this.nodes.length / NODE_INTS);
  }

  /** Records for `size` nodes, node 0 the root: no parent, no children, count 0. */
  private static rootOnly(size: number): Int32Array {
    const nodes = new Int32Array(size * NODE_INTS);
    nodes[NODE_FIRST_CHILD] = -1;
    nodes[NODE_NEXT_SIBLING] = -1;
    nodes[NODE_PREV_SIBLING] = -1;
    nodes[NODE_LAST_CHILD] = -1;
    return nodes;
  }
}
