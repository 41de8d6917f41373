/**
 * Which jobs of a sweep a worker thread runs next (parallel.ts). Jobs are grouped by trace, in job
 * order, and a worker stays on one trace while it has jobs: a thread keeps the PPM models it trained on
 * a trace's history (src/prefetch/trained-models.ts), so two workers on one trace train every model
 * twice and both hold them. A worker whose trace runs out moves to the trace with the most jobs left per
 * worker already on it, so the workers still finish together.
 */
export class TraceScheduler {
  /** Per trace: its jobs' indices in job order, and how many of them were handed out. */
  private readonly queues: number[][] = [];
  private readonly taken: number[] = [];
  private readonly workersOn: number[] = [];
  /** Per worker: the trace it is on (an index into queues), or -1. */
  private readonly on: number[];
  private readonly total: number;
  private handedOut = 0;

  /** `traces[i]` identifies job i's trace (any value compared by identity). */
  constructor(traces: readonly unknown[], workers: number) {
    const queueOf = new Map<unknown, number[]>();
    traces.forEach((trace, index) => {
      let queue = queueOf.get(trace);
      if (!queue) {
        queueOf.set(trace, (queue = []));
        this.queues.push(queue);
        this.taken.push(0);
        this.workersOn.push(0);
      }
      queue.push(index);
    });
    this.on = new Array<number>(workers).fill(-1);
    this.total = traces.length;
  }

  /** Jobs not handed out yet. */
  get left(): number {
    return this.total - this.handedOut;
  }

  /** Up to `count` next jobs for `worker`, all on one trace, in job order; none once every job is handed out. */
  take(worker: number, count: number): number[] {
    const trace = this.traceFor(worker);
    if (trace < 0) return [];
    const start = this.taken[trace];
    const end = Math.min(start + count, this.queues[trace].length);
    this.taken[trace] = end;
    this.handedOut += end - start;
    return this.queues[trace].slice(start, end);
  }

  private jobsLeft(trace: number): number {
    return this.queues[trace].length - this.taken[trace];
  }

  private traceFor(worker: number): number {
    const current = this.on[worker];
    if (current >= 0 && this.jobsLeft(current) > 0) return current;
    if (current >= 0) this.workersOn[current]--;
    let best = -1;
    for (let trace = 0; trace < this.queues.length; trace++) {
      if (this.jobsLeft(trace) === 0) continue;
      const perWorker = this.jobsLeft(trace) / (this.workersOn[trace] + 1);
      if (best < 0 || perWorker > this.jobsLeft(best) / (this.workersOn[best] + 1)) best = trace;
    }
    this.on[worker] = best;
    if (best >= 0) this.workersOn[best]++;
    return best;
  }
}
