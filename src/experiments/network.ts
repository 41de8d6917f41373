import type { PredictorName } from '../prefetch';
import type { Row } from '../report/table';
import { simulateWorkload, type Progress, type SimOverrides } from './common';
import type { Workload } from './workloads';

export interface NetworkSweep {
  bandwidthsBps: readonly number[];
  rttsUs: readonly number[];
  methods: readonly PredictorName[];
}

export const DEFAULT_NETWORK_SWEEP: NetworkSweep = {
  bandwidthsBps: [1e8, 1e9, 1e10, 2.5e10],
  rttsUs: [50, 200, 1000, 5000],
  methods: ['none', 'ppm'],
};

/**
 * Downtime, stall time and total migration time of each method over a grid of bandwidth and
 * round-trip latency, on one workload. One row per (method, bandwidth, rtt).
 */
export function timesVsNetwork(workload: Workload, sweep: NetworkSweep = DEFAULT_NETWORK_SWEEP, overrides: SimOverrides = {}, progress?: Progress): Row[] {
  const rows: Row[] = [];
  const total = sweep.methods.length * sweep.bandwidthsBps.length * sweep.rttsUs.length;
  for (const method of sweep.methods) {
    for (const bandwidthBps of sweep.bandwidthsBps) {
      for (const rttUs of sweep.rttsUs) {
        const r = simulateWorkload(workload, { ...overrides, predictor: method, network: { ...overrides.network, bandwidthBps, rttUs } });
        rows.push({
          workload: workload.name, method, bandwidthGbps: bandwidthBps / 1e9, rttUs,
          downtimeMs: r.downtimeMs, stallMs: r.stallMs, totalMigrationMs: r.totalMigrationMs, networkFaults: r.networkFaults,
        });
        progress?.(rows.length, total, `${method} ${bandwidthBps / 1e9} Gbit/s ${rttUs} us`);
      }
    }
  }
  return rows;
}
