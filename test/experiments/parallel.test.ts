/**
 * Parallel sweeps: every experiment gives the same rows, in the same order, on 1, 2 and 3 worker
 * threads; job errors reach the caller as they would in one thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import {
  accuracyByTraining,
  chunkJobs,
  closeSweepWorkers,
  confidenceSweep,
  faultComparison,
  forgetJobResults,
  HandOverJudge,
  lastSweepTimes,
  modesVsWriteShare,
  runHandingOver,
  runJobs,
  setSweepWorkers,
  simulationJob,
  startSweepWorkers,
  stuckBar,
  sweepWorkerThreadsStarted,
  sweepWorkers,
  syntheticWorkloads,
  timesVsNetwork,
  whatIfGrid,
  WORKERS_ENV,
  worthHandingOver,
} from '../../src/experiments';
import { jobModel, simulatedMethods } from '../../src/experiments/jobs';
import { UserError } from '../../src/errors';
import { simulate } from '../../src/migration';
import { generateTrace, switchoverAtFraction } from '../../src/trace';
import type { PredictorName } from '../../src/prefetch';

const tiny = () =>
  syntheticWorkloads({ kinds: ['sequential', 'zipf', 'phased'], seeds: ['t'], accesses: 3000, pages: 300 });

/** Runs `run` on `count` workers, every job run anew (none answered from results kept by an earlier sweep). */
function onWorkers<T>(count: number, run: () => T): T {
  forgetJobResults();
  setSweepWorkers(count);
  try {
    return run();
  } finally {
    setSweepWorkers(undefined);
  }
}

test('each experiment gives identical rows in identical order on 1, 2 and 3 worker threads', () => {
  const workloads = tiny();
  const sweeps: Record<string, () => unknown> = {
    faults: () => faultComparison(workloads),
    training: () => accuracyByTraining(workloads),
    network: () =>
      timesVsNetwork(workloads, { bandwidthsGbps: [0.5, 1], rttsUs: [50, 1000], methods: ['none', 'ppm', 'bubbling'] }),
    modes: () =>
      modesVsWriteShare({
        kind: 'zipf',
        writeRatios: [0, 0.5],
        modes: ['precopy', 'postcopy', 'hybrid'],
        accesses: 4000,
        pages: 400,
        instructionsPerAccess: 10_000,
        seed: 's',
      }),
    confidence: () => confidenceSweep(workloads, [0, 0.1]),
    whatIf: () =>
      whatIfGrid(
        workloads,
        {
          workload: ['zipf', 'phased'],
          bandwidthGbps: [1],
          rttUs: [200],
          k: [2, 8],
          order: [2],
          push: ['off', 'restart'],
        },
        ['none', 'ppm'],
      ),
  };
  for (const [name, sweep] of Object.entries(sweeps)) {
    const serial = onWorkers(1, sweep);
    assert.deepEqual(onWorkers(2, sweep), serial, `${name} on 2 workers`);
    assert.deepEqual(onWorkers(3, sweep), serial, `${name} on 3 workers`);
  }
});

test("sweeps over fresh trace objects (their shared copies written over the last ones') give one thread's rows", () => {
  for (const [seed, accesses] of [
    ['a', 3000],
    ['b', 2500],
    ['c', 3200],
  ] as const) {
    const workloads = syntheticWorkloads({ kinds: ['zipf', 'phased'], seeds: [seed], accesses, pages: 300 });
    const sweep = () => faultComparison(workloads, {}, undefined, ['none', 'ppm']);
    assert.deepEqual(onWorkers(2, sweep), onWorkers(1, sweep), `seed ${seed}`);
  }
});

test('a trace changed in place between sweeps is swept as it is now, in this thread too (not the last VM size)', () => {
  const trace = generateTrace('zipf', { seed: 'in place', accesses: 20_000, pages: 2000 });
  const switchover = switchoverAtFraction(trace, 0.3);
  const sweep = () =>
    runJobs(
      (['precopy', 'postcopy'] as const).map((mode) =>
        simulationJob({ trace }, { mode, predictor: 'ppm', switchover, push: 'sequential' }, mode),
      ),
    );
  for (const change of [(page: number) => page % 1000, (page: number) => (page === 7 ? 5000 : page)]) {
    setSweepWorkers(1);
    try {
      sweep();
      trace.page.set(trace.page.map(change));
      // the last batch's rows kept no VM size: the ones a copy of the changed trace gives, run in no sweep
      const copy = { ...trace, page: trace.page.slice() };
      const expected = (['precopy', 'postcopy'] as const).map((mode) =>
        simulate(copy, { mode, predictor: 'ppm', switchover, push: 'sequential' }),
      );
      assert.deepEqual(sweep(), expected);
      assert.equal(expected[0].vmPages, Math.max(...copy.page) + 1);
    } finally {
      setSweepWorkers(undefined);
    }
  }
});

test('progress counts every job once, up to the total, on worker threads', () => {
  const workloads = tiny();
  const seen: number[] = [];
  onWorkers(2, () => faultComparison(workloads, {}, (done, total) => seen.push(done * 1000 + total), ['none', 'ppm']));
  assert.deepEqual(seen, [1006, 2006, 3006, 4006, 5006, 6006]);
});

test("a job's error reaches the caller from a worker thread, a UserError still a UserError, and the pool keeps working", () => {
  const [workload] = tiny();
  const jobs = [
    simulationJob(workload, {}, 'fine'),
    simulationJob(workload, { k: -1 }, 'bad'),
    simulationJob(workload, {}, 'fine too'),
  ];
  assert.throws(
    () => onWorkers(2, () => runJobs(jobs)),
    (err) => err instanceof UserError && /k must be a whole number >= 0/.test(err.message),
  );
  const fine = onWorkers(2, () => runJobs([jobs[0], jobs[2]]));
  assert.deepEqual(fine[0], fine[1]);
});

test("a sweep's time line counts every job once and keeps each worker's chunks inside the sweep", () => {
  const workloads = tiny();
  for (const workers of [2, 3]) {
    onWorkers(workers, () => faultComparison(workloads, {}, undefined, ['none', 'next-k', 'ppm']));
    const times = lastSweepTimes()!;
    assert.equal(times.threads.length, workers);
    assert.equal(
      times.threads.reduce((sum, t) => sum + t.jobs, 0),
      9,
    );
    for (const t of times.threads) {
      const inside = t.firstBegan >= 0 && t.firstBegan <= t.lastEnded && t.lastEnded <= times.seconds;
      assert.ok(inside && t.busy <= t.lastEnded - t.firstBegan + 1e-9, JSON.stringify(t));
    }
  }
});

test('workers started before the jobs are known (startSweepWorkers) run a later sweep, one of fewer jobs too', () => {
  const [workload] = tiny();
  const jobs = [simulationJob(workload, {}, 'k default'), simulationJob(workload, { k: 2 }, 'k 2')];
  const serial = onWorkers(1, () => runJobs(jobs));
  // one worker per core, up to the 3 asked for, start early (none on one core, where the sweep starts its 2)
  const early = Math.min(3, availableParallelism());
  closeSweepWorkers();
  const before = sweepWorkerThreadsStarted();
  const started = onWorkers(3, () => {
    startSweepWorkers();
    assert.equal(sweepWorkerThreadsStarted() - before, early > 1 ? early : 0);
    return runJobs(jobs);
  });
  assert.deepEqual(started, serial);
  // the 2 jobs ran on the workers started before them, not on a pool started for them
  assert.equal(sweepWorkerThreadsStarted() - before, Math.max(2, early));
  assert.equal(lastSweepTimes()!.threads.length, Math.max(2, early));
});

test('more workers asked for than cores and jobs: at most one per core start early, then only what the jobs use', () => {
  const cores = availableParallelism();
  const [workload] = tiny();
  const jobs = Array.from({ length: cores + 1 }, (_, k) => simulationJob(workload, { k }, `k ${k}`));
  const serial = onWorkers(1, () => runJobs(jobs));
  closeSweepWorkers();
  const before = sweepWorkerThreadsStarted();
  const parallel = onWorkers(cores + 4, () => {
    startSweepWorkers();
    assert.equal(sweepWorkerThreadsStarted() - before, cores > 1 ? cores : 0);
    return runJobs(jobs);
  });
  assert.deepEqual(parallel, serial);
  assert.equal(sweepWorkerThreadsStarted() - before, cores + 1);
  assert.equal(lastSweepTimes()!.threads.length, cores + 1);
});

test("a chunk: one job until its group's CPU per job is known, then 20 ms of them, within the share and twice the last", () => {
  assert.equal(chunkJobs(undefined, 100, undefined), 1);
  // 2 ms a job: 10 fit in 20 ms; the last chunk of 4 allows 8, of 16 allows 32
  assert.equal(chunkJobs(0.002, 100, 4), 8);
  assert.equal(chunkJobs(0.002, 100, 16), 10);
  assert.equal(chunkJobs(0.002, 3, 16), 3);
  // a job longer than 20 ms goes alone
  assert.equal(chunkJobs(0.05, 100, 16), 1);
});

test('the worker count: setSweepWorkers, else the environment, else the cores; nonsense is a UserError', () => {
  const saved = process.env[WORKERS_ENV];
  try {
    process.env[WORKERS_ENV] = '3';
    assert.equal(sweepWorkers(), 3);
    assert.equal(onWorkers(1, sweepWorkers), 1);
    process.env[WORKERS_ENV] = 'many';
    assert.throws(sweepWorkers, UserError);
    assert.throws(() => setSweepWorkers(0), UserError);
    // a string from a notebook's JavaScript is quoted, not shown as if it were the number 2
    assert.throws(() => setSweepWorkers('2' as unknown as number), /between 1 and 1024, got "2"$/);
    // bounded as --workers is, decimal only: 1e9 asked a billion threads, 0x10 gave 16
    process.env[WORKERS_ENV] = '1024';
    assert.equal(sweepWorkers(), 1024);
    const refusedAs = (text: string, message: string) => {
      process.env[WORKERS_ENV] = text;
      assert.throws(sweepWorkers, (err: unknown) => err instanceof UserError && err.message === message, text);
    };
    for (const text of ['1025', '1e9', '0x10', '2.0', '-1', '99999999999999999999'])
      refusedAs(text, `POSTCOPY_LAB_WORKERS must be a whole number between 1 and 1024, got ${JSON.stringify(text)}`);
    // white space (' 1024 ' was taken) and a '+' named in the words every numeric flag uses ('+2' was "not whole")
    for (const text of [' 2', '2\n'])
      refusedAs(
        text,
        `POSTCOPY_LAB_WORKERS has white space around its value ${JSON.stringify(text)}: give the value alone`,
      );
    refusedAs('+2', 'POSTCOPY_LAB_WORKERS has a plus sign before its value "+2": give the number without it');
    assert.throws(() => setSweepWorkers(1025), UserError);
  } finally {
    if (saved === undefined) delete process.env[WORKERS_ENV];
    else process.env[WORKERS_ENV] = saved;
  }
});

/** Runs `run` with the worker count left to the default (neither setSweepWorkers nor the environment). */
function byDefault<T>(run: () => T): T {
  const saved = process.env[WORKERS_ENV];
  delete process.env[WORKERS_ENV];
  forgetJobResults();
  setSweepWorkers(undefined);
  try {
    return run();
  } finally {
    if (saved !== undefined) process.env[WORKERS_ENV] = saved;
  }
}

test('by default a sweep of a few CPU ms stays in the calling thread; a chosen count starts its workers', () => {
  const workloads = tiny();
  const sweep = () => faultComparison(workloads, {}, undefined, ['none', 'ppm']);
  const serial = onWorkers(1, sweep);
  closeSweepWorkers();
  const before = sweepWorkerThreadsStarted();
  // left to the default, nothing starts early either (the CLI asks before it makes its traces)
  assert.deepEqual(
    byDefault(() => {
      startSweepWorkers();
      return sweep();
    }),
    serial,
  );
  assert.equal(sweepWorkerThreadsStarted(), before);
  assert.deepEqual(onWorkers(2, sweep), serial);
  assert.equal(sweepWorkerThreadsStarted() - before, 2);
  // workers that ran a sweep are warm: the default hands them the next one at once (on one core it has no workers)
  if (availableParallelism() < 2) return;
  const warm = sweepWorkerThreadsStarted();
  const times = lastSweepTimes();
  assert.deepEqual(
    byDefault(() => sweep()),
    serial,
  );
  assert.equal(sweepWorkerThreadsStarted(), warm);
  assert.notEqual(lastSweepTimes(), times);
});

test("a sweep handed to the workers after its first jobs gives one thread's rows, progress counting each once", () => {
  const [workload] = tiny();
  const jobs = Array.from({ length: 7 }, (_, k) => simulationJob(workload, { k, predictor: 'ppm' }, `k ${k}`));
  const serial = onWorkers(1, () => runJobs(jobs));
  let before = lastSweepTimes();
  for (const after of [1, 3, 6]) {
    closeSweepWorkers();
    const seen: number[] = [];
    const asked: [number, number][] = [];
    const results = onWorkers(2, () =>
      runHandingOver(
        jobs,
        (done, total) => seen.push(done * 100 + total),
        (done, left) => {
          asked.push([done, left]);
          return done === after;
        },
      ),
    );
    assert.deepEqual(results, serial, `handed over after ${after}`);
    assert.deepEqual(seen, [107, 207, 307, 407, 507, 607, 707], `handed over after ${after}`);
    assert.deepEqual(asked.at(-1), [after, 7 - after]);
    // the jobs left ran on one worker (one fewer than asked for) and in the calling thread beside it, which ran one
    // at least (the worker is sent three chunks of one job first); the last job alone ran in the calling thread
    const times = lastSweepTimes()!;
    if (after === 6) assert.equal(times, before);
    else {
      assert.notEqual(times, before);
      assert.equal(times.threads.length, 1);
      assert.equal(times.threads[0].jobs + times.callerJobs, 7 - after);
      assert.ok(times.callerJobs >= 1);
    }
    before = times;
  }
});

test("after the hand-over a job's error in the calling thread reaches the caller as in one thread", () => {
  const [workload] = tiny();
  const fine = Array.from({ length: 4 }, (_, k) => simulationJob(workload, { k }, `k ${k}`));
  // handed over after the first: the worker is sent the next three, the calling thread takes the bad one
  const jobs = [...fine, simulationJob(workload, { k: -1 }, 'bad'), fine[0]];
  closeSweepWorkers();
  assert.throws(
    () => onWorkers(2, () => runHandingOver(jobs, undefined, (done) => done === 1)),
    (err) => err instanceof UserError && /k must be a whole number >= 0/.test(err.message),
  );
  // and the pool runs the next sweep soundly
  assert.deepEqual(
    onWorkers(2, () => runJobs(fine)),
    onWorkers(1, () => runJobs(fine)),
  );
});

test("hand over once the jobs left, at the latest half's CPU per job, save more than each worker's warm-up", () => {
  // not judged before 0.2 CPU s: the thread's own warm-up is in its first jobs
  assert.equal(worthHandingOver(0.19, 1, 100, 2), false);
  // the calling thread and 1 worker save half of what is left: 2.5 s left saves 1.25 > 1.2, 2.3 s saves 1.15
  assert.equal(worthHandingOver(0.2, 0.1, 25, 2), true);
  assert.equal(worthHandingOver(0.2, 0.1, 23, 2), false);
  // on 4 threads 3 workers start: three quarters of 4.9 s saves 3.675 > 3 x 1.2, of 4.7 s 3.525; 1.7 s no longer does
  assert.equal(worthHandingOver(0.2, 0.1, 49, 4), true);
  assert.equal(worthHandingOver(0.2, 0.1, 47, 4), false);
  assert.equal(worthHandingOver(0.2, 0.1, 17, 4), false);
});

/** A judge of `codes` on 2 workers, and a job's end: its CPU seconds, and its wall ms (as many, unless given). */
function judgeOf(codes: string[]) {
  let cpu = 0;
  let wall = 0;
  const judge = new HandOverJudge(
    2,
    codes,
    () => cpu,
    () => wall,
  );
  let done = 0;
  return (seconds: number, ms = seconds * 1000) => {
    cpu += seconds;
    wall += ms;
    done++;
    return judge.worthWorkers(done, codes.length - done);
  };
}

test("the judge counts repeats of a code only, 8 or more in the latest half: a code's first job has the JIT", () => {
  // 100 jobs of 4 codes in turn: the first of each took 0.1 s, its repeats 0.02 s
  const job = judgeOf(Array.from({ length: 100 }, (_, i) => `code ${i % 4}`));
  for (let i = 0; i < 4; i++) assert.equal(job(0.1), false, `first job of code ${i}`);
  // after 6 jobs the latest half (jobs 4-6: a first job, two repeats) by all its jobs, (0.1 + 0.04) / 3 s a job, says
  // 94 x 0.047 = 4.4 s left, saving 2.2 s; two repeats are too few to judge by
  assert.equal(job(0.02), false);
  assert.equal(job(0.02), false);
  // repeats of 0.02 s: at most 94 x 0.02 = 1.9 s left, saving less than the warm-up
  for (let done = 7; done <= 30; done++) assert.equal(job(0.02), false, `after ${done} jobs`);
  // costlier repeats from job 31 on (0.1 s): after 34 jobs the latest half (jobs 18-34) took 13 x 0.02 + 4 x 0.1 s,
  // 0.039 s a job, 66 x 0.039 = 2.56 s left saves 1.28; after 33, 67 x 0.034 = 2.29 s saved 1.14
  const moved: number[] = [];
  for (let done = 31; done <= 40; done++) if (job(0.1)) moved.push(done);
  assert.equal(moved[0], 34);
});

test('a sweep whose jobs each have a code of their own is judged by all of them once it has spent a warm-up', () => {
  const job = judgeOf(Array.from({ length: 10 }, (_, i) => `code ${i}`));
  // 0.5 s a job: 9 x 0.5 s left would save 2.25 s, but no job is a repeat, and 1.2 s are not spent yet
  assert.equal(job(0.5), false);
  assert.equal(job(0.5), false);
  // 1.5 s spent: 7 x 0.5 s left saves 1.75
  assert.equal(job(0.5), true);
  // no look 10 ms after the last
  assert.equal(job(0.5, 10), false);
});

test('a job counts as stuck past 100 times its group, else its method per access and page, else a bound fixed in advance', () => {
  // group: 100 x 0.2 s; a cheap group still gets the 5 s floor
  assert.deepEqual(stuckBar(0.2, 1e-6, 50_000), { seconds: 20, basis: 'group' });
  assert.deepEqual(stuckBar(0.01, 1e-6, 50_000), { seconds: 5, basis: 'group' });
  // its method on other traces: 100 x 2e-6 s per access and page x 200 000 of them = 40 s
  assert.deepEqual(stuckBar(undefined, 2e-6, 200_000), { seconds: 40, basis: 'code' });
  // nothing of its method finished: 100 x 1e-5 s x 10^7 = 10 000 s, and never less than 60 s
  assert.deepEqual(stuckBar(undefined, undefined, 1e7), { seconds: 10_000, basis: 'none' });
  assert.deepEqual(stuckBar(undefined, undefined, 3000), { seconds: 60, basis: 'none' });
});

test('a progress callback that throws ends the sweep with its error, and the pool runs the next sweep soundly', () => {
  // PPM's jobs keep their worker busy for seconds after the first reply: the next sweep then waits on it
  const long = syntheticWorkloads({ kinds: ['zipf', 'random'], seeds: ['p'], accesses: 1_500_000, pages: 20_000 });
  const next = () => faultComparison(tiny().slice(0, 1), {}, undefined, ['next-k']);
  const expected = onWorkers(1, next);
  onWorkers(2, () => {
    const stop = () => {
      throw new Error('stop');
    };
    assert.throws(() => faultComparison(long, {}, stop, ['ppm']), /^Error: stop$/);
    assert.deepEqual(next(), expected);
  });
});

test('jobModel: one key per PPM model a job trains (symbols, order, ...), none for other predictors', () => {
  const trace = tiny()[0].trace;
  const sim = (predictor: PredictorName, predictorOptions = {}) =>
    jobModel(simulationJob({ trace }, { predictor, predictorOptions }, 'x'));
  const deltas = sim('ppm-delta');
  assert.equal(typeof deltas, 'string');
  // the delta model: ppm-delta, the hybrids, ppm over deltas; page numbers another; an order another
  assert.deepEqual(
    [sim('ppm-hybrid'), sim('ppm-hybrid-dirty'), sim('ppm', { symbols: 'deltas' })],
    [deltas, deltas, deltas],
  );
  assert.notEqual(sim('ppm'), deltas);
  assert.equal(sim('ppm', { minProbability: 0.3, k: 4 }), sim('ppm'));
  assert.notEqual(sim('ppm', { order: 3 }), sim('ppm', { order: 2 }));
  assert.equal(sim('next-k'), undefined);
  assert.equal(jobModel(simulationJob({ trace }, {}, 'plain')), undefined);
  // options the run would refuse train nothing here: the run reports them
  assert.equal(sim('ppm', { order: -1 }), undefined);
  const metrics = {
    kind: 'predictionMetrics' as const,
    trace,
    options: { predictor: 'ppm' as const, order: 2 },
    label: 'm',
  };
  assert.equal(jobModel(metrics), sim('ppm', { order: 2 }));
});

test("simulatedMethods: a sweep's simulations' modes and predictors, each once, the defaults filled in", () => {
  const trace = tiny()[0].trace;
  const jobs = [
    simulationJob({ trace }, { predictor: 'ppm' }, 'a'),
    simulationJob({ trace }, { predictor: 'ppm', mode: 'hybrid' }, 'b'),
    simulationJob({ trace }, {}, 'c'),
    { kind: 'predictionMetrics' as const, trace, options: { predictor: 'markov' as const }, label: 'd' },
    simulationJob({ trace }, { predictor: 'ppm', k: 4 }, 'e'),
  ];
  assert.deepEqual(simulatedMethods(jobs), [
    { mode: 'postcopy', predictor: 'ppm' },
    { mode: 'hybrid', predictor: 'ppm' },
    { mode: 'postcopy', predictor: 'none' },
  ]);
});
