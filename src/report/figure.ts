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

let plotlyTag: string | undefined;

/**
 * A <script> element that loads plotly.js once per page and sets `window.pclPlotly`, a promise of
 * Plotly. The minified bundle is inlined gzip-compressed (1.4 MB instead of 4.8 MB; the browser's
 * DecompressionStream inflates it), so a report stays well under 5 MB. Running it through `new Function`
 * with `define`, `module` and `exports` undefined hides any AMD loader (Jupyter pages ship require.js),
 * so the bundle always sets window.Plotly.
 */
export function plotlyScriptTag(): string {
  plotlyTag ??= `<script type="text/javascript" data-pcl-plotly>window.pclPlotly = window.pclPlotly || (function () {
var text = atob("${browserAsset('plotly.min.js.gz').toString('base64')}"), bytes = new Uint8Array(text.length);
for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
var source = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
return new Response(source).text().then(function (code) {
  new Function('define', 'module', 'exports', code)(undefined, undefined, undefined);
  return window.Plotly;
});
})();</script>`;
  return plotlyTag;
}

/** Script text that runs `body` with `Plotly` bound once plotlyScriptTag's bundle has loaded. */
export function withPlotly(body: string): string {
  return `window.pclPlotly.then(function (Plotly) {${body}});`;
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
