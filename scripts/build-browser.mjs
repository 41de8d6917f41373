// Browser assets, built after tsc by `npm run build` (and so by `npm ci` through the prepare script):
//   dist/browser/plotly.min.js(.gz)   plotly.js-dist minified by esbuild (every HTML report inlines the .gz)
//   dist/browser/whatif-worker.js     the library's simulator as a Web Worker for the what-if page
//   dist/browser/whatif-main.js       the what-if page's knobs, table and plots
// The page bundles only the library's pure modules (no node builtins): a node import reaching them fails the
// build here rather than the page in a reader's browser.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const out = join(root, 'dist', 'browser');
mkdirSync(out, { recursive: true });
const require = createRequire(import.meta.url);

const bundles = [
  { entry: 'src/report/whatif/browser/worker.ts', file: 'whatif-worker.js' },
  { entry: 'src/report/whatif/browser/main.ts', file: 'whatif-main.js' },
];
await Promise.all(
  bundles.map(({ entry, file }) =>
    esbuild.build({
      entryPoints: [join(root, entry)],
      outfile: join(out, file),
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    }),
  ),
);

const plotly = await esbuild.transform(readFileSync(require.resolve('plotly.js-dist'), 'utf8'), {
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
});
// minifying drops the header comment; the MIT licence asks to keep the notice
const { version } = JSON.parse(readFileSync(require.resolve('plotly.js-dist/package.json'), 'utf8'));
const minified = `/*! plotly.js v${version} | Copyright 2012-2024, Plotly, Inc. | MIT license */\n${plotly.code}`;
writeFileSync(join(out, 'plotly.min.js'), minified);
writeFileSync(join(out, 'plotly.min.js.gz'), gzipSync(minified, { level: 9 }));
