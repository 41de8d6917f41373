/**
 * The workloads every experiment runs on: seeded synthetic traces of each generator kind, and the four
 * real traces captured from real programs in datasets/. Sizes are chosen so that all notebooks together
 * run in a few minutes on two cores.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../report/notebook';
import { UserError } from '../errors';
import type { Row } from '../report/table';
import { GENERATOR_KINDS, generateTrace, loadTrace, traceStats, type GeneratorKind, type GeneratorOptions, type Trace } from '../trace';

export interface Workload {
  name: string;
  source: 'synthetic' | 'real';
  trace: Trace;
  /** Accesses in the whole trace before any prefix cut (= trace length when not cut). */
  fullAccesses: number;
}

export interface SyntheticOptions {
  seed?: string;
  accesses?: number;
  pages?: number;
  writeRatio?: number;
  instructionsPerAccess?: number;
  kinds?: readonly GeneratorKind[];
}

/**
 * Defaults for synthetic traces: 50 k accesses over 16384 pages (64 MiB), so the 30 % that run before
 * switchover show most of each pattern (PPM learns from them) and prediction still has pages to get
 * wrong; 1000 instructions per access is within the range of the real traces (about 220 to 2500).
 */
export const SYNTHETIC_DEFAULTS = { seed: 'postcopy-lab', accesses: 50_000, pages: 16_384, writeRatio: 0.3, instructionsPerAccess: 1000 } as const;

/** The generator settings behind syntheticWorkloads: one per kind (the what-if page's worker runs them itself). */
export function syntheticGenerators(options: SyntheticOptions = {}): Array<{ kind: GeneratorKind; options: GeneratorOptions }> {
  const { kinds = GENERATOR_KINDS, ...rest } = options;
  return kinds.map((kind) => ({ kind, options: { ...SYNTHETIC_DEFAULTS, ...rest } }));
}

/** One seeded trace per generator kind (same options give the same traces). */
export function syntheticWorkloads(options: SyntheticOptions = {}): Workload[] {
  return syntheticGenerators(options).map(({ kind, options: o }) => ({
    name: kind,
    source: 'synthetic' as const,
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

/** The first n accesses of a trace (shares the arrays; the whole trace when it is shorter). */
export function tracePrefix(trace: Trace, n: number): Trace {
  if (n >= trace.page.length) return trace;
  return { ...trace, time: trace.time.subarray(0, n), page: trace.page.subarray(0, n), write: trace.write.subarray(0, n) };
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
  const { names = REAL_TRACE_NAMES, maxAccesses = REAL_TRACE_MAX_ACCESSES, dir = DATASET_DIR } = options;
  return names.map((name) => {
    const whole = loadDataset(join(dir, `${name}.trace.gz`));
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
  if (!workload) throw new UserError(`unknown workload '${name}' (have: ${workloads.map((w) => w.name).join(', ')})`);
  return workload;
}

/** One row per workload for a notebook's setup table: what was replayed, and what was cut. */
export function workloadRows(workloads: readonly Workload[]): Row[] {
  return workloads.map((w) => {
    const stats = traceStats(w.trace);
    return {
      workload: w.name, source: w.source, accesses: stats.accesses, ofAccesses: w.fullAccesses,
      distinctPages: stats.distinctPages, footprintMiB: stats.footprintMiB, writeShare: stats.writeShare,
    };
  });
}
