// Browser assets, built after tsc by `npm run build` (and so by `npm ci` through the prepare script):
//   dist/browser/plotly.min.js(.gz)   plotly.js-dist minified by esbuild (every HTML report inlines the .gz)
//   dist/browser/plotly-basic.min.js.gz   plotly.js-basic-dist (scatter, bar, pie) likewise, for the what-if page
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

/**
 * A plotly.js distribution minified, with its licence notice (minifying drops the header comment; the MIT licence asks
 * to keep it), as `NAME.min.js.gz` and, with `plain`, `NAME.min.js`.
 */
async function minifyPlotly(packageName, name, plain) {
  const { version } = JSON.parse(readFileSync(require.resolve(`${packageName}/package.json`), 'utf8'));
  const plotly = await esbuild.transform(readFileSync(require.resolve(packageName), 'utf8'), {
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
  });
  const minified = `/*! plotly.js v${version} | Copyright 2012-2024, Plotly, Inc. | MIT license */\n${plotly.code}`;
  if (plain) writeFileSync(join(out, `${name}.min.js`), minified);
  writeFileSync(join(out, `${name}.min.js.gz`), gzipSync(minified, { level: 9 }));
  return version;
}

const versions = await Promise.all([
  minifyPlotly('plotly.js-dist', 'plotly', true),
  minifyPlotly('plotly.js-basic-dist', 'plotly-basic', false),
]);
// the what-if page draws with the basic bundle what the reports draw with the full one: one plotly release for both
if (versions[0] !== versions[1])
  throw new Error(`plotly.js-dist ${versions[0]} and plotly.js-basic-dist ${versions[1]} differ: install one version`);
