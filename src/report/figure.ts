import { browserAsset } from './assets';
import { nextPageId } from './page-ids';

/** A plotly figure plus what postcopy-lab needs to export and index it. */
export interface Figure {
  /** File name stem under figures/ (e.g. "01-faults-by-workload"). */
  name: string;
  /** One line for figures/README.md. */
  caption: string;
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown>;
  /** Export size in pixels. */
  width?: number;
  height?: number;
}

export const DEFAULT_FIGURE_WIDTH = 900;
export const DEFAULT_FIGURE_HEIGHT = 500;

/** The minified plotly.js (built from plotly.js-dist by scripts/build-browser.mjs), for figure export. */
export function plotlyBundle(): string {
  return browserAsset('plotly.min.js').toString('utf8');
}

/** Which plotly bundle a page inlines: every trace type (reports), or scatter, bar and pie (the what-if page). */
export type PlotlyBundleKind = 'full' | 'basic';
const PLOTLY_GZ: Record<PlotlyBundleKind, string> = { full: 'plotly.min.js.gz', basic: 'plotly-basic.min.js.gz' };
const plotlyTags = new Map<string, string>();

/**
 * A <script> element that defines `window.pclLoadPlotly()`, which loads plotly.js once per page and returns
 * `window.pclPlotly`, a promise of Plotly; the tag calls it at once unless `lazy` (then the page does, when it wants
 * plots: evaluating plotly is one long task of the page's thread, which the what-if page runs after its numbers).
 * The minified bundle is inlined gzip-compressed (full: 1.4 MB instead of 4.8 MB; the browser's
 * DecompressionStream inflates it), so a report stays well under 5 MB. Running it through `new Function`
 * with `define`, `module` and `exports` undefined hides any AMD loader (Jupyter pages ship require.js),
 * so the bundle always sets window.Plotly.
 */
export function plotlyScriptTag(options: { bundle?: PlotlyBundleKind; lazy?: boolean } = {}): string {
  const { bundle = 'full', lazy = false } = options;
  const key = `${bundle} ${lazy}`;
  let tag = plotlyTags.get(key);
  if (tag === undefined) {
    tag = `<script type="text/javascript" data-pcl-plotly>window.pclLoadPlotly = window.pclLoadPlotly || function () {
return window.pclPlotly || (window.pclPlotly = (function () {
var text = atob("${browserAsset(PLOTLY_GZ[bundle]).toString('base64')}"), bytes = new Uint8Array(text.length);
for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
var source = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
return new Response(source).text().then(function (code) {
  new Function('define', 'module', 'exports', code)(undefined, undefined, undefined);
  return window.Plotly;
});
})());
};${lazy ? '' : '\nwindow.pclLoadPlotly();'}</script>`;
    plotlyTags.set(key, tag);
  }
  return tag;
}

/** Script text that runs `body` with `Plotly` bound once plotlyScriptTag's bundle has loaded. */
export function withPlotly(body: string): string {
  return `window.pclLoadPlotly().then(function (Plotly) {${body}});`;
}

/** HTML that draws the figure with the page's Plotly (see plotlyScriptTag). */
export function figureHtml(figure: Figure): string {
  const id = `pcl-${figure.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${nextPageId('figure')}`;
  const spec = JSON.stringify({ data: figure.data, layout: figure.layout }).replace(/</g, '\\u003c');
  const height = figure.height ?? DEFAULT_FIGURE_HEIGHT;
  return (
    `<div id="${id}" class="pcl-figure" style="width:100%;height:${height}px"></div>` +
    `<script type="text/javascript">(function(){var s=${spec};` +
    withPlotly(`Plotly.newPlot(${JSON.stringify(id)}, s.data, s.layout, {responsive: true, displaylogo: false});`) +
    '})();</script>'
  );
}
