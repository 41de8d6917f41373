/**
 * What every bench section shares: timing by median of repeated runs, the one shape every measured
 * line has (a value and its ratio to a baseline measured in the same run), and peak memory of a
 * child process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workDirIn } from '../util/atomic-write';

/**
 * One line of the report. `ratio` = value / baselineValue: the ratio, not the raw rate, is what
 * compares across machines and across runs on a shared machine (both sides see the same load).
 */
export interface BenchLine {
  /** Which part of the issue it measures: 'replay', 'parse', 'memory', 'sweep'. */
  section: string;
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  ratio: number;
  /** When the value is the median of repeated measurements: each of them, so the spread shows. */
  samples?: number[];
  /** The goal for the ratio, in words (e.g. '>= 0.33'), and whether this run met it. */
  target?: string;
  met?: boolean;
}

/** A goal for a line: a least ratio to its baseline, or a bound on its value. */
export interface Goal {
  ratioAtLeast?: number;
  valueAtLeast?: number;
  valueAtMost?: number;
}

/** A line with its ratio computed and its goal, if any, checked. */
export function line(fields: Omit<BenchLine, 'ratio' | 'target' | 'met'>, goal: Goal = {}): BenchLine {
  const ratio = fields.value / fields.baselineValue;
  const checks: [string, boolean][] = [];
  if (goal.ratioAtLeast !== undefined)
    checks.push([`ratio >= ${Number(goal.ratioAtLeast.toPrecision(3))}`, ratio >= goal.ratioAtLeast]);
  if (goal.valueAtLeast !== undefined)
    checks.push([`>= ${goal.valueAtLeast.toExponential()} ${fields.unit}`, fields.value >= goal.valueAtLeast]);
  if (goal.valueAtMost !== undefined)
    checks.push([`<= ${goal.valueAtMost} ${fields.unit}`, fields.value <= goal.valueAtMost]);
  if (checks.length === 0) return { ...fields, ratio };
  return { ...fields, ratio, target: checks.map(([text]) => text).join(', '), met: checks.every(([, ok]) => ok) };
}

/**
 * Which clock times a measurement: 'cpu' is this process's CPU time, right for single-threaded work
 * on a shared machine (time spent descheduled while others run is not the code's); 'wall' for work
 * spread over threads or processes.
 */
export type Clock = 'cpu' | 'wall';

function now(clock: Clock): number {
  if (clock === 'wall') return Number(process.hrtime.bigint()) / 1e9;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Median time of `runs` calls, after `warmUps` calls that let the JIT settle, in seconds. No forced
 * garbage collection between runs: with one before each run the simulator measured up to 3x slower
 * here, a cost no real run pays.
 */
export function medianSeconds(work: () => void, { runs = 5, warmUps = 2, clock = 'cpu' as Clock } = {}): number {
  for (let i = 0; i < warmUps; i++) work();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = now(clock);
    work();
    times.push(now(clock) - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/**
 * A new directory for a bench's files in the temporary directory, named postcopy-bench-PID-XXXXXX: its section removes
 * it when done, and a bench stopped before that (Ctrl-C in the 10^8-access memory section left its trace behind) has
 * its directory removed by the next bench.
 */
export function benchDir(): string {
  return workDirIn(tmpdir(), 'postcopy-bench');
}

/** The compiled CLI, the bin's file. */
export const CLI = join(__dirname, '..', 'cli.js');

/**
 * The node flags of the bin's shebang (`#!/usr/bin/env -S node FLAGS`, src/cli.ts): the bench runs the CLI as
 * `npx postcopy-lab` does, with its young generation (src/util/young-generation.ts).
 */
export function binNodeFlags(cli = CLI): string[] {
  const shebang = readFileSync(cli, 'utf8').split('\n', 1)[0];
  const match = /^#!\/usr\/bin\/env -S node((?: +\S+)*) *$/.exec(shebang);
  if (!match)
    throw new Error(`${cli} does not start with '#!/usr/bin/env -S node': the bench cannot run it as the bin`);
  return match[1].split(' ').filter(Boolean);
}

/** The arguments of node running the CLI with `args` as the bin does (for runChild). */
export function cliArgs(...args: string[]): string[] {
  return [...binNodeFlags(), CLI, ...args];
}

/** Peak resident memory, wall time and CPU time of one child node process. */
export interface ChildRun {
  peakRssMiB: number;
  seconds: number;
  /** The whole process's CPU seconds (every thread, V8's helpers included). */
  cpuSeconds: number;
  /** Its main thread's CPU seconds, where Linux tells them. */
  mainCpuSeconds?: number;
}

/**
 * Runs `node ...args` in a child process and returns its peak RSS (the kernel's VmHWM where there is
 * /proc, else maxrss) and CPU time, read by a preloaded exit hook, so what the bench itself holds or
 * spends never counts; `env`, its environment. Throws with the child's last stderr line when it fails.
 */
export function runChild(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildRun {
  const dir = benchDir();
  const out = join(dir, 'maxrss');
  const probe = join(dir, 'probe.js');
  writeFileSync(
    probe,
    // VmHWM is this program's own peak; maxRSS also counts the parent's pages that the fork copied
    // before exec (Linux carries the old high-water mark over), so a large bench inflated every child
    `const fs = require('fs');
process.on('exit', () => {
  let kib = process.resourceUsage().maxRSS;
  try { kib = Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  let mainCpu = null;
  try { mainCpu = Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9; } catch {}
  const { user, system } = process.cpuUsage();
  fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ kib, cpu: (user + system) / 1e6, mainCpu }));
});`,
  );
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['--require', probe, ...args], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0)
      throw new Error(`'node ${args.join(' ')}' failed: ${(result.stderr ?? '').trim().split('\n').pop()}`);
    const { kib, cpu, mainCpu } = JSON.parse(readFileSync(out, 'utf8')) as {
      kib: number;
      cpu: number;
      mainCpu: number | null;
    };
    return {
      peakRssMiB: kib / 1024,
      seconds,
      cpuSeconds: cpu,
      ...(mainCpu === null ? {} : { mainCpuSeconds: mainCpu }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
