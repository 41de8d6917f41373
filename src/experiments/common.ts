/**
 * What every experiment shares: the default setup, one simulation of a workload under it, the metric
 * columns of a result, and progress reporting for the long sweeps.
 */
import { reusingTrainedModels } from '../prefetch';
import { simulate, type MigrationResult, type PushPolicy, type SimHooks, type SimInput } from '../migration';
import { formatNumber, type Row } from '../report/table';
import { switchoverAtFraction } from '../trace';
import type { Workload } from './workloads';

import { quoted, UserError } from '../errors';
import { deepFreeze } from '../util/deep-freeze';
import { extent, intervalsOverlap, mean, type Extent } from '../util/statistics';

export { extent, intervalsOverlap, mean, median, quantile, type Extent } from '../util/statistics';

/**
 * The setup every experiment starts from unless it varies a parameter: PPM of order 3 sending k = 8
 * pages with each faulted one, trained on the 30 % of the trace that ran before switchover and online,
 * 1 Gbit/s with 200 us round trip, no background push (so the faults left are the prefetcher's doing alone).
 */
export const EXPERIMENT_DEFAULTS = deepFreeze({
  k: 8,
  order: 3,
  switchoverFraction: 0.3,
  bandwidthBps: 1e9,
  rttUs: 200,
} as const);

/** How each push policy reads in a notebook's setup sentence. */
const PUSH_IN_WORDS: Record<PushPolicy, string> = {
  off: 'no background push (so every page the VM needs arrives by a fault or a prefetch)',
  sequential: 'a background push of the remaining pages in address order',
  restart: "QEMU's background push (address order, restarting after each faulted page)",
};

/**
 * The default setup in one sentence, for a notebook's opening (numbers from EXPERIMENT_DEFAULTS; the push the notebook
 * uses).
 */
export function setupMarkdown(push: PushPolicy = 'off'): string {
  const d = EXPERIMENT_DEFAULTS;
  return (
    `**Setup** (unless a notebook varies it): PPM of order ${d.order} sends k = ${d.k} predicted pages with each ` +
    `faulted page; migration switches over after ${d.switchoverFraction * 100} % of each trace's accesses (those ran on ` +
    `the source and are the history PPM trains on, then it keeps learning online); ${d.bandwidthBps / 1e9} Gbit/s link, ` +
    `${d.rttUs} µs round trip, ${PUSH_IN_WORDS[push]}.`
  );
}

/** Anything simulate() accepts, plus the switchover as a fraction of the trace's accesses. */
export type SimOverrides = SimInput & { switchoverFraction?: number };

/**
 * Simulates one workload (in its VM) with the experiment defaults and the given overrides (hooks: see simulate).
 * Experiments run many settings on one trace: a PPM model trained on the same history is reused.
 */
export function simulateWorkload(
  workload: Pick<Workload, 'trace' | 'vmPages'>,
  overrides: SimOverrides = {},
  hooks?: SimHooks,
): MigrationResult {
  const { switchoverFraction = EXPERIMENT_DEFAULTS.switchoverFraction, network, predictorOptions, ...rest } = overrides;
  return reusingTrainedModels(() =>
    simulate(
      workload.trace,
      {
        k: EXPERIMENT_DEFAULTS.k,
        push: 'off',
        switchover: switchoverAtFraction(workload.trace, switchoverFraction),
        vmPages: workload.vmPages,
        ...rest,
        predictorOptions: { order: EXPERIMENT_DEFAULTS.order, ...predictorOptions },
        network: { bandwidthBps: EXPERIMENT_DEFAULTS.bandwidthBps, rttUs: EXPERIMENT_DEFAULTS.rttUs, ...network },
      },
      hooks,
    ),
  );
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

/**
 * Each row with `${column}ChangePercent` for each column: its change against the baseline row that has the
 * same values in `match` and the values of `baseline` (e.g. plain post-copy on the same workload, seed and network).
 */
export function withChangeAgainst(
  rows: readonly Row[],
  match: readonly string[],
  baseline: Row,
  columns: readonly string[],
): Row[] {
  const key = (r: Row) => JSON.stringify(match.map((m) => r[m]));
  const bases = new Map(rowsWhere(rows, baseline).map((r) => [key(r), r]));
  return rows.map((r) => {
    const base = bases.get(key(r));
    if (!base) throw new Error(`no baseline ${JSON.stringify(baseline)} for ${key(r)}`);
    return {
      ...r,
      ...Object.fromEntries(columns.map((c) => [`${c}ChangePercent`, percentChange(Number(base[c]), Number(r[c]))])),
    };
  });
}

/** Reports progress of a long experiment: called after each unit of work. */
export type Progress = (done: number, total: number, label: string) => void;

/** Set to `off` (as `npm run reproduce` does) to keep sweep progress out of a notebook's outputs. */
export const PROGRESS_ENV = 'POSTCOPY_LAB_PROGRESS';

const PROGRESS_OFF = ['off', '0', 'false', 'no'];
const PROGRESS_ON = ['on', '1', 'true', 'yes', ''];

/**
 * Whether $POSTCOPY_LAB_PROGRESS lets sweeps print progress: unset or on/1/true/yes (any case) prints, off/0/false/no
 * is silent; any other value is refused (only exactly `off` silenced it, so `OFF` or `0` printed without a word).
 */
export function progressWanted(): boolean {
  const value = process.env[PROGRESS_ENV];
  if (value === undefined) return true;
  const word = value.trim().toLowerCase();
  if (PROGRESS_OFF.includes(word)) return false;
  if (PROGRESS_ON.includes(word)) return true;
  throw new UserError(`${PROGRESS_ENV} must be on or off (or 1/0, true/false, yes/no), got ${quoted(value)}`);
}

/**
 * A Progress that prints one line per tenth of the work (and the last), so a notebook shows that a
 * sweep is moving without flooding its report. Silent when $POSTCOPY_LAB_PROGRESS is off (progressWanted): its
 * times and the order in which parallel jobs finish differ from run to run, and an exported report should not.
 */
export function consoleProgress(title: string, log: (line: string) => void = console.log): Progress {
  if (!progressWanted()) return () => {};
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
  const wanted = Object.entries(where);
  return rows.filter((r) => wanted.every(([k, v]) => r[k] === v));
}

/**
 * `column` of a row, which must have it: a misspelt or renamed column would read as NaN (undefined as a number)
 * and turn a notebook's computed conclusion into "no measurable change" instead of an error.
 */
function cell(row: Row, column: string): Row[string] {
  if (!(column in row))
    throw new Error(`no column ${JSON.stringify(column)} in the row (its columns: ${Object.keys(row).join(', ')})`);
  return row[column];
}

/** The numbers in one column of the rows matching `where` (every row by default). */
export function columnValues(rows: readonly Row[], column: string, where: Row = {}): number[] {
  return rowsWhere(rows, where).map((r) => Number(cell(r, column)));
}

/** The number in `column` of the single row matching `where`; throws unless exactly one matches. */
export function valueAt(rows: readonly Row[], where: Row, column: string): number {
  const found = rowsWhere(rows, where);
  if (found.length !== 1) throw new Error(`${found.length} rows match ${JSON.stringify(where)}, expected 1`);
  return Number(cell(found[0], column));
}

/**
 * What the wording helpers say of a NaN (a run that gave no value): every comparison with NaN is false, so it
 * would otherwise read as "higher" or "no measurable change".
 */
const NO_NUMBER = 'no number to compare (NaN)';

/**
 * A percent change in words for conclusions: "62 % fewer", "3.5 % more", "no change", and "more (from 0)" for the
 * infinite change percentChange gives from a zero baseline (it read "Infinity % more").
 */
export function describeChange(percent: number, fewer = 'fewer', more = 'more'): string {
  if (Number.isNaN(percent)) return NO_NUMBER;
  if (percent === 0) return 'no change';
  const word = percent < 0 ? fewer : more;
  return Number.isFinite(percent) ? `${formatNumber(Math.abs(percent))} % ${word}` : `${word} (from 0)`;
}

/**
 * One row per group of rows sharing the values of `by` (groups in order of first appearance): those values,
 * `runs` (the group's size: a synthetic workload's seeds, 1 for a real trace), and per column its mean as
 * `column`, its smallest value as `columnMin` and its largest as `columnMax` (the min-max interval over seeds).
 */
export function summarise(rows: readonly Row[], by: readonly string[], columns: readonly string[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = JSON.stringify(by.map((b) => cell(row, b)));
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((group) => {
    const summary: Record<string, Row[string]> = Object.fromEntries(by.map((b) => [b, group[0][b]]));
    summary.runs = group.length;
    for (const c of columns) {
      const values = group.map((r) => Number(cell(r, c)));
      const { min, max } = extent(values);
      Object.assign(summary, { [c]: mean(values), [`${c}Min`]: min, [`${c}Max`]: max });
    }
    return summary;
  });
}

/** The min-max interval of `column` in a summarise() row. */
export function intervalOf(summary: Row, column: string): Extent {
  return { min: Number(cell(summary, `${column}Min`)), max: Number(cell(summary, `${column}Max`)) };
}

/**
 * A summarised value for a table or a sentence: "1,821 (1,815–1,830)", "-56.6 (-56.8 to -56.4)" (a dash would
 * read as a minus), or just "1,821" when every run agrees.
 */
export function formatInterval(summary: Row, column: string): string {
  const { min, max } = intervalOf(summary, column);
  const value = formatNumber(Number(cell(summary, column)));
  if (min === max) return value;
  return `${value} (${formatNumber(min)}${min < 0 ? ' to ' : '–'}${formatNumber(max)})`;
}

/**
 * The sign of a change summarised over seeds, counting only what every seed agrees on: -1 when all seeds
 * lower the value, 1 when all raise it, 0 when the interval holds 0 (no measurable change).
 */
export function changeDirection(summary: Row, column: string): -1 | 0 | 1 {
  const { min, max } = intervalOf(summary, column);
  return max < 0 ? -1 : min > 0 ? 1 : 0;
}

/** summarise() rows for a table: each of `columns` as its formatted interval (other columns unchanged). */
export function withIntervals(summaries: readonly Row[], columns: readonly string[]): Row[] {
  return summaries.map((s) => ({ ...s, ...Object.fromEntries(columns.map((c) => [c, formatInterval(s, c)])) }));
}

/**
 * Interval a against interval b in words: "no measurable difference" when they overlap, else `below` or `above`.
 * Overlapping min-max intervals over the same seeds mean the seed moves the result more than the method does.
 */
export function compareIntervals(a: Extent, b: Extent, below = 'lower', above = 'higher'): string {
  if ([a.min, a.max, b.min, b.max].some(Number.isNaN)) return NO_NUMBER;
  if (intervalsOverlap(a, b)) return 'no measurable difference';
  return a.max < b.min ? below : above;
}

/**
 * A percent change summarised over seeds, in words: "62 % fewer (60–64 % over the seeds)", or "no measurable
 * change (-0.4 % to +0.3 % over the seeds)" when the seeds disagree on its sign.
 */
export function describeChangeInterval(summary: Row, column: string, fewer = 'fewer', more = 'more'): string {
  const { min, max } = intervalOf(summary, column);
  if (Number.isNaN(min) || Number.isNaN(max)) return NO_NUMBER;
  // a seed with a zero baseline changed by Infinity %: its end says so
  const signed = (v: number) =>
    Number.isFinite(v) ? `${v > 0 ? '+' : ''}${formatNumber(v)} %` : `${v < 0 ? fewer : more} from 0`;
  if (min === max) return describeChange(min, fewer, more);
  if (changeDirection(summary, column) === 0)
    return `no measurable change (${signed(min)} to ${signed(max)} over the seeds)`;
  const [near, far] = min < 0 ? [-max, -min] : [min, max];
  const change = describeChange(Number(cell(summary, column)), fewer, more);
  if (!Number.isFinite(far)) return `${change} (${signed(min)} to ${signed(max)} over the seeds)`;
  return `${change} (${formatNumber(near)}–${formatNumber(far)} % over the seeds)`;
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

/** Table headers in words with units for every column the experiments' rows carry (metrics included). */
export const COLUMN_LABELS: Readonly<Record<string, string>> = {
  ...METRIC_LABELS,
  workload: 'workload',
  source: 'source',
  seed: 'seed',
  seeds: 'seeds',
  runs: 'runs (seeds)',
  method: 'method',
  distinctPagesTouched: 'distinct pages touched after switchover',
  touchedShare: 'share of VM pages touched',
  stallChangePercent: 'change in stall vs plain post-copy (%)',
  downtimePlusStallMsChangePercent: 'change in downtime + stall vs plain post-copy (%)',
  degradedMsChangePercent: 'change in degraded time vs plain post-copy (%)',
  stallMsChangePercent: 'change in stall vs plain post-copy (%)',
  timeMs: 'time since the migration started (ms)',
  instructionsPerMs: 'instructions executed per ms',
  setting: 'setting',
  bandwidthGbps: 'bandwidth (Gbit/s)',
  rttUs: 'round trip (µs)',
  writeRatio: 'write share of accesses',
  precopyRounds: 'pre-copy rounds',
  push: 'background push',
  minProbability: 'PPM confidence threshold',
  plainFaults: 'plain post-copy faults (count)',
  plainStallMs: 'plain post-copy stall (ms)',
  order: 'PPM order',
  k: 'pages per fault k',
  training: 'training data',
  topKHitRate: 'top-k hit rate (share of faults)',
  coverage: 'coverage (share of faults removed)',
  modelSize: 'model size (contexts)',
  faults: 'network faults (count)',
  faultsWithoutPrefetch: 'faults without prefetch (count)',
  accesses: 'accesses replayed',
  ofAccesses: 'accesses in the whole trace',
  distinctPages: 'distinct pages',
  footprintMiB: 'footprint (MiB)',
  writeShare: 'write share',
};
