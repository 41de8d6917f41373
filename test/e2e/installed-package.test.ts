/**
 * postcopy-lab installed into another project, as `npm pack` ships it, with the overrides README "Using the library
 * in another project" asks of that project: the install succeeds (its postinstall ran patch-package, a devDependency,
 * and failed it: exit 127), the library simulates, and the real traces and the what-if page, which read datasets/,
 * work there. Dependencies come from npm's cache, which `npm ci` filled (--prefer-offline).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir';

const ROOT = join(__dirname, '..', '..');

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('installed into another project: it installs, simulates, loads the real traces and writes the what-if page', () => {
  const dir = tempDir('installed-package');
  // dist/ is built already (npm ci's prepare): --ignore-scripts skips building it again
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
  const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  const app = join(dir, 'app');
  const { overrides } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  run('mkdir', [app], dir);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, overrides }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], app);
  const script =
    "const pcl = require('postcopy-lab');" +
    "const t = pcl.generateTrace('zipf', { accesses: 20000, pages: 2000, seed: 1 });" +
    "const r = pcl.simulate(t, { predictor: 'ppm', switchover: pcl.switchoverAtFraction(t, 0.5) });" +
    "const [sqlite] = pcl.realWorkloads({ names: ['sqlite'] });" +
    'console.log(JSON.stringify({ faults: r.networkFaults, sqlite: sqlite.trace.page.length }));';
  const out = JSON.parse(run(process.execPath, ['-e', script], app));
  // the same run in this checkout
  const { generateTrace, simulate, switchoverAtFraction, realWorkloads } = require(ROOT);
  const t = generateTrace('zipf', { accesses: 20000, pages: 2000, seed: 1 });
  const here = simulate(t, { predictor: 'ppm', switchover: switchoverAtFraction(t, 0.5) });
  assert.deepEqual(out, {
    faults: here.networkFaults,
    sqlite: realWorkloads({ names: ['sqlite'] })[0].trace.page.length,
  });
  const cli = join(app, 'node_modules', '.bin', 'postcopy-lab');
  run(cli, ['whatif', '-o', join(dir, 'page.html')], app);
  assert.ok(existsSync(join(dir, 'page.html')));
});
