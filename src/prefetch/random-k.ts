import seedrandom from 'seedrandom';
import { definePredictor, text, type OptionValues } from './options';
import type { Predictor } from './types';

const OPTIONS = { seed: text('postcopy-lab', 'seed of the random draws (the same seed gives the same pages)') };

export const randomK = definePredictor({
  name: 'random-k',
  proposes:
    "control: k pages drawn at random from the VM's unsent pages (seeded). Sends pages early without predicting: " +
    'a predictor is worth what it wins over this',
  options: OPTIONS,
  // its candidate pages
  pageBytes: 4,
  create: createRandomK,
});

/**
 * A control: k pages drawn uniformly at random from the VM's unsent pages (seeded, so a run is
 * repeatable). It sends pages early without predicting anything, so a predictor is worth only what
 * it wins over this. A partial Fisher-Yates over the pages not yet excluded: a draw that hits a
 * sent page removes it for good (a page once sent stays sent), and so does a proposed one (the
 * caller sends it) and the faulted one, so a whole run costs O(vmPages + faults * k) draws.
 */
function createRandomK(options: OptionValues<typeof OPTIONS>): Predictor {
  const random = seedrandom.alea(options.seed);
  let candidates: Uint32Array | undefined;
  let live = 0;

  return {
    name: 'random-k',
    observeHistory() {},
    onFault(page, k, ctx) {
      if (!candidates) {
        candidates = new Uint32Array(ctx.vmPages);
        for (let q = 0; q < ctx.vmPages; q++) candidates[q] = q;
        live = ctx.vmPages;
      }
      const out: number[] = [];
      while (out.length < k && live > 0) {
        const i = Math.floor(random() * live);
        const q = candidates[i];
        candidates[i] = candidates[--live];
        // the faulted page is being sent, like the sent ones: none of them returns to the pool
        if (q !== page && !ctx.isSent(q)) out.push(q);
      }
      return out;
    },
    modelSize: () => 0,
  };
}
