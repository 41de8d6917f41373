import { definePredictor, wholeNumber, type OptionValues } from './options';
import { pagesAlong } from './proposals';
import type { FaultContext, Predictor } from './types';

const OPTIONS = { history: wholeNumber(32, 1, 2 ** 20, 'fault deltas kept for the majority vote') };

/**
 * Boyer-Moore majority vote over `deltas` read newest first, `size` of them: the delta that
 * occurs more than size/2 times, or undefined. `at(i)` is the i-th newest delta.
 */
export function majorityDelta(at: (i: number) => number, size: number): number | undefined {
  let candidate = 0;
  let votes = 0;
  for (let i = 0; i < size; i++) {
    const d = at(i);
    if (votes === 0) candidate = d;
    votes += d === candidate ? 1 : -1;
  }
  let count = 0;
  for (let i = 0; i < size; i++) if (at(i) === candidate) count++;
  return size > 0 && count > size / 2 ? candidate : undefined;
}

/**
 * Leap (Al Maruf & Chowdhury, ATC'20) on the fault stream: fault deltas go into a ring of the
 * last `history` deltas. The trend is the majority delta of the newest
 * max(1, history/4) deltas; with no majority the window doubles until it covers the whole
 * history (Leap's find_trend). With a non-zero trend d it proposes p+d, p+2d, ..., p+kd.
 * Without one Leap falls back to the kernel's readahead cluster around the fault; here the
 * fallback is the next pages p+1..p+k (next-k), the same budget without Linux's alignment.
 */
export const leap = definePredictor({
  name: 'leap',
  proposes:
    "Leap's trend: Boyer-Moore majority over the newest history/4 fault deltas, window doubling up to `history` " +
    "while there is no majority; with trend d: p+d … p+kd; without: p+1 … p+k (Leap falls back to the kernel's " +
    'readahead cluster; here the next pages)',
  options: OPTIONS,
  create: (options) => new Leap(options),
});

/** Leap's state for one run: a class, so its optimized code outlives the run (see PhaseBubbling). */
class Leap implements Predictor {
  readonly name = 'leap';
  private readonly history: number;
  private readonly ring: Float64Array;
  private stored = 0;
  private head = 0;
  private previous = -1;
  /** The i-th newest fault delta. */
  private readonly newest = (i: number) => this.ring[(this.head - 1 - i + this.history) % this.history];

  constructor(options: OptionValues<typeof OPTIONS>) {
    this.history = options.history;
    this.ring = new Float64Array(this.history);
  }

  observeHistory(): void {}

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    if (this.previous >= 0) {
      this.ring[this.head] = page - this.previous;
      this.head = (this.head + 1) % this.history;
      this.stored = Math.min(this.stored + 1, this.history);
    }
    this.previous = page;
    const d = this.trend();
    return pagesAlong(page, d === undefined || d === 0 ? 1 : d, k, ctx.vmPages);
  }

  modelSize(): number {
    return this.stored;
  }

  private trend(): number | undefined {
    for (let size = Math.max(1, Math.floor(this.history / 4)); ; size *= 2) {
      const window = Math.min(size, this.stored);
      const d = majorityDelta(this.newest, window);
      if (d !== undefined || window >= this.stored) return d;
    }
  }
}
