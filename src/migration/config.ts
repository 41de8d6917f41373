/**
 * Simulator configuration: defaults, unit parsing for the CLI and notebooks, and validation that
 * turns impossible parameters into one-line UserErrors before any simulation starts.
 */
import { fileLabel, quoted, refuseUnknownNames, shownNumber, UserError } from '../errors';
import { PREDICTOR_NAMES, refuseUnknownOptions } from '../prefetch/registry';
import { checkVmPages, MAX_PAGES_PER_FAULT, MAX_VM_PAGES } from '../trace/limits';
import { checkReplayable } from '../trace/switchover';
import { UNSIGNED_DECIMAL } from '../util/decimal-number';
import { deepFreeze } from '../util/deep-freeze';
import type { TraceSummary } from '../trace/types';
import type { MigrationMode, NetworkConfig, PushPolicy, ResolvedSimConfig, SimConfig, SimInput } from './types';
import { checkZeroPages } from './zero-pages';

/**
 * Bounds of the settings a user gives, in one place: the command line's flags (src/cli/simulate.ts), the what-if
 * page's boxes and its URL hash (src/report/whatif/settings.ts KNOB_BOUNDS) take exactly these, so a value one of
 * them takes the others take too. Far beyond any real link, pause or VM; durations in microseconds.
 */
export const SIM_BOUNDS = deepFreeze({
  k: { min: 0, max: MAX_PAGES_PER_FAULT },
  bandwidthBps: { min: 1, max: 1e15 },
  durationUs: { min: 0, max: 3.6e9 },
  instructionsPerSecond: { min: 1, max: 1e15 },
  precopyRounds: { min: 1, max: 10_000 },
  vmPages: { min: 1, max: MAX_VM_PAGES },
} as const);

export const MIGRATION_MODES: readonly MigrationMode[] = ['postcopy', 'precopy', 'hybrid'];
export const PUSH_POLICIES: readonly PushPolicy[] = ['off', 'sequential', 'restart'];

/**
 * Defaults: a 1 Gbit/s link with 200 us round trip (a data-centre LAN), no background push (the
 * paper's comparison: every page the VM needs comes by a fault or a prediction, so the network
 * faults are the predictor's doing alone and the oracle is the exact bound; `restart` is QEMU's
 * behaviour, one flag away), a 1 GHz-ish VM, 256 KiB of CPU and device state and 1 ms of fixed switchover work.
 * No host cost per fault and no zero pages: the paper's model, on which every pinned number rests. Real hosts pay both:
 * Peter Xu's QEMU postcopy-preempt measurements (lore.kernel.org/qemu-devel/20220119080929.39485-1-peterx@redhat.com)
 * put most 4 KiB remote faults at 64-512 us on a 10 Gbit/s link whose wire time is ~3 us.
 */
export const DEFAULT_SIM_CONFIG = deepFreeze<SimConfig>({
  mode: 'postcopy',
  predictor: 'none',
  k: 8,
  predictorOptions: {},
  network: { bandwidthBps: 1e9, rttUs: 200, messageOverheadBytes: 64, urgentChannel: false, rateLimitWindowUs: 0 },
  push: 'off',
  switchover: 0,
  instructionsPerSecond: 1e9,
  cpuStateBytes: 256 * 1024,
  switchoverFixedMs: 1,
  faultCostUs: 0,
  zeroPageShare: 0,
  zeroPageSeed: 'zero-pages',
  precopyStopPages: 256,
  precopyMaxRounds: 5,
});

/** NetworkConfig's names (the compiler keeps this whole). */
const NETWORK_SETTINGS: Readonly<Record<keyof NetworkConfig, true>> = {
  bandwidthBps: true,
  rttUs: true,
  messageOverheadBytes: true,
  urgentChannel: true,
  rateLimitWindowUs: true,
  peakBandwidthBps: true,
  requestsWaitForWindow: true,
  writeBandwidthBps: true,
};

const PREFIX: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
const BANDWIDTH = new RegExp(
  String.raw`^\s*(-?${UNSIGNED_DECIMAL})\s*(?:([kKmMgGtT]?)(bits?(?:\/s)?|b\/s|bps|B\/s|Bps|bytes?\/s))?\s*$`,
);

/**
 * A bandwidth in bits per second: a number (bits/s) or a number with a decimal prefix (k, M, G, T, either
 * case) and a unit, where lower-case b is bits and upper-case B bytes, as in every networking tool:
 * '1gbit', '1Gb/s', '10Gbps' are bits; '125MB/s', '125MBps', '125Mbyte/s' bytes. Positivity is checked by
 * resolveSimConfig.
 */
export function parseBandwidth(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = BANDWIDTH.exec(value);
  if (!match)
    throw new UserError(`bandwidth must be a number of bits/s or like 1gbit, 1Gb/s, 125MB/s; got ${quoted(value)}`);
  const bytes = match[3]?.startsWith('B') || match[3]?.startsWith('byte');
  return Number(match[1]) * PREFIX[(match[2] ?? '').toLowerCase()] * (bytes ? 8 : 1);
}

const DURATION_UNITS_US: Record<string, number> = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 };

const DURATION = new RegExp(String.raw`^\s*(-?${UNSIGNED_DECIMAL})\s*(ns|us|ms|s)?\s*$`, 'i');
/** A duration in microseconds: a number (us) or text like '200us', '1ms', '0.5s', '500ns'. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = DURATION.exec(value);
  if (!match)
    throw new UserError(`duration must be a number of microseconds or like 200us, 1ms, 0.5s; got ${quoted(value)}`);
  return Number(match[1]) * DURATION_UNITS_US[(match[2] ?? 'us').toLowerCase()];
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new UserError(message);
}

function checkWhole(value: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  check(
    Number.isSafeInteger(value) && value >= min,
    `${name} must be a whole number >= ${min}, got ${shownNumber(value)}`,
  );
  check(value <= max, `${name} must be at most ${max}, got ${value}`);
}

function checkNumber(value: number, name: string, min: number, minIncluded: boolean): void {
  const above = minIncluded ? value >= min : value > min;
  check(
    Number.isFinite(value) && above,
    `${name} must be a finite number ${minIncluded ? '>=' : '>'} ${min}, got ${shownNumber(value)}`,
  );
}

/**
 * Fills defaults from DEFAULT_SIM_CONFIG and the trace's summary (VM size = largest page + 1, page size =
 * the trace's) and rejects what cannot be simulated: non-positive bandwidth, negative latency or
 * costs, k < 0, a page beyond the VM, no access left after switchover, unknown names.
 */
export function resolveSimConfig(trace: TraceSummary, input: SimInput = {}): ResolvedSimConfig {
  const d = DEFAULT_SIM_CONFIG;
  const network = { ...d.network, ...input.network };
  const largest = trace.largestPage;
  const config: ResolvedSimConfig = {
    mode: input.mode ?? d.mode,
    predictor: input.predictor ?? d.predictor,
    k: input.k ?? d.k,
    predictorOptions: input.predictorOptions ?? { ...d.predictorOptions }, // the caller's own, as network is
    network,
    push: input.push ?? d.push,
    switchover: input.switchover ?? d.switchover,
    vmPages: input.vmPages ?? largest + 1,
    pageSize: input.pageSize ?? trace.pageSize,
    instructionsPerSecond: input.instructionsPerSecond ?? d.instructionsPerSecond,
    cpuStateBytes: input.cpuStateBytes ?? d.cpuStateBytes,
    switchoverFixedMs: input.switchoverFixedMs ?? d.switchoverFixedMs,
    faultCostUs: input.faultCostUs ?? d.faultCostUs,
    faultCheckUs: input.faultCheckUs,
    zeroPageShare: input.zeroPageShare ?? d.zeroPageShare,
    zeroPageSeed: input.zeroPageSeed ?? d.zeroPageSeed,
    zeroPages: input.zeroPages,
    zeroPagesName: input.zeroPagesName,
    precopyStopPages: input.precopyStopPages ?? d.precopyStopPages,
    precopyMaxRounds: input.precopyMaxRounds ?? d.precopyMaxRounds,
    postcopyAfterMs: input.postcopyAfterMs,
  };
  // a misspelt setting ({ prefetcher: 'ppm' }, the command line's word) was ignored and the default ran
  refuseUnknownNames(input, Object.keys(config), 'simulation setting');
  refuseUnknownNames(input.network ?? {}, Object.keys(NETWORK_SETTINGS), 'network setting');
  refuseUnknownOptions(config.predictorOptions);
  check(
    MIGRATION_MODES.includes(config.mode),
    `mode must be one of ${MIGRATION_MODES.join(', ')}, got ${quoted(String(config.mode))}`,
  );
  check(
    PUSH_POLICIES.includes(config.push),
    `push must be one of ${PUSH_POLICIES.join(', ')}, got ${quoted(String(config.push))}`,
  );
  check(
    (PREDICTOR_NAMES as readonly string[]).includes(config.predictor),
    `unknown predictor ${quoted(config.predictor)} (known: ${PREDICTOR_NAMES.join(', ')})`,
  );
  checkNumber(network.bandwidthBps, 'bandwidth', 0, false);
  checkNumber(network.rttUs, 'rtt', 0, true);
  checkWhole(network.messageOverheadBytes, 'message overhead', 0);
  checkNumber(network.rateLimitWindowUs, 'rate limit window', 0, true);
  if (network.peakBandwidthBps !== undefined) {
    checkNumber(network.peakBandwidthBps, 'peak bandwidth', 0, false);
    check(
      network.peakBandwidthBps >= network.bandwidthBps,
      // both in bits/s: the bare number said neither the unit nor the bandwidth it fell below
      `peak bandwidth must be at least the bandwidth (${network.bandwidthBps} bits/s), got ` +
        `${network.peakBandwidthBps} bits/s`,
    );
  }
  if (network.writeBandwidthBps !== undefined) checkNumber(network.writeBandwidthBps, 'write bandwidth', 0, false);
  check(
    !network.requestsWaitForWindow || network.rateLimitWindowUs > 0,
    'requests waiting for the window need a rate limit window',
  );
  check(
    !network.requestsWaitForWindow || !network.urgentChannel,
    'requests waiting for the window go on the link, not on an urgent channel',
  );
  checkWhole(config.k, 'k', SIM_BOUNDS.k.min, SIM_BOUNDS.k.max);
  checkReplayable(trace, config.switchover);
  checkWhole(config.vmPages, 'vm pages', 1);
  checkVmPages(config.vmPages);
  checkWhole(config.pageSize, 'page size', 1);
  checkNumber(config.instructionsPerSecond, 'instructions per second', 0, false);
  checkWhole(config.cpuStateBytes, 'cpu state bytes', 0);
  checkNumber(config.switchoverFixedMs, 'switchover fixed cost', 0, true);
  checkNumber(config.faultCostUs, 'fault cost', 0, true);
  if (config.faultCheckUs !== undefined) {
    checkNumber(config.faultCheckUs, 'fault check time', 0, true);
    check(
      config.faultCheckUs <= config.faultCostUs,
      `fault check time must be at most the fault cost, got ${config.faultCheckUs} and ${config.faultCostUs}`,
    );
  }
  // a string ('0.5') compared as a number and ran, where every other number given as a string is refused
  check(
    typeof config.zeroPageShare === 'number' && config.zeroPageShare >= 0 && config.zeroPageShare <= 1,
    `zero page share must be a number between 0 and 1, got ${shownNumber(config.zeroPageShare)}`,
  );
  checkWhole(config.precopyStopPages, 'pre-copy stop pages', 0);
  checkWhole(config.precopyMaxRounds, 'pre-copy rounds', 1);
  if (config.postcopyAfterMs !== undefined) {
    checkNumber(config.postcopyAfterMs, 'post-copy start', 0, true);
    check(config.mode === 'hybrid', `a post-copy start time needs hybrid mode, not ${config.mode}`);
  }
  check(
    largest < config.vmPages,
    `trace ${fileLabel(trace.name)} touches page ${largest}, beyond the VM's ${config.vmPages} pages`,
  );
  if (config.zeroPages !== undefined)
    checkZeroPages(config.zeroPages, config.vmPages, config.zeroPagesName, input.vmPages === undefined);
  return config;
}
