import { readFileSync } from 'node:fs';

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

let plotlySource: string | undefined;

/** The plotly.js bundle, read once; inlined once per HTML page so reports work offline. */
export function plotlyBundle(): string {
  plotlySource ??= readFileSync(require.resolve('plotly.js-dist'), 'utf8');
  return plotlySource;
}

/** A <script> element that defines window.Plotly. */
export function plotlyScriptTag(): string {
  // "</script" inside the bundle would end the element early. The wrapper hides any AMD loader
  // (Jupyter pages ship require.js) so the bundle always sets window.Plotly.
  const source = plotlyBundle().replace(/<\/script/gi, '<\\/script');
  return `<script type="text/javascript">(function(define, module, exports){${source}\n})(undefined, undefined, undefined);</script>`;
}

let divCounter = 0;

/** HTML that draws the figure with the page's Plotly (see plotlyScriptTag). */
export function figureHtml(figure: Figure): string {
  const id = `pcl-${figure.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${++divCounter}`;
  const spec = JSON.stringify({ data: figure.data, layout: figure.layout }).replace(/</g, '\\u003c');
  const height = figure.height ?? DEFAULT_FIGURE_HEIGHT;
  return `<div id="${id}" class="pcl-figure" style="width:100%;height:${height}px"></div>` +
    `<script type="text/javascript">(function(){var s=${spec};` +
    `Plotly.newPlot(${JSON.stringify(id)}, s.data, s.layout, {responsive: true, displaylogo: false});})();</script>`;
}
