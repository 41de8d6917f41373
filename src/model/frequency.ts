import { enlarged } from '../util/enlarged';

/** No symbol or no bucket (the -1 of the linked lists). */
const NONE = -1;

/**
 * Counts of dense symbol indices, enumerable in descending count and, within a count, most
 * recently counted first, with O(1) increments. Ranking at PPM's order 0 needs the top few
 * symbols among up to millions without sorting at every fault. A symbol that is "retired"
 * keeps its count (probabilities still use it) but leaves the enumeration for good: a page
 * once sent is never worth proposing again in the same run.
 *
 * Structure (an O(1) LFU): symbols of one count form a bucket, a list linked through `next` and
 * `prev` in recency order; buckets form a list by count. Buckets live in typed arrays by bucket id,
 * like the symbols, so that counting allocates no objects and a copy is a few array copies.
 */
export class FrequencyRanking {
  // per symbol, in typed arrays grown by doubling: one increment per PPM update touches them all
  private counts = new Float64Array(1024);
  private lastCounted = new Float64Array(1024).fill(-1);
  private prev = new Int32Array(1024).fill(NONE);
  private next = new Int32Array(1024).fill(NONE);
  private retired = new Uint8Array(1024);
  private bucketOf = new Int32Array(1024).fill(NONE);
  // per bucket id: its count, most recently counted member, and the buckets of the next higher and lower counts
  private bucketCount = new Float64Array(64);
  private bucketHead = new Int32Array(64);
  private higher = new Int32Array(64);
  private lower = new Int32Array(64);
  private freeBuckets: number[] = [];
  private bucketIds = 0;
  private top = NONE;
  private bottom = NONE;
  /** Sum of all counts. */
  total = 0;
  /** Symbols with a count > 0. */
  distinct = 0;

  /** An independent copy: the same counts, recency, retired symbols and enumeration order. */
  clone(): FrequencyRanking {
    const copy = new FrequencyRanking();
    copy.counts = this.counts.slice();
    copy.lastCounted = this.lastCounted.slice();
    copy.prev = this.prev.slice();
    copy.next = this.next.slice();
    copy.retired = this.retired.slice();
    copy.bucketOf = this.bucketOf.slice();
    copy.bucketCount = this.bucketCount.slice();
    copy.bucketHead = this.bucketHead.slice();
    copy.higher = this.higher.slice();
    copy.lower = this.lower.slice();
    copy.freeBuckets = this.freeBuckets.slice();
    copy.bucketIds = this.bucketIds;
    copy.top = this.top;
    copy.bottom = this.bottom;
    copy.total = this.total;
    copy.distinct = this.distinct;
    return copy;
  }

  count(symbol: number): number {
    return symbol < this.counts.length ? this.counts[symbol] : 0;
  }

  /** Tick of the symbol's last increment (-1 if never): the tie-break of the ranking. */
  recency(symbol: number): number {
    return symbol < this.lastCounted.length ? this.lastCounted[symbol] : -1;
  }

  increment(symbol: number, tick: number): void {
    if (symbol >= this.counts.length) this.grow(symbol);
    const c = this.counts[symbol]++;
    if (c === 0) this.distinct++;
    this.total++;
    this.lastCounted[symbol] = tick;
    if (this.retired[symbol] === 1) return;
    const from = this.bucketOf[symbol];
    const above = from >= 0 ? this.higher[from] : this.bottom;
    const target = above >= 0 && this.bucketCount[above] === c + 1 ? above : this.insertBucket(c + 1, from, above);
    if (from >= 0) this.unlink(symbol);
    this.pushHead(symbol, target);
  }

  /**
   * Counts the symbol but leaves it where it is in the enumeration until `relink`: a batch of these and one relink
   * (PPM's training on a whole history) leave the state increment() one at a time would, without moving a symbol
   * between buckets at every count.
   */
  countOnly(symbol: number, tick: number): void {
    if (symbol >= this.counts.length) this.grow(symbol);
    if (this.counts[symbol]++ === 0) this.distinct++;
    this.total++;
    this.lastCounted[symbol] = tick;
  }

  /**
   * Places the symbols counted by countOnly since `firstTick` (ticks firstTick..lastTick, one symbol each) where
   * increment would have put them: each in the bucket of its count, most recent first. Every other symbol's last
   * count is older than theirs, so they go to the heads of their buckets, pushed oldest first.
   */
  relink(firstTick: number, lastTick: number): void {
    const span = lastTick - firstTick + 1;
    if (span <= 0) return;
    const byTick = new Int32Array(span).fill(NONE);
    const bucketOfCount = new Map<number, number>();
    const missing: number[] = [];
    for (let s = 0; s < this.counts.length; s++) {
      if (this.lastCounted[s] < firstTick || this.retired[s] === 1) continue;
      if (this.bucketOf[s] >= 0) this.unlink(s);
      byTick[this.lastCounted[s] - firstTick] = s;
      if (!bucketOfCount.has(this.counts[s])) {
        bucketOfCount.set(this.counts[s], NONE);
        missing.push(this.counts[s]);
      }
    }
    this.addBuckets(missing, bucketOfCount);
    for (let t = 0; t < span; t++) {
      const s = byTick[t];
      if (s >= 0) this.pushHead(s, bucketOfCount.get(this.counts[s])!);
    }
  }

  /**
   * Buckets for `wanted` counts (each once) in the list, in count order: the existing bucket of such a count is
   * used, a new one made where there is none; `bucketOfCount` gets the bucket of each.
   */
  private addBuckets(wanted: number[], bucketOfCount: Map<number, number>): void {
    wanted.sort((a, b) => a - b);
    // one merge of the ascending list with the ascending counts
    let below = NONE;
    let above = this.bottom;
    for (const count of wanted) {
      while (above >= 0 && this.bucketCount[above] < count) [below, above] = [above, this.higher[above]];
      if (above >= 0 && this.bucketCount[above] === count) below = above;
      else below = this.insertBucket(count, below, above);
      above = this.higher[below];
      bucketOfCount.set(count, below);
    }
  }

  /** Removes the symbol from the enumeration for good (its count stays). */
  retire(symbol: number): void {
    if (this.retired[symbol] === 1) return;
    if (this.bucketOf[symbol] >= 0) this.unlink(symbol);
    this.retired[symbol] = 1;
  }

  /** Visits live symbols by descending count, most recent first on equal counts, until `visit` returns false. */
  forEachDescending(visit: (symbol: number) => boolean): void {
    for (let b = this.top; b >= 0; b = this.lower[b]) {
      for (let s = this.bucketHead[b]; s >= 0;) {
        const after = this.next[s];
        if (!visit(s)) return;
        s = after;
      }
    }
  }

  private grow(symbol: number): void {
    let size = this.counts.length * 2;
    while (size <= symbol) size *= 2;
    this.counts = enlarged(this.counts, size);
    this.lastCounted = enlarged(this.lastCounted, size, -1);
    this.prev = enlarged(this.prev, size, NONE);
    this.next = enlarged(this.next, size, NONE);
    this.retired = enlarged(this.retired, size);
    this.bucketOf = enlarged(this.bucketOf, size, NONE);
  }

  /** A new, empty bucket of `count` between the buckets `below` and `above` (NONE at the ends). */
  private insertBucket(count: number, below: number, above: number): number {
    let b = this.freeBuckets.pop();
    if (b === undefined) {
      b = this.bucketIds++;
      if (b >= this.bucketHead.length) this.growBuckets();
    }
    this.bucketCount[b] = count;
    this.bucketHead[b] = NONE;
    this.higher[b] = above;
    this.lower[b] = below;
    if (below >= 0) this.higher[below] = b;
    else this.bottom = b;
    if (above >= 0) this.lower[above] = b;
    else this.top = b;
    return b;
  }

  private growBuckets(): void {
    const size = this.bucketHead.length * 2;
    this.bucketCount = enlarged(this.bucketCount, size);
    this.bucketHead = enlarged(this.bucketHead, size);
    this.higher = enlarged(this.higher, size);
    this.lower = enlarged(this.lower, size);
  }

  private pushHead(symbol: number, b: number): void {
    const head = this.bucketHead[b];
    this.prev[symbol] = NONE;
    this.next[symbol] = head;
    if (head >= 0) this.prev[head] = symbol;
    this.bucketHead[b] = symbol;
    this.bucketOf[symbol] = b;
  }

  /** Takes the symbol out of its bucket, and the bucket out of the list once it is empty. */
  private unlink(symbol: number): void {
    const b = this.bucketOf[symbol];
    const p = this.prev[symbol];
    const n = this.next[symbol];
    if (p >= 0) this.next[p] = n;
    else this.bucketHead[b] = n;
    if (n >= 0) this.prev[n] = p;
    this.bucketOf[symbol] = NONE;
    if (this.bucketHead[b] >= 0) return;
    const below = this.lower[b];
    const above = this.higher[b];
    if (below >= 0) this.higher[below] = above;
    else this.bottom = above;
    if (above >= 0) this.lower[above] = below;
    else this.top = below;
    this.freeBuckets.push(b);
  }
}
