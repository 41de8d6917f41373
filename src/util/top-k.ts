/**
 * The best k candidates seen so far, ordered by score (higher first) and, on equal scores, by
 * `recency` (higher = observed more recently, first). Insertion into a sorted array: k is the
 * prefetch degree (small), so this beats a heap and keeps the order stable.
 */
export class TopK {
  private readonly pages: number[] = [];
  private readonly scores: number[] = [];
  private readonly recencies: number[] = [];

  constructor(readonly k: number) {}

  /** True when a candidate with this score and recency would enter the list. */
  accepts(score: number, recency: number): boolean {
    if (this.pages.length < this.k) return this.k > 0;
    const last = this.pages.length - 1;
    return score > this.scores[last] || (score === this.scores[last] && recency > this.recencies[last]);
  }

  offer(page: number, score: number, recency: number): void {
    if (!this.accepts(score, recency)) return;
    let i = this.pages.length;
    while (i > 0 && (this.scores[i - 1] < score || (this.scores[i - 1] === score && this.recencies[i - 1] < recency)))
      i--;
    this.pages.splice(i, 0, page);
    this.scores.splice(i, 0, score);
    this.recencies.splice(i, 0, recency);
    if (this.pages.length > this.k) {
      this.pages.pop();
      this.scores.pop();
      this.recencies.pop();
    }
  }

  /** Pages, best first. */
  result(): number[] {
    return this.pages.slice();
  }
}
