import { simulate, type MigrationResult, type NetworkConfig, type SimConfig } from '../migration';
import { switchoverAtFraction } from '../trace';
import type { Workload } from './workloads';

/**
 * The setup every experiment starts from unless it varies a parameter: PPM of order 3 sending k = 8
 * pages with each faulted one, trained on the 30 % of the trace that ran before switchover and online,
 * 1 Gbit/s with 200 us round trip, no background push (so faults are the prefetcher's doing alone).
 */
export const EXPERIMENT_DEFAULTS = {
  k: 8,
  order: 3,
  switchoverFraction: 0.3,
  bandwidthBps: 1e9,
  rttUs: 200,
} as const;

export type SimOverrides = Partial<Omit<SimConfig, 'network'>> & { network?: Partial<NetworkConfig>; switchoverFraction?: number };

/** Simulates one workload with the experiment defaults and the given overrides. */
export function simulateWorkload(workload: Workload, overrides: SimOverrides = {}): MigrationResult {
  const { switchoverFraction = EXPERIMENT_DEFAULTS.switchoverFraction, network, predictorOptions, ...rest } = overrides;
  return simulate(workload.trace, {
    k: EXPERIMENT_DEFAULTS.k,
    switchover: switchoverAtFraction(workload.trace, switchoverFraction),
    ...rest,
    predictorOptions: { order: EXPERIMENT_DEFAULTS.order, ...predictorOptions, trace: workload.trace },
    network: { bandwidthBps: EXPERIMENT_DEFAULTS.bandwidthBps, rttUs: EXPERIMENT_DEFAULTS.rttUs, ...network },
  });
}

/** Relative change from `before` to `after` in percent (negative = fewer); 0 when both are 0. */
export function percentChange(before: number, after: number): number {
  if (before === 0) return after === 0 ? 0 : Infinity;
  return ((after - before) / before) * 100;
}

/** Reports progress of a long experiment: called after each unit of work. */
export type Progress = (done: number, total: number, label: string) => void;
