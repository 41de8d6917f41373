import { definePredictor, wholeNumber, type OptionValues } from './options';
import { pagesAlong } from './proposals';
import type { Predictor } from './types';

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
    "Leap's trend: Boyer-Moore majority over the newest history/4 fault deltas, window doubling up to `history` while " +
    "there is no majority; with trend d: p+d … p+kd; without: p+1 … p+k (Leap falls back to the kernel's readahead " +
    'cluster; here the next pages)',
  options: OPTIONS,
  create: createLeap,
});

function createLeap(options: OptionValues<typeof OPTIONS>): Predictor {
  const history = options.history;
  const ring = new Float64Array(history);
  let stored = 0;
  let head = 0;
  let previous = -1;
  const newest = (i: number) => ring[(head - 1 - i + history) % history];

  function trend(): number | undefined {
    for (let size = Math.max(1, Math.floor(history / 4)); ; size *= 2) {
      const window = Math.min(size, stored);
      const d = majorityDelta(newest, window);
      if (d !== undefined || window >= stored) return d;
    }
  }

  return {
    name: 'leap',
    observeHistory() {},
    onFault(page, k, ctx) {
      if (previous >= 0) {
        ring[head] = page - previous;
        head = (head + 1) % history;
        stored = Math.min(stored + 1, history);
      }
      previous = page;
      const d = trend();
      return pagesAlong(page, d === undefined || d === 0 ? 1 : d, k, ctx.vmPages);
    },
    modelSize: () => stored,
  };
}
