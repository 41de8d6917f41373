import type { MigrationMode, MigrationResult } from '../migration';
import type { Row } from '../report/table';
import { generateTracesByWriteRatio, type GeneratorKind } from '../trace';
import { NOTEBOOK_SEEDS, SYNTHETIC_DEFAULTS } from './workloads';
import { gridPoints, resultMetrics, type Progress, type SimOverrides } from './common';
import { simulationJob } from './jobs';
import { runJobs } from './parallel';
import { deepFreeze } from '../util/deep-freeze';

export interface WriteShareSweep {
  kind: GeneratorKind;
  writeRatios: readonly number[];
  modes: readonly MigrationMode[];
  accesses: number;
  pages: number;
  instructionsPerAccess: number;
  seed: string;
}

/**
 * A zipf VM of 64 MiB whose trace lasts 2 s of VM time (200 k accesses, 10 k instructions each): longer
 * than one pre-copy round (about 0.55 s for 64 MiB at 1 Gbit/s), so the VM keeps dirtying pages
 * while pre-copy sends them, as a real VM does for the whole migration.
 */
export const DEFAULT_WRITE_SHARE_SWEEP: Readonly<WriteShareSweep> = deepFreeze({
  kind: 'zipf',
  writeRatios: [0, 0.05, 0.1, 0.25, 0.5, 0.75, 1],
  modes: ['precopy', 'postcopy', 'hybrid'],
  accesses: 200_000,
  pages: SYNTHETIC_DEFAULTS.pages,
  instructionsPerAccess: 10_000,
  seed: 'write-share',
});

/**
 * Hybrid as QEMU runs it (postcopy after the first pass): one full pre-copy round while the VM runs,
 * then post-copy for the pages dirtied meanwhile. Pre-copy keeps the simulator's round limit.
 */
export const HYBRID_PRECOPY_ROUNDS = 1;

/** The jobs of modesVsWriteShare, one per (write ratio, mode), and the grid points they run. */
function writeShareJobs(sweep: WriteShareSweep, overrides: SimOverrides) {
  // the rest are the generator's options (it refuses any other name)
  const { kind, writeRatios, modes, ...generator } = sweep;
  const points = gridPoints<{ writeRatio: number; mode: MigrationMode }>({ writeRatio: writeRatios, mode: modes });
  const byRatio = generateTracesByWriteRatio(kind, generator, writeRatios);
  const traces = new Map(writeRatios.map((writeRatio, i) => [writeRatio, byRatio[i]]));
  const jobs = points.map(({ writeRatio, mode }) => {
    const rounds = mode === 'hybrid' ? { precopyMaxRounds: HYBRID_PRECOPY_ROUNDS } : {};
    return simulationJob(
      { trace: traces.get(writeRatio)! },
      { predictor: 'ppm', push: 'sequential', ...rounds, ...overrides, mode },
      `${mode} w=${writeRatio}`,
    );
  });
  return { points, jobs };
}

function writeShareRows(
  points: readonly { writeRatio: number; mode: MigrationMode }[],
  results: readonly MigrationResult[],
): Row[] {
  return points.map(({ writeRatio, mode }, i) => ({
    method: mode,
    writeRatio,
    precopyRounds: results[i].precopyRounds,
    ...resultMetrics(results[i]),
  }));
}

/**
 * Pre-copy, post-copy and hybrid as the write share grows: the same access pattern (same seed) with
 * more and more of its accesses being writes, which dirty pages that pre-copy must send again.
 * Every mode uses PPM for its post-copy faults and a sequential background push, so post-copy finishes.
 * One row per (write ratio, mode).
 */
export function modesVsWriteShare(
  sweep: WriteShareSweep = DEFAULT_WRITE_SHARE_SWEEP,
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  const { points, jobs } = writeShareJobs(sweep, overrides);
  return writeShareRows(points, runJobs(jobs, progress));
}

/** The method of notebook 05's post-copy rows without prefetching (predictor none), beside PPM's "postcopy". */
export const PLAIN_POSTCOPY_LABEL = 'postcopy, no prefetch';

/**
 * Notebook 05's sweep (`sweep modes`): for each seed, modesVsWriteShare, then post-copy without prefetching
 * (PLAIN_POSTCOPY_LABEL) at each write share; every row carries its seed. One batch of jobs, so that the CLI can
 * cut it into shards.
 */
export function modesOverSeeds(
  seeds: readonly string[] = NOTEBOOK_SEEDS,
  sweep: WriteShareSweep = DEFAULT_WRITE_SHARE_SWEEP,
  progress?: Progress,
): Row[] {
  const parts = seeds.flatMap((seed) => [
    { seed, method: undefined, ...writeShareJobs({ ...sweep, seed }, {}) },
    {
      seed,
      method: PLAIN_POSTCOPY_LABEL,
      ...writeShareJobs({ ...sweep, seed, modes: ['postcopy'] }, { predictor: 'none' }),
    },
  ]);
  const results = runJobs(
    parts.flatMap((part) => part.jobs),
    progress,
  );
  let start = 0;
  return parts.flatMap(({ seed, method, points }) => {
    const rows = writeShareRows(points, results.slice(start, (start += points.length)));
    return rows.map((row) => ({ ...row, ...(method === undefined ? {} : { method }), seed }));
  });
}
