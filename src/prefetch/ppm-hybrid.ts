import { definePredictor, withDefault, type OptionValues } from './options';
import { PhaseBubbling } from './phase-bubbling';
import { PPM_MODEL_OPTIONS, ppmModelKey, ppmPredictor } from './ppm';
import { isProposable } from './proposals';
import { feedHistory, type FaultContext, type Predictor } from './types';

/** The hybrid's model sends only what it finds more likely than not; weaker guesses lose to the neighbours. */
const OPTIONS = { ...PPM_MODEL_OPTIONS, minProbability: withDefault(PPM_MODEL_OPTIONS.minProbability, 0.5) };

export const ppmHybrid = definePredictor({
  name: 'ppm-hybrid',
  proposes:
    "what the delta model's contexts of order ≥ 1 predict with probability ≥ `minProbability`, best first, then " +
    '`phase-bubbling` for the slots left. Every fault carries k pages when k are unsent, none of them a merely ' +
    'frequent page',
  options: OPTIONS,
  // its phase-bubbling fill, and the fault each page was last taken at
  pageBytes: 2 * 8 + 4,
  trainedModel: (options) => ppmModelKey(options, true),
  create: (options) => new PpmHybrid(options),
});

/**
 * Model first, space after: on a fault at p it proposes what PPM's contexts over page deltas
 * (orders >= 1) predict with probability at least minProbability (default 1/2), best first, and
 * fills the slots left from phase-bubbling (the live neighbours of p), so every fault carries k
 * pages whenever k unsent pages exist. The paper's PPM fills those slots from order 0 (the most
 * frequent pages of the history, whatever faulted), which do no better than random pages. The
 * model takes every PPM option (order, escape, training, maxContexts, historyWindow, minProbability);
 * over deltas, what it learnt in one region applies to pages it never saw.
 */
/**
 * The FaultContext the hybrid hands its filler: the model's pages will be sent with this fault, so to the filler
 * they are as good as sent. A class, made once per predictor, so a fault allocates no context or closure.
 */
class AfterModelPages implements FaultContext {
  index = 0;
  vmPages = 0;
  fault: FaultContext | undefined = undefined;
  /**
   * The fault at which each page was last taken, so "taken at this fault" is one read: searching this fault's list
   * cost k per page, k^2 per fault (116 s for one fault of ppm-hybrid-dirty at k = 65536), and a set's clear and
   * adds would allocate at every fault.
   */
  private takenAt = new Uint32Array(0);
  private faults = 0;

  /** A new fault of a VM of `vmPages` pages: nothing taken yet. */
  begin(vmPages: number): void {
    if (this.takenAt.length < vmPages) this.takenAt = new Uint32Array(vmPages);
    this.faults++;
  }

  /** False for a page outside the VM (a typed array reads undefined there). */
  isTaken(q: number): boolean {
    return this.takenAt[q] === this.faults;
  }

  take(q: number): void {
    this.takenAt[q] = this.faults;
  }

  isSent(q: number): boolean {
    return this.isTaken(q) || this.fault!.isSent(q);
  }
}

/** The hybrid's state for one run: a class, so its optimized code outlives the run (see PhaseBubbling). */
class PpmHybrid implements Predictor {
  readonly name = 'ppm-hybrid';
  private readonly model: Predictor;
  private readonly fill: PhaseBubbling;
  private readonly rest = new AfterModelPages();

  constructor(options: OptionValues<typeof OPTIONS>) {
    this.model = ppmPredictor('ppm-hybrid', options, true, true);
    this.fill = new PhaseBubbling(options);
  }

  observeHistory(page: number): void {
    this.model.observeHistory(page);
    this.fill.observeHistory(page);
  }

  observeHistoryBlock(pages: Uint32Array): void {
    feedHistory(this.model, pages);
    feedHistory(this.fill, pages);
  }

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    const out: number[] = [];
    const rest = this.rest;
    rest.begin(ctx.vmPages);
    takeFrom(this.model.onFault(page, k, ctx), out, rest, page, k, ctx);
    if (out.length < k) {
      rest.fault = ctx;
      rest.index = ctx.index;
      rest.vmPages = ctx.vmPages;
      takeFrom(this.fill.onFault(page, k - out.length, rest), out, rest, page, k, ctx);
      rest.fault = undefined;
    }
    return out;
  }

  modelSize(): number {
    return this.model.modelSize();
  }

  release(): void {
    this.model.release?.();
  }
}

/** Appends to out the proposals it can still take, at most k in all, each once (`taken` holds out's pages). */
function takeFrom(
  proposals: number[],
  out: number[],
  taken: AfterModelPages,
  page: number,
  k: number,
  ctx: FaultContext,
): void {
  for (const q of proposals) {
    if (out.length < k && !taken.isTaken(q) && isProposable(q, page, ctx)) {
      taken.take(q);
      out.push(q);
    }
  }
}
