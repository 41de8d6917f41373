/**
 * Figure builders over tidy rows. Each takes the rows an experiment returns, the column names to use,
 * and axis titles with units; methods keep the same colour everywhere (colors.ts).
 */
import { colorFor } from './colors';
import type { Figure } from './figure';
import type { Row } from './table';

export interface ChartSpec {
  name: string;
  caption: string;
  title: string;
  /** Column on the x axis. */
  x: string;
  /** Column on the y axis. */
  y: string;
  /** Column naming the method (one trace, one colour per value). */
  series: string;
  xTitle: string;
  yTitle: string;
  logX?: boolean;
  logY?: boolean;
}

function distinct(rows: readonly Row[], column: string): string[] {
  return [...new Set(rows.map((r) => String(r[column])))];
}

function layout(spec: ChartSpec, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: spec.title },
    xaxis: { title: { text: spec.xTitle }, type: spec.logX ? 'log' : undefined, automargin: true },
    yaxis: { title: { text: spec.yTitle }, type: spec.logY ? 'log' : undefined, rangemode: 'tozero', automargin: true },
    legend: { title: { text: spec.series } },
    margin: { t: 60 },
    template: undefined,
    ...extra,
  };
}

/** Grouped bars: one group per x value, one bar per series value. */
export function groupedBar(rows: readonly Row[], spec: ChartSpec): Figure {
  const data = distinct(rows, spec.series).map((method) => {
    const mine = rows.filter((r) => String(r[spec.series]) === method);
    return {
      type: 'bar', name: method, marker: { color: colorFor(method) },
      x: mine.map((r) => r[spec.x]), y: mine.map((r) => r[spec.y]),
    };
  });
  return { name: spec.name, caption: spec.caption, data, layout: layout(spec, { barmode: 'group' }) };
}

/** Lines with markers: y against a numeric x, one line per series value. */
export function lineChart(rows: readonly Row[], spec: ChartSpec): Figure {
  const data = distinct(rows, spec.series).map((method) => {
    const mine = rows.filter((r) => String(r[spec.series]) === method).sort((a, b) => Number(a[spec.x]) - Number(b[spec.x]));
    return {
      type: 'scatter', mode: 'lines+markers', name: method, line: { color: colorFor(method) }, marker: { color: colorFor(method) },
      x: mine.map((r) => r[spec.x]), y: mine.map((r) => r[spec.y]),
    };
  });
  return { name: spec.name, caption: spec.caption, data, layout: layout(spec) };
}
