/**
 * `postcopy-lab sweep`: runs one notebook's sweep on all cores and writes its rows as JSON, or one
 * shard of it (`--shard I/N`: jobs I, I+N, I+2N, ...) so that a batch system spreads a large sweep
 * over machines; `sweep merge` joins the shards into the rows the whole sweep gives, identical and in
 * the same order (README "Parallel sweeps" shows Slurm, Kubernetes and GNU parallel).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { fileLabel, quoted, UserError } from '../errors';
import {
  accuracyByOrderAndK,
  accuracyByTraining,
  comparisonWorkloads,
  confidenceSweep,
  defaultWhatIfGrid,
  faultComparison,
  faultWorkloads,
  MAX_SWEEP_WORKERS,
  modesOverSeeds,
  networkWorkloads,
  NOTEBOOK_SEEDS,
  predictionWorkloads,
  predictorSettingComparison,
  pushComparison,
  runSweepAs,
  setSweepWorkers,
  ShardDone,
  startSweepWorkers,
  timesVsNetwork,
  whatIfWorkloads,
  workloadsOfName,
  HAND_OVER_JUDGED_AFTER_SECONDS,
  HAND_OVER_REPEATS,
  WORKER_WARM_UP_SECONDS,
  type SweepMode,
  type Workload,
} from '../experiments';
import { checkOutputPath, fileReplacedBy, writeFileAtomic } from '../util/atomic-write';
import { sameFile } from '../util/same-file';
import { readInputText } from '../util/read-input';
import { firstRepeat } from '../util/first-repeat';
import { intFlag, listFlag, parseFlags, refuseDecoratedNumber, requireFlag } from './args';

/** A notebook's sweep: the experiment function its notebook calls, and the workloads that notebook runs it on. */
interface SweepDefinition {
  /** What it runs by default, for the usage: lines of at most 90 characters. */
  runs: string[];
  /** The workloads it runs on by default, its notebook's; 'own': it makes its own traces and takes none. */
  workloads: (() => Workload[]) | 'own';
  run: (workloads: readonly Workload[]) => unknown;
}

const SEEDS = `${NOTEBOOK_SEEDS.length} seeds`;

/**
 * The sweeps by name. Those whose notebook names its workloads run by default on exactly those, with the notebook's
 * parameters (the same rows, in the same order); --workloads runs the same experiment on other workloads.
 */
const SWEEPS: Record<string, SweepDefinition> = {
  faults: {
    runs: [
      `notebook 01's last cell only: faultComparison, every compared method beside plain post-copy`,
      `(paper setting), on the distinct kinds x 5 seeds, then the real traces`,
    ],
    workloads: faultWorkloads,
    run: (w) => faultComparison(w),
  },
  predictors: {
    runs: [
      `notebook 04: predictorSettingComparison, every predictor beside plain post-copy in the paper's`,
      `setting and next to QEMU's restart push, on every kind x ${SEEDS}, then the real traces`,
    ],
    workloads: comparisonWorkloads,
    run: (w) => predictorSettingComparison(w),
  },
  accuracy: {
    runs: [
      `notebook 02: accuracyByOrderAndK, PPM at orders 1-4 x k 1-32, on the distinct kinds`,
      `(sequential, random, zipf, phased) x ${SEEDS}, then the real traces`,
    ],
    workloads: predictionWorkloads,
    run: (w) => accuracyByOrderAndK(w),
  },
  training: {
    runs: [`notebook 02: accuracyByTraining, PPM trained offline, online, both, on accuracy's workloads`],
    workloads: predictionWorkloads,
    run: (w) => accuracyByTraining(w),
  },
  network: {
    runs: [
      `notebook 03: timesVsNetwork, every compared method at 5 bandwidths x 4 round trips,`,
      `on zipf and phased x ${SEEDS}, then sqlite`,
    ],
    workloads: networkWorkloads,
    run: (w) => timesVsNetwork(w),
  },
  modes: {
    runs: [
      `notebook 05: modesOverSeeds, pre-copy, post-copy (PPM), hybrid and post-copy without prefetch`,
      `at 7 write shares of a zipf VM, ${SEEDS} (it makes its own traces)`,
    ],
    workloads: 'own',
    run: () => modesOverSeeds(),
  },
  whatif: {
    runs: [
      `notebook 06: defaultWhatIfGrid, none and ppm at 243 settings of the 5 knobs, on zipf and phased`,
      `(first seed), sqlite and bzip2 (a kind given to --workloads runs its first seed)`,
    ],
    workloads: whatIfWorkloads,
    run: (w) => defaultWhatIfGrid(w),
  },
  push: {
    runs: [
      `notebook 07: pushComparison, the compared methods under 3 push policies, on every kind`,
      `x ${SEEDS}, then the real traces`,
    ],
    workloads: comparisonWorkloads,
    run: (w) => pushComparison(w),
  },
  confidence: {
    runs: [`notebook 07: confidenceSweep, PPM at 7 thresholds under restart push, on push's workloads`],
    workloads: comparisonWorkloads,
    run: (w) => confidenceSweep(w),
  },
};

/** The sweeps' names as the usage lists them (the bench times each as this command runs it). */
export const SWEEP_NAMES = Object.keys(SWEEPS);

/** The sweeps that make their own traces (modes: one zipf VM per seed and write share) and take no workload. */
const OWN_TRACES = SWEEP_NAMES.filter((name) => SWEEPS[name].workloads === 'own');

const MERGE_SYNOPSIS = `  postcopy-lab sweep merge SHARD_FILE... -o FILE
      joins the N shards of one sweep (sweep NAME --shard I/N) into the rows the whole sweep gives (-o - too)`;

const JUDGED = HAND_OVER_JUDGED_AFTER_SECONDS;
const WARM_UP = WORKER_WARM_UP_SECONDS;
const REPEATS = HAND_OVER_REPEATS;
/** The usage's list of the sweeps: a name, then what it runs on one or two lines. */
const WHAT_EACH_RUNS = SWEEP_NAMES.flatMap((name) =>
  SWEEPS[name].runs.map((line, i) => `        ${(i ? '' : name).padEnd(11)}${line}`),
).join('\n');
const USAGE = `usage:
  postcopy-lab sweep NAME [--workloads a,b,...] [--shard I/N] [--workers W] -o FILE
      NAME, and what it runs by default: where it says 'notebook NN', the experiment function that notebook
      calls, with its workloads and parameters (the notebook's rows):
${WHAT_EACH_RUNS}
      --workloads LIST   the same experiment on these workloads instead, by name, a synthetic kind with all five
                         seeds (${OWN_TRACES.join(', ')} makes its own traces and takes none)
      --shard I/N        run only shard I of N (0 <= I < N): jobs I, I+N, I+2N, ... of the sweep
      --workers W        worker threads; 1 runs all in this thread. Default: one per core, adaptive: the sweep
                         starts in this thread and hands the jobs left to n-1 workers, running on beside them (it
                         has compiled what it ran, a fresh worker has not), once it has run ${JUDGED} CPU s
                         (${WARM_UP} s while the latest half of its jobs holds fewer than ${REPEATS} of a method it
                         ran before)
                         and those jobs, at the CPU per job of the latest half of the jobs run (of a method it ran
                         before: a method's first job carries its JIT), come to more than n x ${WARM_UP} CPU s on n
                         cores (n threads then save more than the n-1 fresh workers' JIT warm-up, ${WARM_UP} CPU s
                         each), so a short sweep stays in this thread and starts no worker. POSTCOPY_LAB_WORKERS=W
                         chooses W as --workers W does
      writes {"sweep", "workloads", "rows"} as JSON, or with --shard the shard's results for 'sweep merge';
      -o - is standard output; an existing -o that no sweep wrote (a trace, say) is refused, not replaced
${MERGE_SYNOPSIS}`;

/** `sweep merge --help`: its own line of USAGE and what it checks. */
const MERGE_USAGE = `usage:
${MERGE_SYNOPSIS}
      refused: shards of different sweeps, a shard given twice or missing, a shard whose results were changed,
      -o naming one of the shards or an existing file that no sweep wrote`;

/** What a shard file holds: enough to check that shards belong together, and the results by job index. */
interface ShardFile {
  sweep: string;
  workloads: string[];
  /** --workloads as given (names, each once), or null: the sweep's default, its notebook's workloads. */
  chosenWorkloads: string[] | null;
  shard: number;
  shards: number;
  jobs: number;
  fingerprint: string;
  results: [number, unknown][];
  /** sha256 of `results` as JSON: a result edited or damaged in transit gave rows of NaN (null), or of its numbers. */
  resultsDigest: string;
}

const digestOf = (results: readonly [number, unknown][]): string =>
  createHash('sha256').update(JSON.stringify(results)).digest('hex');

/**
 * The sweep's workloads: those of each name `chosen` (every seed of a synthetic kind, so the names alone, as a shard
 * file keeps them, give the same workloads again), or by default (null) its notebook's.
 */
function workloadsOf(sweep: SweepDefinition, chosen: readonly string[] | null): Workload[] {
  if (sweep.workloads === 'own') return [];
  // an unknown name is a one-line error listing the known ones
  return chosen === null ? sweep.workloads() : chosen.flatMap(workloadsOfName);
}

const uniqueNames = (names: readonly string[]): string[] => [...new Set(names)];

function sweepNamed(name: string | undefined): SweepDefinition {
  // own keys only: "toString" or "constructor" would find Object.prototype's members
  if (name === undefined || !Object.hasOwn(SWEEPS, name))
    throw new UserError(`sweep takes one of ${SWEEP_NAMES.join(', ')}${name ? `, got ${quoted(name)}` : ''}`);
  return SWEEPS[name];
}

function parseShard(text: string): { index: number; count: number } {
  refuseDecoratedNumber(text, 'shard');
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  // a count beyond 2^53 is not exact (sweep merge refuses the shard files it would write)
  if (!(Number.isSafeInteger(count) && count >= 1 && index < count))
    throw new UserError(`--shard must be I/N with 0 <= I < N, got ${quoted(text)}`);
  return { index, count };
}

/** How every file a sweep writes begins (rows, a shard, merged rows: JSON.stringify of an object keyed first by it). */
const SWEEP_OUTPUT_START = '{"sweep":';

/**
 * Refuses an -o that names an existing file no sweep wrote: it would be replaced by JSON rows (`-o
 * datasets/sort.trace.gz` turned a trace that sweeps read into rows). A sweep's own output (rows, a shard, merged rows:
 * SWEEP_OUTPUT_START) and an empty file are replaced as before, and a device, a FIFO or standard output written.
 */
function refuseReplacingOtherFiles(output: string): void {
  const replaced = fileReplacedBy(output);
  if (replaced === undefined) return;
  const start = Buffer.alloc(SWEEP_OUTPUT_START.length);
  let length: number;
  try {
    const fd = openSync(replaced, 'r');
    try {
      length = readSync(fd, start, 0, start.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UserError(`-o ${fileLabel(output)} cannot be read to check that a sweep wrote it (${code})`);
  }
  if (length === 0 || start.toString('latin1') === SWEEP_OUTPUT_START) return;
  throw new UserError(
    `-o ${fileLabel(output)} exists and no sweep wrote it (it does not begin ${SWEEP_OUTPUT_START}): a sweep ` +
      'replaces only its own outputs; remove it or name another file',
  );
}

function runSweep(argv: string[]): void {
  const { values, positionals } = parseFlags(
    argv,
    {
      workloads: { type: 'string' },
      shard: { type: 'string' },
      workers: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    true,
  );
  if (positionals.length !== 1) throw new UserError(`sweep takes one NAME (${SWEEP_NAMES.join(', ')})`);
  const name = positionals[0];
  const sweep = sweepNamed(name);
  const output = requireFlag(values.output, 'output');
  // a bad output or shard stops the sweep before it runs, not after
  checkOutputPath(output);
  refuseReplacingOtherFiles(output);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.workers !== undefined) setSweepWorkers(intFlag(values.workers, 'workers', 1, 1, MAX_SWEEP_WORKERS));
  // the workers start and load the library while this thread makes and reads the traces
  startSweepWorkers();
  if (sweep.workloads === 'own' && values.workloads !== undefined)
    throw new UserError(`sweep ${name} makes its own traces: --workloads does not apply`);
  const chosenWorkloads = values.workloads === undefined ? null : listFlag(values.workloads, 'workloads');
  const workloads = workloadsOf(sweep, chosenWorkloads);
  const names = uniqueNames(workloads.map((w) => w.name));
  if (shard === undefined) {
    writeFileAtomic(output, JSON.stringify({ sweep: name, workloads: names, rows: sweep.run(workloads) }));
    return;
  }
  const { index, count } = shard;
  try {
    runSweepAs({ kind: 'shard', index, count }, () => sweep.run(workloads));
  } catch (done) {
    if (!(done instanceof ShardDone)) throw done;
    const file: ShardFile = {
      sweep: name,
      workloads: names,
      chosenWorkloads,
      shard: index,
      shards: count,
      jobs: done.jobs,
      fingerprint: done.fingerprint,
      results: done.results,
      resultsDigest: digestOf(done.results),
    };
    writeFileAtomic(output, JSON.stringify(file));
    return;
  }
  throw new Error(`sweep ${name} ran no jobs`);
}

function readShard(path: string): ShardFile {
  let file: ShardFile;
  try {
    file = JSON.parse(readInputText(path)) as ShardFile;
  } catch (err) {
    throw err instanceof UserError
      ? err
      : new UserError(`${path}: not a shard file (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof file?.sweep !== 'string' || !Array.isArray(file.results) || !Number.isSafeInteger(file.shards)) {
    throw new UserError(`${path}: not a shard file of 'postcopy-lab sweep --shard'`);
  }
  const damage = shardFileDamage(file);
  if (damage) throw new UserError(`${path}: a damaged shard file: ${damage}`);
  return file;
}

/**
 * What is wrong in a shard file's fields, if anything: an edited or cut file (a result missing, a stray index) would
 * otherwise reach the experiment's row code and fail there with a stack, or merge into rows of the wrong jobs.
 */
function shardFileDamage(file: ShardFile): string | undefined {
  const { shard, shards, jobs, workloads, results } = file;
  if (shards < 1) return `shards ${shards} is not a count of shards`;
  if (!(Number.isSafeInteger(shard) && shard >= 0 && shard < shards)) return `shard ${shard} is not in [0, ${shards})`;
  if (!(Number.isSafeInteger(jobs) && jobs >= 0)) return `jobs ${jobs} is not a count of jobs`;
  if (typeof file.fingerprint !== 'string') return 'it has no fingerprint';
  if (!Array.isArray(workloads) || workloads.some((w) => typeof w !== 'string'))
    return 'workloads is not a list of names';
  const { chosenWorkloads: chosen } = file;
  if (chosen === undefined)
    return 'it does not say which workloads were chosen (written by an older postcopy-lab: run its shard again)';
  if (chosen !== null && (!Array.isArray(chosen) || chosen.some((w) => typeof w !== 'string')))
    return 'chosenWorkloads is neither null nor a list of names';
  // the writer puts job shard + n·shards at position n, for every such job below `jobs`
  const expected = shard < jobs ? Math.ceil((jobs - shard) / shards) : 0;
  if (results.length !== expected) return `${results.length} results where shard ${shard} of ${shards} has ${expected}`;
  for (const [n, entry] of results.entries()) {
    const job = shard + n * shards;
    // an entry that is not a pair (null, a number) is damage too, not a TypeError on entry[0]
    if (!Array.isArray(entry)) return `result ${n} is not job ${job}'s`;
    const result: unknown = entry[1];
    if (entry[0] !== job || typeof result !== 'object' || result === null || Array.isArray(result))
      return `result ${n} is not job ${job}'s`;
  }
  // JSON gives back the numbers it was given, so the digest of the results read is the writer's
  if (typeof file.resultsDigest !== 'string')
    return 'it has no results digest (written by an older postcopy-lab: run its shard again)';
  if (file.resultsDigest !== digestOf(results)) return 'its results are not the ones written (their digest differs)';
  return undefined;
}

/**
 * The shards none of `given` is, in words: the first few by number and how many more (all of a 10^6-shard list was
 * one 7.9 MB line), found without a pass over every shard number (--shard 0/9007199254740991 is allowed).
 */
function missingShards(given: ReadonlySet<number>, shards: number): string | undefined {
  const count = shards - given.size;
  if (count === 0) return undefined;
  const first: number[] = [];
  for (let i = 0; first.length < Math.min(count, 10); i++) if (!given.has(i)) first.push(i);
  const more = count > first.length ? ` and ${count - first.length} more` : '';
  return `shard${count > 1 ? 's' : ''} ${first.join(', ')}${more} of ${shards} missing`;
}

function merge(argv: string[]): void {
  const { values, positionals } = parseFlags(argv, { output: { type: 'string', short: 'o' } }, true);
  const output = requireFlag(values.output, 'output');
  if (positionals.length === 0) throw new UserError('sweep merge takes the shard files of one sweep');
  // the merge reads every shard before it writes -o: a shard named as -o went into the rows, then was written over
  const overwritten = positionals.find((path) => sameFile(path, output));
  if (overwritten !== undefined)
    throw new UserError(`-o ${fileLabel(output)} is the shard ${fileLabel(overwritten)}: the merge would replace it`);
  refuseReplacingOtherFiles(output);
  const shards = positionals.map(readShard);
  const first = shards[0];
  for (const [i, s] of shards.entries()) {
    const same =
      s.sweep === first.sweep &&
      s.shards === first.shards &&
      s.jobs === first.jobs &&
      s.fingerprint === first.fingerprint &&
      JSON.stringify(s.workloads) === JSON.stringify(first.workloads) &&
      JSON.stringify(s.chosenWorkloads) === JSON.stringify(first.chosenWorkloads);
    if (!same)
      throw new UserError(`${fileLabel(positionals[i])} belongs to another sweep than ${fileLabel(positionals[0])}`);
  }
  // named before the shards missing: one given twice is the likelier slip, and the files say which
  const twice = firstRepeat(shards, (a, b) => a.shard === b.shard);
  if (twice !== undefined) {
    const [earlier, later] = twice.map((i) => positionals[i]);
    const which = `shard ${shards[twice[1]].shard} of ${first.shards}`;
    throw new UserError(
      earlier === later
        ? `${fileLabel(earlier)} is given twice (${which}): give each shard once`
        : `${fileLabel(earlier)} and ${fileLabel(later)} are both ${which}: give each shard once`,
    );
  }
  const missing = missingShards(new Set(shards.map((s) => s.shard)), first.shards);
  if (missing) throw new UserError(missing);
  const results: unknown[] = new Array(first.jobs);
  for (const s of shards) for (const [index, result] of s.results) results[index] = result;
  const mode: SweepMode = { kind: 'merged', jobs: first.jobs, fingerprint: first.fingerprint, results };
  const sweep = sweepNamed(first.sweep);
  const rows = runSweepAs(mode, () => sweep.run(workloadsOf(sweep, first.chosenWorkloads)));
  writeFileAtomic(output, JSON.stringify({ sweep: first.sweep, workloads: first.workloads, rows }));
}

export function run(argv: string[]): void {
  // no arguments: runSweep's one line naming the sweeps (exit 2), as a missing argument elsewhere
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(argv[0] === 'merge' ? MERGE_USAGE : USAGE);
    return;
  }
  if (argv[0] === 'merge') merge(argv.slice(1));
  else runSweep(argv);
}
