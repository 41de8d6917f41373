import { FrequencyRanking } from '../model/frequency';
import { HistoryWindow } from './history-window';
import { definePredictor, type OptionValues } from './options';
import { PPM_MODEL_OPTIONS } from './ppm';
import { isProposable, isPageInVm } from './proposals';
import { TRAINING_OPTION, trainingFlags, unreadHistoryWindow } from './training';
import type { Predictor } from './types';

const OPTIONS = { training: TRAINING_OPTION, historyWindow: PPM_MODEL_OPTIONS.historyWindow };

export const ppmOrder0 = definePredictor({
  name: 'ppm-order0',
  proposes:
    "control: PPM's order 0 alone, the k most frequent unsent pages of the training stream, whatever page faulted. " +
    'What PPM wins over it is what its contexts predict',
  options: OPTIONS,
  unreadOptions: (options) => unreadHistoryWindow(options.training),
  create: createPpmOrder0,
});

/**
 * A control for PPM: its order-0 context alone, i.e. the k most frequent unsent pages of the
 * training stream (most recently counted first on equal counts), whatever page faulted. It
 * learns from the same data as `ppm` (the last `historyWindow` history accesses offline, faults
 * online), so what PPM wins over it is what its contexts of order >= 1 actually predict.
 */
function createPpmOrder0(options: OptionValues<typeof OPTIONS>): Predictor {
  const training = trainingFlags(options.training);
  const recorded = new HistoryWindow(options.historyWindow);
  const counts = new FrequencyRanking();
  let tick = 0;
  const count = (page: number) => counts.increment(page, ++tick);

  return {
    name: 'ppm-order0',
    observeHistory(page) {
      if (training.offline) recorded.push(page);
    },
    observeHistoryBlock(pages) {
      if (training.offline) recorded.pushBlock(pages);
    },
    onFault(page, k, ctx) {
      recorded.drain(count);
      if (training.online) count(page);
      const out: number[] = [];
      counts.forEachDescending((q) => {
        // a page once sent stays sent, and one outside the VM stays outside: both leave the ranking
        if (!isPageInVm(q, ctx.vmPages) || ctx.isSent(q)) counts.retire(q);
        else if (isProposable(q, page, ctx)) out.push(q);
        return out.length < k;
      });
      return out;
    },
    modelSize() {
      recorded.drain(count);
      return counts.distinct;
    },
  };
}
