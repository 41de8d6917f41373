import { enlarged } from '../util/enlarged';
import { definePredictor, type OptionValues } from './options';
import { PHASE_CANDIDATES_PER_SLOT, SeenCredit } from './phase-bubbling';
import { ppmHybrid } from './ppm-hybrid';
import { feedHistory, type FaultContext, type FutureView, type Predictor } from './types';

/** What the history says of a page: never accessed, only read, or written at least once. */
const NEVER_SEEN = 0;
const READ_ONLY = 1;
const WRITTEN = 2;

export const ppmHybridDirty = definePredictor({
  name: 'ppm-hybrid-dirty',
  proposes:
    "`ppm-hybrid`'s 4k best pages, where the slots its ranking gives to pages seen in the history go first to pages " +
    'the guest wrote there (the dirty log), while those fault at least as often per page as read-only ones',
  options: ppmHybrid.options,
  // the hybrid's, and each page's history kind (its table grown by doubling)
  pageBytes: 2 * 8 + 4 + 2,
  trainedModel: ppmHybrid.trainedModel,
  create: (options, future) => new PpmHybridDirty(options, future),
});

/**
 * The hybrid, told which history pages the guest wrote. Pages written on the source are the program's own
 * data (heap, stack, buffers) and mostly stay in use; read-only pages (code, libraries, input) are used in
 * phases and many are dead after switchover. On eight of eleven real process traces, of the pages seen in the
 * history 0.67-0.99 of the written ones were touched again against 0.06-0.48 of the read-only ones (alike on
 * two, the other way on one). The source keeps this log anyway (pre-copy's dirty bitmap). So it asks ppm-hybrid
 * for 4k pages and, keeping every slot the hybrid gave a never-seen page, fills the slots it gave seen pages with
 * the written ones first, each group in the hybrid's order, then sends the first k. Whether written pages
 * deserve that is learnt from the faults with SeenCredit's rule over the two groups: only while written pages
 * have faulted at least as often per page as read-only ones; otherwise (a program whose written pages die) it
 * sends the first k of the hybrid's 4k, which need not be the hybrid's own k: its phase-bubbling part then
 * ranks the 16k nearest pages, not the 4k (on the sort trace that alone takes 57 faults to 56).
 */
class PpmHybridDirty implements Predictor {
  readonly name = 'ppm-hybrid-dirty';
  private readonly hybrid: Predictor;
  /** historyKind[p]: NEVER_SEEN, READ_ONLY or WRITTEN, over every history access (as the dirty log covers). */
  private historyKind = new Uint8Array(1024);
  private writtenFirst: SeenCredit | undefined = undefined;

  constructor(options: OptionValues<typeof ppmHybrid.options>, future: FutureView) {
    this.hybrid = ppmHybrid.create(options, future);
  }

  observeHistory(page: number): void {
    this.note(page, false);
    this.hybrid.observeHistory(page);
  }

  observeHistoryBlock(pages: Uint32Array): void {
    for (let i = 0; i < pages.length; i++) this.note(pages[i], false);
    feedHistory(this.hybrid, pages);
  }

  observeHistoryWrites(pages: Uint32Array, writes: Uint8Array): void {
    for (let i = 0; i < pages.length; i++) if (writes[i]) this.note(pages[i], true);
  }

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    const kind = this.kindOf(page);
    const writtenCredit = this.credit();
    if (kind !== NEVER_SEEN) writtenCredit.fault(kind === WRITTEN);
    const ranked = this.hybrid.onFault(page, PHASE_CANDIDATES_PER_SLOT * k, ctx);
    if (!writtenCredit.seenFirst()) return ranked.slice(0, k);
    // a slot the hybrid gave a seen page takes the next written page in its order, once those run out the next
    // read-only one: two cursors over the ranking instead of filtered copies per fault
    const out: number[] = [];
    let written = 0;
    let readOnly = 0;
    for (let i = 0; i < ranked.length && out.length < k; i++) {
      if (this.kindOf(ranked[i]) === NEVER_SEEN) {
        out.push(ranked[i]);
        continue;
      }
      written = this.nextOfKind(ranked, WRITTEN, written);
      if (written < ranked.length) {
        out.push(ranked[written++]);
      } else {
        readOnly = this.nextOfKind(ranked, READ_ONLY, readOnly);
        out.push(ranked[readOnly++]);
      }
    }
    return out;
  }

  modelSize(): number {
    return this.hybrid.modelSize();
  }

  release(): void {
    this.hybrid.release?.();
  }

  private note(page: number, written: boolean): void {
    if (page >= this.historyKind.length) {
      this.historyKind = enlarged(this.historyKind, Math.max(page + 1, 2 * this.historyKind.length));
    }
    if (written) this.historyKind[page] = WRITTEN;
    else if (this.historyKind[page] === NEVER_SEEN) this.historyKind[page] = READ_ONLY;
  }

  private kindOf(page: number): number {
    return page < this.historyKind.length ? this.historyKind[page] : NEVER_SEEN;
  }

  /** The first position at or after `from` whose page is of `kind` (ranked.length if none). */
  private nextOfKind(ranked: readonly number[], kind: number, from: number): number {
    while (from < ranked.length && this.kindOf(ranked[from]) !== kind) from++;
    return from;
  }

  /** Credit of written against read-only pages: (faults + 1) / (pages + 1) each, as SeenCredit counts classes. */
  private credit(): SeenCredit {
    if (!this.writtenFirst) {
      let written = 0;
      let readOnly = 0;
      for (const kind of this.historyKind) {
        if (kind === WRITTEN) written++;
        else if (kind === READ_ONLY) readOnly++;
      }
      this.writtenFirst = new SeenCredit(written, readOnly);
    }
    return this.writtenFirst;
  }
}
