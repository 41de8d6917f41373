import { TopK } from '../util/top-k';
import { definePredictor, type OptionValues } from './options';
import { isProposable } from './proposals';
import { TRAINING_OPTION, trainingFlags } from './training';
import type { Predictor } from './types';

const OPTIONS = { training: TRAINING_OPTION };

/** Successors of one page: parallel arrays, few entries per page in practice. */
interface Successors {
  pages: number[];
  counts: number[];
  /** Tick of the transition's last observation (ties: most recent first). */
  seen: number[];
}

/**
 * First-order Markov chain over pages: a successor table counting how often page b followed
 * page a in the training stream (history accesses offline, faults online; options.training).
 * On a fault at p it proposes the k most frequent unsent successors of p, most recent first on
 * equal counts. In 'both' mode the two streams are one sequence: the first fault is counted as a
 * successor of the last history access.
 */
export const markov = definePredictor({
  name: 'markov',
  proposes: 'the k most frequent unsent successors of p in a first-order successor table (ties: most recent)',
  options: OPTIONS,
  create: createMarkov,
});

function createMarkov(options: OptionValues<typeof OPTIONS>): Predictor {
  const training = trainingFlags(options.training);
  const table = new Map<number, Successors>();
  let previous = -1;
  let tick = 0;
  let transitions = 0;

  function learn(page: number): void {
    tick++;
    if (previous >= 0) {
      let row = table.get(previous);
      if (!row) table.set(previous, (row = { pages: [], counts: [], seen: [] }));
      const i = row.pages.indexOf(page);
      if (i >= 0) {
        row.counts[i]++;
        row.seen[i] = tick;
      } else {
        row.pages.push(page);
        row.counts.push(1);
        row.seen.push(tick);
        transitions++;
      }
    }
    previous = page;
  }

  return {
    name: 'markov',
    observeHistory(page) {
      if (training.offline) learn(page);
    },
    onFault(page, k, ctx) {
      if (training.online) learn(page);
      const best = new TopK(k);
      const row = table.get(page);
      if (row) {
        for (let i = 0; i < row.pages.length; i++) {
          if (best.accepts(row.counts[i], row.seen[i]) && isProposable(row.pages[i], page, ctx.vmPages, ctx.isSent)) {
            best.offer(row.pages[i], row.counts[i], row.seen[i]);
          }
        }
      }
      return best.result();
    },
    /** Pages with successors plus stored (page, successor) transitions. */
    modelSize: () => table.size + transitions,
  };
}
