/**
 * Peak memory at scale: a generated trace of N accesses (10^8 by default) written to a .pctrace file, then
 * `trace stats`, a PPM `simulate`, a PPM `predict` and a `compare` of plain, PPM and the oracle on it, each
 * in a child process so that only its own memory counts, run as the bin runs (the shebang's node flags: the young
 * generation of src/util/young-generation.ts, up to 32 MiB more RSS than node's default). The baseline is a bare pass
 * measured in the same run: a child that streams the same file and drops every chunk (node itself plus the reader's
 * buffers).
 * The file's size is named beside it: a peak below it means the trace was never held whole.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, binNodeFlags, cliArgs, runChild, line, type BenchLine, type ChildRun } from './measure';

/** Issue 11's goal: simulate and stats on 10^8 accesses in under 1 GiB (held to predict and compare too). */
export const PEAK_RSS_GOAL_MIB = 1024;

const TRACE_MODULE = join(__dirname, '..', 'trace');

/** A child's script that reads `file` through streamTrace and keeps nothing, under the node flags the CLI gets. */
function bareStream(file: string): string[] {
  const code = `(async () => { for await (const chunk of require(${JSON.stringify(TRACE_MODULE)}).streamTrace(${JSON.stringify(file)})) void chunk; })()`;
  return [...binNodeFlags(), '-e', code];
}

export function memorySection(accesses: number): BenchLine[] {
  const dir = benchDir();
  try {
    const file = join(dir, 'bench.pctrace');
    const generate = ['trace', 'gen', 'zipf', '--seed', 'bench', '--accesses', String(accesses)];
    const gen = runChild(cliArgs(...generate, '--pages', String(1 << 22), '-o', file));
    const bare = runChild(bareStream(file));
    const atHalf = ['--trace', file, '--switchover', '0.5'];
    const runs: [string, string[]][] = [
      ['trace stats', ['trace', 'stats', file]],
      ['simulate --prefetcher ppm', ['simulate', ...atHalf, '--prefetcher', 'ppm']],
      ['predict --predictor ppm', ['predict', ...atHalf, '--predictor', 'ppm']],
      ['compare --prefetchers none,ppm,oracle', ['compare', ...atHalf, '--prefetchers', 'none,ppm,oracle']],
    ];
    const fileMiB = statSync(file).size / 2 ** 20;
    const base = {
      section: 'memory',
      unit: 'MiB',
      baseline: `a bare streamed read of the ${accesses}-access .pctrace (${fileMiB.toFixed(0)} MiB file)`,
      baselineValue: bare.peakRssMiB,
    };
    const measured = (name: string, run: ChildRun, goal: boolean) =>
      line(
        { ...base, name: `peak RSS of ${name} (${run.seconds.toFixed(1)} s)`, value: run.peakRssMiB },
        goal ? { valueAtMost: PEAK_RSS_GOAL_MIB } : {},
      );
    return [
      measured('a bare streamed read', bare, false),
      measured('trace gen', gen, false),
      ...runs.map(([name, args]) => measured(name, runChild(cliArgs(...args)), true)),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
