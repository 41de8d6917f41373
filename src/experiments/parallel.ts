/**
 * Parallel sweeps: the independent jobs of a sweep (src/experiments/jobs.ts) spread over worker
 * threads, results in job order, so rows come out identical to a run in one thread.
 *
 * Synchronous on purpose: experiments, notebooks and the CLI call sweeps as plain functions. The
 * main thread hands each worker its next job as soon as it returns one, and blocks in Atomics.wait
 * in between; workers bump a shared counter after each reply, which the main thread reads with
 * receiveMessageOnPort (no event loop needed). Traces go to the workers once per trace as
 * SharedArrayBuffer copies (no per-job copy); a job carries only its options.
 *
 * Workers load the compiled library (dist/), as notebooks do; under tsx (the tests) they load the
 * TypeScript sources through tsx. A job's exception comes back to the caller (UserError stays a
 * UserError). The pool stays up between sweeps (unref'd: it never keeps a process alive).
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { UserError } from '../errors';
import type { Trace } from '../trace';
import type { Progress } from './common';
import { runJob, type Job, type JobKind, type JobTypes } from './jobs';

/** Environment variable setting the default number of workers (e.g. 1 where another level runs in parallel). */
export const WORKERS_ENV = 'POSTCOPY_LAB_WORKERS';

let chosenWorkers: number | undefined;

/** Sets the number of worker threads of later sweeps (1 = run in the calling thread); undefined restores the default. */
export function setSweepWorkers(count: number | undefined): void {
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1))
    throw new UserError(`sweep workers must be a whole number >= 1, got ${count}`);
  chosenWorkers = count;
}

/** Worker threads a sweep uses: setSweepWorkers, else $POSTCOPY_LAB_WORKERS, else the number of cores. */
export function sweepWorkers(): number {
  if (chosenWorkers !== undefined) return chosenWorkers;
  const fromEnv = process.env[WORKERS_ENV];
  if (fromEnv === undefined || fromEnv === '') return availableParallelism();
  const count = Number(fromEnv);
  if (!(Number.isSafeInteger(count) && count >= 1))
    throw new UserError(`${WORKERS_ENV} must be a whole number >= 1, got '${fromEnv}'`);
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
  return runHere(jobs, progress);
}

function runHere<K extends JobKind>(jobs: readonly Job<K>[], progress?: Progress): JobTypes[K]['result'][] {
  const workers = Math.min(sweepWorkers(), jobs.length);
  if (workers <= 1) {
    return jobs.map((job, i) => {
      const result = runJob(job.kind, job.trace, job.options);
      progress?.(i + 1, jobs.length, job.label);
      return result;
    });
  }
  return poolOf(workers).run(jobs, progress) as JobTypes[K]['result'][];
}

/** What a worker receives per job. The trace's arrays are views of SharedArrayBuffers: cloning them copies nothing. */
export interface JobMessage {
  batch: number;
  index: number;
  kind: JobKind;
  traceId: number;
  trace: Trace;
  options: unknown;
}

/** What a worker answers: a result, a job's error, or that it could not start. */
export type JobReply =
  | { batch: number; index: number; result: unknown }
  | { batch: number; index: number; error: string; userError: boolean }
  | { startError: string };

const shared = new WeakMap<Trace, { id: number; trace: Trace }>();
let nextTraceId = 0;

/** The trace with every typed array copied into shared memory, once per trace object. */
function sharedTrace(trace: Trace): { id: number; trace: Trace } {
  let entry = shared.get(trace);
  if (!entry) {
    const copy: Record<string, unknown> = { ...trace };
    for (const [key, value] of Object.entries(trace)) {
      if (!ArrayBuffer.isView(value)) continue;
      const array = value as unknown as Uint8Array;
      const into = new (array.constructor as new (buffer: SharedArrayBuffer) => Uint8Array)(
        new SharedArrayBuffer(array.byteLength),
      );
      into.set(array);
      copy[key] = into;
    }
    entry = { id: nextTraceId++, trace: copy as unknown as Trace };
    shared.set(trace, entry);
  }
  return entry;
}

/** The worker's entry point: the compiled module next to this one, or the TypeScript source through tsx. */
function workerSource(): string {
  const underTsx = __filename.endsWith('.ts');
  const script = join(__dirname, underTsx ? 'sweep-worker.ts' : 'sweep-worker.js');
  const register = underTsx ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();` : '';
  // anything that fails while loading is reported as a reply: the main thread is blocked and would never see an 'error' event
  return `const { workerData } = require('node:worker_threads');
try { ${register} require(${JSON.stringify(script)}); } catch (err) {
  workerData.port.postMessage({ startError: String(err && err.message || err) });
  const signal = new Int32Array(workerData.signal); Atomics.add(signal, 0, 1); Atomics.notify(signal, 0);
}`;
}

class Pool {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly threads: { worker: Worker; replies: MessagePort }[] = [];
  private batch = 0;

  constructor(readonly size: number) {
    const source = workerSource();
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source, {
        eval: true,
        workerData: { port: port2, signal: this.signal.buffer },
        transferList: [port2],
      });
      worker.unref();
      this.threads.push({ worker, replies: port1 });
    }
  }

  run(jobs: readonly Job[], progress?: Progress): unknown[] {
    const batch = ++this.batch;
    const results: unknown[] = new Array(jobs.length);
    let next = 0;
    let done = 0;
    const send = (worker: Worker) => {
      const index = next++;
      const { kind, trace, options } = jobs[index];
      const { id, trace: sharedCopy } = sharedTrace(trace);
      const message: JobMessage = { batch, index, kind, traceId: id, trace: sharedCopy, options };
      worker.postMessage(message);
    };
    // two jobs in flight per worker: one runs while the next waits, so a worker never idles on the main thread
    for (let round = 0; round < 2; round++) for (const t of this.threads) if (next < jobs.length) send(t.worker);
    let failure: Error | undefined;
    while (done < jobs.length) {
      const seen = Atomics.load(this.signal, 0);
      let received = false;
      for (const t of this.threads) {
        for (let m = receiveMessageOnPort(t.replies); m; m = receiveMessageOnPort(t.replies)) {
          received = true;
          const reply = m.message as JobReply;
          if ('startError' in reply) throw this.broken(`a sweep worker could not start: ${reply.startError}`);
          if (reply.batch !== batch) continue;
          done++;
          if ('error' in reply) failure ??= reply.userError ? new UserError(reply.error) : new Error(reply.error);
          else results[reply.index] = reply.result;
          if (failure) continue;
          progress?.(done, jobs.length, jobs[reply.index].label);
          if (next < jobs.length) send(t.worker);
        }
      }
      // after a failure no new job is sent: stop once the ones in flight are back
      if (failure && done === next) throw failure;
      if (!received) Atomics.wait(this.signal, 0, seen);
    }
    return results;
  }

  /** Stops the workers and forgets the pool; returns the error to throw. */
  broken(message: string): Error {
    this.close();
    return new Error(message);
  }

  close(): void {
    for (const t of this.threads) void t.worker.terminate();
    if (pool === this) pool = undefined;
  }
}

let pool: Pool | undefined;

function poolOf(size: number): Pool {
  if (pool && pool.size !== size) pool.close();
  pool ??= new Pool(size);
  return pool;
}

/** Stops the sweep workers (they are unref'd, so this is only needed to free their memory early). */
export function closeSweepWorkers(): void {
  pool?.close();
}
