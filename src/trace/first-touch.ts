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

/**
 * First-touch orders kept per page array for the latest start asked for, shared by the runs of one sweep's batch of
 * jobs (sharingFirstTouchOrders): a batch replays one trace from one switchover with many predictors and settings
 * (notebook 02's accuracy sweep: 24 jobs a trace), and each job built the order anew (about 3.5 % of `sweep
 * accuracy`'s CPU). Only within a batch, whose traces are not changed meanwhile: a trace changed in place between
 * calls is another trace (job-results.ts), so outside one every order is built from the pages as they are.
 */
export class FirstTouchOrders {
  private readonly latestOf = new WeakMap<Uint32Array, { start: number; order: Uint32Array }>();

  /** The first-touch order of pages[start..], kept: the caller must not change it. */
  from(pages: Uint32Array, start: number): Uint32Array {
    const latest = this.latestOf.get(pages);
    if (latest?.start === start) return latest.order;
    const order = firstTouchOrder(pages.subarray(start), largestPage(pages));
    this.latestOf.set(pages, { start, order });
    return order;
  }
}

let sharedOrders: FirstTouchOrders | undefined;

/** Runs `run` with firstTouchOrderFrom taking its orders from `orders` (a sweep's batch: see FirstTouchOrders). */
export function sharingFirstTouchOrders<T>(orders: FirstTouchOrders, run: () => T): T {
  const outer = sharedOrders;
  sharedOrders = orders;
  try {
    return run();
  } finally {
    sharedOrders = outer;
  }
}

/**
 * The first-touch order of pages[start..] (firstTouchOrder): inside sharingFirstTouchOrders the one kept there (the
 * caller must not change it), else built now.
 */
export function firstTouchOrderFrom(pages: Uint32Array, start: number): Uint32Array {
  return sharedOrders?.from(pages, start) ?? firstTouchOrder(pages.subarray(start), largestPage(pages));
}
