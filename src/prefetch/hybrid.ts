import { createBubbling } from './bubbling';
import { ppmPredictor } from './ppm';
import { isProposable } from './proposals';
import type { FaultContext, Predictor, PredictorOptions } from './types';

/**
 * Model first, space after: on a fault at p it proposes what PPM's contexts (orders >= 1) predict,
 * best first, and fills the slots left with dual bubbling around p, so every fault carries k pages
 * whenever k unsent pages exist. The paper's PPM fills those slots from order 0 (the most frequent
 * pages of the history, whatever faulted), which rarely lie near the VM's next touches; a page next
 * to the faulted one usually does. The model takes every PPM option (order, escape, training,
 * maxContexts, historyWindow, minProbability) and sees page deltas, so what it learnt in one region
 * applies to pages it never saw.
 */
export function createHybrid(options: PredictorOptions): Predictor {
  const model = ppmPredictor('hybrid', options, true, true);
  const fill = createBubbling({ direction: 'dual' });
  return {
    name: 'hybrid',
    observeHistory(page) {
      model.observeHistory(page);
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
      const rest: FaultContext = { index: ctx.index, vmPages: ctx.vmPages, isSent: (q) => taken.has(q) || ctx.isSent(q) };
      if (out.length < k) for (const q of fill.onFault(page, k - out.length, rest)) take(q, ctx);
      return out;
    },
    modelSize: () => model.modelSize(),
  };
}
