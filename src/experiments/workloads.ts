/**
 * The workloads every experiment runs on: seeded synthetic traces of each generator kind, and the four
 * real traces captured from real programs in datasets/. Sizes are chosen so that all notebooks together
 * run in a few minutes on two cores.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../report/notebook';
import { quoted, refuseUnknownNames, UserError } from '../errors';
import type { Row } from '../report/table';
import {
  GENERATOR_KINDS,
  generateTrace,
  loadTrace,
  traceFootprint,
  type GeneratorKind,
  type GeneratorOptions,
  type Trace,
} from '../trace';
import { deepFreeze } from '../util/deep-freeze';

export interface Workload {
  /** The generator kind or the real trace's name; seeds of one kind share it. */
  name: string;
  /** 'real': a process trace of datasets/, pages remapped densely; 'guest': a whole guest's pages (QEMU plugin). */
  source: 'synthetic' | 'real' | 'guest';
  /** The generator's seed (synthetic workloads) or the QEMU run (guest workloads): replicates of one workload. */
  seed?: string;
  trace: Trace;
  /** Accesses in the whole trace before any prefix cut (= trace length when not cut). */
  fullAccesses: number;
  /** Pages of the VM when it is more than the trace's footprint (a whole guest); absent: largest page + 1. */
  vmPages?: number;
}

export interface SyntheticOptions {
  /** One trace per seed and kind: the spread over seeds is the interval the notebooks show. */
  seeds?: readonly string[];
  accesses?: number;
  pages?: number;
  writeRatio?: number;
  instructionsPerAccess?: number;
  kinds?: readonly GeneratorKind[];
}

/** SyntheticOptions' names (the compiler keeps this whole): a misspelt one ({ seed: 'a' }) is refused. */
const SYNTHETIC_OPTION_NAMES = Object.keys({
  seeds: true,
  accesses: true,
  pages: true,
  writeRatio: true,
  instructionsPerAccess: true,
  kinds: true,
} satisfies Record<keyof SyntheticOptions, true>);

/**
 * Defaults for synthetic traces: 50 k accesses over 16384 pages (64 MiB), so the 30 % that run before
 * switchover show most of each pattern (PPM learns from them) and prediction still has pages to get
 * wrong; 1000 instructions per access is within the range of the real traces (about 220 to 2500).
 */
export const SYNTHETIC_DEFAULTS = deepFreeze({
  accesses: 50_000,
  pages: 16_384,
  writeRatio: 0.3,
  instructionsPerAccess: 1000,
} as const);

/** Five seeds per kind: enough for a min-max interval that shows whether a difference outlives the seed. */
export const SYNTHETIC_SEEDS: readonly string[] = deepFreeze(['seed-1', 'seed-2', 'seed-3', 'seed-4', 'seed-5']);

/**
 * The seeds of the notebooks whose sweeps multiply methods or grid points by the seeds (02-05, 07): three of
 * SYNTHETIC_SEEDS, which still show how much a seed moves a result at three fifths of the runs.
 */
export const NOTEBOOK_SEEDS: readonly string[] = deepFreeze(SYNTHETIC_SEEDS.slice(0, 3));

/**
 * Kinds that differ for address-blind methods (plain post-copy, PPM over page numbers, the oracle): sequential,
 * strided and pointer-chase are each one cycle through every page, relabelled, so without an address-ordered push
 * those methods give them identical results; they stay apart only for spatial predictors (notebook 04) and push.
 */
export const DISTINCT_KINDS: readonly GeneratorKind[] = deepFreeze(['sequential', 'random', 'zipf', 'phased']);

/**
 * The generator settings behind syntheticWorkloads: one per kind and seed, kinds outermost (the what-if
 * page's worker runs them itself).
 */
export function syntheticGenerators(
  options: SyntheticOptions = {},
): Array<{ kind: GeneratorKind; seed: string; options: GeneratorOptions }> {
  // ignored, it made the default traces without a word ({ seed } was overridden by each of the seeds)
  refuseUnknownNames(options, SYNTHETIC_OPTION_NAMES, 'synthetic workload option');
  const { kinds = GENERATOR_KINDS, seeds = SYNTHETIC_SEEDS, ...rest } = options;
  return kinds.flatMap((kind) =>
    seeds.map((seed) => ({ kind, seed, options: { ...SYNTHETIC_DEFAULTS, ...rest, seed } })),
  );
}

/** One seeded trace per generator kind and seed, kinds outermost (same options give the same traces). */
export function syntheticWorkloads(options: SyntheticOptions = {}): Workload[] {
  return syntheticGenerators(options).map(({ kind, seed, options: o }) => ({
    name: kind,
    source: 'synthetic' as const,
    seed,
    trace: generateTrace(kind, o),
    fullAccesses: o.accesses,
  }));
}

export const DATASET_DIR = join(PROJECT_ROOT, 'datasets');
/** The real traces in datasets/ (see datasets/README.md for how each was captured). */
export const REAL_TRACE_NAMES = ['sqlite', 'perl', 'bzip2', 'sort'] as const;
export type RealTraceName = (typeof REAL_TRACE_NAMES)[number];

/**
 * Real traces are replayed whole by default (the longest, bzip2, has 319 k accesses and simulates in a
 * fraction of a second); maxAccesses cuts them to a prefix where a sweep needs to be cheaper.
 */
export const REAL_TRACE_MAX_ACCESSES = Infinity;

export interface RealOptions {
  names?: readonly RealTraceName[];
  /** Keep only the first N accesses (Infinity keeps whole traces). */
  maxAccesses?: number;
  dir?: string;
}

/** RealOptions' names (the compiler keeps this whole): a misspelt one ({ name: ['sqlite'] }) is refused. */
const REAL_OPTION_NAMES = Object.keys({
  names: true,
  maxAccesses: true,
  dir: true,
} satisfies Record<keyof RealOptions, true>);

/** The file of the real trace `name` in `dir`. */
export function realTraceFile(name: string, dir = DATASET_DIR): string {
  return join(dir, `${name}.trace.gz`);
}

/** The first n accesses of a trace (shares the arrays; the whole trace when it is shorter). */
export function tracePrefix(trace: Trace, n: number): Trace {
  if (n >= trace.page.length) return trace;
  return {
    ...trace,
    time: trace.time.subarray(0, n),
    page: trace.page.subarray(0, n),
    write: trace.write.subarray(0, n),
  };
}

const loaded = new Map<string, Trace>();

/** Loads a dataset once per process: notebooks call several experiments on the same traces. */
function loadDataset(path: string): Trace {
  let trace = loaded.get(path);
  if (!trace) {
    trace = loadTrace(path);
    loaded.set(path, trace);
  }
  return trace;
}

/** The real traces from datasets/, each cut to maxAccesses. */
export function realWorkloads(options: RealOptions = {}): Workload[] {
  // ignored, it loaded every real trace whole without a word
  refuseUnknownNames(options, REAL_OPTION_NAMES, 'real workload option');
  const { names = REAL_TRACE_NAMES, maxAccesses = REAL_TRACE_MAX_ACCESSES, dir } = options;
  return names.map((name) => {
    const whole = loadDataset(realTraceFile(name, dir));
    return { name, source: 'real' as const, trace: tracePrefix(whole, maxAccesses), fullAccesses: whole.page.length };
  });
}

/** Synthetic then real workloads: what "every workload" means in the notebooks. */
export function allWorkloads(synthetic: SyntheticOptions = {}, real: RealOptions = {}): Workload[] {
  return [...syntheticWorkloads(synthetic), ...realWorkloads(real)];
}

/** The workload of that name; a one-line error listing the names otherwise. */
export function findWorkload(workloads: readonly Workload[], name: string): Workload {
  const workload = workloads.find((w) => w.name === name);
  if (!workload) throw unknownWorkload(name, [...new Set(workloads.map((w) => w.name))]);
  return workload;
}

/**
 * The workloads of allWorkloads() named `name` (a synthetic kind: one per seed), made without the others: the CLI's
 * `--workloads zipf,phased` made all 34 first (0.56 s, reading every real trace) to keep 10.
 */
export function workloadsOfName(name: string): Workload[] {
  const kind = GENERATOR_KINDS.find((k) => k === name);
  if (kind) return syntheticWorkloads({ kinds: [kind] });
  const real = REAL_TRACE_NAMES.find((r) => r === name);
  if (real) return realWorkloads({ names: [real] });
  throw unknownWorkload(name, [...GENERATOR_KINDS, ...REAL_TRACE_NAMES]);
}

const unknownWorkload = (name: string, names: readonly string[]) =>
  new UserError(`unknown workload ${quoted(name)} (have: ${names.join(', ')})`);

/**
 * One row per workload name for a notebook's setup table: what was replayed, what was cut, how many seeds (first seed's
 * stats).
 */
export function workloadRows(workloads: readonly Workload[]): Row[] {
  const names = [...new Set(workloads.map((w) => w.name))];
  return names.map((name) => {
    const same = workloads.filter((w) => w.name === name);
    const stats = traceFootprint(same[0].trace);
    return {
      workload: name,
      source: same[0].source,
      seeds: same[0].seed === undefined ? null : same.length,
      accesses: stats.accesses,
      ofAccesses: same[0].fullAccesses,
      distinctPages: stats.distinctPages,
      footprintMiB: stats.footprintMiB,
      writeShare: stats.writeShare,
    };
  });
}
