import { TopK } from '../util/top-k';
import { definePredictor, type OptionValues } from './options';
import { isProposable } from './proposals';
import { TRAINING_OPTION, trainingFlags } from './training';
import type { FaultContext, Predictor } from './types';

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
  create: (options) => new Markov(options),
});

/** Markov's state for one run: a class, so its optimized code outlives the run (see PhaseBubbling). */
class Markov implements Predictor {
  readonly name = 'markov';
  private readonly training: ReturnType<typeof trainingFlags>;
  private readonly table = new Map<number, Successors>();
  private previous = -1;
  private tick = 0;
  private transitions = 0;

  constructor(options: OptionValues<typeof OPTIONS>) {
    this.training = trainingFlags(options.training);
  }

  observeHistory(page: number): void {
    if (this.training.offline) this.learn(page);
  }

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    if (this.training.online) this.learn(page);
    const best = new TopK(k);
    const row = this.table.get(page);
    if (row) {
      for (let i = 0; i < row.pages.length; i++) {
        if (best.accepts(row.counts[i], row.seen[i]) && isProposable(row.pages[i], page, ctx)) {
          best.offer(row.pages[i], row.counts[i], row.seen[i]);
        }
      }
    }
    return best.result();
  }

  /** Pages with successors plus stored (page, successor) transitions. */
  modelSize(): number {
    return this.table.size + this.transitions;
  }

  private learn(page: number): void {
    this.tick++;
    if (this.previous >= 0) {
      let row = this.table.get(this.previous);
      if (!row) this.table.set(this.previous, (row = { pages: [], counts: [], seen: [] }));
      const i = row.pages.indexOf(page);
      if (i >= 0) {
        row.counts[i]++;
        row.seen[i] = this.tick;
      } else {
        row.pages.push(page);
        row.counts.push(1);
        row.seen.push(this.tick);
        this.transitions++;
      }
    }
    this.previous = page;
  }
}
