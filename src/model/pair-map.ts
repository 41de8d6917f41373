const EMPTY = -1;

/**
 * A hash map from a pair of non-negative int32 (a, b) to a non-negative int32, in typed arrays
 * with open addressing (linear probing, backward-shift deletion, load <= 1/2). PPM needs tens of
 * millions of (context, symbol) lookups: a JS Map keyed by a * 2^32 + b hashes heap doubles and
 * was ten times slower.
 */
export class PairMap {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private values: Int32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.keysA = new Int32Array(capacity).fill(EMPTY);
    this.keysB = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** The value of (a, b), or -1 when absent. */
  get(a: number, b: number): number {
    const i = this.locate(a, b);
    return this.keysA[i] === EMPTY ? -1 : this.values[i];
  }

  set(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.keysA.length) this.resize(this.keysA.length * 2);
    const i = this.locate(a, b);
    if (this.keysA[i] === EMPTY) this.size++;
    this.keysA[i] = a;
    this.keysB[i] = b;
    this.values[i] = value;
  }

  delete(a: number, b: number): void {
    const i = this.locate(a, b);
    if (this.keysA[i] === EMPTY) return;
    this.keysA[i] = EMPTY;
    this.size--;
    // backward shift: pull later entries of the probe run into the hole when the hole lies
    // between their home slot and where they sit, so every lookup still finds them
    let hole = i;
    for (let j = (i + 1) & this.mask; this.keysA[j] !== EMPTY; j = (j + 1) & this.mask) {
      const home = this.home(this.keysA[j], this.keysB[j]);
      if (((j - home) & this.mask) >= ((j - hole) & this.mask)) {
        this.keysA[hole] = this.keysA[j];
        this.keysB[hole] = this.keysB[j];
        this.values[hole] = this.values[j];
        this.keysA[j] = EMPTY;
        hole = j;
      }
    }
  }

  /** The slot holding (a, b), or the empty slot that ends its probe run. */
  private locate(a: number, b: number): number {
    let i = this.home(a, b);
    while (this.keysA[i] !== EMPTY && !(this.keysA[i] === a && this.keysB[i] === b)) i = (i + 1) & this.mask;
    return i;
  }

  private home(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 13)) & this.mask;
  }

  private resize(capacity: number): void {
    const { keysA, keysB, values } = this;
    this.keysA = new Int32Array(capacity).fill(EMPTY);
    this.keysB = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < keysA.length; i++) if (keysA[i] !== EMPTY) this.set(keysA[i], keysB[i], values[i]);
  }
}
