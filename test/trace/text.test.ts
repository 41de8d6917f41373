import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/errors';
import { TextTraceParser } from '../../src/trace/text';
import { TraceBuilder } from '../../src/trace/make';
import { formatTextTrace, generateTrace, parseTextTrace, type Trace } from '../../src/trace';

const encode = (text: string) => new TextEncoder().encode(text);

/** Parses `bytes` fed in pieces of `size` bytes (the last piece shorter). */
function parseInPieces(bytes: Uint8Array, size: number): Trace {
  const builder = new TraceBuilder();
  const parser = new TextTraceParser('t.trace', builder);
  for (let at = 0; at < bytes.length; at += size) parser.feed(bytes.subarray(at, at + size));
  parser.finish();
  return builder.finish(parser.pageSize, parser.name);
}

function columns(trace: Trace): number[][] {
  return [Array.from(trace.time), Array.from(trace.page), Array.from(trace.write)];
}

const ODD =
  '\uFEFF# page-size: 8192\r\n# name: odd one\r\n\r\n12\r\n 5\t10 W \r\n7 3\r\n  \t\n8\t\t4 r\r\n# late comment\n9 4294967295 w\n9 0';

test('CRLF, a BOM, tabs, blank and comment lines, lower-case kinds and no final line end', () => {
  const trace = parseTextTrace(encode(ODD), 'odd.trace');
  // the lone page gets time 0, its index among the accesses
  assert.deepEqual(columns(trace), [
    [0, 5, 7, 8, 9, 9],
    [12, 10, 3, 4, 4294967295, 0],
    [0, 1, 0, 0, 1, 0],
  ]);
  assert.equal(trace.pageSize, 8192);
  assert.equal(trace.name, 'odd one');
});

test('any chunking gives the same accesses: lines, CR and LF split across chunks, a BOM split in three', () => {
  const bytes = encode(ODD);
  const whole = columns(parseTextTrace(bytes, 't.trace'));
  for (const size of [1, 2, 3, 5, 7, 16, bytes.length])
    assert.deepEqual(columns(parseInPieces(bytes, size)), whole, `pieces of ${size}`);
  // a line split exactly between its CR and LF
  const crlf = encode('1 2\r\n3 4\r\n');
  const builder = new TraceBuilder();
  const parser = new TextTraceParser('t.trace', builder);
  parser.feed(crlf.subarray(0, 4));
  parser.feed(crlf.subarray(4));
  parser.finish();
  assert.deepEqual(columns(builder.finish(4096, 't')), [
    [1, 3],
    [2, 4],
    [0, 0],
  ]);
});

test('a generated trace formats and parses back in pieces of any size, identically', () => {
  const trace = generateTrace('zipf', { seed: 'text', accesses: 3000, pages: 1 << 20, writeRatio: 0.4 });
  const bytes = formatTextTrace(trace);
  const expected = columns(trace);
  for (const size of [1, 13, 4096, 65536])
    assert.deepEqual(columns(parseInPieces(bytes, size)), expected, `pieces of ${size}`);
  assert.equal(parseInPieces(bytes, 4096).name, trace.name);
});

test("a name's control characters are written escaped, on one line: no ESC reaches a terminal showing the file", () => {
  const generated = generateTrace('sequential', { seed: 1, accesses: 2, pages: 2 });
  const text = new TextDecoder().decode(formatTextTrace({ ...generated, name: 'a\x1b[31mred\x07\tb\r\nc\x7f\x9b' }));
  const shown = 'a\\u001b[31mred\\u0007 b c\\u007f\\u009b';
  assert.equal(text.split('\n')[1], `# name: ${shown}`);
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  assert.equal(parseTextTrace(text, 't.trace').name, shown);
});

test('bad lines name the line even when split across chunks; a line end never found is refused', () => {
  const reject = (text: string, size: number, pattern: RegExp) =>
    assert.throws(
      () => parseInPieces(encode(text), size),
      (err: unknown) => err instanceof UserError && pattern.test(err.message),
    );
  reject('1 2\n3 4\n5 x\n', 3, /^t\.trace:3: page must be a decimal whole number, got "x"$/);
  reject('1 2\n\n3 4 Q', 1, /^t\.trace:3: kind must be R or W, got "Q"$/);
  reject('1 2\n12345678901234567890 1\n', 5, /^t\.trace:2: time 12345678901234567890 is larger than 9007199254740991$/);
  reject('1 2\r\n3\r4\n', 2, /^t\.trace:2: a carriage return \(CR\) inside the line: lines must end in LF or CR LF,/);
  reject('1 2\n7 3 W\n1 0 0\n', 4, /^t\.trace:3: kind must be R or W, got "0"$/);
  reject('1 2\n\0', 1, /t\.trace: neither a text trace nor a postcopy-lab binary trace \(contains NUL bytes\)/);
  reject(`# ${'x'.repeat((1 << 20) + 10)}`, 65536, /^t\.trace:1: line longer than 1048576 bytes$/);
});

test("a lone page's time is its access index: when that goes back, the message says so (a time the file lacks)", () => {
  const reject = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseTextTrace(encode(text), 't.trace'),
      (err: unknown) => err instanceof UserError && pattern.test(err.message),
    );
  const fix = ': give every access line a time or none$';
  reject(
    '100 1\n5\n',
    new RegExp(
      `^t\\.trace:2: a line holding only a page takes its access index as its time, 1, before line 1's time 100${fix}`,
    ),
  );
  reject(
    '5\n5\n# c\n5\n\n5\n1 3\n',
    new RegExp(
      `^t\\.trace:7: time 1 is before 3, the access index line 6 takes as its time \\(it holds only a page\\)${fix}`,
    ),
  );
  // two timed lines keep the plain message; a mix whose indexes keep up with the times is fine
  reject('7\n9 1\n\n8 1\n', /^t\.trace:4: time 8 is before the previous access's time 9$/);
  assert.deepEqual(Array.from(parseTextTrace(encode('0 4\n5\n2 6\n'), 't.trace').time), [0, 1, 2]);
});

test('a string and its UTF-8 bytes parse the same', () => {
  assert.deepEqual(columns(parseTextTrace('1 2 W\n', 'a')), columns(parseTextTrace(encode('1 2 W\n'), 'a')));
});

test('lines ending in CR alone (classic Mac OS) are refused saying so, whatever the first line holds', () => {
  const CR_ALONE =
    /^t\.trace:1: a carriage return \(CR\) inside the line: lines must end in LF or CR LF, not in CR alone$/;
  const reject = (text: string, size: number) =>
    assert.throws(
      () => parseInPieces(encode(text), size),
      (err: unknown) => err instanceof UserError && CR_ALONE.test(err.message),
      JSON.stringify(text.slice(0, 40)),
    );
  // the message was "got 5 fields", "page must be a decimal whole number, got '0 10'" (the CR shown as a space)
  reject('0 0\r10 1\r20 2 W\r', 3);
  reject('0 0\r10 1\r', 4);
  reject('0 0 W\r10 1 W\r', 4);
  // a header comment first: one comment line, an empty trace without a word
  reject('# postcopy-lab trace\r# name: x\r0 0\r10 1\r', 7);
  // a file of more than 1 MiB: one line, too long
  let big = '';
  for (let i = 0; i < 200_000; i++) big += `${i} ${i}\r`;
  reject(big, 65536);
  // CR LF and a CR at a line's end stay fine
  assert.deepEqual(columns(parseInPieces(encode('0 0\r\n# c\r\n1 1\r'), 3))[1], [0, 1]);
});

test('a second page-size directive with another size is refused; the same size again is harmless', () => {
  assert.throws(
    () => parseInPieces(encode('# page-size: 4096\n# c\n# page-size: 8192\n0 0\n'), 5),
    (err: unknown) =>
      err instanceof UserError && err.message === "t.trace:3: page size 8192 contradicts line 1's page size 4096",
  );
  assert.equal(parseInPieces(encode('# page-size: 8192\n#page-size:8192\n0 0\n'), 5).pageSize, 8192);
});

test('a second name directive with another name is refused; the same name again is harmless', () => {
  // two traces run together (`cat a.txt b.txt`) took the second one's name without a word
  assert.throws(
    () => parseInPieces(encode('# name: a\n# c\n# name: b c\n0 0\n'), 5),
    (err: unknown) =>
      err instanceof UserError && err.message === 't.trace:3: name "b c" contradicts line 1\'s name "a"',
  );
  assert.equal(parseInPieces(encode('# name: a\n#name:a\n# name:\n0 0\n'), 5).name, 'a');
});

test('a name directive after the first access is refused, as a page-size one is: the format puts both first', () => {
  // `cat a.txt b.txt` of two traces of one name: the second's header sat among the accesses, taken as if at the top
  for (const [text, line] of [
    ['# name: a\n0 0\n# name: a\n1 1\n', 3],
    ['0 0\n# name: a\n', 2],
  ] as const)
    assert.throws(
      () => parseInPieces(encode(text), 5),
      (err: unknown) =>
        err instanceof UserError && err.message === `t.trace:${line}: name directive must come before the first access`,
    );
  // an empty name is no directive (a plain comment), wherever it is
  assert.equal(parseInPieces(encode('# name: a\n0 0\n# name:\n1 1\n'), 5).name, 'a');
});
