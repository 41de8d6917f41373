/**
 * Figure export in headless Chromium: a set of figures rendered in its own frame gives the same bytes
 * whatever other frames of the browser render meanwhile (npm run reproduce renders each notebook's
 * figures as that notebook ends, while the others still run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupedBar, lineChart } from '../../src/report';
import { launchChromium, readFigureSpecTree, renderFigures } from '../../src/report/export';

const rows = ['none', 'ppm', 'oracle'].flatMap((method, m) =>
  ['zipf', 'sqlite'].map((workload, w) => ({ method, workload, k: 2 ** (w + 1), stallMs: 100 / (m + 1) + w })),
);
const bars = (name: string) =>
  groupedBar(rows, { name, caption: name, title: name, x: 'workload', y: 'stallMs', series: 'method' });
const lines = (name: string) =>
  lineChart(rows, { name, caption: name, title: name, x: 'k', y: 'stallMs', series: 'method' });

function bytesIn(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
}

test('figures rendered in a frame of their own give the same bytes, whatever other frames render meanwhile', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pcl-export-'));
  const alone = join(out, 'alone');
  const busy = join(out, 'busy');
  const browser = await launchChromium();
  try {
    const mine = [bars('a-bars'), lines('a-lines')];
    await renderFigures(mine, alone, browser);
    // the same figures again while two other frames draw other figures (legends included)
    await Promise.all([
      renderFigures([lines('b-lines'), bars('b-bars')], join(out, 'other'), browser),
      renderFigures(mine, busy, browser),
      renderFigures([bars('c-bars')], join(out, 'other'), browser),
    ]);
    const expected = bytesIn(alone);
    assert.deepEqual([...expected.keys()].sort(), ['a-bars.png', 'a-bars.svg', 'a-lines.png', 'a-lines.svg']);
    assert.deepEqual(bytesIn(busy), expected);
  } finally {
    await browser.close();
    rmSync(out, { recursive: true, force: true });
  }
});

test('readFigureSpecTree reads the specs of every notebook directory, sorted by figure name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcl-specs-'));
  try {
    for (const [notebook, names] of [
      ['02-b', ['02-z', '02-a']],
      ['01-a', ['01-m']],
    ] as const) {
      mkdirSync(join(dir, notebook));
      for (const name of names) writeFileSync(join(dir, notebook, `${name}.json`), JSON.stringify(bars(name)));
    }
    writeFileSync(join(dir, 'loose.json'), JSON.stringify(bars('loose')));
    assert.deepEqual(
      readFigureSpecTree(dir).map((f) => f.name),
      ['01-m', '02-a', '02-z'],
    );
    assert.deepEqual(readFigureSpecTree(join(dir, 'missing')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
