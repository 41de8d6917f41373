/**
 * Trace reading speed: a generated trace of 4 M accesses (issue 11's reference size) loaded from a
 * text file, a gzip-compressed text file and a .pctrace file, in lines (accesses) per second, each
 * against a bare pass over the same bytes measured in the same run: reading the file and finding
 * its line ends (text), gunzipping it and finding its line ends (.gz), reading it (.pctrace). One more
 * line prices the .pctrace checksums: CRC-32 over the file's bytes, against the same bare read.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { crc32 } from '../trace/crc32';
import { generateTrace, loadTrace, saveTrace } from '../trace';
import { line, medianSeconds, type BenchLine } from './measure';

export const PARSE_ACCESSES = 4_000_000;
/** Reads of the .pctrace per timed run of its bare pass: one alone is too short to time on a loaded machine. */
const BARE_READS = 10;

/** Line ends in `bytes`: the least a text reader must do with every byte. */
function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

export function parseSection(): BenchLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'postcopy-bench-parse-'));
  try {
    const trace = generateTrace('zipf', {
      seed: 'bench-parse',
      accesses: PARSE_ACCESSES,
      pages: 1 << 18,
      writeRatio: 0.3,
    });
    const files = { text: join(dir, 't.trace'), gzip: join(dir, 't.trace.gz'), binary: join(dir, 't.pctrace') };
    for (const path of Object.values(files)) saveTrace(trace, path);
    let sink = 0;
    /** Accesses/s of `work`, done `times` times per timed run (a read of the .pctrace takes a few ms alone). */
    const rate = (work: () => number, times = 1) =>
      (times * PARSE_ACCESSES) /
      medianSeconds(() => {
        for (let i = 0; i < times; i++) sink += work();
      });
    const readBinary = () => readFileSync(files.binary).length;
    const loaded = (path: string) => () => loadTrace(path).page.length;
    const lines = [
      ['text', files.text, 'reading the file and finding its line ends', () => countLines(readFileSync(files.text))],
      [
        'gzip text',
        files.gzip,
        'gunzipping the file and finding its line ends',
        () => countLines(gunzipSync(readFileSync(files.gzip))),
      ],
      ['.pctrace', files.binary, 'reading the file', readBinary],
    ] as const;
    const binaryBytes = statSync(files.binary).size;
    const result = lines.map(([name, path, baseline, bare]) => {
      const baselineValue = rate(bare, bare === readBinary ? BARE_READS : 1);
      return line({
        section: 'parse',
        name: `load a ${name} trace`,
        value: rate(loaded(path)),
        unit: 'lines/s',
        baseline,
        baselineValue,
      });
    });
    const checksum = line({
      section: 'parse',
      name: `CRC-32 over the .pctrace (${(binaryBytes / PARSE_ACCESSES).toFixed(2)} bytes/access)`,
      // the reader's CRC-32 (node's zlib.crc32 where there is one, installed by trace/io.ts)
      value: rate(() => crc32(readFileSync(files.binary)), BARE_READS),
      unit: 'lines/s',
      baseline: 'reading the file',
      baselineValue: rate(readBinary, BARE_READS),
    });
    if (sink === 0) throw new Error('parse bench read nothing');
    return [...result, checksum];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
