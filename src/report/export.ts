/**
 * Renders saved figure specs to SVG and PNG with Plotly.toImage in headless Chromium (Debian's
 * chromium-headless-shell driven by playwright-core), and indexes them in figures/README.md.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { fileLabel, UserError } from '../errors';
import { removeWorkDir, workDirIn, writeFileAtomic } from '../util/atomic-write';
import { DEFAULT_FIGURE_HEIGHT, DEFAULT_FIGURE_WIDTH, plotlyBundle, type Figure } from './figure';

/**
 * Chromium's headless shell (Debian's chromium-headless-shell, the same engine as its chromium): the full browser's
 * headless mode starts a whole browser (a WebUI renderer among others) and took about 2 CPU s more for the figures.
 */
// set but empty is unset, as for POSTCOPY_LAB_WORKERS
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium-headless-shell';

/** Headless Chromium as launchChromium gives it: pages to draw on (newPage) and close(). */
export type Browser = BrowserContext;

/** Flags that keep headless Chromium off the (closed) network and independent of the user's profile. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium; fails with one line when it is not installed, or CHROMIUM_PATH names a directory or a
 * file it may not run (playwright's own error was 6 to 19 lines of launch log).
 */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH))
    throw new UserError(
      `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium-headless-shell, or set CHROMIUM_PATH)`,
    );
  try {
    if (!statSync(CHROMIUM_PATH).isFile()) throw new Error('not a file');
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new UserError(
      `Chromium at ${fileLabel(CHROMIUM_PATH)} is not a program this user may run (set CHROMIUM_PATH)`,
    );
  }
  const { chromium } = await import('playwright-core');
  // Its profile and artifacts in a directory of ours, named by this process's PID: playwright's own
  // (TMPDIR/playwright_chromiumdev_profile-XXXXXX, playwright-artifacts-XXXXXX, removed on close) stayed for ever
  // after a SIGKILL; a persistent context is the only launch that takes a profile directory.
  const dir = workDirIn(tmpdir(), 'postcopy-lab-chromium');
  // not removed on Ctrl-C as well: Chromium still runs then, and 1 of 3 such removals under load left it behind
  const removeDir = () => removeWorkDir(dir);
  try {
    const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      artifactsDir: join(dir, 'artifacts'),
    });
    // The context's 'close' comes before Chromium's process has ended, and Chromium writes its session storage on
    // the way out (1 close in 8 made profile/Default again after the removal): close() resolves once it has ended.
    const close = browser.close.bind(browser);
    browser.close = async (options) => {
      try {
        await close(options);
      } finally {
        removeDir();
      }
    };
    browser.once('close', removeDir); // Chromium ending without close(): a crash, a kill
    return browser;
  } catch (err) {
    removeDir();
    throw err;
  }
}

/** Reads every figure spec (*.json) in a directory, sorted by name. */
export function readFigureSpecs(dir: string): Figure[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Figure);
}

/** The figure specs in every subdirectory of `dir` (one per notebook in `npm run reproduce`), sorted by name. */
export function readFigureSpecTree(dir: string): Figure[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => readFigureSpecs(join(dir, entry.name)))
    .sort(byName);
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The bytes of a base64 data URL (a canvas's PNG). */
const dataUrlBytes = (url: string): Buffer => Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');

/**
 * Renders each figure to OUT/NAME.svg and OUT/NAME.png, in the order given, on `browser`'s plotly page (launched and
 * closed here when not given); returns the paths written. Renderings on one browser take turns (each figure fixes
 * Math.random for plotly's ids); the bytes of a figure never depend on what the page drew before
 * (CANONICAL_SVG_SCRIPT).
 */
export async function renderFigures(figures: readonly Figure[], outDir: string, browser?: Browser): Promise<string[]> {
  if (figures.length === 0) return [];
  if (!browser) {
    const own = await launchChromium();
    try {
      return await renderFigures(figures, outDir, own);
    } finally {
      await own.close();
    }
  }
  const turn = (turns.get(browser) ?? Promise.resolve()).then(() => drawFigures(figures, outDir, browser));
  turns.set(
    browser,
    turn.then(
      () => {},
      () => {},
    ),
  );
  return turn;
}

/** Per browser, the end of the renderings queued so far. */
const turns = new WeakMap<Browser, Promise<void>>();

async function drawFigures(figures: readonly Figure[], outDir: string, browser: Browser): Promise<string[]> {
  const page = await plotlyPage(browser);
  const written: string[] = [];
  for (const figure of figures) {
    const size = { width: figure.width ?? DEFAULT_FIGURE_WIDTH, height: figure.height ?? DEFAULT_FIGURE_HEIGHT };
    const images = await page.evaluate(
      async ({ fig, size }) => {
        // plotly names SVG defs with Math.random ids: a fixed sequence makes re-exports byte-identical
        let state = 1;
        Math.random = () => (state = (state * 48271) % 2147483647) / 2147483647;
        const { Plotly, document, pclCanonicalSvg } = globalThis as unknown as BrowserGlobals;
        const svg = pclCanonicalSvg(
          await Plotly.toImage({ data: fig.data, layout: fig.layout }, { format: 'svg', imageDataOnly: true, ...size }),
        );
        // The figure is drawn once: toImage's PNG rasterises this same SVG, less the viewBox its SVG export adds.
        const png = await Plotly.Snapshot.svgToImg({
          svg: svg.replace(` viewBox="0 0 ${size.width} ${size.height}"`, ''),
          format: 'png',
          ...size,
          scale: 1,
          canvas: document.createElement('canvas'),
          promise: true,
        });
        return { svg, png };
      },
      { fig: figure, size },
    );
    for (const [format, bytes] of [
      ['svg', Buffer.from(images.svg, 'utf8')],
      ['png', dataUrlBytes(images.png)],
    ] as const) {
      const path = join(outDir, `${figure.name}.${format}`);
      writeFileAtomic(path, bytes);
      written.push(path);
    }
  }
  return written;
}

/**
 * A page script: `pclCanonicalSvg(svg)` gives the SVG with every element's attributes in name order (the order
 * Canonical XML gives them). Plotly's attribute order depends on what it drew before in the document: once a legend
 * text has been measured, its bounding box comes from plotly's cache and the legend's background rect gets its style
 * before its position instead of after. Canonical, a figure's bytes do not depend on what was drawn before it, so all
 * figures share one page (a new document per notebook cost plotly's start, 0.2-0.3 CPU s each). Serialised again,
 * a '>' in text is written `&gt;`; nothing else changes.
 */
const CANONICAL_SVG_SCRIPT = `function pclCanonicalSvg(svg) {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  for (const element of doc.querySelectorAll('*')) {
    const attributes = [...element.attributes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const attribute of attributes) element.removeAttributeNode(attribute);
    for (const attribute of attributes) element.setAttributeNode(attribute);
  }
  return new XMLSerializer().serializeToString(doc);
}`;

/**
 * The code and browser flags that draw a figure and serialise its SVG, with the values it takes by name (a spec
 * without a size is drawn at the default): render-cache.ts draws every figure again when any of them changes.
 */
export const RENDERER_CODE = [
  drawFigures.toString(),
  plotlyPage.toString(),
  CANONICAL_SVG_SCRIPT,
  JSON.stringify({ DEFAULT_FIGURE_WIDTH, DEFAULT_FIGURE_HEIGHT, CHROMIUM_ARGS }),
].join('\n');

/** What the page's script uses (the node build has no DOM types). */
interface BrowserGlobals {
  Plotly: {
    toImage(figure: unknown, options: unknown): Promise<string>;
    Snapshot: { svgToImg(options: unknown): Promise<string> };
  };
  document: { createElement(tag: string): unknown };
  pclCanonicalSvg(svg: string): string;
}

/** Per browser, its page with plotly loaded, where every figure is drawn. */
const plotlyPages = new WeakMap<Browser, Promise<Page>>();

/**
 * The browser's page with plotly loaded (about 1 CPU s with the browser's start): `npm run reproduce` opens it while
 * the notebooks run, so that the first notebook's figures do not wait for it.
 */
export function plotlyPage(browser: Browser): Promise<Page> {
  let page = plotlyPages.get(browser);
  if (!page) {
    page = browser.newPage().then(async (p) => {
      await p.setContent('<!doctype html><html><body></body></html>');
      await p.addScriptTag({ content: plotlyBundle() });
      await p.addScriptTag({ content: CANONICAL_SVG_SCRIPT });
      return p;
    });
    plotlyPages.set(browser, page);
  }
  return page;
}

type IndexedFigure = Pick<Figure, 'name' | 'caption'>;

const INDEX_LINE = /^- `([^`]+)` \(\[SVG\]\([^)]*\), \[PNG\]\([^)]*\)\): (.*)$/;

/**
 * figures/README.md: one line per figure, in name order. With `earlier` (the index before a run of some notebooks
 * only), the figures that run did not make keep their lines: it knows only its own, and the index is committed.
 */
export function figureIndex(figures: readonly IndexedFigure[], earlier?: string): string {
  const made = new Set(figures.map((f) => f.name));
  const kept = (earlier ?? '')
    .split('\n')
    .map((line) => INDEX_LINE.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && !made.has(match[1]))
    .map((match) => ({ name: match[1], caption: match[2] }));
  const all = [...figures, ...kept].sort(byName);
  const lines = all.map((f) => `- \`${f.name}\` ([SVG](${f.name}.svg), [PNG](${f.name}.png)): ${f.caption}`);
  return `# Figures\n\nWritten by \`npm run reproduce\` from the notebooks in notebooks/; one line per figure.\n\n${lines.join('\n')}\n`;
}

/** The .svg and .png files in `dir` that belong to none of the named figures (left by renamed or removed ones). */
export function staleImages(dir: string, names: readonly string[]): string[] {
  const keep = new Set(names);
  return readdirSync(dir)
    .filter((f) => /\.(svg|png)$/.test(f) && !keep.has(f.replace(/\.(svg|png)$/, '')))
    .sort();
}
