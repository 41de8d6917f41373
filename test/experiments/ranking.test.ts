/** The ranking on whole-guest QEMU traces (notebook 09): guest workloads, the ratio and ranking helpers, pinned counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPARED_METHODS,
  guestRankingFindings,
  guestWorkloads,
  methodComparison,
  methodTable,
  oracleRanking,
  runSpreadFindings,
  ORACLE_GOAL_SETTING,
  withOracleRatio,
} from '../../src/experiments';
import { switchoverAtFraction, switchoverIndex } from '../../src/trace';

const row = (workload: string, method: string, networkFaults: number, extra = {}) => ({
  workload,
  seed: null,
  method,
  networkFaults,
  wastedPrefetches: 0,
  latePrefetches: 0,
  touchedShare: 0.5,
  ...extra,
});

// two workloads; the oracle takes 10 and 20 faults
const rows = withOracleRatio([
  row('a', 'oracle', 10),
  row('a', 'ppm', 10),
  row('a', 'bubbling', 20),
  row('a', 'next-k', 40),
  row('b', 'oracle', 20),
  row('b', 'ppm', 80),
  row('b', 'bubbling', 20),
  row('b', 'next-k', 20),
]);

test('withOracleRatio divides by the oracle of the same workload', () => {
  assert.deepEqual(
    rows.map((r) => r.faultsPerOracle),
    [1, 1, 2, 4, 1, 4, 1, 1],
  );
});

test('oracleRanking: geometric mean of faults per oracle (ppm √(1·4) = 2, bubbling √2, next-k 2), ties share a rank', () => {
  const ranking = oracleRanking({ set: rows });
  assert.deepEqual(
    ranking.map((r) => [
      r.method,
      r.rank,
      Number(Number(r.meanFaultsPerOracle).toFixed(9)),
      r.medianFaultsPerOracle,
      r.worstFaultsPerOracle,
    ]),
    [
      ['bubbling', 1, 1.414213562, 1.5, 2],
      ['ppm', 2, 2, 2.5, 4],
      ['next-k', 2, 2, 2.5, 4],
    ],
  );
  assert.deepEqual(
    ranking.map((r) => [r.withinGoal, r.workloads]),
    [
      [1, 2],
      [1, 2],
      [1, 2],
    ],
  );
});

test('methodTable: one row per method (oracle left out), a column per workload and the median', () => {
  assert.deepEqual(methodTable(rows, 'faultsPerOracle'), [
    { method: 'ppm', a: 1, b: 4, median: 2.5 },
    { method: 'bubbling', a: 2, b: 1, median: 1.5 },
    { method: 'next-k', a: 4, b: 1, median: 2.5 },
  ]);
});

test('guestRankingFindings: PPM against the best spatial baseline per workload, rank moves, controls', () => {
  const guest = withOracleRatio(
    [...rows, row('a', 'random-k', 50), row('b', 'random-k', 100)].map((r) => ({ ...r, touchedShare: 0.1 })),
  );
  const process = withOracleRatio(
    [
      row('a', 'oracle', 10),
      row('a', 'ppm', 30),
      row('a', 'bubbling', 11),
      row('a', 'next-k', 12),
      row('a', 'random-k', 13),
    ].map((r) => ({ ...r, touchedShare: 0.9 })),
  );
  const text = guestRankingFindings(guest, process).join('\n');
  // a: ppm 1× against bubbling 2× (next-k 4×); b: ppm 4× against next-k 1× (the first of the tied baselines)
  assert.match(text, /fewer on a \(1× against bubbling 2×\); more on b \(4× against next-k 1×\)/);
  assert.match(text, /On the process traces it has fewer on 0 of 1\./);
  // process ranks: bubbling 1.1, next-k 1.2, random-k 1.3, ppm 3; guest: bubbling √2, ppm 2, next-k 2, random-k 5
  assert.match(text, /up ppm 4 → 2; down random-k 3 → 4; the same for bubbling, next-k\./);
  assert.match(text, /median 10 % of its VM's pages, a process trace 90 %/);
  assert.match(text, /random-k 1\.3× → 5×/);
  assert.match(text, /a: bubbling 1\.1×, ppm 3× → ppm 1×, ppm 1×/);
});

// "mostly wasted in a real guest" was printed whatever share of its pages the guest touched
test('guestRankingFindings: a page sent without evidence is called mostly wasted only where most pages go untouched', () => {
  const process = withOracleRatio(rows.map((r) => ({ ...r, touchedShare: 0.9 })));
  const finding = (touchedShare: number) =>
    guestRankingFindings(withOracleRatio(rows.map((r) => ({ ...r, touchedShare }))), process).join('\n');
  assert.match(
    finding(0.1),
    /median 10 % of its VM's pages, a process trace 90 % \(its VM is its footprint\): a page sent without evidence is mostly wasted in a real guest\./,
  );
  assert.match(
    finding(0.7),
    /median 70 % of its VM's pages, a process trace 90 % \(its VM is its footprint\)\. The controls/,
  );
  assert.doesNotMatch(finding(0.7), /mostly wasted/);
});

test('runs of one workload: labelled by their seed in tables; spread over the runs and PPM against spatial per run', () => {
  const runs = withOracleRatio(
    [
      [row('a', 'oracle', 10), row('a', 'ppm', 10), row('a', 'bubbling', 20), row('a', 'next-k', 40)],
      [row('a', 'oracle', 10), row('a', 'ppm', 50), row('a', 'bubbling', 15), row('a', 'next-k', 40)],
      [row('b', 'oracle', 10), row('b', 'ppm', 10), row('b', 'bubbling', 12), row('b', 'next-k', 10)],
    ].flatMap((group, i) => group.map((r) => ({ ...r, seed: i < 2 ? `run ${i + 1}` : 'run 1' }))),
  );
  assert.deepEqual(methodTable(runs, 'faultsPerOracle')[0], {
    method: 'ppm',
    'a run 1': 1,
    'a run 2': 5,
    b: 1,
    median: 1,
  });
  // geometric means: ppm ∛5 = 1.71, bubbling ∛(2·1.5·1.2) = 1.53, next-k ∛16 = 2.52: bubbling first
  assert.deepEqual(runSpreadFindings(runs), [
    '- Over the 3 runs (2 of a, 1 of b), faults relative to the oracle range: ' +
      'a: ppm 1-5×, bubbling 1.5-2×; b: ppm 1-1×, bubbling 1.2-1.2×.',
    "- The paper's PPM has fewer faults than the best spatial baseline on 1 of 3 runs: " +
      'a run 1 (1× against bubbling 2×); more on a run 2 (5× against bubbling 1.5×). ' +
      // bubbling against ppm: 2 > 1, 1.5 < 5, 1.2 > 1
      'The first by geometric mean over these runs, bubbling, has fewer faults than PPM on 1 and more on 2 of 3.',
  ]);
});

const [sqlite] = guestWorkloads({ workloads: ['sqlite'] });

test('guestWorkloads: one plugin run per workload, the VM = the guest (256 MiB), a prefix when asked', () => {
  assert.deepEqual(
    [sqlite.name, sqlite.source, sqlite.seed, sqlite.vmPages, sqlite.trace.page.length, sqlite.fullAccesses],
    ['sqlite', 'guest', 'run 1', 65536, 78830, 78830],
  );
  const cut = guestWorkloads({ workloads: ['bzip2'], runs: [2, 3], maxAccesses: 1000 });
  assert.deepEqual(
    cut.map((w) => [w.seed, w.trace.page.length, w.fullAccesses]),
    [
      ['run 2', 1000, 365927],
      ['run 3', 1000, 356825],
    ],
  );
  assert.throws(
    () => guestWorkloads({ runs: [9] }),
    /sequential-plugin-9\.json: missing or unreadable QEMU run record/,
  );
});

test('pinned: every compared method on the sqlite guest trace; every touched page came once by a fault or a prefetch', () => {
  const k = ORACLE_GOAL_SETTING.k!;
  const compared = methodComparison([sqlite], COMPARED_METHODS, ORACLE_GOAL_SETTING);
  const trace = sqlite.trace;
  const history = switchoverIndex(trace, switchoverAtFraction(trace, ORACLE_GOAL_SETTING.switchoverFraction!));
  const touched = new Set(trace.page.subarray(history)).size;
  const oracle = compared.find((r) => r.method === 'oracle')!;
  for (const r of compared) {
    const [faults, issued, used] = [r.networkFaults, r.prefetchIssued, r.prefetchUsed].map(Number);
    assert.equal(r.distinctPagesTouched, touched, `${r.method}: touched after switchover`);
    assert.equal(faults + used, touched, `${r.method}: faults + prefetches used = pages touched`);
    // faults·(k+1) = touched + wasted + empty slots, with no negative empty slots
    assert.ok(issued <= faults * k, `${r.method}: at most k pages per fault`);
    assert.equal(faults * (k + 1), touched + (issued - used) + (faults * k - issued));
    assert.ok(Number(oracle.networkFaults) <= faults, `${r.method}: never fewer faults than the oracle`);
    assert.equal(r.touchedShare, touched / 65536, 'shares of the whole guest, not of the pages it touched');
  }
  assert.deepEqual(Object.fromEntries(compared.map((r) => [r.method, r.networkFaults])), {
    'next-k': 786,
    bubbling: 543,
    leap: 786,
    ppm: 1175,
    'ppm-delta': 874,
    'phase-bubbling': 495,
    'ppm-hybrid': 498,
    'ppm-hybrid-dirty': 496,
    'random-k': 1865,
    'ppm-order0': 1177,
    oracle: 237,
  });
});
