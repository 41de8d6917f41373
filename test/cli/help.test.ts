/**
 * Every command's --help: exit 0, the usage on standard output and nothing on standard error, each line within 120
 * columns (a longer one wraps in a terminal mid-word: predict's list of predictors was 174, simulate's --fault-cost
 * 125). Runs the compiled dist/cli.js, so `npm run build` before running it alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, resolve } from 'node:path';
import { HEAP_NODE_FLAGS } from '../../src/util/young-generation';

const CLI = resolve('dist/cli.js');
const COMMANDS = [
  [],
  ['trace'],
  ['predict'],
  ['simulate'],
  ['compare'],
  ['sweep'],
  ['sweep', 'merge'],
  ['qemu'],
  ['whatif'],
];

test('every --help is exit 0, its usage on standard output, no line over 120 columns', () => {
  for (const command of COMMANDS) {
    const r = spawnSync(process.execPath, [CLI, ...command, '--help'], { encoding: 'utf8' });
    const name = ['postcopy-lab', ...command].join(' ');
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stderr, '', name);
    assert.match(r.stdout, /^usage:/, name);
    const long = r.stdout.split('\n').filter((line) => [...line].length > 120);
    assert.deepEqual(long, [], `${name}: lines over 120 columns`);
  }
});

test('simulate and compare --help name every predictor their --prefetcher(s) take, as predict --help does', () => {
  // simulate's said only "predictor sending pages with each faulted page (default none)"
  const names = ['none', 'next-k', 'readahead', 'bubbling', 'ppm', 'ppm-hybrid-dirty', 'random-k', 'oracle'];
  for (const command of ['predict', 'simulate', 'compare']) {
    const usage = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' }).stdout;
    const listed = new Set(usage.split(/[\s,]+/));
    assert.deepEqual(
      names.filter((name) => !listed.has(name)),
      [],
      `${command} --help`,
    );
  }
});

// simulate runs without --prefetcher (none, as its line says), but its usage line showed the flag as required
test('a flag with a default is in brackets on the usage line: simulate [--prefetcher NAME], qemu migrate [--workload]', () => {
  const usage = (...command: string[]) =>
    spawnSync(process.execPath, [CLI, ...command, '--help'], { encoding: 'utf8' }).stdout.split('\n');
  assert.match(
    usage('simulate')[0],
    /^usage: postcopy-lab simulate \[--trace\] FILE \[--prefetcher NAME\] \[options\]$/,
  );
  assert.match(usage('simulate').join('\n'), /--prefetcher NAME .*\(default none\)/);
  assert.match(usage('qemu')[0], /^usage: postcopy-lab qemu migrate \[--workload /);
});

test("sweep merge --help is merge's own usage, not the sweep's", () => {
  const usage = spawnSync(process.execPath, [CLI, 'sweep', 'merge', '--help'], { encoding: 'utf8' }).stdout;
  // it printed the sweep's: NAME, --workloads, --shard, --workers, then merge's line last
  assert.match(usage, /^usage:\n  postcopy-lab sweep merge SHARD_FILE\.\.\. -o FILE\n/);
  assert.doesNotMatch(usage, /--workloads|sweep NAME \[/);
  assert.match(usage, /a shard given twice or\s+missing/);
});

test('the command list names each qemu command (it named migrate alone; compare needs no QEMU)', () => {
  const usage = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
  assert.match(usage, /^ {2}qemu {7}qemu migrate\|validate\|compare: /m);
});

test("the bin runs by its shebang, node with the sweeps' young generation (as npx postcopy-lab runs it)", () => {
  const shebang = readFileSync(CLI, 'utf8').split('\n', 1)[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${HEAP_NODE_FLAGS.join(' ')}`);
  // this node first on PATH: env finds it by name
  const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  const r = spawnSync(CLI, ['--help'], { encoding: 'utf8', env: { ...process.env, PATH } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage:/);
});

test('a command or subcommand left out is a usage error: exit 2, one line naming what is missing, no usage', () => {
  // postcopy-lab, trace, sweep and qemu alone printed their usage with exit 0, which a script takes for done
  const cases: [string[], RegExp][] = [
    [[], /^postcopy-lab: missing the command \(usage: postcopy-lab <command> \[options\]; commands: trace, predict/],
    [['trace'], /^postcopy-lab: missing the trace subcommand \(gen, convert, stats; --help describes them\)$/m],
    [['sweep'], /^postcopy-lab: sweep takes one NAME \(faults, predictors, /],
    [['qemu'], /^postcopy-lab: missing the qemu command \(known: migrate, compare, validate\)$/m],
  ];
  for (const [command, message] of cases) {
    const r = spawnSync(process.execPath, [CLI, ...command], { encoding: 'utf8' });
    const name = ['postcopy-lab', ...command].join(' ');
    assert.deepEqual([r.status, r.stdout], [2, ''], name);
    assert.match(r.stderr, message, name);
    assert.equal(r.stderr.split('\n').length, 2, name);
  }
});
