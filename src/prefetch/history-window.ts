const NOTHING = new Uint32Array(0);

/**
 * The most recent `capacity` pages of a stream, in a ring: recording is one array write, and the
 * pages can be replayed oldest first later (once). The ring grows by doubling up to `capacity`, so
 * a short history costs memory for its own length, not the whole window's (sweeps make thousands).
 */
export class HistoryWindow {
  private pages: Uint32Array | undefined;
  private written = 0;

  constructor(readonly capacity: number) {}

  push(page: number): void {
    this.room(1)[this.written % this.capacity] = page;
    this.written++;
  }

  /** Records consecutive pages, oldest first: only the last `capacity` of them are copied. */
  pushBlock(block: Uint32Array): void {
    const pages = this.room(block.length);
    const kept = block.subarray(Math.max(0, block.length - this.capacity));
    // a block that fills the window replaces it, laid oldest first from slot 0: take() then needs no reordering copy
    this.written = kept.length === this.capacity ? 0 : this.written + block.length - kept.length;
    let at = this.written % this.capacity;
    let from = 0;
    while (from < kept.length) {
      const n = Math.min(kept.length - from, this.capacity - at);
      pages.set(kept.subarray(from, from + n), at);
      from += n;
      at = 0;
    }
    this.written += kept.length;
  }

  /** The kept pages, oldest first, emptying the window. */
  take(): Uint32Array {
    if (this.written === 0) return NOTHING;
    const pages = this.pages!;
    const kept = Math.min(this.written, this.capacity);
    const end = this.written % this.capacity;
    this.pages = undefined;
    this.written = 0;
    if (kept < this.capacity || end === 0) return pages.subarray(0, kept);
    const ordered = new Uint32Array(kept);
    ordered.set(pages.subarray(end));
    ordered.set(pages.subarray(0, end), kept - end);
    return ordered;
  }

  /** Replays the kept pages oldest first and empties the window. */
  drain(visit: (page: number) => void): void {
    const pages = this.take();
    for (let i = 0; i < pages.length; i++) visit(pages[i]);
  }

  /**
   * The ring, grown to take `more` pages. Below `capacity` nothing has wrapped yet: the pages so far
   * are its first `written` slots, and growing copies just those.
   */
  private room(more: number): Uint32Array {
    const pages = this.pages;
    if (pages && (pages.length === this.capacity || this.written + more <= pages.length)) return pages;
    let size = Math.max(1024, pages?.length ?? 0);
    while (size < this.written + more && size < this.capacity) size *= 2;
    const grown = new Uint32Array(Math.min(size, this.capacity));
    if (pages) grown.set(pages.subarray(0, this.written));
    return (this.pages = grown);
  }
}
