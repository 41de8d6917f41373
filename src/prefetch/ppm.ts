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
import { TRAINING_OPTION, trainingFlags, unreadHistoryWindow } from './training';
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

/** The key of the model a PPM-based predictor trains (trained-models.ts): everything it depends on but the history. */
export function ppmModelKey(options: OptionValues<typeof PPM_MODEL_OPTIONS>, deltas: boolean): string {
  return JSON.stringify([deltas, options.order, options.escape, options.maxContexts]);
}

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
 * least that likely: a wrong guess costs no fault in itself but takes link time from the faulted and pushed pages
 * behind it, so with a background push weak guesses can add faults. In 'both' mode history and faults form one stream,
 * so the first fault's delta is taken from the last history access.
 */
export const ppm = definePredictor({
  name: 'ppm',
  proposes: 'the k most probable unsent next pages under PPM (below)',
  options: OPTIONS,
  trainedModel: (options) => ppmModelKey(options, options.symbols === 'deltas'),
  unreadOptions: (options) => unreadHistoryWindow(options.training),
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
  return new PpmPredictor(name, options, deltas, contextsOnly);
}

/** A PPM predictor's state for one run: a class, so its optimized code outlives the run (see PhaseBubbling). */
class PpmPredictor implements Predictor {
  private readonly training: ReturnType<typeof trainingFlags>;
  private model: PpmModel;
  private readonly minProbability: number;
  private readonly recorded: HistoryWindow;
  /** Everything the trained model depends on besides the history itself. */
  private readonly modelKey: string;
  private previous = -1;
  private released = false;

  constructor(
    readonly name: string,
    private readonly options: OptionValues<typeof PPM_MODEL_OPTIONS>,
    private readonly deltas: boolean,
    private readonly contextsOnly: boolean,
  ) {
    this.training = trainingFlags(options.training);
    this.model = new PpmModel(options);
    this.minProbability = options.minProbability;
    this.recorded = new HistoryWindow(options.historyWindow);
    this.modelKey = ppmModelKey(options, deltas);
  }

  observeHistory(page: number): void {
    if (this.training.offline) this.recorded.push(page);
  }

  observeHistoryBlock(pages: Uint32Array): void {
    if (this.training.offline) this.recorded.pushBlock(pages);
  }

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    if (this.released) throw new Error(`${this.name} was asked at a fault after its run was over`);
    this.trainOnHistory();
    this.feed(page, this.training.online);
    ranking.page = page;
    ranking.fault = ctx;
    const ranked = this.deltas
      ? this.model.rank(k, acceptDelta, undefined, this.minProbability, this.contextsOnly)
      : this.model.rank(k, acceptPage, pageGone, this.minProbability, this.contextsOnly);
    ranking.fault = undefined;
    if (this.deltas) for (let i = 0; i < ranked.length; i++) ranked[i] = (page + ranked[i]) >>> 0;
    return ranked;
  }

  modelSize(): number {
    if (this.released) throw new Error(`${this.name} was asked its model size after its run was over`);
    this.trainOnHistory();
    const size = this.model.size();
    return size.contexts + size.counts;
  }

  release(): void {
    this.released = true;
    this.model.release();
  }

  /** Learns pages[from..] as feed(page, true) for each would, in the model's one loop (model.learn). */
  private trainOn(pages: Uint32Array, from = 0): PpmModel {
    if (pages.length <= from) return this.model;
    if (this.deltas) this.learnDeltas(pages, from);
    else this.model.learn(pages, from);
    this.previous = pages[pages.length - 1];
    return this.model;
  }

  /**
   * The deltas of pages[from..] (the first from the previous page), learnt in blocks. It ends with its loop, as
   * PpmModel.learnEach does.
   */
  private learnDeltas(pages: Uint32Array, from: number): void {
    for (let start = from; start < pages.length; start += DELTA_BLOCK) {
      const end = Math.min(pages.length, start + DELTA_BLOCK);
      let length = 0;
      for (let i = start; i < end; i++) {
        if (this.previous >= 0) deltaBlock[length++] = pages[i] - this.previous;
        this.previous = pages[i];
      }
      this.model.learn(deltaBlock.subarray(0, length));
    }
  }

  private trainOnHistory(): void {
    const pages = this.recorded.take();
    if (pages.length === 0) return;
    // only a model that has seen nothing yet is the same as one trained on these pages alone
    if (this.previous >= 0) return void this.trainOn(pages);
    this.model = trainedModel(this.modelKey, this.options.order, pages, (trained, from) => {
      // a model trained on pages[0, from): the predictor's state after them is the last one's
      if (trained) [this.model, this.previous] = [trained, pages[from - 1]];
      return this.trainOn(pages, from);
    });
    this.previous = pages[pages.length - 1];
  }

  private feed(page: number, learn: boolean): void {
    if (!this.deltas) this.model.update(page, learn);
    else if (this.previous >= 0) this.model.update((page - this.previous) >>> 0, learn);
    this.previous = page;
  }
}

/**
 * The fault being ranked, read by rank's callbacks below: module functions made once, so their optimized code lives
 * as long as the module (per-run closures lose theirs at a mark-compact). Set and cleared around each rank().
 */
const ranking: { page: number; fault: FaultContext | undefined } = { page: 0, fault: undefined };

const acceptPage = (symbol: number) => isProposable(symbol, ranking.page, ranking.fault!);
const acceptDelta = (delta: number) => acceptPage((ranking.page + delta) >>> 0);
/** A page once sent stays sent (and one outside the VM stays outside): it can leave the ranking. */
const pageGone = (symbol: number) => symbol >= ranking.fault!.vmPages || ranking.fault!.isSent(symbol);
/**
 * Page deltas are learnt in blocks of this many (a Uint32Array: modulo 2^32, as feed takes them), long enough for
 * order 0's one relink per block (PpmModel.learn).
 */
const DELTA_BLOCK = 1 << 16;
const deltaBlock = new Uint32Array(DELTA_BLOCK);
