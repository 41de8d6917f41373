import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors';

/** What scripts/build-browser.mjs writes at build time: the minified plotly.js and the what-if page's bundles. */
export const BROWSER_ASSET_DIR = resolve(__dirname, '..', '..', 'dist', 'browser');

const cache = new Map<string, Buffer>();

/** A built browser asset's bytes, read once per process; a one-line UserError when the build did not make it. */
export function browserAsset(name: string): Buffer {
  let data = cache.get(name);
  if (!data) {
    const path = join(BROWSER_ASSET_DIR, name);
    try {
      data = readFileSync(path);
    } catch {
      throw new UserError(`${path} is missing: run 'npm run build' (it bundles the browser assets)`);
    }
    cache.set(name, data);
  }
  return data;
}
