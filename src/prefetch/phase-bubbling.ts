import { firstAtOrAfter } from '../trace/switchover';
import { largestIn } from '../trace/types';
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
  // two dual bubblings: over the VM and over the seen pages
  pageBytes: 2 * 8,
  create: (options) => new PhaseBubbling(options),
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

/**
 * The FaultContext phase-bubbling hands its second bubbling, which walks the seen pages' positions: position i is
 * sent when seen page i is. A class, made once per predictor, so a fault allocates no context or closure.
 */
class OverSeenPages implements FaultContext {
  index = 0;
  vmPages = 0;
  fault: FaultContext | undefined = undefined;

  constructor(readonly pages: Uint32Array) {}

  isSent(i: number): boolean {
    return this.fault!.isSent(this.pages[i]);
  }
}

/**
 * Phase-bubbling's state for one run (ppm-hybrid fills its slots with one). A class, so that its code lives as long
 * as the module does: a mark-compact keeps its optimized code, where it dropped that of the closures a run made.
 */
export class PhaseBubbling implements Predictor {
  readonly name = 'phase-bubbling';
  private readonly recorded: HistoryWindow;
  private readonly neighbours = bubbling.create({ direction: 'dual' }, {});
  /** Dual bubbling over the seen pages' positions in address order: the nearest seen pages, however far. */
  private readonly seenNeighbours = bubbling.create({ direction: 'dual' }, {});
  /** lastTouch[p]: when page p was last accessed in the history (access count from the window's start), -1 if never. */
  private lastTouch: Int32Array | undefined = undefined;
  private seenCount = 0;
  private seenInOrder: OverSeenPages | undefined = undefined;
  private credit: SeenCredit | undefined = undefined;
  private end = 0;
  // per-fault scratch, reused so that a fault allocates no set or key objects
  /** Per candidate: its class and distance in one number, compared as (class, distance), see RANK_CLASS_STEP. */
  private rankKey = new Float64Array(64);
  private order = new Uint32Array(64);

  constructor(options: OptionValues<typeof PHASE_OPTIONS>) {
    this.recorded = new HistoryWindow(options.historyWindow);
  }

  observeHistory(page: number): void {
    this.recorded.push(page);
  }

  observeHistoryBlock(pages: Uint32Array): void {
    this.recorded.pushBlock(pages);
  }

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    const last = this.lastTouches();
    const tp = page < last.length ? last[page] : -1;
    this.credit ??= new SeenCredit(this.seenCount, Math.max(0, ctx.vmPages - this.seenCount));
    this.credit.fault(tp >= 0);
    const seenFirst = this.credit.seenFirst();
    const candidates = this.neighbours.onFault(page, PHASE_CANDIDATES_PER_SLOT * k, ctx);
    if (tp >= 0 && seenFirst) this.addNearestSeen(candidates, page, k, ctx);
    const n = candidates.length;
    this.reserve(n);
    const { rankKey, order, end } = this;
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
  }

  modelSize(): number {
    this.lastTouches();
    return this.seenCount;
  }

  /**
   * When each page was last accessed in the history, indexed by page rather than a Map because every fault looks up
   * each candidate; pages are numbered densely (MAX_VM_PAGES), so this is one more per-page array like the simulator's.
   */
  private lastTouches(): Int32Array {
    if (!this.lastTouch) {
      const pages = this.recorded.take();
      const last = new Int32Array(largestIn(pages, 0, pages.length, -1) + 1).fill(-1);
      this.seenCount = noteLastTouches(last, pages);
      this.end = pages.length;
      this.lastTouch = last;
    }
    return this.lastTouch;
  }

  /** The seen pages in address order, as the context of the bubbling over them. */
  private seenPages(): OverSeenPages {
    this.seenInOrder ??= new OverSeenPages(seenInAddressOrder(this.lastTouches(), this.seenCount));
    return this.seenInOrder;
  }

  /** Appends the k unsent seen pages nearest the seen page p in address order, alternately above and below. */
  private addNearestSeen(candidates: number[], page: number, k: number, ctx: FaultContext): void {
    const overSeen = this.seenPages();
    const pages = overSeen.pages;
    // the first seen page >= p: firstAtOrAfter is a lower bound on any non-decreasing array
    const at = firstAtOrAfter(pages, page);
    overSeen.fault = ctx;
    overSeen.index = ctx.index;
    overSeen.vmPages = pages.length;
    // the nearest candidates are at most 4k: a scan over them costs less than filling a set per fault
    const nearest = candidates.length;
    for (const i of this.seenNeighbours.onFault(at, k, overSeen)) {
      const q = pages[i];
      let known = false;
      for (let j = 0; j < nearest && !known; j++) known = candidates[j] === q;
      if (!known) candidates.push(q);
    }
    overSeen.fault = undefined;
  }

  /** Room for n candidates' ranking keys, grown by doubling. */
  private reserve(n: number): void {
    if (n <= this.order.length) return;
    let size = this.order.length;
    while (size < n) size *= 2;
    this.rankKey = new Float64Array(size);
    this.order = new Uint32Array(size);
  }
}

/*
 * The history's passes below run once per predictor over the whole window, long enough for V8 to compile their loop
 * while it runs (on-stack replacement); each is a function that ends with its loop, since code after such a loop that
 * had never run made that compiled loop deoptimize there at every later call (see DEVELOPERS.md, parallel sweeps).
 */

/** last[p] = when page p was last accessed (its position in `pages`); returns how many pages were accessed. */
function noteLastTouches(last: Int32Array, pages: Uint32Array): number {
  let seen = 0;
  for (let i = 0; i < pages.length; i++) {
    if (last[pages[i]] < 0) seen++;
    last[pages[i]] = i;
  }
  return seen;
}

/** The `count` pages p with last[p] >= 0, in address order. */
function seenInAddressOrder(last: Int32Array, count: number): Uint32Array {
  const pages = new Uint32Array(count);
  for (let q = 0, n = 0; q < last.length; q++) if (last[q] >= 0) pages[n++] = q;
  return pages;
}
