/**
 * End to end: a small notebook runs through the real tslab kernel (headless nbconvert), its HTML holds
 * a value the library computed and a plotly figure, and that figure renders in headless Chromium.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateTrace, traceStats } from '../../src/trace';
import { ensurePrerequisites, executeNotebooks, KERNEL_NODE_FLAGS, registerKernel } from '../../src/report/jupyter';
import { launchChromium } from '../../src/report/export';
import { UserError } from '../../src/errors';
import { tempDir } from '../temp-dir';

let html = '';
let htmlPath = '';
/** Made here, not in before(): there tempDir's removal would run as the hook ends. */
const out = tempDir('pcl-e2e');

before(async () => {
  ensurePrerequisites();
  const env = { PCL_FIGURE_SPEC_DIR: join(out, 'figure-specs') };
  const [run] = await executeNotebooks([{ notebook: join(__dirname, '..', 'fixtures', 'smoke.ipynb'), env }], out);
  htmlPath = run.html;
  html = readFileSync(htmlPath, 'utf8');
});

test('the executed notebook shows the value the library computes', () => {
  const expected = traceStats(generateTrace('zipf', { seed: 'smoke', accesses: 5000, pages: 512 })).distinctPages;
  assert.ok(expected > 0);
  assert.match(html, new RegExp(`smoke-distinct-pages: ${expected}\\b`));
});

test('the report inlines plotly once, holds the figure and stays under 5 MB', () => {
  assert.equal(html.match(/<script[^>]*data-pcl-plotly/g)?.length, 1, 'plotly.js inlined exactly once');
  assert.ok(Buffer.byteLength(html) <= 5e6, `report of ${Buffer.byteLength(html)} bytes`);
  assert.match(html, /Plotly\.newPlot\("pcl-smoke-histogram/);
  assert.doesNotMatch(html, /<script[^>]*src="(file|https?):/, 'no external scripts: the report is self-contained');
});

test('the figure spec is saved for export where the caller pointed it', () => {
  const spec = JSON.parse(readFileSync(join(out, 'figure-specs', 'smoke-histogram.json'), 'utf8'));
  assert.equal(spec.name, 'smoke-histogram');
  assert.equal(spec.data[0].y.length, 16);
});

test('a failing notebook is reported with its name, the failing cell and its exception', async () => {
  await assert.rejects(
    executeNotebooks([{ notebook: join(__dirname, '..', 'fixtures', 'broken.ipynb') }], out),
    (err: Error) => {
      assert.match(err.message, /^notebook broken\.ipynb failed in code cell 2:/);
      assert.match(err.message, /loadTrace\('\/nonexistent\/missing\.trace'\)/);
      assert.match(err.message, /UserError: \/nonexistent\/missing\.trace: no such file/);
      return true;
    },
  );
  assert.deepEqual(
    readdirSync(out).filter((f) => f.startsWith('broken')),
    [],
    'no report is written for a failed notebook',
  );
});

test('a kernel runs its next notebook as a new kernel would, and the report comes out the same', async () => {
  const fixture = (name: string) => join(__dirname, '..', 'fixtures', name);
  const specs = (dir: string) => ({ PCL_FIGURE_SPEC_DIR: join(out, dir) });
  // as npm run reproduce runs them: untyped, so that notebook b may name a value only notebook a declared
  const env = { ...registerKernel(), TSLAB_TRANSPILE_ONLY: '1' };
  const [reused, [alone]] = await Promise.all([
    executeNotebooks(
      [
        { notebook: fixture('kernel-state-a.ipynb'), env: { PCL_NOTEBOOK: 'a', ...specs('specs-a') } },
        { notebook: fixture('kernel-state-b.ipynb'), env: { PCL_NOTEBOOK: 'b' } },
        { notebook: fixture('smoke.ipynb'), env: specs('specs-reused') },
      ],
      join(out, 'reused'),
      { slots: 1, env },
    ),
    executeNotebooks([{ notebook: fixture('smoke.ipynb'), env: specs('specs-alone') }], join(out, 'alone'), { env }),
  ]);
  // the printed lines only: a failing match would print the whole 2.5 MB report
  const [a, b] = reused.map((run) => readFileSync(run.html, 'utf8'));
  const kernel = a.match(/kernel (\d+), notebook a/)?.[1];
  assert.ok(kernel, 'notebook a printed its kernel');
  assert.equal(b.match(/kernel \d+, notebook \w+/)?.[0], `kernel ${kernel}, notebook b`, "b runs in a's kernel");
  assert.equal(
    b.match(/leftover: \w+, PCL_LEFTOVER: [^<\n]*/)?.[0],
    `leftover: undefined, PCL_LEFTOVER: unset, random: native, cwd: ${fixture('')}`,
  );
  // smoke's figure id counts from 1 after a's figure too, and nothing else tells the two reports apart
  const [after, first] = [readFileSync(reused[2].html, 'utf8'), readFileSync(alone.html, 'utf8')];
  if (after !== first) {
    const at = [...first].findIndex((c, i) => after[i] !== c);
    assert.fail(`smoke's report after other notebooks differs at: ${after.slice(at, at + 80)}`);
  }
  assert.match(first, /Plotly\.newPlot\("pcl-smoke-histogram-1"/);
});

test('an error after a notebook ran (its report unwritable) is one line, and no kernel lives on', async () => {
  const dir = tempDir('pcl-e2e-workdir');
  await assert.rejects(
    executeNotebooks(
      [{ notebook: join(__dirname, '..', 'fixtures', 'remove-work-dir.ipynb'), env: { PCL_OUT_DIR: dir } }],
      dir,
    ),
    (err: Error) =>
      err instanceof UserError && /^executing notebooks failed: FileNotFoundError: [^\n]*$/.test(err.message),
  );
  // an orphaned kernel would also hold the Python side's stderr, so that the run above never ended
  const pid = Number(readFileSync(join(dir, 'kernel.pid'), 'utf8'));
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
});

test("a group's notebooks run in one kernel, though another slot is free", async () => {
  const fixture = (name: string) => join(__dirname, '..', 'fixtures', name);
  const env = { ...registerKernel(), TSLAB_TRANSPILE_ONLY: '1' };
  const runs = await executeNotebooks(
    [
      { notebook: fixture('kernel-state-a.ipynb'), env: { PCL_NOTEBOOK: 'a', PCL_FIGURE_SPEC_DIR: join(out, 'g-a') } },
      { notebook: fixture('kernel-state-b.ipynb'), env: { PCL_NOTEBOOK: 'b' } },
    ],
    join(out, 'grouped'),
    { slots: 2, groups: [[0, 1]], env },
  );
  const [a, b] = runs.map((run) => readFileSync(run.html, 'utf8'));
  const kernel = a.match(/kernel (\d+), notebook a/)?.[1];
  assert.ok(kernel, 'notebook a printed its kernel');
  assert.equal(b.match(/kernel \d+, notebook \w+/)?.[0], `kernel ${kernel}, notebook b`, "b runs in a's kernel");
  assert.equal(
    a.match(/notebook a, flags ([^.<]*)\./)?.[1],
    KERNEL_NODE_FLAGS.join(' '),
    "the kernel's node runs with its flags",
  );
});

test('the figure renders in headless Chromium', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector('.pcl-figure .main-svg', { timeout: 30_000 });
    const bars = await page.locator('.pcl-figure .bars .point').count();
    assert.equal(bars, 16);
  } finally {
    await browser.close();
  }
});

test('a run whose Python side is killed leaves no kernel connection file in TMPDIR', async () => {
  const dir = tempDir('pcl-e2e-killed');
  const tmp = tempDir('pcl-e2e-tmp');
  const notebook = join(__dirname, '..', 'fixtures', 'kill-executor.ipynb');
  await assert.rejects(executeNotebooks([{ notebook }], dir, { env: { ...registerKernel(), TMPDIR: tmp } }));
  assert.deepEqual(readdirSync(tmp), []);
});
