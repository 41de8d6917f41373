/**
 * What every experiment shares: the default setup, one simulation of a workload under it, the metric
 * columns of a result, and progress reporting for the long sweeps.
 */
import { simulate, type MigrationResult, type SimHooks, type SimInput } from '../migration';
import { formatNumber, type Row } from '../report/table';
import { switchoverAtFraction } from '../trace';
import type { Workload } from './workloads';

export { extent, intervalsOverlap, mean, median, quantile, type Extent } from '../util/statistics';

/**
 * The setup every experiment starts from unless it varies a parameter: PPM of order 3 sending k = 8
 * pages with each faulted one, trained on the 30 % of the trace that ran before switchover and online,
 * 1 Gbit/s with 200 us round trip, no background push (so the faults left are the prefetcher's doing alone).
 */
export const EXPERIMENT_DEFAULTS = {
  k: 8,
  order: 3,
  switchoverFraction: 0.3,
  bandwidthBps: 1e9,
  rttUs: 200,
} as const;

/** The default setup in one sentence, for a notebook's opening (numbers from EXPERIMENT_DEFAULTS). */
export function setupMarkdown(): string {
  const d = EXPERIMENT_DEFAULTS;
  return `**Setup** (unless a notebook varies it): PPM of order ${d.order} sends k = ${d.k} predicted pages with each ` +
    `faulted page; migration switches over after ${d.switchoverFraction * 100} % of each trace's accesses (those ran on ` +
    `the source and are the history PPM trains on, then it keeps learning online); ${d.bandwidthBps / 1e9} Gbit/s link, ` +
    `${d.rttUs} µs round trip, no background push (so every page the VM needs arrives by a fault or a prefetch).`;
}

/** Anything simulate() accepts, plus the switchover as a fraction of the trace's accesses. */
export type SimOverrides = SimInput & { switchoverFraction?: number };

/** Simulates one workload with the experiment defaults and the given overrides (hooks: see simulate). */
export function simulateWorkload(workload: Pick<Workload, 'trace'>, overrides: SimOverrides = {}, hooks?: SimHooks): MigrationResult {
  const { switchoverFraction = EXPERIMENT_DEFAULTS.switchoverFraction, network, predictorOptions, ...rest } = overrides;
  return simulate(workload.trace, {
    k: EXPERIMENT_DEFAULTS.k,
    push: 'off',
    switchover: switchoverAtFraction(workload.trace, switchoverFraction),
    ...rest,
    predictorOptions: { order: EXPERIMENT_DEFAULTS.order, ...predictorOptions },
    network: { bandwidthBps: EXPERIMENT_DEFAULTS.bandwidthBps, rttUs: EXPERIMENT_DEFAULTS.rttUs, ...network },
  }, hooks);
}

/**
 * The metric columns of one run, the same names in every experiment's rows. Wasted = prefetched pages
 * the VM never touched; accuracy = used / issued (0 when nothing was prefetched); downtime + stall is
 * the time the VM does not run, which is what the paper's "prolonged downtime" from fault requests counts.
 */
export function resultMetrics(r: MigrationResult) {
  return {
    networkFaults: r.networkFaults,
    latePrefetches: r.latePrefetches,
    prefetchIssued: r.prefetchIssued,
    prefetchUsed: r.prefetchUsed,
    wastedPrefetches: r.prefetchIssued - r.prefetchUsed,
    accuracy: r.prefetchIssued === 0 ? 0 : r.prefetchUsed / r.prefetchIssued,
    pushPages: r.pushPages,
    pagesSent: r.pagesSent,
    downtimeMs: r.downtimeMs,
    stallMs: r.stallMs,
    downtimePlusStallMs: r.downtimeMs + r.stallMs,
    waitP50Ms: r.waitP50Ms,
    waitP99Ms: r.waitP99Ms,
    degradedMs: r.degradedMs,
    totalMigrationMs: r.totalMigrationMs,
    bytesSentMiB: r.bytesSent / 2 ** 20,
  };
}

/** Relative change from `before` to `after` in percent (negative = fewer); 0 when both are 0. */
export function percentChange(before: number, after: number): number {
  if (before === 0) return after === 0 ? 0 : Infinity;
  return ((after - before) / before) * 100;
}

/** Reports progress of a long experiment: called after each unit of work. */
export type Progress = (done: number, total: number, label: string) => void;

/**
 * A Progress that prints one line per tenth of the work (and the last), so a notebook shows that a
 * sweep is moving without flooding its report.
 */
export function consoleProgress(title: string, log: (line: string) => void = console.log): Progress {
  const started = Date.now();
  let lastTenth = -1;
  return (done, total, label) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth === lastTenth && done !== total) return;
    lastTenth = tenth;
    log(`${title}: ${done}/${total} (${label}) ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
}

/** Every combination of the values of each key, in key order (the last key varies fastest). */
export function gridPoints<T extends object>(axes: { [K in keyof T]: readonly T[K][] }): T[] {
  let points: Array<Partial<T>> = [{}];
  for (const key of Object.keys(axes) as Array<keyof T>) {
    points = points.flatMap((p) => axes[key].map((v) => ({ ...p, [key]: v })));
  }
  return points as T[];
}

/** The rows whose columns equal every value in `where`. */
export function rowsWhere(rows: readonly Row[], where: Row): Row[] {
  return rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
}

/** The numbers in one column of the rows matching `where` (every row by default). */
export function columnValues(rows: readonly Row[], column: string, where: Row = {}): number[] {
  return rowsWhere(rows, where).map((r) => Number(r[column]));
}

/** The number in `column` of the single row matching `where`; throws unless exactly one matches. */
export function valueAt(rows: readonly Row[], where: Row, column: string): number {
  const found = rowsWhere(rows, where);
  if (found.length !== 1) throw new Error(`${found.length} rows match ${JSON.stringify(where)}, expected 1`);
  return Number(found[0][column]);
}

/** A percent change in words for conclusions: "62 % fewer", "3.5 % more", "no change". */
export function describeChange(percent: number, fewer = 'fewer', more = 'more'): string {
  if (percent === 0) return 'no change';
  return `${formatNumber(Math.abs(percent))} % ${percent < 0 ? fewer : more}`;
}

/** Axis and table labels of the metric columns, units included; one place so every figure agrees. */
export const METRIC_LABELS = {
  networkFaults: 'network page faults (count)',
  faultChangePercent: 'change in network faults vs plain post-copy (%)',
  latePrefetches: 'late prefetches (count)',
  prefetchIssued: 'prefetched pages sent (count)',
  prefetchUsed: 'prefetched pages used (count)',
  wastedPrefetches: 'wasted prefetches (pages never used)',
  accuracy: 'prefetch accuracy (used / sent)',
  pushPages: 'background-pushed pages (count)',
  pagesSent: 'pages sent (count)',
  downtimeMs: 'downtime (ms)',
  stallMs: 'VM stall time (ms)',
  downtimePlusStallMs: 'downtime + stall: VM not running (ms)',
  waitP50Ms: 'median wait per blocking access (ms)',
  waitP99Ms: '99th-percentile wait per blocking access (ms)',
  degradedMs: 'degraded time: resume to end of last wait (ms)',
  totalMigrationMs: 'total migration time (ms)',
  bytesSentMiB: 'data sent (MiB)',
} as const satisfies Record<keyof ReturnType<typeof resultMetrics> | 'faultChangePercent', string>;
