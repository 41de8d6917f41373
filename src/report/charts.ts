/**
 * Figure builders over tidy rows. Each takes the rows an experiment returns, the column names to use,
 * and axis titles with units; methods keep the same colour everywhere (colors.ts). An optional facet
 * column draws one small panel per value (e.g. per workload) sharing the legend and the colours.
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
  /** Column splitting the rows into panels, one per value, in order of first appearance. */
  facet?: string;
  /** Panels per row when faceted (default: up to 3). */
  facetColumns?: number;
  logX?: boolean;
  logY?: boolean;
  /** Columns holding the lower and upper end of each y value's interval (e.g. min and max over seeds): error bars. */
  yLow?: string;
  yHigh?: string;
  /** d3 format of the y tick labels, e.g. '.0%' for shares (default: plain numbers with thousands separators). */
  yTickFormat?: string;
  width?: number;
  height?: number;
}

function distinct(rows: readonly Row[], column: string): string[] {
  return [...new Set(rows.map((r) => String(r[column])))];
}

interface Panel {
  title?: string;
  rows: readonly Row[];
}

function panels(rows: readonly Row[], spec: ChartSpec): Panel[] {
  if (!spec.facet) return [{ rows }];
  const facet = spec.facet;
  return distinct(rows, facet).map((title) => ({ title, rows: rows.filter((r) => String(r[facet]) === title) }));
}

/** 1, 2, 5, 10, 20, 50, ... from the decade below `min` to the first tick at or above `max` (positive values only). */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(min)); ; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const tick = Number((step * decade).toPrecision(12));
      if (tick * 5 >= min) ticks.push(tick);
      if (tick >= max) return ticks;
    }
  }
}

/**
 * Axis layout. A log x axis ticks exactly at the swept values (plotly's own log ticks hide which values
 * were measured); a log y axis ticks at 1-2-5 steps written in full (plotly writes "2" for 2000). Tick
 * labels are plain numbers with thousands separators, never SI suffixes ("300µ" for a share of 0.0003).
 */
function axisLayout(
  spec: ChartSpec,
  axis: 'x' | 'y',
  showTitle: boolean,
  sweptX: readonly number[],
  yValues: readonly number[],
): Record<string, unknown> {
  const log = axis === 'x' ? spec.logX : spec.logY;
  const title = axis === 'x' ? spec.xTitle : spec.yTitle;
  const positive = yValues.filter((v) => v > 0);
  const tickvals = !log ? undefined : axis === 'x' ? sweptX : logTicks(Math.min(...positive), Math.max(...positive));
  // A log y axis spans exactly its ticks, so a panel whose values lie within one decade still shows labelled ticks.
  const logRange = log && axis === 'y' && tickvals?.length ? [tickvals[0], tickvals[tickvals.length - 1]] : undefined;
  return {
    title: showTitle ? { text: title } : undefined,
    type: log ? 'log' : undefined,
    range: logRange?.map((v) => Math.log10(v)),
    automargin: true,
    rangemode: axis === 'y' ? 'tozero' : undefined,
    tickvals,
    ticktext: tickvals?.map((v) => v.toLocaleString('en-US')),
    exponentformat: 'none',
    separatethousands: true,
    tickformat: axis === 'y' ? spec.yTickFormat : undefined,
  };
}

/** Layout for n panels in a grid; axis titles on the bottom row (x) and the left column (y). */
function layout(
  spec: ChartSpec,
  rowsShown: readonly Row[],
  ps: readonly Panel[],
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const titles = ps.map((p) => p.title);
  const n = titles.length;
  const sweptX = [...new Set(rowsShown.map((r) => Number(r[spec.x])))].sort((a, b) => a - b);
  // each panel's own values: a log axis ticks and spans what that panel shows
  const yValuesOf = (rows: readonly Row[]) =>
    rows.flatMap((r) => [r[spec.y], r[spec.yLow ?? spec.y], r[spec.yHigh ?? spec.y]].map(Number));
  const columns = Math.min(n, spec.facetColumns ?? 3);
  const rows = Math.ceil(n / columns);
  const axes: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const suffix = i === 0 ? '' : String(i + 1);
    const yValues = yValuesOf(ps[i].rows);
    axes[`xaxis${suffix}`] = axisLayout(spec, 'x', i >= n - columns, sweptX, yValues);
    axes[`yaxis${suffix}`] = axisLayout(spec, 'y', i % columns === 0, sweptX, yValues);
  }
  const annotations = titles.flatMap((text, i) =>
    text === undefined
      ? []
      : [
          {
            text: `<b>${text}</b>`,
            showarrow: false,
            xref: `x${i === 0 ? '' : i + 1} domain`,
            yref: `y${i === 0 ? '' : i + 1} domain`,
            x: 0.5,
            y: 1.02,
            xanchor: 'center',
            yanchor: 'bottom',
          },
        ],
  );
  return {
    title: { text: spec.title },
    ...axes,
    ...(n > 1 ? { grid: { rows, columns, pattern: 'independent', ygap: 0.35, xgap: 0.12 } } : {}),
    annotations,
    legend: { title: { text: spec.series } },
    margin: { t: 80 },
    ...extra,
  };
}

type TraceBuilder = (method: string, rows: Row[]) => Record<string, unknown>;

/** One trace per (panel, method); each method appears once in the legend. */
function build(
  rows: readonly Row[],
  spec: ChartSpec,
  trace: TraceBuilder,
  extra: Record<string, unknown> = {},
): Figure {
  const ps = panels(rows, spec);
  const seen = new Set<string>();
  const data = ps.flatMap((panel, i) =>
    distinct(panel.rows, spec.series).map((method) => {
      const first = !seen.has(method);
      seen.add(method);
      const mine = panel.rows.filter((r) => String(r[spec.series]) === method);
      const suffix = i === 0 ? '' : String(i + 1);
      return {
        ...trace(method, mine),
        name: method,
        legendgroup: method,
        showlegend: first,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
      };
    }),
  );
  const rowsOfPanels = Math.ceil(ps.length / Math.min(ps.length, spec.facetColumns ?? 3));
  return {
    name: spec.name,
    caption: spec.caption,
    data,
    layout: layout(spec, rows, ps, extra),
    width: spec.width,
    height: spec.height ?? (rowsOfPanels > 1 ? 300 * rowsOfPanels + 100 : undefined),
  };
}

/** Error bars from the spec's interval columns (none without them). */
function errorBars(rows: readonly Row[], spec: ChartSpec): Record<string, unknown> {
  if (spec.yLow === undefined || spec.yHigh === undefined) return {};
  const low = spec.yLow;
  const high = spec.yHigh;
  return {
    error_y: {
      type: 'data',
      symmetric: false,
      thickness: 1.5,
      width: 3,
      array: rows.map((r) => Number(r[high]) - Number(r[spec.y])),
      arrayminus: rows.map((r) => Number(r[spec.y]) - Number(r[low])),
    },
  };
}

/** Grouped bars: one group per x value, one bar per series value. */
export function groupedBar(rows: readonly Row[], spec: ChartSpec): Figure {
  return build(
    rows,
    spec,
    (method, mine) => ({
      type: 'bar',
      marker: { color: colorFor(method) },
      x: mine.map((r) => r[spec.x]),
      y: mine.map((r) => r[spec.y]),
      ...errorBars(mine, spec),
    }),
    { barmode: 'group' },
  );
}

/** Lines with markers: y against a numeric x, one line per series value. */
export function lineChart(rows: readonly Row[], spec: ChartSpec): Figure {
  return build(rows, spec, (method, mine) => {
    const sorted = [...mine].sort((a, b) => Number(a[spec.x]) - Number(b[spec.x]));
    return {
      type: 'scatter',
      mode: 'lines+markers',
      line: { color: colorFor(method) },
      marker: { color: colorFor(method) },
      x: sorted.map((r) => r[spec.x]),
      y: sorted.map((r) => r[spec.y]),
      ...errorBars(sorted, spec),
    };
  });
}
