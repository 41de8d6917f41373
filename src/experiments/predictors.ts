import type { MigrationResult, SimHooks } from '../migration';
import { PREDICTOR_NAMES, type PredictorName, type PredictorOptions } from '../prefetch';
import type { Row } from '../report/table';
import { formatNumber } from '../report/table';
import {
  columnValues,
  describeChange,
  gridPoints,
  mean,
  median,
  percentChange,
  resultMetrics,
  simulateWorkload,
  valueAt,
  type Progress,
  type SimOverrides,
} from './common';
import { simulationJob } from './jobs';
import { runJobs } from './parallel';
import { deepFreeze, type DeepReadonly } from '../util/deep-freeze';
import { allWorkloads, DISTINCT_KINDS, NOTEBOOK_SEEDS, type Workload } from './workloads';

/** A method to compare: a predictor under a label, with options of its own (e.g. PPM's confidence threshold). */
export interface Method {
  /** Name in rows, legends and colours. */
  label: string;
  predictor: PredictorName;
  /** Merged over the experiment's predictor options. */
  predictorOptions?: PredictorOptions;
}

const PLAIN: Method = { label: 'none', predictor: 'none' };

/**
 * What every notebook that compares methods shows side by side: the field's baselines next-k, bubbling
 * (the best of them on these traces) and Leap; the paper's PPM, its delta variant, phase-bubbling, the
 * hybrid of the two and the hybrid told the history's dirty pages; the controls random-k and ppm-order0
 * (sending pages early without predicting); and the oracle, the limit with k pages per fault.
 */
export const COMPARED_PREDICTORS = [
  'next-k',
  'bubbling',
  'leap',
  'ppm',
  'ppm-delta',
  'phase-bubbling',
  'ppm-hybrid',
  'ppm-hybrid-dirty',
  'random-k',
  'ppm-order0',
  'oracle',
] as const satisfies readonly PredictorName[];
export const COMPARED_METHODS: DeepReadonly<Method[]> = deepFreeze(
  COMPARED_PREDICTORS.map((p) => ({ label: p, predictor: p })),
);
/** The controls: a predictor is worth what it wins over the better of them. */
export const CONTROL_METHODS: readonly string[] = deepFreeze(['random-k', 'ppm-order0']);
/** The bar set for the best non-oracle predictor: at most this many times the oracle's network faults... */
export const ORACLE_FAULT_GOAL = 1.15;
/** ...at this setting: k = 8, switchover after half of each trace, no background push. */
export const ORACLE_GOAL_SETTING: DeepReadonly<SimOverrides> = deepFreeze({
  k: 8,
  switchoverFraction: 0.5,
  push: 'off',
});

/** One workload under one method: the experiment setup, the overrides, then the method's own options. */
export function simulateMethod(workload: Workload, method: Method, overrides: SimOverrides = {}, hooks: SimHooks = {}) {
  return simulateWorkload(workload, methodOverrides(method, overrides), hooks);
}

/** The overrides with the method's predictor and its own options on top. */
export function methodOverrides(method: Method, overrides: SimOverrides = {}): SimOverrides {
  return {
    ...overrides,
    predictor: method.predictor,
    predictorOptions: { ...overrides.predictorOptions, ...method.predictorOptions },
  };
}

/**
 * Every method on every workload under the same setup. One row per (workload, method);
 * faultChangePercent and stallChangePercent compare with plain post-copy (label "none", always run)
 * on the same workload; touchedShare is the share of the VM's pages touched after switchover (when it
 * is high, almost any page sent ahead is used eventually, so faults alone flatter methods that always
 * fill their k slots).
 */
export function methodComparison(
  workloads: readonly Workload[],
  methods: readonly Method[],
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  return methodComparisons(workloads, methods, [overrides], progress)[0];
}

/** methodComparison under each of several setups, as one sweep (one batch of jobs): one list of rows per setup. */
export function methodComparisons(
  workloads: readonly Workload[],
  methods: readonly Method[],
  setups: readonly SimOverrides[],
  progress?: Progress,
): Row[][] {
  const all = [PLAIN, ...methods.filter((m) => m.label !== PLAIN.label)];
  const points = gridPoints<{ workload: Workload; method: Method }>({ workload: workloads, method: all });
  const results = runJobs(
    setups.flatMap((setup) =>
      points.map(({ workload, method }) =>
        simulationJob(workload, methodOverrides(method, setup), `${workload.name} ${method.label}`),
      ),
    ),
    progress,
  );
  return setups.map((_, s) => methodRows(points, methods, results.slice(s * points.length, (s + 1) * points.length)));
}

function methodRows(
  points: readonly { workload: Workload; method: Method }[],
  methods: readonly Method[],
  results: readonly MigrationResult[],
): Row[] {
  const plainOf = new Map(points.flatMap((p, i) => (p.method === PLAIN ? [[p.workload, results[i]]] : [])));
  return points.flatMap(({ workload, method }, i) => {
    if (!methods.some((m) => m.label === method.label)) return [];
    const r = results[i];
    const plain = plainOf.get(workload)!;
    return [
      {
        workload: workload.name,
        source: workload.source,
        seed: workload.seed ?? null,
        method: method.label,
        distinctPagesTouched: r.distinctPagesTouched,
        touchedShare: r.distinctPagesTouched / r.vmPages,
        ...resultMetrics(r),
        faultChangePercent: percentChange(plain.networkFaults, r.networkFaults),
        stallChangePercent: percentChange(plain.stallMs, r.stallMs),
      },
    ];
  });
}

/** Every predictor on every workload, the oracle (which reads the future) being the limit with k pages per fault. */
export function predictorComparison(
  workloads: readonly Workload[],
  predictors: readonly PredictorName[] = PREDICTOR_NAMES,
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  return methodComparison(
    workloads,
    predictors.map((p) => ({ label: p, predictor: p })),
    overrides,
    progress,
  );
}

/**
 * The paper's first comparison, network page faults of plain post-copy (method "none": only the faulted
 * page is sent) against post-copy with PPM prefetch, on every workload, with the methods a reader needs
 * to judge it beside them (COMPARED_PREDICTORS by default). One row per (workload, method).
 */
export function faultComparison(
  workloads: readonly Workload[],
  overrides: SimOverrides = {},
  progress?: Progress,
  predictors: readonly PredictorName[] = ['none', ...COMPARED_PREDICTORS],
): Row[] {
  return predictorComparison(workloads, predictors, overrides, progress);
}

const list = (items: readonly string[]) => (items.length ? items.map((s) => `**${s}**`).join(', ') : 'none');

/**
 * Conclusions computed from methodComparison rows (one row per workload and method, one setting): who has
 * the fewest faults where, each method's median faults relative to the oracle, the paper's PPM against
 * next-k, how far each method is above the better control, and the waste and late prefetches it pays.
 * Markdown bullets; a bullet is left out when the methods it needs are not in the rows.
 */
export function methodFindings(rows: readonly Row[]): string[] {
  const workloads = [...new Set(rows.map((r) => String(r.workload)))];
  const methods = [...new Set(rows.map((r) => String(r.method)))].filter((m) => m !== PLAIN.label);
  const has = (m: string) => methods.includes(m);
  const faults = (w: string, m: string) => valueAt(rows, { workload: w, method: m }, 'networkFaults');
  const real = methods.filter((m) => m !== 'oracle');
  const medianOf = (m: string, col: string) => median(columnValues(rows, col, { method: m }));
  const out: string[] = [];
  const winners = new Map<string, string[]>();
  for (const w of workloads) {
    const best = Math.min(...real.map((m) => faults(w, m)));
    const key = real.filter((m) => faults(w, m) === best).join(' = ');
    winners.set(key, [...(winners.get(key) ?? []), w]);
  }
  const wins = [...winners].map(([m, ws]) => `${list([m])} on ${ws.join(', ')}`);
  out.push(`- Fewest network faults without reading the future: ${wins.join('; ')}.`);
  if (has('oracle')) {
    const ratio = (m: string) => median(workloads.map((w) => faults(w, m) / Math.max(1, faults(w, 'oracle'))));
    const ranked = [...real].sort((a, b) => ratio(a) - ratio(b));
    const within = (m: string) => workloads.filter((w) => faults(w, m) <= ORACLE_FAULT_GOAL * faults(w, 'oracle'));
    const best = ranked[0];
    const missed = workloads.filter((w) => !within(best).includes(w));
    const ratios = ranked.map((m) => `${m} ${formatNumber(ratio(m))}×`);
    out.push(
      `- Median network faults relative to the oracle: ${ratios.join(', ')}. ` +
        `The best, ${best}, stays within ${ORACLE_FAULT_GOAL}× of the oracle on ${within(best).length} of ` +
        `${workloads.length} ` +
        `workloads${missed.length ? ` (not on ${missed.join(', ')})` : ''}.`,
    );
  }
  if (has('ppm') && has('next-k')) {
    const fewer = workloads.filter((w) => faults(w, 'ppm') < faults(w, 'next-k'));
    const change = median(workloads.map((w) => percentChange(faults(w, 'next-k'), faults(w, 'ppm'))));
    out.push(
      "- The paper's PPM against next-k (send the k following pages): " +
        `fewer faults on ${fewer.length} of ${workloads.length} workloads, ` +
        `median ${describeChange(change)} faults than next-k.`,
    );
  }
  const controls = CONTROL_METHODS.filter(has);
  if (controls.length > 0) {
    const control = (w: string) => Math.min(...controls.map((c) => faults(w, c)));
    const above = real
      .filter((m) => !controls.includes(m))
      .map((m) => {
        const change = median(workloads.map((w) => percentChange(control(w), faults(w, m))));
        const beats = workloads.filter((w) => faults(w, m) < control(w)).length;
        return `${m} ${describeChange(change)} (fewer on ${beats} of ${workloads.length})`;
      });
    out.push(
      `- Against the better control (${controls.join(' or ')}, whichever has fewer faults on the workload), ` +
        `median faults: ${above.join('; ')}.`,
    );
  }
  const medians = (col: string) => real.map((m) => `${m} ${formatNumber(medianOf(m, col))}`).join(', ');
  out.push(
    '- What it costs, medians over the workloads: ' +
      `wasted prefetches (sent, never touched) ${medians('wastedPrefetches')}; ` +
      `late prefetches ${medians('latePrefetches')}.`,
  );
  return out;
}

/**
 * How much of the VM is touched after switchover, and whether that makes any page sent ahead useful: the share of
 * random-k's pages (sent without evidence) that were used, per workload. rows: one setting's runs with touchedShare
 * and accuracy; a workload's value is the mean over its seeds. One markdown bullet, opening with `setting`.
 */
export function pagesUsedFinding(rows: readonly Row[], setting: string): string {
  const workloads = [...new Set(rows.map((r) => String(r.workload)))];
  const meanOf = (w: string, col: string, where: Row = {}) => mean(columnValues(rows, col, { ...where, workload: w }));
  const touched = workloads.map((w) => meanOf(w, 'touchedShare'));
  const pct = (share: number) => `${formatNumber(100 * share)} %`;
  const head =
    `- ${setting}, after switchover the VM touches ${pct(Math.min(...touched))}–${pct(Math.max(...touched))} of its pages on ` +
    'these workloads';
  const blind = workloads.filter((w) => rows.some((r) => r.workload === w && r.method === 'random-k'));
  if (blind.length === 0) return `${head}.`;
  const used = new Map(blind.map((w) => [w, meanOf(w, 'accuracy', { method: 'random-k' })]));
  // fewer than half of the pages sent without evidence used: filling the k slots mostly wastes link time there
  const wasteful = blind.filter((w) => used.get(w)! < 0.5);
  const usedText =
    `of the pages random-k sends without evidence a median ${pct(median([...used.values()]))} are used ` +
    `(${blind.map((w) => `${w} ${pct(used.get(w)!)}`).join(', ')})`;
  if (wasteful.length === 0)
    return (
      `${head}, and ${usedText}, so almost any page sent ahead is used eventually: a predictor that always fills its ` +
      'k slots (bubbling searches outwards for unsent pages) cuts faults most, and the difference shows up as waste, ' +
      'late pages and link time instead.'
    );
  return (
    `${head}; ${usedText}. Not every page sent ahead is used eventually: on ${wasteful.join(', ')} fewer than half ` +
    'are, so a predictor that fills its k slots without evidence spends link time on pages the VM never touches there.'
  );
}

/** A migration setting to compare methods under: a name for rows and legends, and what it changes. */
export interface Setting {
  label: string;
  overrides: SimOverrides;
}

/**
 * Host work per network fault in the QEMU-like settings, us: userfaultfd wake-up, the request message and its
 * handling on both hosts. Peter Xu's postcopy-preempt measurements put most 4 KiB remote faults at 64-512 us on
 * a 10 Gbit/s link whose wire time is ~3 us (lore.kernel.org/qemu-devel/20220119080929.39485-1-peterx@redhat.com);
 * 100 us is the low end of that range once a LAN round trip is taken off.
 */
export const QEMU_FAULT_COST_US = 100;
/**
 * VM size in the QEMU-like settings: 1 GiB of 4 KiB pages, of which the traces touch 2-64 MiB (idle memory is pushed
 * too).
 */
export const QEMU_VM_PAGES = 2 ** 18;
/**
 * Share of the VM's pages that are all zero, sent as a header only (QEMU's `duplicate` pages). An assumption for a
 * mostly idle guest, not a measurement: notebooks say so where they use it.
 */
export const QEMU_ZERO_PAGE_SHARE = 0.5;

/** What makes a run QEMU-sized: the host cost per fault, a 1 GiB VM, zero pages as headers. */
const QEMU_HOST: SimOverrides = {
  faultCostUs: QEMU_FAULT_COST_US,
  vmPages: QEMU_VM_PAGES,
  zeroPageShare: QEMU_ZERO_PAGE_SHARE,
};

/**
 * The paper's setting (every page the VM needs comes by a fault or a prediction, no host cost, the VM is the
 * trace's footprint) and QEMU's post-copy on a 1 GiB guest (QEMU_HOST): the source pushes the rest in address
 * order, restarting after each faulted page, a faulted page queued behind the pushed ones (QEMU's default) or on
 * its own channel (postcopy-preempt).
 */
export const MIGRATION_SETTINGS: DeepReadonly<Setting[]> = deepFreeze([
  { label: 'paper: no push', overrides: { push: 'off' } },
  { label: 'QEMU: restart push', overrides: { ...QEMU_HOST, push: 'restart', network: { urgentChannel: false } } },
  {
    label: 'QEMU: restart push + preempt',
    overrides: { ...QEMU_HOST, push: 'restart', network: { urgentChannel: true } },
  },
]);

/**
 * QEMU's restart push with the host knobs of QEMU_HOST added one at a time, then all of them (= the setting
 * "QEMU: restart push"): shows which knob moves a result, since the zero share is an assumption.
 */
export const QEMU_KNOB_SETTINGS: DeepReadonly<Setting[]> = deepFreeze([
  { label: 'restart push alone', overrides: { push: 'restart' } },
  {
    label: `+ ${QEMU_FAULT_COST_US} µs host cost per fault`,
    overrides: { push: 'restart', faultCostUs: QEMU_FAULT_COST_US },
  },
  { label: '+ 1 GiB VM', overrides: { push: 'restart', vmPages: QEMU_VM_PAGES } },
  {
    label: `+ 1 GiB VM, ${QEMU_ZERO_PAGE_SHARE * 100} % zero pages`,
    overrides: { push: 'restart', vmPages: QEMU_VM_PAGES, zeroPageShare: QEMU_ZERO_PAGE_SHARE },
  },
  { label: `all: ${MIGRATION_SETTINGS[1].label}`, overrides: MIGRATION_SETTINGS[1].overrides },
]);

/** MIGRATION_SETTINGS in words, numbers from the constants, for a notebook's setup. */
export function settingsMarkdown(): string {
  return (
    `**Settings.** *${MIGRATION_SETTINGS[0].label}*: the paper's comparison, every page the VM needs comes by a fault or ` +
    `a prediction, no host cost, the VM is the trace's footprint. *${MIGRATION_SETTINGS[1].label}*: QEMU's post-copy on a ` +
    `${(QEMU_VM_PAGES * 4) / 2 ** 20} GiB guest (${QEMU_VM_PAGES.toLocaleString('en-US')} pages of 4 KiB, of which the traces touch a few MiB), ` +
    `${QEMU_ZERO_PAGE_SHARE * 100} % of its pages zero and sent as a header only (an assumption for a mostly idle guest), ` +
    `${QEMU_FAULT_COST_US} µs of host work per fault (the low end of QEMU's measured remote-fault latencies), the source pushing ` +
    `the rest in address order and restarting after each faulted page, which queues behind the pushed ones. ` +
    `*${MIGRATION_SETTINGS[2].label}*: the same with postcopy-preempt, faulted pages on their own channel.`
  );
}

/**
 * Notebook 01's workloads, on which `sweep faults` runs faultComparison by default: the distinct kinds with all
 * SYNTHETIC_SEEDS (strided and pointer-chase are sequential relabelled for these methods), then the real traces.
 */
export function faultWorkloads(): Workload[] {
  return allWorkloads({ kinds: DISTINCT_KINDS });
}

/** Every registered predictor but none, which each is compared with (notebook 04). */
export const PREFETCHING_PREDICTORS: readonly PredictorName[] = deepFreeze(PREDICTOR_NAMES.filter((p) => p !== 'none'));

/**
 * The workloads of notebooks 04 and 07, on which `sweep predictors`, `push` and `confidence` run by default: every
 * kind with NOTEBOOK_SEEDS (strided and pointer-chase too: spatial predictors and the push tell them apart), then the
 * real traces.
 */
export function comparisonWorkloads(): Workload[] {
  return allWorkloads({ seeds: NOTEBOOK_SEEDS });
}

/**
 * Notebook 04's sweep (`sweep predictors`): every prefetching predictor against plain post-copy in the paper's setting
 * and next to QEMU's restart push (the first two MIGRATION_SETTINGS). One row per (setting, workload, predictor).
 */
export function predictorSettingComparison(workloads: readonly Workload[], progress?: Progress): Row[] {
  const methods = PREFETCHING_PREDICTORS.map((p) => ({ label: p, predictor: p }));
  return settingComparison(workloads, MIGRATION_SETTINGS.slice(0, 2), methods, {}, progress);
}

/**
 * methodComparison under each setting (its overrides over the caller's): one row per (setting, workload,
 * method), changes measured against plain post-copy under the same setting.
 */
export function settingComparison(
  workloads: readonly Workload[],
  settings: readonly Setting[],
  methods: readonly Method[],
  overrides: SimOverrides = {},
  progress?: Progress,
): Row[] {
  const setups = settings.map((setting) => ({
    ...overrides,
    ...setting.overrides,
    network: { ...overrides.network, ...setting.overrides.network },
  }));
  const rows = methodComparisons(workloads, methods, setups, progress);
  return settings.flatMap((setting, n) => rows[n].map((row) => ({ setting: setting.label, ...row })));
}
