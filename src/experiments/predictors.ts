import { PREDICTOR_NAMES, type PredictorName } from '../prefetch';
import type { Row } from '../report/table';
import { simulateWorkload, type Progress, type SimOverrides } from './common';
import type { Workload } from './workloads';

/**
 * Every predictor on every workload, the oracle being the limit. Accuracy = used / issued;
 * wasted = issued pages the VM never touched after they arrived.
 */
export function predictorComparison(
  workloads: readonly Workload[], predictors: readonly PredictorName[] = PREDICTOR_NAMES, overrides: SimOverrides = {}, progress?: Progress,
): Row[] {
  const rows: Row[] = [];
  const total = workloads.length * predictors.length;
  for (const w of workloads) {
    for (const predictor of predictors) {
      const r = simulateWorkload(w, { ...overrides, predictor });
      rows.push({
        workload: w.name, source: w.source, method: predictor, networkFaults: r.networkFaults,
        latePrefetches: r.latePrefetches, prefetchIssued: r.prefetchIssued, prefetchUsed: r.prefetchUsed,
        wastedPrefetches: r.prefetchIssued - r.prefetchUsed,
        accuracy: r.prefetchIssued === 0 ? 0 : r.prefetchUsed / r.prefetchIssued, stallMs: r.stallMs,
      });
      progress?.(rows.length, total, `${w.name} ${predictor}`);
    }
  }
  return rows;
}
