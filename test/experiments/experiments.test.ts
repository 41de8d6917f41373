/**
 * Experiment functions on tiny inputs: the rows have the columns the notebooks read, values agree with
 * a direct simulate() call, and the same inputs give the same rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  accuracyByOrderAndK,
  accuracyByTraining,
  COMPARED_PREDICTORS,
  confidenceSweep,
  methodFindings,
  pagesUsedFinding,
  ppmMisses,
  lastTouchAucNotes,
  wasteDecomposition,
  wasteDecompositions,
  ppmMissChartRows,
  ppmMissSweep,
  DEFAULT_PUSH_METHODS,
  EXPERIMENT_DEFAULTS,
  PPM_CONFIDENT_LABEL,
  PPM_CONFIDENT_THRESHOLD,
  pushComparison,
  describeChange,
  faultComparison,
  gridPoints,
  defaultWhatIfGrid,
  modesOverSeeds,
  predictorSettingComparison,
  PREFETCHING_PREDICTORS,
  modesVsWriteShare,
  PLAIN_POSTCOPY_LABEL,
  networkSlice,
  percentChange,
  changeDirection,
  columnValues,
  compareIntervals,
  consoleProgress,
  PROGRESS_ENV,
  describeChangeInterval,
  formatInterval,
  MIGRATION_SETTINGS,
  QEMU_KNOB_SETTINGS,
  QEMU_FAULT_COST_US,
  QEMU_VM_PAGES,
  QEMU_ZERO_PAGE_SHARE,
  withChangeAgainst,
  roundTripFinding,
  settingComparison,
  summarise,
  throughputBins,
  throughputTimeline,
  withIntervals,
  predictorComparison,
  allWorkloads,
  realWorkloads,
  syntheticWorkloads,
  timesVsNetwork,
  valueAt,
  whatIf,
  whatIfGrid,
  whatIfGridFindings,
  workloadsOfName,
  workloadRows,
} from '../../src/experiments';
import { simulate } from '../../src/migration';
import { predictionMetrics } from '../../src/prefetch';
import { makeTrace, switchoverAtFraction } from '../../src/trace';

const tiny = () => syntheticWorkloads({ kinds: ['sequential', 'zipf'], seeds: ['t'], accesses: 2000, pages: 256 });
const METRICS = [
  'networkFaults',
  'latePrefetches',
  'prefetchIssued',
  'prefetchUsed',
  'wastedPrefetches',
  'accuracy',
  'downtimeMs',
  'stallMs',
  'totalMigrationMs',
  'bytesSentMiB',
];

function assertColumns(row: object, columns: readonly string[]) {
  for (const c of columns) assert.ok(c in row, `missing column ${c} in ${JSON.stringify(row)}`);
}

test('faultComparison: one row per workload and method, matching a direct simulate() call', () => {
  const workloads = tiny();
  const rows = faultComparison(workloads);
  const methods = ['none', ...COMPARED_PREDICTORS];
  assert.deepEqual(
    rows.map((r) => `${r.workload}/${r.method}`),
    ['sequential', 'zipf'].flatMap((w) => methods.map((m) => `${w}/${m}`)),
  );
  assert.deepEqual(
    faultComparison(workloads, {}, undefined, ['none', 'ppm']).map((r) => r.method),
    ['none', 'ppm', 'none', 'ppm'],
  );
  for (const r of rows) assertColumns(r, ['workload', 'source', 'method', 'faultChangePercent', ...METRICS]);
  const zipf = workloads[1].trace;
  const direct = simulate(zipf, {
    predictor: 'ppm',
    k: EXPERIMENT_DEFAULTS.k,
    push: 'off',
    switchover: switchoverAtFraction(zipf, EXPERIMENT_DEFAULTS.switchoverFraction),
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
  assert.deepEqual(
    rows.map((r) => r.method),
    ['next-k', 'next-k'],
  );
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
  const rows = modesVsWriteShare({
    kind: 'zipf',
    writeRatios: [0, 1],
    modes: ['precopy', 'postcopy', 'hybrid'],
    accesses: 2000,
    pages: 256,
    instructionsPerAccess: 1000,
    seed: 't',
  });
  assert.deepEqual(
    rows.map((r) => `${r.writeRatio}/${r.method}`),
    ['0/precopy', '0/postcopy', '0/hybrid', '1/precopy', '1/postcopy', '1/hybrid'],
  );
  for (const r of rows) assertColumns(r, ['precopyRounds', 'pagesSent', ...METRICS]);
});

test("defaultWhatIfGrid (notebook 06's grid): one set of cells per workload name, a name's first seed, none and ppm", () => {
  // a kind with two seeds: the CLI's grid listed a name once per seed, each time running its first seed again
  const twoSeeds = syntheticWorkloads({ kinds: ['zipf'], seeds: ['t', 'u'], accesses: 2000, pages: 256 });
  const cells = defaultWhatIfGrid(twoSeeds);
  assert.equal(cells.length, 3 ** 5);
  assert.deepEqual([...new Set(cells.map((c) => c.params.workload))], ['zipf']);
  const at = { workload: 'zipf', bandwidthGbps: 1, rttUs: 200, k: 8, order: 3, push: 'off' as const };
  const cell = cells.find((c) => JSON.stringify(c.params) === JSON.stringify(at))!;
  assert.deepEqual(cell.rows, whatIf(twoSeeds.slice(0, 1), at, ['none', 'ppm']));
});

test("predictorSettingComparison (notebook 04's sweep): every predictor but none, paper setting then restart push", () => {
  const rows = predictorSettingComparison(tiny());
  const methods = PREFETCHING_PREDICTORS;
  assert.equal(methods.includes('none'), false);
  assert.equal(rows.length, 2 * 2 * methods.length);
  assert.deepEqual([...new Set(rows.map((r) => r.setting))], ['paper: no push', 'QEMU: restart push']);
  assert.deepEqual(
    rows.slice(0, methods.length).map((r) => r.method),
    [...methods],
  );
});

test('modesOverSeeds: per seed, modesVsWriteShare then plain post-copy relabelled, as notebook 05 ran them', () => {
  const sweep = {
    kind: 'zipf' as const,
    writeRatios: [0, 0.5],
    modes: ['precopy', 'postcopy'] as const,
    accesses: 2000,
    pages: 256,
    instructionsPerAccess: 1000,
    seed: 'unused',
  };
  // notebook 05's cell before modesOverSeeds: two sweeps per seed, one batch each
  const expected = ['a', 'b'].flatMap((seed) =>
    [
      ...modesVsWriteShare({ ...sweep, seed }),
      ...modesVsWriteShare({ ...sweep, seed, modes: ['postcopy'] }, { predictor: 'none' }).map((r) => ({
        ...r,
        method: PLAIN_POSTCOPY_LABEL,
      })),
    ].map((r) => ({ ...r, seed })),
  );
  const rows = modesOverSeeds(['a', 'b'], sweep);
  assert.equal(JSON.stringify(rows), JSON.stringify(expected));
  assert.deepEqual(
    rows.slice(0, 6).map((r) => `${r.seed} ${r.writeRatio} ${r.method}`),
    [
      'a 0 precopy',
      'a 0 postcopy',
      'a 0.5 precopy',
      'a 0.5 postcopy',
      'a 0 postcopy, no prefetch',
      'a 0.5 postcopy, no prefetch',
    ],
  );
  // plain post-copy sends no page ahead; PPM's post-copy does
  assert.deepEqual([rows[4].prefetchIssued, Number(rows[1].prefetchIssued) > 0], [0, true]);
});

test('whatIf gives one row per method; whatIfGrid one cell per combination', () => {
  const workloads = tiny();
  const params = { workload: 'zipf', bandwidthGbps: 1, rttUs: 200, k: 4, order: 2, push: 'off' as const };
  const rows = whatIf(workloads, params, ['none', 'ppm']);
  assert.deepEqual(
    rows.map((r) => r.method),
    ['none', 'ppm'],
  );
  const cells = whatIfGrid(
    workloads,
    { workload: ['zipf'], bandwidthGbps: [1], rttUs: [200], k: [2, 4], order: [2], push: ['off', 'sequential'] },
    ['none', 'ppm'],
  );
  assert.equal(cells.length, 4);
  assert.deepEqual(cells[2].params, params);
  assert.deepEqual(cells[2].rows, rows);
  assert.throws(
    () => whatIf(workloads, { ...params, workload: 'nope' }),
    /unknown workload "nope" \(have: sequential, zipf\)/,
  );
});

test('workloadsOfName makes the workloads of that name alone, the same ones allWorkloads gives, or names the known ones', () => {
  const all = allWorkloads();
  for (const name of ['phased', 'sqlite']) {
    assert.deepEqual(
      workloadsOfName(name),
      all.filter((w) => w.name === name),
    );
  }
  assert.equal(workloadsOfName('zipf').length, 5);
  assert.throws(
    () => workloadsOfName('nope'),
    /^UserError: unknown workload "nope" \(have: sequential, strided, random, zipf, pointer-chase, phased, sqlite, perl, bzip2, sort\)$/,
  );
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
  assert.deepEqual(
    rows.map((r) => `${r.workload}/${r.order}/${r.k}`),
    [
      'sequential/1/2',
      'sequential/1/8',
      'sequential/3/2',
      'sequential/3/8',
      'zipf/1/2',
      'zipf/1/8',
      'zipf/3/2',
      'zipf/3/8',
    ],
  );
  for (const r of rows)
    assertColumns(r, ['workload', 'order', 'k', 'training', 'topKHitRate', 'accuracy', 'coverage', 'modelSize']);
  const zipf = workloads[1].trace;
  const direct = predictionMetrics(zipf, 'ppm', {
    k: 2,
    order: 1,
    switchover: switchoverAtFraction(zipf, EXPERIMENT_DEFAULTS.switchoverFraction),
  });
  assert.equal(valueAt(rows, { workload: 'zipf', order: 1, k: 2 }, 'coverage'), direct.coverage);
  assert.equal(valueAt(rows, { workload: 'zipf', order: 1, k: 2 }, 'topKHitRate'), direct.topKHitRate);
  const training = accuracyByTraining(workloads, ['offline', 'online', 'both']);
  assert.deepEqual(
    training.map((r) => `${r.workload}/${r.training}`),
    ['sequential/offline', 'sequential/online', 'sequential/both', 'zipf/offline', 'zipf/online', 'zipf/both'],
  );
  assert.deepEqual(accuracyByTraining(workloads), training, 'deterministic, and all three modes by default');
});

test('helpers: grid order, percent change in words, valueAt needs exactly one row', () => {
  assert.deepEqual(
    gridPoints<{ a: number; b: string }>({ a: [1, 2], b: ['x', 'y'] }).map((p) => `${p.a}${p.b}`),
    ['1x', '1y', '2x', '2y'],
  );
  assert.equal(describeChange(-62.345), '62.3 % fewer');
  assert.equal(describeChange(3, 'less', 'more'), '3 % more');
  assert.equal(describeChange(0), 'no change');
  assert.equal(percentChange(0, 0), 0);
  assert.throws(() => valueAt([{ a: 1 }, { a: 1 }], { a: 1 }, 'a'), /2 rows match/);
});

test('a change from a zero baseline (percentChange: Infinity) is said as such, not "Infinity %"', () => {
  assert.equal(percentChange(0, 5), Infinity);
  assert.equal(describeChange(percentChange(0, 5)), 'more (from 0)');
  assert.equal(describeChange(Infinity, 'less', 'longer'), 'longer (from 0)');
  // over seeds: one seed from 0, the mean is Infinity too
  const oneFromZero = summarise([{ c: 5 }, { c: Infinity }], [], ['c'])[0];
  assert.equal(describeChangeInterval(oneFromZero, 'c'), 'more (from 0) (+5 % to more from 0 over the seeds)');
  const mixed = summarise([{ c: -3 }, { c: Infinity }], [], ['c'])[0];
  assert.equal(describeChangeInterval(mixed, 'c'), 'no measurable change (-3 % to more from 0 over the seeds)');
  assert.equal(describeChangeInterval(summarise([{ c: Infinity }], [], ['c'])[0], 'c'), 'more (from 0)');
});

test('a column the rows lack (misspelt) is an error naming it, not NaN read as "no measurable change"', () => {
  const rows = [
    { workload: 'w', method: 'ppm', faults: 10 },
    { workload: 'w', method: 'ppm', faults: 14 },
  ];
  const missing = /^Error: no column "fautls" in the row \(its columns: workload, method, faults\)$/;
  assert.throws(() => valueAt(rows.slice(0, 1), { method: 'ppm' }, 'fautls'), missing);
  assert.throws(() => columnValues(rows, 'fautls'), missing);
  assert.throws(() => summarise(rows, ['workload'], ['fautls']), missing);
  assert.throws(() => summarise(rows, ['fautls'], ['faults']), missing);
  const summary = summarise(rows, ['workload'], ['faults'])[0];
  assert.throws(() => describeChangeInterval(summary, 'fautls'), /no column "fautlsMin"/);
  assert.throws(() => formatInterval({ ...summary, cMin: 1, cMax: 2 }, 'c'), /no column "c" in the row/);
  // a column that is there but not a number stays NaN (e.g. an accuracy of nothing sent)
  assert.deepEqual(columnValues([{ accuracy: NaN }], 'accuracy'), [NaN]);
});

test('the wording helpers say a NaN is no number, not "more", "higher" or "no measurable change"', () => {
  assert.equal(describeChange(NaN), 'no number to compare (NaN)');
  const withNaN = summarise([{ c: -3 }, { c: NaN }], [], ['c'])[0];
  assert.equal(describeChangeInterval(withNaN, 'c'), 'no number to compare (NaN)');
  assert.equal(compareIntervals({ min: NaN, max: NaN }, { min: 1, max: 2 }), 'no number to compare (NaN)');
  assert.equal(compareIntervals({ min: 1, max: 2 }, { min: 3, max: NaN }), 'no number to compare (NaN)');
});

test('consoleProgress: a line per tenth of the work and the last; none when progress is off, in any spelling', () => {
  const progressLines = (setting: string | undefined) => {
    const saved = process.env[PROGRESS_ENV];
    if (setting === undefined) delete process.env[PROGRESS_ENV];
    else process.env[PROGRESS_ENV] = setting;
    const lines: string[] = [];
    try {
      const progress = consoleProgress('sweep', (line) => lines.push(line));
      for (let done = 1; done <= 20; done++) progress(done, 20, `job ${done}`);
    } finally {
      if (saved === undefined) delete process.env[PROGRESS_ENV];
      else process.env[PROGRESS_ENV] = saved;
    }
    return lines.map((line) => line.replace(/ [\d.]+ s$/, ''));
  };
  // 20 jobs: tenths 0-10 are first reached at jobs 1, 2, 4, 6, ..., 20
  const expected = [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20].map((d) => `sweep: ${d}/20 (job ${d})`);
  assert.deepEqual(progressLines(undefined), expected);
  assert.deepEqual(progressLines('off'), []);
  // every spelling of off silences it (only exactly "off" did); of on, prints; any other value is refused
  for (const off of ['OFF', 'Off', '0', 'false', 'no', ' off ']) assert.deepEqual(progressLines(off), [], off);
  for (const on of ['on', 'ON', '1', 'true', 'yes', '']) assert.deepEqual(progressLines(on), expected, on);
  for (const odd of ['quiet', '2', 'of']) {
    assert.throws(() => progressLines(odd), {
      name: 'UserError',
      message: `POSTCOPY_LAB_PROGRESS must be on or off (or 1/0, true/false, yes/no), got "${odd}"`,
    });
  }
});

test('pushComparison: rows per (workload, push, method), the oracle bounds the others without push, values match simulate()', () => {
  const workloads = tiny();
  const rows = pushComparison(workloads, ['off', 'restart']);
  assert.equal(rows.length, workloads.length * 2 * DEFAULT_PUSH_METHODS.length);
  for (const r of rows)
    assertColumns(r, ['workload', 'source', 'push', 'method', 'faultChangePercent', 'stallChangePercent', ...METRICS]);
  for (const w of workloads) {
    const oracle = valueAt(rows, { workload: w.name, push: 'off', method: 'oracle' }, 'networkFaults');
    for (const m of DEFAULT_PUSH_METHODS)
      assert.ok(
        oracle <= valueAt(rows, { workload: w.name, push: 'off', method: m.label }, 'networkFaults'),
        `${w.name} ${m.label}`,
      );
    assert.equal(valueAt(rows, { workload: w.name, push: 'restart', method: 'none' }, 'faultChangePercent'), 0);
  }
  const zipf = workloads[1].trace;
  const direct = simulate(zipf, {
    predictor: 'ppm',
    k: EXPERIMENT_DEFAULTS.k,
    push: 'restart',
    switchover: switchoverAtFraction(zipf, EXPERIMENT_DEFAULTS.switchoverFraction),
    predictorOptions: { order: EXPERIMENT_DEFAULTS.order, minProbability: PPM_CONFIDENT_THRESHOLD },
    network: { bandwidthBps: EXPERIMENT_DEFAULTS.bandwidthBps, rttUs: EXPERIMENT_DEFAULTS.rttUs },
  });
  assert.equal(
    valueAt(rows, { workload: 'zipf', push: 'restart', method: PPM_CONFIDENT_LABEL }, 'networkFaults'),
    direct.networkFaults,
  );
});

test("confidenceSweep: threshold 0 is the paper's PPM; 1 sends nothing (escape C: P(s) = c/(n+q) < 1); plain faults alongside", () => {
  const workloads = tiny();
  const sweep = confidenceSweep(workloads, [0, 1], 'off');
  const paper = predictorComparison(workloads, ['ppm']);
  for (const w of workloads) {
    assert.equal(
      valueAt(sweep, { workload: w.name, minProbability: 0 }, 'networkFaults'),
      valueAt(paper, { workload: w.name, method: 'ppm' }, 'networkFaults'),
    );
    const strict = sweep.find((r) => r.workload === w.name && r.minProbability === 1)!;
    const plain = valueAt(
      predictorComparison(workloads, ['none']),
      { workload: w.name, method: 'none' },
      'networkFaults',
    );
    assert.equal(strict.prefetchIssued, 0);
    assert.equal(strict.networkFaults, plain);
    assert.equal(strict.plainFaults, plain);
  }
});

test('syntheticWorkloads: one trace per kind and seed, named by kind; the setup table has one row per kind', () => {
  const workloads = syntheticWorkloads({ kinds: ['random', 'zipf'], seeds: ['a', 'b', 'c'], accesses: 500, pages: 64 });
  assert.deepEqual(
    workloads.map((w) => `${w.name}/${w.seed}`),
    ['random/a', 'random/b', 'random/c', 'zipf/a', 'zipf/b', 'zipf/c'],
  );
  assert.notDeepEqual(workloads[0].trace.page, workloads[1].trace.page);
  assert.deepEqual(
    workloadRows(workloads).map((r) => `${r.workload}:${r.seeds}`),
    ['random:3', 'zipf:3'],
  );
  const rows = faultComparison(workloads, {}, undefined, ['none', 'ppm']);
  assert.deepEqual(
    rows.slice(0, 4).map((r) => `${r.seed}/${r.method}`),
    ['a/none', 'a/ppm', 'b/none', 'b/ppm'],
  );
});

test('workload options refuse a misspelt name: it was ignored and the defaults ran (every kind; every trace whole)', () => {
  assert.throws(
    () => syntheticWorkloads({ kinds: ['zipf'], seed: 'a', accesses: 10 } as never),
    /^UserError: unknown synthetic workload option "seed" \(known: seeds, accesses, pages, writeRatio, instructionsPerAccess, kinds\)$/,
  );
  assert.throws(() => syntheticWorkloads({ kinds: [], page: 64 } as never), /unknown synthetic workload option "page"/);
  assert.throws(
    () => realWorkloads({ name: ['sqlite'] } as never),
    /^UserError: unknown real workload option "name" \(known: names, maxAccesses, dir\)$/,
  );
});

test('summarise: mean, min and max per group, groups in order of first appearance', () => {
  const rows = [
    { workload: 'w', method: 'ppm', faults: 10 },
    { workload: 'w', method: 'none', faults: 40 },
    { workload: 'w', method: 'ppm', faults: 14 },
    { workload: 'w', method: 'ppm', faults: 12 },
  ];
  assert.deepEqual(summarise(rows, ['workload', 'method'], ['faults']), [
    { workload: 'w', method: 'ppm', runs: 3, faults: 12, faultsMin: 10, faultsMax: 14 },
    { workload: 'w', method: 'none', runs: 1, faults: 40, faultsMin: 40, faultsMax: 40 },
  ]);
});

test('intervals in words: formatted ranges, overlap means no measurable difference, changes over seeds', () => {
  const s = { faults: 1821.4, faultsMin: 1815, faultsMax: 1830, same: 5, sameMin: 5, sameMax: 5 };
  assert.equal(formatInterval(s, 'faults'), '1,821 (1,815–1,830)');
  assert.equal(formatInterval(s, 'same'), '5');
  assert.deepEqual(withIntervals([s], ['same']), [{ ...s, same: '5' }]);
  assert.equal(
    compareIntervals({ min: 2025, max: 2040 }, { min: 2010, max: 2027 }, 'fewer', 'more'),
    'no measurable difference',
  );
  assert.equal(compareIntervals({ min: 1, max: 2 }, { min: 3, max: 4 }, 'fewer', 'more'), 'fewer');
  assert.equal(compareIntervals({ min: 5, max: 6 }, { min: 3, max: 4 }, 'fewer', 'more'), 'more');
  assert.equal(describeChangeInterval({ c: -62, cMin: -64, cMax: -60 }, 'c'), '62 % fewer (60–64 % over the seeds)');
  assert.equal(
    describeChangeInterval({ c: 0.1, cMin: -0.4, cMax: 0.3 }, 'c'),
    'no measurable change (-0.4 % to +0.3 % over the seeds)',
  );
  assert.equal(describeChangeInterval({ c: -3, cMin: -3, cMax: -3 }, 'c', 'less', 'more'), '3 % less');
  assert.equal(formatInterval({ c: -56.6, cMin: -56.8, cMax: -56.4 }, 'c'), '-56.6 (-56.8 to -56.4)');
  assert.deepEqual(
    [
      { c: -1, cMin: -2, cMax: -0.5 },
      { c: 0, cMin: -1, cMax: 1 },
      { c: 0, cMin: 0, cMax: 0 },
      { c: 3, cMin: 2, cMax: 4 },
    ].map((r) => changeDirection(r, 'c')),
    [-1, 0, 0, 1],
  );
});

test('throughputBins: full speed while running, nothing during a wait, the downtime or after the end', () => {
  // 1e6 instructions/s = 1 per µs; bins of 1000 µs; a wait from 1000 to 1500 takes half the second bin.
  assert.deepEqual(throughputBins([{ startUs: 1000, waitUs: 500 }], 0, 2000, 1e6, 2, 2000), [1000, 500]);
  // resume at 500, end at 2500, a wait 900..1300 across two bins; bins of 1000 over 0..3000
  assert.deepEqual(throughputBins([{ startUs: 900, waitUs: 400 }], 500, 2500, 1e6, 3, 3000), [400, 700, 500]);
});

test('throughputTimeline: every method executes the same instructions, PPM finishes no later than plain post-copy here', () => {
  const [zipf] = syntheticWorkloads({ kinds: ['zipf'], seeds: ['t'], accesses: 2000, pages: 256 });
  const methods = [
    { label: 'none', predictor: 'none' as const },
    { label: 'ppm', predictor: 'ppm' as const },
  ];
  const rows = throughputTimeline(zipf, methods, {}, 50);
  assert.equal(rows.length, 100);
  const instructions = (m: string) =>
    rows.filter((r) => r.method === m).reduce((sum, r) => sum + Number(r.instructionsPerMs), 0) *
    Number(rows[1].timeMs - rows[0].timeMs);
  const expected = zipf.trace.time[1999] - switchoverAtFraction(zipf.trace, EXPERIMENT_DEFAULTS.switchoverFraction);
  assert.ok(Math.abs(instructions('none') - expected) < 1e-6 * expected);
  assert.ok(Math.abs(instructions('ppm') - expected) < 1e-6 * expected);
});

test('settingComparison: one block of methodComparison rows per setting, each under its own overrides', () => {
  const workloads = tiny();
  const rows = settingComparison(workloads, MIGRATION_SETTINGS, [{ label: 'ppm', predictor: 'ppm' }]);
  assert.deepEqual(
    [...new Set(rows.map((r) => r.setting))],
    MIGRATION_SETTINGS.map((s) => s.label),
  );
  const preempt = MIGRATION_SETTINGS[2];
  const direct = simulate(workloads[1].trace, {
    predictor: 'ppm',
    k: EXPERIMENT_DEFAULTS.k,
    push: 'restart',
    switchover: switchoverAtFraction(workloads[1].trace, EXPERIMENT_DEFAULTS.switchoverFraction),
    predictorOptions: { order: EXPERIMENT_DEFAULTS.order },
    faultCostUs: QEMU_FAULT_COST_US,
    vmPages: QEMU_VM_PAGES,
    zeroPageShare: QEMU_ZERO_PAGE_SHARE,
    network: { bandwidthBps: EXPERIMENT_DEFAULTS.bandwidthBps, rttUs: EXPERIMENT_DEFAULTS.rttUs, urgentChannel: true },
  });
  assert.equal(direct.vmPages, 2 ** 18);
  assert.ok(direct.zeroPagesSent > 0);
  assert.equal(valueAt(rows, { setting: preempt.label, workload: 'zipf', method: 'ppm' }, 'stallMs'), direct.stallMs);
  assert.equal(
    valueAt(rows, { setting: preempt.label, workload: 'zipf', method: 'ppm' }, 'waitP99Ms'),
    direct.waitP99Ms,
  );
});

test('withChangeAgainst: percent change against the matching baseline row', () => {
  const rows = [
    { w: 'a', method: 'none', stall: 10 },
    { w: 'a', method: 'ppm', stall: 4 },
    { w: 'b', method: 'none', stall: 2 },
    { w: 'b', method: 'ppm', stall: 3 },
  ];
  assert.deepEqual(
    withChangeAgainst(rows, ['w'], { method: 'none' }, ['stall']).map((r) => r.stallChangePercent),
    [0, -60, 0, 50],
  );
  assert.throws(
    () => withChangeAgainst([{ w: 'c', method: 'ppm', stall: 1 }], ['w'], { method: 'none' }, ['stall']),
    /no baseline/,
  );
});

test('pagesUsedFinding: touched share and the share of pages random-k sends that are used, computed by hand', () => {
  const row = (workload: string, method: string, touchedShare: number, accuracy: number) => ({
    workload,
    method,
    touchedShare,
    accuracy,
  });
  // a: touched 0.9, random-k used (0.8 + 0.9) / 2 = 0.85 over two seeds; b: touched 0.3, random-k used 0.2
  const rows = [
    row('a', 'ppm', 0.9, 0.5),
    row('a', 'random-k', 0.9, 0.8),
    row('a', 'ppm', 0.9, 0.5),
    row('a', 'random-k', 0.9, 0.9),
    row('b', 'ppm', 0.3, 0.9),
    row('b', 'random-k', 0.3, 0.2),
  ];
  assert.equal(
    pagesUsedFinding(rows, 'Here'),
    '- Here, after switchover the VM touches 30 %–90 % of its pages on these workloads; of the pages random-k sends ' +
      'without evidence a median 52.5 % are used (a 85 %, b 20 %). Not every page sent ahead is used eventually: on b ' +
      'fewer than half are, so a predictor that fills its k slots without evidence spends link time on pages the VM ' +
      'never touches there.',
  );
  assert.match(
    pagesUsedFinding(rows.slice(0, 4), 'Here'),
    /touches 90 %–90 % .* a median 85 % are used \(a 85 %\), so almost any page sent ahead is used eventually:/,
  );
  assert.equal(
    pagesUsedFinding([row('a', 'ppm', 0.5, 1)], 'Here'),
    '- Here, after switchover the VM touches 50 %–50 % of its pages on these workloads.',
  );
});

test('whatIfGridFindings: cells cut, added and equal; a cut or loss no cell has is said so, not filled in', () => {
  const cell = (k: number, none: number, ppm: number) => ({
    params: { workload: 'w', k },
    rows: [
      { method: 'none', stallMs: none },
      { method: 'ppm', stallMs: ppm },
    ],
  });
  assert.deepEqual(whatIfGridFindings([cell(2, 10, 4), cell(8, 10, 12.5), cell(32, 3, 3)]), [
    '- PPM prefetch cuts stall time compared with plain post-copy in 1 of 3 settings, adds to it in 1, ' +
      'leaves it as it is in 1.',
    '- Largest cut: 6 ms less stall (10 → 4 ms) at workload w, k 2.',
    '- Largest loss: 2.5 ms more stall (10 → 12.5 ms) at workload w, k 8.',
  ]);
  // every cell cut: the old text called the smallest cut "Largest loss: ... less stall"
  assert.deepEqual(whatIfGridFindings([cell(2, 10, 4), cell(8, 10, 9)]), [
    '- PPM prefetch cuts stall time compared with plain post-copy in 2 of 2 settings.',
    '- Largest cut: 6 ms less stall (10 → 4 ms) at workload w, k 2.',
    '- Largest loss: none, in no setting does PPM add stall.',
  ]);
  assert.equal(whatIfGridFindings([cell(2, 1, 2)])[1], '- Largest cut: none, in no setting does PPM cut the stall.');
});

test('methodFindings: winners, ratios to the oracle, PPM against next-k, the controls and the costs, computed by hand', () => {
  const row = (workload: string, method: string, networkFaults: number, wastedPrefetches = 0, latePrefetches = 0) => ({
    workload,
    method,
    networkFaults,
    wastedPrefetches,
    latePrefetches,
  });
  const rows = [
    row('a', 'none', 100),
    row('a', 'next-k', 40, 10, 1),
    row('a', 'ppm', 60, 30, 2),
    row('a', 'random-k', 50, 20, 0),
    row('a', 'oracle', 20),
    row('b', 'none', 100),
    row('b', 'next-k', 30, 12, 3),
    row('b', 'ppm', 30, 40, 4),
    row('b', 'random-k', 60, 20, 0),
    row('b', 'oracle', 25),
  ];
  const [winners, ratios, paper, controls, costs] = methodFindings(rows);
  assert.equal(winners, '- Fewest network faults without reading the future: **next-k** on a; **next-k = ppm** on b.');
  // next-k: 40/20 = 2, 30/25 = 1.2 -> 1.6; ppm: 3, 1.2 -> 2.1; random-k: 2.5, 2.4 -> 2.45
  assert.match(
    ratios,
    /next-k 1\.6×, ppm 2\.1×, random-k 2\.45×\. The best, next-k, stays within 1\.15× of the oracle on 0 of 2 workloads \(not on a, b\)/,
  );
  assert.equal(
    paper,
    "- The paper's PPM against next-k (send the k following pages): fewer faults on 0 of 2 workloads, median 25 % more faults than next-k.",
  );
  // next-k vs random-k: -20 %, -50 % -> -35 %; ppm: +20 %, -50 % -> -15 %
  assert.match(controls, /next-k 35 % fewer \(fewer on 2 of 2\); ppm 15 % fewer \(fewer on 1 of 2\)\.$/);
  assert.match(
    costs,
    /wasted prefetches \(sent, never touched\) next-k 11, ppm 35, random-k 20; late prefetches next-k 2, ppm 3, random-k 0\.$/,
  );
  assert.equal(methodFindings(rows.filter((r) => r.method !== 'oracle' && r.method !== 'random-k')).length, 3);
});

test('ppmMisses: the share of faulted pages never in the history window and the fill rates, by hand', () => {
  // history: pages 0..9 twice; after switchover 10 new pages, then 0..9 again
  const page = [
    ...Array.from({ length: 20 }, (_, i) => i % 10),
    ...Array.from({ length: 10 }, (_, i) => 10 + i),
    ...Array.from({ length: 10 }, (_, i) => i),
  ];
  const workload = {
    name: 'hand',
    source: 'synthetic' as const,
    trace: makeTrace({ page }),
    fullAccesses: page.length,
  };
  // window of the last 5 history accesses (5..9). The paper's PPM: the contexts after 10, 11, ... are new, so
  // it proposes from order 0, most recent first: at 10 -> 9, 8; at 11 -> 7, 6; at 12 -> 5; then nothing.
  // Faults: 10..19 and 0..4 (15), none of them seen. Its contexts alone: nothing until the second pass, where
  // 5 -> 6 and 7 -> 8 (learnt from the history) are proposed: 18 faults (10..19, 0..5, 7, 9), 2 pages.
  const short = ppmMisses(workload, 0.5, 0.25, { k: 2 });
  assert.deepEqual(
    [short.historyWindow, short.networkFaults, short.neverSeenShare, short.fillRate, short.contextFillRate],
    [5, 15, 1, 5 / 30, 2 / 36],
  );
  // whole history (0..9 twice): 9, 8 | 7, 6 | 5, 4 | 3, 2 | 1, 0 at the faults on 10..14; faults 10..19 only.
  // Contexts alone: at the second pass 0 -> 1, 2 -> 3, ..., 8 -> 9: 15 faults, 5 pages.
  const whole = ppmMisses(workload, 0.5, 1, { k: 2 });
  assert.deepEqual(
    [whole.historyWindow, whole.networkFaults, whole.neverSeenShare, whole.fillRate, whole.contextFillRate],
    [20, 10, 1, 0.5, 5 / 30],
  );
  const sweep = ppmMissSweep([workload], { historyShares: [0.25, 1], switchoverFractions: [0.5] }, { k: 2 });
  assert.deepEqual(
    sweep.map((r) => `${r.sweep} ${r.historyShare} ${r.switchoverFraction}`),
    [
      `history window 0.25 ${EXPERIMENT_DEFAULTS.switchoverFraction}`,
      `history window 1 ${EXPERIMENT_DEFAULTS.switchoverFraction}`,
      'switchover 1 0.5',
    ],
  );
  assert.equal(sweep[2].fillRate, whole.fillRate);
  const chart = ppmMissChartRows(sweep);
  assert.equal(chart.length, 3 * 3);
  assert.deepEqual(chart[0], {
    panel: 'hand · history window',
    share: 0.25,
    metric: 'faulted pages never seen in the history window',
    value: sweep[0].neverSeenShare,
  });
});

test('wasteDecomposition: faults·(k+1) = touched + wasted + empty slots, waste split by hand', () => {
  // history 0 1 2 3 twice; after switchover 5, 4, then 0 six times; a VM of 8 pages, so 6 and 7 are never touched
  const page = [0, 1, 2, 3, 0, 1, 2, 3, 5, 4, 0, 0, 0, 0, 0, 0];
  const workload = {
    name: 'hand',
    source: 'synthetic' as const,
    trace: makeTrace({ page }),
    fullAccesses: page.length,
  };
  const setup = { k: 2, switchoverFraction: 0.5, push: 'off' as const, vmPages: 8 };
  // dual bubbling: fault on 5 sends 6, 4 (4 then used); fault on 0 sends 1 (above), nothing below, then 2
  const bubbling = wasteDecomposition(workload, { label: 'b', predictor: 'bubbling' }, setup);
  assert.deepEqual(bubbling, {
    workload: 'hand',
    method: 'b',
    k: 2,
    vmPages: 8,
    historyPages: 4,
    deadHistoryPages: 3,
    touched: 3,
    neverSeenTouched: 2,
    networkFaults: 2,
    faultsNeverSeen: 1,
    wasted: 3,
    wastedDead: 2,
    wastedNeverSeen: 1,
    unfilledSlots: 0,
    // the one live history page, 0, was last touched (at 4) before every dead one (5, 6, 7)
    lastTouchAuc: 0,
  });
  // the oracle: one fault on 5 sends 4 and 0, the only pages touched after it
  const [oracle] = wasteDecompositions([workload], [{ label: 'oracle', predictor: 'oracle' }], setup);
  assert.deepEqual([oracle.networkFaults, oracle.faultsNeverSeen, oracle.wasted, oracle.unfilledSlots], [1, 1, 0, 0]);
  for (const r of [bubbling, oracle]) {
    assert.equal(r.networkFaults * (r.k + 1), r.touched + r.wasted + r.unfilledSlots);
  }
});

test('lastTouchAucNotes: why a row has no lastTouchAuc, computed from the rows, per case and workload', () => {
  const workload = (name: string, page: number[]) => ({
    name,
    source: 'synthetic' as const,
    trace: makeTrace({ page }),
    fullAccesses: page.length,
  });
  const setup = { k: 1, switchoverFraction: 0.5, push: 'off' as const };
  const methods = [
    { label: 'none', predictor: 'none' },
    { label: 'oracle', predictor: 'oracle' },
  ] as const;
  const rows = wasteDecompositions(
    [
      // history 0 1, then 0 1 again: no dead page
      workload('again', [0, 1, 0, 1]),
      // history 0 1, then 2 3: no page lives on
      workload('moved', [0, 1, 2, 3]),
      // history 0 1, then 0 2: one live, one dead, so a value
      workload('mixed', [0, 1, 0, 2]),
    ],
    methods,
    setup,
  );
  assert.deepEqual(
    rows.map((r) => [r.workload, Number.isNaN(r.lastTouchAuc)]),
    [
      ['again', true],
      ['again', true],
      ['moved', true],
      ['moved', true],
      ['mixed', false],
      ['mixed', false],
    ],
  );
  assert.deepEqual(lastTouchAucNotes(rows), [
    'lastTouchAuc – on again: every history page is touched again after switchover (none is dead), so there is ' +
      'nothing to separate',
    'lastTouchAuc – on moved: no history page is touched again after switchover (none lives on), so there is nothing ' +
      'to separate',
  ]);
  assert.deepEqual(lastTouchAucNotes(rows.filter((r) => r.workload === 'mixed')), []);
});

test('wasteDecomposition and ppmMisses refuse a VM too large to simulate in one line, before arrays by page', () => {
  // page 2^32 - 1: arrays by page would be 16 GiB (filled) and 4 GiB; under a 4 GiB address-space limit they fail
  // (RangeError) where the refusal the simulation would give comes first
  const script = `
    const { makeTrace } = require('./src/trace');
    const { wasteDecomposition, ppmMisses } = require('./src/experiments');
    const page = [1, 2, 3, 2 ** 32 - 1, 1, 2, 3, 4];
    const workload = { name: 'sparse', source: 'synthetic', trace: makeTrace({ page }), fullAccesses: page.length };
    const none = { label: 'none', predictor: 'none' };
    for (const run of [() => wasteDecomposition(workload, none), () => ppmMisses(workload, 0.5, 1)]) {
      try { run(); console.log('ran'); } catch (err) { console.log(err.constructor.name + ': ' + err.message); }
    }`;
  const r = spawnSync('bash', ['-c', 'ulimit -v 4000000 && exec "$0" --import tsx -e "$1"', process.execPath, script], {
    encoding: 'utf8',
  });
  const refusal =
    `UserError: a VM of ${2 ** 32} pages is too large to simulate (at most ${2 ** 27}); ` +
    "number the trace's pages densely";
  assert.deepEqual(r.stdout.trim().split('\n'), [refusal, refusal], r.stderr);
});

test('QEMU_KNOB_SETTINGS adds one host knob at a time to the restart push and ends with the full QEMU setting', () => {
  assert.equal(new Set(QEMU_KNOB_SETTINGS.map((s) => s.label)).size, QEMU_KNOB_SETTINGS.length);
  assert.deepEqual(QEMU_KNOB_SETTINGS[0].overrides, { push: 'restart' });
  assert.deepEqual(QEMU_KNOB_SETTINGS.at(-1)!.overrides, MIGRATION_SETTINGS[1].overrides);
  for (const s of QEMU_KNOB_SETTINGS) assert.equal(s.overrides.push, 'restart', s.label);
});

test('roundTripFinding: the stall cut at each round trip, computed by hand; largest at the longest or not, said so', () => {
  // stall (ms) of plain post-copy and ppm at round trips 50, 200, 1000 us; a has two seeds, b is a real trace
  const stalls: Array<[string, number | null, number, number[], number[]]> = [
    ['a', 1, 1, [100, 200, 1000], [80, 150, 600]], // -20, -25, -40 %
    ['a', 2, 1, [100, 200, 1000], [90, 150, 500]], // -10, -25, -50 %: mean -15, -25, -45
    ['b', null, 1, [100, 200, 400], [50, 120, 300]], // -50, -40, -25 %
    ['c', null, 1, [100, 200, 400], [100, 210, 440]], // 0, +5, +10 %: no cut anywhere
    ['b', null, 0.1, [100, 200, 400], [100, 100, 100]], // another bandwidth: not read
  ];
  const raw = stalls.flatMap(([workload, seed, bandwidthGbps, none, ppm]) =>
    [50, 200, 1000].flatMap((rttUs, i) =>
      [
        ['none', none[i]],
        ['ppm', ppm[i]],
      ].map(([method, stallMs]) => ({ workload, seed, method, bandwidthGbps, rttUs, stallMs })),
    ),
  );
  const keys = ['workload', 'seed', 'bandwidthGbps', 'rttUs'];
  const rows = withChangeAgainst(raw, keys, { method: 'none' }, ['stallMs']);
  const summary = summarise(
    rows,
    ['workload', 'method', 'bandwidthGbps', 'rttUs'],
    ['stallMs', 'stallMsChangePercent'],
  );
  const only = (names: string[]) => summary.filter((r) => names.includes(String(r.workload)));
  assert.equal(
    roundTripFinding(only(['a']), 1),
    '- With a 1000 µs round trip ppm changes the stall by a 45 % less (40–50 % over the seeds). On every workload the ' +
      'cut is largest at the longest round trip (from 50 to 1000 µs: a 15 % less → 45 % less): each fault avoided ' +
      'saves a round trip, so prefetching pays most when round trips are long.',
  );
  assert.equal(
    roundTripFinding(only(['b', 'c']), 1),
    '- With a 1000 µs round trip ppm changes the stall by b 25 % less, c 10 % more. On no workload is the cut ' +
      'largest at the longest round trip (from 50 to 1000 µs: b 50 % less → 25 % less, c no change → 10 % more; ' +
      'largest at 50 µs on b, no cut at any round trip on c): a longer round trip does not make prefetching pay ' +
      'more here.',
  );
  assert.equal(
    roundTripFinding(only(['a', 'b']), 1),
    '- With a 1000 µs round trip ppm changes the stall by a 45 % less (40–50 % over the seeds), b 25 % less. The ' +
      'cut is largest at the longest round trip on a, not on b (from 50 to 1000 µs: a 15 % less → 45 % less, ' +
      'b 50 % less → 25 % less; largest at 50 µs on b): whether prefetching pays most when round trips are long ' +
      'depends on the workload.',
  );
});
