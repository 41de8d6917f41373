import { PREDICTOR_NAMES, type PredictorName, type PredictorOptions } from '../prefetch';
import type { Row } from '../report/table';
import { gridPoints, percentChange, resultMetrics, simulateWorkload, type Progress, type SimOverrides } from './common';
import type { Workload } from './workloads';

/** A method to compare: a predictor under a label, with options of its own (e.g. PPM's confidence threshold). */
export interface Method {
  /** Name in rows, legends and colours. */
  label: string;
  predictor: PredictorName;
  /** Merged over the experiment's predictor options. */
  predictorOptions?: PredictorOptions;
}

const PLAIN: Method = { label: 'none', predictor: 'none' };

/** One workload under one method: the experiment setup, the overrides, then the method's own options. */
export function simulateMethod(workload: Workload, method: Method, overrides: SimOverrides = {}) {
  return simulateWorkload(workload, {
    ...overrides, predictor: method.predictor, predictorOptions: { ...overrides.predictorOptions, ...method.predictorOptions },
  });
}

/**
 * Every method on every workload under the same setup. One row per (workload, method);
 * faultChangePercent and stallChangePercent compare with plain post-copy (label "none", always run)
 * on the same workload; touchedShare is the share of the VM's pages touched after switchover (when it
 * is high, almost any page sent ahead is used eventually, so faults alone flatter methods that always
 * fill their k slots).
 */
export function methodComparison(workloads: readonly Workload[], methods: readonly Method[], overrides: SimOverrides = {}, progress?: Progress): Row[] {
  const all = [PLAIN, ...methods.filter((m) => m.label !== PLAIN.label)];
  const points = gridPoints<{ workload: Workload; method: Method }>({ workload: workloads, method: all });
  const results = points.map(({ workload, method }, i) => {
    const r = simulateMethod(workload, method, overrides);
    progress?.(i + 1, points.length, `${workload.name} ${method.label}`);
    return r;
  });
  const plainOf = new Map(points.flatMap((p, i) => (p.method === PLAIN ? [[p.workload, results[i]]] : [])));
  return points.flatMap(({ workload, method }, i) => {
    if (!methods.some((m) => m.label === method.label)) return [];
    const r = results[i];
    const plain = plainOf.get(workload)!;
    return [{
      workload: workload.name, source: workload.source, method: method.label, distinctPagesTouched: r.distinctPagesTouched,
      touchedShare: r.distinctPagesTouched / r.vmPages, ...resultMetrics(r),
      faultChangePercent: percentChange(plain.networkFaults, r.networkFaults), stallChangePercent: percentChange(plain.stallMs, r.stallMs),
    }];
  });
}

/** Every predictor on every workload, the oracle (which reads the future) being the limit with k pages per fault. */
export function predictorComparison(
  workloads: readonly Workload[], predictors: readonly PredictorName[] = PREDICTOR_NAMES, overrides: SimOverrides = {}, progress?: Progress,
): Row[] {
  return methodComparison(workloads, predictors.map((p) => ({ label: p, predictor: p })), overrides, progress);
}

/**
 * The paper's first comparison: network page faults of plain post-copy (method "none": only the faulted
 * page is sent) against post-copy with PPM prefetch, on every workload. One row per (workload, method).
 */
export function faultComparison(workloads: readonly Workload[], overrides: SimOverrides = {}, progress?: Progress): Row[] {
  return predictorComparison(workloads, ['none', 'ppm'], overrides, progress);
}
