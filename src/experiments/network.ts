import type { PredictorName } from '../prefetch';
import type { Row } from '../report/table';
import { EXPERIMENT_DEFAULTS, gridPoints, resultMetrics, type Progress, type SimOverrides } from './common';
import { COMPARED_PREDICTORS } from './predictors';
import { simulationJob } from './jobs';
import { runJobs } from './parallel';
import type { Workload } from './workloads';
import { deepFreeze } from '../util/deep-freeze';

export interface NetworkSweep {
  bandwidthsGbps: readonly number[];
  rttsUs: readonly number[];
  methods: readonly PredictorName[];
}

/**
 * From a slow shared link to a fast datacenter one, and from a rack to a WAN; the defaults
 * (1 Gbit/s, 200 us) are on the grid so each one-dimensional slice passes through them.
 */
export const DEFAULT_NETWORK_SWEEP: Readonly<NetworkSweep> = deepFreeze({
  bandwidthsGbps: [0.1, 0.5, 1, 5, 10],
  rttsUs: [50, 200, 1000, 5000],
  methods: ['none', ...COMPARED_PREDICTORS],
});

/**
 * Downtime, stall time and total migration time of each method over the grid of bandwidth and
 * round-trip latency, on each workload. One row per (workload, method, bandwidth, rtt).
 */
export function timesVsNetwork(
  workloads: readonly Workload[],
  sweep: NetworkSweep = DEFAULT_NETWORK_SWEEP,
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  const points = gridPoints<{ workload: Workload; method: PredictorName; bandwidthGbps: number; rttUs: number }>({
    workload: workloads,
    method: sweep.methods,
    bandwidthGbps: sweep.bandwidthsGbps,
    rttUs: sweep.rttsUs,
  });
  const results = runJobs(
    points.map(({ workload, method, bandwidthGbps, rttUs }) =>
      simulationJob(
        workload,
        {
          ...overrides,
          predictor: method,
          network: { ...overrides.network, bandwidthBps: bandwidthGbps * 1e9, rttUs },
        },
        `${workload.name} ${method} ${bandwidthGbps} Gbit/s ${rttUs} us`,
      ),
    ),
    progress,
  );
  return points.map(({ workload, method, bandwidthGbps, rttUs }, i) => ({
    workload: workload.name,
    seed: workload.seed ?? null,
    method,
    bandwidthGbps,
    rttUs,
    ...resultMetrics(results[i]),
  }));
}

/** The rows of a one-dimensional slice: the other network knob held at its experiment default. */
export function networkSlice(rows: readonly Row[], vary: 'bandwidthGbps' | 'rttUs'): Row[] {
  return vary === 'bandwidthGbps'
    ? rows.filter((r) => r.rttUs === EXPERIMENT_DEFAULTS.rttUs)
    : rows.filter((r) => r.bandwidthGbps === EXPERIMENT_DEFAULTS.bandwidthBps / 1e9);
}
