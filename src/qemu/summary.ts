/** Real runs per workload: median and min-max of QEMU's figures, as a text table. */
import { tableText } from '../report/table';
import { extent, median } from '../util/statistics';
import { qemuFigures, type QemuRunRecord } from './records';

const FIGURES = [
  ['total-time ms', 'totalTimeMs'],
  ['postcopy-requests', 'postcopyRequests'],
  ['blocktime ms', 'blocktimeMs'],
  ['transferred MB', 'transferredBytes'],
  ['duplicate pages', 'duplicatePages'],
] as const;

export function summariseRecords(records: readonly QemuRunRecord[]): string {
  const groups = new Map<string, QemuRunRecord[]>();
  for (const r of records) {
    const key = `${r.settings.workload}${r.settings.plugin ? ' (plugin)' : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows = [...groups].map(([key, group]) => {
    const row: Record<string, string | number> = { workload: key, runs: group.length };
    for (const [label, field] of FIGURES) {
      const values = group
        .map((r) => qemuFigures(r)[field] ?? NaN)
        .map((x) => (field === 'transferredBytes' ? x / 1e6 : x));
      const { min, max } = extent(values);
      row[label] = `${Math.round(median(values))} (${Math.round(min)}-${Math.round(max)})`;
    }
    return row;
  });
  return tableText(rows);
}
