/**
 * Notebook 09's honest ranking: the compared methods ordered by network faults relative to the oracle, on the
 * process traces (pages remapped densely, so the VM is the trace's footprint and every page is used sooner or later)
 * and on whole-guest traces of real QEMU runs (guestWorkloads: a 256 MiB guest, most of whose pages are never
 * touched), and what changes between the two. Everything here reads methodComparison rows.
 */
import type { Row } from '../report/table';
import { formatNumber } from '../report/table';
import { geometricMean } from '../util/statistics';
import { columnValues, median, rowsWhere, valueAt } from './common';
import { orderZeroShare } from './ppm-misses';
import { CONTROL_METHODS, ORACLE_FAULT_GOAL } from './predictors';
import { deepFreeze } from '../util/deep-freeze';

/** The field's spatial baselines: pages near the faulted one, no model. */
export const SPATIAL_BASELINES: readonly string[] = deepFreeze(['next-k', 'bubbling', 'leap']);

/** methodComparison rows with faultsPerOracle: network faults over the oracle's on the same workload and seed. */
export function withOracleRatio(rows: readonly Row[]): Row[] {
  return rows.map((r) => {
    const oracle = valueAt(rows, { workload: r.workload, seed: r.seed, method: 'oracle' }, 'networkFaults');
    return { ...r, faultsPerOracle: Number(r.networkFaults) / Math.max(1, oracle) };
  });
}

const methodsOf = (rows: readonly Row[]) =>
  [...new Set(rows.map((r) => String(r.method)))].filter((m) => m !== 'oracle' && m !== 'none');
const workloadsOf = (rows: readonly Row[]) => [...new Set(rows.map((r) => String(r.workload)))];

/** One replicate of a workload in rows: the workload with its seed (a synthetic seed, a QEMU run), if any. */
interface Run {
  label: string;
  workload: string;
  seed: Row[string];
}

/**
 * The runs in rows, workloads in order; a run is labelled by its workload, and by its seed too when the workload has
 * several.
 */
function runsOf(rows: readonly Row[]): Run[] {
  const runs = new Map<string, Run>();
  for (const r of rows) {
    const key = JSON.stringify([r.workload, r.seed]);
    if (!runs.has(key)) runs.set(key, { label: '', workload: String(r.workload), seed: r.seed });
  }
  const order = workloadsOf(rows);
  const all = [...runs.values()].sort((a, b) => order.indexOf(a.workload) - order.indexOf(b.workload));
  const several = (w: string) => all.filter((x) => x.workload === w).length > 1;
  return all.map((x) => ({ ...x, label: several(x.workload) ? `${x.workload} ${x.seed}` : x.workload }));
}

const valueOf = (rows: readonly Row[], run: Run, method: string, column = 'faultsPerOracle') =>
  valueAt(rows, { workload: run.workload, seed: run.seed, method }, column);

/**
 * One row per (traces, method) but the oracle, for each named set of withOracleRatio rows: rank by the geometric
 * mean of faultsPerOracle over the set's workloads (1 = fewest; ties share a rank; a geometric mean because a median
 * of near-ties hides a workload where a method takes several times the oracle's faults), that mean, the median and
 * the worst workload's ratio, how many workloads are within ORACLE_FAULT_GOAL, and the medians of wasted and late
 * prefetches.
 */
export function oracleRanking(sets: Readonly<Record<string, readonly Row[]>>): Row[] {
  return Object.entries(sets).flatMap(([traces, rows]) => {
    const ratios = (m: string) => columnValues(rows, 'faultsPerOracle', { method: m });
    const methods = methodsOf(rows);
    const means = new Map(methods.map((m) => [m, geometricMean(ratios(m))]));
    return methods
      .map((method) => ({
        traces,
        method,
        rank: 1 + methods.filter((other) => means.get(other)! < means.get(method)!).length,
        meanFaultsPerOracle: means.get(method)!,
        medianFaultsPerOracle: median(ratios(method)),
        worstFaultsPerOracle: Math.max(...ratios(method)),
        withinGoal: ratios(method).filter((r) => r <= ORACLE_FAULT_GOAL).length,
        workloads: ratios(method).length,
        medianWasted: median(columnValues(rows, 'wastedPrefetches', { method })),
        medianLate: median(columnValues(rows, 'latePrefetches', { method })),
      }))
      .sort((a, b) => a.rank - b.rank);
  });
}

/** Rows as a table to read: one row per method, `column` per run of a workload, and its median over them. */
export function methodTable(rows: readonly Row[], column: string): Row[] {
  const runs = runsOf(rows);
  return methodsOf(rows).map((method) => {
    const values = runs.map((run) => valueOf(rows, run, method, column));
    return { method, ...Object.fromEntries(runs.map((run, i) => [run.label, values[i]])), median: median(values) };
  });
}

const times = (x: number) => `${formatNumber(x)}×`;
const bold = (items: readonly string[]) => (items.length ? items.map((s) => `**${s}**`).join(', ') : 'none');

/** Per run, the paper's PPM and the spatial baseline with the fewest faults there (ties: the first listed). */
function ppmAgainstSpatial(rows: readonly Row[]) {
  const spatial = SPATIAL_BASELINES.filter((m) => methodsOf(rows).includes(m));
  if (spatial.length === 0 || !methodsOf(rows).includes('ppm')) return [];
  return runsOf(rows).map((run) => {
    const baseline = spatial.reduce((a, b) => (valueOf(rows, run, b) < valueOf(rows, run, a) ? b : a));
    return { run: run.label, baseline, ppm: valueOf(rows, run, 'ppm'), spatial: valueOf(rows, run, baseline) };
  });
}

/** "w (ppm 1.5× against bubbling 2×)" for each case. */
const sayCases = (cases: ReturnType<typeof ppmAgainstSpatial>, none: string) =>
  cases.map((c) => `${c.run} (${times(c.ppm)} against ${c.baseline} ${times(c.spatial)})`).join(', ') || none;

/**
 * Conclusions on the whole-guest traces against the process traces, from withOracleRatio rows of each: which method
 * ranks first on each, where the paper's PPM beats the best spatial baseline and where it loses, how every method's
 * rank moves, why the controls fall, and the same programs traced both ways. Markdown bullets.
 */
export function guestRankingFindings(guest: readonly Row[], process: readonly Row[]): string[] {
  const ranking = oracleRanking({ process, guest });
  const of = (traces: string, method: string) => rowsWhere(ranking, { traces, method })[0];
  const first = (traces: string) => rowsWhere(ranking, { traces, rank: 1 }).map((r) => String(r.method));
  const out: string[] = [];
  const order = (traces: string) =>
    rowsWhere(ranking, { traces })
      .map((r) => `${r.rank}. ${r.method} ${times(Number(r.meanFaultsPerOracle))}`)
      .join(', ');
  const top = of('guest', first('guest')[0]);
  out.push(
    `- Ranked by the geometric mean over the workloads of faults relative to the oracle (every workload counts, ` +
      `unlike a median), on the whole-guest traces: ` +
      `${order('guest')}; on the process traces: ${order('process')}. The first on the guest traces, ` +
      `${bold(first('guest'))}, is within ${ORACLE_FAULT_GOAL}× of the oracle on ${top.withinGoal} of ` +
      `${top.workloads} workloads (worst ${times(Number(top.worstFaultsPerOracle))}).`,
  );
  const cases = ppmAgainstSpatial(guest);
  if (cases.length > 0) {
    const processWins = ppmAgainstSpatial(process).filter((c) => c.ppm < c.spatial);
    out.push(
      `- The paper's PPM against the best spatial baseline of each workload ` +
        `(${SPATIAL_BASELINES.join(', ')}), faults relative to the oracle: fewer on ` +
        `${sayCases(
          cases.filter((c) => c.ppm < c.spatial),
          'no guest workload',
        )}; more on ${sayCases(
          cases.filter((c) => c.ppm > c.spatial),
          'no guest workload',
        )}. On the process traces it has fewer on ${processWins.length} of ${runsOf(process).length}` +
        `${processWins.length ? ` (${processWins.map((c) => c.run).join(', ')})` : ''}.`,
    );
  }
  const moved = methodsOf(guest)
    .filter((m) => methodsOf(process).includes(m))
    .map((m) => ({ m, from: Number(of('process', m).rank), to: Number(of('guest', m).rank) }));
  const list = (xs: typeof moved) => xs.map((x) => `${x.m} ${x.from} → ${x.to}`).join(', ') || 'none';
  const same = moved.filter((x) => x.to === x.from).map((x) => x.m);
  out.push(
    `- Rank, process → guest traces: up ${list(moved.filter((x) => x.to < x.from))}; ` +
      `down ${list(moved.filter((x) => x.to > x.from))}; the same for ${same.join(', ') || 'none'}.`,
  );
  const touched = (rows: readonly Row[]) => median(columnValues(rows, 'touchedShare', { method: 'oracle' }));
  const controls = CONTROL_METHODS.filter((c) => methodsOf(guest).includes(c));
  const mean = (traces: string, m: string) => times(Number(of(traces, m).meanFaultsPerOracle));
  out.push(
    `- After switchover a guest touches a median ${formatNumber(100 * touched(guest))} % of its VM's pages, a process ` +
      `trace ${formatNumber(100 * touched(process))} % (its VM is its footprint)` +
      // most of a guest's pages untouched: most pages sent without evidence are never used
      (touched(guest) < 0.5 ? ': a page sent without evidence is mostly wasted in a real guest' : '') +
      '. The controls, faults relative to the oracle (geometric mean) on process → guest ' +
      `traces: ${controls.map((c) => `${c} ${mean('process', c)} → ${mean('guest', c)}`).join(', ')}.`,
  );
  const both = workloadsOf(guest).filter((w) => workloadsOf(process).includes(w));
  const fewest = (rows: readonly Row[], run: Run) => {
    const ms = methodsOf(rows);
    const low = Math.min(...ms.map((m) => valueOf(rows, run, m)));
    return `${ms.filter((m) => valueOf(rows, run, m) === low).join(' = ')} ${times(low)}`;
  };
  const fewestAndPpm = (rows: readonly Row[], w: string) =>
    runsOf(rows)
      .filter((run) => run.workload === w)
      .map((run) => `${fewest(rows, run)}, ppm ${times(valueOf(rows, run, 'ppm'))}`)
      .join('; ');
  if (both.length > 0) {
    out.push(
      `- The same program and input traced both ways (process trace → whole guest), the fewest faults relative to ` +
        `the oracle and the paper's PPM: ` +
        both.map((w) => `${w}: ${fewestAndPpm(process, w)} → ${fewestAndPpm(guest, w)}`).join('; ') +
        '.',
    );
  }
  return out;
}

/**
 * Notebook 09's finding, stated first. From ppmMisses rows at the whole history (`misses`): the median share of the
 * pages PPM faulted on that it never saw, and of the pages it sent that came from order 0. From withOracleRatio rows
 * at one setting: the first of oracleRanking on the real process traces (`process`) and on whole-guest traces of real
 * QEMU runs (`guest`), and the paper's PPM's rank on each. One markdown paragraph.
 */
export function whyPpmMissesFinding(misses: readonly Row[], process: readonly Row[], guest: readonly Row[]): string {
  const pct = (share: number) => `${formatNumber(100 * share)} %`;
  const neverSeen = median(columnValues(misses, 'neverSeenShare'));
  const fromOrderZero = median(misses.map(orderZeroShare));
  const ranking = oracleRanking({ process, guest });
  const of = (traces: string, method: string) => rowsWhere(ranking, { traces, method })[0];
  const first = (traces: string) => rowsWhere(ranking, { traces, rank: 1 }).map((r) => String(r.method));
  const rankOf = (traces: string, method: string) =>
    `${of(traces, method).rank} of ${rowsWhere(ranking, { traces }).length} ` +
    `(${times(Number(of(traces, method).meanFaultsPerOracle))})`;
  const heads = (traces: string) =>
    `${bold(first(traces))} (${times(Number(of(traces, first(traces)[0]).meanFaultsPerOracle))})`;
  const moved = first('process').filter((m) => !first('guest').includes(m));
  return (
    `**Finding.** With the whole history, a median ${pct(neverSeen)} of the pages the paper's PPM faults on were ` +
    'never in it, out of reach of any model over page numbers, and a median ' +
    `${pct(fromOrderZero)} of the pages it sends come from order 0, the history's most frequent pages whatever ` +
    `page faulted${fromOrderZero > 0.5 ? ': most of what it sends is no prediction from the faulted page' : ''}. ` +
    'Ranked by network faults relative to the oracle (geometric mean over the ' +
    `${of('process', 'ppm').workloads} real process traces, at the setting below), the first is ` +
    `${heads('process')} and the paper's PPM ranks ${rankOf('process', 'ppm')}. On the ` +
    `${of('guest', 'ppm').workloads} whole-guest traces of real QEMU runs the first is ${heads('guest')}` +
    (moved.length === 0
      ? ', the same'
      : `; ${moved.map((m) => `${m} ranks ${of('guest', m).rank} there`).join(', ')}`) +
    `, and the paper's PPM ranks ${rankOf('guest', 'ppm')}.`
  );
}

/**
 * How much a ranking depends on the run, from withOracleRatio rows holding several runs (seeds) per workload: per
 * workload the range over its runs of faults relative to the oracle, for the paper's PPM, the first of oracleRanking
 * and the best-ranked spatial baseline, and on how many runs PPM beats the best spatial baseline. Markdown bullets.
 */
export function runSpreadFindings(rows: readonly Row[]): string[] {
  const ranking = oracleRanking({ runs: rows });
  const spatial = ranking.find((r) => SPATIAL_BASELINES.includes(String(r.method)));
  const methods = [...new Set(['ppm', String(ranking[0].method), ...(spatial ? [String(spatial.method)] : [])])];
  const runs = runsOf(rows);
  const spread = (w: string, m: string) => {
    const values = runs.filter((run) => run.workload === w).map((run) => valueOf(rows, run, m));
    return `${m} ${formatNumber(Math.min(...values))}-${times(Math.max(...values))}`;
  };
  const cases = ppmAgainstSpatial(rows);
  const workloads = workloadsOf(rows);
  const best = String(ranking[0].method);
  const bestBeatsPpm = runs.filter((run) => valueOf(rows, run, best) < valueOf(rows, run, 'ppm')).length;
  const bestLosesToPpm = runs.filter((run) => valueOf(rows, run, best) > valueOf(rows, run, 'ppm')).length;
  return [
    `- Over the ${runs.length} runs (${workloads.map((w) => `${runs.filter((r) => r.workload === w).length} of ${w}`).join(', ')}), ` +
      `faults relative to the oracle range: ` +
      workloads.map((w) => `${w}: ${methods.map((m) => spread(w, m)).join(', ')}`).join('; ') +
      '.',
    `- The paper's PPM has fewer faults than the best spatial baseline on ${cases.filter((c) => c.ppm < c.spatial).length} ` +
      `of ${cases.length} runs: ${sayCases(
        cases.filter((c) => c.ppm < c.spatial),
        'none',
      )}; more on ${sayCases(
        cases.filter((c) => c.ppm > c.spatial),
        'none',
      )}. The first by geometric mean over these runs, ${best}, has fewer faults than PPM on ${bestBeatsPpm} ` +
      `and more on ${bestLosesToPpm} of ${runs.length}.`,
  ];
}
