/** `postcopy-lab sweep`: shards merge into exactly the rows of the whole sweep; bad shard sets are one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir';

const dir = tempDir('sweep-cli');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sweep', ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

const rowsOf = (file: string) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { rows: unknown }).rows;

/**
 * Runs sweep `name` on its notebook's workloads whole (to NAME.json) and as two shards merged (second shard given
 * first), checks the merged rows are the whole's, and returns the whole file.
 */
function wholeMatchesTwoShards(name: string): { workloads: string[]; rows: unknown[] } {
  assert.equal(cli(name, '--workers', '1', '-o', join(dir, `${name}.json`)).stderr, '');
  for (const i of [0, 1])
    assert.equal(cli(name, '--workers', '1', '--shard', `${i}/2`, '-o', join(dir, `${name}${i}.json`)).stderr, '');
  const shards = [1, 0].map((i) => join(dir, `${name}${i}.json`));
  assert.equal(cli('merge', ...shards, '-o', join(dir, `${name}-merged.json`)).stderr, '');
  assert.deepEqual(rowsOf(`${name}-merged.json`), rowsOf(`${name}.json`));
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
}

test('three shards, run apart and merged in any order, give the rows of the whole sweep', () => {
  // a synthetic kind's name stands for its five seeds: the shard files keep names only, merging must find them all
  const sweep = ['confidence', '--workloads', 'zipf,sqlite', '--workers', '1'];
  assert.equal(cli(...sweep, '-o', join(dir, 'whole.json')).code, 0);
  for (const i of [0, 1, 2])
    assert.equal(cli(...sweep, '--shard', `${i}/3`, '-o', join(dir, `part${i}.json`)).stderr, '');
  const merged = cli('merge', ...[2, 0, 1].map((i) => join(dir, `part${i}.json`)), '-o', join(dir, 'merged.json'));
  assert.equal(merged.code, 0, merged.stderr);
  assert.deepEqual(rowsOf('merged.json'), rowsOf('whole.json'));
  const rows = rowsOf('whole.json') as { workload: string; seed?: string }[];
  assert.equal(rows.length, (5 + 1) * 7);
  assert.deepEqual(
    [...new Set(rows.map((r) => `${r.workload} ${r.seed ?? ''}`))],
    [...['seed-1', 'seed-2', 'seed-3', 'seed-4', 'seed-5'].map((seed) => `zipf ${seed}`), 'sqlite '],
  );
  const whole = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8')) as { workloads: string[] };
  assert.deepEqual(whole.workloads, ['zipf', 'sqlite']);
});

test("by default a sweep runs its notebook's workloads (training: notebook 02's, 3 seeds); its shards merge", () => {
  const whole = wholeMatchesTwoShards('training');
  assert.deepEqual(whole.workloads, ['sequential', 'random', 'zipf', 'phased', 'sqlite', 'perl', 'bzip2', 'sort']);
  // notebook 02: the distinct kinds with three seeds each, then the four real traces; three training modes each
  const rows = rowsOf('training.json') as { workload: string; seed: string | null; training: string }[];
  assert.equal(rows.length, (4 * 3 + 4) * 3);
  assert.deepEqual([...new Set(rows.map((r) => `${r.workload} ${r.seed ?? ''}`))].slice(0, 4), [
    'sequential seed-1',
    'sequential seed-2',
    'sequential seed-3',
    'random seed-1',
  ]);
  // a shard of the default and one of --workloads naming the same workloads (five seeds) do not merge
  const chosen = ['--workloads', whole.workloads.join(','), '--workers', '1', '--shard', '1/2'];
  assert.equal(cli('training', ...chosen, '-o', join(dir, 'training-chosen1.json')).stderr, '');
  const mixed = cli(
    'merge',
    join(dir, 'training0.json'),
    join(dir, 'training-chosen1.json'),
    '-o',
    join(dir, 'x.json'),
  );
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /training-chosen1\.json belongs to another sweep than \S+training0\.json$/m);
});

test("sweep modes runs notebook 05's rows, makes its own zipf traces (no workload listed); shards merge; no --workloads", () => {
  const whole = wholeMatchesTwoShards('modes');
  // three seeds, each: 7 write shares x 3 modes, then post-copy without prefetch at the 7 write shares
  assert.deepEqual([whole.workloads, whole.rows.length], [[], 3 * (7 * 3 + 7)]);
  const rows = whole.rows as { method: string; seed: string }[];
  assert.deepEqual(
    [...new Set(rows.map((r) => `${r.seed} ${r.method}`))],
    ['seed-1', 'seed-2', 'seed-3'].flatMap((seed) =>
      ['precopy', 'postcopy', 'hybrid', 'postcopy, no prefetch'].map((m) => `${seed} ${m}`),
    ),
  );
  // the usage names what the file holds (it said {"sweep", "rows"})
  const keys = Object.keys(whole).map((key) => `"${key}"`);
  const usage = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sweep', '--help'], { encoding: 'utf8' });
  assert.match(usage.stdout, new RegExp(`writes \\{${keys.join(', ')}\\} as JSON`));
  const refused = cli('modes', '--workloads', 'zipf', '-o', join(dir, 'x.json'));
  assert.deepEqual(refused, {
    code: 2,
    stderr: 'postcopy-lab: sweep modes makes its own traces: --workloads does not apply\n',
  });
});

test('bad sweeps and shard sets exit 2 with one line naming the problem', () => {
  const part = (i: number) => join(dir, `part${i}.json`);
  const shard1 = readFileSync(part(1), 'utf8');
  /**
   * Part 0 (jobs 0, 3, ..., 45 of 48) with `change` made to its fields, as an edited or damaged file; `resealed`: its
   * results digest made anew, so that the checks after the digest's are reached.
   */
  const damaged = (
    name: string,
    change: (file: Record<string, unknown> & { results: unknown[][] }) => void,
    resealed = false,
  ) => {
    const file = JSON.parse(readFileSync(part(0), 'utf8')) as Record<string, unknown> & { results: unknown[][] };
    change(file);
    if (resealed) file.resultsDigest = createHash('sha256').update(JSON.stringify(file.results)).digest('hex');
    writeFileSync(join(dir, name), JSON.stringify(file));
    return join(dir, name);
  };
  const firstResult = (f: { results: unknown[][] }) => f.results[0][1] as Record<string, unknown>;
  const mergeWithParts12 = (file: string) => ['merge', file, part(1), part(2), '-o', join(dir, 'x.json')];
  const mergeAlone = (file: string) => ['merge', file, '-o', join(dir, 'x.json')];
  const cases: [string[], RegExp][] = [
    [['nope', '-o', join(dir, 'x.json')], /sweep takes one of .*got "nope"/],
    [['faults', '--shard', '3/3', '-o', join(dir, 'x.json')], /--shard must be I\/N with 0 <= I < N, got "3\/3"/],
    [['faults', '--shard', 'half', '-o', join(dir, 'x.json')], /--shard must be I\/N/],
    [['faults', '--shard', '0/99999999999999999999', '-o', join(dir, 'x.json')], /--shard must be I\/N/],
    [['faults', '-o', dir], /is a directory/],
    [
      ['faults', '--workloads', 'zipf,nothing', '-o', join(dir, 'x.json')],
      /unknown workload "nothing" \(have: sequential, strided, random, zipf, pointer-chase, phased, sqlite/,
    ],
    // a name given twice is refused as compare --prefetchers refuses one (it ran once, silently)
    [
      ['faults', '--workloads', 'sqlite,zipf,sqlite', '-o', join(dir, 'x.json')],
      /: --workloads names "sqlite" twice in "sqlite,zipf,sqlite"$/m,
    ],
    [['faults'], /missing required option --output/],
    [['merge', part(0), part(1), '-o', join(dir, 'x.json')], /shard 2 of 3 missing/],
    // a shard given twice is named, file by file, before the one missing (it said "shard 2 of 3 missing" only)
    [
      ['merge', part(0), part(1), part(0), '-o', join(dir, 'x.json')],
      /: \S+part0\.json is given twice \(shard 0 of 3\): give each shard once$/m,
    ],
    // a copy under another name: it said "4 files for 3 shards: a shard is given twice", naming neither
    [
      ['merge', part(0), part(1), part(2), damaged('copy0.json', () => {}), '-o', join(dir, 'x.json')],
      /: \S+part0\.json and \S+copy0\.json are both shard 0 of 3: give each shard once$/m,
    ],
    [['merge', join(dir, 'whole.json'), '-o', join(dir, 'x.json')], /not a shard file/],
    // the output one of the shards (here spelled otherwise): it was merged, then replaced by the merged rows
    [
      ['merge', part(0), part(1), part(2), '-o', `${dir}/./part1.json`],
      /: -o \S+\/\.\/part1\.json is the shard \S+part1\.json: the merge would replace it$/m,
    ],
    [['merge', join(dir, 'absent.json'), '-o', join(dir, 'x.json')], /no such file/],
    // damaged shard files: the first three crashed in the experiment's row code with a stack (exit 1)
    [
      mergeWithParts12(damaged('null.json', (f) => (f.results[0][1] = null))),
      /null\.json: a damaged shard file: result 0 is not job 0's/,
    ],
    // an entry that is no pair: it crashed with a TypeError and a stack (exit 1) when f8d733c read entry[0] first
    [
      mergeWithParts12(damaged('null-entry.json', (f) => (f.results[0] = null as unknown as unknown[]))),
      /null-entry\.json: a damaged shard file: result 0 is not job 0's$/m,
    ],
    [
      mergeWithParts12(damaged('number-entry.json', (f) => (f.results[2] = 7 as unknown as unknown[]))),
      /number-entry\.json: a damaged shard file: result 2 is not job 6's$/m,
    ],
    [
      mergeWithParts12(damaged('short.json', (f) => f.results.pop())),
      /a damaged shard file: 15 results where shard 0 of 3 has 16/,
    ],
    [
      mergeWithParts12(damaged('stray.json', (f) => (f.results[1][0] = 4))),
      /a damaged shard file: result 1 is not job 3's/,
    ],
    [
      mergeWithParts12(damaged('names.json', (f) => (f.workloads = null))),
      /a damaged shard file: workloads is not a list of names/,
    ],
    [
      mergeWithParts12(damaged('unchosen.json', (f) => delete f.chosenWorkloads)),
      /unchosen\.json: a damaged shard file: it does not say which workloads were chosen \(written by an older/,
    ],
    [
      mergeWithParts12(damaged('chosen.json', (f) => (f.chosenWorkloads = 'zipf'))),
      /chosen\.json: a damaged shard file: chosenWorkloads is neither null nor a list of names$/m,
    ],
    [
      mergeWithParts12(damaged('zero.json', (f) => (f.shards = 0))),
      /a damaged shard file: shards 0 is not a count of shards/,
    ],
    [
      mergeWithParts12(damaged('beyond.json', (f) => (f.shard = 3))),
      /a damaged shard file: shard 3 is not in \[0, 3\)/,
    ],
    // a result edited, or not an object of fields: rows of null (NaN) or of the edited numbers, exit 0
    [
      mergeWithParts12(damaged('array.json', (f) => (f.results[0][1] = [1, 2, 3]))),
      /array\.json: a damaged shard file: result 0 is not job 0's$/m,
    ],
    [
      mergeWithParts12(damaged('fields.json', (f) => (f.results[0][1] = {}))),
      /fields\.json: a damaged shard file: its results are not the ones written \(their digest differs\)$/m,
    ],
    [
      mergeWithParts12(damaged('edited.json', (f) => (firstResult(f).accesses = -5))),
      /edited\.json: a damaged shard file: its results are not the ones written/,
    ],
    [
      mergeWithParts12(damaged('unsealed.json', (f) => delete f.resultsDigest)),
      /unsealed\.json: a damaged shard file: it has no results digest \(written by an older postcopy-lab: run its/,
    ],
    // a long list of missing shards is cut (10^6 shards gave one 7.9 MB line), and a huge count makes no array
    [
      mergeAlone(
        damaged(
          'of12.json',
          (f) => ((f.shards = 12), (f.results = f.results.filter(([j]) => (j as number) % 12 === 0))),
          true,
        ),
      ),
      /^postcopy-lab: shards 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 1 more of 12 missing\n$/,
    ],
    [
      mergeAlone(damaged('huge.json', (f) => ((f.shards = 2 ** 53 - 1), (f.results = f.results.slice(0, 1))), true)),
      /shards 1, 2, .*, 10 and 9007199254740980 more of 9007199254740991 missing/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal(readFileSync(part(1), 'utf8'), shard1, 'a shard named as the output is left as it was');
});

test('-o naming an existing file no sweep wrote (a trace, notes) is refused and kept; its own outputs are replaced', () => {
  const trace = join(dir, 'sort.trace.gz');
  copyFileSync(join('datasets', 'sort.trace.gz'), trace);
  const notes = join(dir, 'notes.txt');
  writeFileSync(notes, 'my notes\n');
  const before = [readFileSync(trace), readFileSync(notes)];
  // it wrote the rows over the trace (exit 0), and sweeps that read datasets/ then failed on it
  for (const args of [
    ['modes', '--workers', '1', '-o', trace],
    ['faults', '--workloads', 'sort', '--shard', '0/2', '-o', trace],
    ['merge', join(dir, 'modes0.json'), join(dir, 'modes1.json'), '-o', notes],
  ]) {
    const r = cli(...args);
    const named = args.at(-1)!;
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(
      r.stderr,
      `postcopy-lab: -o ${named} exists and no sweep wrote it (it does not begin {"sweep":): a sweep replaces only ` +
        'its own outputs; remove it or name another file\n',
    );
  }
  assert.deepEqual([readFileSync(trace), readFileSync(notes)], before);
  // a sweep's rows and an empty file are replaced (by a sweep, by a merge)
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '');
  for (const output of ['modes.json', 'empty.json']) {
    assert.equal(cli('modes', '--workers', '1', '-o', join(dir, output)).stderr, '', output);
    assert.equal((rowsOf(output) as unknown[]).length, 3 * (7 * 3 + 7));
  }
  assert.equal(
    cli('merge', join(dir, 'part0.json'), join(dir, 'part1.json'), join(dir, 'part2.json'), '-o', empty).code,
    0,
  );
});
