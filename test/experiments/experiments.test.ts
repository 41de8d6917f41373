/**
 * Experiment functions on tiny inputs: the rows have the columns the notebooks read, values agree with
 * a direct simulate() call, and the same inputs give the same rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracyByOrderAndK, accuracyByTraining, confidenceSweep, DEFAULT_PUSH_METHODS, EXPERIMENT_DEFAULTS, median, PPM_CONFIDENT_LABEL, PPM_CONFIDENT_THRESHOLD, pushComparison, describeChange, faultComparison, gridPoints, modesVsWriteShare, networkSlice, percentChange,
  predictorComparison, realWorkloads, syntheticWorkloads, timesVsNetwork, valueAt, whatIf, whatIfGrid, workloadRows,
} from '../../src/experiments';
import { simulate } from '../../src/migration';
import { predictionMetrics } from '../../src/prefetch';
import { switchoverAtFraction } from '../../src/trace';

const tiny = () => syntheticWorkloads({ kinds: ['sequential', 'zipf'], accesses: 2000, pages: 256 });
const METRICS = ['networkFaults', 'latePrefetches', 'prefetchIssued', 'prefetchUsed', 'wastedPrefetches', 'accuracy',
  'downtimeMs', 'stallMs', 'totalMigrationMs', 'bytesSentMiB'];

function assertColumns(row: object, columns: readonly string[]) {
  for (const c of columns) assert.ok(c in row, `missing column ${c} in ${JSON.stringify(row)}`);
}

test('faultComparison: one row per workload and method, matching a direct simulate() call', () => {
  const workloads = tiny();
  const rows = faultComparison(workloads);
  assert.deepEqual(rows.map((r) => `${r.workload}/${r.method}`), ['sequential/none', 'sequential/ppm', 'zipf/none', 'zipf/ppm']);
  for (const r of rows) assertColumns(r, ['workload', 'source', 'method', 'faultChangePercent', ...METRICS]);
  const zipf = workloads[1].trace;
  const direct = simulate(zipf, {
    predictor: 'ppm', k: EXPERIMENT_DEFAULTS.k, push: 'off', switchover: switchoverAtFraction(zipf, EXPERIMENT_DEFAULTS.switchoverFraction),
    predictorOptions: { order: EXPERIMENT_DEFAULTS.order },
    network: { bandwidthBps: EXPERIMENT_DEFAULTS.bandwidthBps, rttUs: EXPERIMENT_DEFAULTS.rttUs },
  });
  assert.equal(valueAt(rows, { workload: 'zipf', method: 'ppm' }, 'networkFaults'), direct.networkFaults);
  assert.equal(valueAt(rows, { workload: 'zipf', method: 'ppm' }, 'stallMs'), direct.stallMs);
  assert.equal(valueAt(rows, { workload: 'zipf', method: 'none' }, 'faultChangePercent'), 0);
});

test('experiments are deterministic', () => {
  assert.deepEqual(predictorComparison(tiny(), ['next-k', 'ppm']), predictorComparison(tiny(), ['next-k', 'ppm']));
});

test('predictorComparison compares with plain post-copy even when "none" is not listed', () => {
  const rows = predictorComparison(tiny(), ['next-k']);
  assert.deepEqual(rows.map((r) => r.method), ['next-k', 'next-k']);
  const plain = faultComparison(tiny());
  for (const r of rows) {
    const before = valueAt(plain, { workload: String(r.workload), method: 'none' }, 'networkFaults');
    assert.equal(r.faultChangePercent, percentChange(before, Number(r.networkFaults)));
  }
});

test('timesVsNetwork covers the grid and each slice holds the other knob at its default', () => {
  const sweep = { bandwidthsGbps: [0.5, 1], rttsUs: [200, 1000], methods: ['none', 'ppm'] as const };
  const rows = timesVsNetwork(tiny().slice(0, 1), sweep);
  assert.equal(rows.length, 8);
  for (const r of rows) assertColumns(r, ['workload', 'method', 'bandwidthGbps', 'rttUs', ...METRICS]);
  assert.ok(networkSlice(rows, 'bandwidthGbps').every((r) => r.rttUs === EXPERIMENT_DEFAULTS.rttUs));
  assert.equal(networkSlice(rows, 'rttUs').length, 4);
});

test('modesVsWriteShare: one row per write share and mode', () => {
  const rows = modesVsWriteShare({ kind: 'zipf', writeRatios: [0, 1], modes: ['precopy', 'postcopy', 'hybrid'], accesses: 2000, pages: 256, instructionsPerAccess: 1000, seed: 't' });
  assert.deepEqual(rows.map((r) => `${r.writeRatio}/${r.method}`), ['0/precopy', '0/postcopy', '0/hybrid', '1/precopy', '1/postcopy', '1/hybrid']);
  for (const r of rows) assertColumns(r, ['precopyRounds', 'pagesSent', ...METRICS]);
});

test('whatIf gives one row per method; whatIfGrid one cell per combination', () => {
  const workloads = tiny();
  const params = { workload: 'zipf', bandwidthGbps: 1, rttUs: 200, k: 4, order: 2, push: 'off' as const };
  const rows = whatIf(workloads, params, ['none', 'ppm']);
  assert.deepEqual(rows.map((r) => r.method), ['none', 'ppm']);
  const cells = whatIfGrid(workloads, { workload: ['zipf'], bandwidthGbps: [1], rttUs: [200], k: [2, 4], order: [2], push: ['off', 'sequential'] }, ['none', 'ppm']);
  assert.equal(cells.length, 4);
  assert.deepEqual(cells[2].params, params);
  assert.deepEqual(cells[2].rows, rows);
  assert.throws(() => whatIf(workloads, { ...params, workload: 'nope' }), /unknown workload 'nope' \(have: sequential, zipf\)/);
});

test('real workloads are cut to a prefix and say how long the whole trace is', () => {
  const [sqlite] = realWorkloads({ names: ['sqlite'], maxAccesses: 1000 });
  assert.equal(sqlite.trace.page.length, 1000);
  assert.ok(sqlite.fullAccesses > 1000);
  const [row] = workloadRows([sqlite]);
  assert.equal(row.accesses, 1000);
  assert.equal(row.ofAccesses, sqlite.fullAccesses);
});

test('accuracy experiments: one row per (workload, order, k) and per training mode, matching predictionMetrics', () => {
  const workloads = tiny();
  const rows = accuracyByOrderAndK(workloads, { orders: [1, 3], ks: [2, 8] });
  assert.deepEqual(rows.map((r) => `${r.workload}/${r.order}/${r.k}`),
    ['sequential/1/2', 'sequential/1/8', 'sequential/3/2', 'sequential/3/8', 'zipf/1/2', 'zipf/1/8', 'zipf/3/2', 'zipf/3/8']);
  for (const r of rows) assertColumns(r, ['workload', 'order', 'k', 'training', 'topKHitRate', 'accuracy', 'coverage', 'modelSize']);
  const zipf = workloads[1].trace;
  const direct = predictionMetrics(zipf, 'ppm', { k: 2, order: 1, switchover: switchoverAtFraction(zipf, EXPERIMENT_DEFAULTS.switchoverFraction) });
  assert.equal(valueAt(rows, { workload: 'zipf', order: 1, k: 2 }, 'coverage'), direct.coverage);
  assert.equal(valueAt(rows, { workload: 'zipf', order: 1, k: 2 }, 'topKHitRate'), direct.topKHitRate);
  const training = accuracyByTraining(workloads, ['offline', 'online', 'both']);
  assert.deepEqual(training.map((r) => `${r.workload}/${r.training}`),
    ['sequential/offline', 'sequential/online', 'sequential/both', 'zipf/offline', 'zipf/online', 'zipf/both']);
  assert.deepEqual(accuracyByTraining(workloads), training, 'deterministic, and all three modes by default');
});

test('helpers: grid order, percent change in words, valueAt needs exactly one row', () => {
  assert.deepEqual(gridPoints<{ a: number; b: string }>({ a: [1, 2], b: ['x', 'y'] }).map((p) => `${p.a}${p.b}`), ['1x', '1y', '2x', '2y']);
  assert.equal(describeChange(-62.345), '62.3 % fewer');
  assert.equal(describeChange(3, 'less', 'more'), '3 % more');
  assert.equal(describeChange(0), 'no change');
  assert.equal(percentChange(0, 0), 0);
  assert.throws(() => valueAt([{ a: 1 }, { a: 1 }], { a: 1 }, 'a'), /2 rows match/);
});

test('pushComparison: rows per (workload, push, method), the oracle bounds the others without push, values match simulate()', () => {
  const workloads = tiny();
  const rows = pushComparison(workloads, ['off', 'restart']);
  assert.equal(rows.length, workloads.length * 2 * DEFAULT_PUSH_METHODS.length);
  for (const r of rows) assertColumns(r, ['workload', 'source', 'push', 'method', 'faultChangePercent', 'stallChangePercent', ...METRICS]);
  for (const w of workloads) {
    const oracle = valueAt(rows, { workload: w.name, push: 'off', method: 'oracle' }, 'networkFaults');
    for (const m of DEFAULT_PUSH_METHODS) assert.ok(oracle <= valueAt(rows, { workload: w.name, push: 'off', method: m.label }, 'networkFaults'), `${w.name} ${m.label}`);
    assert.equal(valueAt(rows, { workload: w.name, push: 'restart', method: 'none' }, 'faultChangePercent'), 0);
  }
  const zipf = workloads[1].trace;
  const direct = simulate(zipf, {
    predictor: 'ppm', k: EXPERIMENT_DEFAULTS.k, push: 'restart', switchover: switchoverAtFraction(zipf, EXPERIMENT_DEFAULTS.switchoverFraction),
    predictorOptions: { order: EXPERIMENT_DEFAULTS.order, minProbability: PPM_CONFIDENT_THRESHOLD },
    network: { bandwidthBps: EXPERIMENT_DEFAULTS.bandwidthBps, rttUs: EXPERIMENT_DEFAULTS.rttUs },
  });
  assert.equal(valueAt(rows, { workload: 'zipf', push: 'restart', method: PPM_CONFIDENT_LABEL }, 'networkFaults'), direct.networkFaults);
});

test('confidenceSweep: threshold 0 is the paper\'s PPM; 1 sends nothing (escape C: P(s) = c/(n+q) < 1); plain faults alongside', () => {
  const workloads = tiny();
  const sweep = confidenceSweep(workloads, [0, 1], 'off');
  const paper = predictorComparison(workloads, ['ppm']);
  for (const w of workloads) {
    assert.equal(valueAt(sweep, { workload: w.name, minProbability: 0 }, 'networkFaults'), valueAt(paper, { workload: w.name, method: 'ppm' }, 'networkFaults'));
    const strict = sweep.find((r) => r.workload === w.name && r.minProbability === 1)!;
    const plain = valueAt(predictorComparison(workloads, ['none']), { workload: w.name, method: 'none' }, 'networkFaults');
    assert.equal(strict.prefetchIssued, 0);
    assert.equal(strict.networkFaults, plain);
    assert.equal(strict.plainFaults, plain);
  }
});

test('median: odd and even counts, unsorted input, empty', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
