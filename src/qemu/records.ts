/**
 * Real QEMU migration records and the parsers of what QEMU and the page-trace plugin write. Pure
 * (text in, values out), so tests and notebooks use them without QEMU.
 */

import type { QemuTiming } from './trace-log';

/** Guest workloads: four walkers over a share of the guest's memory (src/qemu/guest/walk.c), two real programs. */
export const WALKERS = ['sequential', 'strided', 'random', 'chase'] as const;
export const PROGRAMS = ['sqlite', 'bzip2'] as const;
export const QEMU_WORKLOADS: readonly string[] = [...WALKERS, ...PROGRAMS];

/** How one real migration was run. */
export interface QemuRunSettings {
  /** Guest workload: sequential, strided, random, chase (walkers) or sqlite, bzip2 (real programs). */
  workload: string;
  /** Walkers: share of the guest's memory they walk. */
  share: number;
  ramMiB: number;
  /** Bandwidth cap (max-bandwidth and max-postcopy-bandwidth), bits per second. */
  bandwidthBps: number;
  /** Console text that says the workload runs. */
  readyText: string;
  bootTimeoutMs: number;
  /** Time the workload runs before `migrate`. */
  warmupMs: number;
  /** Pre-copy phase: `migrate` to `migrate-start-postcopy`. */
  postcopyAfterMs: number;
  /** After completion, before the destination is queried and both QEMUs quit. */
  afterMs: number;
  migrationTimeoutMs: number;
  /** Both QEMUs record page traces (the plugin slows the guest, so compare runs made the same way). */
  plugin: boolean;
  lruPages: number;
  /** With the plugin: the source starts recording this long before `migrate`. */
  traceLeadMs: number;
  qemuVersion?: string;
}

/**
 * One run: its settings, QEMU's own figures and the destination's fault sequence. Version 2 adds `timing` (both
 * QEMUs' trace events per request and page); version 1 records (no timing) read the same otherwise.
 */
export interface QemuRunRecord {
  version: 1 | 2;
  settings: QemuRunSettings;
  qemu: string;
  /** Machine load: CPUs and the 1/5/15-minute load averages before and after. */
  load: { cpus: number; loadavgBefore: number[]; loadavgAfter: number[] };
  /** CLOCK_MONOTONIC (ns) when `migrate` and `migrate-start-postcopy` were sent and completion was seen. */
  wallNs: { migrate: number; postcopy: number; completed: number };
  /**
   * The source's query-migrate once completed: total-time, downtime, ram.{transferred, duplicate, normal,
   * postcopy-requests}.
   */
  source: Record<string, unknown>;
  /** The source's query-migrate just before migrate-start-postcopy. */
  atPostcopy: Record<string, unknown>;
  /** The destination's query-migrate after completion: postcopy-blocktime, postcopy-vcpu-blocktime. */
  destination: Record<string, unknown>;
  /** Pages the destination requested, in order (its postcopy_ram_fault_thread_request trace). */
  faults: number[];
  /** Guest pages that were all zero just before `migrate` (QMP pmemsave of the source), as ranges `a-b`. */
  zeroPages: string;
  /** With the plugin: where the captured trace is and its instruction counts at the run's events. */
  guest?: GuestTraceInfo;
  /** Version 2: when each request and page went through QEMU's threads (src/qemu/trace-log.ts). */
  timing?: QemuTiming;
}

/** The record versions this code reads. */
export const RECORD_VERSIONS: readonly number[] = [1, 2];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What keeps `value` (a parsed JSON record) from being read as a run record, or undefined: a record of another
 * version, or one without the fields the comparison reads, would otherwise give wrong numbers or a crash later.
 * Version 2 needs its `timing`, with one entry per request (per page of `faults`) in each per-request column.
 */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a QEMU run record (a JSON object)';
  if (!RECORD_VERSIONS.includes(value.version as number))
    return `record version ${JSON.stringify(value.version)}: this postcopy-lab reads ${RECORD_VERSIONS.join(', ')}`;
  const settings = value.settings;
  if (!isObject(settings) || typeof settings.workload !== 'string') return 'record has no settings.workload';
  for (const key of ['ramMiB', 'bandwidthBps'])
    if (typeof settings[key] !== 'number') return `record has no settings.${key}`;
  if (!isObject(value.source) || !isObject(value.destination)) return 'record has no query-migrate figures';
  try {
    qemuFigures(value as unknown as QemuRunRecord);
  } catch (err) {
    return (err as Error).message;
  }
  const wallNs = value.wallNs;
  if (!isObject(wallNs) || !['migrate', 'postcopy', 'completed'].every((k) => typeof wallNs[k] === 'number'))
    return 'record has no wallNs times';
  if (!Array.isArray(value.faults) || typeof value.zeroPages !== 'string') return 'record has no faults or zeroPages';
  if (value.guest !== undefined && !(isObject(value.guest) && typeof value.guest.traceFile === 'string'))
    return 'record has a guest entry without its traceFile';
  if (value.version === 1) return undefined;
  const timing = value.timing;
  const requests = isObject(timing) ? timing.requests : undefined;
  if (!isObject(timing) || !isObject(requests)) return 'record of version 2 has no timing.requests';
  const columns = ['page', 'faultUs', 'receivedAtFault', 'sentUs', 'sourceUs', 'queuedUs', 'placedUs'];
  const count = value.faults.length;
  const uneven = columns.find((c) => !Array.isArray(requests[c]) || (requests[c] as unknown[]).length !== count);
  if (uneven) return `record's timing.requests.${uneven} does not have one entry per request (${count} faults)`;
  // the first three are always logged; the others are null where the log has no such event
  const time = (x: unknown, nullable: boolean) => Number.isFinite(x) || (nullable && x === null);
  const odd = columns.find((c, i) => !(requests[c] as unknown[]).every((x) => time(x, i >= 3)));
  if (odd) return `record's timing.requests.${odd} holds an entry that is not a number`;
  const skipped = requests.skippedAtQueue;
  if (
    skipped !== undefined &&
    !(Array.isArray(skipped) && skipped.length === count && skipped.every((x) => x === 0 || x === 1))
  )
    return "record's timing.requests.skippedAtQueue is not a 0 or 1 per request";
  if (!['sourcePageUs', 'placePageUs'].every((k) => time(timing[k], true)))
    return "record's timing has no sourcePageUs or placePageUs";
  return undefined;
}

export interface GuestTraceInfo {
  /** Trace file, relative to the record. */
  traceFile: string;
  accesses: number;
  /** Instruction counts at `migrate`, at `migrate-start-postcopy` and at the switchover (the source's last). */
  migrateInstruction: number;
  postcopyInstruction: number;
  switchoverInstruction: number;
  /** Guest instructions per second on the source between migrate and migrate-start-postcopy. */
  sourceIps: number;
  /** Guest instructions per second on the destination from the resume to completion, blocked time left out. */
  destinationIps: number;
  /** Whether code pages (from translation) are in the trace, besides data accesses. */
  codePages: boolean;
  /**
   * The instruction the trace file starts at when it was cut to what a replay reads (`--trim-traces`, datasets/
   * qemu-timed); `accesses` counts the file's. Absent: the whole capture.
   */
  traceFrom?: number;
  /** The plugins' clock lines around the migration (the destination's from its resume), to recompute the rates. */
  clocks: { source: { ns: number; instruction: number }[]; destination: { ns: number; instruction: number }[] };
}

/** The figures a comparison uses, read from a record (undefined when QEMU did not report one). */
export interface QemuFigures {
  totalTimeMs: number;
  downtimeMs: number;
  postcopyRequests: number;
  transferredBytes: number;
  duplicatePages: number;
  normalPages: number;
  blocktimeMs?: number;
}

function numberAt(object: Record<string, unknown>, ...path: string[]): number | undefined {
  let value: unknown = object;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'number' ? value : undefined;
}

export function qemuFigures(record: QemuRunRecord): QemuFigures {
  const s = record.source;
  const need = (...path: string[]) => {
    const value = numberAt(s, ...path);
    if (value === undefined) throw new Error(`record has no ${path.join('.')}`);
    return value;
  };
  return {
    totalTimeMs: need('total-time'),
    downtimeMs: need('downtime'),
    postcopyRequests: need('ram', 'postcopy-requests'),
    transferredBytes: need('ram', 'transferred'),
    duplicatePages: need('ram', 'duplicate'),
    normalPages: need('ram', 'normal'),
    blocktimeMs: numberAt(record.destination, 'postcopy-blocktime'),
  };
}

/**
 * Pages requested by the destination, from QEMU's `postcopy_ram_fault_thread_request` trace lines
 * (`... rb=pc.ram offset=1f000 ...`): the offset within the RAM block, as a page of 4 KiB.
 * Requests for other RAM blocks (ROMs, video memory) are left out: they are not the guest's pages.
 */
export function parseFaultLog(text: string, pageSize = 4096): number[] {
  const pages: number[] = [];
  for (const match of text.matchAll(/postcopy_ram_fault_thread_request\b.*?rb=(\S+) offset=(?:0x)?([0-9a-f]+)/g)) {
    if (match[1] === 'pc.ram') pages.push(Math.floor(parseInt(match[2], 16) / pageSize));
  }
  return pages;
}
