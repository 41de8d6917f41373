/**
 * Which jobs of a sweep a worker thread runs next (parallel.ts). Jobs are grouped by the code they run (kind and
 * predictor: jobs.ts jobCode), the trace they run on and the model they train on it (jobs.ts jobModel: a PPM
 * order, say), in job order, and a worker stays on one group while it has jobs. Each worker is a V8 isolate of its
 * own that compiles the code it runs: that JIT warm-up, not the work, is most of what a fresh worker pays (about
 * 0.6-0.9 CPU s of a 2 s sweep), so a worker keeps to the code it has compiled, in this sweep or an earlier one of
 * its pool. It also keeps the PPM models it trained on a trace's history (src/prefetch/trained-models.ts), and
 * groups of several codes train the same one (ppm-delta, ppm-hybrid and ppm-hybrid-dirty on one trace: one model
 * key), so two workers on them train it twice. A worker whose group runs out takes, in order: a group nobody is on
 * whose model it trained on that trace; one nobody is on whose model no other worker trained there; one nobody is
 * on that runs code it ran; any group nobody is on (one on a trace it ran, then the largest); else it joins the
 * group with the most jobs left per worker on it, so the workers still finish together. Models come before code:
 * every worker compiles all of a sweep's methods before its first job anyway (jobs.ts exerciseMethods).
 */
export class JobScheduler {
  /** Per group: its jobs' indices in job order, how many of them were handed out, its code and trace. */
  private readonly queues: number[][] = [];
  private readonly taken: number[] = [];
  private readonly workersOn: number[] = [];
  private readonly codes: unknown[] = [];
  private readonly traces: unknown[] = [];
  /** Per group: the key of the model its jobs train (undefined for predictors that keep none). */
  private readonly models: unknown[] = [];
  /** Per job: its group. */
  private readonly groups: Int32Array;
  /** Per worker: the group it is on (an index into queues), or -1; the traces it ran in this sweep. */
  private readonly on: number[];
  private readonly tracesRan: Set<unknown>[];
  /** Per worker: per trace, the models it trained on it in this sweep (those of the groups it went to). */
  private readonly modelsRan: Map<unknown, Set<unknown>>[];
  private readonly total: number;
  private handedOut = 0;

  /**
   * Job i runs code `codes[i]` on trace `traces[i]` (any values, compared by identity) and trains the model
   * `models[i]` on that trace (undefined: none). `codesRan` holds per worker the codes it ran; the scheduler adds to
   * it, so a pool passes the same sets to each sweep.
   */
  constructor(
    codes: readonly unknown[],
    traces: readonly unknown[],
    workers: number,
    private readonly codesRan: Set<unknown>[] = Array.from({ length: workers }, () => new Set()),
    models: readonly unknown[] = [],
  ) {
    const groupOf = new Map<unknown, Map<unknown, Map<unknown, number>>>();
    this.groups = new Int32Array(traces.length);
    traces.forEach((trace, index) => {
      const [code, model] = [codes[index], models[index]];
      let byTrace = groupOf.get(code);
      if (!byTrace) groupOf.set(code, (byTrace = new Map()));
      let byModel = byTrace.get(trace);
      if (!byModel) byTrace.set(trace, (byModel = new Map()));
      let group = byModel.get(model);
      if (group === undefined) {
        byModel.set(model, (group = this.queues.length));
        this.queues.push([]);
        this.taken.push(0);
        this.workersOn.push(0);
        this.codes.push(code);
        this.traces.push(trace);
        this.models.push(model);
      }
      this.queues[group].push(index);
      this.groups[index] = group;
    });
    this.on = new Array<number>(workers).fill(-1);
    this.tracesRan = Array.from({ length: workers }, () => new Set());
    this.modelsRan = Array.from({ length: workers }, () => new Map());
    this.total = traces.length;
  }

  /** The group of job `job` (jobs of one group run the same code on the same trace, training the same model). */
  groupOf(job: number): number {
    return this.groups[job];
  }

  /** Jobs not handed out yet. */
  get left(): number {
    return this.total - this.handedOut;
  }

  /**
   * Up to `count` next jobs for `worker` (a number, or one for the group they come from), all of one group, in job
   * order; none once every job is handed out.
   */
  take(worker: number, count: number | ((group: number) => number)): number[] {
    const group = this.groupFor(worker);
    if (group < 0) return [];
    const start = this.taken[group];
    const end = Math.min(start + (typeof count === 'number' ? count : count(group)), this.queues[group].length);
    this.taken[group] = end;
    this.handedOut += end - start;
    return this.queues[group].slice(start, end);
  }

  private jobsLeft(group: number): number {
    return this.queues[group].length - this.taken[group];
  }

  private groupFor(worker: number): number {
    const current = this.on[worker];
    if (current >= 0 && this.jobsLeft(current) > 0) return current;
    if (current >= 0) this.workersOn[current]--;
    const best = this.choose(worker);
    this.on[worker] = best;
    if (best >= 0) {
      this.workersOn[best]++;
      this.codesRan[worker].add(this.codes[best]);
      this.tracesRan[worker].add(this.traces[best]);
      const [trained, trace, model] = [this.modelsRan[worker], this.traces[best], this.models[best]];
      if (model !== undefined) {
        if (!trained.has(trace)) trained.set(trace, new Set());
        trained.get(trace)!.add(model);
      }
    }
    return best;
  }

  /** The group `worker` should go to next (see the head comment), or -1 when no job is left. */
  private choose(worker: number): number {
    // the preference of a group, compared element by element: larger is better
    const preference = (group: number): number[] => {
      const free = this.workersOn[group] === 0 ? 1 : 0;
      return [
        free && this.trainedBy(worker, group) ? 1 : 0,
        free && !this.modelsRan.some((_, other) => other !== worker && this.trainedBy(other, group)) ? 1 : 0,
        free && this.codesRan[worker].has(this.codes[group]) ? 1 : 0,
        free,
        free && this.tracesRan[worker].has(this.traces[group]) ? 1 : 0,
        this.jobsLeft(group) / (this.workersOn[group] + 1),
      ];
    };
    let best = -1;
    let bestPreference: number[] = [];
    for (let group = 0; group < this.queues.length; group++) {
      if (this.jobsLeft(group) === 0) continue;
      const p = preference(group);
      if (best < 0 || isBetter(p, bestPreference)) [best, bestPreference] = [group, p];
    }
    return best;
  }

  /** Whether `worker` trained on group `group`'s trace the model that the group's jobs train. */
  private trainedBy(worker: number, group: number): boolean {
    const model = this.models[group];
    return model !== undefined && this.modelsRan[worker].get(this.traces[group])?.has(model) === true;
  }
}

/** Whether preference `a` beats `b`: the first element where they differ is larger in `a`. */
function isBetter(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}
