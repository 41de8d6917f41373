import { firstAtOrAfter } from '../trace/switchover';
import { bubbling } from './bubbling';
import { HistoryWindow } from './history-window';
import { definePredictor, type OptionValues } from './options';
import { PPM_MODEL_OPTIONS } from './ppm';
import type { FaultContext, Predictor } from './types';

/** Candidates per slot: the 4k unsent pages nearest the fault are ranked, k of them sent. */
export const PHASE_CANDIDATES_PER_SLOT = 4;

const PHASE_OPTIONS = { historyWindow: PPM_MODEL_OPTIONS.historyWindow };

/**
 * Dual bubbling that prefers live neighbours. Without a background push a page sent ahead is
 * wasted only if the VM never touches it again, so what counts is which neighbours are still in
 * use. Programs work in phases, and pages last used in the same phase tend to share their fate:
 * among the 4k unsent pages nearest the faulted page p, it sends the k whose last access in the
 * history lies closest in time to p's own, nearest first on ties. The history is the last
 * `historyWindow` accesses before switchover (like PPM's), recorded in a ring and indexed at the
 * first fault.
 *
 * Whether pages never seen in the history are worth sending depends on the VM: in a guest whose
 * memory is mostly cold they are rarely touched, in a process whose every page is used sooner or
 * later they all are. So the faults decide (SeenCredit): the class, seen or never seen, whose pages
 * have faulted more often per page so far goes first. When seen pages go first, the k seen pages
 * nearest p anywhere in the VM join the candidates (in a sparse guest the 4k nearest pages are
 * mostly cold). When p itself was never seen, p lies in a region new since switchover: its unseen
 * neighbours come first, then the seen ones most recent first.
 */
export const phaseBubbling = definePredictor({
  name: 'phase-bubbling',
  proposes:
    "of the 4k unsent pages nearest p (dual bubbling), the k whose last history access lies closest in time to p's: " +
    'pages of the same program phase share its fate. Never-seen pages go after seen ones (then the k seen pages ' +
    'nearest p join, however far), or first while they fault more often per page, or when p was never seen',
  options: PHASE_OPTIONS,
  create: createPhaseBubbling,
});

/**
 * Online credit of the two classes of candidates: per-page fault rates of the pages seen in the
 * history and of those never seen, each (faults + 1) / (pages + 1). Before any fault the smaller
 * class ranks first (one fault spread over each); every fault moves its class up.
 */
export class SeenCredit {
  private seenFaults = 0;
  private unseenFaults = 0;

  constructor(
    readonly seenPages: number,
    readonly unseenPages: number,
  ) {}

  /** Counts a network fault on a page of the given class. */
  fault(seen: boolean): void {
    if (seen) this.seenFaults++;
    else this.unseenFaults++;
  }

  /** True while seen pages fault at least as often per page as never-seen ones. */
  seenFirst(): boolean {
    return (this.seenFaults + 1) / (this.seenPages + 1) >= (this.unseenFaults + 1) / (this.unseenPages + 1);
  }
}

/** A fresh phase-bubbling predictor (ppm-hybrid fills its slots with one). */
export function createPhaseBubbling(options: OptionValues<typeof PHASE_OPTIONS>): Predictor {
  const recorded = new HistoryWindow(options.historyWindow);
  const neighbours = bubbling.create({ direction: 'dual' }, {});
  /** Dual bubbling over the seen pages' positions in address order: the nearest seen pages, however far. */
  const seenNeighbours = bubbling.create({ direction: 'dual' }, {});
  let lastTouch: Map<number, number> | undefined;
  let seenInOrder: Uint32Array | undefined;
  let credit: SeenCredit | undefined;
  let end = 0;

  /** When each page was last accessed in the history (access count from the window's start). */
  function lastTouches(): Map<number, number> {
    if (!lastTouch) {
      const last = (lastTouch = new Map());
      recorded.drain((page) => last.set(page, end++));
    }
    return lastTouch;
  }

  /** The k unsent seen pages nearest the seen page p in address order, alternately above and below. */
  function nearestSeen(page: number, k: number, ctx: FaultContext): number[] {
    const pages = (seenInOrder ??= Uint32Array.from(lastTouches().keys()).sort());
    // the first seen page >= p: firstAtOrAfter is a lower bound on any non-decreasing array
    const at = firstAtOrAfter(pages, page);
    const overSeen = { ...ctx, vmPages: pages.length, isSent: (i: number) => ctx.isSent(pages[i]) };
    return seenNeighbours.onFault(at, k, overSeen).map((i) => pages[i]);
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
      credit ??= new SeenCredit(last.size, Math.max(0, ctx.vmPages - last.size));
      credit.fault(tp !== undefined);
      const seenFirst = credit.seenFirst();
      const candidates = neighbours.onFault(page, PHASE_CANDIDATES_PER_SLOT * k, ctx);
      if (tp !== undefined && seenFirst) {
        const known = new Set(candidates);
        for (const q of nearestSeen(page, k, ctx)) if (!known.has(q)) candidates.push(q);
      }
      /** Rank class 0 goes before 1: around a page never seen, every candidate is class 0 and time decides. */
      const rankClass = (q: number): number => (tp === undefined || last.has(q) === seenFirst ? 0 : 1);
      const distance = (q: number): number => {
        const tq = last.get(q);
        if (tp === undefined) return tq === undefined ? 0 : 1 + end - tq;
        return tq === undefined ? Infinity : Math.abs(tq - tp);
      };
      const ranked = candidates.map((q) => ({ q, c: rankClass(q), d: distance(q) }));
      // a stable sort: equal keys keep the candidates' order (bubbling's nearest first, then the far seen pages)
      ranked.sort((a, b) => a.c - b.c || (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
      return ranked.slice(0, k).map((c) => c.q);
    },
    modelSize: () => lastTouches().size,
  };
}
