// npm run reproduce: executes every notebook in notebooks/ headless through the tslab kernel, writes
// each as a self-contained HTML report into reports/ and every figure as SVG and PNG into figures/.
import { readdirSync, rmSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
if (!existsSync(join(root, 'dist', 'report', 'jupyter.js'))) {
  console.error('reproduce: dist/ is missing; run `npm ci` (or `npm run build`) first');
  process.exit(2);
}
const { ensurePrerequisites, registerKernel, executeNotebook } = await import('../dist/report/jupyter.js');
const { FIGURE_SPEC_DIR } = await import('../dist/report/notebook.js');
const { readFigureSpecs, renderFigures, figureIndex, staleImages } = await import('../dist/report/export.js');
const { writeFileAtomic } = await import('../dist/util/atomic-write.js');
const { UserError } = await import('../dist/errors.js');
const { whatIfPageOptions } = await import('../dist/experiments/index.js');
const { writeWhatifPage } = await import('../dist/report/whatif/page.js');

const started = Date.now();
try {
  ensurePrerequisites();
  const env = registerKernel();
  const notebooks = readdirSync(join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort();
  const only = process.argv.slice(2);
  const selected = only.length ? notebooks.filter((n) => only.some((o) => n.includes(o))) : notebooks;
  // Figures come only from this run: stale specs of renamed figures must not be exported.
  if (only.length === 0) rmSync(FIGURE_SPEC_DIR, { recursive: true, force: true });
  const reports = [];
  for (const [i, name] of selected.entries()) {
    process.stdout.write(`[${i + 1}/${selected.length}] ${name} ... `);
    const run = executeNotebook(join(root, 'notebooks', name), join(root, 'reports'), env);
    console.log(`${run.seconds.toFixed(1)} s -> ${relative(root, run.html)}`);
    reports.push(run.html);
  }
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
  const stale = only.length ? [] : staleImages(join(root, 'figures'), all.map((f) => f.name));
  for (const file of stale) rmSync(join(root, 'figures', file));
  console.log(`${((Date.now() - t) / 1000).toFixed(1)} s`);
  if (stale.length) console.log(`Removed ${stale.length} stale images: ${stale.join(', ')}`);
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${reports.length} HTML reports in reports/, ` +
    `${images.length} images (${figures.length} figures x SVG+PNG) in figures/, index in figures/README.md.`);
  for (const r of reports) console.log(`  ${relative(root, r)} (${(statSync(r).size / 1e6).toFixed(1)} MB)`);
  const large = reports.filter((r) => statSync(r).size > 5e6);
  if (large.length) console.log(`Warning: over 5 MB (a report should stay below): ${large.map((r) => relative(root, r)).join(', ')}`);
} catch (err) {
  console.log('');
  if (err instanceof UserError) {
    console.error(`reproduce: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
