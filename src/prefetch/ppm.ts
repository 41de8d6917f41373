import {
  PpmModel,
  PPM_DEFAULTS,
  PPM_ESCAPE_METHODS,
  PPM_MAX_CONTEXTS,
  PPM_MAX_ORDER,
  ppmMinContexts,
} from '../model/ppm';
import { HistoryWindow } from './history-window';
import { definePredictor, finiteNumber, oneOf, wholeNumber, type OptionValues } from './options';
import { isProposable } from './proposals';
import { trainedModel } from './trained-models';
import { TRAINING_OPTION, trainingFlags } from './training';
import type { FaultContext, Predictor } from './types';

/** The options of every PPM-based predictor (ppm, ppm-delta, hybrid): one declaration, so one set of flags. */
export const PPM_MODEL_OPTIONS = {
  order: wholeNumber(PPM_DEFAULTS.order, 1, PPM_MAX_ORDER, 'maximum context order'),
  escape: oneOf(PPM_ESCAPE_METHODS, PPM_DEFAULTS.escape, 'escape method'),
  training: TRAINING_OPTION,
  maxContexts: wholeNumber(
    PPM_DEFAULTS.maxContexts,
    ppmMinContexts(1),
    PPM_MAX_CONTEXTS,
    'cap on stored trie nodes, contexts and counts',
  ),
  historyWindow: wholeNumber(1 << 20, 1, 2 ** 30, 'learns from the last N history accesses (offline)'),
  minProbability: finiteNumber(PPM_DEFAULTS.minProbability, 0, 1, 'send only predictions at least this likely'),
};

const OPTIONS = {
  ...PPM_MODEL_OPTIONS,
  symbols: oneOf(['pages', 'deltas'], 'pages', 'model page numbers or page deltas'),
};

/**
 * The paper's predictor: a PPM model (src/model/ppm.ts) over the page stream. History accesses
 * train it offline, faults online (options.training, default both); on a fault it proposes the
 * k most probable next pages that are unsent, in range and not the faulted page.
 *
 * Offline training learns from the last `historyWindow` history accesses (default 2^20): the
 * source records them in a ring and trains once, at the first fault, so recording costs one
 * array write per access. A model capped at maxContexts nodes would mostly have aged out older
 * history anyway, and the accesses just before switchover describe the working set the
 * destination is about to touch.
 *
 * With symbols = 'deltas' the model sees page deltas (p - previous, modulo 2^32) instead of page
 * numbers, so a pattern learnt in one region carries over to another; a predicted delta d maps
 * back to the page p + d.
 *
 * minProbability (default 0: the paper's scheme, always up to k pages) sends only predictions at
 * least that likely: a wrong guess costs no fault in itself but takes link time from the faulted
 * and pushed pages behind it, so with a background push weak guesses can add faults. In 'both' mode history and faults form one stream, so the first
 * fault's delta is taken from the last history access.
 */
export const ppm = definePredictor({
  name: 'ppm',
  proposes: 'the k most probable unsent next pages under PPM (below)',
  options: OPTIONS,
  create: (options) => ppmPredictor('ppm', options, options.symbols === 'deltas'),
});

/**
 * A PPM predictor under `name`, over page numbers or page deltas. With `contextsOnly` it proposes only
 * what some context of order >= 1 predicts (no order-0 fill with merely frequent symbols): ppm-hybrid
 * fills the remaining slots from a spatial baseline instead.
 */
export function ppmPredictor(
  name: string,
  options: OptionValues<typeof PPM_MODEL_OPTIONS>,
  deltas: boolean,
  contextsOnly = false,
): Predictor {
  const training = trainingFlags(options.training);
  let model = new PpmModel(options);
  const minProbability = options.minProbability;
  const recorded = new HistoryWindow(options.historyWindow);
  // everything the trained model depends on besides the history itself
  const modelKey = JSON.stringify([deltas, options.order, options.escape, options.maxContexts]);
  let previous = -1;
  let released = false;
  const trainOn = (pages: Uint32Array, from = 0) => {
    for (let i = from; i < pages.length; i++) feed(pages[i], true);
    return model;
  };
  const trainOnHistory = () => {
    const pages = recorded.take();
    if (pages.length === 0) return;
    // only a model that has seen nothing yet is the same as one trained on these pages alone
    if (previous >= 0) return void trainOn(pages);
    model = trainedModel(modelKey, options.order, pages, (trained, from) => {
      // a model trained on pages[0, from): the predictor's state after them is the last one's
      if (trained) [model, previous] = [trained, pages[from - 1]];
      return trainOn(pages, from);
    });
    previous = pages[pages.length - 1];
  };
  // the fault being ranked, read by the callbacks below (made once, not per fault)
  let faultPage = 0;
  let faultContext: FaultContext | undefined;
  const toPage = deltas ? (delta: number) => (faultPage + delta) >>> 0 : (symbol: number) => symbol;
  const accept = (symbol: number) =>
    isProposable(toPage(symbol), faultPage, faultContext!.vmPages, faultContext!.isSent);
  // a page once sent stays sent (and one outside the VM stays outside): it can leave the ranking
  const gone = deltas ? undefined : (symbol: number) => symbol >= faultContext!.vmPages || faultContext!.isSent(symbol);

  function feed(page: number, learn: boolean): void {
    if (!deltas) model.update(page, learn);
    else if (previous >= 0) model.update((page - previous) >>> 0, learn);
    previous = page;
  }

  return {
    name,
    observeHistory(page) {
      if (training.offline) recorded.push(page);
    },
    observeHistoryBlock(pages) {
      if (training.offline) recorded.pushBlock(pages);
    },
    onFault(page, k, ctx) {
      if (released) throw new Error(`${name} was asked at a fault after its run was over`);
      trainOnHistory();
      feed(page, training.online);
      faultPage = page;
      faultContext = ctx;
      const ranked = model.rank(k, accept, gone, minProbability, contextsOnly);
      return deltas ? ranked.map(toPage) : ranked;
    },
    modelSize() {
      if (released) throw new Error(`${name} was asked its model size after its run was over`);
      trainOnHistory();
      const size = model.size();
      return size.contexts + size.counts;
    },
    release() {
      released = true;
      model.release();
    },
  };
}
