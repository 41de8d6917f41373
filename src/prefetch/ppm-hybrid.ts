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
      const taken = new Set<number>();
      const take = (q: number, c: FaultContext) => {
        if (out.length < k && !taken.has(q) && isProposable(q, page, c.vmPages, c.isSent)) {
          taken.add(q);
          out.push(q);
        }
      };
      for (const q of model.onFault(page, k, ctx)) take(q, ctx);
      // the model's pages will be sent with this fault: to the filler they are as good as sent
      const rest: FaultContext = { ...ctx, isSent: (q) => taken.has(q) || ctx.isSent(q) };
      if (out.length < k) for (const q of fill.onFault(page, k - out.length, rest)) take(q, ctx);
      return out;
    },
    modelSize: () => model.modelSize(),
  };
}
