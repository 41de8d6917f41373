import { NextAlive } from '../util/next-alive';
import { definePredictor, oneOf, type OptionValues } from './options';
import type { FaultContext, Predictor } from './types';

const OPTIONS = {
  direction: oneOf(
    ['forward', 'dual'],
    'dual',
    'bubble above the faulted page only (forward) or alternately above and below',
  ),
};

/**
 * Hines & Gopalan pre-paging ("bubbling") with the faulted page as pivot: forward bubbling
 * proposes the unsent pages p+1, p+2, ...; dual-direction bubbling alternates the next unsent
 * page above and below the pivot (p+1, p-1, p+2, p-2, ... when none are sent), continuing on
 * one side when the other reaches the VM's edge. It skips sent pages itself, so it returns k
 * unsent pages whenever that many exist. Sent pages found on the way are remembered in skip
 * lists (a page once sent stays sent; NextAlive), so the walk over a mostly-sent VM stays cheap.
 */
export const bubbling = definePredictor({
  name: 'bubbling',
  proposes:
    'Hines & Gopalan pre-paging with p as pivot: the next unsent pages above p (`forward`) or alternately above and ' +
    'below (`dual`: p+1, p−1, p+2, p−2, … skipping sent pages), so it returns k unsent pages when they exist',
  options: OPTIONS,
  // its two skip lists (NextAlive), above and below the pivot
  pageBytes: 8,
  create: (options) => new Bubbling(options),
});

/** Bubbling's state for one run: a class, so its optimized code outlives the run (see PhaseBubbling). */
class Bubbling implements Predictor {
  readonly name = 'bubbling';
  private readonly dual: boolean;
  private above: NextAlive | undefined = undefined;
  /** Mirrored index: position i holds page vmPages - 1 - i, so "first alive >= i" walks downwards. */
  private below: NextAlive | undefined = undefined;

  constructor(options: OptionValues<typeof OPTIONS>) {
    this.dual = options.direction === 'dual';
  }

  observeHistory(): void {}

  onFault(page: number, k: number, ctx: FaultContext): number[] {
    const out: number[] = [];
    let up = this.nextUp(page + 1, ctx);
    let down = this.dual ? this.nextDown(page - 1, ctx) : -1;
    while (out.length < k && (up >= 0 || down >= 0)) {
      if (up >= 0) {
        out.push(up);
        up = this.nextUp(up + 1, ctx);
      }
      if (down >= 0 && out.length < k) {
        out.push(down);
        down = this.nextDown(down - 1, ctx);
      }
    }
    return out;
  }

  modelSize(): number {
    return 0;
  }

  private nextUp(from: number, ctx: FaultContext): number {
    const list = (this.above ??= new NextAlive(ctx.vmPages));
    for (let q = list.find(from); q < ctx.vmPages; q = list.find(q)) {
      if (!ctx.isSent(q)) return q;
      list.remove(q);
    }
    return -1;
  }

  private nextDown(from: number, ctx: FaultContext): number {
    const list = (this.below ??= new NextAlive(ctx.vmPages));
    if (from < 0) return -1;
    for (let i = list.find(ctx.vmPages - 1 - from); i < ctx.vmPages; i = list.find(i)) {
      const q = ctx.vmPages - 1 - i;
      if (!ctx.isSent(q)) return q;
      list.remove(i);
    }
    return -1;
  }
}
