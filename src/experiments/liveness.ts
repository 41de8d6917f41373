import { NO_VALUE, type Row } from '../report/table';
import { largestPage, switchoverAtFraction, switchoverIndex } from '../trace';
import { checkVmPages } from '../trace/limits';
import { probabilityGreater } from '../util/statistics';
import { EXPERIMENT_DEFAULTS, type SimOverrides } from './common';
import { simulateMethod, type Method } from './predictors';
import type { Workload } from './workloads';

/**
 * Where a method's faults above the oracle's come from, on one workload. Without push every fault sends the faulted
 * page and at most k predicted pages, each page once, and every page touched after switchover came by a fault or a
 * prediction, so networkFaults·(k+1) = touched + wasted + unfilledSlots exactly: faults above the oracle's are the
 * extra wasted pages and empty slots over k+1, whatever the order pages are sent in. The row counts the faults on
 * pages never seen before switchover (no history-based ranking can name those; with push, a fault whose page the push
 * had already started is the push's), splits the waste into
 * dead history pages (touched before switchover, never after) and pages never seen before switchover, and gives
 * lastTouchAuc: the chance that a history page touched again after switchover was last touched before it later than
 * a dead one (0.5: the time of the last touch tells nothing about which history pages are still live).
 */
export function wasteDecomposition(workload: Workload, method: Method, overrides: SimOverrides = {}): Row {
  const trace = workload.trace;
  const fraction = overrides.switchoverFraction ?? EXPERIMENT_DEFAULTS.switchoverFraction;
  const history = switchoverIndex(trace, switchoverAtFraction(trace, fraction));
  // by page, in typed arrays: a Map and a Set over every access cost more than the run itself
  const pages = largestPage(trace.page) + 1;
  // refused as the simulation would refuse it, before arrays of up to 2^32 pages (16 GiB filled) are made
  checkVmPages(pages);
  /** lastTouch[p]: p's last access before switchover, -1 if none; after[p] = 1 when p is touched after it. */
  const lastTouch = new Int32Array(pages).fill(-1);
  for (let i = 0; i < history; i++) lastTouch[trace.page[i]] = i;
  const after = new Uint8Array(pages);
  for (let i = history; i < trace.page.length; i++) after[trace.page[i]] = 1;
  const seenBefore = (p: number) => p < pages && lastTouch[p] >= 0;
  // the pages the simulator sent for each fault and with it, as it reports them
  const faulted: number[] = [];
  const sent: number[] = [];
  const r = simulateMethod(workload, method, overrides, {
    onSend: (page, _arrivalUs, reason) => {
      if (reason === 'fault') faulted.push(page);
      else if (reason === 'prediction') sent.push(page);
    },
  });
  const wasted = sent.filter((q) => !(q < pages && after[q] === 1));
  const live: number[] = [];
  const dead: number[] = [];
  let neverSeenTouched = 0;
  for (let p = 0; p < pages; p++) {
    if (lastTouch[p] >= 0) (after[p] === 1 ? live : dead).push(lastTouch[p]);
    else if (after[p] === 1) neverSeenTouched++;
  }
  return {
    workload: workload.name,
    method: method.label,
    k: r.k,
    vmPages: r.vmPages,
    historyPages: live.length + dead.length,
    deadHistoryPages: dead.length,
    touched: r.distinctPagesTouched,
    neverSeenTouched,
    networkFaults: r.networkFaults,
    faultsNeverSeen: faulted.filter((p) => !seenBefore(p)).length,
    wasted: r.prefetchIssued - r.prefetchUsed,
    wastedDead: wasted.filter(seenBefore).length,
    wastedNeverSeen: wasted.filter((q) => !seenBefore(q)).length,
    unfilledSlots: r.networkFaults * r.k - r.prefetchIssued,
    lastTouchAuc: probabilityGreater(live, dead),
  };
}

/**
 * Why rows of wasteDecompositions have no lastTouchAuc (NaN), as notes for their table: there is nothing to separate
 * where no history page is dead or none is touched again; the workloads of each case, none when every row has one.
 */
export function lastTouchAucNotes(rows: readonly Row[]): string[] {
  const workloadsWhere = (test: (row: Row) => boolean) => [
    ...new Set(rows.filter((row) => Number.isNaN(row.lastTouchAuc) && test(row)).map((row) => String(row.workload))),
  ];
  const history = (row: Row) => Number(row.historyPages);
  const dead = (row: Row) => Number(row.deadHistoryPages);
  const cases: [string[], string][] = [
    [workloadsWhere((row) => history(row) === 0), 'no page is touched before switchover'],
    [
      workloadsWhere((row) => history(row) > 0 && dead(row) === 0),
      'every history page is touched again after switchover (none is dead)',
    ],
    [
      workloadsWhere((row) => history(row) > 0 && dead(row) === history(row)),
      'no history page is touched again after switchover (none lives on)',
    ],
  ];
  return cases
    .filter(([workloads]) => workloads.length > 0)
    .map(
      ([workloads, why]) =>
        `lastTouchAuc ${NO_VALUE} on ${workloads.join(', ')}: ${why}, so there is nothing to separate`,
    );
}

/** wasteDecomposition of every method on every workload, one row each. */
export function wasteDecompositions(
  workloads: readonly Workload[],
  methods: readonly Method[],
  overrides: SimOverrides = {},
): Row[] {
  return workloads.flatMap((w) => methods.map((m) => wasteDecomposition(w, m, overrides)));
}
