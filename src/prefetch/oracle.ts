import { UserError } from '../errors';
import type { Trace } from '../trace/types';
import { NextAlive } from '../util/next-alive';
import { definePredictor } from './options';
import type { Predictor } from './types';

export const oracle = definePredictor({
  name: 'oracle',
  proposes:
    'the next k distinct pages the VM will touch after this access that are not sent: the bound no predictor beats (needs the trace)',
  options: {},
  create: (_options, trace) => createOracle(trace),
});

/**
 * The limit: knows the future. On a fault at trace position i it proposes the next k distinct
 * pages the VM will touch after i that are not sent and not the faulted page, in order of first
 * touch. Walking the future from i+1 each time would be quadratic, so trace positions whose page
 * turned out to be sent are removed from a skip list (a page once sent stays sent): every
 * position is skipped for good at most once, and a whole run costs O(n + faults * k) plus the
 * repeats of pages proposed but not yet sent.
 */
function createOracle(trace: Trace | undefined): Predictor {
  if (!trace) throw new UserError("predictor 'oracle' needs the trace (options.trace)");
  const future = new NextAlive(trace.page.length);
  return {
    name: 'oracle',
    observeHistory() {},
    onFault(page, k, ctx) {
      const out: number[] = [];
      const taken = new Set<number>();
      for (let j = future.find(ctx.index + 1); j < future.size && out.length < k; j = future.find(j + 1)) {
        const q = trace.page[j];
        if (ctx.isSent(q)) future.remove(j);
        else if (q !== page && q < ctx.vmPages && !taken.has(q)) {
          taken.add(q);
          out.push(q);
        }
      }
      return out;
    },
    modelSize: () => 0,
  };
}
