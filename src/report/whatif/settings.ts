/**
 * The what-if page's knobs as one plain object: what the page shows, what the URL hash keeps and what the
 * worker turns into simulate() input. Units and text go through the command line's parsers (parseBandwidth,
 * parseDuration, parseSwitchover), so the page and `postcopy-lab simulate` agree to the last digit.
 */
import {
  DEFAULT_SIM_CONFIG,
  MIGRATION_MODES,
  PUSH_POLICIES,
  parseBandwidth,
  parseDuration,
  SIM_BOUNDS,
} from '../../migration/config';
import type { MigrationMode, PushPolicy, SimInput } from '../../migration/types';
import { flagOf, optionProblem } from '../../prefetch/options';
import { declaredOptions, optionsRead, PREDICTOR_NAMES, readsK } from '../../prefetch/registry';
import type { PredictorName, PredictorOptions } from '../../prefetch/types';
import { isDecimalNumber, isWholeNumberText } from '../../util/decimal-number';
import { deepFreeze, type DeepReadonly } from '../../util/deep-freeze';
import { checkPageSize, MAX_PAGE_SIZE } from '../../trace/make';
import type { GeneratorKind, GeneratorOptions } from '../../trace/generators';
import { parseSwitchover } from '../../trace/switchover';
import type { Trace } from '../../trace/types';

export const CURVE_AXES = ['k', 'bandwidth'] as const;
export type CurveAxis = (typeof CURVE_AXES)[number];

export interface WhatifSettings {
  /** Name of a bundled workload or of the file the reader dropped. */
  workload: string;
  /** Predictors shown side by side, in registry order. */
  methods: readonly PredictorName[];
  mode: MigrationMode;
  /** Pages sent with each faulted page (`--k`). */
  k: number;
  /** Predictor options by name (`--order 2` is `{ order: 2 }`); each predictor reads the ones it declares. */
  options: Record<string, string | number>;
  /** Switchover as a percentage of the trace's accesses (`--switchover 30%`). */
  switchoverPercent: number;
  /** `--bandwidth <N>gbit`. */
  bandwidthGbps: number;
  /** `--rtt <N>us`. */
  rttUs: number;
  push: PushPolicy;
  urgentChannel: boolean;
  /** `--fault-cost <N>us`: host time per network fault before the source handles it. */
  faultCostUs: number;
  /** `--zero-share F`: share of the VM's pages that are zero, sent as a header only. */
  zeroShare: number;
  /** `--vm-pages N`; 0 is the trace's own size (its largest page + 1). */
  vmPages: number;
  /** `--page-size N` in bytes, a power of two; 0 is the trace's. */
  pageSize: number;
  /** `--ips N`: the VM's speed, which turns the trace's instruction counts into time. */
  instructionsPerSecond: number;
  /** `--precopy-rounds N` (pre-copy, hybrid): at most N live rounds. */
  precopyRounds: number;
  /** `--precopy-stop-pages N` (pre-copy, hybrid): stop-and-copy once at most N pages are dirty. */
  precopyStopPages: number;
  /** `--rate-window <N>ms` (after switchover): meter the bandwidth over windows of N ms, as QEMU does; 0 is off. */
  rateWindowMs: number;
  /** `--peak-bandwidth <N>gbit` (with a rate window): the link's speed inside a window; 0 is the bandwidth. */
  peakBandwidthGbps: number;
  /** What the curve varies: pages per fault k or the link bandwidth. */
  curve: CurveAxis;
}

const d = DEFAULT_SIM_CONFIG;
const b = SIM_BOUNDS;

/** Where the page starts when neither the caller nor the URL says otherwise: the simulator's defaults. */
export const DEFAULT_WHATIF_SETTINGS: DeepReadonly<WhatifSettings> = deepFreeze({
  workload: '',
  methods: ['none', 'next-k', 'ppm', 'oracle'],
  mode: d.mode,
  k: d.k,
  options: {},
  switchoverPercent: 30,
  bandwidthGbps: d.network.bandwidthBps / 1e9,
  rttUs: d.network.rttUs,
  push: d.push,
  urgentChannel: d.network.urgentChannel,
  faultCostUs: d.faultCostUs,
  zeroShare: d.zeroPageShare,
  vmPages: 0,
  pageSize: 0,
  instructionsPerSecond: d.instructionsPerSecond,
  precopyRounds: d.precopyMaxRounds,
  precopyStopPages: d.precopyStopPages,
  rateWindowMs: d.network.rateLimitWindowUs / 1000,
  peakBandwidthGbps: 0,
  curve: 'k',
});

/**
 * The values a number takes: [min, max], below max when `below`, whole numbers where `whole`, and 0 as well when
 * `orZero` (a knob's "the trace's" or "off", said on the command line by leaving the flag out).
 */
export interface NumberBounds {
  readonly min: number;
  readonly max: number;
  readonly whole?: boolean;
  readonly below?: boolean;
  readonly orZero?: boolean;
}

/** Whether `value` is one of the values of `bounds`. */
export function withinBounds(bounds: NumberBounds, value: number): boolean {
  if (bounds.orZero && value === 0) return true;
  return (
    Number.isFinite(value) &&
    value >= bounds.min &&
    (bounds.below ? value < bounds.max : value <= bounds.max) &&
    (!bounds.whole || Number.isInteger(value))
  );
}

/** The values of `bounds` in words, for a message: "a whole number between 1 and 10000". */
export function boundsText(bounds: NumberBounds): string {
  const what = bounds.whole ? 'a whole number' : 'a number';
  const range = bounds.below ? `from ${bounds.min} to below ${bounds.max}` : `between ${bounds.min} and ${bounds.max}`;
  return `${bounds.orZero ? '0 or ' : ''}${what} ${range}`;
}

/**
 * Bounds of the numeric knobs in the page's units, from the command line's (SIM_BOUNDS): the page's boxes, its URL
 * hash and the flags of `postcopy-lab whatif`/`simulate` take the same values. A switchover at 100% leaves no access
 * after it; a VM size or peak of 0 is the trace's or off.
 */
export const KNOB_BOUNDS = deepFreeze({
  k: { min: b.k.min, max: b.k.max, whole: true },
  switchoverPercent: { min: 0, max: 100, below: true },
  bandwidthGbps: { min: b.bandwidthBps.min / 1e9, max: b.bandwidthBps.max / 1e9 },
  rttUs: { min: b.durationUs.min, max: b.durationUs.max },
  faultCostUs: { min: b.durationUs.min, max: b.durationUs.max },
  zeroShare: { min: 0, max: 1 },
  vmPages: { min: b.vmPages.min, max: b.vmPages.max, whole: true, orZero: true },
  instructionsPerSecond: { min: b.instructionsPerSecond.min, max: b.instructionsPerSecond.max },
  precopyRounds: { min: b.precopyRounds.min, max: b.precopyRounds.max, whole: true },
  precopyStopPages: { min: 0, max: b.vmPages.max, whole: true },
  rateWindowMs: { min: b.durationUs.min / 1000, max: b.durationUs.max / 1000 },
  peakBandwidthGbps: { min: b.bandwidthBps.min / 1e9, max: b.bandwidthBps.max / 1e9, orZero: true },
} satisfies Record<string, NumberBounds>);

/** `text` read as a number if it is one in decimal notation (plain digits if `whole`), else NaN. */
const numberOfText = (whole: boolean, text: string): number =>
  (whole ? isWholeNumberText : isDecimalNumber)(text) ? Number(text) : NaN;

/**
 * The number `text` gives a value of `bounds` (a number box's text, a link's value), or undefined when it is none:
 * decimal notation only, and plain digits for a whole number, as the command line's flags read it
 * (src/util/decimal-number.ts), then the bounds.
 */
export function numberIn(bounds: NumberBounds, text: string): number | undefined {
  const value = numberOfText(bounds.whole === true, text);
  return withinBounds(bounds, value) ? value : undefined;
}

/** The page sizes the page offers besides the trace's (0): the powers of two `--page-size` accepts, 512 B up. */
export const PAGE_SIZES: readonly number[] = Array.from(
  { length: Math.log2(MAX_PAGE_SIZE) - 8 },
  (_, i) => 2 ** (i + 9),
);

/** Whether the mode runs pre-copy rounds (its rounds and stop knobs matter). */
export const hasPrecopyRounds = (mode: MigrationMode) => mode !== 'postcopy';

/**
 * The methods a setting runs: the selected ones, or one plain run in pre-copy mode, where nothing faults
 * after switchover so predictors, k, push and the fault-time knobs change nothing (the CLI refuses them there).
 */
export function effectiveMethods(settings: WhatifSettings): readonly PredictorName[] {
  return settings.mode === 'precopy' ? ['none'] : settings.methods;
}

/** The simulate() input of a setting for one trace; impossible values throw the simulator's one-line UserErrors. */
export function simInputOf(settings: WhatifSettings, trace: Trace): SimInput {
  const common: SimInput = {
    mode: settings.mode,
    network: {
      bandwidthBps: parseBandwidth(`${settings.bandwidthGbps}gbit`),
      rttUs: parseDuration(`${settings.rttUs}us`),
    },
    switchover: parseSwitchover(`${settings.switchoverPercent}%`, trace),
    zeroPageShare: settings.zeroShare,
    vmPages: settings.vmPages > 0 ? settings.vmPages : undefined,
    pageSize: settings.pageSize > 0 ? checkPageSize(settings.pageSize) : undefined,
    instructionsPerSecond: settings.instructionsPerSecond,
    ...(hasPrecopyRounds(settings.mode)
      ? { precopyMaxRounds: settings.precopyRounds, precopyStopPages: settings.precopyStopPages }
      : {}),
  };
  if (settings.mode === 'precopy') return common;
  const metered = settings.rateWindowMs > 0;
  return {
    ...common,
    k: settings.k,
    predictorOptions: settings.options as PredictorOptions,
    network: {
      ...common.network,
      urgentChannel: settings.urgentChannel,
      rateLimitWindowUs: parseDuration(`${settings.rateWindowMs}ms`),
      peakBandwidthBps:
        metered && settings.peakBandwidthGbps > 0 ? parseBandwidth(`${settings.peakBandwidthGbps}gbit`) : undefined,
    },
    push: settings.push,
    faultCostUs: parseDuration(`${settings.faultCostUs}us`),
  };
}

/**
 * The same setting as `postcopy-lab simulate` (or `compare`) flags for `methods`, without --trace and the
 * predictor: predictor options only where one of the methods declares and reads them (the CLI refuses the others),
 * --k only when one of them sends pages with a fault, and in pre-copy mode none of the flags that only matter after
 * switchover.
 */
export function cliFlagsOf(settings: WhatifSettings, methods: readonly PredictorName[] = settings.methods): string[] {
  const flags = [
    '--mode',
    settings.mode,
    '--bandwidth',
    `${settings.bandwidthGbps}gbit`,
    '--rtt',
    `${settings.rttUs}us`,
  ];
  flags.push('--switchover', `${settings.switchoverPercent}%`, '--zero-share', String(settings.zeroShare));
  // the knobs added later print only when moved, so the line a default setting prints stays as it was
  const o = DEFAULT_WHATIF_SETTINGS;
  if (settings.vmPages > 0) flags.push('--vm-pages', String(settings.vmPages));
  if (settings.pageSize > 0) flags.push('--page-size', String(settings.pageSize));
  if (settings.instructionsPerSecond !== o.instructionsPerSecond)
    flags.push('--ips', String(settings.instructionsPerSecond));
  if (hasPrecopyRounds(settings.mode)) {
    if (settings.precopyRounds !== o.precopyRounds) flags.push('--precopy-rounds', String(settings.precopyRounds));
    if (settings.precopyStopPages !== o.precopyStopPages)
      flags.push('--precopy-stop-pages', String(settings.precopyStopPages));
  }
  if (settings.mode === 'precopy') return flags;
  // simulate and compare refuse --k when no method sends pages with a fault (only `none` ticked)
  if (methods.some(readsK)) flags.push('--k', String(settings.k));
  flags.push('--push', settings.push, '--fault-cost', `${settings.faultCostUs}us`);
  if (settings.urgentChannel) flags.push('--urgent-channel');
  if (settings.rateWindowMs > 0) {
    flags.push('--rate-window', `${settings.rateWindowMs}ms`);
    if (settings.peakBandwidthGbps > 0) flags.push('--peak-bandwidth', `${settings.peakBandwidthGbps}gbit`);
  }
  // an option where a method reads it: the CLI refuses one no method declares, or each leaves unread
  const read = optionsRead(methods, settings.options as PredictorOptions);
  for (const [name, value] of Object.entries(settings.options)) {
    if (read.has(name)) flags.push(`--${flagOf(name)}`, String(value));
  }
  return flags;
}

/** Where a command line finds a workload of the page: a file it reads, or the generator that makes the trace. */
export type CommandTrace = { file: string } | { generator: GeneratorKind; options: GeneratorOptions };

/** A word the shell passes on as it is: file names with spaces or quotes go in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that prints what the page shows for `settings`: `postcopy-lab compare` (pre-copy: `simulate`) on the
 * workload's file, after the `trace gen` that writes a generated workload's trace (a bundled name is no file).
 */
export function equivalentCommand(settings: WhatifSettings, trace: CommandTrace): string {
  const methods = effectiveMethods(settings);
  const command = settings.mode === 'precopy' ? 'simulate' : `compare --prefetchers ${methods.join(',')}`;
  const flags = cliFlagsOf(settings, methods).join(' ');
  if ('file' in trace) return `postcopy-lab ${command} --trace ${shellWord(trace.file)} ${flags}`;
  const file = `${trace.generator}.pctrace`;
  const options = Object.entries(trace.options).flatMap(([name, value]) => [`--${flagOf(name)}`, String(value)]);
  const gen = `postcopy-lab trace gen ${trace.generator} ${options.map(shellWord).join(' ')} -o ${file}`;
  return `${gen} && postcopy-lab ${command} --trace ${file} ${flags}`;
}

const OPTION_PREFIX = 'o.';

/** The settings as a URL hash (without '#'): short keys, predictor options as `o.NAME`. */
export function settingsToHash(settings: WhatifSettings): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'options') continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  for (const [name, value] of Object.entries(settings.options)) params.set(OPTION_PREFIX + name, String(value));
  return params.toString();
}

/**
 * Settings from a URL hash over `base`: values that do not parse or are out of range keep `base`'s (a shared link
 * from an older page still opens), so the page never starts from an impossible setting; each value not taken is
 * added to `ignored` as `key=value` (unknown method names as `methods=NAME`), for the page to say so. Numbers are
 * read in decimal notation only, whole ones in plain digits, as the CLI's flags read them (Number() took k=0x10 as
 * 16).
 */
export function settingsFromHash(hash: string, base: WhatifSettings, ignored: string[] = []): WhatifSettings {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const out: WhatifSettings = { ...base, options: { ...base.options } };
  /** The value for `key`, or `fallback` (noting the text as ignored) when `take` refuses it. */
  const read = <T>(key: string, fallback: T, take: (text: string) => T | undefined): T => {
    const text = params.get(key);
    if (text === null) return fallback;
    const value = take(text);
    if (value !== undefined) return value;
    ignored.push(`${key}=${text}`);
    return fallback;
  };
  const choice = <T extends string>(key: string, choices: readonly T[], fallback: T): T =>
    read(key, fallback, (text) => ((choices as readonly string[]).includes(text) ? (text as T) : undefined));
  out.workload = params.get('workload') ?? base.workload;
  const methods = params.get('methods');
  if (methods !== null) {
    const named = methods.split(',');
    out.methods = PREDICTOR_NAMES.filter((name) => named.includes(name));
    for (const name of named)
      if (name !== '' && !(PREDICTOR_NAMES as readonly string[]).includes(name)) ignored.push(`methods=${name}`);
  }
  out.mode = choice('mode', MIGRATION_MODES, base.mode);
  out.push = choice('push', PUSH_POLICIES, base.push);
  out.urgentChannel = read('urgentChannel', base.urgentChannel, (text) =>
    text === 'true' ? true : text === 'false' ? false : undefined,
  );
  for (const key of Object.keys(KNOB_BOUNDS) as (keyof typeof KNOB_BOUNDS)[])
    out[key] = read(key, base[key], (text) => numberIn(KNOB_BOUNDS[key], text));
  // plain digits, as --page-size reads its bytes (4.096e3 opened at 4096)
  out.pageSize = read('pageSize', base.pageSize, (text) => {
    const pageSize = numberOfText(true, text);
    return pageSize === 0 || PAGE_SIZES.includes(pageSize) ? pageSize : undefined;
  });
  out.curve = choice('curve', CURVE_AXES, base.curve);
  for (const { name, spec } of declaredOptions()) {
    const key = OPTION_PREFIX + name;
    const value = read(key, undefined as string | number | undefined, (text) => {
      // a whole option in plain digits, as its box and its flag read it (o.order=3.0 and 3e0 were taken as 3)
      const value = spec.kind === 'choice' || spec.kind === 'text' ? text : numberOfText(spec.kind === 'whole', text);
      return optionProblem(spec, value) === undefined ? value : undefined;
    });
    if (value !== undefined) out.options[name] = value;
  }
  // a misspelt key (bandwith=10, o.ordre=2) or a key given again (k=4&k=16: the first is read) opened the page at
  // other values than the link's without a word
  const known = new Set([
    ...Object.keys(base).filter((key) => key !== 'options'),
    ...declaredOptions().map(({ name }) => OPTION_PREFIX + name),
  ]);
  const seen = new Set<string>();
  for (const [key, text] of params) {
    if (!known.has(key) || seen.has(key)) ignored.push(`${key}=${text}`);
    seen.add(key);
  }
  return out;
}
