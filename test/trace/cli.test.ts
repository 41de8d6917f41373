import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateTrace, loadTrace, saveTrace, traceStats } from '../../src/trace';
import { tempDir } from '../temp-dir';

const dir = tempDir('trace-cli');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'trace', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('trace gen writes the same bytes for the same seed, and convert/stats read them', () => {
  const a = join(dir, 'a.pctrace');
  const b = join(dir, 'b.pctrace');
  const args = [
    'gen',
    'zipf',
    '--seed',
    'cli',
    '--accesses',
    '500',
    '--pages',
    '40',
    '--write-ratio',
    '0.5',
    '--zipf-exponent',
    '1.2',
  ];
  assert.equal(cli(...args, '-o', a).code, 0);
  assert.equal(cli(...args, '-o', b).code, 0);
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  const text = join(dir, 'a.trace');
  assert.equal(cli('convert', a, text).code, 0);
  assert.deepEqual(Array.from(loadTrace(text).page), Array.from(loadTrace(a).page));
  const stats = cli('stats', text, '--json');
  assert.equal(stats.code, 0);
  const json = JSON.parse(stats.stdout) as Record<string, unknown>;
  assert.equal(json.accesses, 500);
  for (const field of ['distinctPages', 'footprintMiB', 'writeShare', 'reuseDistance', 'pageHistogram'])
    assert.ok(field in json, field);
});

test('trace stats prints the hand-checked numbers of a small file', () => {
  const path = join(dir, 'hand.trace');
  writeFileSync(path, '0 1\n10 2 W\n10 1\n20 3\n30 2 W\n35 1\n');
  const out = cli('stats', path);
  assert.equal(out.code, 0);
  assert.match(out.stdout, /accesses {8}6\n/);
  assert.match(out.stdout, /distinct pages {2}3\n/);
  assert.match(out.stdout, /write share {5}0\.3333/);
});

test('user mistakes exit with code 2 and one line on stderr', () => {
  const bad = join(dir, 'bad.trace');
  writeFileSync(bad, '1 2\n3 x\n');
  const cases: [string[], RegExp][] = [
    [['stats', bad], /bad\.trace:2: page must be a decimal whole number, got "x"/],
    [['stats', join(dir, 'missing.trace')], /missing\.trace: no such file/],
    [
      ['gen', 'spiral', '--seed', '1', '--accesses', '5', '--pages', '5', '-o', join(dir, 'x.trace')],
      /unknown generator "spiral"/,
    ],
    [
      ['gen', 'random', '--seed', '1', '--accesses', '5', '--pages', '0', '-o', join(dir, 'x.trace')],
      /--pages must be between 1 and/,
    ],
    [
      ['gen', 'random', '--accesses', '5', '--pages', '5', '-o', join(dir, 'x.trace')],
      /missing required option --seed/,
    ],
    [
      [
        'gen',
        'random',
        '--seed',
        '1',
        '--accesses',
        '5',
        '--pages',
        '5',
        '--write-ratio',
        '2',
        '-o',
        join(dir, 'x.trace'),
      ],
      /--write-ratio must be between 0 and 1/,
    ],
    [['convert', bad], /missing the output file: .*\(usage: postcopy-lab trace convert \[--trace\] IN \[-o\] OUT\)$/m],
    [['shuffle'], /unknown trace subcommand "shuffle"/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('gen, convert and stats stream (several chunks) and give the bytes and numbers of the in-memory functions', () => {
  const options = { seed: 's', accesses: 150_000, pages: 3000, writeRatio: 0.2 };
  const streamed = join(dir, 'streamed.pctrace');
  assert.equal(
    cli(
      'gen',
      'phased',
      '--seed',
      's',
      '--accesses',
      '150000',
      '--pages',
      '3000',
      '--write-ratio',
      '0.2',
      '-o',
      streamed,
    ).code,
    0,
  );
  const inMemory = join(dir, 'in-memory.pctrace');
  saveTrace(generateTrace('phased', options), inMemory);
  assert.ok(readFileSync(streamed).equals(readFileSync(inMemory)));
  const text = join(dir, 'streamed.trace.gz');
  assert.equal(cli('convert', streamed, text).code, 0);
  assert.deepEqual(Array.from(loadTrace(text).page), Array.from(loadTrace(inMemory).page));
  for (const path of [streamed, text]) {
    const out = cli('stats', path, '--json');
    assert.equal(out.code, 0);
    assert.deepEqual(JSON.parse(out.stdout), JSON.parse(JSON.stringify(traceStats(loadTrace(path)))));
  }
});

test('the output format follows the extension in any case: OUT.PCTRACE is binary, OUT.Trace.GZ gzipped text', () => {
  const a = join(dir, 'a.pctrace');
  const args = ['gen', 'random', '--seed', 'case', '--accesses', '50', '--pages', '10'];
  assert.equal(cli(...args, '-o', a).code, 0);
  // the upper-case names were written as plain text, without a word
  const outputs = ['UP.PCTRACE', 'up.PcTrace.GZ', 'up.trace.GZ'].map((name) => join(dir, name));
  for (const path of outputs) assert.equal(cli('convert', a, path).code, 0, path);
  const [binary, binaryGzip, textGzip] = outputs.map((path) => readFileSync(path));
  assert.ok(binary.equals(readFileSync(a)));
  assert.ok(gunzipSync(binaryGzip).equals(readFileSync(a)));
  assert.match(gunzipSync(textGzip).toString(), /^# postcopy-lab trace\n/);
  for (const path of outputs) assert.deepEqual(Array.from(loadTrace(path).page), Array.from(loadTrace(a).page));
  assert.equal(loadTrace(outputs[0]).name, loadTrace(a).name);
});
