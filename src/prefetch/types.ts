import type { Trace } from '../trace/types';
import type { OptionValues } from './options';
import type { PREDICTORS } from './registry';

export type { PredictorName } from './registry';

/** What a predictor may ask the simulator at a network fault. */
export interface FaultContext {
  /** Position of the faulting access in the trace. */
  readonly index: number;
  /** VM size in pages; proposals outside [0, vmPages) are dropped by the caller. */
  readonly vmPages: number;
  /** True when the page was already sent to the destination (arrived or still in flight). */
  isSent(page: number): boolean;
}

/**
 * The FaultContext of a run that knows when each page arrives (Infinity while it is still on the source): the
 * simulator's, and the one the predictors' shape keepers are exercised with (registry.ts), so that a predictor's calls
 * of isSent meet one class. A class, so isSent is one function on its prototype, not a closure per run.
 */
export class ArrivalContext implements FaultContext {
  index = 0;

  constructor(
    readonly vmPages: number,
    private readonly arrival: Float64Array,
  ) {}

  isSent(page: number): boolean {
    return this.arrival[page] !== Infinity;
  }
}

/**
 * One page predictor. The source may learn from history recorded before switchover
 * (`observeHistory`), and on every network fault it is asked for pages to send along
 * with the faulted one (`onFault`); online learners update their model there.
 * Callers drop proposals that are already sent, duplicated or outside the VM.
 */
export interface Predictor {
  /** The registry name it was created under (see PREDICTORS). */
  readonly name: string;
  /** A source-side access before switchover (offline training data). */
  observeHistory(page: number): void;
  /**
   * Optional: consecutive history accesses at once, oldest first (a view of the trace: read it,
   * do not keep it). Same effect as observeHistory on each; lets a predictor that keeps only the
   * last accesses, or none, skip the per-access call. Callers go through feedHistory.
   */
  observeHistoryBlock?(pages: Uint32Array): void;
  /**
   * Optional: which of those history accesses wrote (1 = write), beside their pages: the source's dirty log,
   * for a predictor that tells pages the guest wrote from read-only ones. Called in addition to the above.
   */
  observeHistoryWrites?(pages: Uint32Array, writes: Uint8Array): void;
  /** A network fault on `page`: at most `k` pages to send with it, best first. */
  onFault(page: number, k: number, ctx: FaultContext): number[];
  /** Model size (e.g. PPM contexts and counts), for reports; 0 when stateless. */
  modelSize(): number;
  /**
   * Optional: the run is over, nothing will be asked again; memory the predictor will not use again goes to later
   * runs (PPM's node records). The simulator calls it for the predictors it made itself.
   */
  release?(): void;
}

/** `A | B | C` -> `A & B & C`: the options of all predictors in one object type. */
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * Options for any predictor: the union of what the predictors declare (each in its own file; see
 * PREDICTORS), all optional, plus the trace for predictors that read it. Each predictor uses its own.
 */
export type PredictorOptions = Partial<Intersection<OptionValues<(typeof PREDICTORS)[number]['options']>>> & FutureView;

/** What a caller can tell a predictor of the trace's future: the oracle needs one of the two. */
export interface FutureView {
  /** The whole trace. */
  trace?: Trace;
  /**
   * The pages in order of first touch from the first replayed access on (trace/first-touch.ts): all the
   * oracle needs when the trace is streamed, in post-copy, where no page touched after switchover is
   * left unsent.
   */
  firstTouches?: Uint32Array;
}

/**
 * Hands history accesses to a predictor: in one block when it takes blocks, else one by one; their write
 * flags too when the caller has them and the predictor takes them.
 */
export function feedHistory(predictor: Predictor, pages: Uint32Array, writes?: Uint8Array): void {
  if (writes && predictor.observeHistoryWrites) predictor.observeHistoryWrites(pages, writes);
  if (predictor.observeHistoryBlock) {
    predictor.observeHistoryBlock(pages);
    return;
  }
  for (let i = 0; i < pages.length; i++) predictor.observeHistory(pages[i]);
}
