/**
 * The what-if page as one self-contained HTML file: the minified plotly, the page and worker bundles
 * (built by scripts/build-browser.mjs), the workloads' traces as gzip-compressed .pctrace in base64 (or, for
 * seeded synthetic ones, just the generator's options) and the starting settings. It works offline from file://.
 */
import { constants } from 'node:buffer';
import { gzipSync } from 'node:zlib';
import { fileLabel, UserError } from '../../errors';
import { encodeBinaryTrace } from '../../trace/binary';
import type { GeneratorKind, GeneratorOptions } from '../../trace/generators';
import type { Trace } from '../../trace/types';
import { writeFileAtomic } from '../../util/atomic-write';
import { browserAsset } from '../assets';
import { plotlyScriptTag } from '../figure';
import { escapeHtml } from '../table';
import { DEFAULT_WHATIF_SETTINGS, type WhatifSettings } from './settings';

/**
 * A workload the page offers: a trace embedded in the page (`file`: where a command line reads it, as the page's
 * "same as" command names it), or a generator the worker runs itself.
 */
export type WhatifWorkload =
  { name: string; trace: Trace; file: string } | { name: string; generator: GeneratorKind; options: GeneratorOptions };

export interface WhatifPageOptions {
  /** In menu order; the first is shown first. */
  workloads: readonly WhatifWorkload[];
  /** Knob settings the page opens with (the URL hash overrides them). */
  initial?: Partial<WhatifSettings>;
  title?: string;
  /** The most characters of base64 the embedded traces may take together (default MAX_EMBEDDED_TRACE_CHARS). */
  maxTraceChars?: number;
}

/**
 * The page is one string, and V8 makes no string longer than MAX_STRING_LENGTH (2^29 - 24 characters); its scripts
 * take a few MB. Past this a 443 MB .pctrace ended in an internal error (ERR_STRING_TOO_LONG) after half a minute;
 * such a trace can still be dropped on the opened page, which reads it without embedding it.
 */
export const MAX_EMBEDDED_TRACE_CHARS = constants.MAX_STRING_LENGTH - 2 ** 24;

/** What the page script reads from the page (the element #pcl-whatif-data). */
export interface WhatifPageData {
  workloads: Array<{
    name: string;
    gzipBase64?: string;
    file?: string;
    generated?: { kind: GeneratorKind; options: GeneratorOptions };
  }>;
  initial: WhatifSettings;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
h1{font-size:20px;margin:12px 16px}
#pcl-whatif{display:flex;gap:16px;padding:0 16px 16px;align-items:flex-start}
.side{flex:0 0 340px}.main{flex:1;min-width:0}
.knob{display:block;margin:0 0 10px}.knob[hidden]{display:none}h2{font-size:15px;margin:16px 0 8px}
.knob>span{display:block;font-weight:600;margin-bottom:2px}.inactive{opacity:.4}
.knob input[type=range]{width:200px;vertical-align:middle}.knob input[type=number]{width:90px;margin-left:6px}
.methods{display:flex;flex-wrap:wrap;gap:4px 12px}.method{white-space:nowrap}
.status{color:#555;min-height:1.4em}[data-state=computing] [data-status]{color:#b35c00}
.error{color:#b00020;min-height:1.4em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.equivalent-line{color:#555;font-size:12px;margin-bottom:8px}.equivalent{word-break:break-all}
.pcl-table{border-collapse:collapse;font-size:13px}.pcl-table td,.pcl-table th{border:1px solid #ddd;padding:2px 8px}
.pcl-table td{text-align:right;font-variant-numeric:tabular-nums}.pcl-table tbody th{text-align:left;font-weight:normal}
.plot{width:100%}`;

/** A built script's text, made unable to end its <script> element early. */
function script(asset: string): string {
  return browserAsset(asset)
    .toString('utf8')
    .replace(/<\/script/gi, '<\\/script');
}

/** The workloads as the page reads them, refusing traces too large together to embed. */
function workloadData(workloads: readonly WhatifWorkload[], maxChars: number): WhatifPageData['workloads'] {
  let chars = 0;
  return workloads.map((w) => {
    if (!('trace' in w)) return { name: w.name, generated: { kind: w.generator, options: w.options } };
    const gzip = gzipSync(encodeBinaryTrace(w.trace), { level: 9 });
    chars += 4 * Math.ceil(gzip.length / 3);
    if (chars > maxChars) {
      const mb = (n: number) => `${Math.ceil(n / 1e6)} MB`;
      throw new UserError(
        `${fileLabel(w.file)}: too large to embed in the page (its traces would take ${mb(chars)} of base64, at ` +
          `most ${mb(maxChars)}): leave it out and drop the file on the opened page instead`,
      );
    }
    return { name: w.name, gzipBase64: gzip.toString('base64'), file: w.file };
  });
}

/** The page's HTML. */
export function whatifPageHtml(options: WhatifPageOptions): string {
  const title = options.title ?? 'postcopy-lab: what if…?';
  const data: WhatifPageData = {
    workloads: workloadData(options.workloads, options.maxTraceChars ?? MAX_EMBEDDED_TRACE_CHARS),
    initial: { ...DEFAULT_WHATIF_SETTINGS, workload: options.workloads[0]?.name ?? '', ...options.initial },
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1><div id="pcl-whatif"></div>
${plotlyScriptTag({ bundle: 'basic', lazy: true })}
<script type="application/json" id="pcl-whatif-data">${json}</script>
<script type="text/plain" id="pcl-whatif-worker">${script('whatif-worker.js')}</script>
<script type="text/javascript">${script('whatif-main.js')}</script>
</body></html>
`;
}

/** Writes the page atomically (a crash leaves the old file or none, never half a page). */
export function writeWhatifPage(path: string, options: WhatifPageOptions): void {
  writeFileAtomic(path, whatifPageHtml(options));
}

/**
 * The page in a frame with a link to open it alone, for a notebook report: `href` is relative to the report
 * (`npm run reproduce` writes reports/whatif.html next to the reports).
 */
export function whatifFrameHtml(href: string, height = 1100): string {
  const url = escapeHtml(href);
  return (
    `<p><a href="${url}" target="_blank">Open the live what-if page on its own</a> (${url}: it re-runs ` +
    'the simulator in your browser as you move the knobs, on the bundled traces or a trace file you drop on it; ' +
    '<code>npm run reproduce</code> writes it next to the reports, ' +
    '<code>npx postcopy-lab whatif -o whatif.html</code> anywhere).</p>' +
    `<iframe src="${url}" title="live what-if page" ` +
    `style="width:100%;height:${height}px;border:1px solid #ddd"></iframe>`
  );
}
