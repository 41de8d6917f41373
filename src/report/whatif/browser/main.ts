/**
 * The what-if page: knobs on the left, every metric of each selected method (table and bars) and a
 * curve over k or bandwidth on the right. Every change goes to the worker (worker.ts) as one 'run'; the
 * page shows "computing" until the answer comes and then the time it took. The URL hash holds the settings.
 */
import type { MigrationResult } from '../../../migration/types';
import { MIGRATION_MODES, PUSH_POLICIES } from '../../../migration/config';
import type { OptionSpec } from '../../../prefetch/options';
import { declaredOptions, PREDICTOR_NAMES, readsK } from '../../../prefetch/registry';
import type { PredictorName } from '../../../prefetch/types';
import { quoted } from '../../../errors';
import { colorFor } from '../../colors';
import type { CurvePoint } from '../compute';
import {
  CURVE_AXES,
  KNOB_BOUNDS,
  boundsText,
  numberIn,
  type NumberBounds,
  PAGE_SIZES,
  effectiveMethods,
  equivalentCommand,
  type CommandTrace,
  hasPrecopyRounds,
  settingsFromHash,
  settingsToHash,
  type WhatifSettings,
} from '../settings';
import type { FromWorker, ToWorker, TraceSource } from '../protocol';
import type { WhatifPageData } from '../page';

interface PlotlyLike {
  react(root: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
}
let plotly: Promise<PlotlyLike> | undefined;

/**
 * Draws with Plotly, loaded (plotlyScriptTag's `pclLoadPlotly`) at the first plot once the numbers above it are
 * painted: evaluating plotly is one long task of the page's thread, which the workers' start waits for (the page's
 * thread starts them), and so would the first table.
 */
function drawWithPlotly(draw: (Plotly: PlotlyLike) => unknown): void {
  plotly ??= new Promise<void>((painted) => requestAnimationFrame(() => setTimeout(painted))).then(() =>
    (window as unknown as { pclLoadPlotly(): Promise<PlotlyLike> }).pclLoadPlotly(),
  );
  void plotly.then(draw);
}

const data = JSON.parse(document.getElementById('pcl-whatif-data')!.textContent!) as WhatifPageData;
const workerUrl = URL.createObjectURL(
  new Blob([document.getElementById('pcl-whatif-worker')!.textContent!], { type: 'text/javascript' }),
);
/** One worker computes the table, the other the curve, so a knob change never waits behind a curve. */
const workers = { results: new Worker(workerUrl), curve: new Worker(workerUrl) };

/** Sends a trace to both workers: the curve's gets a copy of the bytes, the table's the original (transferred). */
function load(id: string, source: TraceSource): void {
  const copy = source.kind === 'file' ? { ...source, bytes: source.bytes.slice() } : source;
  workers.curve.postMessage({ type: 'load', id, source: copy } satisfies ToWorker);
  const moved = source.kind === 'file' ? [source.bytes.buffer] : [];
  workers.results.postMessage({ type: 'load', id, source } satisfies ToWorker, moved);
}

/**
 * Workloads by name: the bundled ones (fresh bytes at each load), then files the reader dropped; `command` is how
 * the "same as" command line gets the same trace.
 */
const workloads = new Map<string, { id: string; command: CommandTrace; source?: () => TraceSource }>();
for (const [i, w] of data.workloads.entries()) {
  const source = (): TraceSource =>
    w.generated
      ? { kind: 'generated', name: w.name, generator: w.generated.kind, options: w.generated.options }
      : { kind: 'file', name: `${w.name}.pctrace.gz`, bytes: base64Bytes(w.gzipBase64 ?? '') };
  const command = w.generated
    ? { generator: w.generated.kind, options: w.generated.options }
    : { file: w.file ?? w.name };
  workloads.set(w.name, { id: `bundled:${i}`, command, source });
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The link's values the page could not take (settingsFromHash), each `key=value`. */
const ignoredInLink: string[] = [];
let settings = settingsFromHash(location.hash, data.initial, ignoredInLink);
/**
 * What the first results say when the link names a workload this page has not got (a file dropped on the page
 * where the link was made: files are not kept) or values it cannot take, so that the numbers shown are not taken
 * for the link's.
 */
const openingNotes: string[] = [];
if (!workloads.has(settings.workload)) {
  const fallback = data.workloads[0].name;
  if (settings.workload !== '')
    openingNotes.push(
      `the link's workload "${settings.workload}" is not on this page (a dropped file is not kept in a link): ` +
        `showing ${fallback}; drop the file again to see it`,
    );
  settings.workload = fallback;
}
if (ignoredInLink.length > 0)
  openingNotes.push(
    `the link's ${ignoredInLink.map(quoted).join(', ')} cannot be used, so ` +
      `${ignoredInLink.length === 1 ? 'it is' : 'they are'} left out`,
  );
let openingNote = openingNotes.join('; ');

/** "1 method", "4 methods". */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Times print with 3 decimals, as `postcopy-lab simulate` prints them. */
const isMs = (field: string) => field.endsWith('Ms');

// ---- DOM helpers -------------------------------------------------------------------------------------------

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function field(label: string, ...controls: Node[]): HTMLElement {
  return element('label', { class: 'knob' }, element('span', {}, label), ...controls);
}

function select(
  key: string,
  label: string,
  choices: readonly string[],
  value: string,
  onChange: (value: string) => void,
): HTMLElement {
  const control = element('select', { 'data-knob': key }, ...choices.map((c) => element('option', { value: c }, c)));
  control.value = value;
  control.addEventListener('change', () => onChange(control.value));
  return field(label, control);
}

/** Where a knob's slider moves (a part of what its box takes); `log` sliders move in powers of ten. */
interface SliderRange {
  min: number;
  max: number;
  step: number;
  log?: boolean;
}

/**
 * A number box for one continuous value, with a slider kept in step unless `slider` is undefined (knobs whose 0
 * means "off" or "the trace's"). The box takes every value of `bounds`, the slider moves over a practical part.
 */
function numberKnob(
  key: string,
  label: string,
  value: number,
  bounds: NumberBounds,
  slider: SliderRange | undefined,
  onChange: (v: number) => void,
): HTMLElement {
  const box = element('input', {
    type: 'number',
    'data-knob': key,
    min: String(bounds.orZero ? 0 : bounds.min),
    max: String(bounds.max),
    step: bounds.whole ? '1' : 'any',
  });
  box.value = String(value);
  const range =
    slider &&
    sliderOf(key, value, slider, (v) => {
      box.value = String(v);
      onChange(v);
    });
  box.addEventListener('change', () => {
    const v = numberIn(bounds, box.value);
    if (v === undefined) {
      // what the reader typed: a box holding no number ("1e", "-") gives '' as its value, as an empty one does
      const got = box.validity.badInput
        ? ': what the box holds is not a number'
        : box.value === ''
          ? ': the box is empty'
          : `, got ${quoted(box.value)}`;
      showError(`${label} must be ${boundsText(bounds)}${got}`);
      return;
    }
    range?.show(v);
    onChange(v);
  });
  return range ? field(label, range.input, box) : field(label, box);
}

/** A slider over `o` showing `value` (pinned at an end when outside), calling `onMove` with the value it moves to. */
function sliderOf(key: string, value: number, o: SliderRange, onMove: (v: number) => void) {
  const toSlider = (v: number) => (o.log ? Math.log10(Math.max(v, o.min)) : v);
  // three digits along a log slider, whole numbers where the step is (k, rounds, speeds)
  const fromSlider = (s: number) => {
    if (!o.log) return Math.round(s / o.step) * o.step;
    const v = Number((10 ** s).toPrecision(3));
    return o.step >= 1 ? Math.round(v) : v;
  };
  const input = element('input', {
    type: 'range',
    'data-knob': `${key}-slider`,
    min: String(toSlider(o.min)),
    max: String(toSlider(o.max)),
    step: o.log ? 'any' : String(o.step),
  });
  const show = (v: number) => {
    input.value = String(toSlider(v));
  };
  show(value);
  input.addEventListener('input', () => onMove(Number(fromSlider(Number(input.value)).toPrecision(12))));
  return { input, show };
}

/** The knob of a setting bounded like its command-line flag (KNOB_BOUNDS): a box, and `slider` if given. */
function boundedKnob(key: keyof typeof KNOB_BOUNDS, label: string, slider?: SliderRange): HTMLElement {
  return numberKnob(key, label, settings[key], KNOB_BOUNDS[key], slider, (v) => update({ [key]: v }));
}

/** A text box that applies its value when it changes (Enter or leaving the box). */
function textKnob(key: string, label: string, value: string, onChange: (v: string) => void): HTMLElement {
  const box = element('input', { type: 'text', 'data-knob': key });
  box.value = value;
  box.addEventListener('change', () => onChange(box.value));
  return field(label, box);
}

/**
 * The knob of one predictor option, built from its declaration in the predictor's file (kind, bounds,
 * default, help), so a new predictor's options appear here by themselves.
 */
function optionKnob(name: string, spec: OptionSpec, label: string): HTMLElement {
  const current = settings.options[name] ?? spec.default;
  const set = (value: string | number) => update({ options: { ...settings.options, [name]: value } });
  const key = `option-${name}`;
  switch (spec.kind) {
    case 'choice':
      return select(key, label, spec.choices, String(current), set);
    case 'text':
      return textKnob(key, label, String(current), set);
    case 'whole':
    case 'number': {
      const whole = spec.kind === 'whole';
      const log = spec.min > 0 && spec.max / spec.min > 1000;
      const step = whole ? 1 : (spec.max - spec.min) / 100;
      return numberKnob(key, label, Number(current), { ...spec, whole }, { ...spec, step, log }, set);
    }
  }
}

// ---- layout ------------------------------------------------------------------------------------------------

const root = document.getElementById('pcl-whatif')!;
const status = element('div', { class: 'status', 'data-status': '' });
const errorLine = element('div', { class: 'error', 'data-error': '' });
const equivalent = element('code', { class: 'equivalent' });
const table = element('table', { class: 'pcl-table', 'data-results': '' });
const metricChoice = element('select', { 'data-knob': 'bar-metric' });
const bars = element('div', { class: 'plot' });
const curveStatus = element('div', { class: 'status', 'data-curve-status': '' });
const curve = element('div', { class: 'plot' });
const workloadSelect = element('select', { 'data-knob': 'workload' });
const fileInput = element('input', { type: 'file', 'data-knob': 'file' });

function workloadOptions(): void {
  workloadSelect.replaceChildren(...[...workloads.keys()].map((name) => element('option', { value: name }, name)));
  workloadSelect.value = settings.workload;
}
workloadOptions();
workloadSelect.addEventListener('change', () => update({ workload: workloadSelect.value }));
fileInput.addEventListener('change', () => {
  if (fileInput.files?.[0]) void openFile(fileInput.files[0]);
});

const methodBoxes = element(
  'div',
  { class: 'methods' },
  ...PREDICTOR_NAMES.map((name) => {
    const box = element('input', { type: 'checkbox', 'data-method': name });
    box.checked = settings.methods.includes(name);
    box.addEventListener('change', () => {
      const chosen = [...methodBoxes.querySelectorAll<HTMLInputElement>('input:checked')].map(
        (b) => b.dataset.method as PredictorName,
      );
      update({ methods: PREDICTOR_NAMES.filter((n) => chosen.includes(n)) });
    });
    return element('label', { class: 'method' }, box, name);
  }),
);

const urgent = element('input', { type: 'checkbox', 'data-knob': 'urgentChannel' });
urgent.checked = settings.urgentChannel;
urgent.addEventListener('change', () => update({ urgentChannel: urgent.checked }));

const knobs = element(
  'div',
  { class: 'knobs' },
  field('workload', workloadSelect),
  field('or a trace file (text, .pctrace, optionally .gz); or drop one on the page', fileInput),
  select('mode', 'migration mode', MIGRATION_MODES, settings.mode, (mode) =>
    update({ mode: mode as WhatifSettings['mode'] }),
  ),
  boundedKnob('switchoverPercent', 'switchover (% of the accesses ran on the source)', { min: 0, max: 99, step: 1 }),
  boundedKnob('bandwidthGbps', 'bandwidth (Gbit/s)', { min: 0.01, max: 400, step: 0.01, log: true }),
  boundedKnob('rttUs', 'round trip (µs)', { min: 1, max: 100000, step: 1, log: true }),
  boundedKnob('zeroShare', 'share of zero pages (sent as a header only)', { min: 0, max: 1, step: 0.01 }),
  boundedKnob('vmPages', "VM size in pages (0: the trace's, its largest page + 1)"),
  select(
    'pageSize',
    "page size in bytes (0: the trace's)",
    ['0', ...PAGE_SIZES.map(String)],
    String(settings.pageSize),
    (size) => update({ pageSize: Number(size) }),
  ),
  boundedKnob('instructionsPerSecond', 'VM speed (trace instructions per second)', {
    ...KNOB_BOUNDS.instructionsPerSecond,
    step: 1,
    log: true,
  }),
  select('curve', 'curve over', CURVE_AXES, settings.curve, (c) => update({ curve: c as WhatifSettings['curve'] })),
);

/** What only matters while pre-copy rounds run: dimmed in post-copy mode, which has none. */
const precopyRounds = element(
  'div',
  { class: 'precopy-rounds' },
  element('h2', {}, 'live rounds before switchover (pre-copy, hybrid)'),
  boundedKnob('precopyRounds', 'at most this many pre-copy rounds', {
    ...KNOB_BOUNDS.precopyRounds,
    step: 1,
    log: true,
  }),
  boundedKnob('precopyStopPages', 'stop and copy once at most this many pages are dirty'),
);

/** What only matters once pages fault after switchover: dimmed in pre-copy mode, as the CLI refuses it there. */
const afterSwitchover = element(
  'div',
  { class: 'after-switchover' },
  element('h2', {}, 'after switchover (post-copy, hybrid)'),
  element('div', { class: 'knob' }, element('span', {}, 'methods'), methodBoxes),
  boundedKnob('k', 'pages sent with each faulted page (k)', { min: 0, max: 256, step: 1 }),
  select('push', 'background push', PUSH_POLICIES, settings.push, (push) =>
    update({ push: push as WhatifSettings['push'] }),
  ),
  field('urgent channel for faulted pages (QEMU postcopy-preempt)', urgent),
  boundedKnob('faultCostUs', 'host time per network fault (µs)', { min: 0, max: 10000, step: 1 }),
  boundedKnob(
    'rateWindowMs',
    'rate window (ms; QEMU meters the bandwidth over 100; 0: off): slows a link whose peak is above the bandwidth',
  ),
);
const peakKnob = boundedKnob('peakBandwidthGbps', "link speed inside a window (Gbit/s; 0: the bandwidth's)");
afterSwitchover.append(peakKnob);

/** Predictor options, each shown while a method that declares it is selected. */
const optionKnobs = declaredOptions().map(({ name, spec, predictors, otherDefaults }) => {
  const others = otherDefaults.map(({ predictor, value }) => `, ${predictor} ${value}`).join('');
  const knob = optionKnob(
    name,
    spec,
    `${name} (${predictors.join(', ')}): ${spec.help}; default ${spec.default}${others}`,
  );
  return { knob, predictors };
});
afterSwitchover.append(element('h2', {}, 'predictor options'), ...optionKnobs.map((o) => o.knob));

/** Options of the selected methods only; everything after switchover dimmed in pre-copy mode. */
function showKnobs(): void {
  for (const { knob, predictors } of optionKnobs) knob.hidden = !predictors.some((p) => settings.methods.includes(p));
  afterSwitchover.classList.toggle('inactive', settings.mode === 'precopy');
  precopyRounds.classList.toggle('inactive', !hasPrecopyRounds(settings.mode));
  peakKnob.classList.toggle('inactive', settings.rateWindowMs === 0);
}

root.append(
  element('div', { class: 'side' }, knobs, precopyRounds, afterSwitchover),
  element(
    'div',
    { class: 'main' },
    status,
    errorLine,
    element('div', { class: 'equivalent-line' }, 'same as: ', equivalent),
    table,
    field('bars show', metricChoice),
    bars,
    curveStatus,
    curve,
  ),
);
metricChoice.addEventListener('change', drawBars);

// ---- state and worker --------------------------------------------------------------------------------------

let seq = 0;
let requestedAt = 0;
let shown: MigrationResult[] = [];
let curvePointsShown: CurvePoint[] = [];
const loaded = new Set<string>();

/** Applies a knob change and runs it; `startedAt` is when the reader acted (a dropped file counts its reading). */
function update(patch: Partial<WhatifSettings>, startedAt = performance.now(), force = false): void {
  const hash = `#${settingsToHash({ ...settings, ...patch })}`;
  // a knob set back to its value (a number box left without a change) is not a new run
  if (hash === location.hash && !force) return;
  settings = { ...settings, ...patch };
  showKnobs();
  history.replaceState(null, '', hash);
  run(startedAt);
}

function run(startedAt: number): void {
  seq++;
  const methods = effectiveMethods(settings);
  // nothing to simulate, and `compare --prefetchers` naming none is no command: say what to do instead
  if (methods.length === 0) return refused('no method is ticked: tick at least one to compare', true);
  const workload = workloads.get(settings.workload)!;
  if (!loaded.has(workload.id) && workload.source) {
    load(workload.id, workload.source());
    loaded.add(workload.id);
  }
  requestedAt = startedAt;
  curvePointsShown = [];
  root.dataset.state = 'computing';
  status.textContent = `computing ${count(methods.length, 'method')} on ${settings.workload} …`;
  curveStatus.textContent = 'curve: waiting …';
  equivalent.textContent = equivalentCommand(settings, workload.command);
  shownRun = { seq, traceId: workload.id, settings };
  workers.results.postMessage({ type: 'run', part: 'results', ...shownRun } satisfies ToWorker);
}

/** The run being shown; its curve starts once its table is on screen, so the table has both cores until then. */
let shownRun: { seq: number; traceId: string; settings: WhatifSettings } | undefined;

/** A setting that cannot run: why, and the results and curve on screen said to be the previous setting's. */
function refused(message: string, settingRefused: boolean): void {
  root.dataset.state = 'error';
  status.textContent = shown.length ? 'the results below are from the previous setting' : '';
  // a setting that failed gets no curve: the one drawn is the previous setting's, not one on its way
  if (settingRefused) curveStatus.textContent = shown.length ? 'curve: from the previous setting' : '';
  showError(message);
}

function showError(message: string): void {
  errorLine.textContent = message;
}

workers.curve.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === 'curve' && message.seq === seq) {
    curvePointsShown.push(...message.points);
    curveStatus.textContent = message.done
      ? `curve over ${settings.curve} in ${message.ms.toFixed(0)} ms`
      : `curve: computing … (${message.ms.toFixed(0)} ms so far)`;
    if (message.done) root.dataset.curve = String(seq);
    drawCurve();
  }
  // the table's worker reports the same errors
};

workers.results.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'loaded':
      fileLoaded(message.id, message.accesses);
      break;
    case 'results':
      if (message.seq !== seq) return;
      if (!message.done) {
        // the opening table fills method by method (PPM alone takes most of the time); a later run's table shows
        // whole, the one on screen staying until then
        if (shown.length === 0) drawTable(message.results);
        return;
      }
      workers.curve.postMessage({ type: 'run', part: 'curve', ...shownRun! } satisfies ToWorker);
      shown = message.results;
      errorLine.textContent = openingNote;
      openingNote = '';
      drawTable(shown);
      metricOptions();
      drawBars();
      // the time from the knob to the table on screen (the bars follow as plotly draws them)
      root.dataset.rerunMs = (performance.now() - requestedAt).toFixed(1);
      root.dataset.state = 'done';
      root.dataset.runs = String(Number(root.dataset.runs ?? 0) + 1);
      status.textContent =
        `${count(shown.length, 'method')} on ${settings.workload} in ${root.dataset.rerunMs} ms ` +
        `(simulation ${message.ms.toFixed(1)} ms in the worker)`;
      break;
    case 'error':
      if (message.seq !== undefined && message.seq !== seq) return;
      if (message.id !== undefined) {
        loaded.delete(message.id);
        pendingFiles.delete(message.id);
        droppedAt.delete(message.id);
      }
      refused(message.message, message.seq !== undefined);
      break;
  }
};

// ---- dropped and picked files ------------------------------------------------------------------------------

let fileCount = 0;
/** Files sent to the worker and not yet decoded: their names, and when the reader dropped or picked them. */
const pendingFiles = new Map<string, string>();
const droppedAt = new Map<string, number>();

async function openFile(file: File): Promise<void> {
  const id = `file:${++fileCount}`;
  droppedAt.set(id, performance.now());
  const bytes = new Uint8Array(await file.arrayBuffer());
  pendingFiles.set(id, file.name);
  root.dataset.state = 'computing';
  status.textContent = `reading ${file.name} (${(file.size / 1e6).toFixed(1)} MB) …`;
  load(id, { kind: 'file', name: file.name, bytes });
}

function fileLoaded(id: string, accesses: number): void {
  const fileName = pendingFiles.get(id);
  if (fileName === undefined) return;
  // a file named like a bundled workload (sqlite) or like one dropped before would hide it: it gets "NAME (2)"
  let name = fileName;
  for (let copy = 2; workloads.has(name); copy++) name = `${fileName} (${copy})`;
  pendingFiles.delete(id);
  loaded.add(id);
  workloads.set(name, { id, command: { file: fileName } });
  workloadOptions();
  status.textContent = `${name}: ${accesses} accesses`;
  update({ workload: name }, droppedAt.get(id), true);
  droppedAt.delete(id);
  workloadSelect.value = name;
}

document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  const file = event.dataTransfer?.files[0];
  if (file) void openFile(file);
});

// ---- output ------------------------------------------------------------------------------------------------

function formatValue(field: string, value: number | string): string {
  return typeof value === 'number' && isMs(field) ? value.toFixed(3) : String(value);
}

/** Every numeric field of the results but k (a knob, not an outcome). */
function numericFields(): (keyof MigrationResult)[] {
  const first = shown[0];
  return first
    ? (Object.keys(first) as (keyof MigrationResult)[]).filter((f) => typeof first[f] === 'number' && f !== 'k')
    : [];
}

const ALL_METRICS = 'all metrics';

/** The bars offer every metric at once (each as a share of the largest method) or one metric in its own unit. */
function metricOptions(): void {
  const chosen = metricChoice.value;
  const choices = [ALL_METRICS, ...numericFields()];
  metricChoice.replaceChildren(...choices.map((m) => element('option', { value: m }, m)));
  metricChoice.value = choices.includes(chosen) ? chosen : ALL_METRICS;
}

/** One row per metric, one column per method, as `postcopy-lab compare` prints them. */
function drawTable(results: readonly MigrationResult[]): void {
  const head = element('tr', {}, element('th', {}, 'metric'), ...results.map((r) => element('th', {}, r.predictor)));
  const rows = (Object.keys(results[0] ?? {}) as (keyof MigrationResult)[]).map((f) =>
    element('tr', {}, element('th', {}, f), ...results.map((r) => resultCell(r, f))),
  );
  table.replaceChildren(element('thead', {}, head), element('tbody', {}, ...rows));
}

/**
 * One method's value of one field, exact in `data-value`; none's k is no value: none reads no k, and the "same as"
 * command gives none alone no --k (its own row then shows the simulator's default), so the knob's k is not its.
 */
function resultCell(r: MigrationResult, f: keyof MigrationResult): HTMLElement {
  const at = { 'data-method': r.predictor, 'data-field': f };
  if (f === 'k' && !readsK(r.predictor))
    return element('td', { ...at, title: `${r.predictor} sends no page with a fault: it reads no k` }, '–');
  return element('td', { ...at, 'data-value': JSON.stringify(r[f]) }, formatValue(f, r[f]));
}

/**
 * Bars of one metric in its unit, or of every metric that differs between the methods side by side: each
 * metric's bars as a share of the largest method's value (units differ), the value itself on hover.
 */
function drawBars(): void {
  const metric = metricChoice.value;
  const config = { displaylogo: false, responsive: true };
  if (metric !== ALL_METRICS) {
    const names = shown.map((r) => r.predictor);
    const y = shown.map((r) => r[metric as keyof MigrationResult]);
    const trace = { type: 'bar', x: names, y, marker: { color: names.map(colorFor) } };
    const layout = { yaxis: { title: { text: metric }, rangemode: 'tozero' }, margin: { t: 20 }, height: 320 };
    drawWithPlotly((Plotly) => Plotly.react(bars, [trace], layout, config));
    return;
  }
  // fields equal for every method (accesses, VM size, often bytes) compare nothing: the table has them
  const fields = numericFields().filter((f) => shown.some((r) => r[f] !== shown[0][f]));
  const largest = fields.map((f) => Math.max(...shown.map((r) => Math.abs(r[f] as number))));
  const traces = shown.map((r) => ({
    type: 'bar',
    name: r.predictor,
    x: fields,
    y: fields.map((f, i) => (largest[i] === 0 ? 0 : (r[f] as number) / largest[i])),
    customdata: fields.map((f) => formatValue(f, r[f] as number)),
    hovertemplate: `${r.predictor} %{x}: %{customdata}<extra></extra>`,
    marker: { color: colorFor(r.predictor) },
  }));
  const layout = {
    barmode: 'group',
    yaxis: { title: { text: 'share of the largest method' }, range: [0, 1.05] },
    margin: { t: 20, b: 120 },
    height: 380,
  };
  drawWithPlotly((Plotly) => Plotly.react(bars, traces, layout, config));
}

function drawCurve(): void {
  const methods = [...new Set(curvePointsShown.map((p) => p.method))];
  const line = (method: string, metric: 'networkFaults' | 'stallMs', axis: string) => {
    const mine = curvePointsShown.filter((p) => p.method === method);
    return {
      type: 'scatter',
      mode: 'lines+markers',
      name: method,
      legendgroup: method,
      showlegend: metric === 'networkFaults',
      x: mine.map((p) => p.x),
      y: mine.map((p) => p[metric]),
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      line: { color: colorFor(method) },
    };
  };
  const xTitle = settings.curve === 'k' ? 'pages per fault k' : 'bandwidth (Gbit/s)';
  const xType = settings.curve === 'k' ? 'linear' : 'log';
  drawWithPlotly((Plotly) =>
    Plotly.react(
      curve,
      methods.flatMap((m) => [line(m, 'networkFaults', ''), line(m, 'stallMs', '2')]),
      {
        grid: { rows: 1, columns: 2, pattern: 'independent' },
        height: 340,
        margin: { t: 30 },
        xaxis: { title: { text: xTitle }, type: xType },
        xaxis2: { title: { text: xTitle }, type: xType },
        yaxis: { title: { text: 'network faults' }, rangemode: 'tozero' },
        yaxis2: { title: { text: 'stall (ms)' }, rangemode: 'tozero' },
      },
      { displaylogo: false, responsive: true },
    ),
  );
}

update({}, performance.now(), true);
