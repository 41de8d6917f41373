import { enlarged } from '../util/enlarged';

/** Symbols below this go through a direct table (4 bytes per value up to the largest seen); others through a Map. */
const DIRECT_LIMIT = 1 << 24;

/**
 * Dense indices 0, 1, 2, ... for arbitrary non-negative integer symbols, in order of first sight.
 * Page numbers are small and looked up on every PPM update: a typed-array table answers in one
 * load where a Map hashes; huge symbols (page deltas modulo 2^32) fall back to the Map.
 */
export class Interner {
  private direct = new Int32Array(1024).fill(-1);
  private large = new Map<number, number>();
  private values: number[] = [];

  /** An independent copy. */
  clone(): Interner {
    const copy = new Interner();
    copy.direct = this.direct.slice();
    copy.large = new Map(this.large);
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
    return this.large.get(symbol) ?? -1;
  }

  /** The symbol's index, giving it the next one on first sight. */
  intern(symbol: number): number {
    const known = this.indexOf(symbol);
    if (known >= 0) return known;
    const index = this.values.length;
    this.values.push(symbol);
    if (symbol >= DIRECT_LIMIT) {
      this.large.set(symbol, index);
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
}
