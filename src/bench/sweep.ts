/**
 * Parallel sweeps: notebook 06's what-if grid (every method at 27 settings on a zipf and a phased
 * workload) on all cores against the same sweep in one thread, after checking both give the same rows.
 *
 * Honest on a shared machine: serial and parallel runs alternate (S P, P S, ...), so a load that comes
 * and goes hits both sides; the speed-up is the median of the pairs' ratios, with every ratio kept
 * (`samples`) to show the spread. CPU seconds (the whole process: main thread, workers and V8's helper
 * threads) show the overhead the threads add whatever the load. A fresh process's first sweep, where
 * the workers start and their JIT warms up, is measured apart in child processes that run it as the CLI
 * does (its workers started before its traces are made), with the whole process beside it. How many cores the
 * one-thread run keeps busy (its process CPU over its main thread's) shows what it borrows from the idle
 * core: V8 compiles and collects garbage on helper threads, most of all while the JIT warms up. A control with
 * no worker code at all: the same warm one-thread sweep in two processes at once against one alone, the speed-up
 * the machine itself gives two independent runs (caches, memory and the host shared by both cores).
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import {
  DEFAULT_WHAT_IF_AXES,
  forgetJobResults,
  lastSweepTimes,
  setSweepWorkers,
  startSweepWorkers,
  SYNTHETIC_SEEDS,
  syntheticWorkloads,
  whatIfGrid,
  workloadsOfName,
  type SweepTimes,
} from '../experiments';
import { median } from '../util/statistics';
import { threadCpuSeconds } from '../util/thread-cpu';
import { line, type BenchLine } from './measure';

/** Issue 11's goal on 2 cores. */
export const SWEEP_SPEEDUP_GOAL = 1.8;

/**
 * Odd counts, so that each median is one measured pair. Single pairs of warm sweeps (about a second each) ranged
 * 1.25-2.51x on a machine with no other work, so a median of 5 moved by 0.1-0.4 between runs; 9 and 5 pairs take
 * about 30 s each on 2 idle cores.
 */
const WARM_PAIRS = 9;
const COLD_PAIRS = 5;

/**
 * Wall and CPU seconds of one run: the whole process's CPU, and the calling thread's where Linux tells it; for a
 * run on more than one thread, where each thread's time went.
 */
interface Timed {
  wall: number;
  cpu: number;
  mainCpu?: number;
  times?: SweepTimes;
}

/** The bench grid: every method at 27 settings on the first seed of zipf and phased. */
function gridSweep(workloads = syntheticWorkloads({ seeds: SYNTHETIC_SEEDS.slice(0, 1), kinds: ['zipf', 'phased'] })) {
  const axes = { ...DEFAULT_WHAT_IF_AXES, workload: workloads.map((w) => w.name), order: [3], push: ['off' as const] };
  return () => JSON.stringify(whatIfGrid(workloads, axes));
}

function timed(work: () => unknown): Timed {
  const cpu = process.cpuUsage();
  const mainCpu = threadCpuSeconds();
  const start = process.hrtime.bigint();
  const before = lastSweepTimes();
  work();
  const { user, system } = process.cpuUsage(cpu);
  const mainCpuAfter = threadCpuSeconds();
  const times = lastSweepTimes();
  return {
    wall: Number(process.hrtime.bigint() - start) / 1e9,
    cpu: (user + system) / 1e6,
    ...(mainCpu === undefined || mainCpuAfter === undefined ? {} : { mainCpu: mainCpuAfter - mainCpu }),
    ...(times && times !== before ? { times } : {}),
  };
}

/** Runs `work` on `workers` threads, every job run anew (none answered from results kept by an earlier run). */
function onWorkers<T>(workers: number, work: () => T): T {
  forgetJobResults();
  setSweepWorkers(workers);
  try {
    return work();
  } finally {
    setSweepWorkers(undefined);
  }
}

/** A fresh process's first sweep (from its call) and the whole process up to its end (node's start included). */
export interface FirstSweep {
  sweep: Timed;
  process: Timed;
}

/**
 * The first sweep of this process on `workers` threads, as `postcopy-lab sweep --workloads zipf,phased` runs it: the
 * workers start (startSweepWorkers), then this thread makes the traces (every seed of the two kinds, of which the
 * grid takes the first); what a child process prints.
 */
export function firstSweep(workers: number): FirstSweep {
  setSweepWorkers(workers);
  startSweepWorkers();
  const sweep = gridSweep(['zipf', 'phased'].flatMap(workloadsOfName).filter((w) => w.seed === SYNTHETIC_SEEDS[0]));
  const timedSweep = onWorkers(workers, () => timed(sweep));
  const { user, system } = process.cpuUsage();
  return { sweep: timedSweep, process: { wall: performance.now() / 1e3, cpu: (user + system) / 1e6 } };
}

/** Warm one-thread sweeps of the bench grid: each run's wall and calling-thread CPU seconds; what a child prints. */
export function soloSweeps(runs: number): { wall: number; cpu: number }[] {
  const sweep = gridSweep();
  onWorkers(1, sweep);
  onWorkers(1, sweep);
  return Array.from({ length: runs }, () => {
    const { wall, cpu, mainCpu } = onWorkers(1, () => timed(sweep));
    return { wall, cpu: mainCpu ?? cpu };
  });
}

/** soloSweeps(runs) in `count` fresh processes started at once; each one's runs. */
function soloInProcesses(count: number, runs: number): { wall: number; cpu: number }[][] {
  const child = `process.stdout.write(JSON.stringify(require(${JSON.stringify(__filename)}).soloSweeps(${runs})))`;
  const program = `const { execFile } = require('node:child_process');
const one = () => new Promise((done, fail) =>
  execFile(process.execPath, ['-e', ${JSON.stringify(child)}], (err, out) => (err ? fail(err) : done(JSON.parse(out)))));
Promise.all(Array.from({ length: ${count} }, one)).then((all) => process.stdout.write(JSON.stringify(all)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', program], { encoding: 'utf8' })) as {
    wall: number;
    cpu: number;
  }[][];
}

/** Warm runs per process of the control (soloSweeps); one process alone, two at once, one alone again. */
const SOLO_RUNS = 4;

/**
 * The control: warm one-thread sweeps in one process alone and in two at once (alternating, so a load that comes
 * and goes hits both). Two independent processes need no messages, no shared pool and compile nothing twice that
 * the workers would not: their speed-up over one alone is what the machine allows the worker threads.
 */
function machineLines(cores: number): BenchLine[] {
  const alone = [...soloInProcesses(1, SOLO_RUNS)[0]];
  const together = soloInProcesses(cores, SOLO_RUNS).flat();
  alone.push(...soloInProcesses(1, SOLO_RUNS)[0]);
  const aloneWall = median(alone.map((r) => r.wall));
  const ratios = together.map((r) => (cores * aloneWall) / r.wall);
  const base = { section: 'sweep', baseline: 'one process alone' };
  const what = `the same warm one-thread sweep in ${cores} processes at once (no worker threads)`;
  return [
    line({
      ...base,
      name: `speed-up the machine gives ${what} (${cores} x one alone's wall / each run's wall)`,
      unit: 'x',
      value: median(ratios),
      baselineValue: 1,
      samples: ratios,
    }),
    line({
      ...base,
      name: `CPU seconds of one run, ${what} (calling thread)`,
      unit: 's',
      value: median(together.map((r) => r.cpu)),
      baselineValue: median(alone.map((r) => r.cpu)),
    }),
  ];
}

/**
 * The speed-up CPU seconds allow on `cores` idle cores: with the cores to itself, one thread takes about its main
 * thread's CPU (V8's helpers use an idle core) and the parallel run at least its process CPU over the cores; a bound
 * that load barely moves, unlike wall time.
 */
export function cpuAllowedSpeedUp(serialMainCpu: number, parallelCpu: number, cores: number): number {
  return serialMainCpu / (parallelCpu / cores);
}

/** Serial and parallel runs in alternating order, `pairs` times: [serial, parallel] per pair. */
export function alternate<T>(pairs: number, run: (workers: number) => T, cores: number): [T, T][] {
  const result: [T, T][] = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      const serial = run(1);
      result.push([serial, run(cores)]);
    } else {
      const parallel = run(cores);
      result.push([run(1), parallel]);
    }
  }
  return result;
}

/** Each side in a fresh node process, so its workers start and warm up as in the CLI's sweep. */
function inFreshProcess(workers: number): FirstSweep {
  const program = `process.stdout.write(JSON.stringify(require(${JSON.stringify(__filename)}).firstSweep(${workers})))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', program], { encoding: 'utf8' })) as FirstSweep;
}

/**
 * The speed-up line (median ratio of the pairs, every ratio kept), the CPU line of the same runs (with the
 * CPU seconds each worker thread adds) and, where the main thread's CPU is known, the cores the one-thread
 * runs kept busy and the speed-up their CPU seconds allow on idle cores.
 */
export function pairLines(pairs: [Timed, Timed][], what: string, cores: number, speedUpGoal: boolean): BenchLine[] {
  const serial = median(pairs.map(([s]) => s.wall));
  const parallel = median(pairs.map(([, p]) => p.wall));
  const ratios = pairs.map(([s, p]) => s.wall / p.wall);
  const base = { section: 'sweep', baseline: 'the same sweep in one thread' };
  const runs = `median of ${pairs.length} alternating pairs`;
  const serialCpu = median(pairs.map(([s]) => s.cpu));
  const parallelCpu = median(pairs.map(([, p]) => p.cpu));
  const perWorker = (parallelCpu - serialCpu) / cores;
  const busy = pairs.flatMap(([s]) => (s.mainCpu ? [s.cpu / s.mainCpu] : []));
  const allowed = pairs.flatMap(([s, p]) => (s.mainCpu ? [cpuAllowedSpeedUp(s.mainCpu, p.cpu, cores)] : []));
  const coresBusy = busy.length
    ? [
        line({
          ...base,
          name: `cores busy in the one-thread runs, ${what} (process CPU / main thread CPU, same runs)`,
          unit: 'cores',
          value: median(busy),
          baselineValue: 1,
          samples: busy,
        }),
        line({
          ...base,
          name:
            `speed-up the CPU allows on ${cores} idle cores, ${what} ` +
            `(one thread's main-thread CPU / (${cores} threads' process CPU / ${cores}), same runs)`,
          unit: 'x',
          value: median(allowed),
          baselineValue: 1,
          samples: allowed,
        }),
      ]
    : [];
  return [
    line(
      {
        ...base,
        name: `speed-up on ${cores} threads, ${what} (${runs}; ${serial.toFixed(2)} s -> ${parallel.toFixed(2)} s)`,
        unit: 'x',
        value: median(ratios),
        baselineValue: 1,
        samples: ratios,
      },
      speedUpGoal && cores >= 2 ? { ratioAtLeast: SWEEP_SPEEDUP_GOAL } : {},
    ),
    line({
      ...base,
      name: `CPU seconds on ${cores} threads, ${what} (same runs; ${perWorker.toFixed(2)} s more per thread)`,
      unit: 's',
      value: parallelCpu,
      baselineValue: serialCpu,
    }),
    ...coresBusy,
    ...timeLines(pairs, what),
  ];
}

/**
 * Where the parallel runs' wall time went (parallel.ts lastSweepTimes): the seconds a worker spent in jobs (what
 * is missing is it waiting for its first job, for more work, or at the end for the others), when the last worker
 * to start began its first job, and how long the first worker to finish then waited for the last one.
 */
function timeLines(pairs: [Timed, Timed][], what: string): BenchLine[] {
  const runs = pairs.flatMap(([, p]) => (p.times ? [p.times] : []));
  if (runs.length === 0) return [];
  const base = { section: 'sweep', baseline: "the parallel sweep's wall time", unit: 's' };
  const seconds = median(runs.map((t) => t.seconds));
  const busy = runs.map((t) => t.threads.reduce((sum, thread) => sum + thread.busy, 0) / t.threads.length);
  const start = runs.map((t) => Math.max(...t.threads.map((thread) => thread.firstBegan)));
  const tail = runs.map((t) => t.seconds - Math.min(...t.threads.map((thread) => thread.lastEnded)));
  return [
    line({
      ...base,
      name: `seconds each worker spent in jobs, ${what} (same runs)`,
      value: median(busy),
      baselineValue: seconds,
      samples: busy,
    }),
    line({
      ...base,
      name: `the last worker's first job began after, ${what}`,
      value: median(start),
      baselineValue: seconds,
      samples: start,
    }),
    line({
      ...base,
      name: `the first worker to finish waited for the last, ${what}`,
      value: median(tail),
      baselineValue: seconds,
      samples: tail,
    }),
  ];
}

export function sweepSection(): BenchLine[] {
  const cores = availableParallelism();
  const sweep = gridSweep();
  // also the warm-up: the first parallel run starts the pool and warms the workers' JIT
  if (onWorkers(1, sweep) !== onWorkers(cores, sweep))
    throw new Error('the parallel sweep gave other rows than the serial one');
  onWorkers(cores, sweep);
  const warm = alternate(WARM_PAIRS, (workers) => onWorkers(workers, () => timed(sweep)), cores);
  const cold = alternate(COLD_PAIRS, inFreshProcess, cores);
  const machine = cores >= 2 ? machineLines(cores) : [];
  const what = "a fresh process's first sweep";
  return [
    ...pairLines(warm, 'warm workers', cores, true),
    ...machine,
    ...pairLines(
      cold.map(([s, p]) => [s.sweep, p.sweep]),
      `${what}, its workers started before its traces were made, as the CLI does`,
      cores,
      false,
    ),
    ...pairLines(
      cold.map(([s, p]) => [s.process, p.process]),
      `${what}, the whole process (node's start, loading the library, making the traces)`,
      cores,
      false,
    ).slice(0, 2),
  ];
}
