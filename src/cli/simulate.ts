/**
 * `postcopy-lab simulate`: one migration of a trace. The flags, their parsing into a SimInput and
 * the result table are shared with `compare`, which runs several predictors on the same options.
 */
import { fileLabel, quoted, UserError } from '../errors';
import {
  choiceFlag,
  fileArguments,
  intFlag,
  listFlag,
  numberFlag,
  parseFlags,
  refuseDecoratedNumber,
  requireFlag,
  type ParsedFlags,
} from './args';
import {
  checkKIsRead,
  PREDICTOR_FLAGS,
  predictorFlagsUsage,
  predictorOptionsFromFlags,
  wrapUsage,
} from './predictor-flags';
import {
  DEFAULT_SIM_CONFIG,
  MIGRATION_MODES,
  PUSH_POLICIES,
  parseBandwidth,
  parseDuration,
  parsePageSet,
  firstFaultIndex,
  resolveSimConfig,
  SIM_BOUNDS,
  simulateStreams,
  simulationPageBytes,
  type MigrationResult,
  type ResolvedSimConfig,
  type SimInput,
} from '../migration';
import { parsePredictorName, PREDICTOR_NAMES, readsK, type PredictorName } from '../prefetch';
import { NO_VALUE } from '../report/table';
import {
  checkPageSize,
  fractionSwitchover,
  MAX_PAGE_SIZE,
  firstTouchesOfFile,
  parseSwitchoverSpec,
  streamTrace,
  summarizeTraceFile,
  timeAtIndex,
  type SwitchoverSpec,
  type TraceSummary,
} from '../trace';
import { availableMemoryBytes } from '../util/available-memory';
import { readInputText } from '../util/read-input';

const d = DEFAULT_SIM_CONFIG;

/** Options of simulate and compare, each shown in USAGE with its default. */
export const SIM_OPTIONS_USAGE = `  [--trace] FILE               trace (text, .pctrace, .gz): --trace FILE or FILE
  --mode M                     ${MIGRATION_MODES.join('|')} (default ${d.mode})
  --k N                        pages sent with each faulted page (default ${d.k})
${predictorFlagsUsage(31)}
  --bandwidth B                link bandwidth: 1gbit, 1Gb/s, 10Gbps, 125MB/s (b bits, B bytes) or bits/s (default 1gbit)
  --rtt T                      round trip: 200us, 1ms, 0.5s or microseconds (default ${d.network.rttUs}us)
  --overhead BYTES             header bytes per message (default ${d.network.messageOverheadBytes})
  --urgent-channel             faulted pages on their own channel (QEMU postcopy-preempt)
  --rate-window T              post-copy: meter the bandwidth over windows of T, as QEMU does (100ms; default off)
  --peak-bandwidth B           with --rate-window: the link's speed inside a window (default the bandwidth)
  --push P                     background push: ${PUSH_POLICIES.join('|')} (default ${d.push})
  --switchover X               instruction count, fraction (0.3) or percentage (30%) of the accesses (default 0)
  --vm-pages N                 VM size in pages (default largest page + 1)
  --page-size N                bytes per page (default the trace's)
  --ips N                      VM instructions per second (default ${d.instructionsPerSecond})
  --cpu-state BYTES            CPU and device state sent at switchover (default ${d.cpuStateBytes})
  --switchover-cost T          fixed cost of the switchover pause (default ${d.switchoverFixedMs}ms)
  --fault-cost T               host time per fault: the destination asks for the page this long after the touch
                               (default ${d.faultCostUs}us)
  --zero-share F               share of the VM's pages that are zero, sent as a header only (0..1, default ${d.zeroPageShare})
  --zero-seed S                seed drawing the zero pages of --zero-share (default ${d.zeroPageSeed})
  --zero-pages FILE            pages known to be zero: numbers or ranges a-b (e.g. from a guest capture)
  --precopy-rounds N           pre-copy/hybrid: at most N live rounds (default ${d.precopyMaxRounds})
  --precopy-stop-pages N       pre-copy/hybrid: stop once at most N pages are dirty (default ${d.precopyStopPages})
  --postcopy-after T           hybrid: switch to post-copy this long after the start, even mid-round (QEMU)
  --json                       print JSON instead of a table`;

/** The `--prefetcher(s)` line of simulate's and compare's usage: what it takes, then every predictor's name. */
export function prefetcherUsage(flag: string, help: string): string {
  return wrapUsage(flag.padEnd(31), `${help}: ${PREDICTOR_NAMES.join(', ')}`.split(' '), 31);
}

const PREFETCHER_HELP = `predictor sending pages with each faulted page (default ${d.predictor}), one of`;
const USAGE = `usage: postcopy-lab simulate [--trace] FILE [--prefetcher NAME] [options]
${prefetcherUsage('  --prefetcher NAME', PREFETCHER_HELP)}
${SIM_OPTIONS_USAGE}`;

export const SIM_FLAGS = {
  trace: { type: 'string' },
  mode: { type: 'string' },
  k: { type: 'string' },
  ...PREDICTOR_FLAGS,
  bandwidth: { type: 'string' },
  rtt: { type: 'string' },
  overhead: { type: 'string' },
  'urgent-channel': { type: 'boolean' },
  'rate-window': { type: 'string' },
  'peak-bandwidth': { type: 'string' },
  push: { type: 'string' },
  switchover: { type: 'string' },
  'vm-pages': { type: 'string' },
  'page-size': { type: 'string' },
  ips: { type: 'string' },
  'cpu-state': { type: 'string' },
  'switchover-cost': { type: 'string' },
  'fault-cost': { type: 'string' },
  'zero-share': { type: 'string' },
  'zero-seed': { type: 'string' },
  'zero-pages': { type: 'string' },
  'precopy-rounds': { type: 'string' },
  'precopy-stop-pages': { type: 'string' },
  'postcopy-after': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type SimFlagValues = ParsedFlags<typeof SIM_FLAGS>['values'];

const b = SIM_BOUNDS;

/** A bandwidth or duration flag parsed by `parse` (bits/s or us), within [min, max]; `fallback` when absent. */
function unitFlag(
  text: string | undefined,
  flag: string,
  fallback: number,
  parse: (text: string) => number,
  min: number,
  max: number,
  unit: string,
): number {
  if (text === undefined) return fallback;
  refuseDecoratedNumber(text, flag);
  let value: number;
  try {
    value = parse(text);
  } catch (err) {
    // the parser's message says what a duration or a bandwidth looks like, not which flag had it
    throw err instanceof UserError ? new UserError(`--${flag}: ${err.message}`) : err;
  }
  if (!(value >= min && value <= max))
    throw new UserError(`--${flag} must be between ${min} and ${max} ${unit}, got ${quoted(text)}`);
  return value;
}

const durationFlag = (text: string | undefined, flag: string, fallbackUs: number) =>
  unitFlag(text, flag, fallbackUs, parseDuration, b.durationUs.min, b.durationUs.max, 'us');

/**
 * The pages of a --zero-pages file; one with none (empty, or comments only: a capture that failed, a file truncated by
 * a redirection) is refused, as it ran with no zero page without a word. No zero page is the flag left out.
 */
function zeroPagesOfFile(file: string): number[] {
  const name = fileLabel(file);
  const pages = parsePageSet(readInputText(file), name);
  if (pages.length === 0)
    throw new UserError(`--zero-pages ${name}: no page in it (empty or comments only); for no zero page, leave it out`);
  return pages;
}

/**
 * Every simulation setting except the predictor's name and the switchover (resolved on the trace), from the
 * flags alone: checked before the trace is read, so a bad flag fails at once whatever the trace's size.
 */
export function simInputFromFlags(v: SimFlagValues, predictors: readonly PredictorName[]): SimInput {
  const zeroPagesFile = v['zero-pages'];
  const zeroPagesName = zeroPagesFile === undefined ? undefined : fileLabel(zeroPagesFile);
  return {
    mode: choiceFlag(v.mode, 'mode', MIGRATION_MODES, d.mode),
    k: intFlag(v.k, 'k', d.k, b.k.min, b.k.max),
    predictorOptions: predictorOptionsFromFlags(v, predictors),
    network: {
      bandwidthBps: unitFlag(
        v.bandwidth,
        'bandwidth',
        d.network.bandwidthBps,
        parseBandwidth,
        b.bandwidthBps.min,
        b.bandwidthBps.max,
        'bits/s',
      ),
      rttUs: durationFlag(v.rtt, 'rtt', d.network.rttUs),
      messageOverheadBytes: intFlag(v.overhead, 'overhead', d.network.messageOverheadBytes, 0, MAX_PAGE_SIZE),
      urgentChannel: v['urgent-channel'] ?? false,
      rateLimitWindowUs: durationFlag(v['rate-window'], 'rate-window', d.network.rateLimitWindowUs),
      peakBandwidthBps:
        v['peak-bandwidth'] === undefined
          ? undefined
          : unitFlag(
              v['peak-bandwidth'],
              'peak-bandwidth',
              0,
              parseBandwidth,
              b.bandwidthBps.min,
              b.bandwidthBps.max,
              'bits/s',
            ),
    },
    push: choiceFlag(v.push, 'push', PUSH_POLICIES, d.push),
    vmPages:
      v['vm-pages'] === undefined ? undefined : intFlag(v['vm-pages'], 'vm-pages', 0, b.vmPages.min, b.vmPages.max),
    // a power of two, as in the trace formats and `trace gen` (the library's model would take any size)
    pageSize:
      v['page-size'] === undefined
        ? undefined
        : checkPageSize(intFlag(v['page-size'], 'page-size', 0, 1, MAX_PAGE_SIZE), '--page-size'),
    instructionsPerSecond: numberFlag(
      v.ips,
      'ips',
      d.instructionsPerSecond,
      b.instructionsPerSecond.min,
      b.instructionsPerSecond.max,
    ),
    cpuStateBytes: intFlag(v['cpu-state'], 'cpu-state', d.cpuStateBytes, 0, 2 ** 40),
    switchoverFixedMs: durationFlag(v['switchover-cost'], 'switchover-cost', d.switchoverFixedMs * 1000) / 1000,
    faultCostUs: durationFlag(v['fault-cost'], 'fault-cost', d.faultCostUs),
    zeroPageShare: numberFlag(v['zero-share'], 'zero-share', d.zeroPageShare, 0, 1),
    zeroPageSeed: v['zero-seed'] === undefined ? d.zeroPageSeed : requireFlag(v['zero-seed'], 'zero-seed'),
    zeroPages: zeroPagesFile === undefined ? undefined : zeroPagesOfFile(zeroPagesFile),
    zeroPagesName,
    precopyMaxRounds: intFlag(
      v['precopy-rounds'],
      'precopy-rounds',
      d.precopyMaxRounds,
      b.precopyRounds.min,
      b.precopyRounds.max,
    ),
    precopyStopPages: intFlag(v['precopy-stop-pages'], 'precopy-stop-pages', d.precopyStopPages, 0, b.vmPages.max),
    postcopyAfterMs:
      v['postcopy-after'] === undefined ? undefined : durationFlag(v['postcopy-after'], 'postcopy-after', 0) / 1000,
  };
}

/** Flags that only matter after switchover, where pages fault: pre-copy has no faults, so they would be ignored. */
const POSTCOPY_ONLY_FLAGS = [
  'prefetcher',
  'prefetchers',
  'k',
  'push',
  'urgent-channel',
  'fault-cost',
  'rate-window',
  'peak-bandwidth',
  ...Object.keys(PREDICTOR_FLAGS),
];

/** Flags of the pre-copy rounds: a post-copy run has none. */
const PRECOPY_ROUND_FLAGS = ['precopy-rounds', 'precopy-stop-pages'];

/** Refuses flags the mode would silently ignore: post-copy's in `--mode precopy`, the rounds' in post-copy. */
function checkModeFlags(values: Readonly<Record<string, unknown>>): void {
  if ((values.mode ?? d.mode) === 'postcopy') {
    const unread = PRECOPY_ROUND_FLAGS.find((flag) => values[flag] !== undefined);
    if (unread)
      throw new UserError(
        `--${unread} has no effect with --mode postcopy (no pre-copy round runs); ` +
          'drop it or use --mode hybrid or precopy',
      );
  }
  if (values.mode !== 'precopy') return;
  const ignored = POSTCOPY_ONLY_FLAGS.find((flag) => values[flag] !== undefined);
  if (ignored) {
    throw new UserError(
      `--${ignored} has no effect with --mode precopy (nothing faults after its switchover); ` +
        'drop it or use --mode hybrid',
    );
  }
}

/** The predictors named by `--prefetcher NAME` (default none) or `--prefetchers a,b,c` (required). */
function predictorsFromFlag(predictorFlag: 'prefetcher' | 'prefetchers', text: string | undefined): PredictorName[] {
  if (predictorFlag === 'prefetcher') return [parsePredictorName(text ?? d.predictor)];
  if (text === undefined) throw new UserError('missing required option --prefetchers (e.g. none,next-k,ppm)');
  return listFlag(text, 'prefetchers').map(parsePredictorName);
}

/**
 * Parses argv with the shared flags plus the command's predictor flag (`--prefetcher` or
 * `--prefetchers`, whose names are returned as `predictors`); prints `usage` and returns undefined on --help.
 */
function parseSimFlags(argv: string[], predictorFlag: 'prefetcher' | 'prefetchers', usage: string) {
  const { values, positionals } = parseFlags(
    argv,
    { ...SIM_FLAGS, [predictorFlag]: { type: 'string' } } as typeof SIM_FLAGS,
    true,
  );
  if (values.help) {
    console.log(usage);
    return undefined;
  }
  if (predictorFlag === 'prefetchers' && values.mode === 'precopy') {
    throw new UserError(
      'compare compares predictors, and --mode precopy has no faults to predict: use postcopy or hybrid',
    );
  }
  checkModeFlags(values);
  const predictors = predictorsFromFlag(predictorFlag, (values as Record<string, string | undefined>)[predictorFlag]);
  const [tracePath] = fileArguments(
    positionals,
    [{ flag: 'trace', value: values.trace, what: 'trace' }],
    usage.split('\n')[0],
  );
  return { predictors, json: values.json ?? false, values, tracePath };
}

/** A --switchover flag parsed before the trace is read (undefined when absent). */
export function switchoverFlag(text: string | undefined): SwitchoverSpec | undefined {
  if (text === undefined) return undefined;
  refuseDecoratedNumber(text, 'switchover');
  return parseSwitchoverSpec(text);
}

/** --switchover on a trace file: a fraction needs the time of one access, read by a partial pass. */
export async function fileSwitchover(
  spec: SwitchoverSpec | undefined,
  path: string,
  summary: TraceSummary,
  fallback: number = d.switchover,
): Promise<number> {
  if (spec === undefined) return fallback;
  if ('instructions' in spec) return spec.instructions;
  // 100% is one instruction past the last access: named as typed, not by that instruction the file does not hold
  if (spec.fraction === 1 && summary.accesses > 0)
    throw new UserError(
      `no access left after switchover 100% (every access runs before it; the trace ends at instruction ` +
        `${summary.lastTime})`,
    );
  const at = fractionSwitchover(spec.fraction, summary.accesses, summary.lastTime);
  return 'index' in at ? timeAtIndex(path, at.index) : at.instructions;
}

const MS_FIELDS = new Set([
  'downtimeMs',
  'stallMs',
  'waitP50Ms',
  'waitP99Ms',
  'maxWaitMs',
  'degradedMs',
  'totalMigrationMs',
]);

/**
 * The results as simulate (one: an object) and compare (an array) print them, JSON or a table: k is null in JSON and
 * NO_VALUE in the table for a predictor that reads no k (`none`), whose run never used the k it was given (the
 * default 8), as the what-if page shows it; every other field as the simulator gave it.
 */
export function printedResults(results: readonly MigrationResult[], json: boolean, one: boolean): string {
  if (!json) return formatResults(results);
  const shown = results.map((r) => (readsK(r.predictor) ? r : { ...r, k: null }));
  return JSON.stringify(one ? shown[0] : shown, null, 2);
}

/** Results side by side: one row per field, one column per result (headed by its predictor). */
function formatResults(results: readonly MigrationResult[]): string {
  const fields = Object.keys(results[0]) as (keyof MigrationResult)[];
  const cell = (field: keyof MigrationResult, r: MigrationResult) => {
    if (field === 'k' && !readsK(r.predictor)) return NO_VALUE;
    const value = r[field];
    return typeof value === 'number' && MS_FIELDS.has(field) ? value.toFixed(3) : String(value);
  };
  const rows = fields.map((field) => [field, ...results.map((r) => cell(field, r))]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows
    .map((row) => row.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  '))
    .join('\n');
}

/**
 * The migrations of simulate and compare, one per predictor, on the trace file: streamed (a summary pass,
 * then one pass feeding every simulation), so memory grows with the VM's pages, not with the trace. The
 * oracle reads the future from the first-touch order (one more pass): from the switchover in post-copy, from
 * the first fault in hybrid mode, where pages touched live before the pause may still be missing after it
 * (found by a pass up to that fault).
 * Prints --help and returns undefined when asked.
 */
export async function runSimulations(argv: string[], predictorFlag: 'prefetcher' | 'prefetchers', usage: string) {
  const parsed = parseSimFlags(argv, predictorFlag, usage);
  if (!parsed) return undefined;
  const path = parsed.tracePath;
  const flagInput = simInputFromFlags(parsed.values, parsed.predictors);
  checkKIsRead(parsed.values.k, predictorFlag, parsed.predictors);
  // the what-if page keeps a peak for when its window knob is turned on; a run here would just ignore it
  if (flagInput.network?.peakBandwidthBps !== undefined && !flagInput.network.rateLimitWindowUs)
    throw new UserError(
      '--peak-bandwidth needs --rate-window: it is the link speed inside a window, unused without one',
    );
  // with no share drawn the seed draws nothing: two seeds would give the same run, though the flag says otherwise
  if (parsed.values['zero-seed'] !== undefined && !(flagInput.zeroPageShare! > 0))
    throw new UserError('--zero-seed needs --zero-share above 0: it draws which pages are zero, and none is drawn');
  const switchoverSpec = switchoverFlag(parsed.values.switchover);
  const summary = await summarizeTraceFile(path);
  const input = { ...flagInput, switchover: await fileSwitchover(switchoverSpec, path, summary) };
  const inputs = (extra: SimInput) => parsed.predictors.map((predictor) => ({ ...input, ...extra, predictor }));
  // checks against the trace (switchover, VM size, zero pages) and memory, before the oracle's pass or whole read
  const configs = inputs({}).map((one) => resolveSimConfig(summary, one));
  const vmPagesGiven = parsed.values['vm-pages'] !== undefined;
  const passes = passesInMemory(configs, availableMemoryBytes(), vmPagesGiven);
  let extra: SimInput = {};
  if (parsed.predictors.includes('oracle')) {
    // the oracle's order starts at the switchover in post-copy, at the first fault in hybrid mode (one more pass)
    const fromIndex = input.mode === 'hybrid' ? await firstFaultIndex(summary, streamTrace(path), inputs({})[0]) : 0;
    const firstTouches = await firstTouchesOfFile(
      path,
      summary.largestPage,
      input.switchover,
      fromIndex ?? summary.accesses,
    );
    extra = { predictorOptions: { ...input.predictorOptions, firstTouches } };
  }
  const all = inputs(extra);
  const results: MigrationResult[] = [];
  for (const pass of passes) results.push(...(await simulateStreams(summary, streamTrace(path), all.slice(...pass))));
  return { results, json: parsed.json };
}

/** Of the memory available, what the runs' per-page arrays may take: the rest for the heap and the trace's chunks. */
const MEMORY_SHARE = 0.8;

/**
 * The runs of `configs` split into passes over the trace, [start, end) in order, each pass's runs fitting in the
 * memory available together (one pass when all do): a compare of 15 methods on a large VM would otherwise be
 * killed by the kernel with no message. A run that does not fit alone is refused, naming what it needs.
 */
export function passesInMemory(
  configs: readonly ResolvedSimConfig[],
  availableBytes: number,
  vmPagesGiven: boolean,
): [number, number][] {
  const budget = availableBytes * MEMORY_SHARE;
  const passes: [number, number][] = [];
  let used = Infinity;
  configs.forEach((config, i) => {
    const bytes = config.vmPages * simulationPageBytes(config);
    if (bytes > budget) {
      const vm = vmPagesGiven
        ? `--vm-pages ${config.vmPages}`
        : `the trace's VM of ${config.vmPages} pages (its largest page + 1)`;
      throw new UserError(
        `${vm} needs about ${memorySize(bytes)} of memory for one ${config.mode} run, more than the ` +
          `${memorySize(budget)} this machine has free for it (${memorySize(availableBytes)} available, counting any ` +
          `memory limit of this process): ${vmPagesGiven ? 'give a smaller --vm-pages or ' : ''}free some memory`,
      );
    }
    if (used + bytes > budget) {
      passes.push([i, i]);
      used = 0;
    }
    used += bytes;
    passes[passes.length - 1][1] = i + 1;
  });
  return passes;
}

const memorySize = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.ceil(bytes / 1e6)} MB`;

/** One migration: see runSimulations. */
export async function run(argv: string[]): Promise<void> {
  const run = await runSimulations(argv, 'prefetcher', USAGE);
  if (!run) return;
  console.log(printedResults(run.results, run.json, true));
}
