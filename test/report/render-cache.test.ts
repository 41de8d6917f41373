/**
 * figures/renders.json: a figure counts as rendered only while its spec, the renderer and both its files are the
 * ones recorded; the record's bytes depend on nothing but the renders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupedBar } from '../../src/report';
import { CHROMIUM_ARGS, CHROMIUM_PATH, RENDERER_CODE } from '../../src/report/export';
import { DEFAULT_FIGURE_HEIGHT, DEFAULT_FIGURE_WIDTH } from '../../src/report/figure';
import { RENDERS_FILE, RenderCache, rendererKey, renderingLibraryVersions } from '../../src/report/render-cache';
import { tempDir } from '../temp-dir';

const rows = [
  { method: 'none', workload: 'zipf', faults: 10 },
  { method: 'ppm', workload: 'zipf', faults: 4 },
];
const figure = (name: string, caption = name) =>
  groupedBar(rows, { name, caption, title: name, x: 'workload', y: 'faults', series: 'method' });

/** Stands in for renderFigures: writes the figure's two files. */
function draw(dir: string, name: string, content = name): void {
  writeFileSync(join(dir, `${name}.svg`), `<svg>${content}</svg>`);
  writeFileSync(join(dir, `${name}.png`), `png ${content}`);
}

/** `run` in a new temporary directory (removed when the test ends) and its result. */
function withDir<T>(run: (dir: string) => T): T {
  return run(tempDir('pcl-renders'));
}

/** A figure recorded as drawn in `dir` by renderer 'r1'. */
function recorded(dir: string, name: string): void {
  const cache = new RenderCache(dir, 'r1');
  draw(dir, name);
  cache.record(figure(name));
  cache.write();
}

test('a recorded figure is current for the same spec, renderer and files', () => {
  withDir((dir) => {
    assert.equal(new RenderCache(dir, 'r1').isCurrent(figure('a')), false);
    recorded(dir, 'a');
    const cache = new RenderCache(dir, 'r1');
    assert.equal(cache.size, 1);
    assert.equal(cache.isCurrent(figure('a')), true);
    assert.equal(cache.isCurrent(figure('b')), false);
  });
});

test('another spec, another renderer or no renderer key draws the figure again', () => {
  withDir((dir) => {
    recorded(dir, 'a');
    assert.equal(new RenderCache(dir, 'r1').isCurrent(figure('a', 'another caption')), false);
    assert.equal(new RenderCache(dir, 'r2').isCurrent(figure('a')), false);
    assert.equal(new RenderCache(dir, 'r2').size, 0);
    assert.equal(new RenderCache(dir, null).isCurrent(figure('a')), false);
  });
});

test('a changed or missing file draws the figure again', () => {
  withDir((dir) => {
    recorded(dir, 'a');
    writeFileSync(join(dir, 'a.png'), 'edited');
    assert.equal(new RenderCache(dir, 'r1').isCurrent(figure('a')), false);
    draw(dir, 'a');
    assert.equal(new RenderCache(dir, 'r1').isCurrent(figure('a')), true);
    rmSync(join(dir, 'a.svg'));
    assert.equal(new RenderCache(dir, 'r1').isCurrent(figure('a')), false);
  });
});

test('an unreadable record counts as none', () => {
  withDir((dir) => {
    recorded(dir, 'a');
    for (const text of ['{"renderer": "r1", "figu', '{"renderer": "r1", "figures": "a"}', '{"renderer": "r1"}']) {
      writeFileSync(join(dir, RENDERS_FILE), text);
      const cache = new RenderCache(dir, 'r1');
      assert.equal(cache.size, 0);
      assert.equal(cache.isCurrent(figure('a')), false);
      // and it is written anew
      cache.record(figure('a'));
      cache.write();
      assert.equal(new RenderCache(dir, 'r1').isCurrent(figure('a')), true);
    }
  });
});

test('a recorded entry without the shape of a record counts as none, the others as before', () => {
  withDir((dir) => {
    recorded(dir, 'a');
    const good = JSON.parse(readFileSync(join(dir, RENDERS_FILE), 'utf8')).figures.a;
    for (const bad of [null, 5, 'x', [], { spec: good.spec, svg: good.svg }]) {
      writeFileSync(join(dir, RENDERS_FILE), JSON.stringify({ renderer: 'r1', figures: { a: bad, b: good } }));
      const cache = new RenderCache(dir, 'r1');
      assert.equal(cache.size, 1);
      assert.equal(cache.isCurrent(figure('a')), false);
    }
  });
});

test('the renderer code carries the values the drawing takes by name: default size, Chromium flags', () => {
  assert.ok(RENDERER_CODE.includes(JSON.stringify({ DEFAULT_FIGURE_WIDTH, DEFAULT_FIGURE_HEIGHT, CHROMIUM_ARGS })));
  assert.ok(RENDERER_CODE.includes('addScriptTag'), 'the page plotly is loaded on');
});

test('the record lists figures in name order, keeps only those asked, and is the same for the same renders', () => {
  withDir((dir) => {
    const cache = new RenderCache(dir, 'r1');
    for (const name of ['c', 'a', 'b']) {
      draw(dir, name);
      cache.record(figure(name));
    }
    cache.write();
    const first = readFileSync(join(dir, RENDERS_FILE), 'utf8');
    assert.deepEqual(Object.keys(JSON.parse(first).figures), ['a', 'b', 'c']);
    const again = new RenderCache(dir, 'r1');
    for (const name of ['b', 'a', 'c']) again.record(figure(name));
    again.write();
    assert.equal(readFileSync(join(dir, RENDERS_FILE), 'utf8'), first);
    again.keepOnly(['b', 'z']);
    again.write();
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(dir, RENDERS_FILE), 'utf8')).figures), ['b']);
  });
});

test("the renderer key is read from this machine's Chromium and fonts, the same each time", () => {
  const key = rendererKey();
  assert.match(String(key), /^[0-9a-f]{64}$/);
  assert.equal(rendererKey(), key);
});

const dpkgQuery = spawnSync('sh', ['-c', 'command -v dpkg-query'], { encoding: 'utf8' }).stdout.trim();
const debian = dpkgQuery !== '' && existsSync(CHROMIUM_PATH);

test('an upgrade of a text or PNG library alone (FreeType here) changes the renderer key', { skip: !debian }, () => {
  // rendererKey in a child process whose dpkg-query is a wrapper: the real answer, or one version changed
  const keyWith = (edit: string) =>
    withDir((bin) => {
      const fake = join(bin, 'dpkg-query');
      writeFileSync(fake, `#!/bin/sh\n'${dpkgQuery}' "$@" | sed '${edit}'\n`);
      chmodSync(fake, 0o755);
      const code = "console.log(require('./src/report/render-cache').rendererKey())";
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
      return spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env }).stdout.trim();
    });
  const key = rendererKey();
  assert.equal(keyWith('s/^//'), key);
  assert.notEqual(keyWith('s/^\\(ii.*|libfreetype6[^=]*=.*\\)$/\\1+upgraded/'), key);
});

test(
  'the key holds the packages of the text and PNG libraries Chromium loads (ldd), each installed',
  { skip: !debian },
  () => {
    // Debian's wrapper script runs the real binary: the first ELF file the script names below its #! line
    const script = readFileSync(CHROMIUM_PATH).toString('latin1');
    const binary = !script.startsWith('#!')
      ? CHROMIUM_PATH
      : (script.slice(script.indexOf('\n')).match(/\/[^\s"']+/g) ?? []).find(
          (path) => existsSync(path) && readFileSync(path).subarray(1, 4).toString() === 'ELF',
        );
    assert.ok(binary, `no program found in ${CHROMIUM_PATH}`);
    const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' }).stdout;
    const libraries = [...ldd.matchAll(/^\s*lib(?:freetype|harfbuzz|fontconfig|png16|z)\.so\.\d+ => (\S+)/gm)];
    // Debian's build loads all five from the system; another Chromium (CHROMIUM_PATH) may bundle its own
    if (binary.startsWith('/usr/lib/chromium/')) assert.equal(libraries.length, 5, ldd);
    const owners = spawnSync(dpkgQuery, ['-S', ...libraries.map(([, path]) => realpathSync(path))], {
      encoding: 'utf8',
    });
    const packages = owners.stdout
      .trim()
      .split('\n')
      .map((line) => line.slice(0, line.indexOf(': ')));
    const inKey = renderingLibraryVersions()
      .split('\n')
      .map((line) => line.slice(0, line.indexOf('=')));
    for (const name of packages)
      assert.ok(inKey.includes(name), `${name} owns a library Chromium loads but is not in the key`);
  },
);
