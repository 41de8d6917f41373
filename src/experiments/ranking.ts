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
import { CONTROL_METHODS, ORACLE_FAULT_GOAL } from './predictors';

/** The field's spatial baselines: pages near the faulted one, no model. */
export const SPATIAL_BASELINES: readonly string[] = ['next-k', 'bubbling', 'leap'];

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

/** Rows of one seed as a table to read: one row per method, `column` per workload, and its median over them. */
export function methodTable(rows: readonly Row[], column: string): Row[] {
  const workloads = workloadsOf(rows);
  return methodsOf(rows).map((method) => {
    const value = (w: string) => valueAt(rows, { workload: w, method }, column);
    return { method, ...Object.fromEntries(workloads.map((w) => [w, value(w)])), median: median(workloads.map(value)) };
  });
}

const times = (x: number) => `${formatNumber(x)}×`;
const bold = (items: readonly string[]) => (items.length ? items.map((s) => `**${s}**`).join(', ') : 'none');

/**
 * Conclusions on the whole-guest traces against the process traces, from withOracleRatio rows of each (one seed):
 * which method wins on each, where the paper's PPM beats the best spatial baseline and where it loses, how every
 * method's rank moves, why the controls fall, and the same programs traced both ways. Markdown bullets.
 */
export function guestRankingFindings(guest: readonly Row[], process: readonly Row[]): string[] {
  const ranking = oracleRanking({ process, guest });
  const of = (traces: string, method: string) => rowsWhere(ranking, { traces, method })[0];
  const first = (traces: string) => rowsWhere(ranking, { traces, rank: 1 }).map((r) => String(r.method));
  const ratio = (rows: readonly Row[], w: string, m: string) =>
    valueAt(rows, { workload: w, method: m }, 'faultsPerOracle');
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
  const spatial = SPATIAL_BASELINES.filter((m) => methodsOf(guest).includes(m));
  const ppmAgainstSpatial = (rows: readonly Row[]) =>
    workloadsOf(rows).map((w) => {
      const baseline = spatial.reduce((a, b) => (ratio(rows, w, b) < ratio(rows, w, a) ? b : a));
      return { w, baseline, ppm: ratio(rows, w, 'ppm'), spatial: ratio(rows, w, baseline) };
    });
  if (spatial.length > 0 && methodsOf(guest).includes('ppm')) {
    const cases = ppmAgainstSpatial(guest);
    const say = (c: (typeof cases)[number]) => `${c.w} (${times(c.ppm)} against ${c.baseline} ${times(c.spatial)})`;
    const wins = cases.filter((c) => c.ppm < c.spatial);
    const losses = cases.filter((c) => c.ppm > c.spatial);
    const processWins = ppmAgainstSpatial(process).filter((c) => c.ppm < c.spatial);
    out.push(
      `- The paper's PPM against the best spatial baseline of each workload (${spatial.join(', ')}), faults relative ` +
        `to the oracle: fewer on ${wins.map(say).join(', ') || 'no guest workload'}; more on ` +
        `${losses.map(say).join(', ') || 'no guest workload'}. On the process traces it has fewer on ` +
        `${processWins.length} of ${workloadsOf(process).length}${processWins.length ? ` (${processWins.map((c) => c.w).join(', ')})` : ''}.`,
    );
  }
  const moved = methodsOf(guest)
    .filter((m) => methodsOf(process).includes(m))
    .map((m) => ({ m, from: Number(of('process', m).rank), to: Number(of('guest', m).rank) }));
  const climbed = moved.filter((x) => x.to < x.from).map((x) => `${x.m} ${x.from} → ${x.to}`);
  const fell = moved.filter((x) => x.to > x.from).map((x) => `${x.m} ${x.from} → ${x.to}`);
  out.push(
    `- Rank, process → guest traces: up ${climbed.join(', ') || 'none'}; ` +
      `down ${fell.join(', ') || 'none'}; the same for ` +
      `${
        moved
          .filter((x) => x.to === x.from)
          .map((x) => x.m)
          .join(', ') || 'none'
      }.`,
  );
  const touched = (rows: readonly Row[]) => median(columnValues(rows, 'touchedShare', { method: 'oracle' }));
  const controls = CONTROL_METHODS.filter((c) => methodsOf(guest).includes(c));
  out.push(
    `- After switchover a guest touches a median ${formatNumber(100 * touched(guest))} % of its VM's pages, a process ` +
      `trace ${formatNumber(100 * touched(process))} % (its VM is its footprint): a page sent without evidence is ` +
      `mostly wasted in a real guest. The controls, faults relative to the oracle (geometric mean) on process → guest ` +
      `traces: ${controls.map((c) => `${c} ${times(Number(of('process', c).meanFaultsPerOracle))} → ${times(Number(of('guest', c).meanFaultsPerOracle))}`).join(', ')}.`,
  );
  const both = workloadsOf(guest).filter((w) => workloadsOf(process).includes(w));
  if (both.length > 0) {
    const fewest = (rows: readonly Row[], w: string) => {
      const ms = methodsOf(rows);
      const low = Math.min(...ms.map((m) => ratio(rows, w, m)));
      return `${ms.filter((m) => ratio(rows, w, m) === low).join(' = ')} ${times(low)}`;
    };
    out.push(
      `- The same program and input traced both ways (process trace → whole guest), the fewest faults relative to ` +
        `the oracle and the paper's PPM: ` +
        both
          .map(
            (w) =>
              `${w}: ${fewest(process, w)}, ppm ${times(ratio(process, w, 'ppm'))} → ${fewest(guest, w)}, ppm ${times(ratio(guest, w, 'ppm'))}`,
          )
          .join('; ') +
        '.',
    );
  }
  return out;
}
