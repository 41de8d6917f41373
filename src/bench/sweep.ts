/**
 * Parallel sweeps: the fault comparison of every method on the synthetic workloads (notebook 01's
 * sweep) on all cores against the same sweep in one thread, in wall time (median of 3), and a
 * check that both give the same rows.
 */
import { availableParallelism } from 'node:os';
import { faultComparison, setSweepWorkers, SYNTHETIC_SEEDS, syntheticWorkloads } from '../experiments';
import { line, medianSeconds, type BenchLine } from './measure';

/** Issue 11's goal on 2 cores. */
export const SWEEP_SPEEDUP_GOAL = 1.8;

export function sweepSection(): BenchLine[] {
  const workloads = syntheticWorkloads({ seeds: SYNTHETIC_SEEDS.slice(0, 1) });
  const cores = availableParallelism();
  const rowsOn = (workers: number) => {
    setSweepWorkers(workers);
    try {
      return JSON.stringify(faultComparison(workloads));
    } finally {
      setSweepWorkers(undefined);
    }
  };
  if (rowsOn(1) !== rowsOn(cores)) throw new Error('the parallel sweep gave other rows than the serial one');
  const timing = { runs: 3, warmUps: 0, clock: 'wall' as const };
  const serial = medianSeconds(() => rowsOn(1), timing);
  const parallel = medianSeconds(() => rowsOn(cores), timing);
  const base = { section: 'sweep', unit: 'x', baseline: 'the same sweep in one thread', baselineValue: 1 };
  return [
    line({ ...base, name: `speed-up on ${cores} worker threads (${serial.toFixed(1)} s -> ${parallel.toFixed(1)} s)`, value: serial / parallel },
      cores >= 2 ? { ratioAtLeast: SWEEP_SPEEDUP_GOAL } : {}),
  ];
}
