/**
 * "First index >= i that is still alive" over 0..size-1, with removals that never come back: a
 * union-find with path compression, so a scan that keeps skipping removed indices is amortised near
 * O(1) per index over a whole run. Used to skip pages or trace positions already sent: in one
 * migration a page, once sent, stays sent.
 *
 * @example
 * const alive = new NextAlive(4);
 * alive.remove(1);
 * alive.remove(2);
 * alive.find(1); // 3
 * alive.find(4); // 4 (= size: none left)
 */
export class NextAlive {
  /**
   * skip[i] === 0 while i is alive, else the distance to an index further on the way to the next alive one (its
   * parent). Distances rather than parent indices so that a new set is the typed array's zeros: no pass over it
   * (a run builds several of the VM's size). size is the "none left" sentinel, always alive.
   */
  private readonly skip: Int32Array;

  constructor(readonly size: number) {
    this.skip = new Int32Array(size + 1);
  }

  /** The first alive index >= i, or `size` when there is none; a RangeError for i not a whole number >= 0. */
  find(i: number): number {
    if (i >= this.size) return this.size;
    // skip[i] of such an i is undefined, and the walk below would add it forever
    if (i < 0 || (i | 0) !== i) throw new RangeError(`NextAlive.find: ${i} is not an index`);
    const skip = this.skip;
    let root = i;
    while (skip[root] !== 0) root += skip[root];
    while (i !== root) {
      const next = i + skip[i];
      skip[i] = root - i;
      i = next;
    }
    return root;
  }

  /** Marks i as removed: later finds skip it. */
  remove(i: number): void {
    if (i < this.size) this.skip[i] = 1;
  }
}
