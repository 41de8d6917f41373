import { bubbling } from './bubbling';
import { HistoryWindow } from './history-window';
import { definePredictor, type OptionValues } from './options';
import { PPM_MODEL_OPTIONS } from './ppm';
import type { Predictor } from './types';

/** Candidates per slot: the 4k unsent pages nearest the fault are ranked, k of them sent. */
export const PHASE_CANDIDATES_PER_SLOT = 4;

const PHASE_OPTIONS = { historyWindow: PPM_MODEL_OPTIONS.historyWindow };

/**
 * Dual bubbling that prefers live neighbours. Without a background push a page sent ahead is
 * wasted only if the VM never touches it again, so what counts is which neighbours are still in
 * use. Programs work in phases, and pages last used in the same phase tend to share their fate:
 * among the 4k unsent pages nearest the faulted page p, it sends the k whose last access in the
 * history lies closest in time to p's own, nearest first on ties. Pages never seen in the history
 * come after the seen ones (in a VM larger than the trace they are mostly never touched), unless
 * p itself was never seen: in a region new since switchover its unseen neighbours come first,
 * then the seen ones most recent first. The history is the last `historyWindow` accesses before
 * switchover (like PPM's), recorded in a ring and indexed at the first fault.
 */
export const phaseBubbling = definePredictor({
  name: 'phase-bubbling',
  proposes:
    "of the 4k unsent pages nearest p (dual bubbling), the k whose last history access lies closest in time to p's: " +
    'pages of the same program phase share its fate. Never-seen pages last (first if p was never seen)',
  options: PHASE_OPTIONS,
  create: createPhaseBubbling,
});

/** A fresh phase-bubbling predictor (ppm-hybrid fills its slots with one). */
export function createPhaseBubbling(options: OptionValues<typeof PHASE_OPTIONS>): Predictor {
  const recorded = new HistoryWindow(options.historyWindow);
  const neighbours = bubbling.create({ direction: 'dual' }, undefined);
  let lastTouch: Map<number, number> | undefined;
  let end = 0;

  /** When each page was last accessed in the history (access count from the window's start). */
  function lastTouches(): Map<number, number> {
    if (!lastTouch) {
      const last = (lastTouch = new Map());
      recorded.drain((page) => last.set(page, end++));
    }
    return lastTouch;
  }

  return {
    name: 'phase-bubbling',
    observeHistory(page) {
      recorded.push(page);
    },
    observeHistoryBlock(pages) {
      recorded.pushBlock(pages);
    },
    onFault(page, k, ctx) {
      const last = lastTouches();
      const tp = last.get(page);
      const distance = (q: number): number => {
        const tq = last.get(q);
        if (tp === undefined) return tq === undefined ? 0 : 1 + end - tq;
        return tq === undefined ? Infinity : Math.abs(tq - tp);
      };
      const ranked = neighbours.onFault(page, PHASE_CANDIDATES_PER_SLOT * k, ctx).map((q) => ({ q, d: distance(q) }));
      // a stable sort: equal distances keep bubbling's nearest-first order
      ranked.sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
      return ranked.slice(0, k).map((c) => c.q);
    },
    modelSize: () => lastTouches().size,
  };
}
