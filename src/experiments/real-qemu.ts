/**
 * Notebook 08: the simulator against real QEMU post-copy migrations (datasets/qemu, made by
 * `postcopy-lab qemu migrate`). Each run made with the page-trace plugin is replayed in the
 * simulator with that run's own settings and trace; the real figures (median and min-max over the
 * runs of a workload) are set against the simulated ones, metric by metric.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileLabel, UserError } from '../errors';
import { parsePageSet, simulate, type MigrationResult, type NetworkConfig, type SimInput } from '../migration';
import {
  PROGRAMS,
  QEMU_WORKLOADS,
  qemuFigures,
  recordProblem,
  type QemuFigures,
  type QemuRunRecord,
} from '../qemu/records';
import { replayStartInstruction } from '../qemu/capture';
import { BURST_BREAK_US, type QemuTiming } from '../qemu/trace-log';
import { formatNumber, type Row } from '../report/table';
import { loadTrace, type Trace } from '../trace';
import { extent, median, quantile } from '../util/statistics';
import { DATASET_DIR, tracePrefix, type Workload } from './workloads';
import { deepFreeze } from '../util/deep-freeze';

export const QEMU_DATASET_DIR = join(DATASET_DIR, 'qemu');
/**
 * The cap every run in datasets/qemu and qemu-timed was made with (datasets/README): `qemu validate` re-makes them
 * at it, since a run at another cap would be compared with notebook 08's tables as if it were the same campaign.
 */
export const QEMU_DATASET_BANDWIDTH_BPS = 400e6;
/** The QEMU workloads that run real programs (sqlite3, bzip2), not walkers. */
export const QEMU_PROGRAMS: readonly string[] = PROGRAMS;

/**
 * What the simulator cannot read off a record, each from QEMU's source or an assumption:
 * - header per page message: 8 bytes, the 64-bit offset-and-flags word QEMU writes before each page
 *   (migration/ram.c save_page_header); a zero page is that header (QEMU adds one byte);
 * - round trip on 127.0.0.1: 50 us (an assumption; loopback TCP is tens of microseconds, and at 4 KiB
 *   per page the link time dominates anyway);
 * - rate limit: QEMU meters max-bandwidth over windows of 100 ms (BUFFER_DELAY in migration/migration.c):
 *   it sends at full speed until the window's budget is spent, then the push sleeps; requested pages wake it.
 */
export const QEMU_REPLAY = deepFreeze({ messageOverheadBytes: 8, rttUs: 50, rateLimitWindowUs: 100_000 } as const);

/**
 * Plugin runs made with both QEMUs' trace events on (records of version 2 with `timing`): each request's and page's
 * times, the per-page costs their replays take instead of fitted constants (measuredCosts).
 */
export const QEMU_TIMED_DIR = join(DATASET_DIR, 'qemu-timed');

/**
 * Runs made without a bandwidth cap (`--bandwidth 100gbit`): how fast QEMU moves pages here when nothing holds it back.
 */
export const QEMU_UNCAPPED_DIR = join(DATASET_DIR, 'qemu-uncapped');

/**
 * The speed QEMU reaches inside a rate-limit window, measured: the median over uncapped runs of bytes
 * transferred over total time (0 when there is none: the replay then runs the link at the cap).
 */
export function measuredPeakBps(records: readonly QemuRunRecord[]): number {
  const rates = records.map((r) => {
    const f = qemuFigures(r);
    return (f.transferredBytes * 8) / (f.totalTimeMs / 1000);
  });
  return rates.length === 0 ? 0 : median(rates);
}

/** One real run: its record and, for runs made with the plugin, the guest trace captured during it. */
export interface QemuRun {
  name: string;
  record: QemuRunRecord;
  trace?: Trace;
}

/** Every record in `dir` (sorted by name; only those of `workloads` when given), with its trace when it has one. */
export function loadQemuRuns(dir: string = QEMU_DATASET_DIR, workloads?: readonly string[]): QemuRun[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new UserError(
        `${fileLabel(dir)}: no such directory of QEMU run records (make them with postcopy-lab qemu migrate)`,
      );
    // a file, or a directory this user may not list: "no such directory" would not be true
    const why =
      code === 'ENOTDIR' ? 'not a directory of QEMU run records' : `cannot list its QEMU run records (${code})`;
    throw new UserError(`${fileLabel(dir)}: ${why}`);
  }
  const records = files.map((file) => ({ name: file.replace(/\.json$/, ''), record: readRecord(join(dir, file)) }));
  return records
    .filter(({ record }) => workloads === undefined || workloads.includes(record.settings.workload))
    .map(({ name, record }) => {
      const trace = record.guest ? loadTrace(join(dir, record.guest.traceFile)) : undefined;
      return { name, record, trace };
    });
}

/** Pages of the run's guest (4 KiB each, as QEMU migrates them). */
export function guestPages(record: QemuRunRecord): number {
  return (record.settings.ramMiB * 2 ** 20) / 4096;
}

/** A run record from its JSON file; one that is not valid JSON or not a record this code reads is a UserError. */
function readRecord(path: string): QemuRunRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(
      `${fileLabel(path)}: missing or unreadable QEMU run record (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${fileLabel(path)}: not valid JSON (${(err as Error).message})`);
  }
  const problem = recordProblem(value);
  if (problem) throw new UserError(`${fileLabel(path)}: ${problem}`);
  return value as QemuRunRecord;
}

/**
 * Accesses kept of each guest trace by default: a walker's trace (1.2-3.7 M accesses) repeats one walk over the same
 * pages many times, and its first half million hold about 30 passes at about a third of the cost of notebook 09's guest
 * comparison; the sqlite and bzip2 traces are shorter and replayed whole.
 */
export const GUEST_TRACE_MAX_ACCESSES = 500_000;

export interface GuestOptions {
  /** Which plugin runs of each workload (WORKLOAD-plugin-RUN.json); each is a seed of the workload ('run 1'). */
  runs?: readonly number[];
  workloads?: readonly string[];
  /** Keep only the first N accesses of each trace (GUEST_TRACE_MAX_ACCESSES; Infinity keeps whole traces). */
  maxAccesses?: number;
  dir?: string;
}

/** Plugin runs of each QEMU workload as workloads: a whole-guest trace each, in a VM of the guest's pages. */
export function guestWorkloads(options: GuestOptions = {}): Workload[] {
  const {
    runs = [1],
    workloads = QEMU_WORKLOADS,
    maxAccesses = GUEST_TRACE_MAX_ACCESSES,
    dir = QEMU_DATASET_DIR,
  } = options;
  return workloads.flatMap((workload) =>
    runs.map((run) => {
      const path = join(dir, `${workload}-plugin-${run}.json`);
      const record = readRecord(path);
      if (!record.guest) throw new UserError(`${path}: run made without --plugin, it has no guest trace`);
      const whole = loadTrace(join(dir, record.guest.traceFile));
      return {
        name: workload,
        source: 'guest' as const,
        seed: `run ${run}`,
        trace: tracePrefix(whole, maxAccesses),
        fullAccesses: whole.page.length,
        vmPages: guestPages(record),
      };
    }),
  );
}

/**
 * A replay's simulator input. Its zero pages are the record's, parsed once and shared by every input made from it
 * (a copy per input would cost about half a parse), so they are read-only: frozen, and typed so that TypeScript
 * (and so a tslab notebook) refuses `input.zeroPages.push(page)` before it runs; change a copy instead:
 * `{ ...input, zeroPages: [...input.zeroPages, page] }`.
 */
export type ReplayInput = SimInput & { zeroPages: readonly number[] };

/**
 * The simulator's input for a run captured with the plugin: QEMU's behaviour (pure post-copy after a
 * pre-copy phase of the real length, background push in address order restarting after each faulted
 * page, no prefetch), the run's bandwidth cap, guest size, zero pages and the guest's instruction rate
 * on the destination. The pre-copy phase ends at the real switchover instruction, so the post-copy
 * phase replays exactly what the guest ran on the destination.
 */
export function replayInput(
  record: QemuRunRecord,
  trace: Trace,
  faultCostUs = 0,
  peakBandwidthBps = 0,
  faultCheckUs?: number,
  qemuLink: Pick<NetworkConfig, 'writeBandwidthBps' | 'requestsWaitForWindow'> = {},
): ReplayInput {
  const guest = record.guest;
  if (!guest) throw new UserError(`run of ${record.settings.workload} has no guest trace (made without --plugin)`);
  const precopyMs = (record.wallNs.postcopy - record.wallNs.migrate) / 1e6;
  const ips = guest.destinationIps;
  const start = replayStartInstruction(record, trace);
  return {
    mode: 'hybrid',
    postcopyAfterMs: precopyMs,
    precopyMaxRounds: 1,
    switchover: Math.round(start),
    predictor: 'none',
    k: 0,
    push: 'restart',
    vmPages: guestPages(record),
    pageSize: 4096,
    instructionsPerSecond: ips,
    network: {
      bandwidthBps: record.settings.bandwidthBps,
      rttUs: QEMU_REPLAY.rttUs,
      messageOverheadBytes: QEMU_REPLAY.messageOverheadBytes,
      rateLimitWindowUs: QEMU_REPLAY.rateLimitWindowUs,
      peakBandwidthBps: Math.max(record.settings.bandwidthBps, peakBandwidthBps),
      ...qemuLink,
    },
    zeroPages: recordZeroPages(record),
    faultCostUs,
    faultCheckUs,
  };
}

/** Each record's zero pages as parsed from its text, frozen: replay inputs share them. */
const parsedZeroPages = new WeakMap<QemuRunRecord, { text: string; pages: readonly number[] }>();

/** The record's zero pages, parsed once per record and text (notebook 08 replays each run dozens of times). */
function recordZeroPages(record: QemuRunRecord): readonly number[] {
  const parsed = parsedZeroPages.get(record);
  if (parsed?.text === record.zeroPages) return parsed.pages;
  const pages = Object.freeze(parsePageSet(record.zeroPages, 'zero pages'));
  parsedZeroPages.set(record, { text: record.zeroPages, pages });
  return pages;
}

/**
 * The simulated counterparts of QEMU's figures. Requests are the network faults: QEMU's fault thread
 * asks only for pages not received when it handles the fault, as the simulator's fault cost models;
 * a page still in flight at that moment is asked for in QEMU (the source ignores it) but is a late
 * prefetch in the simulator, a difference of at most the pages in flight.
 */
export function simulatedFigures(r: MigrationResult): QemuFigures {
  return {
    totalTimeMs: r.totalMigrationMs,
    downtimeMs: r.downtimeMs,
    postcopyRequests: r.networkFaults,
    transferredBytes: r.bytesSent,
    duplicatePages: r.zeroPagesSent,
    normalPages: r.pagesSent - r.zeroPagesSent,
    blocktimeMs: r.stallMs,
  };
}

/**
 * QEMU's two counters for a replay whose destination looks at each faulted page `checkUs` after the
 * touch, fed by the simulator's wait observer. QEMU's fault thread asks the source for every page its
 * received map lacks when it reads the fault, whether the page is still on the source or already on its
 * way (migrate_send_rp_req_pages; the source counts the request, then skips a page it has sent), and
 * its blocktime runs from that moment (mark_postcopy_blocktime_begin, in the fault thread) until the
 * page is placed. A page that lands before the check wakes the vCPU with neither a request nor blocktime.
 * So: a request for each wait longer than `checkUs`, and blocktime the part of it after `checkUs`.
 */
export class QemuCounters {
  requests = 0;
  blocktimeUs = 0;
  /** Waits that ended by the check: QEMU's fault thread finds the page placed (`already_received`). */
  placedByCheck = 0;

  constructor(private readonly checkUs: number) {}

  readonly onWait = (_startUs: number, waitUs: number): void => {
    if (waitUs <= this.checkUs) {
      this.placedByCheck++;
      return;
    }
    this.requests++;
    this.blocktimeUs += waitUs - this.checkUs;
  };
}

/** The simulated figures with QEMU's request and blocktime counters in place of the simulator's faults and stall. */
export function countedFigures(r: MigrationResult, counters: QemuCounters): QemuFigures {
  return { ...simulatedFigures(r), postcopyRequests: counters.requests, blocktimeMs: counters.blocktimeUs / 1000 };
}

/** The metrics compared, QEMU's name beside the simulator's; `words` names the metric in a sentence. */
export const REAL_METRICS = [
  {
    metric: 'requests',
    words: 'requests',
    real: 'postcopy-requests',
    simulated: 'networkFaults',
    field: 'postcopyRequests',
  },
  { metric: 'stall ms', words: 'stall', real: 'postcopy-blocktime', simulated: 'stallMs', field: 'blocktimeMs' },
  { metric: 'total ms', words: 'total time', real: 'total-time', simulated: 'totalMigrationMs', field: 'totalTimeMs' },
  {
    metric: 'MB sent',
    words: 'bytes sent',
    real: 'ram.transferred',
    simulated: 'bytesSent',
    field: 'transferredBytes',
  },
  {
    metric: 'zero pages',
    words: 'zero pages',
    real: 'ram.duplicate',
    simulated: 'zeroPagesSent',
    field: 'duplicatePages',
  },
] as const;

function valueOf(figures: QemuFigures, field: (typeof REAL_METRICS)[number]['field']): number {
  const value = figures[field] ?? NaN;
  return field === 'transferredBytes' ? value / 1e6 : value;
}

/**
 * The host's time per fault, measured from real runs: QEMU's blocktime per request (its mean fault
 * latency) minus the link's share (one page message and a round trip); median over the runs.
 */
export function measuredFaultCostUs(records: readonly QemuRunRecord[]): number {
  const perRun = records.flatMap((record) => {
    const f = qemuFigures(record);
    if (f.postcopyRequests === 0 || f.blocktimeMs === undefined) return [];
    const linkUs =
      ((4096 + QEMU_REPLAY.messageOverheadBytes) * 8 * 1e6) / record.settings.bandwidthBps + QEMU_REPLAY.rttUs;
    return [(f.blocktimeMs * 1000) / f.postcopyRequests - linkUs];
  });
  return perRun.length === 0 ? 0 : Math.max(0, median(perRun));
}

export interface RealComparisonOptions {
  /**
   * Host cost per fault: 'none' (0), 'cross-validated' (each workload gets the cost measured by
   * measuredFaultCostUs on the other workloads' runs, so no workload is fitted to itself), or a cost in us.
   */
  faultCost?: 'none' | 'cross-validated' | number;
  /** The link's speed inside a rate-limit window (measuredPeakBps); 0 or absent: the cap, i.e. a smooth link. */
  peakBandwidthBps?: number;
  /**
   * Absent: one undivided host cost; the destination looks at the page once all of it has passed, and
   * the figures are the simulator's faults and stall. Otherwise the cost is split as QEMU's threads
   * split it: the fault thread looks at the page this long after the touch (faultCheckUs), then the
   * request takes the host cost above (from the blocktime, which starts at that look) to be served, and
   * requests and blocktime are counted as QEMU counts them (QemuCounters). 'fitted': for each workload,
   * the check time of FAULT_CHECK_GRID_US that brings the other workloads' replayed requests closest to
   * their real ones (fitFaultCheckUs), so that no workload's requests are fitted to itself.
   */
  faultCheck?: 'fitted' | number;
  /**
   * 'measured': every run is replayed with the per-page costs its own trace logs measured (measuredCosts, QEMU 7.2's
   * link: requests wait for the rate-limit window, pages are placed the measured delay after the source's write),
   * nothing fitted; runs whose records have no timing are left out. faultCost and faultCheck are then ignored, and
   * the rows give the median measured host cost and check time of the workload's runs.
   */
  costs?: 'measured';
}

/** Check times a fit tries, us: the fault thread's reaction, log-spaced from 1 to 30 ms. */
export const FAULT_CHECK_GRID_US: readonly number[] = deepFreeze([1_000, 3_000, 10_000, 30_000]);

/**
 * The longest the fault thread can have taken, on average, to look at a fault in this run: before each
 * request the vCPU waited that long outside the blocktime, so requests x check time fit in the time
 * from the resume to completion not counted as blocktime. Undefined for a run without requests (no bound).
 */
export function checkTimeBoundUs(record: QemuRunRecord): number | undefined {
  const f = qemuFigures(record);
  if (f.postcopyRequests === 0) return undefined;
  const resumeNs = record.wallNs.postcopy + f.downtimeMs * 1e6;
  const notBlockedUs = (record.wallNs.completed - resumeNs) / 1e3 - (f.blocktimeMs ?? 0) * 1e3;
  return Math.max(0, notBlockedUs) / f.postcopyRequests;
}

/**
 * How each real request went, from the run's trace logs: the page was placed by the time the fault thread read the
 * fault (no request reaches the source), the source had already written it (on its way: QEMU asks, the source
 * skips it; a zero page, never in ram_save_page, by the source's skip), or it was still on the source (the request
 * sends it).
 */
export interface RequestKinds {
  placedByCheck: number;
  onTheWay: number;
  unsent: number;
}

export function requestKinds(timing: QemuTiming): RequestKinds {
  const { receivedAtFault, faultUs } = timing.requests;
  const kinds = { placedByCheck: 0, onTheWay: 0, unsent: 0 };
  for (let i = 0; i < faultUs.length; i++) {
    if (receivedAtFault[i] === 1) kinds.placedByCheck++;
    else if (wasOnItsWay(timing.requests, i)) kinds.onTheWay++;
    else kinds.unsent++;
  }
  return kinds;
}

/** Whether request i's page had left the source before the fault: written before it, or a zero page it skipped. */
function wasOnItsWay({ sentUs, faultUs, skippedAtQueue }: QemuTiming['requests'], i: number): boolean {
  const sent = sentUs[i];
  return sent !== null ? sent < faultUs[i] : skippedAtQueue?.[i] === 1;
}

/** How long the real requests of each kind kept the vCPU waiting (fault thread to placement), us. */
export interface RequestWaits {
  onTheWayUs: number[];
  unsentUs: number[];
  /**
   * Unsent requests the source's migration thread took from its queue a burst break (BURST_BREAK_US) or more after
   * they arrived: they waited for the next rate-limit window (QEMU 7.2 serves its queue only while the window has
   * budget left), the others were served at once.
   */
  waitedForWindow: number;
}

export function requestWaits(timing: QemuTiming): RequestWaits {
  const { receivedAtFault, faultUs, placedUs, sourceUs, queuedUs } = timing.requests;
  const waits: RequestWaits = { onTheWayUs: [], unsentUs: [], waitedForWindow: 0 };
  for (let i = 0; i < faultUs.length; i++) {
    const placed = placedUs[i];
    if (receivedAtFault[i] === 1 || placed === null) continue;
    if (wasOnItsWay(timing.requests, i)) {
      waits.onTheWayUs.push(placed - faultUs[i]);
      continue;
    }
    waits.unsentUs.push(placed - faultUs[i]);
    const reached = sourceUs[i];
    const taken = queuedUs[i];
    if (reached !== null && taken !== null && taken - reached >= BURST_BREAK_US) waits.waitedForWindow++;
  }
  return waits;
}

/** Per-page costs of one run, measured on its own trace logs (us), that a replay takes instead of fitted constants. */
export interface MeasuredCosts {
  /**
   * The fault thread's reaction (touch to check): at most the time from the previous request's placement (the
   * vCPU's wake) to the next request, which also holds the guest's run to its next fault; the lower decile of
   * those gaps (CHECK_GAP_QUANTILE).
   */
  checkUs: number;
  /** The request's way to the source after the check: median from the fault thread to the source's return path. */
  hostCostUs: number;
  /** The source's speed inside a burst: one page message per its mean time between two page writes, bits/s. */
  writeBandwidthBps: number;
  /** The destination's: one page message per its mean time between two placements, bits/s (the link in a window). */
  peakBandwidthBps: number;
}

/** Quantile of the gaps between a placement and the next request taken as the fault thread's reaction (checkUs). */
export const CHECK_GAP_QUANTILE = 0.1;

/** The run's measured per-page costs, or undefined for a record without `timing` (version 1) or without requests. */
export function measuredCosts(record: QemuRunRecord): MeasuredCosts | undefined {
  const timing = record.timing;
  if (!timing || timing.sourcePageUs === null || timing.placePageUs === null) return undefined;
  const { faultUs, placedUs, sourceUs, receivedAtFault } = timing.requests;
  const gaps: number[] = [];
  const toSource: number[] = [];
  for (let i = 0; i < faultUs.length; i++) {
    const before = i > 0 ? placedUs[i - 1] : null;
    if (before !== null && before < faultUs[i]) gaps.push(faultUs[i] - before);
    const reached = sourceUs[i];
    if (receivedAtFault[i] === 0 && reached !== null && reached >= faultUs[i]) toSource.push(reached - faultUs[i]);
  }
  if (gaps.length === 0 || toSource.length === 0) return undefined;
  const pageBits = (4096 + QEMU_REPLAY.messageOverheadBytes) * 8;
  return {
    checkUs: quantile(gaps, CHECK_GAP_QUANTILE),
    hostCostUs: median(toSource),
    writeBandwidthBps: (pageBits * 1e6) / timing.sourcePageUs,
    peakBandwidthBps: (pageBits * 1e6) / timing.placePageUs,
  };
}

/** A replay with QEMU's counters: the figures and how its requests went (as requestKinds reads a real run). */
interface CountedReplay {
  figures: QemuFigures;
  kinds: RequestKinds;
}

/**
 * The run replayed with its own measured costs (measuredCosts) and QEMU 7.2's link: a requested page waits for the
 * rate-limit window like the push; the source writes each window's pages at its speed and the destination places
 * them at its own, so a page is on its way from its write to its placement.
 */
function replayMeasured({ record, trace }: QemuRun, costs: MeasuredCosts): CountedReplay {
  const counters = new QemuCounters(costs.checkUs);
  const input = replayInput(record, trace!, costs.checkUs + costs.hostCostUs, costs.peakBandwidthBps, costs.checkUs, {
    writeBandwidthBps: costs.writeBandwidthBps,
    requestsWaitForWindow: true,
  });
  const r = simulate(trace!, input, { onWait: counters.onWait });
  return {
    figures: countedFigures(r, counters),
    kinds: {
      placedByCheck: counters.placedByCheck,
      onTheWay: counters.requests - r.networkFaults,
      unsent: r.networkFaults,
    },
  };
}

const measuredReplays = new WeakMap<QemuRun, CountedReplay | undefined>();

/**
 * The run replayed with its own measured costs (undefined when its record has none). It depends on the run alone,
 * so it is made once per run object: a notebook's per-run table and its comparison share it.
 */
function measuredReplay(run: QemuRun): CountedReplay | undefined {
  if (!measuredReplays.has(run)) {
    const costs = measuredCosts(run.record);
    measuredReplays.set(run, costs && replayMeasured(run, costs));
  }
  return measuredReplays.get(run);
}

/**
 * Replays of real runs, each made once per (run, host cost, check time) within one comparison. Keyed by the run
 * itself: a run's name is unique only within its records folder, and one comparison may load several.
 */
class Replays {
  private readonly done = new Map<QemuRun, Map<string, QemuFigures>>();

  constructor(private readonly peakBandwidthBps = 0) {}

  figures(run: QemuRun, faultCostUs: number, checkUs?: number): QemuFigures {
    let ofRun = this.done.get(run);
    if (ofRun === undefined) this.done.set(run, (ofRun = new Map()));
    const key = `${faultCostUs} ${checkUs}`;
    let figures = ofRun.get(key);
    if (figures === undefined) {
      figures = this.replay(run, faultCostUs, checkUs);
      ofRun.set(key, figures);
    }
    return figures;
  }

  private replay({ record, trace }: QemuRun, faultCostUs: number, checkUs?: number): QemuFigures {
    if (checkUs === undefined)
      return simulatedFigures(simulate(trace!, replayInput(record, trace!, faultCostUs, this.peakBandwidthBps)));
    const counters = new QemuCounters(checkUs);
    const input = replayInput(record, trace!, checkUs + faultCostUs, this.peakBandwidthBps, checkUs);
    return countedFigures(simulate(trace!, input, { onWait: counters.onWait }), counters);
  }
}

/** The runs of `runs` per workload, in QEMU_WORKLOADS order (unknown workloads last). */
function byWorkload(runs: readonly QemuRun[]): Map<string, QemuRun[]> {
  const order = (w: string) => (QEMU_WORKLOADS.indexOf(w) + QEMU_WORKLOADS.length + 1) % (QEMU_WORKLOADS.length + 1);
  const groups = new Map<string, QemuRun[]>();
  for (const run of [...runs].sort((a, b) => order(a.record.settings.workload) - order(b.record.settings.workload))) {
    const w = run.record.settings.workload;
    groups.set(w, [...(groups.get(w) ?? []), run]);
  }
  return groups;
}

/**
 * |log(simulated / real)|: 2x and 0.5x are as far off; 0 where both are 0 (a workload without requests, matched),
 * Infinity where only one is (NaN there would sort as the worst error and skew the median over workloads).
 */
export function ratioError(simulated: number, real: number): number {
  return simulated === real ? 0 : Math.abs(Math.log(simulated / real));
}

/**
 * The check time of `grid` whose replays of `training` (plugin runs with traces) come closest to the
 * real requests: the median over the workloads of |log(simulated median / real median)|, smallest first.
 */
export function fitFaultCheckUs(
  training: readonly QemuRun[],
  faultCostUs: number,
  peakBandwidthBps = 0,
  grid: readonly number[] = FAULT_CHECK_GRID_US,
  replays = new Replays(peakBandwidthBps),
): { checkUs: number; error: number } {
  const groups = [...byWorkload(training).values()];
  let best = { checkUs: grid[0], error: Infinity };
  for (const checkUs of grid) {
    const error = median(
      groups.map((group) => {
        const simulated = median(group.map((run) => replays.figures(run, faultCostUs, checkUs).postcopyRequests));
        return ratioError(simulated, median(group.map((run) => qemuFigures(run.record).postcopyRequests)));
      }),
    );
    if (error < best.error) best = { checkUs, error };
  }
  return best;
}

/**
 * Per workload and metric: real median and min-max over the plugin runs, the same over their replays,
 * the plugin-free runs' median beside them, and whether the simulation is within the real min-max or
 * within 25 % of the real median (the issue's goal).
 */
export function realComparison(runs: readonly QemuRun[], options: RealComparisonOptions = {}): Row[] {
  const traced = runs.filter((r) => r.trace && r.record.guest);
  if (traced.length === 0)
    throw new UserError('no QEMU run with a guest trace (record some with postcopy-lab qemu migrate --plugin)');
  const { faultCost = 'none', faultCheck, peakBandwidthBps = 0 } = options;
  const replays = new Replays(peakBandwidthBps);
  const rows: Row[] = [];
  for (const [workload, own] of byWorkload(traced)) {
    let faultCostUs: number;
    let checkUs: number | undefined;
    let pairs: { real: QemuFigures; simulated: QemuFigures }[];
    if (options.costs === 'measured') {
      const timed = own.flatMap((r) => {
        const costs = measuredCosts(r.record);
        return costs ? [{ real: qemuFigures(r.record), simulated: measuredReplay(r)!.figures, costs }] : [];
      });
      if (timed.length === 0) continue;
      faultCostUs = median(timed.map((t) => t.costs.hostCostUs));
      checkUs = median(timed.map((t) => t.costs.checkUs));
      pairs = timed;
    } else {
      const others = traced.filter((r) => r.record.settings.workload !== workload);
      faultCostUs =
        faultCost === 'cross-validated'
          ? measuredFaultCostUs(others.map((r) => r.record))
          : faultCost === 'none'
            ? 0
            : faultCost;
      checkUs =
        faultCheck === 'fitted'
          ? fitFaultCheckUs(others, faultCostUs, peakBandwidthBps, undefined, replays).checkUs
          : faultCheck;
      pairs = own.map((r) => ({ real: qemuFigures(r.record), simulated: replays.figures(r, faultCostUs, checkUs) }));
    }
    const free = runs
      .filter((r) => !r.record.settings.plugin && r.record.settings.workload === workload)
      .map((r) => qemuFigures(r.record));
    for (const m of REAL_METRICS) {
      const real = pairs.map((p) => valueOf(p.real, m.field));
      const sim = pairs.map((p) => valueOf(p.simulated, m.field));
      const realRange = extent(real);
      const simMedian = median(sim);
      const realMedian = median(real);
      const inRange = simMedian >= realRange.min && simMedian <= realRange.max;
      const errorPercent = ((simMedian - realMedian) / realMedian) * 100;
      rows.push({
        workload,
        metric: m.metric,
        runs: pairs.length,
        realMedian,
        realMin: realRange.min,
        realMax: realRange.max,
        simulatedMedian: simMedian,
        simulatedMin: extent(sim).min,
        simulatedMax: extent(sim).max,
        errorPercent,
        agrees: inRange || Math.abs(errorPercent) <= 25,
        faultCostUs,
        faultCheckUs: checkUs ?? null,
        pluginFreeMedian: free.length > 0 ? median(free.map((f) => valueOf(f, m.field))) : null,
      });
    }
  }
  return rows;
}

/**
 * Requested pages the guest trace never shows after the switchover: pages QEMU reads for the guest
 * outside the plugin's view (the soft MMU's page-table walks) or that the LRU window hid. Undefined without a trace.
 */
export function requestsNotInTrace(run: QemuRun): number | undefined {
  const { trace, record } = run;
  if (!trace || !record.guest) return undefined;
  const touched = new Set<number>();
  for (let i = 0; i < trace.page.length; i++)
    if (trace.time[i] >= record.guest.switchoverInstruction) touched.add(trace.page[i]);
  return record.faults.filter((p) => !touched.has(p)).length;
}

/**
 * Requests for a page just after an earlier requested one (within `window` pages above the previous
 * request): the trace of a guest that trails QEMU's push, which restarts after each requested page.
 */
export function trailingRequests(faults: readonly number[], window = 4): number {
  let trailing = 0;
  for (let i = 1; i < faults.length; i++) {
    const step = faults[i] - faults[i - 1];
    if (step > 0 && step <= window) trailing++;
  }
  return trailing;
}

/**
 * One row per real run: its workload, whether the plugin ran, QEMU's figures, the guest's speed and the machine's load.
 */
export function qemuRunRows(runs: readonly QemuRun[]): Row[] {
  return runs.map((run) => {
    const { name, record } = run;
    const f = qemuFigures(record);
    const checkBound = checkTimeBoundUs(record);
    return {
      run: name,
      workload: record.settings.workload,
      plugin: record.settings.plugin,
      totalTimeMs: f.totalTimeMs,
      downtimeMs: f.downtimeMs,
      postcopyRequests: f.postcopyRequests,
      blocktimeMs: f.blocktimeMs ?? null,
      blocktimePerRequestMs:
        f.blocktimeMs === undefined || f.postcopyRequests === 0 ? null : f.blocktimeMs / f.postcopyRequests,
      transferredMB: f.transferredBytes / 1e6,
      duplicatePages: f.duplicatePages,
      normalPages: f.normalPages,
      guestMips: record.guest ? record.guest.destinationIps / 1e6 : null,
      traceAccesses: record.guest?.accesses ?? null,
      requestsNotInTrace: requestsNotInTrace(run) ?? null,
      trailingRequests: trailingRequests(record.faults),
      checkTimeBoundMs: checkBound === undefined ? 'no requests' : checkBound / 1000,
      vmPages: guestPages(record),
      load1: record.load.loadavgBefore[0],
      cpus: record.load.cpus,
    };
  });
}

/**
 * Notebook 08's finding, stated first, from realComparison rows: on how many workloads each metric of the replay
 * agrees with real QEMU when the host cost per fault is measured on the other workloads (`measured`), how far the
 * requests and stall are without a host cost (`plain`: simulated over real median, medians over the workloads), and
 * what the timed runs replayed with their own measured costs agree on (`timed`). One markdown paragraph.
 */
export function realComparisonFinding(plain: readonly Row[], measured: readonly Row[], timed: readonly Row[]): string {
  const workloads = (rows: readonly Row[]) => new Set(rows.map((r) => r.workload)).size;
  const agreeing = (rows: readonly Row[], metric: string) =>
    rows.filter((r) => r.metric === metric && r.agrees === true).length;
  const metricsIn = (rows: readonly Row[]) => REAL_METRICS.filter((m) => rows.some((r) => r.metric === m.metric));
  const n = workloads(measured);
  const everywhere = metricsIn(measured).filter((m) => agreeing(measured, m.metric) === n);
  const partly = metricsIn(measured).filter((m) => agreeing(measured, m.metric) < n);
  const ratio = (metric: string) =>
    median(plain.filter((r) => r.metric === metric).map((r) => Number(r.simulatedMedian) / Number(r.realMedian)));
  // off by more than the 25 % realComparison accepts, in either direction
  const farOff = ['requests', 'stall ms'].filter((m) => Math.abs(ratio(m) - 1) > 0.25);
  const atOnly = (rows: readonly Row[], ms: typeof partly) =>
    ms.map((m) => `in ${m.words} on only ${agreeing(rows, m.metric)}`).join(', ');
  const timedCounts = metricsIn(timed).map((m) => `${m.words} on ${agreeing(timed, m.metric)}`);
  const listed = (items: readonly string[]) =>
    items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join('');
  return (
    '**Finding.** Replayed with a host cost per fault measured on the other workloads, the simulator agrees with ' +
    'real QEMU (within the real min–max or 25 % of the median) ' +
    (everywhere.length > 0
      ? `in ${listed(everywhere.map((m) => m.words))} on all ${n} workloads` +
        (partly.length > 0 ? `, ${atOnly(measured, partly)}` : '')
      : `in no metric on all ${n} workloads: ${atOnly(measured, partly)}`) +
    '. Without a host cost per fault the replays have ' +
    `${formatNumber(ratio('requests'))}× the real requests and ${formatNumber(ratio('stall ms'))}× the real stall ` +
    '(medians over the workloads): ' +
    (farOff.length === 0
      ? 'both within 25 %.'
      : `${farOff.length === 2 ? 'both' : farOff[0] === 'requests' ? 'the requests' : 'the stall'} more than 25 % off.`) +
    (timedCounts.length > 0
      ? ` The timed runs replayed with their own measured costs, nothing fitted, agree on ${listed(timedCounts)} ` +
        `of ${workloads(timed)} workloads.`
      : '')
  );
}

/** realComparison's rows as bars: per workload and metric the real median and each simulation's median. */
export function realVsSimulatedBars(byCost: Readonly<Record<string, readonly Row[]>>): Row[] {
  const first = Object.values(byCost)[0] ?? [];
  const real = first.map((r) => ({
    workload: r.workload,
    metric: r.metric,
    source: 'real (median)',
    value: r.realMedian,
  }));
  const simulated = Object.entries(byCost).flatMap(([label, rows]) =>
    rows.map((r) => ({ workload: r.workload, metric: r.metric, source: label, value: r.simulatedMedian })),
  );
  return [...real, ...simulated];
}

/**
 * How the replays' requests depend on the host cost per fault: per workload and cost (us), the simulated
 * median next to the real median and min-max (the same on every row of a workload).
 */
export function faultCostSweep(runs: readonly QemuRun[], costsUs: readonly number[], peakBandwidthBps = 0): Row[] {
  return costsUs.flatMap((faultCost) =>
    realComparison(runs, { faultCost, peakBandwidthBps })
      .filter((r) => r.metric === 'requests')
      .map((r) => ({
        workload: r.workload,
        faultCostMs: faultCost / 1000,
        simulatedRequests: r.simulatedMedian,
        realMedian: r.realMedian,
        realMin: r.realMin,
        realMax: r.realMax,
        agrees: r.agrees,
      })),
  );
}

/**
 * One row per run whose record has timing (version 2): its measured per-page costs, and how its requests went, real
 * (requestKinds on its logs) against its replay with those costs (realComparison's 'measured').
 */
export function timedRunRows(runs: readonly QemuRun[]): Row[] {
  return runs.flatMap((run) => {
    const costs = measuredCosts(run.record);
    if (!costs || !run.trace || !run.record.timing) return [];
    const real = requestKinds(run.record.timing);
    const waits = requestWaits(run.record.timing);
    const medianMs = (us: number[]) => (us.length === 0 ? null : median(us) / 1000);
    const replay = measuredReplay(run)!;
    const f = qemuFigures(run.record);
    return [
      {
        run: run.name,
        workload: run.record.settings.workload,
        checkMs: costs.checkUs / 1000,
        hostCostMs: costs.hostCostUs / 1000,
        sourceGbps: costs.writeBandwidthBps / 1e9,
        destinationGbps: costs.peakBandwidthBps / 1e9,
        pushHoldMedianMs: (run.record.timing.pushHoldUs?.p50 ?? NaN) / 1000,
        realRequests: f.postcopyRequests,
        simulatedRequests: replay.figures.postcopyRequests,
        realOnTheWay: real.onTheWay,
        simulatedOnTheWay: replay.kinds.onTheWay,
        realUnsent: real.unsent,
        simulatedUnsent: replay.kinds.unsent,
        realPlacedByCheck: real.placedByCheck,
        simulatedPlacedByCheck: replay.kinds.placedByCheck,
        onTheWayWaitMs: medianMs(waits.onTheWayUs),
        unsentWaitMs: medianMs(waits.unsentUs),
        unsentWaitedForWindow: waits.waitedForWindow,
        realBlocktimeMs: f.blocktimeMs ?? null,
        simulatedBlocktimeMs: replay.figures.blocktimeMs ?? null,
      },
    ];
  });
}
