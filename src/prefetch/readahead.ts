import { definePredictor } from './options';
import { pagesAlong } from './proposals';
import type { Predictor } from './types';

/** Window after a random fault: one page, like a read that has not proven sequential yet. */
export const READAHEAD_INITIAL_WINDOW = 1;

/**
 * Linux-style readahead on the fault stream (forward only). A fault is sequential when it lands
 * in, or right after, the region read ahead at the previous fault (previous < p <= previous +
 * window + 1); the window then doubles (ramp-up, as in mm/readahead.c), capped at k. Any other
 * fault is random and resets the window to READAHEAD_INITIAL_WINDOW. Proposes p+1..p+window.
 * Learns only from faults: the ramp depends on the last fault, not on pre-switchover history.
 */
export const readahead = definePredictor({
  name: 'readahead',
  proposes:
    "p+1 … p+w. Linux-style window: a fault in or right after the previous fault's window (prev < p ≤ prev + w + 1) " +
    'is sequential and doubles w (1, 2, 4, … ≤ k); any other fault resets w to 1. Forward only',
  options: {},
  create: createReadahead,
});

function createReadahead(): Predictor {
  let previous = -1;
  let window = 0;
  return {
    name: 'readahead',
    observeHistory() {},
    onFault(page, k, ctx) {
      const sequential = previous >= 0 && page > previous && page <= previous + window + 1;
      window = Math.min(k, sequential ? 2 * Math.max(window, READAHEAD_INITIAL_WINDOW) : READAHEAD_INITIAL_WINDOW);
      previous = page;
      return pagesAlong(page, 1, window, ctx.vmPages);
    },
    modelSize: () => 0,
  };
}
