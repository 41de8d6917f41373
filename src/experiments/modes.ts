import type { MigrationMode } from '../migration';
import type { Row } from '../report/table';
import { generateTrace, type GeneratorKind } from '../trace';
import { simulateWorkload, type Progress, type SimOverrides } from './common';

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
  accesses: 300_000, pages: 16_384, seed: 'write-share',
};

/**
 * Pre-copy, post-copy and hybrid as the write share grows: the same access pattern with more and more
 * of its accesses being writes (dirtying pages pre-copy must send again). One row per (mode, write ratio).
 */
export function modesVsWriteShare(sweep: WriteShareSweep = DEFAULT_WRITE_SHARE_SWEEP, overrides: SimOverrides = {}, progress?: Progress): Row[] {
  const rows: Row[] = [];
  const total = sweep.writeRatios.length * sweep.modes.length;
  for (const writeRatio of sweep.writeRatios) {
    const trace = generateTrace(sweep.kind, { seed: sweep.seed, accesses: sweep.accesses, pages: sweep.pages, writeRatio });
    const workload = { name: `${sweep.kind} w=${writeRatio}`, source: 'synthetic' as const, trace };
    for (const mode of sweep.modes) {
      const r = simulateWorkload(workload, { predictor: 'ppm', push: 'sequential', switchoverFraction: 0, ...overrides, mode });
      rows.push({
        method: mode, writeRatio, downtimeMs: r.downtimeMs, stallMs: r.stallMs, totalMigrationMs: r.totalMigrationMs,
        pagesSent: r.pagesSent, bytesSentMiB: r.bytesSent / 2 ** 20, networkFaults: r.networkFaults, precopyRounds: r.precopyRounds,
      });
      progress?.(rows.length, total, `${mode} w=${writeRatio}`);
    }
  }
  return rows;
}
