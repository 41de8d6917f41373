import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPageSet, parsePageSet, resolveSimConfig, simulate } from '../../src/migration';
import { zeroPageFlags } from '../../src/migration/zero-pages';
import { UserError } from '../../src/errors';
import { makeTrace, summarizeTrace } from '../../src/trace';

const count = (flags: Uint8Array | undefined) => (flags ?? []).reduce((sum: number, f: number) => sum + f, 0);

test('zeroPageFlags: none, all, an explicit set, and a seeded share', () => {
  assert.equal(zeroPageFlags(10, 0, 's'), undefined);
  assert.equal(count(zeroPageFlags(10, 1, 's')), 10);
  assert.deepEqual([...zeroPageFlags(4, 0, 's', [1, 3])!], [0, 1, 0, 1]);
  const half = zeroPageFlags(1000, 0.5, 'seed-a')!;
  assert.deepEqual(half, zeroPageFlags(1000, 0.5, 'seed-a'), 'same seed, same pages');
  assert.notDeepEqual(half, zeroPageFlags(1000, 0.5, 'seed-b'));
  assert.equal(count(half), 509, 'pinned for seed-a');
  assert.equal(
    count(zeroPageFlags(1000, 0.5, 'seed-a', [0, 1, 2, 3])),
    509 + [0, 1, 2, 3].filter((p) => half[p] === 0).length,
  );
  // the same draw is reused by later calls (a sweep's runs): what one caller does to its flags stays its own
  zeroPageFlags(1000, 0.5, 'seed-a')!.fill(1);
  half.fill(0);
  assert.equal(count(zeroPageFlags(1000, 0.5, 'seed-a')), 509);
});

test('resolveSimConfig refuses zero pages beyond the VM or no page at all, naming the set, before any run', () => {
  // 21ce104 checked them only when the simulation was built (after the CLI's oracle pass), without the set's name
  const summary = summarizeTrace(makeTrace({ page: [0, 3, 1] }));
  const refused = (input: Parameters<typeof resolveSimConfig>[1], message: string) =>
    assert.throws(() => resolveSimConfig(summary, input), { name: 'UserError', message });
  refused(
    { zeroPages: [1, 4], zeroPagesName: 'z.txt' },
    "z.txt: zero page 4 is beyond the trace's VM of 4 pages (its largest page + 1): give a larger VM size " +
      '(vmPages; --vm-pages on the command line)',
  );
  refused(
    { zeroPages: [9, 2], vmPages: 8 },
    "zero page 9 is beyond the VM's 8 pages: give a larger VM size (vmPages; --vm-pages on the command line)",
  );
  refused({ zeroPages: [1.5], zeroPagesName: 'z.txt' }, 'z.txt: zero page 1.5 is not a page number');
  refused({ zeroPages: [-1] }, 'zero page -1 is not a page number');
  assert.equal(resolveSimConfig(summary, { zeroPages: [7], vmPages: 8 }).zeroPages![0], 7);
  // the library's whole-trace entry goes through it too
  assert.throws(() => simulate(makeTrace({ page: [0, 3, 1] }), { zeroPages: [4] }), UserError);
});

test('parsePageSet reads numbers and ranges; formatPageSet writes them back', () => {
  assert.deepEqual(parsePageSet('0-3 7\n# tail 8\n9,10'), [0, 1, 2, 3, 7, 9, 10]);
  assert.deepEqual(parsePageSet(''), []);
  assert.equal(formatPageSet([5, 0, 1, 2, 9, 2]), '0-2 5 9');
  assert.deepEqual(parsePageSet(formatPageSet([3, 4, 5, 8])), [3, 4, 5, 8]);
  for (const bad of ['x', '3-1', '-2', '1.5', '0-999999999999'])
    assert.throws(() => parsePageSet(bad, 'f'), UserError, bad);
});
