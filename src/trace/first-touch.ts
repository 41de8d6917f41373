import { largestPage } from './types';

/**
 * Pages in the order the VM first touches them, each once: all the future a replay needs when pages,
 * once sent, stay sent. At a fault, the pages not yet sent were never touched since the replay started
 * (a touch would have faulted or found them sent), so "the next pages the VM touches that are not sent"
 * are the first pages of this order that are not sent. Memory grows with the distinct pages, not the trace.
 */
export class FirstTouchOrder {
  private readonly seen: Uint8Array;
  private order = new Uint32Array(1024);
  private length = 0;

  /** `largestPage`: no page added exceeds it. */
  constructor(largestPage: number) {
    this.seen = new Uint8Array(largestPage + 1);
  }

  /** Adds consecutive accesses' pages, in trace order. */
  add(pages: Uint32Array): void {
    const seen = this.seen;
    for (let i = 0; i < pages.length; i++) {
      const page = pages[i];
      if (seen[page] === 1) continue;
      seen[page] = 1;
      if (this.length === this.order.length) {
        const grown = new Uint32Array(this.order.length * 2);
        grown.set(this.order);
        this.order = grown;
      }
      this.order[this.length++] = page;
    }
  }

  /** The distinct pages added, in order of first touch. */
  finish(): Uint32Array {
    return this.order.slice(0, this.length);
  }
}

/** The first-touch order of `pages` (see FirstTouchOrder), whose largest is `largestPage`. */
export function firstTouchOrder(pages: Uint32Array, largestPage: number): Uint32Array {
  const order = new FirstTouchOrder(largestPage);
  order.add(pages);
  return order.finish();
}

/** Per page array: the first-touch order from the latest start asked for (a trace's arrays are not changed once built). */
const latestOrderOf = new WeakMap<Uint32Array, { start: number; order: Uint32Array }>();

/**
 * The first-touch order of pages[start..] (firstTouchOrder), kept per page array for the latest start, shared: the
 * caller must not change it. A sweep replays one trace from one switchover with many predictors and settings (notebook
 * 02's accuracy sweep: 24 jobs a trace), and each job built it anew (about 3.5 % of `sweep accuracy`'s CPU).
 */
export function firstTouchOrderFrom(pages: Uint32Array, start: number): Uint32Array {
  const latest = latestOrderOf.get(pages);
  if (latest?.start === start) return latest.order;
  const order = firstTouchOrder(pages.subarray(start), largestPage(pages));
  latestOrderOf.set(pages, { start, order });
  return order;
}
