/**
 * Peak memory at scale: a generated trace of N accesses (10^8 by default) written to a .pctrace
 * file, then `trace stats` and a PPM `simulate` on it, each in a child process so that only its own
 * memory counts. The baseline is the file's size: RSS below it means the trace was never held whole.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPeakRss, line, type BenchLine } from './measure';

/** Issue 11's goal: simulate and stats on 10^8 accesses in under 1 GiB. */
export const PEAK_RSS_GOAL_MIB = 1024;

const CLI = join(__dirname, '..', 'cli.js');

export function memorySection(accesses: number): BenchLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'postcopy-bench-trace-'));
  try {
    const file = join(dir, 'bench.pctrace');
    const runs: [string, string[], boolean][] = [
      [
        'trace gen',
        [
          'trace',
          'gen',
          'zipf',
          '--seed',
          'bench',
          '--accesses',
          String(accesses),
          '--pages',
          String(1 << 22),
          '-o',
          file,
        ],
        false,
      ],
      ['trace stats', ['trace', 'stats', file], true],
      ['simulate --prefetcher ppm', ['simulate', '--trace', file, '--prefetcher', 'ppm', '--switchover', '0.5'], true],
    ];
    const measured = runs.map(([name, args, goal]) => ({ name, goal, run: childPeakRss([CLI, ...args]) }));
    const fileMiB = statSync(file).size / 2 ** 20;
    const base = {
      section: 'memory',
      unit: 'MiB',
      baseline: `size of the .pctrace file of ${accesses} accesses`,
      baselineValue: fileMiB,
    };
    return measured.map(({ name, goal, run }) =>
      line(
        { ...base, name: `peak RSS of ${name} (${run.seconds.toFixed(1)} s)`, value: run.peakRssMiB },
        goal ? { valueAtMost: PEAK_RSS_GOAL_MIB } : {},
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
