/** Figure builders, the explorer and frame rows: the parts of the report layer notebooks rely on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { colorFor, explorerHtml, frameRows, groupedBar, lineChart, logTicks, tableHtml } from '../../src/report';
import { staleImages } from '../../src/report/export';
import { tempDir } from '../temp-dir';

const rows = [
  { workload: 'a', method: 'none', k: 1, y: 10 },
  { workload: 'a', method: 'ppm', k: 1, y: 5 },
  { workload: 'a', method: 'ppm', k: 4, y: 2 },
  { workload: 'b', method: 'none', k: 1, y: 8 },
  { workload: 'b', method: 'ppm', k: 1, y: 4 },
  { workload: 'b', method: 'ppm', k: 4, y: 1 },
];
const spec = {
  name: 'n',
  caption: 'c',
  title: 't',
  x: 'k',
  y: 'y',
  series: 'method',
  xTitle: 'k (pages)',
  yTitle: 'y (count)',
};

test('one trace per method in method colours; a facet gives one panel per value and one legend entry per method', () => {
  const plain = groupedBar(rows, { ...spec, x: 'workload' });
  assert.deepEqual(
    plain.data.map((d) => [d.name, (d.marker as { color: string }).color]),
    [
      ['none', colorFor('none')],
      ['ppm', colorFor('ppm')],
    ],
  );
  const faceted = lineChart(rows, { ...spec, facet: 'workload', logX: true });
  assert.deepEqual(
    faceted.data.map((d) => `${d.name}@${d.xaxis}:${d.showlegend}`),
    ['none@x:true', 'ppm@x:true', 'none@x2:false', 'ppm@x2:false'],
  );
  assert.deepEqual(faceted.data[1].x, [1, 4], 'lines sorted by x');
  const layout = faceted.layout as Record<string, { title?: { text: string }; tickvals?: number[] }>;
  assert.deepEqual(layout.xaxis.tickvals, [1, 4], 'log axes tick at the swept values');
  assert.equal(layout.yaxis.title?.text, 'y (count)');
  assert.equal(layout.yaxis2.title, undefined, 'only the left column names the y axis');
  assert.deepEqual(
    (faceted.layout.annotations as Array<{ text: string }>).map((a) => a.text),
    ['<b>a</b>', '<b>b</b>'],
  );
});

test('logTicks: 1-2-5 steps from the decade below the smallest value to the first tick above the largest', () => {
  assert.deepEqual(logTicks(150, 2100), [100, 200, 500, 1000, 2000, 5000]);
  assert.deepEqual(logTicks(0.03, 0.04), [0.01, 0.02, 0.05]);
  assert.deepEqual(logTicks(0, 10), []);
});

test("a faceted log y axis ticks and spans each panel's own values, even within one decade", () => {
  const faceted = [
    { workload: 'a', method: 'ppm', metric: 'requests', y: 30 },
    { workload: 'b', method: 'ppm', metric: 'requests', y: 90 },
    { workload: 'a', method: 'ppm', metric: 'zero pages', y: 32000 },
    { workload: 'b', method: 'ppm', metric: 'zero pages', y: 43000 },
  ];
  const figure = groupedBar(faceted, { ...spec, x: 'workload', facet: 'metric', logY: true });
  const axes = figure.layout as Record<string, Record<string, unknown>>;
  // 30..90: ticks 10, 20, 50, 100; 32,000..43,000: 10,000, 20,000, 50,000 (the decade below to the first above)
  assert.deepEqual(axes.yaxis.tickvals, [10, 20, 50, 100]);
  assert.deepEqual(axes.yaxis.range, [1, 2]);
  assert.deepEqual(axes.yaxis2.tickvals, [10000, 20000, 50000]);
  assert.deepEqual(axes.yaxis2.range, [4, Math.log10(50000)]);
});

test('interval columns become error bars; ticks are plain numbers, log y ticks written in full', () => {
  const withRange = [
    { workload: 'a', method: 'ppm', y: 5, lo: 4, hi: 8 },
    { workload: 'b', method: 'ppm', y: 2000, lo: 2000, hi: 2100 },
  ];
  const figure = groupedBar(withRange, {
    ...spec,
    x: 'workload',
    yLow: 'lo',
    yHigh: 'hi',
    logY: true,
    yTickFormat: '.0%',
  });
  assert.deepEqual(figure.data[0].error_y, {
    type: 'data',
    symmetric: false,
    thickness: 1.5,
    width: 3,
    array: [3, 100],
    arrayminus: [1, 0],
  });
  const yaxis = (figure.layout as Record<string, Record<string, unknown>>).yaxis;
  assert.deepEqual(yaxis.ticktext, ['1', '2', '5', '10', '20', '50', '100', '200', '500', '1,000', '2,000', '5,000']);
  assert.equal(yaxis.exponentformat, 'none');
  assert.equal(yaxis.tickformat, '.0%');
  assert.equal(groupedBar(rows, { ...spec, x: 'workload' }).data[0].error_y, undefined);
});

test('tables show words for the columns that have a label, and can fold away', () => {
  const html = tableHtml([{ networkFaults: 1821, method: 'ppm' }], ['method', 'networkFaults'], {
    labels: { networkFaults: 'network faults (count)' },
  });
  assert.match(html, /<th>method<\/th><th>network faults \(count\)<\/th>/);
  assert.match(html, /<td>1,821<\/td>/);
  const folded = tableHtml([{ a: 1 }], ['a'], { collapsed: 'All 150 rows' });
  assert.match(folded, /^<details><summary>All 150 rows<\/summary><table/);
});

test('a cell with no value (NaN) shows a dash, and the notes under the table say why', () => {
  const html = tableHtml(
    [
      { w: 'strided', auc: NaN },
      { w: 'zipf', auc: 0.25 },
    ],
    ['w', 'auc'],
    {
      notes: ['auc – on strided: none is <dead>'],
    },
  );
  assert.match(html, /<td>strided<\/td><td>–<\/td>/);
  assert.match(html, /<td>zipf<\/td><td>0\.25<\/td>/);
  assert.doesNotMatch(html, /NaN/);
  assert.match(
    html,
    /<\/table>\n<p class="pcl-table-note"><small>auc – on strided: none is &lt;dead&gt;<\/small><\/p>$/,
  );
});

test('derived colours are stable and tell similar names apart', () => {
  assert.equal(colorFor('order 1'), colorFor('order 1'));
  assert.notEqual(colorFor('order 1'), colorFor('order 2'));
  assert.equal(colorFor('ppm'), '#d55e00');
});

test('a variant "NAME something" of a known method gets a lighter shade of its colour', () => {
  // ppm is #d55e00; 'p≥0.05' hashes to a share of white in {0.35, 0.45, 0.55, 0.65}
  const variant = colorFor('ppm p≥0.05');
  const channels = (hex: string) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  const lighter = (share: number) => channels('#d55e00').map((c) => Math.round(c + (255 - c) * share));
  assert.ok(
    [0.35, 0.45, 0.55, 0.65].some((share) => lighter(share).join() === channels(variant).join()),
    variant,
  );
  assert.equal(colorFor('ppm p≥0.05'), variant);
  assert.match(colorFor('unknown method'), /^hsl\(/);
});

test('the explorer embeds every cell and opens at the initial setting', () => {
  const cells = [1, 2].map((k) => ({ params: { k }, rows: [{ method: 'ppm', y: k }] }));
  const html = explorerHtml(cells, {
    axes: [{ key: 'k', label: 'k' }],
    metrics: [{ key: 'y', label: 'y (count)' }],
    series: 'method',
    initial: { k: 2 },
  });
  assert.match(html, /<option value="2" selected>2<\/option>/);
  assert.doesNotMatch(html, /<option value="1" selected>/);
  assert.match(html, /"cells":\[\{"params":\{"k":1\}/);
});

test("the explorer stores rows as arrays: notebook 06's grid (972 cells, 8 methods, 17 columns) fits in 1.5 MB", () => {
  const columns = ['method', ...Array.from({ length: 16 }, (_, i) => `metricNumber${i}Ms`)];
  const cells = Array.from({ length: 972 }, (_, c) => ({
    params: { workload: 'sqlite', bandwidthGbps: c % 3, rttUs: c % 7, k: c % 5, order: c % 2, push: 'restart' },
    rows: Array.from({ length: 8 }, (_, m) =>
      Object.fromEntries(
        columns.map((k, i) => [k, i === 0 ? `method-${m}` : Math.round((c * m * i * 1000) / 7) / 1000]),
      ),
    ),
  }));
  const axes = Object.keys(cells[0].params).map((key) => ({ key, label: key }));
  const html = explorerHtml(cells, { axes, metrics: [{ key: 'metricNumber1Ms', label: 'ms' }], series: 'method' });
  assert.ok(html.length < 1.5e6, `${html.length} bytes`);
});

test('frameRows turns a danfo-like frame (2-D or one column) into tidy rows', () => {
  assert.deepEqual(
    frameRows({
      columns: ['a', 'b'],
      values: [
        [1, 'x'],
        [2, 'y'],
      ],
    }),
    [
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ],
  );
  assert.deepEqual(frameRows({ columns: ['a'], values: [3, 4] }), [{ a: 3 }, { a: 4 }]);
});

test('staleImages: images of figures not in the list, nothing else', () => {
  const dir = tempDir('pcl-stale');
  for (const f of ['a.svg', 'a.png', 'old.svg', 'old.png', 'README.md', 'b.png']) writeFileSync(join(dir, f), '');
  assert.deepEqual(staleImages(dir, ['a', 'b']), ['old.png', 'old.svg']);
});
