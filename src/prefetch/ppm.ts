import { UserError } from '../errors';
import { PpmModel } from '../model/ppm';
import { isProposable } from './options';
import { trainingFlags } from './training';
import type { Predictor, PredictorOptions } from './types';

export const PPM_SYMBOLS = ['pages', 'deltas'] as const;

/**
 * The paper's predictor: a PPM model (src/model/ppm.ts) over the page stream. History accesses
 * train it offline, faults online (options.training, default both); on a fault it proposes the
 * k most probable next pages that are unsent, in range and not the faulted page.
 *
 * With symbols = 'deltas' the model sees page deltas (p - previous, modulo 2^32) instead of page
 * numbers, so a pattern learnt in one region carries over to another; a predicted delta d maps
 * back to the page p + d. In 'both' mode history and faults form one stream, so the first
 * fault's delta is taken from the last history access.
 */
export function createPpm(options: PredictorOptions): Predictor {
  const training = trainingFlags(options.training);
  const symbols = options.symbols ?? 'pages';
  if (!PPM_SYMBOLS.includes(symbols)) throw new UserError(`symbols must be one of ${PPM_SYMBOLS.join(', ')}, got '${symbols}'`);
  const deltas = symbols === 'deltas';
  const model = new PpmModel(options);
  let previous = -1;

  function feed(page: number, learn: boolean): void {
    if (!deltas) model.update(page, learn);
    else if (previous >= 0) model.update((page - previous) >>> 0, learn);
    previous = page;
  }

  return {
    name: 'ppm',
    observeHistory(page) {
      if (training.offline) feed(page, true);
    },
    onFault(page, k, ctx) {
      feed(page, training.online);
      const toPage = deltas ? (delta: number) => (page + delta) >>> 0 : (symbol: number) => symbol;
      const accept = (symbol: number) => isProposable(toPage(symbol), page, ctx.vmPages, ctx.isSent);
      // a page once sent stays sent (and one outside the VM stays outside): it can leave the ranking
      const gone = deltas ? undefined : (symbol: number) => symbol >= ctx.vmPages || ctx.isSent(symbol);
      const ranked = model.rank(k, accept, gone);
      return deltas ? ranked.map(toPage) : ranked;
    },
    modelSize() {
      const size = model.size();
      return size.contexts + size.counts;
    },
  };
}
