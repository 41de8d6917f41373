import type { PredictorName } from '../prefetch';
import type { Row } from '../report/table';
import {
  describeChange,
  describeChangeInterval,
  EXPERIMENT_DEFAULTS,
  gridPoints,
  resultMetrics,
  rowsWhere,
  valueAt,
  type Progress,
  type SimOverrides,
} from './common';
import { COMPARED_PREDICTORS } from './predictors';
import { simulationJob } from './jobs';
import { runJobs } from './parallel';
import { NOTEBOOK_SEEDS, realWorkloads, syntheticWorkloads, type Workload } from './workloads';
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
 * Notebook 03's workloads, on which `sweep network` runs by default: zipf and phased with NOTEBOOK_SEEDS, then the
 * real trace sqlite (every method at 20 grid points each).
 */
export function networkWorkloads(): Workload[] {
  return [
    ...syntheticWorkloads({ kinds: ['zipf', 'phased'], seeds: NOTEBOOK_SEEDS }),
    ...realWorkloads({ names: ['sqlite'] }),
  ];
}

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

/**
 * Whether prefetching pays most when round trips are long, read off the grid: `method`'s change in stall time
 * against plain post-copy (the mean over seeds, %) at each round trip at `bandwidthGbps`, per workload, and whether
 * the largest cut is at the longest round trip. In %, not ms: a longer round trip lengthens every stall, so the ms
 * saved grow with it whatever prefetching does. rows: summarise() rows by workload, method, bandwidthGbps and rttUs
 * with stallMsChangePercent (and its Min/Max). One markdown bullet.
 */
export function roundTripFinding(rows: readonly Row[], bandwidthGbps: number, method = 'ppm'): string {
  const mine = rowsWhere(rows, { method, bandwidthGbps });
  const workloads = [...new Set(mine.map((r) => String(r.workload)))];
  const rtts = [...new Set(mine.map((r) => Number(r.rttUs)))].sort((a, b) => a - b);
  const [shortest, longest] = [rtts[0], rtts[rtts.length - 1]];
  const change = (w: string, rttUs: number) => valueAt(mine, { workload: w, rttUs }, 'stallMsChangePercent');
  const at = (w: string, rttUs: number) => rowsWhere(mine, { workload: w, rttUs })[0];
  // the round trip of the largest cut (the most negative change); a tie goes to the shorter one
  const best = (w: string) => rtts.reduce((b, r) => (change(w, r) < change(w, b) ? r : b), shortest);
  const head =
    `- With a ${longest} µs round trip ${method} changes the stall by ` +
    workloads
      .map((w) => `${w} ${describeChangeInterval(at(w, longest), 'stallMsChangePercent', 'less', 'more')}`)
      .join(', ');
  const words = (w: string, rttUs: number) => describeChange(change(w, rttUs), 'less', 'more');
  const span =
    `from ${shortest} to ${longest} µs: ` +
    workloads.map((w) => `${w} ${words(w, shortest)} → ${words(w, longest)}`).join(', ');
  const most = workloads.filter((w) => best(w) === longest && change(w, longest) < 0);
  const others = workloads.filter((w) => !most.includes(w));
  const elsewhere = others
    .map((w) => (change(w, best(w)) < 0 ? `largest at ${best(w)} µs on ${w}` : `no cut at any round trip on ${w}`))
    .join(', ');
  if (others.length === 0)
    return (
      `${head}. On every workload the cut is largest at the longest round trip (${span}): each fault avoided saves a ` +
      'round trip, so prefetching pays most when round trips are long.'
    );
  if (most.length === 0)
    return (
      `${head}. On no workload is the cut largest at the longest round trip (${span}; ${elsewhere}): a longer ` +
      'round trip does not make prefetching pay more here.'
    );
  return (
    `${head}. The cut is largest at the longest round trip on ${most.join(', ')}, not on ${others.join(', ')} ` +
    `(${span}; ${elsewhere}): whether prefetching pays most when round trips are long depends on the workload.`
  );
}
