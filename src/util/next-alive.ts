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
  /** parent[i] === i while i is alive; size is the "none left" sentinel. */
  private readonly parent: Int32Array;

  constructor(readonly size: number) {
    this.parent = new Int32Array(size + 1);
    for (let i = 0; i <= size; i++) this.parent[i] = i;
  }

  /** The first alive index >= i, or `size` when there is none. */
  find(i: number): number {
    if (i >= this.size) return this.size;
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[i] !== root) {
      const next = this.parent[i];
      this.parent[i] = root;
      i = next;
    }
    return root;
  }

  /** Marks i as removed: later finds skip it. */
  remove(i: number): void {
    if (i < this.size) this.parent[i] = i + 1;
  }
}
