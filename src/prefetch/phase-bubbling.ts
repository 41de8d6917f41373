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
 * A candidate's rank is its class (0 first), then its distance in history time: distances are access counts within
 * the history window (below 2^31), a seen page's distance to a never-seen one ranks after all of them
 * (NEVER_SEEN_DISTANCE), and class 1 starts above every distance, so class·step + distance orders as (class, distance).
 */
const NEVER_SEEN_DISTANCE = 2 ** 32;
const RANK_CLASS_STEP = 2 ** 33;

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
  /** lastTouch[p]: when page p was last accessed in the history (access count from the window's start), -1 if never. */
  let lastTouch: Int32Array | undefined;
  let seenCount = 0;
  let seenInOrder: Uint32Array | undefined;
  let credit: SeenCredit | undefined;
  let end = 0;
  // per-fault scratch, reused so that a fault allocates no context, closure, set or key objects
  let faultCtx: FaultContext | undefined;
  const overSeen = { index: 0, vmPages: 0, isSent: (i: number) => faultCtx!.isSent(seenInOrder![i]) };
  /** Per candidate: its class and distance in one number, compared as (class, distance), see RANK_CLASS_STEP. */
  let rankKey = new Float64Array(64);
  let order = new Uint32Array(64);

  /**
   * When each page was last accessed in the history, indexed by page rather than a Map because every fault looks up
   * each candidate; pages are numbered densely (MAX_VM_PAGES), so this is one more per-page array like the simulator's.
   */
  function lastTouches(): Int32Array {
    if (!lastTouch) {
      const pages = recorded.take();
      let top = -1;
      for (let i = 0; i < pages.length; i++) top = Math.max(top, pages[i]);
      const last = (lastTouch = new Int32Array(top + 1).fill(-1));
      for (let i = 0; i < pages.length; i++) {
        if (last[pages[i]] < 0) seenCount++;
        last[pages[i]] = end++;
      }
    }
    return lastTouch;
  }

  /** When page q was last accessed in the history, -1 if never. */
  function touchOf(q: number): number {
    const last = lastTouches();
    return q < last.length ? last[q] : -1;
  }

  /** The seen pages in address order. */
  function seenPages(): Uint32Array {
    if (!seenInOrder) {
      const last = lastTouches();
      seenInOrder = new Uint32Array(seenCount);
      for (let q = 0, n = 0; q < last.length; q++) if (last[q] >= 0) seenInOrder[n++] = q;
    }
    return seenInOrder;
  }

  /** Appends the k unsent seen pages nearest the seen page p in address order, alternately above and below. */
  function addNearestSeen(candidates: number[], page: number, k: number, ctx: FaultContext): void {
    const pages = seenPages();
    // the first seen page >= p: firstAtOrAfter is a lower bound on any non-decreasing array
    const at = firstAtOrAfter(pages, page);
    faultCtx = ctx;
    overSeen.index = ctx.index;
    overSeen.vmPages = pages.length;
    // the nearest candidates are at most 4k: a scan over them costs less than filling a set per fault
    const nearest = candidates.length;
    for (const i of seenNeighbours.onFault(at, k, overSeen)) {
      const q = pages[i];
      let known = false;
      for (let j = 0; j < nearest && !known; j++) known = candidates[j] === q;
      if (!known) candidates.push(q);
    }
    faultCtx = undefined;
  }

  /** Room for n candidates' ranking keys, grown by doubling. */
  function reserve(n: number): void {
    if (n <= order.length) return;
    let size = order.length;
    while (size < n) size *= 2;
    rankKey = new Float64Array(size);
    order = new Uint32Array(size);
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
      const tp = touchOf(page);
      credit ??= new SeenCredit(seenCount, Math.max(0, ctx.vmPages - seenCount));
      credit.fault(tp >= 0);
      const seenFirst = credit.seenFirst();
      const candidates = neighbours.onFault(page, PHASE_CANDIDATES_PER_SLOT * k, ctx);
      if (tp >= 0 && seenFirst) addNearestSeen(candidates, page, k, ctx);
      const n = candidates.length;
      reserve(n);
      for (let i = 0; i < n; i++) {
        const q = candidates[i];
        const tq = q < last.length ? last[q] : -1;
        // class 0 goes before 1: around a page never seen, every candidate is class 0 and time decides
        const rankClass = tp < 0 || tq >= 0 === seenFirst ? 0 : 1;
        const distance = tp < 0 ? (tq < 0 ? 0 : 1 + end - tq) : tq < 0 ? NEVER_SEEN_DISTANCE : Math.abs(tq - tp);
        rankKey[i] = rankClass * RANK_CLASS_STEP + distance;
      }
      // the best min(k, n) by insertion, ties to the earlier candidate as a stable sort would keep them (bubbling's
      // nearest first, then the far seen): a full sort's first ones, without a comparator call per comparison
      const m = Math.min(k, n);
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const key = rankKey[i];
        if (kept === m && key >= rankKey[order[m - 1]]) continue;
        let j = kept < m ? kept++ : m - 1;
        for (; j > 0 && key < rankKey[order[j - 1]]; j--) order[j] = order[j - 1];
        order[j] = i;
      }
      const out = new Array<number>(m);
      for (let i = 0; i < m; i++) out[i] = candidates[order[i]];
      return out;
    },
    modelSize: () => {
      lastTouches();
      return seenCount;
    },
  };
}
