/**
 * Typed arrays handed from one user to the next within a thread. A sweep runs thousands of short runs that each need
 * arrays of the same few sizes (a simulation's per-page arrays, a PPM model's node records): new ones each time cost
 * the operating system's fresh pages and V8 a full collection whenever enough external memory has come and gone.
 * A pool keeps the arrays given back, none over `maxArrayBytes` and at most `maxKeptBytes` in all (the oldest go
 * first), and hands one out again for the same type and length, holding whatever its last user left in it.
 */
type PooledArray = Float64Array | Int32Array | Uint8Array;

export class ArrayPool {
  /** Arrays given back, oldest first. */
  private readonly kept: PooledArray[] = [];
  private keptBytes = 0;

  constructor(
    private readonly maxArrayBytes: number,
    private readonly maxKeptBytes: number,
  ) {}

  /** An array of `length` elements: one given back (contents left as they were) or a new one (zeros). */
  take<T extends PooledArray>(type: new (length: number) => T, length: number): T {
    const at = this.kept.findIndex((a) => a instanceof type && a.length === length);
    if (at < 0) return new type(length);
    const [array] = this.kept.splice(at, 1);
    this.keptBytes -= array.byteLength;
    return array as T;
  }

  /** Gives arrays back for later takers: the caller must not use them again. */
  giveBack(...arrays: PooledArray[]): void {
    for (const array of arrays) {
      if (array.byteLength > this.maxArrayBytes || this.kept.includes(array)) continue;
      this.kept.push(array);
      this.keptBytes += array.byteLength;
    }
    while (this.keptBytes > this.maxKeptBytes) this.keptBytes -= this.kept.shift()!.byteLength;
  }

  /** How many arrays are kept now (tests). */
  get size(): number {
    return this.kept.length;
  }
}
