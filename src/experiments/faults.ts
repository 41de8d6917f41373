import type { Row } from '../report/table';
import { percentChange, simulateWorkload, type Progress, type SimOverrides } from './common';
import type { Workload } from './workloads';

/**
 * The paper's first comparison: network page faults of plain post-copy (no prefetch) against
 * post-copy with PPM prefetch, on every workload. One row per workload and method.
 */
export function faultComparison(workloads: readonly Workload[], overrides: SimOverrides = {}, progress?: Progress): Row[] {
  const rows: Row[] = [];
  workloads.forEach((w, i) => {
    const plain = simulateWorkload(w, { ...overrides, predictor: 'none' });
    const ppm = simulateWorkload(w, { ...overrides, predictor: 'ppm' });
    for (const r of [plain, ppm]) {
      rows.push({
        workload: w.name, source: w.source, method: r.predictor === 'none' ? 'none' : 'ppm',
        distinctPagesTouched: r.distinctPagesTouched, networkFaults: r.networkFaults,
        faultChangePercent: percentChange(plain.networkFaults, r.networkFaults),
        prefetchIssued: r.prefetchIssued, prefetchUsed: r.prefetchUsed, stallMs: r.stallMs,
      });
    }
    progress?.(i + 1, workloads.length, w.name);
  });
  return rows;
}
