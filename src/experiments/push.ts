import { PUSH_POLICIES, type PushPolicy } from '../migration';
import type { PredictorName } from '../prefetch';
import type { Row } from '../report/table';
import { gridPoints, percentChange, resultMetrics, simulateWorkload, type Progress, type SimOverrides } from './common';
import type { Workload } from './workloads';

/** A method of the push comparison: a predictor and, for PPM, a confidence threshold. */
export interface PushMethod {
  /** Name in rows, legends and colours. */
  label: string;
  predictor: PredictorName;
  /** PPM: send only predictions at least this likely (absent: the paper's scheme, always k pages). */
  minProbability?: number;
}

/** The threshold shown next to the paper's PPM; picked from confidenceSweep on the real traces. */
export const PPM_CONFIDENT_THRESHOLD = 0.05;
export const PPM_CONFIDENT_LABEL = `ppm p≥${PPM_CONFIDENT_THRESHOLD}`;

export const DEFAULT_PUSH_METHODS: readonly PushMethod[] = [
  { label: 'none', predictor: 'none' },
  { label: 'ppm', predictor: 'ppm' },
  { label: PPM_CONFIDENT_LABEL, predictor: 'ppm', minProbability: PPM_CONFIDENT_THRESHOLD },
  { label: 'bubbling', predictor: 'bubbling' },
  { label: 'oracle', predictor: 'oracle' },
];

function runMethod(workload: Workload, method: PushMethod, push: PushPolicy, overrides: SimOverrides) {
  return simulateWorkload(workload, {
    ...overrides, push, predictor: method.predictor,
    predictorOptions: { ...overrides.predictorOptions, minProbability: method.minProbability },
  });
}

/**
 * Prefetch on fault when the source also pushes pages in the background (QEMU pushes in address order,
 * restarting after each faulted page). Without push a wrongly predicted page costs nothing but link
 * time; with push it delays the pushed pages queued behind it, which can turn them into faults. One row
 * per (workload, push, method); faultChangePercent and stallChangePercent compare with plain post-copy
 * ("none", always run) under the same push policy.
 */
export function pushComparison(
  workloads: readonly Workload[], policies: readonly PushPolicy[] = PUSH_POLICIES,
  methods: readonly PushMethod[] = DEFAULT_PUSH_METHODS, overrides: SimOverrides = {}, progress?: Progress,
): Row[] {
  const plain: PushMethod = { label: 'none', predictor: 'none' };
  const all = [plain, ...methods.filter((m) => m.label !== plain.label)];
  const points = gridPoints<{ workload: Workload; push: PushPolicy; method: PushMethod }>({ workload: workloads, push: policies, method: all });
  const results = points.map(({ workload, push, method }, i) => {
    const r = runMethod(workload, method, push, overrides);
    progress?.(i + 1, points.length, `${workload.name} ${push} ${method.label}`);
    return r;
  });
  const plainOf = new Map(points.flatMap((p, i) => (p.method === plain ? [[`${p.workload.name}/${p.push}`, results[i]]] : [])));
  return points.flatMap(({ workload, push, method }, i) => {
    if (!methods.some((m) => m.label === method.label)) return [];
    const base = plainOf.get(`${workload.name}/${push}`)!;
    const r = results[i];
    return [{
      workload: workload.name, source: workload.source, push, method: method.label, ...resultMetrics(r),
      faultChangePercent: percentChange(base.networkFaults, r.networkFaults), stallChangePercent: percentChange(base.stallMs, r.stallMs),
    }];
  });
}

export const DEFAULT_CONFIDENCE_THRESHOLDS: readonly number[] = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

/**
 * PPM's confidence threshold against network faults and stall time under one push policy (default
 * QEMU's restart): 0 is the paper's scheme; the higher it is, the fewer (and surer) pages are sent.
 * One row per (workload, threshold), with plain post-copy's faults and stall alongside for reference.
 */
export function confidenceSweep(
  workloads: readonly Workload[], thresholds: readonly number[] = DEFAULT_CONFIDENCE_THRESHOLDS, push: PushPolicy = 'restart',
  overrides: SimOverrides = {}, progress?: Progress,
): Row[] {
  const points = gridPoints<{ workload: Workload; minProbability: number }>({ workload: workloads, minProbability: thresholds });
  const plain = new Map(workloads.map((w) => [w, runMethod(w, { label: 'none', predictor: 'none' }, push, overrides)]));
  return points.map(({ workload, minProbability }, i) => {
    const r = runMethod(workload, { label: 'ppm', predictor: 'ppm', minProbability }, push, overrides);
    progress?.(i + 1, points.length, `${workload.name} p≥${minProbability}`);
    const base = plain.get(workload)!;
    return {
      workload: workload.name, source: workload.source, push, minProbability, method: 'ppm', ...resultMetrics(r),
      plainFaults: base.networkFaults, plainStallMs: base.stallMs,
      faultChangePercent: percentChange(base.networkFaults, r.networkFaults), stallChangePercent: percentChange(base.stallMs, r.stallMs),
    };
  });
}
