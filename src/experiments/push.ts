import { PUSH_POLICIES, type PushPolicy } from '../migration';
import type { Row } from '../report/table';
import { gridPoints, percentChange, resultMetrics, type Progress, type SimOverrides } from './common';
import { simulationJob } from './jobs';
import { runJobs } from './parallel';
import { COMPARED_METHODS, methodOverrides, settingComparison, type Method } from './predictors';
import type { Workload } from './workloads';
import { deepFreeze } from '../util/deep-freeze';

/** The threshold shown next to the paper's PPM; picked from confidenceSweep on the real traces. */
export const PPM_CONFIDENT_THRESHOLD = 0.05;
export const PPM_CONFIDENT_LABEL = `ppm p≥${PPM_CONFIDENT_THRESHOLD}`;

/** Plain post-copy, the compared methods (COMPARED_METHODS) and PPM with the confidence threshold. */
export const DEFAULT_PUSH_METHODS: readonly Readonly<Method>[] = deepFreeze([
  { label: 'none', predictor: 'none' },
  ...COMPARED_METHODS,
  { label: PPM_CONFIDENT_LABEL, predictor: 'ppm', predictorOptions: { minProbability: PPM_CONFIDENT_THRESHOLD } },
]);

/**
 * Prefetch on fault when the source also pushes pages in the background (QEMU pushes in address order,
 * restarting after each faulted page). Without push a wrongly predicted page costs nothing but link
 * time; with push it delays the pushed pages queued behind it, which can turn them into faults.
 * methodComparison under each push policy: one row per (push, workload, method), the changes
 * measured against plain post-copy under the same policy.
 */
export function pushComparison(
  workloads: readonly Workload[],
  policies: readonly PushPolicy[] = PUSH_POLICIES,
  methods: readonly Method[] = DEFAULT_PUSH_METHODS,
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  const settings = policies.map((push) => ({ label: push, overrides: { push } }));
  return settingComparison(workloads, settings, methods, overrides, progress).map(({ setting, ...row }) => ({
    ...row,
    push: setting,
  }));
}

export const DEFAULT_CONFIDENCE_THRESHOLDS: readonly number[] = deepFreeze([0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);

/**
 * PPM's confidence threshold against network faults and stall time under one push policy (default
 * QEMU's restart): 0 is the paper's scheme; the higher it is, the fewer (and surer) pages are sent.
 * One row per (workload, threshold), with plain post-copy's faults and stall alongside for reference.
 */
export function confidenceSweep(
  workloads: readonly Workload[],
  thresholds: readonly number[] = DEFAULT_CONFIDENCE_THRESHOLDS,
  push: PushPolicy = 'restart',
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  const setup = { ...overrides, push };
  const points = gridPoints<{ workload: Workload; minProbability: number }>({
    workload: workloads,
    minProbability: thresholds,
  });
  const plainJobs = workloads.map((w) =>
    simulationJob(w, methodOverrides({ label: 'none', predictor: 'none' }, setup), `${w.name} none`),
  );
  const ppmJobs = points.map(({ workload, minProbability }) =>
    simulationJob(
      workload,
      methodOverrides({ label: 'ppm', predictor: 'ppm', predictorOptions: { minProbability } }, setup),
      `${workload.name} p≥${minProbability}`,
    ),
  );
  const results = runJobs([...plainJobs, ...ppmJobs], progress);
  const plain = new Map(workloads.map((w, i) => [w, results[i]]));
  return points.map(({ workload, minProbability }, i) => {
    const r = results[workloads.length + i];
    const base = plain.get(workload)!;
    return {
      workload: workload.name,
      source: workload.source,
      seed: workload.seed ?? null,
      push,
      minProbability,
      method: 'ppm',
      ...resultMetrics(r),
      plainFaults: base.networkFaults,
      plainStallMs: base.stallMs,
      faultChangePercent: percentChange(base.networkFaults, r.networkFaults),
      stallChangePercent: percentChange(base.stallMs, r.stallMs),
    };
  });
}
