/**
 * The notebooks' sweeps, each as a user runs it: `postcopy-lab sweep NAME` in a fresh process, on one thread
 * and with the default worker count (one pair per sweep, which side goes first alternating), after checking both
 * wrote the same rows. The default spreads a sweep over all cores once its first jobs show it is long enough to pay
 * for the workers' warm-up, and runs a short one in the calling thread (src/experiments/parallel.ts runHere). Issue
 * 11 item 4 asks this of "experiments that run many independent simulations (notebooks 02-07)"; the
 * sweep section's grid is a 2-second sweep, where a fresh process's JIT warm-up is a third of the work, while
 * these run 2-150 CPU seconds each. Wall times, and where Linux tells the main thread's CPU, the speed-up the
 * CPU seconds allow on idle cores (the one-thread run's main-thread CPU over the parallel run's process CPU per
 * core), which load barely moves. Each runs its notebook's workloads and parameters (`sweep --help`), the rows the
 * notebook computes; `sweep faults` only notebook 01's last cell.
 */
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SWEEP_NAMES } from '../cli/sweep';
import { WORKERS_ENV } from '../experiments';
import { benchDir, cliArgs, line, runChild, type BenchLine, type ChildRun } from './measure';
import { cpuAllowedSpeedUp, SWEEP_SPEEDUP_GOAL } from './sweep';

/** One sweep's pair: the one-thread run and the run with the default worker count (all cores, if worth it). */
export interface SweepPair {
  name: string;
  serial: ChildRun;
  parallel: ChildRun;
}

/** Runs sweep `name` on `workers` threads (undefined: the default), writing its rows to `file`. */
export type SweepRunner = (name: string, workers: number | undefined, file: string) => ChildRun;

/** The command line of sweep `name` on `workers` threads, and its environment: the default sets neither. */
export function sweepCommand(
  name: string,
  workers: number | undefined,
  file: string,
  env: NodeJS.ProcessEnv,
): { args: string[]; env: NodeJS.ProcessEnv } {
  const { [WORKERS_ENV]: _chosen, ...others } = env;
  const count = workers === undefined ? [] : ['--workers', String(workers)];
  return { args: cliArgs('sweep', name, ...count, '-o', file), env: others };
}

/** A fresh process running the sweep as a user does. */
const sweepInFreshProcess: SweepRunner = (name, workers, file) => {
  const { args, env } = sweepCommand(name, workers, file, process.env);
  return runChild(args, env);
};

/**
 * One pair per sweep, which side goes first alternating (a load that comes and goes hits both sides), each run's
 * rows written into `dir`; throws if the two runs of a sweep wrote different rows.
 */
export function sweepPairs(names: readonly string[], dir: string, run: SweepRunner): SweepPair[] {
  return names.map((name, index) => {
    const serialFile = join(dir, `${name}-1.json`);
    const parallelFile = join(dir, `${name}-default.json`);
    let serial: ChildRun;
    let parallel: ChildRun;
    if (index % 2 === 0) {
      serial = run(name, 1, serialFile);
      parallel = run(name, undefined, parallelFile);
    } else {
      parallel = run(name, undefined, parallelFile);
      serial = run(name, 1, serialFile);
    }
    if (!readFileSync(serialFile).equals(readFileSync(parallelFile)))
      throw new Error(`sweep ${name}: the default run wrote other rows than the one-thread run`);
    return { name, serial, parallel };
  });
}

function sum(runs: readonly ChildRun[], pick: (run: ChildRun) => number | undefined): number {
  return runs.reduce((total, run) => total + (pick(run) ?? NaN), 0);
}

/** The section over the sweeps `names` (all of the CLI's by default). */
export function notebookSweepSection(names: readonly string[] = SWEEP_NAMES): BenchLine[] {
  const cores = availableParallelism();
  const dir = benchDir();
  let pairs: SweepPair[];
  try {
    pairs = sweepPairs(names, dir, sweepInFreshProcess);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = { section: 'notebooks', baseline: 'the same sweep in one thread', unit: 'x', baselineValue: 1 };
  const perSweep = pairs.flatMap(({ name, serial, parallel }) => {
    const allows =
      serial.mainCpuSeconds === undefined
        ? undefined
        : cpuAllowedSpeedUp(serial.mainCpuSeconds, parallel.cpuSeconds, cores);
    const seconds = `${serial.seconds.toFixed(1)} s -> ${parallel.seconds.toFixed(1)} s`;
    const cpu = `CPU ${serial.cpuSeconds.toFixed(1)} s -> ${parallel.cpuSeconds.toFixed(1)} s`;
    return [
      line({ ...base, name: `speed-up, sweep ${name} (${seconds}; ${cpu})`, value: serial.seconds / parallel.seconds }),
      ...(allows === undefined
        ? []
        : [line({ ...base, name: `speed-up its CPU allows, sweep ${name}`, value: allows })]),
    ];
  });
  const serialRuns = pairs.map((p) => p.serial);
  const parallelRuns = pairs.map((p) => p.parallel);
  const serialWall = sum(serialRuns, (r) => r.seconds);
  const parallelWall = sum(parallelRuns, (r) => r.seconds);
  const mainCpu = sum(serialRuns, (r) => r.mainCpuSeconds);
  const walls = `${serialWall.toFixed(1)} s -> ${parallelWall.toFixed(1)} s`;
  const all = pairs.length === 1 ? `sweep ${pairs[0].name} alone` : `all ${pairs.length} sweeps one after another`;
  return [
    ...perSweep,
    line(
      {
        ...base,
        name: `speed-up by default on ${cores} cores, ${all} (${walls})`,
        value: serialWall / parallelWall,
      },
      cores >= 2 ? { ratioAtLeast: SWEEP_SPEEDUP_GOAL } : {},
    ),
    ...(Number.isNaN(mainCpu)
      ? []
      : [
          line({
            ...base,
            name: `speed-up the CPU allows on ${cores} idle cores, ${all}`,
            value: cpuAllowedSpeedUp(
              mainCpu,
              sum(parallelRuns, (r) => r.cpuSeconds),
              cores,
            ),
          }),
        ]),
  ];
}
