import { createPredictor, type Predictor } from '../prefetch';
import { isPageInVm } from '../prefetch/proposals';
import type { Row } from '../report/table';
import { switchoverAtFraction, switchoverIndex } from '../trace';
import { probabilityGreater } from '../util/statistics';
import { EXPERIMENT_DEFAULTS, simulateWorkload, type SimOverrides } from './common';
import { methodOverrides, type Method } from './predictors';
import type { Workload } from './workloads';

/**
 * The same predictor, with the faulted pages and every page the simulator will send for it written down (what
 * sendPredicted accepts: in the VM, not sent, not repeated, at most k).
 */
function recordingSent(predictor: Predictor, faulted: number[], sent: number[]): Predictor {
  return {
    ...predictor,
    onFault(page, k, ctx) {
      faulted.push(page);
      const proposals = predictor.onFault(page, k, ctx);
      const accepted = new Set<number>();
      for (const q of proposals) {
        if (accepted.size < k && isPageInVm(q, ctx.vmPages) && !ctx.isSent(q) && !accepted.has(q)) accepted.add(q);
      }
      sent.push(...accepted);
      return proposals;
    },
  };
}

/**
 * Where a method's faults above the oracle's come from, on one workload. Without push every fault sends the faulted
 * page and at most k predicted pages, each page once, and every page touched after switchover came by a fault or a
 * prediction, so networkFaults·(k+1) = touched + wasted + unfilledSlots exactly: faults above the oracle's are the
 * extra wasted pages and empty slots over k+1, whatever the order pages are sent in. The row counts the faults on
 * pages never seen before switchover (no history-based ranking can name those), splits the waste into
 * dead history pages (touched before switchover, never after) and pages never seen before switchover, and gives
 * lastTouchAuc: the chance that a history page touched again after switchover was last touched before it later than
 * a dead one (0.5: the time of the last touch tells nothing about which history pages are still live).
 */
export function wasteDecomposition(workload: Workload, method: Method, overrides: SimOverrides = {}): Row {
  const trace = workload.trace;
  const fraction = overrides.switchoverFraction ?? EXPERIMENT_DEFAULTS.switchoverFraction;
  const history = switchoverIndex(trace, switchoverAtFraction(trace, fraction));
  const lastTouch = new Map<number, number>();
  for (let i = 0; i < history; i++) lastTouch.set(trace.page[i], i);
  const after = new Set(trace.page.subarray(history));
  const sim = methodOverrides(method, overrides);
  const faulted: number[] = [];
  const sent: number[] = [];
  const options = { order: EXPERIMENT_DEFAULTS.order, ...sim.predictorOptions, trace };
  const r = simulateWorkload(workload, sim, {
    predictor: recordingSent(createPredictor(method.predictor, options), faulted, sent),
  });
  const wasted = sent.filter((q) => !after.has(q));
  const live: number[] = [];
  const dead: number[] = [];
  for (const [page, at] of lastTouch) (after.has(page) ? live : dead).push(at);
  return {
    workload: workload.name,
    method: method.label,
    k: r.k,
    vmPages: r.vmPages,
    historyPages: lastTouch.size,
    deadHistoryPages: dead.length,
    touched: r.distinctPagesTouched,
    neverSeenTouched: [...after].filter((p) => !lastTouch.has(p)).length,
    networkFaults: r.networkFaults,
    faultsNeverSeen: faulted.filter((p) => !lastTouch.has(p)).length,
    wasted: r.prefetchIssued - r.prefetchUsed,
    wastedDead: wasted.filter((q) => lastTouch.has(q)).length,
    wastedNeverSeen: wasted.filter((q) => !lastTouch.has(q)).length,
    unfilledSlots: r.networkFaults * r.k - r.prefetchIssued,
    lastTouchAuc: probabilityGreater(live, dead),
  };
}

/** wasteDecomposition of every method on every workload, one row each. */
export function wasteDecompositions(
  workloads: readonly Workload[],
  methods: readonly Method[],
  overrides: SimOverrides = {},
): Row[] {
  return workloads.flatMap((w) => methods.map((m) => wasteDecomposition(w, m, overrides)));
}
