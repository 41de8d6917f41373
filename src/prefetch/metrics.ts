import type { UserError } from '../errors';
import { firstTouchOrderFrom } from '../trace/first-touch';
import { checkVmPages, MAX_PAGES_PER_FAULT } from '../trace/limits';
import {
  changedInPlace,
  changedWhileRead,
  checkReplayable,
  firstAtOrAfter,
  switchoverIndex,
} from '../trace/switchover';
import {
  largestIn,
  largestPage,
  summarizeTrace,
  wholeTraceChunk,
  type Trace,
  type TraceChunk,
  type TraceSummary,
} from '../trace/types';
import { createPredictor, refuseUnknownOptions } from './registry';
import { wholeOption } from '../util/whole-option';
import { isPageInVm } from './proposals';
import { NextAlive } from '../util/next-alive';
import { feedHistory, type FaultContext, type Predictor, type PredictorName, type PredictorOptions } from './types';
import { deepFreeze } from '../util/deep-freeze';

export const PREDICT_DEFAULTS = deepFreeze({ k: 8, lead: 0 });

export interface PredictionMetricsOptions extends PredictorOptions {
  /** Pages the predictor may propose per fault (default 8). */
  k?: number;
  /** Instruction count at switchover: earlier accesses are history (default 0: no history). */
  switchover?: number;
  /** Accesses during which pages issued at a fault are still in flight (default 0: never late). */
  lead?: number;
  /** VM size in pages (default largest page in the trace + 1). */
  vmPages?: number;
}

/** PredictionMetricsOptions' own names, beside the predictors' options (the compiler keeps this whole). */
const REPLAY_SETTINGS: Readonly<Record<Exclude<keyof PredictionMetricsOptions, keyof PredictorOptions>, true>> = {
  k: true,
  switchover: true,
  lead: true,
  vmPages: true,
};

/**
 * Prediction quality of one predictor on a trace, independent of any network or timing model.
 * Replay: the accesses before switchover go to observeHistory; after it, the destination starts
 * empty. An access to a page that is neither present nor issued is a fault: the page becomes
 * present and the predictor's first k proposals that are whole pages inside the VM and not yet
 * present or issued (duplicates dropped) become issued. Issued pages count as sent (isSent).
 */
export interface PredictionMetrics {
  predictor: PredictorName;
  k: number;
  lead: number;
  /** Accesses before switchover (observed as history) and after it (replayed). */
  historyAccesses: number;
  accesses: number;
  /** Accesses that found their page neither present nor issued. */
  faults: number;
  /** Faults with no prefetching at all: the distinct pages touched after switchover (= faults + prefetchUsed). */
  faultsWithoutPrefetch: number;
  /** Pages issued with faults (after filtering). */
  prefetchIssued: number;
  /** Issued pages touched later in the replay (gem5 pfUseful). */
  prefetchUsed: number;
  /** prefetchUsed / prefetchIssued (gem5); 0 when nothing was issued. */
  accuracy: number;
  /**
   * (faultsWithoutPrefetch - faults) / faultsWithoutPrefetch = used / (used + faults), gem5's coverage; 0 with no
   * accesses.
   */
  coverage: number;
  /**
   * Share of faults at which the predictor's list (its first k proposals as returned, before
   * filtering) contains the next page the VM touches that is still missing at the destination
   * (neither present nor issued): the next fault a prefetch could avoid. Pages already present
   * are not targets, since predictors rightly skip sent pages (the oracle scores 1 for k >= 1).
   * Faults after which no missing page is touched are not counted.
   */
  topKHitRate: number;
  /** Used prefetches first touched within `lead` accesses after the fault that issued them (still in flight). */
  latePrefetches: number;
  /** latePrefetches / prefetchUsed (FDP's lateness); 0 when nothing was used. */
  lateness: number;
  /** predictor.modelSize() after the replay. */
  modelSize: number;
}

const ABSENT = 0;
const PRESENT = 1;
const ISSUED = 2;

const ratio = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : 0);

/**
 * A replay's settings checked against the trace's summary by the simulator's rules, so that predict refuses
 * exactly what simulate refuses, and can refuse it before any further pass over the file.
 */
export function replaySettings(summary: TraceSummary, options: PredictionMetricsOptions) {
  refuseUnknownOptions(options, REPLAY_SETTINGS, 'prediction option');
  const k = wholeOption(options.k, 'k', PREDICT_DEFAULTS.k, 0, MAX_PAGES_PER_FAULT);
  const lead = wholeOption(options.lead, 'lead', PREDICT_DEFAULTS.lead, 0);
  const switchover = options.switchover ?? 0;
  const footprint = summary.largestPage + 1;
  const vmPages = wholeOption(options.vmPages, 'vmPages', footprint, footprint);
  checkReplayable(summary, switchover);
  checkVmPages(vmPages);
  return { k, lead, switchover, vmPages };
}

/**
 * The replay's FaultContext: a page is sent once present or issued. A class, as the simulator's (ArrivalContext), but
 * not that one: the replay keeps a state byte per page, the simulator an arrival time.
 */
class ReplayContext implements FaultContext {
  index = 0;

  constructor(
    readonly vmPages: number,
    private readonly state: Uint8Array,
  ) {}

  isSent(page: number): boolean {
    return this.state[page] !== ABSENT;
  }
}

/**
 * The replay behind PredictionMetrics, fed the trace's accesses in order (`feed`, any chunking), then
 * `finish`: memory grows with the VM's pages, not with the trace, so a file can be streamed through it.
 * `summary` describes the whole trace (a first pass); `firstTouches` is the order in which the replay
 * (the accesses from switchover on) first touches each page, each once (FirstTouchOrder): at a fault the
 * pages still absent were never touched in the replay, so the next missing page is the first absent page
 * of that order, and the oracle reads its proposals from it too.
 */
export class PredictionReplay {
  private readonly k: number;
  private readonly lead: number;
  private readonly switchover: number;
  private readonly predictor: Predictor;
  private readonly state: Uint8Array;
  private readonly issuedAt: Float64Array;
  /** Positions of firstTouches whose page may still be absent (found present or issued: removed for good). */
  private readonly missing: NextAlive;
  private readonly ctx: ReplayContext;
  private fed = 0;
  /** Index of the first access at or after switchover, once it has come. */
  private start: number | undefined;
  private faults = 0;
  private issued = 0;
  private used = 0;
  private late = 0;
  private hits = 0;
  private predictable = 0;

  constructor(
    private readonly summary: TraceSummary,
    private readonly name: PredictorName,
    private readonly firstTouches: Uint32Array,
    options: PredictionMetricsOptions = {},
  ) {
    const { k, lead, switchover, vmPages } = replaySettings(summary, options);
    this.k = k;
    this.lead = lead;
    this.switchover = switchover;
    // the replay's own settings are no predictor's option: createPredictor would refuse them
    const predictorOptions = Object.entries(options).filter(([option]) => !(option in REPLAY_SETTINGS));
    this.predictor = createPredictor(name, { ...Object.fromEntries(predictorOptions), firstTouches });
    this.state = new Uint8Array(vmPages);
    this.issuedAt = new Float64Array(vmPages);
    this.missing = new NextAlive(firstTouches.length);
    this.ctx = new ReplayContext(vmPages, this.state);
  }

  private raisedInPlace(pages: Uint32Array): UserError {
    const { name, largestPage: remembered } = this.summary;
    return changedInPlace(name, remembered, largestIn(pages, 0, pages.length, -1), 'measure');
  }

  feed(chunk: TraceChunk): void {
    const { page: pages, start: first } = chunk;
    // a file that changed between passes: the simulator's refusal, never a page beyond the VM skipped
    if (first !== this.fed || largestPage(pages) > this.summary.largestPage) throw changedWhileRead(this.summary);
    let i = 0;
    if (this.start === undefined) {
      i = firstAtOrAfter(chunk.time, this.switchover);
      feedHistory(this.predictor, pages.subarray(0, i), chunk.write.subarray(0, i));
      if (i === pages.length) {
        this.fed += pages.length;
        return;
      }
      this.start = first + i;
    }
    this.fed += pages.length;
    const { state, issuedAt, lead, k, ctx } = this;
    for (; i < pages.length; i++) {
      const page = pages[i];
      if (state[page] === ISSUED) {
        state[page] = PRESENT;
        this.used++;
        if (first + i - issuedAt[page] <= lead) this.late++;
      }
      if (state[page] === PRESENT) continue;
      // neither (undefined): a page past the VM, raised in place after largestPage remembered the array; it read as
      // present, one fault short without a word (one compare as before on the present pages, one more per fault)
      if (state[page] !== ABSENT) throw this.raisedInPlace(pages);
      this.faults++;
      state[page] = PRESENT;
      ctx.index = first + i;
      const proposals = this.predictor.onFault(page, k, ctx).slice(0, k);
      const next = this.nextMissingPage();
      if (next >= 0) {
        this.predictable++;
        if (proposals.includes(next)) this.hits++;
      }
      for (const q of proposals) {
        if (isPageInVm(q, state.length) && state[q] === ABSENT) {
          state[q] = ISSUED;
          issuedAt[q] = first + i;
          this.issued++;
        }
      }
    }
  }

  /** The page the replay touches next that is still absent (-1: none). */
  private nextMissingPage(): number {
    const { missing, firstTouches, state } = this;
    for (let j = missing.find(0); j < missing.size; j = missing.find(j + 1)) {
      if (state[firstTouches[j]] === ABSENT) return firstTouches[j];
      missing.remove(j);
    }
    return -1;
  }

  /**
   * The replay is over: the predictor's memory goes to later runs (Predictor.release; PPM's node records), as the
   * simulator's does. Without it `sweep accuracy`'s 384 model copies were new memory each, and V8 collected for the
   * external memory they came and went with.
   */
  release(): void {
    this.predictor.release?.();
  }

  finish(): PredictionMetrics {
    if (this.fed !== this.summary.accesses) throw changedWhileRead(this.summary);
    const start = this.start ?? this.fed;
    const { faults, used, issued, late } = this;
    const withoutPrefetch = faults + used;
    return {
      predictor: this.name,
      k: this.k,
      lead: this.lead,
      historyAccesses: start,
      accesses: this.fed - start,
      faults,
      faultsWithoutPrefetch: withoutPrefetch,
      prefetchIssued: issued,
      prefetchUsed: used,
      accuracy: ratio(used, issued),
      coverage: ratio(withoutPrefetch - faults, withoutPrefetch),
      topKHitRate: ratio(this.hits, this.predictable),
      latePrefetches: late,
      lateness: ratio(late, used),
      modelSize: this.predictor.modelSize(),
    };
  }
}

/** Replays `trace` with predictor `name` (see PredictionMetrics for the definitions). */
export function predictionMetrics(
  trace: Trace,
  name: PredictorName,
  options: PredictionMetricsOptions = {},
): PredictionMetrics {
  const summary = summarizeTrace(trace);
  const start = switchoverIndex(trace, options.switchover ?? 0);
  const firstTouches = firstTouchOrderFrom(trace.page, start);
  const replay = new PredictionReplay(summary, name, firstTouches, options);
  replay.feed(wholeTraceChunk(trace));
  const metrics = replay.finish();
  replay.release();
  return metrics;
}
