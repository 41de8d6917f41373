import { PREDICTOR_NAMES, type PredictorName } from '../prefetch';
import type { Row } from '../report/table';
import { gridPoints, percentChange, resultMetrics, simulateWorkload, type Progress, type SimOverrides } from './common';
import type { Workload } from './workloads';

/**
 * Every predictor on every workload under the same setup, the oracle (which reads the future) being
 * the limit any predictor can reach with k pages per fault. One row per (workload, method);
 * faultChangePercent compares with plain post-copy ("none") on the same workload, which is always run;
 * touchedShare is the share of the VM's pages touched after switchover (when it is high, almost any page
 * sent ahead is used eventually, so faults alone flatter predictors that always fill their k slots).
 */
export function predictorComparison(
  workloads: readonly Workload[], predictors: readonly PredictorName[] = PREDICTOR_NAMES, overrides: SimOverrides = {}, progress?: Progress,
): Row[] {
  const methods: PredictorName[] = ['none', ...predictors.filter((p) => p !== 'none')];
  const points = gridPoints<{ workload: Workload; method: PredictorName }>({ workload: workloads, method: methods });
  const results = points.map(({ workload, method }, i) => {
    const r = simulateWorkload(workload, { ...overrides, predictor: method });
    progress?.(i + 1, points.length, `${workload.name} ${method}`);
    return r;
  });
  const plainFaults = new Map(points.flatMap((p, i) => (p.method === 'none' ? [[p.workload, results[i].networkFaults]] : [])));
  return points.flatMap(({ workload, method }, i) => (predictors.includes(method) ? [{
    workload: workload.name, source: workload.source, method, distinctPagesTouched: results[i].distinctPagesTouched,
    touchedShare: results[i].distinctPagesTouched / results[i].vmPages,
    ...resultMetrics(results[i]), faultChangePercent: percentChange(plainFaults.get(workload)!, results[i].networkFaults),
  }] : []));
}

/**
 * The paper's first comparison: network page faults of plain post-copy (method "none": only the faulted
 * page is sent) against post-copy with PPM prefetch, on every workload. One row per (workload, method).
 */
export function faultComparison(workloads: readonly Workload[], overrides: SimOverrides = {}, progress?: Progress): Row[] {
  return predictorComparison(workloads, ['none', 'ppm'], overrides, progress);
}
