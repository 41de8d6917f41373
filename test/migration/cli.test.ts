import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulate } from '../../src/migration';
import { generateTrace, saveTrace, switchoverAtFraction } from '../../src/trace';
import { tempDir } from '../temp-dir';

const dir = tempDir('migration-cli');
const small = join(dir, 'small.trace');
writeFileSync(small, '0 0\n100 0\n300 1 W\n1000 2\n');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FIELDS = [
  'networkFaults',
  'latePrefetches',
  'pagesSent',
  'prefetchIssued',
  'prefetchUsed',
  'downtimeMs',
  'stallMs',
  'totalMigrationMs',
  'bytesSent',
];
const SLOW = [
  '--bandwidth',
  '1mbit',
  '--rtt',
  '400us',
  '--overhead',
  '61',
  '--page-size',
  '64',
  '--cpu-state',
  '189',
  '--switchover-cost',
  '0.5ms',
  '--ips',
  '1e6',
];

test('simulate --json prints one object with the documented fields (the hand-worked example)', () => {
  const r = cli(
    'simulate',
    '--trace',
    small,
    '--mode',
    'postcopy',
    '--prefetcher',
    'none',
    '--push',
    'off',
    ...SLOW,
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Record<string, number>;
  for (const field of FIELDS) assert.equal(typeof json[field], 'number', field);
  assert.deepEqual([json.networkFaults, json.downtimeMs, json.stallMs, json.totalMigrationMs], [3, 2.7, 4.2, 7.9]);
});

test('compare and simulate stream the file and give the in-memory numbers, the oracle and hybrid mode included', () => {
  const trace = generateTrace('phased', { seed: 'cli-stream', accesses: 30_000, pages: 2000, writeRatio: 0.2 });
  const path = join(dir, 'phased.pctrace.gz');
  saveTrace(trace, path);
  const switchover = switchoverAtFraction(trace, 0.3);
  for (const mode of ['postcopy', 'hybrid'] as const) {
    // hybrid: a slow VM cut over to post-copy mid-round, so that the oracle has faults to answer
    const hybrid = mode === 'hybrid' ? ['--ips', '100000', '--postcopy-after', '20ms'] : [];
    const settings = ['--switchover', '30%', '--mode', mode, ...hybrid, '--json'];
    const out = cli('compare', '--trace', path, '--prefetchers', 'none,ppm,oracle', ...settings);
    assert.equal(out.code, 0, out.stderr);
    const extra = mode === 'hybrid' ? { instructionsPerSecond: 1e5, postcopyAfterMs: 20 } : {};
    const expected = (['none', 'ppm', 'oracle'] as const).map((predictor) =>
      simulate(trace, { predictor, mode, switchover, ...extra }),
    );
    assert.ok(expected[2].networkFaults > 0, mode);
    // every field the simulator's, but none's k, which its run never read: null (it printed the default 8)
    assert.deepEqual(JSON.parse(out.stdout), [{ ...expected[0], k: null }, ...expected.slice(1)], mode);
    const one = cli('simulate', '--trace', path, '--prefetcher', 'oracle', ...settings);
    assert.deepEqual(JSON.parse(one.stdout), expected[2], mode);
  }
});

test('simulate prints a table; compare puts predictors side by side and --json gives an array', () => {
  const table = cli('simulate', '--trace', 'datasets/sqlite.trace.gz', '--prefetcher', 'next-k', '--k', '4');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /networkFaults\s+\d+\n/);
  const side = cli('compare', '--trace', 'datasets/sqlite.trace.gz', '--prefetchers', 'none,next-k', '--push', 'off');
  assert.equal(side.code, 0, side.stderr);
  assert.match(side.stdout, /predictor\s+none\s+next-k\n/);
  // none reads no k: a dash, as the what-if page shows it (it printed 8, the default it never used)
  assert.match(side.stdout, /^k\s+–\s+8\n/m);
  const json = cli('compare', '--trace', small, '--prefetchers', 'none,next-k', '--json', '--switchover', '50%');
  const results = JSON.parse(json.stdout) as { predictor: string; accesses: number; k: number | null }[];
  assert.deepEqual(
    results.map((r) => [r.predictor, r.accesses, r.k]),
    [
      ['none', 2, null],
      ['next-k', 2, 8],
    ],
  );
  const one = cli('simulate', small, '--json', '--switchover', '50%');
  assert.equal((JSON.parse(one.stdout) as { k: unknown }).k, null, 'simulate of none (the default)');
});

test('simulate: a VM larger than the trace with zero pages (drawn and from a file), fault cost and restart push', () => {
  const zeroFile = join(dir, 'zero.txt');
  writeFileSync(zeroFile, '# pages 3 to 9 are zero\n3-9\n');
  const args = [
    'simulate',
    '--trace',
    small,
    '--push',
    'restart',
    '--vm-pages',
    '1000',
    '--fault-cost',
    '150us',
    '--json',
  ];
  const drawn = JSON.parse(cli(...args, '--zero-share', '0.5', '--zero-seed', 'cli').stdout) as Record<string, number>;
  assert.equal(drawn.pagesSent, 1000);
  assert.ok(drawn.zeroPagesSent > 400 && drawn.zeroPagesSent < 600);
  assert.equal(
    drawn.bytesSent,
    (1000 - drawn.zeroPagesSent) * (4096 + 64) + drawn.zeroPagesSent * 64 + 256 * 1024 + 64,
  );
  const listed = JSON.parse(cli(...args, '--zero-pages', zeroFile).stdout) as Record<string, number>;
  assert.equal(listed.zeroPagesSent, 7);
});

test('bad input exits with code 2 and one line on stderr', () => {
  const empty = join(dir, 'empty.trace');
  writeFileSync(empty, '');
  const beyondVm = join(dir, 'beyond-vm.txt');
  writeFileSync(beyondVm, '0-3 99\n');
  const cases: [string[], RegExp][] = [
    [['simulate', '--trace', small, '--prefetcher', 'crystal-ball'], /unknown predictor "crystal-ball"/],
    [['simulate', '--trace', small, '--bandwidth', '0'], /--bandwidth must be between 1 and/],
    [['simulate', '--trace', small, '--bandwidth', '-1gbit'], /--bandwidth must be between 1 and/],
    [['simulate', '--trace', small, '--rtt', '-5us'], /--rtt must be between 0 and/],
    [['simulate', '--trace', empty], /is empty/],
    [['simulate', '--trace', small, '--vm-pages', '2'], /touches page 2, beyond the VM's 2 pages/],
    [['simulate', '--trace', join(dir, 'missing.trace')], /missing\.trace: no such file/],
    [['simulate', '--prefetcher', 'none'], /missing the trace: --trace FILE or the argument FILE/],
    [['simulate', '--trace', small, '--mode', 'teleport'], /--mode must be one of/],
    [['compare', '--trace', small], /missing required option --prefetchers/],
    [['compare', '--trace', small, '--prefetchers', 'none,bogus'], /unknown predictor "bogus"/],
    [
      ['simulate', '--trace', small, '--rate-window', '100ms', '--peak-bandwidth', '1mbit'],
      /peak bandwidth must be at least the bandwidth/,
    ],
    [['simulate', '--trace', small, '--zero-share', '1.5'], /--zero-share must be between 0 and 1/],
    [['simulate', '--trace', small, '--fault-cost', '-3us'], /--fault-cost must be between 0 and/],
    [['simulate', '--trace', small, '--zero-pages', join(dir, 'none.txt')], /none\.txt: no such file/],
    [['simulate', '--trace', small, '--zero-pages', small], /is not a page number or a range/],
    [['simulate', '--trace', small, '--zero-pages', dir], /not a regular file/],
    // a page beyond the VM: the message named no file ("zero page 99 is not a page of the VM's 8 pages")
    [
      ['simulate', '--trace', small, '--zero-pages', beyondVm],
      /: \S+beyond-vm\.txt: zero page 99 is beyond the trace's VM of \d+ pages \(its largest page \+ 1\): give a larger/,
    ],
    [
      ['compare', small, '--prefetchers', 'none,oracle', '--vm-pages', '64', '--zero-pages', beyondVm],
      new RegExp(
        String.raw`: \S+beyond-vm\.txt: zero page 99 is beyond the VM's 64 pages: give a larger VM size ` +
          String.raw`\(vmPages; --vm-pages on the command line\)$`,
        'm',
      ),
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
