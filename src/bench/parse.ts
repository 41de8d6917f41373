/**
 * Trace reading speed: a generated trace of 4 M accesses (issue 11's reference size) loaded from a
 * text file, a gzip-compressed text file and a .pctrace file, in lines (accesses) per second, each
 * against a bare pass over the same bytes measured in the same run: reading the file and finding
 * its line ends (text), gunzipping it and finding its line ends (.gz), reading it (.pctrace). Those reads
 * come from the page cache, far faster than a disk; so two more lines load and read the .pctrace from the
 * disk itself (the file dropped from the page cache before each run, wall time, alternating), beside the first
 * write of fresh memory the size of the loaded columns (the page faults a load pays besides decoding), one
 * streams the .pctrace chunk by chunk (streamTrace, what the CLI reads long traces with) against the same
 * page-cache read, and one prices the .pctrace checksums: CRC-32 over the file's bytes, against the same bare
 * read. Last, the path a user takes: a fresh process (its JIT cold, as in every CLI run) streams the .pctrace
 * from the disk, against a fresh process reading the same cold file in the reader's 1 MiB reads and decoding
 * nothing; and the same for a 40 M-access file, where a fresh process's fixed costs weigh a tenth as much.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { crc32 } from '../trace/crc32';
import { generateTrace, loadTrace, saveTrace } from '../trace';
import { READ_BYTES } from '../trace/io';
import { benchDir, binNodeFlags, cliArgs, line, medianSeconds, runChild, type BenchLine } from './measure';

const TRACE_MODULE = join(__dirname, '..', 'trace');

export const PARSE_ACCESSES = 4_000_000;
/** Reads of the .pctrace per timed run of its bare pass: one alone is too short to time on a loaded machine. */
const BARE_READS = 10;

/** Line ends in `bytes`: the least a text reader must do with every byte. */
function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

/**
 * Drops `path` from the page cache, so that its next read comes from the disk: GNU dd's `nocache` (an
 * fdatasync, then posix_fadvise DONTNEED), checked with util-linux's fincore. False where either is missing
 * or the drop did not take: a cached read must never pass for the disk's.
 */
function dropFromCache(path: string): boolean {
  const dd = spawnSync('dd', [`of=${path}`, 'oflag=nocache', 'conv=notrunc,fdatasync', 'count=0'], { stdio: 'ignore' });
  if (dd.status !== 0) return false;
  const resident = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' });
  return resident.status === 0 && resident.stdout.trim() === '0';
}

/**
 * Median wall seconds of each of `works`, run in turn (so that all see the same load) on `path` dropped from
 * the page cache before each run; undefined when it cannot be dropped.
 */
function uncachedSeconds(path: string, works: (() => void)[], runs = 5): number[] | undefined {
  const times: number[][] = works.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [i, work] of works.entries()) {
      if (!dropFromCache(path)) return undefined;
      const start = process.hrtime.bigint();
      work();
      times[i].push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(runs / 2)]);
}

/**
 * Median CPU seconds of streaming `path` through streamTrace (the simulator's reader for long traces), each chunk
 * dropped: with fresh arrays per chunk, and reusing them (the CLI's summary and statistics passes), in turn in one
 * child process (the stream is asynchronous and this section is not), so that both see the same load.
 */
function streamedSeconds(path: string): { fresh: number; reused: number } {
  const code = `const { streamTrace } = require(${JSON.stringify(TRACE_MODULE)});
(async () => {
  const seconds = { fresh: [], reused: [] };
  for (let run = 0; run < 7; run++) {
    for (const mode of ['fresh', 'reused']) {
      const start = process.cpuUsage();
      for await (const chunk of streamTrace(${JSON.stringify(path)}, { reuseChunks: mode === 'reused' })) void chunk;
      const { user, system } = process.cpuUsage(start);
      if (run >= 2) seconds[mode].push((user + system) / 1e6);
    }
  }
  const median = (times) => times.sort((a, b) => a - b)[2];
  console.log(JSON.stringify({ fresh: median(seconds.fresh), reused: median(seconds.reused) }));
})();`;
  const child = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`parse: streaming the .pctrace failed: ${child.stderr.trim()}`);
  return JSON.parse(child.stdout);
}

export function parseSection(): BenchLine[] {
  const dir = benchDir();
  try {
    const trace = generateTrace('zipf', {
      seed: 'bench-parse',
      accesses: PARSE_ACCESSES,
      pages: 1 << 18,
      writeRatio: 0.3,
    });
    const files = {
      text: join(dir, 't.trace'),
      gzip: join(dir, 't.trace.gz'),
      binary: join(dir, 't.pctrace'),
      // a copy that a warmed process streams from the page cache first
      warm: join(dir, 'warm.pctrace'),
    };
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
      ['.pctrace', files.binary, 'reading the file (from the page cache)', readBinary],
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
    const binaryBytesRead = readFileSync(files.binary);
    const checksum = line({
      section: 'parse',
      name: `CRC-32 over the .pctrace (${(binaryBytes / PARSE_ACCESSES).toFixed(2)} bytes/access)`,
      // the reader's CRC-32 as trace/io.ts installs it (the SIMD addon once a process has checked 16 MiB, as the
      // loads above have), over bytes already read: until 2026-11-26 s26 the read was timed in it too
      value: rate(() => crc32(binaryBytesRead), BARE_READS),
      unit: 'lines/s',
      baseline: 'reading the file',
      baselineValue: rate(readBinary, BARE_READS),
    });
    if (sink === 0) throw new Error('parse bench read nothing');
    const cachedRead = result[2];
    const streamed = (name: string, value: number) =>
      line({
        section: 'parse',
        name,
        value,
        unit: 'lines/s',
        baseline: cachedRead.baseline,
        baselineValue: cachedRead.baselineValue,
      });
    const stream = streamedSeconds(files.binary);
    const reusedStream = PARSE_ACCESSES / stream.reused;
    return [
      ...result,
      streamed('stream a .pctrace trace (chunk by chunk)', PARSE_ACCESSES / stream.fresh),
      streamed('stream it reusing its chunks (stats, convert)', reusedStream),
      ...uncachedLines(files.binary, readBinary),
      ...freshProcessLines(files.binary, files.warm, reusedStream),
      ...largeFileLines(dir, files.warm),
      checksum,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The least a load must do with its output besides decoding: fresh memory for the loaded trace's columns (4-byte
 * times and pages, 1-byte writes, as the bench trace loads), each page written once. The system zeroes and maps
 * every page at its first write: on the build machine about 2 us per 4 KiB page, more than reading the file.
 */
function touchFreshColumns(): number {
  const time = new Uint32Array(PARSE_ACCESSES);
  const page = new Uint32Array(PARSE_ACCESSES);
  const write = new Uint8Array(PARSE_ACCESSES);
  for (let i = 0; i < PARSE_ACCESSES; i += 1024) time[i] = page[i] = 1;
  for (let i = 0; i < PARSE_ACCESSES; i += 4096) write[i] = 1;
  return time[0] + page[0] + write[0];
}

/**
 * Loading and reading the .pctrace from the disk (the file dropped from the page cache before each run, wall
 * time): the load against the read, the read against a page-cache read of it, and the first touch of the load's
 * fresh columns (its page faults, no decoding) against the read. None, with a note on stderr, where the page cache
 * cannot be dropped.
 */
function uncachedLines(path: string, read: () => number): BenchLine[] {
  const cachedRead = PARSE_ACCESSES / medianSeconds(read, { clock: 'wall' });
  const seconds = uncachedSeconds(path, [() => loadTrace(path), read, touchFreshColumns]);
  if (!seconds) {
    process.stderr.write(
      'parse: uncached lines left out: cannot drop the file from the page cache (GNU dd, fincore)\n',
    );
    return [];
  }
  const [load, diskRead, touch] = seconds.map((s) => PARSE_ACCESSES / s);
  const uncached = { section: 'parse', unit: 'lines/s' };
  return [
    line({
      ...uncached,
      name: 'load a .pctrace trace from disk',
      value: load,
      baseline: 'reading the file from disk',
      baselineValue: diskRead,
    }),
    line({
      ...uncached,
      name: `read the .pctrace from disk (${((diskRead * statSync(path).size) / PARSE_ACCESSES / 1e9).toFixed(2)} GB/s)`,
      value: diskRead,
      baseline: 'reading it from the page cache (wall)',
      baselineValue: cachedRead,
    }),
    line({
      ...uncached,
      name: `fresh memory for its columns alone (${((9 * PARSE_ACCESSES) / 2 ** 20).toFixed(0)} MiB first written)`,
      value: touch,
      baseline: 'reading the file from disk',
      baselineValue: diskRead,
    }),
  ];
}

/** What a fresh process does with the .pctrace in the bench's last lines. */
type FreshMode = 'stream' | 'read' | 'summary' | 'warmed';

/**
 * A child's script that reads `path` once, as `mode` says: 'stream' through streamTrace reusing its chunks (a CLI
 * run's first pass over a file, as `trace stats` makes it, and what its summary cost before version 4), 'read'
 * the bare file in streamTrace's chunk size, decoding nothing, 'summary' the CLI's summary (summarizeTraceFile:
 * the version-4 trailer), 'warmed' the same stream after three untimed ones of `warmPath` (a copy in the page
 * cache: the decoder compiled and tiered up, its memory touched); prints its wall and CPU seconds (node's start and
 * the module's import left out: they read no trace).
 */
function freshProcessScript(mode: FreshMode, path: string, warmPath: string): string {
  return `const fs = require('fs');
const trace = require(${JSON.stringify(TRACE_MODULE)});
(async () => {
  if (${JSON.stringify(mode)} === 'warmed')
    for (let i = 0; i < 3; i++) for await (const chunk of trace.streamTrace(${JSON.stringify(warmPath)}, { reuseChunks: true })) void chunk;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let seen = 0;
  if (${JSON.stringify(mode)} === 'stream' || ${JSON.stringify(mode)} === 'warmed') {
    for await (const chunk of trace.streamTrace(${JSON.stringify(path)}, { reuseChunks: true })) seen += chunk.page.length;
  } else if (${JSON.stringify(mode)} === 'summary') {
    seen = (await trace.summarizeTraceFile(${JSON.stringify(path)})).accesses;
  } else {
    const fd = fs.openSync(${JSON.stringify(path)}, 'r');
    const buffer = Buffer.allocUnsafe(${READ_BYTES});
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) seen += n;
    fs.closeSync(fd);
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const { user, system } = process.cpuUsage(cpu);
  console.log(JSON.stringify({ wall, cpu: (user + system) / 1e6, seen }));
})();`;
}

/**
 * Five runs of each of `modes` in turn, each a fresh process (freshProcessScript, with the bin's node flags as a CLI
 * run has them) reading `path` dropped from the page cache: their wall and CPU seconds per mode; undefined, with a
 * note on stderr, where the page cache cannot be dropped.
 */
function freshRuns(
  path: string,
  warmPath: string,
  modes: readonly FreshMode[],
): Partial<Record<FreshMode, { wall: number; cpu: number }[]>> | undefined {
  const runs: Partial<Record<FreshMode, { wall: number; cpu: number }[]>> = {};
  for (let run = 0; run < 5; run++) {
    for (const mode of modes) {
      if (!dropFromCache(path)) {
        process.stderr.write('parse: fresh-process lines left out: cannot drop the file from the page cache\n');
        return undefined;
      }
      const script = freshProcessScript(mode, path, warmPath);
      const child = spawnSync(process.execPath, [...binNodeFlags(), '-e', script], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`parse: a fresh process reading the .pctrace failed: ${child.stderr}`);
      (runs[mode] ??= []).push(JSON.parse(child.stdout));
    }
  }
  return runs;
}

/** The median of five fresh runs' `clock` seconds. */
function medianOf(runs: { wall: number; cpu: number }[] | undefined, clock: 'wall' | 'cpu'): number {
  return (runs ?? []).map((run) => run[clock]).sort((a, b) => a - b)[2];
}

/**
 * The user's path from the disk: a fresh process streams the .pctrace dropped from the page cache, against a
 * fresh process reading the same cold file bare, alternating (median of 5, wall): how close to the disk's rate a
 * CLI run reads. Then that stream's CPU against a warmed stream's (`warmRate`, accesses per CPU second): what the
 * fresh process's JIT warm-up costs. Then the CLI's summary of the cold file (read off the version-4 trailer) against
 * that stream, which it was before: the pass a CLI run no longer makes. Last, the same stream in a process that
 * streamed a copy first (`warmPath`), against the same bare read: how close the reading itself comes once a
 * process's fixed costs are paid (a notebook's or a long CLI run's later passes). None, with a note on stderr, where
 * the page cache cannot be dropped.
 */
function freshProcessLines(path: string, warmPath: string, warmRate: number): BenchLine[] {
  const runs = freshRuns(path, warmPath, ['stream', 'read', 'summary', 'warmed']);
  if (!runs) return [];
  const median = (mode: FreshMode, clock: 'wall' | 'cpu') => medianOf(runs[mode], clock);
  const bytesPerAccess = statSync(path).size / PARSE_ACCESSES;
  const diskRead = PARSE_ACCESSES / median('read', 'wall');
  const fresh = { section: 'parse', unit: 'lines/s' };
  return [
    line({
      ...fresh,
      name: 'stream a .pctrace from disk, fresh process (CLI)',
      value: PARSE_ACCESSES / median('stream', 'wall'),
      baseline: `a fresh process reading it from disk (${((diskRead * bytesPerAccess) / 1e9).toFixed(2)} GB/s)`,
      baselineValue: diskRead,
    }),
    line({
      ...fresh,
      name: 'CPU of that stream (fresh JIT)',
      value: PARSE_ACCESSES / median('stream', 'cpu'),
      baseline: 'CPU of a stream in a warmed process',
      baselineValue: warmRate,
    }),
    line({
      ...fresh,
      name: "a CLI run's summary of it, fresh process (trailer)",
      value: PARSE_ACCESSES / median('summary', 'wall'),
      baseline: 'that stream (the summary pass before version 4)',
      baselineValue: PARSE_ACCESSES / median('stream', 'wall'),
    }),
    line({
      ...fresh,
      name: 'stream the .pctrace from disk, warmed process',
      value: PARSE_ACCESSES / median('warmed', 'wall'),
      baseline: 'a fresh process reading it from disk',
      baselineValue: diskRead,
    }),
  ];
}

/**
 * Accesses of the larger file a fresh process streams in the section's last line (about 96 MB): a fresh process's
 * fixed costs (its JIT, the decoder's compile, first-touched memory: about 10 ms) weigh a tenth as much there as
 * in the 4 M-access line, so it shows how near the disk's rate the reading itself comes in a CLI run.
 */
export const LARGE_PARSE_ACCESSES = 40_000_000;

/**
 * A fresh process streaming a LARGE_PARSE_ACCESSES .pctrace from the disk against a fresh process reading the same
 * cold file bare (as the 4 M-access line, alternating, median of 5, wall). The file is written by `trace gen` in a
 * child, chunk by chunk, with the 4 M-access trace's generator and parameters.
 */
function largeFileLines(dir: string, warmPath: string): BenchLine[] {
  const path = join(dir, 'large.pctrace');
  const generate = ['trace', 'gen', 'zipf', '--seed', 'bench-parse', '--accesses', String(LARGE_PARSE_ACCESSES)];
  runChild(cliArgs(...generate, '--pages', String(1 << 18), '--write-ratio', '0.3', '-o', path));
  const runs = freshRuns(path, warmPath, ['stream', 'read']);
  if (!runs) return [];
  const diskRead = LARGE_PARSE_ACCESSES / medianOf(runs.read, 'wall');
  const gigabytes = (diskRead * statSync(path).size) / LARGE_PARSE_ACCESSES / 1e9;
  const millions = LARGE_PARSE_ACCESSES / 1e6;
  return [
    line({
      section: 'parse',
      name: `stream ${millions} M accesses from disk, fresh process`,
      value: LARGE_PARSE_ACCESSES / medianOf(runs.stream, 'wall'),
      unit: 'lines/s',
      baseline: `a fresh process reading it from disk (${gigabytes.toFixed(2)} GB/s)`,
      baselineValue: diskRead,
    }),
  ];
}
