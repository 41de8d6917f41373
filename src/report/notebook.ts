/**
 * Display helpers for tslab notebooks. Every figure shown is also saved as a JSON spec under
 * reports/figure-specs/, which `npm run reproduce` renders to figures/NAME.svg and .png.
 */
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import { explorerHtml, type ExplorerCell, type ExplorerOptions } from './explorer';
import { figureHtml, plotlyScriptTag, type Figure } from './figure';
import { startPage } from './page-ids';
import { tableHtml, type Row, type TableOptions } from './table';
import { whatifFrameHtml } from './whatif/page';

/** The checkout's root: this file is at <root>/dist/report (or <root>/src/report under tsx). */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');
/**
 * Where show() saves figure specs; PCL_FIGURE_SPEC_DIR moves it (tests keep their figures out of reports/). Read
 * at each call: `npm run reproduce` sets it per notebook in a kernel that runs several. Set but empty, it is unset,
 * as POSTCOPY_LAB_WORKERS is: an empty directory name wrote the specs into the kernel's working directory.
 */
export function figureSpecDir(): string {
  return process.env.PCL_FIGURE_SPEC_DIR || join(PROJECT_ROOT, 'reports', 'figure-specs');
}

interface TslabDisplay {
  html(s: string): void;
  markdown(s: string): void;
}

function tslabDisplay(): TslabDisplay {
  // Loaded lazily: the library also runs outside a kernel (CLI, tests), where tslab is not needed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('tslab') as { display: TslabDisplay }).display;
}

/**
 * Call once at the top of a notebook: inlines plotly.js so the exported HTML works offline, and starts the page's
 * element ids from 1 (see page-ids.ts).
 */
export function setupNotebook(): void {
  startPage();
  tslabDisplay().html(plotlyScriptTag());
}

/** Saves a figure's spec for export to figures/ (see scripts/reproduce.mjs). */
export function saveFigureSpec(figure: Figure, dir = figureSpecDir()): string {
  const path = join(dir, `${figure.name}.json`);
  writeFileAtomic(path, JSON.stringify(figure));
  return path;
}

/** Draws a plotly figure in the notebook and saves its spec for export. */
export function show(figure: Figure): void {
  saveFigureSpec(figure);
  tslabDisplay().html(figureHtml(figure));
}

/** Renders markdown (the question, the setup, the conclusions with computed numbers). */
export function markdown(text: string): void {
  tslabDisplay().markdown(text);
}

/** Shows rows as an HTML table (headers from options.labels, folded under options.collapsed). */
export function showTable(rows: readonly Row[], columns?: readonly string[], options?: TableOptions): void {
  tslabDisplay().html(tableHtml(rows, columns, options));
}

/**
 * What showFrame needs of a table: danfo's DataFrame has both (the library does not import danfo, whose
 * tensorflow backend takes seconds to load, so notebooks pay for it only when they use it).
 */
export interface FrameLike {
  readonly columns: readonly string[];
  readonly values: ReadonlyArray<ReadonlyArray<unknown>> | ReadonlyArray<unknown>;
}

/** A frame's rows as tidy rows (a one-column frame's values are a flat array). */
export function frameRows(frame: FrameLike): Row[] {
  return (frame.values as ReadonlyArray<unknown>).map((v) => {
    const cells = Array.isArray(v) ? v : [v];
    return Object.fromEntries(frame.columns.map((c, i) => [c, cells[i] as Row[string]]));
  });
}

/** Shows a danfo DataFrame (or anything with columns and values) as an HTML table (options as showTable's). */
export function showFrame(frame: FrameLike, options?: TableOptions): void {
  showTable(frameRows(frame), undefined, options);
}

/** Shows the offline explorer over precomputed cells (dropdowns redraw without a kernel). */
export function showExplorer(cells: readonly ExplorerCell[], options: ExplorerOptions): void {
  tslabDisplay().html(explorerHtml(cells, options));
}

/** Shows the live what-if page (a separate file, see whatifFrameHtml) in a frame, with a link to open it alone. */
export function showWhatIfPage(href = 'whatif.html'): void {
  tslabDisplay().html(whatifFrameHtml(href));
}
