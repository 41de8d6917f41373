import { checkVmPages } from '../trace/limits';
import { checkReplayable, switchoverIndex } from '../trace/switchover';
import { summarizeTrace, type Trace } from '../trace/types';
import { createPredictor } from './registry';
import { wholeOption } from '../util/whole-option';
import { isPageInVm } from './proposals';
import { NextAlive } from '../util/next-alive';
import { feedHistory, type FaultContext, type PredictorName, type PredictorOptions } from './types';

export const PREDICT_DEFAULTS = { k: 8, lead: 0 };

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
  /** (faultsWithoutPrefetch - faults) / faultsWithoutPrefetch = used / (used + faults), gem5's coverage; 0 with no accesses. */
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

/**
 * The page of the first access after `i` whose page is still ABSENT, or -1. Positions found
 * holding a present or issued page leave `future` for good (pages never become absent again),
 * so a whole replay scans each position about once.
 */
function nextMissingPage(trace: Trace, state: Uint8Array, future: NextAlive, i: number): number {
  for (let j = future.find(i + 1); j < future.size; j = future.find(j + 1)) {
    if (state[trace.page[j]] === ABSENT) return trace.page[j];
    future.remove(j);
  }
  return -1;
}

const ratio = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : 0);

/** Replays `trace` with predictor `name` (see PredictionMetrics for the definitions). */
export function predictionMetrics(
  trace: Trace,
  name: PredictorName,
  options: PredictionMetricsOptions = {},
): PredictionMetrics {
  const k = wholeOption(options.k, 'k', PREDICT_DEFAULTS.k, 0);
  const lead = wholeOption(options.lead, 'lead', PREDICT_DEFAULTS.lead, 0);
  const summary = summarizeTrace(trace);
  const footprint = summary.largestPage + 1;
  const vmPages = wholeOption(options.vmPages, 'vmPages', footprint, footprint);
  // the simulator's rules, so that predict refuses exactly what simulate refuses
  checkReplayable(summary, options.switchover ?? 0);
  checkVmPages(vmPages);
  const predictor = createPredictor(name, { ...options, trace: options.trace ?? trace });
  const start = switchoverIndex(trace, options.switchover ?? 0);
  feedHistory(predictor, trace.page.subarray(0, start));

  const state = new Uint8Array(vmPages);
  const issuedAt = new Float64Array(vmPages);
  const future = new NextAlive(trace.page.length);
  const ctx: { index: number } & FaultContext = { index: 0, vmPages, isSent: (page) => state[page] !== ABSENT };
  let faults = 0;
  let issued = 0;
  let used = 0;
  let late = 0;
  let hits = 0;
  let predictable = 0;
  for (let i = start; i < trace.page.length; i++) {
    const page = trace.page[i];
    if (state[page] === ISSUED) {
      state[page] = PRESENT;
      used++;
      if (i - issuedAt[page] <= lead) late++;
    }
    if (state[page] !== ABSENT) continue;
    faults++;
    state[page] = PRESENT;
    ctx.index = i;
    const proposals = predictor.onFault(page, k, ctx).slice(0, k);
    const next = nextMissingPage(trace, state, future, i);
    if (next >= 0) {
      predictable++;
      if (proposals.includes(next)) hits++;
    }
    for (const q of proposals) {
      if (isPageInVm(q, vmPages) && state[q] === ABSENT) {
        state[q] = ISSUED;
        issuedAt[q] = i;
        issued++;
      }
    }
  }
  const withoutPrefetch = faults + used;
  return {
    predictor: name,
    k,
    lead,
    historyAccesses: start,
    accesses: trace.page.length - start,
    faults,
    faultsWithoutPrefetch: withoutPrefetch,
    prefetchIssued: issued,
    prefetchUsed: used,
    accuracy: ratio(used, issued),
    coverage: ratio(withoutPrefetch - faults, withoutPrefetch),
    topKHitRate: ratio(hits, predictable),
    latePrefetches: late,
    lateness: ratio(late, used),
    modelSize: predictor.modelSize(),
  };
}
