import { definePredictor, withDefault, type OptionValues } from './options';
import { createPhaseBubbling } from './phase-bubbling';
import { PPM_MODEL_OPTIONS, ppmPredictor } from './ppm';
import { isProposable } from './proposals';
import { feedHistory, type FaultContext, type Predictor } from './types';

/** The hybrid's model sends only what it finds more likely than not; weaker guesses lose to the neighbours. */
const OPTIONS = { ...PPM_MODEL_OPTIONS, minProbability: withDefault(PPM_MODEL_OPTIONS.minProbability, 0.5) };

export const ppmHybrid = definePredictor({
  name: 'ppm-hybrid',
  proposes:
    "what the delta model's contexts of order ≥ 1 predict with probability ≥ `minProbability`, best first, then " +
    '`phase-bubbling` for the slots left. Every fault carries k pages when k are unsent, none of them a merely frequent page',
  options: OPTIONS,
  create: createPpmHybrid,
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
function createPpmHybrid(options: OptionValues<typeof OPTIONS>): Predictor {
  const model = ppmPredictor('ppm-hybrid', options, true, true);
  const fill = createPhaseBubbling(options);
  // per-fault scratch, reused so that a fault allocates no set, closure or context copy
  let faultCtx: FaultContext | undefined;
  /** This fault's pages so far: at most k, searched rather than put in a set (a set's clear and adds allocate). */
  let taken: number[] = [];
  // the model's pages will be sent with this fault: to the filler they are as good as sent
  const rest = { index: 0, vmPages: 0, isSent: (q: number) => taken.includes(q) || faultCtx!.isSent(q) };

  /** Appends to out the proposals it can still take, at most k in all, each once. */
  function takeFrom(proposals: number[], out: number[], page: number, k: number, ctx: FaultContext): void {
    for (const q of proposals) {
      if (out.length < k && !out.includes(q) && isProposable(q, page, ctx.vmPages, ctx.isSent)) out.push(q);
    }
  }

  return {
    name: 'ppm-hybrid',
    observeHistory(page) {
      model.observeHistory(page);
      fill.observeHistory(page);
    },
    observeHistoryBlock(pages) {
      feedHistory(model, pages);
      feedHistory(fill, pages);
    },
    onFault(page, k, ctx) {
      const out: number[] = [];
      taken = out;
      takeFrom(model.onFault(page, k, ctx), out, page, k, ctx);
      if (out.length < k) {
        faultCtx = ctx;
        rest.index = ctx.index;
        rest.vmPages = ctx.vmPages;
        takeFrom(fill.onFault(page, k - out.length, rest), out, page, k, ctx);
        faultCtx = undefined;
      }
      return out;
    },
    modelSize: () => model.modelSize(),
    release: () => model.release?.(),
  };
}
