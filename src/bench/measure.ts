/**
 * What every bench section shares: timing by median of repeated runs, the one shape every measured
 * line has (a value and its ratio to a baseline measured in the same run), and peak memory of a
 * child process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  if (goal.ratioAtLeast !== undefined) checks.push([`ratio >= ${Number(goal.ratioAtLeast.toPrecision(3))}`, ratio >= goal.ratioAtLeast]);
  if (goal.valueAtLeast !== undefined) checks.push([`>= ${goal.valueAtLeast.toExponential()} ${fields.unit}`, fields.value >= goal.valueAtLeast]);
  if (goal.valueAtMost !== undefined) checks.push([`<= ${goal.valueAtMost} ${fields.unit}`, fields.value <= goal.valueAtMost]);
  if (checks.length === 0) return { ...fields, ratio };
  return { ...fields, ratio, target: checks.map(([text]) => text).join(', '), met: checks.every(([, ok]) => ok) };
}

/** Median wall time of `runs` calls, after one warm-up call, in seconds (collects garbage between runs when exposed). */
export function medianSeconds(work: () => void, runs = 3): number {
  work();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** Peak resident memory and wall time of one child node process. */
export interface ChildRun {
  peakRssMiB: number;
  seconds: number;
}

/**
 * Runs `node ...args` in a child process and returns its peak RSS (the kernel's maxrss, read by a
 * preloaded exit hook), so what the bench itself holds never counts. Throws with the child's last
 * stderr line when it fails.
 */
export function childPeakRss(args: readonly string[]): ChildRun {
  const dir = mkdtempSync(join(tmpdir(), 'postcopy-bench-'));
  const out = join(dir, 'maxrss');
  const probe = join(dir, 'probe.js');
  writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));`);
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['--require', probe, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`'node ${args.join(' ')}' failed: ${(result.stderr ?? '').trim().split('\n').pop()}`);
    return { peakRssMiB: Number(readFileSync(out, 'utf8')) / 1024, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
