import { createPredictor, ppm, ppmPredictor, resolveOptions, type Predictor } from '../prefetch';
import type { Row } from '../report/table';
import { largestPage, switchoverAtFraction, switchoverIndex } from '../trace';
import { checkVmPages } from '../trace/limits';
import { EXPERIMENT_DEFAULTS, simulateWorkload, type Progress, type SimOverrides } from './common';
import type { Method } from './predictors';
import type { Workload } from './workloads';
import { deepFreeze, type DeepReadonly } from '../util/deep-freeze';

export interface PpmMissSweep {
  /** Shares of the accesses before switchover that PPM learns from (its historyWindow, newest kept). */
  historyShares: readonly number[];
  /** Switchover points, as fractions of the trace's accesses. */
  switchoverFractions: readonly number[];
}

/** From the last 1 % of the history to all of it; switchover from early to late in the run. */
export const DEFAULT_PPM_MISS_SWEEP: Readonly<PpmMissSweep> = deepFreeze({
  historyShares: [0.01, 0.03, 0.1, 0.3, 1],
  switchoverFractions: [0.1, 0.3, 0.5, 0.7, 0.9],
});

/** The same predictor, with the faulted pages it was asked about written down (its methods may be its class's). */
function recordingFaults(predictor: Predictor, faulted: number[]): Predictor {
  const onFault = predictor.onFault.bind(predictor);
  predictor.onFault = (page, k, ctx) => (faulted.push(page), onFault(page, k, ctx));
  return predictor;
}

/**
 * Why the paper's PPM sends few useful pages, on one workload at one switchover and history window:
 * neverSeenShare = share of its faulted pages that are not in the history window it learnt from (it can
 * never propose those); fillRate = pages it sent per fault / k; contextFillRate = the same for its
 * contexts of order >= 1 alone, i.e. without the order-0 fill with the most frequent pages.
 */
export function ppmMisses(
  workload: Workload,
  switchoverFraction: number,
  historyShare: number,
  overrides: SimOverrides = {},
): Row {
  const trace = workload.trace;
  const historyAccesses = switchoverIndex(trace, switchoverAtFraction(trace, switchoverFraction));
  const historyWindow = Math.max(1, Math.round(historyShare * historyAccesses));
  const window = Math.min(historyWindow, historyAccesses);
  // seen[p] = 1 for the pages in the window: flags by page, where a Set of up to 10^5 accesses cost more than a run;
  // a VM the simulation refuses is refused first, not after up to 4 GiB of flags
  const pages = largestPage(trace.page) + 1;
  checkVmPages(pages);
  const seen = new Uint8Array(pages);
  for (let i = historyAccesses - window; i < historyAccesses; i++) seen[trace.page[i]] = 1;
  const options = { order: EXPERIMENT_DEFAULTS.order, ...overrides.predictorOptions, historyWindow };
  const setup = { ...overrides, switchoverFraction, predictorOptions: options };
  const faulted: number[] = [];
  const paper = simulateWorkload(
    workload,
    { ...setup, predictor: 'ppm' },
    {
      predictor: recordingFaults(createPredictor('ppm', options), faulted),
    },
  );
  const contexts = simulateWorkload(workload, setup, {
    predictor: ppmPredictor('ppm', resolveOptions(ppm, options), false, true),
  });
  const slots = (r: { networkFaults: number; k: number }) => Math.max(1, r.networkFaults * r.k);
  return {
    workload: workload.name,
    source: workload.source,
    switchoverFraction,
    historyShare,
    historyWindow,
    networkFaults: paper.networkFaults,
    distinctPagesTouched: paper.distinctPagesTouched,
    neverSeenShare: faulted.length === 0 ? 0 : faulted.filter((p) => seen[p] === 0).length / faulted.length,
    fillRate: paper.prefetchIssued / slots(paper),
    contextFillRate: contexts.prefetchIssued / slots(contexts),
  };
}

/** The share of the pages PPM sent that came from order 0 (a ppmMisses row): 1 − context fill rate / fill rate. */
export function orderZeroShare(row: Row): number {
  return 1 - Number(row.contextFillRate) / Math.max(1e-9, Number(row.fillRate));
}

/**
 * ppmMisses against the history window (at the experiments' switchover) and against the switchover
 * (whole history), on every workload. One row per (workload, sweep, point); `sweep` names the knob varied.
 */
export function ppmMissSweep(
  workloads: readonly Workload[],
  sweep: PpmMissSweep = DEFAULT_PPM_MISS_SWEEP,
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  const atSwitchover = EXPERIMENT_DEFAULTS.switchoverFraction;
  const points = workloads.flatMap((workload) => [
    ...sweep.historyShares.map((share) => ({ workload, sweep: 'history window', fraction: atSwitchover, share })),
    ...sweep.switchoverFractions.map((fraction) => ({ workload, sweep: 'switchover', fraction, share: 1 })),
  ]);
  return points.map(({ workload, sweep: knob, fraction, share }, i) => {
    const row = ppmMisses(workload, fraction, share, overrides);
    progress?.(i + 1, points.length, `${workload.name} ${knob} ${knob === 'switchover' ? fraction : share}`);
    return { ...row, sweep: knob };
  });
}

export const PPM_MISS_METRICS = {
  neverSeenShare: 'faulted pages never seen in the history window',
  fillRate: 'PPM fill rate (pages sent per fault / k)',
  contextFillRate: 'fill rate of its contexts (order >= 1) alone',
} as const;

/**
 * ppmMissSweep's rows for one faceted line chart: a panel per (workload, knob), x = the knob's value
 * as a share (history kept, or switchover point), one line per metric of PPM_MISS_METRICS.
 */
export function ppmMissChartRows(rows: readonly Row[]): Row[] {
  return rows.flatMap((r) =>
    Object.entries(PPM_MISS_METRICS).map(([column, metric]) => ({
      panel: `${r.workload} · ${r.sweep}`,
      share: r.sweep === 'switchover' ? r.switchoverFraction : r.historyShare,
      metric,
      value: r[column],
    })),
  );
}

/**
 * What was tried and did not win, beside what did: PPM with a shorter context and another escape method
 * (the paper's knobs), the delta model learnt online only, the hybrid with every context prediction first
 * (no 1/2 threshold), the hybrid without its model (phase-bubbling) and without the phase ranking
 * (bubbling), and the limit.
 */
export const PPM_VARIANT_METHODS: DeepReadonly<Method[]> = deepFreeze([
  { label: 'ppm', predictor: 'ppm' },
  { label: 'ppm order 1', predictor: 'ppm', predictorOptions: { order: 1 } },
  { label: 'ppm escape A', predictor: 'ppm', predictorOptions: { escape: 'A' } },
  { label: 'ppm-delta', predictor: 'ppm-delta' },
  { label: 'ppm-delta online', predictor: 'ppm-delta', predictorOptions: { training: 'online' } },
  { label: 'ppm-hybrid', predictor: 'ppm-hybrid' },
  { label: 'ppm-hybrid p≥0', predictor: 'ppm-hybrid', predictorOptions: { minProbability: 0 } },
  { label: 'phase-bubbling', predictor: 'phase-bubbling' },
  { label: 'bubbling', predictor: 'bubbling' },
  { label: 'oracle', predictor: 'oracle' },
]);
