import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { predictionMetrics } from '../../src/prefetch';
import { loadTrace } from '../../src/trace';
import { tempDir } from '../temp-dir';

const dir = tempDir('predict-cli');
const tracePath = join(dir, 'hand.trace');
writeFileSync(tracePath, [0, 1, 2, 5, 3, 1, 9, 4].map((page, i) => `${i} ${page}`).join('\n') + '\n');

function predict(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'predict', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('predict --json prints the library metrics as one object', () => {
  const out = predict(
    '--trace',
    tracePath,
    '--predictor',
    'next-k',
    '--k',
    '2',
    '--lead',
    '3',
    '--switchover',
    '1',
    '--json',
  );
  assert.equal(out.code, 0, out.stderr);
  const json = JSON.parse(out.stdout) as Record<string, unknown>;
  const trace = loadTrace(tracePath);
  assert.deepEqual(json, {
    trace: trace.name,
    ...predictionMetrics(trace, 'next-k', { k: 2, lead: 3, switchover: 1 }),
  });
  assert.equal(json.historyAccesses, 1);
});

test('predict prints a table with every metric, passing ppm options through', () => {
  const out = predict(
    '--trace',
    tracePath,
    '--predictor',
    'ppm',
    '--order',
    '2',
    '--escape',
    'D',
    '--training',
    'online',
    '--symbols',
    'deltas',
    '--max-contexts',
    '10',
  );
  assert.equal(out.code, 0, out.stderr);
  for (const row of [
    'faults',
    'faults without prefetch',
    'prefetch issued',
    'prefetch used',
    'accuracy',
    'coverage',
    'top-k hit rate',
    'late prefetches',
    'model size',
  ]) {
    assert.match(out.stdout, new RegExp(`^${row} +\\S`, 'm'), row);
  }
  assert.match(out.stdout, /^predictor +ppm \(k = 8, lead = 0\)$/m);
});

test('predict shows no k for none, which reads none: null in --json, a dash in the text (it printed 8)', () => {
  const json = predict('--trace', tracePath, '--predictor', 'none', '--switchover', '1', '--json');
  assert.equal(json.code, 0, json.stderr);
  const metrics = JSON.parse(json.stdout) as { predictor: string; k: unknown; faults: number };
  assert.deepEqual([metrics.predictor, metrics.k, metrics.faults], ['none', null, 6]);
  const text = predict('--trace', tracePath, '--predictor', 'none', '--switchover', '1');
  assert.match(text.stdout, /^predictor +none \(k = –, lead = 0\)$/m);
});

test('predict: user mistakes exit with code 2 and one line on stderr', () => {
  const cases: [string[], RegExp][] = [
    [['--trace', tracePath, '--predictor', 'lru'], /unknown predictor "lru" \(known: none, next-k/],
    [['--trace', tracePath, '--predictor', 'ppm', '--k=-1'], /--k must be between 0 and/],
    [['--trace', tracePath, '--predictor', 'ppm', '--order', '0'], /--order must be between 1 and/],
    [['--trace', join(dir, 'missing.trace'), '--predictor', 'ppm'], /missing\.trace: no such file/],
    [['--trace', tracePath, '--predictor', 'ppm', '--escape', 'B'], /--escape must be one of A, C, D/],
    [
      ['--trace', tracePath, '--predictor', 'ppm', '--max-contexts', '2'],
      /^postcopy-lab: maxContexts \(--max-contexts\) must be at least order \(--order 3\) \+ 1 = 4 .*, got 2$/m,
    ],
    [['--trace', tracePath], /missing required option --predictor/],
    [['--predictor', 'ppm'], /missing the trace: --trace FILE or the argument FILE/],
    [['--trace', tracePath, '--predictor', 'ppm', '--switchover', 'soon'], /--switchover must be an instruction count/],
  ];
  for (const [args, pattern] of cases) {
    const r = predict(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
