/**
 * The most recent `capacity` pages of a stream, in a ring: recording is one array write, and the
 * pages can be replayed oldest first later (once).
 */
export class HistoryWindow {
  private pages: Uint32Array | undefined;
  private written = 0;

  constructor(readonly capacity: number) {}

  push(page: number): void {
    this.pages ??= new Uint32Array(this.capacity);
    this.pages[this.written % this.capacity] = page;
    this.written++;
  }

  /** Replays the kept pages oldest first and empties the window. */
  drain(visit: (page: number) => void): void {
    const pages = this.pages;
    if (!pages) return;
    const kept = Math.min(this.written, this.capacity);
    for (let i = this.written - kept; i < this.written; i++) visit(pages[i % this.capacity]);
    this.pages = undefined;
    this.written = 0;
  }
}
