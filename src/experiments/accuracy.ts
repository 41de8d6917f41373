import { TRAINING_MODES, type PredictionMetrics, type PredictionMetricsOptions, type TrainingMode } from '../prefetch';
import type { Row } from '../report/table';
import { switchoverAtFraction } from '../trace';
import { EXPERIMENT_DEFAULTS, gridPoints, type Progress } from './common';
import type { Job } from './jobs';
import { runJobs } from './parallel';
import { allWorkloads, DISTINCT_KINDS, NOTEBOOK_SEEDS, type Workload } from './workloads';
import { deepFreeze } from '../util/deep-freeze';

/**
 * PPM's prediction quality on one workload, independent of the network: replay after the experiment
 * switchover, training on the accesses before it (see predictionMetrics for the definitions).
 */
function ppmQualityJob(workload: Workload, options: PredictionMetricsOptions, label: string): Job<'predictionMetrics'> {
  const trace = workload.trace;
  return {
    kind: 'predictionMetrics',
    trace,
    label,
    options: {
      predictor: 'ppm',
      k: EXPERIMENT_DEFAULTS.k,
      order: EXPERIMENT_DEFAULTS.order,
      switchover: switchoverAtFraction(trace, EXPERIMENT_DEFAULTS.switchoverFraction),
      ...options,
    },
  };
}

function ppmQualityRow(workload: Workload, options: PredictionMetricsOptions, m: PredictionMetrics): Row {
  return {
    workload: workload.name,
    source: workload.source,
    seed: workload.seed ?? null,
    order: options.order ?? EXPERIMENT_DEFAULTS.order,
    k: m.k,
    training: options.training ?? 'both',
    topKHitRate: m.topKHitRate,
    accuracy: m.accuracy,
    coverage: m.coverage,
    faults: m.faults,
    faultsWithoutPrefetch: m.faultsWithoutPrefetch,
    prefetchIssued: m.prefetchIssued,
    prefetchUsed: m.prefetchUsed,
    modelSize: m.modelSize,
  };
}

export interface AccuracySweep {
  orders: readonly number[];
  ks: readonly number[];
}

/** Orders from a first-order model up to PPM's usual 4; k from one page per fault to 32. */
export const DEFAULT_ACCURACY_SWEEP: Readonly<AccuracySweep> = deepFreeze({
  orders: [1, 2, 3, 4],
  ks: [1, 2, 4, 8, 16, 32],
});

/**
 * Notebook 02's workloads, on which `sweep accuracy` and `sweep training` run by default: the distinct kinds with
 * NOTEBOOK_SEEDS (strided and pointer-chase are sequential relabelled for PPM), then the real traces.
 */
export function predictionWorkloads(): Workload[] {
  return allWorkloads({ kinds: DISTINCT_KINDS, seeds: NOTEBOOK_SEEDS });
}

/** PPM prediction quality against model order and pages sent per fault. One row per (workload, order, k). */
export function accuracyByOrderAndK(
  workloads: readonly Workload[],
  sweep: AccuracySweep = DEFAULT_ACCURACY_SWEEP,
  progress?: Progress,
): Row[] {
  const points = gridPoints<{ workload: Workload; order: number; k: number }>({
    workload: workloads,
    order: sweep.orders,
    k: sweep.ks,
  });
  const results = runJobs(
    points.map(({ workload, order, k }) =>
      ppmQualityJob(workload, { order, k }, `${workload.name} order ${order} k ${k}`),
    ),
    progress,
  );
  return points.map(({ workload, order, k }, i) => ppmQualityRow(workload, { order, k }, results[i]));
}

/**
 * PPM prediction quality against training mode: only the history recorded before switchover
 * (offline), only the faults seen during migration (online), or both. One row per (workload, mode).
 */
export function accuracyByTraining(
  workloads: readonly Workload[],
  modes: readonly TrainingMode[] = TRAINING_MODES,
  progress?: Progress,
): Row[] {
  const points = gridPoints<{ workload: Workload; training: TrainingMode }>({ workload: workloads, training: modes });
  const results = runJobs(
    points.map(({ workload, training }) => ppmQualityJob(workload, { training }, `${workload.name} ${training}`)),
    progress,
  );
  return points.map(({ workload, training }, i) => ppmQualityRow(workload, { training }, results[i]));
}
