import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors';
import { LackeyConverter, type LackeyOptions, type Trace } from '../../src/trace';
import { MAX_LINE_BYTES } from '../../src/trace/text';

/**
 * A hand-made lackey log. With a window of 2 pages, by hand:
 *   I           clock 1
 *   L 0x401008  page 0x401 miss -> keep (1, 0x401, R); window [401]
 *   S 0x401010  page 0x401 hit  -> dropped
 *   I           clock 2
 *   M 0x7ff000ff8 page 0x7ff000 miss -> keep (2, 0x7ff000, W); window [401, 7ff000]
 *   L 0x500000  page 0x500 miss -> keep (2, 0x500, R); window [7ff000, 500], 0x401 evicted
 *   I           clock 3
 *   L 0x401fff  page 0x401 miss (it fell out) -> keep (3, 0x401, R); window [500, 401]
 *   S 0x500abc  page 0x500 hit  -> dropped
 * Dense frames in address order: 0x401 -> 0, 0x500 -> 1, 0x7ff000 -> 2.
 */
const LOG = [
  '==42== Lackey, an example Valgrind tool',
  'I  00400000,3',
  ' L 00401008,8',
  ' S 00401010,8',
  'I  00400003,2',
  ' M 7ff000ff8,8',
  ' L 00500000,4',
  'I  00400005,4',
  ' L 00401fff,1',
  ' S 00500abc,4',
  '==42== ',
].join('\n');

function convert(
  text: string,
  opts: LackeyOptions,
  pieceSize = text.length,
): { trace: Trace; converter: LackeyConverter } {
  const converter = new LackeyConverter(opts);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += pieceSize) converter.feed(bytes.subarray(i, i + pieceSize));
  return { trace: converter.finish(), converter };
}

test('LRU miss stream, instruction clock and dense remap match the hand computation', () => {
  for (const pieceSize of [LOG.length, 7, 1]) {
    const { trace, converter } = convert(LOG, { lruPages: 2, name: 'hand' }, pieceSize);
    assert.deepEqual(Array.from(trace.time), [1, 2, 2, 3]);
    assert.deepEqual(Array.from(trace.page), [0, 2, 1, 0]);
    assert.deepEqual(Array.from(trace.write), [0, 1, 0, 0]);
    assert.equal(converter.instructions, 3);
    assert.equal(converter.rawAccesses, 6);
    assert.equal(trace.name, 'hand');
    assert.equal(trace.pageSize, 4096);
  }
});

test('a window of 0 keeps every data access; the default window of 64 keeps only first touches here', () => {
  const all = convert(LOG, { lruPages: 0 }).trace;
  // all six data records: pages 401,401,7ff000,500,401,500 -> frames 0,0,2,1,0,1
  assert.deepEqual(Array.from(all.page), [0, 0, 2, 1, 0, 1]);
  assert.deepEqual(Array.from(all.write), [0, 1, 1, 0, 0, 1]);
  assert.deepEqual(Array.from(all.time), [1, 1, 2, 2, 3, 3]);
  const wide = convert(LOG, {}).trace;
  assert.deepEqual(Array.from(wide.page), [0, 2, 1]);
});

test('instruction fetches count as reads when asked', () => {
  // window 2 with fetches: I 0x400 miss (1), L 0x401 miss (1), S hit, I 0x400 hit, M 0x7ff000 miss (2) evicts 0x401,
  // L 0x500 miss (2) evicts 0x400, I 0x400 miss (3) evicts 0x7ff000, L 0x401 miss (3) evicts 0x500, S 0x500 miss (3)
  const { trace } = convert(LOG, { lruPages: 2, includeInstructionFetches: true });
  // frames: 0x400 -> 0, 0x401 -> 1, 0x500 -> 2, 0x7ff000 -> 3
  assert.deepEqual(Array.from(trace.page), [0, 1, 3, 2, 0, 1, 2]);
  assert.deepEqual(Array.from(trace.time), [1, 1, 2, 2, 3, 3, 3]);
  assert.deepEqual(Array.from(trace.write), [0, 0, 1, 0, 0, 0, 1]);
});

test('a 64-bit address keeps its exact page number', () => {
  const { trace } = convert('I  00400000,3\n L ffffffffffff1234,8\n L 0000000000001234,8\n', { lruPages: 0 });
  // pages 0xffffffffffff1 and 0x1: address order puts 0x1 first
  assert.deepEqual(Array.from(trace.page), [1, 0]);
});

test('malformed records are rejected with the line number', () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(
      () => convert(text, {}),
      (err: unknown) => err instanceof UserError && pattern.test(err.message),
    );
  bad('I  00400000,3\n L 0040zz00,8\n', /lackey line 2: bad hex address/);
  bad('I  00400000,3\n S 00400000\n', /lackey line 2: expected 'ADDRESS,SIZE'/);
  assert.throws(() => new LackeyConverter({ lruPages: -1 }), /LRU window must be a whole number >= 0/);
});

test('input without line ends is refused once a line outgrows any record, not held whole', () => {
  const converter = new LackeyConverter();
  converter.feed(Buffer.from('I  00400000,3\n'));
  const piece = Buffer.alloc(1 << 16, 0x30);
  assert.throws(
    () => {
      for (let fed = 0; fed <= MAX_LINE_BYTES; fed += piece.length) converter.feed(piece);
    },
    (err: unknown) =>
      err instanceof UserError && err.message === `lackey line 2: line longer than ${MAX_LINE_BYTES} bytes`,
  );
});
