import { predictionMetrics, type PredictorOptions, type TrainingMode } from '../prefetch';
import type { Row } from '../report/table';
import { switchoverAtFraction, switchoverIndex } from '../trace';
import { EXPERIMENT_DEFAULTS, type Progress } from './common';
import type { Workload } from './workloads';

function metricsRow(workload: Workload, k: number, options: PredictorOptions, switchoverFraction: number): Row {
  const trace = workload.trace;
  const m = predictionMetrics(trace, {
    predictor: 'ppm', k, options: { ...options, trace },
    switchoverIndex: switchoverIndex(trace, switchoverAtFraction(trace, switchoverFraction)),
  });
  return {
    workload: workload.name, order: options.order ?? EXPERIMENT_DEFAULTS.order, k, training: options.training ?? 'both',
    topKHitRate: m.topKHitRate, accuracy: m.accuracy, coverage: m.coverage, faults: m.faults, issued: m.issued, used: m.used,
  };
}

/** PPM prediction quality against model order and pages sent per fault (k). */
export function accuracyByOrderAndK(
  workloads: readonly Workload[], orders: readonly number[] = [1, 2, 3, 4, 5], ks: readonly number[] = [1, 2, 4, 8, 16],
  switchoverFraction: number = EXPERIMENT_DEFAULTS.switchoverFraction, progress?: Progress,
): Row[] {
  const rows: Row[] = [];
  const total = workloads.length * orders.length * ks.length;
  for (const w of workloads) {
    for (const order of orders) {
      for (const k of ks) {
        rows.push(metricsRow(w, k, { order }, switchoverFraction));
        progress?.(rows.length, total, `${w.name} order ${order} k ${k}`);
      }
    }
  }
  return rows;
}

/** PPM prediction quality against training mode: offline history, online faults, or both. */
export function accuracyByTraining(
  workloads: readonly Workload[], modes: readonly TrainingMode[] = ['offline', 'online', 'both'],
  k: number = EXPERIMENT_DEFAULTS.k, switchoverFraction: number = EXPERIMENT_DEFAULTS.switchoverFraction,
): Row[] {
  return workloads.flatMap((w) => modes.map((training) => metricsRow(w, k, { order: EXPERIMENT_DEFAULTS.order, training }, switchoverFraction)));
}
