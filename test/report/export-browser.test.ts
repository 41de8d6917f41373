/**
 * Figure export in headless Chromium: a figure gives the same bytes whatever the browser drew before it and whatever
 * it draws meanwhile (npm run reproduce renders each notebook's figures on one page as that notebook ends, while the
 * others still run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupedBar, lineChart } from '../../src/report';
import { figureIndex, launchChromium, readFigureSpecTree, renderFigures } from '../../src/report/export';
import { tempDir } from '../temp-dir';

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

test('a figure gives the same bytes whatever its browser drew before or draws meanwhile', async () => {
  const out = tempDir('pcl-export');
  const first = join(out, 'first');
  const later = join(out, 'later');
  const browser = await launchChromium();
  try {
    // the first figures its page draws: plotly measures every legend text anew
    const mine = [bars('a-bars'), lines('a-lines')];
    await renderFigures(mine, first, browser);
    // again, in the other order, after and among figures with the same legend texts (plotly's bounding boxes cached)
    await Promise.all([
      renderFigures([lines('b-lines'), bars('b-bars')], join(out, 'other'), browser),
      renderFigures([...mine].reverse(), later, browser),
      renderFigures([bars('c-bars')], join(out, 'other'), browser),
    ]);
    const expected = bytesIn(first);
    assert.deepEqual([...expected.keys()].sort(), ['a-bars.png', 'a-bars.svg', 'a-lines.png', 'a-lines.svg']);
    assert.deepEqual(bytesIn(later), expected);
    // canonical: every element's attributes in name order
    for (const svg of ['a-bars.svg', 'a-lines.svg']) {
      for (const [, attributes] of expected
        .get(svg)!
        .toString('utf8')
        .matchAll(/<[\w:-]+((?:\s[\w:-]+="[^"]*")*)/g)) {
        const names = [...attributes.matchAll(/\s([\w:-]+)=/g)].map((m) => m[1]);
        assert.deepEqual(names, [...names].sort(), `attributes of ${svg} in name order`);
      }
    }
  } finally {
    await browser.close();
  }
});

test('readFigureSpecTree reads the specs of every notebook directory, sorted by figure name', () => {
  const dir = tempDir('pcl-specs');
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
});

test("figureIndex: a run of some notebooks keeps the other figures' lines, replaces its own, sorted by name", () => {
  const figure = (name: string, caption: string) => ({ name, caption });
  const whole = figureIndex([figure('00-a', 'first (one)'), figure('01-b', 'b: old'), figure('02-c', 'c')]);
  assert.equal(
    whole,
    '# Figures\n\nWritten by `npm run reproduce` from the notebooks in notebooks/; one line per figure.\n\n' +
      '- `00-a` ([SVG](00-a.svg), [PNG](00-a.png)): first (one)\n' +
      '- `01-b` ([SVG](01-b.svg), [PNG](01-b.png)): b: old\n' +
      '- `02-c` ([SVG](02-c.svg), [PNG](02-c.png)): c\n',
  );
  // `npm run reproduce 01` in a fresh checkout (no specs of 00 and 02) wrote an index of 01-b alone
  const afterOne = figureIndex([figure('01-b', 'b: new'), figure('01-d', 'd')], whole);
  assert.deepEqual(
    afterOne.split('\n').filter((line) => line.startsWith('- ')),
    [
      '- `00-a` ([SVG](00-a.svg), [PNG](00-a.png)): first (one)',
      '- `01-b` ([SVG](01-b.svg), [PNG](01-b.png)): b: new',
      '- `01-d` ([SVG](01-d.svg), [PNG](01-d.png)): d',
      '- `02-c` ([SVG](02-c.svg), [PNG](02-c.png)): c',
    ],
  );
  // the same figures again give the same bytes (nothing kept twice); a full run passes no earlier index
  assert.equal(figureIndex([figure('01-b', 'b: new'), figure('01-d', 'd')], afterOne), afterOne);
  assert.equal(figureIndex([figure('02-c', 'c')]).includes('00-a'), false);
});
