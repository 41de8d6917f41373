import type { Trace } from '../trace/types';

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
 * One page predictor. The source may learn from history recorded before switchover
 * (`observeHistory`), and on every network fault it is asked for pages to send along
 * with the faulted one (`onFault`); online learners update their model there.
 * Callers drop proposals that are already sent, duplicated or outside the VM.
 */
export interface Predictor {
  readonly name: PredictorName;
  /** A source-side access before switchover (offline training data). */
  observeHistory(page: number): void;
  /** A network fault on `page`: at most `k` pages to send with it, best first. */
  onFault(page: number, k: number, ctx: FaultContext): number[];
  /** Model size (e.g. PPM contexts and counts), for reports; 0 when stateless. */
  modelSize(): number;
}

export const PREDICTOR_NAMES = [
  'none', 'next-k', 'readahead', 'bubbling', 'stride', 'markov', 'leap', 'ppm', 'ppm-delta', 'phase-bubbling', 'ppm-hybrid', 'random-k',
  'ppm-order0', 'oracle',
] as const;
export type PredictorName = (typeof PREDICTOR_NAMES)[number];

export type EscapeMethod = 'A' | 'C' | 'D';
export type TrainingMode = 'offline' | 'online' | 'both';

/** Options shared by all predictors; each uses the ones it needs. */
export interface PredictorOptions {
  /** PPM maximum context order (default 3). */
  order?: number;
  /** PPM escape method (default 'C'). */
  escape?: EscapeMethod;
  /** PPM / Markov training mode (default 'both'). */
  training?: TrainingMode;
  /** PPM symbols: page numbers (default) or page deltas. */
  symbols?: 'pages' | 'deltas';
  /** PPM bound on stored trie nodes, i.e. contexts and their counts (default 1 << 20). */
  maxContexts?: number;
  /**
   * PPM confidence threshold in [0, 1] (default 0, the paper's scheme: always k pages): only pages
   * whose blended probability is at least this are sent, so weak guesses do not take link time.
   */
  minProbability?: number;
  /** PPM offline training: the most recent history accesses it learns from (default 1 << 20). */
  historyWindow?: number;
  /** Bubbling direction (default 'dual'). */
  direction?: 'forward' | 'dual';
  /** Leap history window (default 32). */
  history?: number;
  /** random-k: seed of its random draws (default 'postcopy-lab'); the same seed gives the same pages. */
  seed?: string;
  /** The whole trace: required by the oracle, which reads the future. */
  trace?: Trace;
}
