import { UserError } from '../errors';
import { firstTouchOrderFrom } from '../trace/first-touch';
import type { Trace } from '../trace/types';
import { NextAlive } from '../util/next-alive';
import { definePredictor } from './options';
import type { FaultContext, FutureView, Predictor } from './types';

export const oracle = definePredictor({
  name: 'oracle',
  proposes:
    'the next k distinct pages the VM will touch after this access that are not sent: the bound no predictor beats ' +
    '(needs the trace)',
  options: {},
  create: (_options, future) => new Oracle(future),
});

/**
 * The limit: knows the future. On a fault it proposes the next k distinct pages the VM will touch that
 * are not sent and not the faulted page. A page once sent stays sent, so a page not sent at a fault was
 * never touched since the first fault, and those next pages are the first unsent ones in the order of
 * first touch from the first fault on (FirstTouchOrder): that order is all the oracle keeps, built from
 * the trace at the first fault or given (`firstTouches`, from a pass over a streamed file). Entries found
 * sent leave it for good (NextAlive), so a whole run costs O(distinct pages + faults * k) plus the repeats
 * of pages proposed but not yet sent.
 */
class Oracle implements Predictor {
  readonly name = 'oracle';
  private readonly trace: Trace | undefined;
  private order: Uint32Array | undefined;
  private unsent: NextAlive | undefined = undefined;

  constructor(future: FutureView) {
    if (!future.trace && !future.firstTouches)
      throw new UserError("predictor 'oracle' needs the trace (options.trace or options.firstTouches)");
    this.trace = future.trace;
    this.order = future.firstTouches;
  }

  observeHistory(): void {}

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    const order = (this.order ??= firstTouchOrderFrom(this.trace!.page, ctx.index));
    const unsent = (this.unsent ??= new NextAlive(order.length));
    const out: number[] = [];
    for (let j = unsent.find(0); j < unsent.size && out.length < k; j = unsent.find(j + 1)) {
      const q = order[j];
      if (ctx.isSent(q)) unsent.remove(j);
      else if (q !== page && q < ctx.vmPages) out.push(q);
    }
    return out;
  }

  modelSize(): number {
    return 0;
  }
}
