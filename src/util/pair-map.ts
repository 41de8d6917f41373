/** An empty slot's first int32: a slot holds a + 1 there, so a new table is the typed array's zeros. */
const EMPTY = 0;
/** Int32 slots per entry: key a + 1, key b, value. One array, so a probe touches one cache line. */
const STRIDE = 3;

/**
 * A hash map from a pair of int32 (a, b), 0 <= a < 2^31 - 1 and b >= 0, to a non-negative int32, in one typed
 * array with open addressing (linear probing, load <= 1/2; entries leave in bulk, by retain). PPM does
 * tens of millions of (node, symbol) lookups: a JS Map keyed by a * 2^32 + b hashes heap doubles
 * and was several times slower.
 */
export class PairMap {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.slots = new Int32Array(capacity * STRIDE);
    this.mask = capacity - 1;
  }

  /** An independent copy (same capacity, so the same probe sequences). */
  clone(): PairMap {
    const copy = new PairMap(0);
    copy.slots = this.slots.slice();
    copy.mask = this.mask;
    copy.size = this.size;
    return copy;
  }

  /** The value of (a, b), or -1 when absent. */
  get(a: number, b: number): number {
    const at = this.locate(a, b) * STRIDE;
    return this.slots[at] === EMPTY ? -1 : this.slots[at + 2];
  }

  /** Sets (a, b) to value; a RangeError for an `a` outside [0, 2^31 - 1), whose a + 1 an int32 slot cannot hold. */
  set(a: number, b: number, value: number): void {
    if (!(a >= 0 && a < 2 ** 31 - 1)) throw new RangeError(`PairMap.set: key ${a} is outside [0, 2^31 - 1)`);
    if ((this.size + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    const at = this.locate(a, b) * STRIDE;
    if (this.slots[at] === EMPTY) this.size++;
    this.slots[at] = a + 1;
    this.slots[at + 1] = b;
    this.slots[at + 2] = value;
  }

  /**
   * Keeps only the entries whose value `keep` admits, in one pass over the table and one rebuild at the same capacity:
   * cheaper than a delete per entry when many go at once (each delete shifts its probe run back, hashing every entry
   * it passes), and lookups answer the same either way.
   */
  retain(keep: (value: number) => boolean): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length);
    this.size = 0;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at] !== EMPTY && keep(old[at + 2])) this.set(old[at] - 1, old[at + 1], old[at + 2]);
    }
  }

  /** The slot holding (a, b), or the empty slot that ends its probe run. */
  private locate(a: number, b: number): number {
    const slots = this.slots;
    const stored = a + 1;
    let i = this.home(a, b);
    for (;;) {
      const at = i * STRIDE;
      if (slots[at] === EMPTY || (slots[at] === stored && slots[at + 1] === b)) return i;
      i = (i + 1) & this.mask;
    }
  }

  private home(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 13)) & this.mask;
  }

  private resize(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(capacity * STRIDE);
    this.mask = capacity - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at] !== EMPTY) this.set(old[at] - 1, old[at + 1], old[at + 2]);
    }
  }
}
