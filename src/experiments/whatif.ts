import { relative } from 'node:path';
import type { PushPolicy } from '../migration';
import type { PredictorName } from '../prefetch';
import type { ExplorerCell } from '../report/explorer';
import { PROJECT_ROOT } from '../report/notebook';
import { formatNumber, type Row } from '../report/table';
import type { WhatifPageOptions } from '../report/whatif/page';
import {
  EXPERIMENT_DEFAULTS,
  gridPoints,
  resultMetrics,
  simulateWorkload,
  type Progress,
  type SimOverrides,
  valueAt,
} from './common';
import { simulationJob } from './jobs';
import { runJobs } from './parallel';
import {
  findWorkload,
  realTraceFile,
  realWorkloads,
  REAL_TRACE_NAMES,
  SYNTHETIC_SEEDS,
  syntheticGenerators,
  syntheticWorkloads,
  type RealOptions,
  type SyntheticOptions,
  type Workload,
} from './workloads';
import { deepFreeze } from '../util/deep-freeze';

/** The knobs of the what-if notebook. */
export interface WhatIfParams {
  workload: string;
  bandwidthGbps: number;
  rttUs: number;
  k: number;
  order: number;
  push: PushPolicy;
}

/**
 * The methods compared at each setting: plain post-copy, the best baseline (bubbling), the paper's PPM,
 * ppm-delta, ppm-hybrid and its dirty-log variant, the controls and the limit. Fewer than
 * COMPARED_PREDICTORS: every method multiplies a precomputed grid.
 */
export const WHAT_IF_METHODS: readonly PredictorName[] = deepFreeze([
  'none',
  'bubbling',
  'ppm',
  'ppm-delta',
  'ppm-hybrid',
  'ppm-hybrid-dirty',
  'random-k',
  'ppm-order0',
  'oracle',
]);

/** Every metric of each method for one setting of the knobs. One row per method. */
export function whatIf(
  workloads: readonly Workload[],
  params: WhatIfParams,
  methods: readonly PredictorName[] = WHAT_IF_METHODS,
): Row[] {
  const workload = findWorkload(workloads, params.workload);
  return methods.map((method) => ({
    method,
    ...resultMetrics(simulateWorkload(workload, whatIfOverrides(params, method))),
  }));
}

/** The simulation of one method at one setting of the knobs. */
function whatIfOverrides(params: WhatIfParams, method: PredictorName): SimOverrides {
  return {
    predictor: method,
    k: params.k,
    push: params.push,
    predictorOptions: { order: params.order },
    network: { bandwidthBps: params.bandwidthGbps * 1e9, rttUs: params.rttUs },
  };
}

/**
 * The methods of notebook 06's precomputed grid: plain post-copy against the paper's PPM, the comparison
 * its conclusions draw over every setting. The live what-if page runs any method at any setting, so the
 * grid does not precompute the others (each would add as many runs as these two).
 */
export const WHAT_IF_GRID_METHODS: readonly PredictorName[] = deepFreeze(['none', 'ppm']);

/** The values each knob takes in a precomputed grid. */
export type WhatIfAxes = { [K in keyof WhatIfParams]: ReadonlyArray<WhatIfParams[K]> };

/**
 * 3 x 3 x 3 x 3 x 3 = 243 settings per workload, every push policy included: a second or two per
 * workload for WHAT_IF_GRID_METHODS, and well under a megabyte of results embedded in the report.
 */
export const DEFAULT_WHAT_IF_AXES: Readonly<Omit<WhatIfAxes, 'workload'>> = deepFreeze({
  bandwidthGbps: [0.1, 1, 10],
  rttUs: [50, 200, 2000],
  k: [2, 8, 32],
  order: [1, 2, 3],
  push: ['off', 'sequential', 'restart'],
});

/** whatIf at every grid point: the cells of the offline explorer (src/report/explorer.ts). */
export function whatIfGrid(
  workloads: readonly Workload[],
  axes: WhatIfAxes,
  methods: readonly PredictorName[] = WHAT_IF_METHODS,
  progress?: Progress,
): ExplorerCell[] {
  const points = gridPoints<WhatIfParams>(axes);
  const jobs = points.flatMap((params) => {
    const workload = findWorkload(workloads, params.workload);
    return methods.map((method) =>
      simulationJob(workload, whatIfOverrides(params, method), `${Object.values(params).join(' ')} ${method}`),
    );
  });
  const results = runJobs(jobs, progress);
  return points.map((params, i) => ({
    params: { ...params },
    rows: methods.map((method, m) => ({ method, ...resultMetrics(results[i * methods.length + m]) })),
  }));
}

/**
 * Notebook 06's workloads (its what-if cell and grid; `sweep whatif` by default): zipf and phased with the first seed,
 * then the real traces sqlite and bzip2.
 */
export function whatIfWorkloads(): Workload[] {
  return [
    ...syntheticWorkloads({ kinds: ['zipf', 'phased'], seeds: SYNTHETIC_SEEDS.slice(0, 1) }),
    ...realWorkloads({ names: ['sqlite', 'bzip2'] }),
  ];
}

/**
 * Notebook 06's grid (`sweep whatif`): WHAT_IF_GRID_METHODS at every point of DEFAULT_WHAT_IF_AXES on each workload
 * name (a name with several seeds runs its first, as whatIf does).
 */
export function defaultWhatIfGrid(workloads: readonly Workload[], progress?: Progress): ExplorerCell[] {
  const axes = { workload: [...new Set(workloads.map((w) => w.name))], ...DEFAULT_WHAT_IF_AXES };
  return whatIfGrid(workloads, axes, WHAT_IF_GRID_METHODS, progress);
}

/** PPM's stall minus plain post-copy's in a grid cell, in ms: below 0 where PPM cuts the stall. */
function ppmStallChangeMs(cell: ExplorerCell): number {
  return valueAt(cell.rows, { method: 'ppm' }, 'stallMs') - valueAt(cell.rows, { method: 'none' }, 'stallMs');
}

/**
 * What the grid shows about PPM against plain post-copy: in how many cells it cuts the stall, and the largest cut and
 * the largest added stall, in ms (a percentage of a base of a tenth of a millisecond reads as a large effect that is
 * not one). A cut or a loss no cell has is said so, not filled with the cell nearest to one. Markdown bullets.
 */
export function whatIfGridFindings(cells: readonly ExplorerCell[]): string[] {
  const stallOf = (c: ExplorerCell, m: string) => valueAt(c.rows, { method: m }, 'stallMs');
  const sorted = [...cells].sort((a, b) => ppmStallChangeMs(a) - ppmStallChangeMs(b));
  const describe = (c: ExplorerCell) =>
    `${formatNumber(Math.abs(ppmStallChangeMs(c)))} ms ${ppmStallChangeMs(c) < 0 ? 'less' : 'more'} stall ` +
    `(${formatNumber(stallOf(c, 'none'))} → ${formatNumber(stallOf(c, 'ppm'))} ms) at ` +
    Object.entries(c.params)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const helped = cells.filter((c) => ppmStallChangeMs(c) < 0).length;
  const hurt = cells.filter((c) => ppmStallChangeMs(c) > 0).length;
  const same = cells.length - helped - hurt;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return [
    `- PPM prefetch cuts stall time compared with plain post-copy in ${helped} of ${cells.length} settings` +
      `${hurt > 0 ? `, adds to it in ${hurt}` : ''}${same > 0 ? `, leaves it as it is in ${same}` : ''}.`,
    `- Largest cut: ${helped > 0 ? describe(first) : 'none, in no setting does PPM cut the stall'}.`,
    `- Largest loss: ${hurt > 0 ? describe(last) : 'none, in no setting does PPM add stall'}.`,
  ];
}

/**
 * Notebook 06's finding, stated first: in how many of the grid's cells PPM cuts the stall against plain post-copy,
 * and the knob whose values move that count most (the largest spread, over its values, of the share of cells where
 * PPM cuts the stall; the first such knob on a tie), with the count at each of its values. One markdown paragraph.
 */
export function whatIfGridFinding(cells: readonly ExplorerCell[]): string {
  const cut = (cs: readonly ExplorerCell[]) => cs.filter((c) => ppmStallChangeMs(c) < 0).length;
  const added = cells.filter((c) => ppmStallChangeMs(c) > 0).length;
  const same = cells.length - cut(cells) - added;
  const knobs = Object.keys(cells[0]?.params ?? {}).map((knob) => {
    const values = [...new Set(cells.map((c) => c.params[knob]))];
    const counts = values.map((value) => {
      const at = cells.filter((c) => c.params[knob] === value);
      return { value, cut: cut(at), of: at.length };
    });
    const shares = counts.map((c) => c.cut / c.of);
    return { knob, counts, spread: Math.max(...shares) - Math.min(...shares) };
  });
  const decisive = knobs.reduce((a, b) => (b.spread > a.spread ? b : a), { knob: '', counts: [], spread: 0 });
  return (
    `**Finding.** Over the ${cells.length} settings of the grid below, PPM prefetch cuts the VM's stall against ` +
    `plain post-copy in ${cut(cells)}${added > 0 ? `, adds to it in ${added}` : ''}` +
    `${same > 0 ? `, leaves it as it is in ${same}` : ''}. ` +
    (decisive.spread > 0
      ? `The knob that moves this most is ${decisive.knob}: PPM cuts the stall in ` +
        decisive.counts.map((c) => `${c.cut} of ${c.of} settings at ${decisive.knob} ${c.value}`).join(', ') +
        '.'
      : 'No knob of the grid changes how often it does.')
  );
}

/**
 * The methods the live what-if page opens with: plain post-copy, two simple baselines (next-k, and bubbling, which
 * beats the paper's PPM on most workloads: README), PPM and the limit. Fewer than WHAT_IF_METHODS because each one is
 * a run per knob change; the reader ticks the others. Not ppm-hybrid-dirty: several times the re-run time of these on a
 * dropped 10^6-access trace (DEVELOPERS).
 */
export const WHAT_IF_PAGE_METHODS: readonly PredictorName[] = deepFreeze([
  'none',
  'next-k',
  'bubbling',
  'ppm',
  'oracle',
]);

/** The files of the real traces whatIfPageOptions(…, real) embeds: what a page written must not replace. */
export function whatIfPageTraceFiles(real: RealOptions = {}): string[] {
  return (real.names ?? REAL_TRACE_NAMES).map((name) => realTraceFile(name, real.dir));
}

/**
 * The live what-if page (src/report/whatif) over the experiments' workloads, opening at their setup: the
 * real traces are embedded in the page, the synthetic ones are generator settings its worker runs itself.
 */
export function whatIfPageOptions(synthetic: SyntheticOptions = {}, real: RealOptions = {}): WhatifPageOptions {
  const e = EXPERIMENT_DEFAULTS;
  return {
    workloads: [
      // named in the page's command line as the README's commands name them, from the checkout
      ...realWorkloads(real).map((w) => ({
        name: w.name,
        trace: w.trace,
        file: relative(PROJECT_ROOT, realTraceFile(w.name, real.dir)),
      })),
      // one seed per kind: the page names workloads by kind
      ...syntheticGenerators({ seeds: SYNTHETIC_SEEDS.slice(0, 1), ...synthetic }).map(({ kind, options }) => ({
        name: kind,
        generator: kind,
        options,
      })),
    ],
    initial: {
      methods: [...WHAT_IF_PAGE_METHODS],
      k: e.k,
      options: { order: e.order },
      switchoverPercent: e.switchoverFraction * 100,
      bandwidthGbps: e.bandwidthBps / 1e9,
      rttUs: e.rttUs,
    },
  };
}
