// npm run reproduce: executes every notebook in notebooks/ headless through the tslab kernel, writes
// each as a self-contained HTML report into reports/ and every figure as SVG and PNG into figures/.
// Notebooks are independent: as many run at once as there are cores (each in its own thread, as
// nbconvert blocks), and figures are rendered once all are done, in name order, as before.
import { readdirSync, rmSync, existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
if (!existsSync(join(root, 'dist', 'report', 'jupyter.js'))) {
  console.error('reproduce: dist/ is missing; run `npm ci` (or `npm run build`) first');
  process.exit(2);
}
const { ensurePrerequisites, registerKernel } = await import('../dist/report/jupyter.js');
const { FIGURE_SPEC_DIR } = await import('../dist/report/notebook.js');
const { readFigureSpecs, renderFigures, figureIndex, staleImages } = await import('../dist/report/export.js');
const { writeFileAtomic } = await import('../dist/util/atomic-write.js');
const { UserError } = await import('../dist/errors.js');
const { whatIfPageOptions } = await import('../dist/experiments/index.js');
const { writeWhatifPage } = await import('../dist/report/whatif/page.js');

/**
 * Runs the notebooks in at most `cores` threads at once, printing a line as each starts and ends;
 * returns the runs in notebook order. The first failure stops the others and is thrown.
 */
function executeAll(names, env) {
  const slots = Math.min(availableParallelism(), names.length);
  if (slots === 0) return Promise.resolve([]);
  const runs = new Array(names.length);
  const workers = [];
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const stop = (err) => {
      for (const w of workers) void w.terminate();
      reject(err);
    };
    const startNext = (worker) => {
      if (next >= names.length) return void worker.terminate();
      const index = next++;
      console.log(`  start ${names[index]}`);
      worker.postMessage({
        index,
        notebook: join(root, 'notebooks', names[index]),
        outDir: join(root, 'reports'),
        env,
      });
    };
    for (let s = 0; s < slots; s++) {
      const worker = new Worker(new URL('./notebook-worker.mjs', import.meta.url));
      workers.push(worker);
      worker.on('error', stop);
      worker.on('message', (reply) => {
        if (reply.error !== undefined)
          return stop(reply.userError ? new UserError(reply.error) : new Error(reply.error));
        runs[reply.index] = reply.run;
        done++;
        console.log(
          `[${done}/${names.length}] ${names[reply.index]} ${reply.run.seconds.toFixed(1)} s -> ${relative(root, reply.run.html)}`,
        );
        if (done < names.length) return startNext(worker);
        // idle threads would keep the process alive
        for (const w of workers) void w.terminate();
        resolve(runs);
      });
      startNext(worker);
    }
  });
}

const started = Date.now();
try {
  ensurePrerequisites();
  const env = registerKernel();
  const notebooks = readdirSync(join(root, 'notebooks'))
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  const only = process.argv.slice(2);
  const selected = only.length ? notebooks.filter((n) => only.some((o) => n.includes(o))) : notebooks;
  // Figures come only from this run: stale specs of renamed figures must not be exported.
  if (only.length === 0) rmSync(FIGURE_SPEC_DIR, { recursive: true, force: true });
  const reports = (await executeAll(selected, env)).map((run) => run.html);
  // notebook 06's report shows the live what-if page from this file beside it
  const whatif = join(root, 'reports', 'whatif.html');
  writeWhatifPage(whatif, whatIfPageOptions());
  reports.push(whatif);
  const figures = readFigureSpecs(FIGURE_SPEC_DIR);
  process.stdout.write(`Rendering ${figures.length} figures to SVG and PNG ... `);
  const t = Date.now();
  const images = await renderFigures(figures, join(root, 'figures'));
  const all = readFigureSpecs(FIGURE_SPEC_DIR);
  writeFileAtomic(join(root, 'figures', 'README.md'), figureIndex(all));
  // A full run knows every figure: images of figures no notebook draws any more are stale.
  const stale = only.length
    ? []
    : staleImages(
        join(root, 'figures'),
        all.map((f) => f.name),
      );
  for (const file of stale) rmSync(join(root, 'figures', file));
  console.log(`${((Date.now() - t) / 1000).toFixed(1)} s`);
  if (stale.length) console.log(`Removed ${stale.length} stale images: ${stale.join(', ')}`);
  console.log(
    `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${reports.length} HTML reports in reports/, ` +
      `${images.length} images (${figures.length} figures x SVG+PNG) in figures/, index in figures/README.md.`,
  );
  for (const r of reports) console.log(`  ${relative(root, r)} (${(statSync(r).size / 1e6).toFixed(1)} MB)`);
  const large = reports.filter((r) => statSync(r).size > 5e6);
  if (large.length)
    console.log(`Warning: over 5 MB (a report should stay below): ${large.map((r) => relative(root, r)).join(', ')}`);
} catch (err) {
  console.log('');
  if (err instanceof UserError) {
    console.error(`reproduce: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
