/**
 * The best k candidates seen so far, ordered by score (higher first) and, on equal scores, by
 * `recency` (higher = observed more recently, first). Insertion into a sorted array: k is the
 * prefetch degree (small), so this beats a heap and keeps the order stable. One instance can be
 * reused (`clear`), so ranking at every fault allocates nothing but the result.
 */
export class TopK {
  private readonly pages: number[] = [];
  private readonly scores: number[] = [];
  private readonly recencies: number[] = [];
  private size = 0;

  constructor(private k: number) {}

  /** Empties the list, to collect the best `k` anew. */
  clear(k: number): void {
    this.k = k;
    this.size = 0;
  }

  /** True when a candidate with this score and recency would enter the list. */
  accepts(score: number, recency: number): boolean {
    if (this.size < this.k) return true;
    const last = this.size - 1;
    return last >= 0 && (score > this.scores[last] || (score === this.scores[last] && recency > this.recencies[last]));
  }

  offer(page: number, score: number, recency: number): void {
    if (!this.accepts(score, recency)) return;
    // a full list drops its last entry: the new one goes in its slot, then moves up past every worse entry
    let i = this.size < this.k ? this.size++ : this.size - 1;
    const { pages, scores, recencies } = this;
    while (i > 0 && (scores[i - 1] < score || (scores[i - 1] === score && recencies[i - 1] < recency))) {
      pages[i] = pages[i - 1];
      scores[i] = scores[i - 1];
      recencies[i] = recencies[i - 1];
      i--;
    }
    pages[i] = page;
    scores[i] = score;
    recencies[i] = recency;
  }

  /** Pages, best first. */
  result(): number[] {
    return this.pages.slice(0, this.size);
  }
}
