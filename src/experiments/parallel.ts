/**
 * Parallel sweeps: the independent jobs of a sweep (src/experiments/jobs.ts) spread over worker
 * threads, results in job order, so rows come out identical to a run in one thread.
 *
 * Synchronous on purpose: experiments, notebooks and the CLI call sweeps as plain functions. The
 * main thread hands each worker its next chunk of jobs (of one code and trace: schedule.ts) as soon as it
 * finishes one, and blocks in Atomics.wait in between; workers bump a shared counter after each chunk,
 * and the main thread reads their replies with receiveMessageOnPort (no event loop needed). Traces go
 * to the workers once per batch as copies in SharedArrayBuffers the pool reuses (shared-traces.ts: no
 * per-job copy, and no memory left behind per trace); a job carries only its options.
 *
 * Workers load the compiled library (dist/), as notebooks do; under tsx (the tests) they load the
 * TypeScript sources through tsx. A job's exception comes back to the caller (UserError stays a
 * UserError). A worker that dies hard (process.exit, an uncaught throw, out of memory) fails the sweep
 * at once with a UserError naming the job it ran (or saying it died loading, or between jobs): a supervisor
 * thread hears the death and wakes the main thread; a watchdog thread does the same if the supervisor itself
 * dies. The pool stays up between sweeps (unref'd: it never keeps a process alive) and grows to the jobs of a
 * sweep, never past sweepWorkers().
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { quoted, UserError } from '../errors';
import type { SimMethod } from '../migration';
import { largestPage, type Trace } from '../trace';
import { forgetLargestPages } from '../trace/types';
import { FirstTouchOrders, sharingFirstTouchOrders } from '../trace/first-touch';
import type { Progress } from './common';
import { rememberingResults } from './job-results';
import {
  exerciseMethods,
  jobCode,
  jobModel,
  runJob,
  simulatedMethods,
  type Job,
  type JobKind,
  type JobTypes,
} from './jobs';
import { JobScheduler } from './schedule';
import { SharedTraces } from './shared-traces';
import { WATCH_STRIDE, watchIndex } from './sweep-watch';
import { numberDecoration } from '../util/decimal-number';
import { threadCpuSeconds, wallClock } from '../util/thread-cpu';
import { YOUNG_GENERATION_MIB } from '../util/young-generation';

/** Environment variable setting the default number of workers (e.g. 1 where another level runs in parallel). */
export const WORKERS_ENV = 'POSTCOPY_LAB_WORKERS';

/** Most worker threads a sweep starts, however they are asked for (--workers, the variable, setSweepWorkers). */
export const MAX_SWEEP_WORKERS = 1024;

let chosenWorkers: number | undefined;

/**
 * Sets the number of worker threads of later sweeps (1 = run in the calling thread); undefined restores the default.
 */
export function setSweepWorkers(count: number | undefined): void {
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1 && count <= MAX_SWEEP_WORKERS))
    throw new UserError(
      `sweep workers must be a whole number between 1 and ${MAX_SWEEP_WORKERS}, got ${quoted(String(count))}`,
    );
  chosenWorkers = count;
}

/**
 * Worker threads a sweep uses: setSweepWorkers, else $POSTCOPY_LAB_WORKERS, else the number of cores. Left to the
 * default, a sweep starts in the calling thread and hands its jobs left to one fewer, running on beside them, only
 * once they look worth a fresh worker's warm-up (runHere, worthHandingOver).
 */
export function sweepWorkers(): number {
  if (chosenWorkers !== undefined) return chosenWorkers;
  const fromEnv = process.env[WORKERS_ENV];
  if (fromEnv === undefined || fromEnv === '') return availableParallelism();
  // white space or a '+' around it named in the numeric flags' words (numberDecoration)
  const decoration = numberDecoration(fromEnv);
  if (decoration !== undefined) throw new UserError(`${WORKERS_ENV} ${decoration}`);
  // decimal digits only, bounded as --workers is: Number() read 0x10 as 16 and 1e9 as a billion threads' worth
  const count = /^\d+$/.test(fromEnv) ? Number(fromEnv) : NaN;
  if (!(count >= 1 && count <= MAX_SWEEP_WORKERS))
    throw new UserError(
      `${WORKERS_ENV} must be a whole number between 1 and ${MAX_SWEEP_WORKERS}, got ${quoted(fromEnv)}`,
    );
  return count;
}

/**
 * How a sweep's batch of jobs runs besides here and now: as shard `index` of `count` (jobs i with
 * i mod count = index, then the sweep stops with ShardDone), or from the merged results of all shards.
 * A sweep that runs more than one batch cannot be cut this way (the second batch is refused).
 */
export type SweepMode =
  | { kind: 'shard'; index: number; count: number }
  | { kind: 'merged'; jobs: number; fingerprint: string; results: unknown[] };

/** Thrown by a shard's batch once its jobs are done: the caller saves `results` (job index, result). */
export class ShardDone {
  constructor(
    readonly jobs: number,
    readonly fingerprint: string,
    readonly results: [number, unknown][],
  ) {}
}

let mode: { current: SweepMode; batches: number } | undefined;

/** Runs `sweep` with its batch of jobs handled as `sweepMode` says. */
export function runSweepAs<T>(sweepMode: SweepMode, sweep: () => T): T {
  mode = { current: sweepMode, batches: 0 };
  try {
    return sweep();
  } finally {
    mode = undefined;
  }
}

/** Identifies a batch of jobs (kinds, labels, options, traces), so that shards of different sweeps never merge. */
export function jobsFingerprint(jobs: readonly Job[]): string {
  const described = jobs.map((j) => [j.kind, j.label, j.options, j.trace.name, j.trace.page.length]);
  return createHash('sha256').update(JSON.stringify(described)).digest('hex');
}

/** Runs a sweep's jobs over sweepWorkers() threads; the results come in job order whatever the thread count. */
export function runJobs<K extends JobKind>(jobs: readonly Job<K>[], progress?: Progress): JobTypes[K]['result'][] {
  if (mode && mode.batches++ > 0)
    throw new UserError('this sweep runs more than one batch of jobs: it cannot be cut into shards');
  if (mode?.current.kind === 'shard') {
    const { index, count } = mode.current;
    const mine = jobs.map((_, i) => i).filter((i) => i % count === index);
    const results = runHere(
      mine.map((i) => jobs[i]),
      progress,
    );
    throw new ShardDone(
      jobs.length,
      jobsFingerprint(jobs),
      mine.map((i, n) => [i, results[n]]),
    );
  }
  if (mode?.current.kind === 'merged') {
    const merged = mode.current;
    if (merged.jobs !== jobs.length || merged.fingerprint !== jobsFingerprint(jobs)) {
      throw new UserError(
        'the shards were made by another sweep (other jobs, options or traces) than the one merging them',
      );
    }
    return merged.results as JobTypes[K]['result'][];
  }
  // a job run before (same kind, trace content and options) is not run again: job-results.ts
  return rememberingResults(jobs, progress, runHere);
}

/**
 * Runs a batch of jobs here and on the workers; the batch's runs share its traces' first-touch orders and largest
 * pages, read afresh (a trace changed in place since an earlier batch kept that batch's VM size: wrong rows, kept).
 */
function runHere<K extends JobKind>(jobs: readonly Job<K>[], progress?: Progress): JobTypes[K]['result'][] {
  forgetLargestPages(jobs.map((job) => job.trace.page));
  return sharingFirstTouchOrders(new FirstTouchOrders(), () => runBatch(jobs, progress));
}

function runBatch<K extends JobKind>(jobs: readonly Job<K>[], progress?: Progress): JobTypes[K]['result'][] {
  const workers = Math.min(sweepWorkers(), jobs.length);
  if (workers <= 1) return runInThisThread(jobs, progress, () => false);
  // a pool that has more workers (started for an earlier, larger sweep) serves fewer jobs as it is
  if (workersChosen() || pool?.warm) return poolOf(workers).run(jobs, progress) as JobTypes[K]['result'][];
  // the default: the calling thread runs the jobs until those left look worth the workers' warm-up; then it starts
  // workers and runs jobs beside them
  const judge = new HandOverJudge(workers, jobs.map(jobCode));
  return runHandingOver(jobs, progress, (done, left) => judge.worthWorkers(done, left));
}

/**
 * Runs `jobs` in the calling thread, in order, until `handOver(jobs done, jobs left)` says after a job to hand the
 * jobs left to one worker thread fewer than sweepWorkers() and run on beside them; the results in job order, as from
 * any thread count.
 */
export function runHandingOver<K extends JobKind>(
  jobs: readonly Job<K>[],
  progress: Progress | undefined,
  handOver: (done: number, left: number) => boolean,
): JobTypes[K]['result'][] {
  const results = runInThisThread(jobs, progress, (done) => handOver(done, jobs.length - done));
  const done = results.length;
  if (done === jobs.length) return results;
  // the calling thread has compiled what it ran: it runs jobs beside one worker fewer (DEVELOPERS.md), unless a pool
  // started earlier has workers enough
  const workers = Math.min(sweepWorkers(), jobs.length - done) - 1;
  const restProgress = progress && ((n: number, _: number, label: string) => progress(done + n, jobs.length, label));
  if (workers < 1) return results.concat(runInThisThread(jobs.slice(done), restProgress, () => false));
  const workersPool = poolOf(workers);
  const callerCodes = workersPool.size > workers ? undefined : new Set(jobs.slice(0, done).map(jobCode));
  const rest = workersPool.run(jobs.slice(done), restProgress, callerCodes) as JobTypes[K]['result'][];
  return results.concat(rest);
}

/**
 * Runs `jobs` in order in the calling thread until `stop(jobs done)` says to stop after a job; returns the results
 * of the jobs run.
 */
function runInThisThread<K extends JobKind>(
  jobs: readonly Job<K>[],
  progress: Progress | undefined,
  stop: (done: number) => boolean,
): JobTypes[K]['result'][] {
  const results: JobTypes[K]['result'][] = [];
  if (jobs.length > 0) exerciseMethods(simulatedMethods(jobs), jobs[0].trace);
  for (const job of jobs) {
    results.push(runJob(job.kind, job.trace, job.options));
    progress?.(results.length, jobs.length, job.label);
    if (results.length < jobs.length && stop(results.length)) break;
  }
  return results;
}

/** Whether the worker count was chosen (setSweepWorkers, POSTCOPY_LAB_WORKERS) rather than left to the default. */
function workersChosen(): boolean {
  return chosenWorkers !== undefined || (process.env[WORKERS_ENV] ?? '') !== '';
}

/**
 * What a fresh worker costs a sweep before its jobs run at full speed, in CPU seconds: V8 compiling the simulator and
 * the predictors in its isolate (DEVELOPERS.md "Parallel sweeps and notebooks": 0.6-0.9 s for all predictors), its
 * start and loading of the library. One worker beside the calling thread took `sweep faults` from 3.4-3.8 CPU s in one
 * thread to 4.5-5.6 (session 33, load 2-8), 1.1-1.8 s more; fresh processes of `sweep modes`, `training` and
 * `confidence` took 0.9-2.6 CPU s more on two workers than in one thread (2026-11-27, load 5-9).
 */
export const WORKER_WARM_UP_SECONDS = 1.2;
/** CPU seconds the calling thread runs a sweep's jobs before judging: its first jobs carry its own warm-up. */
export const HAND_OVER_JUDGED_AFTER_SECONDS = 0.2;
/** How often the judge reads the thread's CPU (a /proc read): at most once per this many wall milliseconds. */
const HAND_OVER_LOOK_MS = 20;

/**
 * Whether the `left` jobs of a sweep, at `cpuPerJob` CPU seconds each, are worth handing from the calling thread,
 * which has run the sweep's first jobs for `spentSeconds`, to `threads` threads: itself and threads - 1 fresh workers
 * beside it (runHandingOver). They save (1 - 1/threads) of the rest, and pay a warm-up (WORKER_WARM_UP_SECONDS) per
 * worker started, so the saving must exceed (threads - 1) warm-ups: more than 2.4 CPU s left on 2 cores, 4.8 on 4
 * (not measured beyond 2 cores). Strict on purpose: the warm-ups' CPU against the wall saved, where free cores would
 * gain wall once the rest exceeds about one warm-up, but a machine's cores are often shared.
 */
export function worthHandingOver(spentSeconds: number, cpuPerJob: number, left: number, threads: number): boolean {
  if (spentSeconds < HAND_OVER_JUDGED_AFTER_SECONDS) return false;
  const remaining = left * cpuPerJob;
  return remaining * (1 - 1 / threads) > (threads - 1) * WORKER_WARM_UP_SECONDS;
}

/** Repeats (jobs of a code the thread ran before) the latest half of the jobs run must hold to judge by them. */
export const HAND_OVER_REPEATS = 8;

/** What the judge has seen at a look: jobs done, CPU seconds spent, and wall ms in all jobs and in repeats. */
interface Look {
  done: number;
  spent: number;
  wall: number;
  repeatWall: number;
  repeats: number;
}

/**
 * Judges, job by job, whether a default sweep in the calling thread should hand its jobs left to `threads` - 1 workers
 * beside it (worthHandingOver), by the thread's CPU (wall time where Linux does not tell it) per job over the latest
 * half of the jobs run (a sweep's jobs may grow costlier as it goes), counting repeats only: jobs of a code (jobCode)
 * the thread ran before, their share of that CPU by their share of the wall, and only once there are HAND_OVER_REPEATS
 * of them. A code's first jobs carry the thread's JIT: by all jobs from 0.2 s on, `sweep faults` (twelve methods, the
 * first twelve jobs each of another) looked 3.5-7 CPU s long where 1.7 were left, `modes` (its first six jobs) 2.3-3.5
 * where 0.7-1 were, and both moved to workers that cost more than they saved (fresh processes, load 6-7). A sweep whose
 * latest half holds fewer repeats (few jobs, each of its own code) is judged by all its jobs once the thread has spent
 * a worker's warm-up (WORKER_WARM_UP_SECONDS): its own JIT is then a small part of what it measured.
 */
export class HandOverJudge {
  private readonly start: number;
  /** The looks, oldest first, starting with nothing done. */
  private readonly looks: Look[] = [{ done: 0, spent: 0, wall: 0, repeatWall: 0, repeats: 0 }];
  /** The latest look at or before half the jobs done (the first always is). */
  private half = 0;
  private lastLook: number;
  private lastJobEnd: number;
  /** Per job: whether a job before it has its code. */
  private readonly repeat: boolean[];
  private wall = 0;
  private repeatWall = 0;
  private repeats = 0;

  /**
   * `codes`: the sweep's jobs' codes, in job order; `clock`: the seconds spent so far; `wallMs`: the wall clock in ms,
   * read after every job (tests give both).
   */
  constructor(
    private readonly threads: number,
    codes: readonly unknown[],
    private readonly clock = threadCpuSeconds() === undefined
      ? () => performance.now() / 1e3
      : () => threadCpuSeconds()!,
    private readonly wallMs = () => performance.now(),
  ) {
    const seen = new Set<unknown>();
    this.repeat = codes.map((code) => seen.size === seen.add(code).size);
    this.start = clock();
    this.lastLook = this.lastJobEnd = wallMs();
  }

  /** After `done` jobs, `left` to run: whether to hand those to the workers now. */
  worthWorkers(done: number, left: number): boolean {
    const now = this.wallMs();
    const jobWall = now - this.lastJobEnd;
    this.lastJobEnd = now;
    this.wall += jobWall;
    if (this.repeat[done - 1]) [this.repeatWall, this.repeats] = [this.repeatWall + jobWall, this.repeats + 1];
    if (now - this.lastLook < HAND_OVER_LOOK_MS) return false;
    this.lastLook = now;
    const spent = this.clock() - this.start;
    const look = { done, spent, wall: this.wall, repeatWall: this.repeatWall, repeats: this.repeats };
    this.looks.push(look);
    while (this.looks[this.half + 1].done <= done / 2) this.half++;
    const half = this.looks[this.half];
    const repeats = look.repeats - half.repeats;
    if (repeats < HAND_OVER_REPEATS)
      return spent >= WORKER_WARM_UP_SECONDS && worthHandingOver(spent, spent / done, left, this.threads);
    const repeatShare = (look.repeatWall - half.repeatWall) / (look.wall - half.wall);
    return worthHandingOver(spent, ((spent - half.spent) * repeatShare) / repeats, left, this.threads);
  }
}

/**
 * Starts worker threads of later sweeps now where their count was chosen (setSweepWorkers, POSTCOPY_LAB_WORKERS,
 * `--workers`; none where it is 1), so that they start and load the library while the caller prepares the sweep (the
 * CLI: while it makes and reads the traces), not after the sweep begins: in a fresh process the last worker began its
 * first job 0.3-0.6 s after the sweep's call. At most one per core: a sweep of fewer jobs than sweepWorkers() would
 * not use the others (`--workers 48` started 48 threads for `sweep training --workloads zipf`: 788 MB peak RSS
 * instead of 424), and the sweep starts what more it needs once its jobs are known. Left to the default, a sweep
 * starts its workers itself once its jobs left look worth them (runHere), and most stay in the calling thread, where
 * idle workers started early cost about 0.3 CPU s (four thread starts: supervisor, watchdog, two workers).
 */
export function startSweepWorkers(): void {
  const workers = Math.min(sweepWorkers(), availableParallelism());
  if (workers > 1 && workersChosen()) poolOf(workers);
}

let workerThreadsStarted = 0;

/** How many sweep worker threads this process has started so far (tests check that pools start only what they use). */
export function sweepWorkerThreadsStarted(): number {
  return workerThreadsStarted;
}

/**
 * What a worker receives: a chunk of jobs, with the traces of this batch it does not hold yet (their
 * arrays are views of SharedArrayBuffers: cloning them copies nothing).
 */
export interface JobsMessage {
  batch: number;
  /** With a worker's first chunk of a batch: the sweep's methods, for exerciseMethods before its jobs. */
  methods?: SimMethod[];
  traces: [number, Trace][];
  jobs: { index: number; kind: JobKind; traceId: number; options: unknown }[];
}

/**
 * How much CPU a chunk of jobs sent in one message should take, in seconds: short jobs travel in chunks, so
 * the cost of a message and of waking the main thread (about 20 us of CPU per job here) stays near
 * 0.1 % of the work; jobs longer than this go one by one, so the last ones still spread evenly. Sized by the
 * CPU per job of the chunk's own group (same code and trace), measured by its first job (where a thread's CPU
 * is unknown, not Linux, every chunk is one job): one job of the bench grid took 0.2-22 ms by method, so a size
 * from the mean over all groups cut cheap groups into chunks of a job or two; and by CPU, not wall time, which
 * load stretched until every chunk was one job (420-486 messages for 486 jobs, each waking the main thread,
 * which then took a worker's core).
 */
const CHUNK_SECONDS = 0.02;

/**
 * How many jobs of a group the next chunk takes: one until the group's CPU per job is known, then CHUNK_SECONDS
 * of them, but at most `share` (a 1/(2 workers) share of the jobs left, so the last ones still spread) and twice
 * the group's last chunk (its jobs differ in options, so a cheap first one may be followed by costly ones).
 */
export function chunkJobs(cpuPerJob: number | undefined, share: number, lastChunk: number | undefined): number {
  if (cpuPerJob === undefined || lastChunk === undefined) return 1;
  return Math.max(1, Math.min(Math.floor(CHUNK_SECONDS / cpuPerJob), share, 2 * lastChunk));
}

/**
 * What a worker answers per job: its result or its error; the last of a chunk, the chunk's CPU seconds per job
 * and when the chunk began and ended (wallClock).
 */
export type JobReply = (
  | { batch: number; index: number; result: unknown }
  | { batch: number; index: number; error: string; userError: boolean }
) & { jobCpu?: number; began?: number; ended?: number };

/** Where one worker's time went in a parallel sweep, in seconds from the sweep's start. */
export interface SweepThreadTimes {
  jobs: number;
  /** Wall seconds in its chunks of jobs. */
  busy: number;
  /** When its first job began and its last one ended (0 if it ran none). */
  firstBegan: number;
  lastEnded: number;
}

/** Where the time of a sweep on worker threads went: its wall seconds, each worker's, and the calling thread's jobs. */
export interface SweepTimes {
  seconds: number;
  threads: SweepThreadTimes[];
  /** Jobs the calling thread ran beside the workers (a default sweep's after its hand-over), else 0. */
  callerJobs: number;
}

let lastTimes: SweepTimes | undefined;

/** The time line of the last sweep on worker threads that finished in this process (the bench reports it), if any. */
export function lastSweepTimes(): SweepTimes | undefined {
  return lastTimes;
}

/**
 * When a worker counts as stuck (an endless loop never answers, and the blocked main thread would wait for
 * ever): its job has used more CPU than STUCK_FACTOR times the costliest finished job of its group (same
 * code, same trace; a chunk's CPU over its jobs) and more than STUCK_FLOOR_SECONDS. CPU, not wall time, so
 * load or a suspended machine never count; jobs of a group differ in options only, by far less than 100x.
 * A group none of whose jobs finished yet (a sweep of one job per method and workload has only such) is
 * judged by its code's jobs on other traces, per unit of work (accesses + VM pages): one thread's CPU per
 * access and page of a method varied 1.9-5.3x over the six synthetic workloads, 55x between methods, so
 * the other methods set no bar. Where the CPU of a thread is unknown (not Linux), nothing is judged.
 */
const STUCK_FACTOR = 100;
const STUCK_FLOOR_SECONDS = 5;
/**
 * A job none of whose code finished (every worker's first job stuck: nothing to compare with) is judged by a
 * bound fixed in advance, so that no sweep waits for ever: STUCK_FACTOR times NO_BASIS_SECONDS_PER_WORK per
 * access and page, and more than NO_BASIS_FLOOR_SECONDS. The costliest job of the faults and accuracy sweeps
 * on the six synthetic workloads took 1.1 us per access and page (ppm-hybrid-dirty, a fresh worker's JIT
 * included), so this is 10 times that, again 100-fold; the floor is some 60 times a fresh worker's JIT.
 */
const NO_BASIS_SECONDS_PER_WORK = 1e-5;
const NO_BASIS_FLOOR_SECONDS = 60;
/** How often the blocked main thread looks at the workers' CPU (a /proc read per worker). */
const WATCH_MS = 1000;

/** What the supervisor reports when a worker stops (which one, and why in a few words); worker -1: the supervisor. */
interface Death {
  worker: number;
  why: string;
}

/** A sweep worker's entry point: the compiled module next to this one, or the TypeScript source through tsx. */
function workerSource(): string {
  const underTsx = __filename.endsWith('.ts');
  const script = join(__dirname, underTsx ? 'sweep-worker.ts' : 'sweep-worker.js');
  const register = underTsx ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();` : '';
  return `${register} require(${JSON.stringify(script)});`;
}

/**
 * The supervisor thread: starts the sweep workers (the pool sends their ports on `starts`) and reports each one
 * that stops (process.exit, an uncaught throw, out of memory, a failure to load). The main thread, blocked in
 * Atomics.wait, never runs the event loop that would deliver a Worker's 'exit' event; the supervisor's loop is
 * free, so it hears it, posts the reason and bumps the counter that wakes the main thread. Plain JS: nothing to load.
 */
const SUPERVISOR = `const { Worker, workerData } = require('node:worker_threads');
const { source, starts, signal, watch, deaths, resourceLimits } = workerData;
const counter = new Int32Array(signal);
starts.on('message', ({ ports, first }) => ports.forEach((port, i) => start(port, first + i)));
function start(port, worker) {
  let why;
  const data = { port, signal, watch, slot: worker };
  const thread = new Worker(source, { eval: true, workerData: data, transferList: [port], resourceLimits });
  thread.on('error', (err) => {
    const outOfMemory = err && err.code === 'ERR_WORKER_OUT_OF_MEMORY';
    why ??= outOfMemory ? 'it ran out of memory' : 'it threw ' + String((err && err.message) || err);
  });
  thread.on('exit', (code) => {
    deaths.postMessage({ worker, why: why ?? 'it exited with code ' + code });
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  });
}`;

/**
 * The watchdog thread: the supervisor's death stops the workers it started and nobody would hear it (nor
 * wake the main thread), so this thread, started beside it, holds one end of a channel whose other end the
 * supervisor holds: the port closes when the supervisor's thread ends, however it ends. Plain JS.
 */
const WATCHDOG = `const { workerData } = require('node:worker_threads');
const { lifeline, signal, deaths } = workerData;
lifeline.on('message', () => {});
lifeline.on('close', () => {
  deaths.postMessage({ worker: -1, why: "the sweep's supervisor thread stopped" });
  const counter = new Int32Array(signal);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});`;

class Pool {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly supervisor: Worker;
  private readonly watchdog: Worker;
  /** Where the pool sends the supervisor the ports of workers to start. */
  private readonly starts: MessagePort;
  /** Where the supervisor reports a worker's death, and the watchdog the supervisor's. */
  private readonly deaths: MessagePort[] = [];
  /** Per worker: the port jobs go out and replies come back on. */
  private readonly ports: MessagePort[] = [];
  private batch = 0;
  /** Whether the workers have run a sweep (their isolates compiled its code): later sweeps go to them at once. */
  get warm(): boolean {
    return this.batch > 0;
  }
  /** Per worker: the code of the jobs it ran (jobCode), which its isolate has compiled. */
  private readonly codesRan: Set<unknown>[] = [];
  /** Per worker, written by it: see sweep-watch.ts. */
  private readonly watch: Int32Array;
  /** The traces' copies the workers read, in shared buffers reused from batch to batch. */
  private readonly sharedTraces = new SharedTraces();

  /** A pool of no workers yet (grow starts them), of at most `capacity`. */
  constructor(readonly capacity: number) {
    this.watch = new Int32Array(new SharedArrayBuffer(WATCH_STRIDE * 4 * capacity));
    const starts = new MessageChannel();
    this.starts = starts.port1;
    const reports = [new MessageChannel(), new MessageChannel()];
    this.deaths = reports.map((channel) => channel.port1);
    const lifeline = new MessageChannel();
    this.supervisor = new Worker(SUPERVISOR, {
      eval: true,
      workerData: {
        source: workerSource(),
        starts: starts.port2,
        signal: this.signal.buffer,
        watch: this.watch.buffer,
        deaths: reports[0].port2,
        lifeline: lifeline.port1,
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB },
      },
      transferList: [starts.port2, reports[0].port2, lifeline.port1],
    });
    this.watchdog = new Worker(WATCHDOG, {
      eval: true,
      workerData: { lifeline: lifeline.port2, signal: this.signal.buffer, deaths: reports[1].port2 },
      transferList: [lifeline.port2, reports[1].port2],
    });
    this.supervisor.unref();
    this.watchdog.unref();
    // the supervisor keeps listening for workers to start: this end must not keep the process alive
    this.starts.unref();
  }

  /** The workers started. */
  get size(): number {
    return this.ports.length;
  }

  /** Starts workers until there are `workers` (at most the capacity); never stops any. */
  grow(workers: number): void {
    const first = this.size;
    const ports: MessagePort[] = [];
    for (let w = first; w < Math.min(workers, this.capacity); w++) {
      const { port1, port2 } = new MessageChannel();
      this.ports.push(port1);
      this.codesRan.push(new Set());
      ports.push(port2);
    }
    if (ports.length === 0) return;
    this.starts.postMessage({ ports, first }, ports);
    workerThreadsStarted += ports.length;
  }

  /** Whether a worker or the supervisor stopped since the last batch (then this pool cannot run another). */
  lostWorker(): Death | undefined {
    for (const port of this.deaths) {
      const death = receiveMessageOnPort(port)?.message as Death | undefined;
      if (death) return death;
    }
    return undefined;
  }

  /**
   * Runs `jobs` on the workers, results in job order. With `callerCodes` (the codes the calling thread has run, so
   * compiled) the calling thread runs jobs too, as one more worker of the scheduler, reading the workers' replies
   * and sending their next chunks between its own jobs.
   */
  run(jobs: readonly Job[], progress?: Progress, callerCodes?: Set<unknown>): unknown[] {
    const batch = ++this.batch;
    const started = wallClock();
    const results: unknown[] = new Array(jobs.length);
    /** Per worker: its chunks sent and not fully answered, oldest first, each the jobs not answered yet; its traces. */
    const inFlight: number[][][] = this.ports.map(() => []);
    const holds: Set<number>[] = this.ports.map(() => new Set());
    /** The calling thread's place in the scheduler, after the workers', or -1 where it only hands out jobs. */
    const caller = callerCodes === undefined ? -1 : this.size;
    const scheduler = new JobScheduler(
      jobs.map(jobCode),
      jobs.map((job) => job.trace),
      this.size + (caller < 0 ? 0 : 1),
      caller < 0 ? this.codesRan : [...this.codesRan, callerCodes!],
      jobs.map(jobModel),
    );
    const costs = new JobCosts(this.watch, this.size, scheduler, jobs);
    const copies = this.sharedTraces.forBatch(jobs.map((job) => job.trace));
    const times: SweepThreadTimes[] = this.ports.map(() => ({ jobs: 0, busy: 0, firstBegan: 0, lastEnded: 0 }));
    let sent = 0;
    let done = 0;
    /** Per group: the size of its last chunk. */
    const lastChunk = new Map<number, number>();
    const chunkSize = (group: number) => {
      const share = Math.ceil(scheduler.left / (2 * (this.size + (caller < 0 ? 0 : 1))));
      const size = chunkJobs(costs.cpuPerJob(group), share, lastChunk.get(group));
      lastChunk.set(group, size);
      return size;
    };
    const methods = simulatedMethods(jobs);
    const sentMethods = this.ports.map(() => false);
    const send = (worker: number) => {
      const message: JobsMessage = { batch, traces: [], jobs: [] };
      if (!sentMethods[worker]) [message.methods, sentMethods[worker]] = [methods, true];
      const chunk = scheduler.take(worker, chunkSize);
      for (const index of chunk) {
        const { kind, trace, options } = jobs[index];
        const { id, trace: sharedCopy } = copies.get(trace)!;
        if (!holds[worker].has(id)) message.traces.push([id, sharedCopy]);
        holds[worker].add(id);
        message.jobs.push({ index, kind, traceId: id, options });
      }
      sent += chunk.length;
      inFlight[worker].push(chunk);
      this.ports[worker].postMessage(message);
    };
    /**
     * Per worker: the jobs it had begun before this batch (watch), read before any chunk goes out (an idle worker
     * begins its first at once), and its replies in this batch.
     */
    const begunBefore = this.ports.map((_, w) => Atomics.load(this.watch, watchIndex(w, 'begun')));
    const answered = this.ports.map(() => 0);
    // two chunks in flight per worker: one runs while the next waits, so a worker never idles on the main thread; three
    // where the calling thread runs jobs too, as it reads replies only between its own jobs
    const depth = caller < 0 ? 2 : 3;
    for (let round = 0; round < depth; round++) for (let w = 0; w < this.size; w++) if (scheduler.left > 0) send(w);
    /** A job's error or the progress callback's: no job is sent after it, and it is thrown once all are back. */
    let failure: { error: unknown } | undefined;
    /**
     * Job `index` has ended, in a worker or in the calling thread: its result, or its error as the sweep's failure,
     * then the progress callback; whether the sweep goes on. A callback that throws ends the sweep as a job's error
     * does, once the jobs in flight are back: the workers then start the next sweep idle (its stuck check reads the
     * job each one runs).
     */
    const finished = (index: number, outcome: { result: unknown } | { error: unknown }): boolean => {
      done++;
      if ('error' in outcome) failure ??= { error: outcome.error };
      else results[index] = outcome.result;
      if (failure) return false;
      try {
        progress?.(done, jobs.length, jobs[index].label);
      } catch (err) {
        failure = { error: err };
        return false;
      }
      return true;
    };
    /** Takes worker `w`'s replies; whether there were any. */
    const receive = (w: number): boolean => {
      let received = false;
      for (let m = receiveMessageOnPort(this.ports[w]); m; m = receiveMessageOnPort(this.ports[w])) {
        received = true;
        const reply = m.message as JobReply;
        if (reply.batch !== batch) continue;
        answered[w]++;
        const chunk = inFlight[w][0];
        chunk.shift();
        if (reply.jobCpu !== undefined) costs.finished(reply.index, reply.jobCpu);
        timeReply(times[w], reply, started);
        if (chunk.length === 0) inFlight[w].shift();
        const outcome =
          'error' in reply
            ? { error: reply.userError ? new UserError(reply.error) : new Error(reply.error) }
            : { result: reply.result };
        if (!finished(reply.index, outcome)) continue;
        // the next chunk once this one is answered
        if (chunk.length === 0 && scheduler.left > 0) send(w);
      }
      return received;
    };
    let callerJobs = 0;
    /** The calling thread runs a chunk of its own, feeding the workers after each job. */
    const runCallerChunk = () => {
      const chunk = scheduler.take(caller, chunkSize);
      const cpu = threadCpuSeconds();
      let ran = 0;
      for (const index of chunk) {
        if (failure) break;
        const { kind, trace, options } = jobs[index];
        sent++;
        ran++;
        callerJobs++;
        let outcome: { result: unknown } | { error: unknown };
        try {
          outcome = { result: runJob(kind, trace, options) };
        } catch (error) {
          outcome = { error };
        }
        finished(index, outcome);
        for (let w = 0; w < this.size; w++) receive(w);
      }
      if (cpu !== undefined && ran > 0) costs.finished(chunk[ran - 1], (threadCpuSeconds()! - cpu) / ran);
    };
    while (done < jobs.length) {
      const seen = Atomics.load(this.signal, 0);
      let received = false;
      for (let w = 0; w < this.size; w++) received = receive(w) || received;
      const death = this.lostWorker();
      if (death) {
        if (death.worker < 0) throw this.broken(`${death.why}, and with it the sweep's workers`);
        // every reply it sent before it died is in by now: it died in a job if it began more than it answered
        const w = death.worker;
        receive(w);
        const begun = Atomics.load(this.watch, watchIndex(w, 'begun')) - begunBefore[w];
        const when =
          begun > answered[w]
            ? `while running job ${quoted(jobs[Atomics.load(this.watch, watchIndex(w, 'job'))].label)}`
            : Atomics.load(this.watch, watchIndex(w, 'loaded')) === 0
              ? 'while loading the library, before it ran any job'
              : 'between jobs (it was running none)';
        throw this.broken(`a sweep worker stopped ${when}: ${death.why}`);
      }
      // after a failure no new job is sent: stop once the ones in flight are back
      if (failure && done === sent) throw failure.error;
      if (caller >= 0 && !failure && scheduler.left > 0) {
        runCallerChunk();
        continue;
      }
      if (received || Atomics.wait(this.signal, 0, seen, WATCH_MS) !== 'timed-out') continue;
      const stuck = this.ports.findIndex((_, w) => inFlight[w].length > 0 && costs.stuck(w));
      if (stuck >= 0) {
        const job = Atomics.load(this.watch, watchIndex(stuck, 'job'));
        const { seconds, basis } = costs.barOf(job);
        const bar =
          basis === 'group'
            ? `${STUCK_FACTOR} times the costliest finished job of its kind`
            : basis === 'code'
              ? `${STUCK_FACTOR} times the costliest finished job of its method per access and page`
              : `${seconds.toFixed(0)} CPU s, the bound for its size while no job of its method has finished`;
        throw this.broken(
          `a sweep worker seems stuck in job ${quoted(jobs[job].label)}: ${costs.spent[stuck].toFixed(1)} CPU s ` +
            `without an answer, over ${bar}`,
        );
      }
    }
    lastTimes = { seconds: (wallClock() - started) / 1e3, threads: times, callerJobs };
    return results;
  }

  /** Stops the workers and forgets the pool; returns the error to throw (one line, as the CLI prints it). */
  broken(message: string): UserError {
    this.close();
    return new UserError(message.replace(/[\r\n]+/g, ' '));
  }

  close(): void {
    // stopping the supervisor stops its workers; a report the watchdog may still post of the supervisor's end goes
    // to this pool's own ports and signal, which nobody reads once the pool is dropped
    void this.watchdog.terminate();
    void this.supervisor.terminate();
    if (pool === this) pool = undefined;
  }
}

/** Adds a reply to its worker's time line (a chunk's times come with its last reply); `started`: the sweep's start. */
function timeReply(times: SweepThreadTimes, reply: JobReply, started: number): void {
  times.jobs++;
  if (reply.began === undefined || reply.ended === undefined) return;
  if (times.busy === 0) times.firstBegan = (reply.began - started) / 1e3;
  times.busy += (reply.ended - reply.began) / 1e3;
  times.lastEnded = (reply.ended - started) / 1e3;
}

/**
 * The costliest finished job per group and per code (CPU per unit of work), and the CPU each worker spent in
 * the job it runs now (STUCK_FACTOR).
 */
class JobCosts {
  private readonly costliest = new Map<number, number>();
  /** Per group: the CPU seconds per job of its chunks, summed, and how many chunks. */
  private readonly perJob = new Map<number, [number, number]>();
  private readonly costliestPerWork = new Map<string, number>();
  /** Per worker: its jobs begun when last looked at, its CPU then, and the CPU seen spent in that job since. */
  private readonly begun: number[];
  private readonly cpu: number[];
  readonly spent: number[];

  constructor(
    private readonly watch: Int32Array,
    workers: number,
    private readonly scheduler: JobScheduler,
    private readonly jobs: readonly Job[],
  ) {
    this.begun = new Array<number>(workers).fill(-1);
    this.cpu = new Array<number>(workers).fill(0);
    this.spent = new Array<number>(workers).fill(0);
  }

  /** Job `index` (the last of a chunk) took `cpu` seconds, as did each job of its chunk (all of its group). */
  finished(index: number, cpu: number): void {
    const group = this.scheduler.groupOf(index);
    this.costliest.set(group, Math.max(this.costliest.get(group) ?? 0, cpu));
    const [sum, chunks] = this.perJob.get(group) ?? [0, 0];
    this.perJob.set(group, [sum + cpu, chunks + 1]);
    const code = jobCode(this.jobs[index]);
    const perWork = cpu / workOf(this.jobs[index]);
    this.costliestPerWork.set(code, Math.max(this.costliestPerWork.get(code) ?? 0, perWork));
  }

  /** A group's mean CPU seconds per job so far (a chunk's mean counting once), undefined before one finished. */
  cpuPerJob(group: number): number | undefined {
    const seen = this.perJob.get(group);
    return seen && seen[0] / seen[1];
  }

  /** The CPU seconds past which job `index` counts as stuck, and what they were judged by. */
  barOf(index: number): StuckBar {
    return stuckBar(
      this.costliest.get(this.scheduler.groupOf(index)),
      this.costliestPerWork.get(jobCode(this.jobs[index])),
      workOf(this.jobs[index]),
    );
  }

  /** Whether worker `w`, which has jobs in flight, has run its current job too long (see STUCK_FACTOR). */
  stuck(w: number): boolean {
    const tid = Atomics.load(this.watch, watchIndex(w, 'thread'));
    const cpu = tid ? threadCpuSeconds(tid) : undefined;
    if (cpu === undefined) return false;
    const begun = Atomics.load(this.watch, watchIndex(w, 'begun'));
    // a job begun since the last look: count from now (the CPU it used before is not known)
    this.spent[w] = begun === this.begun[w] ? this.spent[w] + cpu - this.cpu[w] : 0;
    this.begun[w] = begun;
    this.cpu[w] = cpu;
    return this.spent[w] > this.barOf(Atomics.load(this.watch, watchIndex(w, 'job'))).seconds;
  }
}

/** How much CPU a job may use before it counts as stuck, judged by its group, its code, or nothing finished. */
export interface StuckBar {
  seconds: number;
  basis: 'group' | 'code' | 'none';
}

/**
 * The stuck bar of a job of `work` accesses and pages, given the CPU seconds of the costliest finished job of its
 * group and the costliest CPU per access and page of its code (undefined where none finished): see STUCK_FACTOR.
 */
export function stuckBar(ofGroup: number | undefined, perWorkOfCode: number | undefined, work: number): StuckBar {
  if (ofGroup !== undefined) return { seconds: Math.max(STUCK_FLOOR_SECONDS, STUCK_FACTOR * ofGroup), basis: 'group' };
  if (perWorkOfCode !== undefined)
    return { seconds: Math.max(STUCK_FLOOR_SECONDS, STUCK_FACTOR * perWorkOfCode * work), basis: 'code' };
  return { seconds: Math.max(NO_BASIS_FLOOR_SECONDS, STUCK_FACTOR * NO_BASIS_SECONDS_PER_WORK * work), basis: 'none' };
}

/** The work a job scales with: its trace's accesses plus its VM's pages (a push may send every one). */
function workOf(job: Job): number {
  const { vmPages } = job.options as { vmPages?: number };
  return job.trace.page.length + (vmPages ?? largestPage(job.trace.page) + 1);
}

let pool: Pool | undefined;

/** The pool of sweepWorkers() threads, with at least `workers` of them started. */
function poolOf(workers: number): Pool {
  // a worker that stopped between sweeps (nothing was running on it) only means a fresh pool
  if (pool && (pool.capacity !== sweepWorkers() || pool.lostWorker())) pool.close();
  pool ??= new Pool(sweepWorkers());
  pool.grow(workers);
  return pool;
}

/** Stops the sweep workers and drops the traces' shared copies (unref'd workers never keep a process alive). */
export function closeSweepWorkers(): void {
  pool?.close();
}
