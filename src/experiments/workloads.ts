/**
 * The workloads every experiment runs on: seeded synthetic traces of each generator kind, and the real
 * traces captured from real programs in datasets/.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATOR_KINDS, generateTrace, loadTrace, type GeneratorKind, type Trace } from '../trace';
import { PROJECT_ROOT } from '../report/notebook';

export interface Workload {
  name: string;
  source: 'synthetic' | 'real';
  trace: Trace;
}

export interface SyntheticOptions {
  seed?: string;
  accesses?: number;
  pages?: number;
  writeRatio?: number;
  kinds?: readonly GeneratorKind[];
}

/** One seeded trace per generator kind (same options give the same traces). */
export function syntheticWorkloads(options: SyntheticOptions = {}): Workload[] {
  const { seed = 'postcopy-lab', accesses = 200_000, pages = 16_384, writeRatio = 0.3, kinds = GENERATOR_KINDS } = options;
  return kinds.map((kind) => ({
    name: kind,
    source: 'synthetic' as const,
    trace: generateTrace(kind, { seed, accesses, pages, writeRatio }),
  }));
}

export const DATASET_DIR = join(PROJECT_ROOT, 'datasets');
const TRACE_FILE = /\.(pctrace|trace|txt)(\.gz)?$/;

/** Every trace file in datasets/ (the real traces), by name; empty when there are none. */
export function realWorkloads(dir = DATASET_DIR): Workload[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => TRACE_FILE.test(f))
    .sort()
    .map((f) => ({ name: f.replace(TRACE_FILE, ''), source: 'real' as const, trace: loadTrace(join(dir, f)) }));
}

/** Synthetic then real workloads. */
export function allWorkloads(options: SyntheticOptions = {}): Workload[] {
  return [...syntheticWorkloads(options), ...realWorkloads()];
}
