/**
 * Parallel sweeps: notebook 06's what-if grid (every method at 81 settings on a zipf and a phased
 * workload, 594 simulations) on all cores against the same sweep in one thread, in wall time (median
 * of 3 after a warm-up, so the workers' JIT has settled as it has in a notebook after its first
 * sweep), and a check that both give the same rows.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_WHAT_IF_AXES, setSweepWorkers, SYNTHETIC_SEEDS, syntheticWorkloads, whatIfGrid } from '../experiments';
import { line, medianSeconds, type BenchLine } from './measure';

/** Issue 11's goal on 2 cores. */
export const SWEEP_SPEEDUP_GOAL = 1.8;

export function sweepSection(): BenchLine[] {
  const workloads = syntheticWorkloads({ seeds: SYNTHETIC_SEEDS.slice(0, 1), kinds: ['zipf', 'phased'] });
  const axes = { ...DEFAULT_WHAT_IF_AXES, workload: workloads.map((w) => w.name), order: [3], push: ['off' as const] };
  const cores = availableParallelism();
  const rowsOn = (workers: number) => {
    setSweepWorkers(workers);
    try {
      return JSON.stringify(whatIfGrid(workloads, axes));
    } finally {
      setSweepWorkers(undefined);
    }
  };
  if (rowsOn(1) !== rowsOn(cores)) throw new Error('the parallel sweep gave other rows than the serial one');
  const timing = { runs: 3, warmUps: 1, clock: 'wall' as const };
  const serial = medianSeconds(() => rowsOn(1), timing);
  const parallel = medianSeconds(() => rowsOn(cores), timing);
  const base = { section: 'sweep', unit: 'x', baseline: 'the same sweep in one thread', baselineValue: 1 };
  return [
    line(
      {
        ...base,
        name: `speed-up on ${cores} worker threads (${serial.toFixed(1)} s -> ${parallel.toFixed(1)} s)`,
        value: serial / parallel,
      },
      cores >= 2 ? { ratioAtLeast: SWEEP_SPEEDUP_GOAL } : {},
    ),
  ];
}
