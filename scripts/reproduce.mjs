// npm run reproduce: executes every notebook in notebooks/ headless through the tslab kernel, writes
// each as a self-contained HTML report into reports/ and every figure as SVG and PNG into figures/.
// Notebooks are independent: as many run at once as there are cores (all in one Python process that
// drives their kernels), longest first by the last run's times, and each notebook's figures are rendered
// as soon as it is done, on one browser page (their bytes never depend on what it drew before); a figure
// whose spec, renderer and files are those figures/renders.json records is not drawn again.
import { readdirSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const USAGE = `usage: npm run reproduce [NAME...]
  runs every notebook in notebooks/ headless, or those whose file name contains a NAME (e.g. 05, migration-modes):
  HTML reports in reports/, figures as SVG and PNG in figures/ (npm's own --help needs npm run reproduce -- --help)`;
const args = process.argv.slice(2);
// before dist/ is checked and anything is installed: a name such as --help matched no notebook, after a long wait
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const option = args.find((arg) => arg.startsWith('-'));
if (option !== undefined) {
  console.error(`reproduce: unknown option ${option} (--help lists the usage)`);
  process.exit(2);
}
// an empty NAME (an unset shell variable, "$NB") is in every file name: it ran every notebook instead of the one meant
if (args.some((arg) => arg.trim() === '')) {
  console.error(
    'reproduce: an empty NAME matches every notebook; give part of a notebook file name (none runs them all)',
  );
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'report', 'jupyter.js'))) {
  console.error('reproduce: dist/ is missing; run `npm ci` (or `npm run build`) first');
  process.exit(2);
}
const { ensurePrerequisites, executeNotebooks, registerKernel } = await import('../dist/report/jupyter.js');
const { figureSpecDir } = await import('../dist/report/notebook.js');
const { launchChromium, plotlyPage, readFigureSpecs, readFigureSpecTree, renderFigures, figureIndex, staleImages } =
  await import('../dist/report/export.js');
const { kernelUnits, plannedSweepWorkers } = await import('../dist/report/notebook-plan.js');
const { RenderCache, RENDERS_FILE } = await import('../dist/report/render-cache.js');
const { writeFileAtomic } = await import('../dist/util/atomic-write.js');
const { UserError } = await import('../dist/errors.js');
const { whatIfPageOptions, sweepWorkers, WORKERS_ENV, PROGRESS_ENV } = await import('../dist/experiments/index.js');
const { writeWhatifPage } = await import('../dist/report/whatif/page.js');

/** Seconds each notebook took in earlier runs: the longest start first, so that no long one runs alone at the end. */
const SECONDS_FILE = join(root, 'reports', 'notebook-seconds.json');
/**
 * The same, committed: a fresh clone has no reports/, and in name order the longest notebook (09) would
 * start last and run alone at the end. Only the order depends on it; the last run's times come first.
 */
const COMMITTED_SECONDS_FILE = join(root, 'notebooks', 'seconds.json');

/** A planning file's contents; none when it is missing or unreadable (only the order and kernels depend on it). */
function readPlan(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

const earlierSeconds = () => ({ ...readPlan(COMMITTED_SECONDS_FILE), ...readPlan(SECONDS_FILE) });

/**
 * Committed: groups of notebooks that run one after another in one kernel, because the later ones sweep jobs the
 * earlier ones ran and find their results kept there (DEVELOPERS.md, "Parallel sweeps and notebooks").
 */
const KERNELS_FILE = join(root, 'notebooks', 'kernels.json');
const together = () => {
  const groups = readPlan(KERNELS_FILE).together;
  return Array.isArray(groups) ? groups.filter(Array.isArray) : [];
};

const FIGURE_SPEC_DIR = figureSpecDir();
/** Where a notebook's figure specs go: a directory per notebook, so that its figures are known when it ends. */
const specDir = (name) => join(FIGURE_SPEC_DIR, name.replace(/\.ipynb$/, ''));

/**
 * Runs the notebooks, `slots` at once, a unit's (kernelUnits) in turn in one kernel and the units in the order given,
 * printing a line as each starts and ends and calling `onDone(name, run, idle)` (idle: every notebook has started, so
 * the slot that ran this one has nothing left to run); returns the runs by name. The first
 * failure stops the others and is thrown.
 * Each notebook's sweeps get the worker threads plannedSweepWorkers gives it by the earlier runs' `seconds`; a
 * setting of the caller's own (POSTCOPY_LAB_WORKERS) is kept: the kernels start with it and no notebook sets its own.
 */
async function executeAll(units, env, slots, seconds, onDone) {
  const names = units.flat();
  const workers = plannedSweepWorkers(units, seconds, slots, availableParallelism());
  let next = 0;
  const groups = units.map((unit) => unit.map(() => next++));
  const jobs = names.map((name, index) => ({
    notebook: join(root, 'notebooks', name),
    env: {
      ...(env[WORKERS_ENV] !== undefined ? {} : { [WORKERS_ENV]: String(workers[index]) }),
      PCL_FIGURE_SPEC_DIR: specDir(name),
    },
  }));
  const runs = new Map();
  let started = 0;
  await executeNotebooks(jobs, join(root, 'reports'), {
    slots,
    groups,
    env: {
      // reproduce prints its own progress; a sweep's (times, finishing order) would make reports differ per run
      [PROGRESS_ENV]: 'off',
      // no per-cell type check in the kernel (tslab patched, DEVELOPERS.md): npm test checks every cell's types
      TSLAB_TRANSPILE_ONLY: '1',
      ...env,
    },
    onStart: (index) => {
      started++;
      console.log(`  start ${names[index]}`);
    },
    onDone: (index, run) => {
      runs.set(names[index], run);
      console.log(
        `[${runs.size}/${names.length}] ${names[index]} ${run.seconds.toFixed(1)} s -> ${relative(root, run.html)}`,
      );
      onDone(names[index], run, started === names.length);
    },
  });
  return runs;
}

const started = Date.now();
// launched for the first figure to draw (at the start when none is recorded as drawn)
let browserLaunch;
const browser = () => {
  if (!browserLaunch) {
    browserLaunch = launchChromium();
    // the page figures are drawn on, plotly loaded, opened at once
    browserLaunch.then(plotlyPage).catch(() => {});
  }
  return browserLaunch;
};
const closeBrowser = async () => (await browserLaunch?.catch(() => undefined))?.close();
try {
  const notebooks = readdirSync(join(root, 'notebooks'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  const only = args;
  const selected = only.length ? notebooks.filter((n) => only.some((o) => n.includes(o))) : notebooks;
  if (selected.length === 0) throw new UserError(`no notebook in notebooks/ matches ${only.join(', ')}`);
  // the caller's POSTCOPY_LAB_WORKERS goes to every kernel: a bad one is one line here, not a notebook's failed cell
  sweepWorkers();
  // a misspelt name fails before Jupyter and Chromium are installed
  ensurePrerequisites();
  const env = registerKernel();
  // Figures come only from this run: stale specs of renamed figures must not be exported.
  if (only.length === 0) rmSync(FIGURE_SPEC_DIR, { recursive: true, force: true });
  for (const name of selected) rmSync(specDir(name), { recursive: true, force: true });
  const seconds = earlierSeconds();
  const units = kernelUnits(selected, seconds, together());
  const slots = Math.min(availableParallelism(), units.length);
  const figuresDir = join(root, 'figures');
  let rendering = Promise.resolve();
  let renderSeconds = 0;
  let drawn = 0;
  let unchanged = 0;
  const renderFiguresOf = (name) => {
    rendering = rendering.then(async () => {
      const figures = readFigureSpecs(specDir(name));
      const toDraw = figures.filter((figure) => !renders.isCurrent(figure));
      unchanged += figures.length - toDraw.length;
      if (toDraw.length === 0) return;
      const t = Date.now();
      await renderFigures(toDraw, figuresDir, await browser());
      for (const figure of toDraw) renders.record(figure);
      drawn += toDraw.length;
      renderSeconds += (Date.now() - t) / 1000;
      const kept = figures.length - toDraw.length;
      console.log(
        `  ${name}: ${toDraw.length} figure${toDraw.length === 1 ? '' : 's'} rendered to SVG and PNG` +
          (kept ? `, ${kept} unchanged` : ''),
      );
    });
    // a failure surfaces where the renderings are awaited, not as an unhandled rejection meanwhile
    rendering.catch(() => {});
  };
  let slotIdle;
  const idleSlot = new Promise((resolve) => (slotIdle = resolve));
  const running = executeAll(units, env, slots, seconds, (name, run, idle) => {
    renderFiguresOf(name);
    if (idle) slotIdle();
  });
  // a figure whose spec, renderer and files are those recorded is not drawn again (src/report/render-cache.ts); the
  // renderer's key asks Chromium for its version (0.1 s), so after the notebooks' Python side has been started
  // (renderFiguresOf runs once a notebook is done, so always after this)
  const renders = new RenderCache(figuresDir);
  if (renders.size === 0) browser().catch(() => {});
  // notebook 06's report links the live what-if page in this file; written (0.35 CPU s, it bundles the library) once
  // a slot has nothing left to run, on the core it leaves idle (at the start every core has work: Python's imports and
  // the kernels' start-up)
  const whatif = join(root, 'reports', 'whatif.html');
  await Promise.race([idleSlot, running]);
  writeWhatifPage(whatif, whatIfPageOptions());
  const runs = await running;
  await rendering;
  for (const [name, run] of runs) seconds[name] = Math.round(run.seconds * 10) / 10;
  const byName = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileAtomic(SECONDS_FILE, `${JSON.stringify(byName, null, 1)}\n`);
  const reports = selected.map((name) => runs.get(name).html);
  reports.push(whatif);
  const all = readFigureSpecTree(FIGURE_SPEC_DIR);
  const index = join(root, 'figures', 'README.md');
  // a run of some notebooks keeps the other notebooks' lines (a fresh checkout has no specs of theirs)
  const earlier = only.length && existsSync(index) ? readFileSync(index, 'utf8') : undefined;
  writeFileAtomic(index, figureIndex(all, earlier));
  // A full run knows every figure: images of figures no notebook draws any more are stale.
  const stale = only.length
    ? []
    : staleImages(
        join(root, 'figures'),
        all.map((f) => f.name),
      );
  for (const file of stale) rmSync(join(root, 'figures', file));
  if (stale.length) console.log(`Removed ${stale.length} stale images: ${stale.join(', ')}`);
  if (only.length === 0) renders.keepOnly(all.map((f) => f.name));
  renders.write();
  console.log(
    `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${reports.length} HTML reports in reports/; ` +
      `${drawn} figures rendered to SVG and PNG in figures/ (${renderSeconds.toFixed(1)} s of rendering while ` +
      `notebooks ran), ${unchanged} unchanged (${RENDERS_FILE}); index in figures/README.md.`,
  );
  for (const r of reports) console.log(`  ${relative(root, r)} (${(statSync(r).size / 1e6).toFixed(1)} MB)`);
  const large = reports.filter((r) => statSync(r).size > 5e6);
  if (large.length)
    console.log(`Warning: over 5 MB (a report should stay below): ${large.map((r) => relative(root, r)).join(', ')}`);
} catch (err) {
  console.log('');
  await closeBrowser();
  if (err instanceof UserError) {
    console.error(`reproduce: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
await closeBrowser();
