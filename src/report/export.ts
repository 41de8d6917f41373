/**
 * Renders saved figure specs to SVG and PNG with Plotly.toImage in headless Chromium (Debian's
 * chromium-headless-shell driven by playwright-core), and indexes them in figures/README.md.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { UserError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { DEFAULT_FIGURE_HEIGHT, DEFAULT_FIGURE_WIDTH, plotlyBundle, type Figure } from './figure';

/**
 * Chromium's headless shell (Debian's chromium-headless-shell, the same engine as its chromium): the full browser's
 * headless mode starts a whole browser (a WebUI renderer among others) and took about 2 CPU s more for the figures.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell';

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

/** Launches headless Chromium; fails with one line when it is not installed. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH))
    throw new UserError(
      `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium-headless-shell, or set CHROMIUM_PATH)`,
    );
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
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
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The bytes of a base64 data URL (a canvas's PNG). */
const dataUrlBytes = (url: string): Buffer => Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');

/**
 * Renders each figure to OUT/NAME.svg and OUT/NAME.png, in the order given, in a fresh frame (document
 * and plotly of their own) in `browser` (launched and closed here when not given); returns the paths
 * written. Plotly's SVG depends on what its plotly drew before (the attribute order of legend boxes),
 * never on other frames or pages: the same figures in the same order give the same bytes, whatever else
 * the browser renders meanwhile. `ready` is such a frame opened ahead (plotlyFrame), used and disposed here.
 */
export async function renderFigures(
  figures: readonly Figure[],
  outDir: string,
  browser?: Browser,
  ready?: Promise<PlotlyFrame>,
): Promise<string[]> {
  if (figures.length === 0) return [];
  if (!browser) {
    const own = await launchChromium();
    try {
      return await renderFigures(figures, outDir, own);
    } finally {
      await own.close();
    }
  }
  const written: string[] = [];
  const { frame, dispose } = await (ready ?? plotlyFrame(browser));
  try {
    for (const figure of figures) {
      const size = { width: figure.width ?? DEFAULT_FIGURE_WIDTH, height: figure.height ?? DEFAULT_FIGURE_HEIGHT };
      const images = await frame.evaluate(
        async ({ fig, size }) => {
          // plotly names SVG defs with Math.random ids: a fixed sequence makes re-exports byte-identical
          let state = 1;
          Math.random = () => (state = (state * 48271) % 2147483647) / 2147483647;
          const { Plotly, document } = globalThis as unknown as BrowserGlobals;
          const svg = await Plotly.toImage(
            { data: fig.data, layout: fig.layout },
            { format: 'svg', imageDataOnly: true, ...size },
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
  } finally {
    await dispose();
  }
  return written;
}

/** What a frame's page script uses (the node build has no DOM types). */
interface BrowserGlobals {
  Plotly: {
    toImage(figure: unknown, options: unknown): Promise<string>;
    Snapshot: { svgToImg(options: unknown): Promise<string> };
  };
  document: { createElement(tag: string): unknown };
}

/** Where frames load plotly from: answered by the host page's route, never by a network (.invalid). */
const PLOTLY_URL = 'https://plotly.pcl.invalid/plotly.min.js';

/** A fresh frame with plotly loaded in it, and how to remove it. */
export interface PlotlyFrame {
  frame: Frame;
  dispose: () => Promise<void>;
}

/**
 * A fresh frame with plotly loaded (about 0.25 CPU s in the renderer), for renderFigures: `npm run reproduce`
 * opens the next notebook's while notebooks run, so the last one's figures do not wait for it at the end.
 */
export async function plotlyFrame(browser: Browser): Promise<PlotlyFrame> {
  const fresh = await freshFrame(browser);
  await fresh.frame.addScriptTag({ url: PLOTLY_URL });
  return fresh;
}

/** Per browser, the page that holds the frames figures are drawn in. */
const hostPages = new WeakMap<Browser, Promise<Page>>();

/**
 * A new iframe on the browser's host page: a document and a plotly of its own, like a new page, but
 * in the same renderer, which compiles the plotly bundle once for all frames (a new page compiled it
 * again: about a second each).
 */
async function freshFrame(browser: Browser): Promise<PlotlyFrame> {
  let host = hostPages.get(browser);
  if (!host) {
    host = browser.newPage().then(async (page) => {
      // served (from memory) rather than inlined: Chromium caches the compiled script, and the 3.5 MB do not
      // cross the devtools pipe once per frame (10 frames: about 2.5 CPU s less, measured)
      const bundle = plotlyBundle();
      await page.route(PLOTLY_URL, (route) =>
        route.fulfill({ body: bundle, contentType: 'text/javascript', headers: { 'cache-control': 'max-age=86400' } }),
      );
      await page.setContent('<!doctype html><html><body></body></html>');
      return page;
    });
    hostPages.set(browser, host);
  }
  const element = (
    await (
      await host
    ).evaluateHandle(`new Promise((resolve) => {
      const frame = document.createElement('iframe');
      frame.srcdoc = '<!doctype html><html><body><div id="plot"></div></body></html>';
      frame.onload = () => resolve(frame);
      document.body.appendChild(frame);
    })`)
  ).asElement()!;
  const frame = (await element.contentFrame())!;
  return { frame, dispose: () => element.evaluate((node) => (node as unknown as { remove(): void }).remove()) };
}

/** figures/README.md: one line per figure, in name order. */
export function figureIndex(figures: readonly Figure[]): string {
  const lines = figures.map((f) => `- \`${f.name}\` ([SVG](${f.name}.svg), [PNG](${f.name}.png)): ${f.caption}`);
  return `# Figures\n\nWritten by \`npm run reproduce\` from the notebooks in notebooks/; one line per figure.\n\n${lines.join('\n')}\n`;
}

/** The .svg and .png files in `dir` that belong to none of the named figures (left by renamed or removed ones). */
export function staleImages(dir: string, names: readonly string[]): string[] {
  const keep = new Set(names);
  return readdirSync(dir)
    .filter((f) => /\.(svg|png)$/.test(f) && !keep.has(f.replace(/\.(svg|png)$/, '')))
    .sort();
}
