import { enlarged } from '../util/enlarged';

/**
 * Symbols below this go through a direct table (4 bytes per value up to the largest seen); others through a hash
 * table.
 */
const DIRECT_LIMIT = 1 << 24;
/** An empty slot of the hash table (symbols are non-negative). */
const NO_SYMBOL = -1;

/**
 * Dense indices 0, 1, 2, ... for arbitrary non-negative integer symbols, in order of first sight.
 * Page numbers are small and looked up on every PPM update: a typed-array table answers in one
 * load where a Map hashes; huge symbols (page deltas modulo 2^32) go to an open-addressing table
 * in typed arrays (linear probing, load <= 1/2). A Map boxed every such key above 2^31 on each
 * lookup, and a copy of the model (sweeps copy trained models) had to rebuild it entry by entry.
 */
export class Interner {
  private direct = new Int32Array(1024).fill(-1);
  /** The hash table: symbols as float64 (exact for integers below 2^53), their indices beside them. */
  private hashed = new Float64Array(16).fill(NO_SYMBOL);
  private hashedIndex = new Int32Array(16);
  private hashedCount = 0;
  private values: number[] = [];

  /** An independent copy. */
  clone(): Interner {
    const copy = new Interner();
    copy.direct = this.direct.slice();
    copy.hashed = this.hashed.slice();
    copy.hashedIndex = this.hashedIndex.slice();
    copy.hashedCount = this.hashedCount;
    copy.values = this.values.slice();
    return copy;
  }

  /** Number of symbols interned. */
  get size(): number {
    return this.values.length;
  }

  /** The symbol's index, or -1 when it was never interned. */
  indexOf(symbol: number): number {
    if (symbol < DIRECT_LIMIT) return symbol < this.direct.length ? this.direct[symbol] : -1;
    const at = this.slotOf(symbol);
    return this.hashed[at] === symbol ? this.hashedIndex[at] : -1;
  }

  /** The symbol's index, giving it the next one on first sight. */
  intern(symbol: number): number {
    const known = this.indexOf(symbol);
    if (known >= 0) return known;
    const index = this.values.length;
    this.values.push(symbol);
    if (symbol >= DIRECT_LIMIT) {
      if ((this.hashedCount + 1) * 2 > this.hashed.length) this.rehash(this.hashed.length * 2);
      this.place(symbol, index);
      return index;
    }
    if (symbol >= this.direct.length) {
      let size = this.direct.length * 2;
      while (size <= symbol) size *= 2;
      this.direct = enlarged(this.direct, size, -1);
    }
    this.direct[symbol] = index;
    return index;
  }

  /** The symbol with that index. */
  valueOf(index: number): number {
    return this.values[index];
  }

  /** The hash table's slot holding `symbol`, or the empty slot that ends its probe run. */
  private slotOf(symbol: number): number {
    const hashed = this.hashed;
    const mask = hashed.length - 1;
    // both 32-bit halves of the symbol, mixed
    let h = Math.imul(symbol >>> 0, 0x9e3779b1) ^ Math.imul((symbol / 2 ** 32) | 0, 0x85ebca6b);
    h ^= h >>> 16;
    let i = h & mask;
    while (hashed[i] !== NO_SYMBOL && hashed[i] !== symbol) i = (i + 1) & mask;
    return i;
  }

  private place(symbol: number, index: number): void {
    const at = this.slotOf(symbol);
    this.hashed[at] = symbol;
    this.hashedIndex[at] = index;
    this.hashedCount++;
  }

  private rehash(capacity: number): void {
    const [symbols, indices] = [this.hashed, this.hashedIndex];
    this.hashed = new Float64Array(capacity).fill(NO_SYMBOL);
    this.hashedIndex = new Int32Array(capacity);
    this.hashedCount = 0;
    for (let i = 0; i < symbols.length; i++) if (symbols[i] !== NO_SYMBOL) this.place(symbols[i], indices[i]);
  }
}
