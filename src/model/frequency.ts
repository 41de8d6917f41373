import { enlarged } from '../util/enlarged';

/** Symbols with one count, kept in a list of buckets of equal count (an O(1) LFU structure). */
interface Bucket {
  count: number;
  /** Most recently counted member; members are linked through `next` in recency order. */
  head: number;
  higher: Bucket | null;
  lower: Bucket | null;
}

/**
 * Counts of dense symbol indices, enumerable in descending count and, within a count, most
 * recently counted first, with O(1) increments. Ranking at PPM's order 0 needs the top few
 * symbols among up to millions without sorting at every fault. A symbol that is "retired"
 * keeps its count (probabilities still use it) but leaves the enumeration for good: a page
 * once sent is never worth proposing again in the same run.
 */
export class FrequencyRanking {
  // per symbol, in typed arrays grown by doubling: one increment per PPM update touches them all
  private counts = new Float64Array(1024);
  private lastCounted = new Float64Array(1024).fill(-1);
  private prev = new Int32Array(1024).fill(-1);
  private next = new Int32Array(1024).fill(-1);
  private retired = new Uint8Array(1024);
  private bucketOf: (Bucket | null)[] = [];
  private top: Bucket | null = null;
  private bottom: Bucket | null = null;
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
    copy.total = this.total;
    copy.distinct = this.distinct;
    const copies = new Map<Bucket, Bucket>();
    for (let b = this.bottom; b; b = b.higher) {
      const c: Bucket = { count: b.count, head: b.head, higher: null, lower: copy.top };
      if (copy.top) copy.top.higher = c;
      else copy.bottom = c;
      copy.top = c;
      copies.set(b, c);
    }
    copy.bucketOf = this.bucketOf.map((b) => (b ? copies.get(b)! : null));
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
    while (this.bucketOf.length <= symbol) this.bucketOf.push(null);
    const c = this.counts[symbol]++;
    if (c === 0) this.distinct++;
    this.total++;
    this.lastCounted[symbol] = tick;
    if (this.retired[symbol] === 1) return;
    const from = this.bucketOf[symbol];
    const above = from ? from.higher : this.bottom;
    const target = above && above.count === c + 1 ? above : this.insertBucket(c + 1, from, above);
    if (from) this.unlink(symbol);
    this.pushHead(symbol, target);
  }

  /** Removes the symbol from the enumeration for good (its count stays). */
  retire(symbol: number): void {
    if (this.retired[symbol] === 1) return;
    if (this.bucketOf[symbol]) this.unlink(symbol);
    this.retired[symbol] = 1;
  }

  /** Visits live symbols by descending count, most recent first on equal counts, until `visit` returns false. */
  forEachDescending(visit: (symbol: number) => boolean): void {
    for (let b = this.top; b; b = b.lower) {
      for (let s = b.head; s >= 0;) {
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
    this.prev = enlarged(this.prev, size, -1);
    this.next = enlarged(this.next, size, -1);
    this.retired = enlarged(this.retired, size);
  }

  private insertBucket(count: number, lower: Bucket | null, higher: Bucket | null): Bucket {
    const b: Bucket = { count, head: -1, higher, lower };
    if (lower) lower.higher = b;
    else this.bottom = b;
    if (higher) higher.lower = b;
    else this.top = b;
    return b;
  }

  private pushHead(symbol: number, b: Bucket): void {
    this.prev[symbol] = -1;
    this.next[symbol] = b.head;
    if (b.head >= 0) this.prev[b.head] = symbol;
    b.head = symbol;
    this.bucketOf[symbol] = b;
  }

  private unlink(symbol: number): void {
    const b = this.bucketOf[symbol]!;
    const p = this.prev[symbol];
    const n = this.next[symbol];
    if (p >= 0) this.next[p] = n;
    else b.head = n;
    if (n >= 0) this.prev[n] = p;
    this.bucketOf[symbol] = null;
    if (b.head >= 0) return;
    if (b.lower) b.lower.higher = b.higher;
    else this.bottom = b.higher;
    if (b.higher) b.higher.lower = b.lower;
    else this.top = b.lower;
  }
}
