import type { PushPolicy } from '../migration';
import type { PredictorName } from '../prefetch';
import type { Row } from '../report/table';
import { simulateWorkload, type Progress } from './common';
import type { Workload } from './workloads';

/** The knobs of the what-if notebook. */
export interface WhatIfParams {
  workload: string;
  bandwidthGbps: number;
  rttUs: number;
  k: number;
  order: number;
  push: PushPolicy;
}

export const WHAT_IF_METHODS: readonly PredictorName[] = ['none', 'next-k', 'leap', 'ppm', 'oracle'];

/** Every metric of each method for one setting of the knobs. One row per method. */
export function whatIf(workloads: readonly Workload[], params: WhatIfParams, methods: readonly PredictorName[] = WHAT_IF_METHODS): Row[] {
  const workload = workloads.find((w) => w.name === params.workload);
  if (!workload) throw new Error(`unknown workload '${params.workload}' (have: ${workloads.map((w) => w.name).join(', ')})`);
  return methods.map((predictor) => {
    const r = simulateWorkload(workload, {
      predictor, k: params.k, push: params.push, predictorOptions: { order: params.order },
      network: { bandwidthBps: params.bandwidthGbps * 1e9, rttUs: params.rttUs },
    });
    return {
      method: predictor, networkFaults: r.networkFaults, latePrefetches: r.latePrefetches, prefetchIssued: r.prefetchIssued,
      prefetchUsed: r.prefetchUsed, downtimeMs: r.downtimeMs, stallMs: r.stallMs, totalMigrationMs: r.totalMigrationMs,
      pagesSent: r.pagesSent, bytesSentMiB: r.bytesSent / 2 ** 20,
    };
  });
}

/** The values each knob takes in a precomputed grid. */
export type WhatIfAxes = { [K in keyof WhatIfParams]: ReadonlyArray<WhatIfParams[K]> };

/** Every combination of the axes' values. */
export function gridPoints(axes: WhatIfAxes): WhatIfParams[] {
  let points: Array<Partial<WhatIfParams>> = [{}];
  for (const key of Object.keys(axes) as Array<keyof WhatIfParams>) {
    points = points.flatMap((p) => (axes[key] as ReadonlyArray<WhatIfParams[typeof key]>).map((v) => ({ ...p, [key]: v })));
  }
  return points as WhatIfParams[];
}

export interface WhatIfCell {
  params: WhatIfParams;
  rows: Row[];
}

/** whatIf at every grid point, for an interactive report that works offline. */
export function whatIfGrid(workloads: readonly Workload[], axes: WhatIfAxes, methods: readonly PredictorName[] = WHAT_IF_METHODS, progress?: Progress): WhatIfCell[] {
  const points = gridPoints(axes);
  return points.map((params, i) => {
    const rows = whatIf(workloads, params, methods);
    progress?.(i + 1, points.length, JSON.stringify(params));
    return { params, rows };
  });
}
