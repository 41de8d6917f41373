import type { MigrationMode } from '../migration';
import type { Row } from '../report/table';
import { generateTrace, type GeneratorKind } from '../trace';
import { gridPoints, resultMetrics, simulateWorkload, type Progress, type SimOverrides } from './common';

export interface WriteShareSweep {
  kind: GeneratorKind;
  writeRatios: readonly number[];
  modes: readonly MigrationMode[];
  accesses: number;
  pages: number;
  seed: string;
}

export const DEFAULT_WRITE_SHARE_SWEEP: WriteShareSweep = {
  kind: 'zipf', writeRatios: [0, 0.1, 0.25, 0.5, 0.75, 1], modes: ['precopy', 'postcopy', 'hybrid'],
  accesses: 30_000, pages: 4096, seed: 'write-share',
};

/**
 * Pre-copy, post-copy and hybrid as the write share grows: the same access pattern (same seed) with
 * more and more of its accesses being writes, which dirty pages that pre-copy must send again.
 * Every mode uses PPM for its post-copy faults and a sequential background push, so post-copy finishes.
 * One row per (write ratio, mode).
 */
export function modesVsWriteShare(sweep: WriteShareSweep = DEFAULT_WRITE_SHARE_SWEEP, overrides: SimOverrides = {}, progress?: Progress): Row[] {
  const points = gridPoints<{ writeRatio: number; mode: MigrationMode }>({ writeRatio: sweep.writeRatios, mode: sweep.modes });
  const traces = new Map(sweep.writeRatios.map((writeRatio) => [writeRatio,
    generateTrace(sweep.kind, { seed: sweep.seed, accesses: sweep.accesses, pages: sweep.pages, writeRatio })]));
  return points.map(({ writeRatio, mode }, i) => {
    const r = simulateWorkload({ trace: traces.get(writeRatio)! }, { predictor: 'ppm', push: 'sequential', ...overrides, mode });
    progress?.(i + 1, points.length, `${mode} w=${writeRatio}`);
    return { method: mode, writeRatio, precopyRounds: r.precopyRounds, ...resultMetrics(r) };
  });
}
