import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  forgetJobResults,
  keptJobResults,
  MAX_KEPT_RESULTS,
  rememberingResults,
} from '../../src/experiments/job-results';
import { runJob, simulationJob, type Job } from '../../src/experiments/jobs';
import { generateTrace, type Trace } from '../../src/trace';

const trace = () => generateTrace('zipf', { seed: 'kept', accesses: 3000, pages: 300 });

/** A stand-in for the sweep: each job it runs gets a new number, so an answer from kept results shows. */
function numbering() {
  const ran: Job[] = [];
  const run = (todo: Job[]) => todo.map((job) => (ran.push(job), { run: ran.length }) as never);
  return { ran, run };
}

/** Jobs on one trace told apart by their k, asked for by k through `numbering`, nothing kept before. */
function askingByK() {
  forgetJobResults();
  const t = trace();
  const job = (k: number): Job => ({ kind: 'simulate', trace: t, options: { k }, label: `k ${k}` });
  const { ran, run } = numbering();
  const ask = (ks: number[]) => rememberingResults(ks.map(job), undefined, run);
  return { job, ran, run, ask };
}

test('jobs asked again give exactly the results of runs of their own, without running; duplicates run once', () => {
  forgetJobResults();
  const workload = { trace: trace(), vmPages: 512 };
  const jobs = [
    simulationJob(workload, { predictor: 'ppm' }, 'ppm'),
    simulationJob(workload, { predictor: 'ppm', k: 2 }, 'k 2'),
    simulationJob(workload, { predictor: 'ppm' }, 'ppm again'),
    simulationJob(workload, { predictor: 'next-k', push: 'restart' }, 'next-k'),
  ];
  const own = jobs.map((job) => runJob(job.kind, job.trace, job.options));
  let runs = 0;
  const run = (todo: Job<'simulate'>[]) => {
    runs += todo.length;
    return todo.map((job) => runJob(job.kind, job.trace, job.options));
  };
  assert.deepEqual(rememberingResults(jobs, undefined, run), own);
  assert.equal(runs, 3);
  // a trace rebuilt with the same content (another object) finds them too
  const again = jobs.map((job) => ({ ...job, trace: trace() }));
  assert.deepEqual(rememberingResults(again, undefined, run), own);
  assert.equal(runs, 3);
});

test('different inputs never share a kept result: each trace column, page size, name and option value apart', () => {
  forgetJobResults();
  const base = trace();
  const changed = (change: (t: { -readonly [K in keyof Trace]: Trace[K] }) => void): Trace => {
    const copy = { ...base, page: base.page.slice(), time: base.time.slice(), write: base.write.slice() };
    change(copy);
    return copy;
  };
  const traces: Trace[] = [
    base,
    changed((t) => void (t.page[2999] ^= 1)),
    changed((t) => void (t.time[1500] += 1)),
    changed((t) => void (t.write[0] ^= 1)),
    changed((t) => void (t.time = Float64Array.from(base.time))),
    changed((t) => void (t.pageSize = 8192)),
    changed((t) => void (t.name = 'other')),
  ];
  const options: object[] = [
    {},
    { k: undefined },
    { k: null },
    { k: 0 },
    { k: -0 },
    { k: '0' },
    { k: NaN },
    { k: Infinity },
    { k: [] },
    { k: [undefined] },
    { k: {} },
    { network: { rttUs: 1 } },
    { network: { rttUs: 1.0000000000000002 } },
  ];
  const jobs: Job[] = [];
  for (const t of traces) for (const o of options) jobs.push({ kind: 'simulate', trace: t, options: o, label: '' });
  jobs.push({ kind: 'predictionMetrics', trace: base, options: {} as never, label: '' });
  const { ran, run } = numbering();
  const first = rememberingResults(jobs, undefined, run);
  assert.equal(ran.length, jobs.length, 'every job is a different input');
  assert.deepEqual(rememberingResults(jobs, undefined, run), first);
  assert.equal(ran.length, jobs.length, 'asked again, every one is found');
  // a trace changed in place after its results were kept is a new trace
  base.page[0] ^= 1;
  rememberingResults(jobs.slice(0, 1), undefined, run);
  assert.equal(ran.length, jobs.length + 1);
});

test('options that are not plain data are never kept; results handed out are copies', () => {
  forgetJobResults();
  const t = trace();
  const { ran, run } = numbering();
  const odd = [new Map(), new Uint8Array(1), [1, , 3], { [Symbol('s')]: 1 }, () => 1];
  const jobs: Job[] = odd.map((value) => ({ kind: 'simulate', trace: t, options: { value } as never, label: '' }));
  rememberingResults(jobs, undefined, run);
  rememberingResults(jobs, undefined, run);
  assert.equal(ran.length, 2 * odd.length);
  const plain: Job[] = [{ kind: 'simulate', trace: t, options: { k: 3 }, label: '' }];
  const [result] = rememberingResults(plain, undefined, run) as unknown as { run: number }[];
  result.run = -1;
  const [again] = rememberingResults(plain, undefined, run) as unknown as { run: number }[];
  again.run = -2;
  assert.deepEqual(rememberingResults(plain, undefined, run), [{ run: ran.length }]);
});

test('at most MAX_KEPT_RESULTS are kept, the least recently used dropped first; progress counts every job once', () => {
  const { job, ran, run, ask } = askingByK();
  ask([-2, -1]);
  ask([-2]);
  ask(Array.from({ length: MAX_KEPT_RESULTS - 2 }, (_, k) => k));
  assert.equal(keptJobResults(), MAX_KEPT_RESULTS);
  assert.equal(ran.length, MAX_KEPT_RESULTS);
  // one more: -1 is the least recently used (-2 was asked again) and goes
  ask([MAX_KEPT_RESULTS]);
  ask([-2]);
  assert.equal(ran.length, MAX_KEPT_RESULTS + 1);
  ask([-1]);
  assert.equal(ran.length, MAX_KEPT_RESULTS + 2);
  assert.equal(keptJobResults(), MAX_KEPT_RESULTS);
  const seen: string[] = [];
  rememberingResults(
    [-2, 5000, 1, 5001].map(job),
    (done, total, label) => seen.push(`${done}/${total} ${label}`),
    (todo, progress) => {
      todo.forEach((j, i) => progress?.(i + 1, todo.length, j.label));
      return run(todo);
    },
  );
  assert.deepEqual(seen, ['3/4 k 5000', '4/4 k 5001']);
  forgetJobResults();
});

test('a kept result asked for beside new jobs when the bound is full is kept again, not lost', () => {
  const { ran, ask } = askingByK();
  const first = ask(Array.from({ length: MAX_KEPT_RESULTS }, (_, k) => k));
  // 0 is the least recently used: keeping 5000's result drops it while it is this batch's answer
  assert.deepEqual(ask([5000, 0]), [{ run: MAX_KEPT_RESULTS + 1 }, first[0]]);
  assert.deepEqual(ask([0]), [first[0]]);
  assert.equal(ran.length, MAX_KEPT_RESULTS + 1);
  assert.equal(keptJobResults(), MAX_KEPT_RESULTS);
  forgetJobResults();
});
