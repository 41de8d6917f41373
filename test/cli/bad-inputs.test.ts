/**
 * The command line against bad input, as a new user would try it: every case must exit with code 2,
 * print exactly one line on stderr naming the problem and nothing on stdout, and leave no file behind
 * (no partial output, no temporary file). Valid but unusual inputs must keep working. The compiled
 * dist/cli.js runs with plain node (no TypeScript loader), many at a time, so the suite takes seconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { tempDir } from '../temp-dir';

const CLI = resolve('dist/cli.js');
const dir = tempDir('bad-inputs');
/** Where the cases write (or must not write): checked empty at the end. */
const out = join(dir, 'out');
mkdirSync(out);
mkdirSync(join(out, 'existing-dir'));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const small = file('small.trace', '0 0\n100 0\n300 1 W\n1000 2\n');
const highPage = file('high-page.trace', '0 0\n10 4294967295\n');
/** The largest VM there is (2^27 pages): k pages per fault of it did not fit in one JS array. */
const largestVm = file('largest-vm.trace', '0 0\n1 134217727\n');
const vmOf2To20 = file('vm-2-20.trace', '0 0\n1 1048575\n');
const empty = file('empty.trace', '');
const malformed = file('malformed.trace', '0 0\n1 x\n');
const backwards = file('backwards.trace', '10 0\n5 1\n');
/** Two traces run together: the second header's name took over without a word. */
const twoNames = file('two-names.trace', '# name: a\n# name: b\n0 0\n0 1\n');
const lateName = file('late-name.trace', '# name: a\n0 0\n# name: a\n0 1\n');
const binary = file('garbage.bin', Uint8Array.from([0x50, 0, 0, 7, 1, 2, 3]));
const badGzip = file('bad.trace.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]));
const aFile = file('a-file', 'not a directory');
const pageOver = file('page-over.trace', '0 0\n1 1\n');
/** Converted onto itself, by its name and through a link: refused, the file kept as it is. */
const convertSelf = file('convert-self.trace', '0 0\n1 1\n');
const convertSelfLink = join(dir, 'convert-self-link.trace');
symlinkSync(convertSelf, convertSelfLink);
/** A header naming the trace with terminal escapes (colour, bell, a window title). */
const escapes = file('escapes.trace', '# name: a\x1b[31mred\x07\x1b]0;title\x9b\n0 0\n1 1\n');
const newline = join(dir, 'two\nlines.trace');
writeFileSync(newline, '0 0\n1 1\n');
/** A folder of QEMU run records holding one record file with `content`. */
function recordsDir(name: string, content: string): string {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'sqlite-plugin-1.json'), content);
  return join(dir, name);
}
const cutRecord = recordsDir('cut-record', '{"version": 2, "settings": {"workload"');
const futureRecord = recordsDir('future-record', '{"version": 3, "settings": {"workload": "sqlite"}}');
const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo]);

const o = (name: string) => join(out, name);
/** `trace gen random` with these counts, as typed. */
const genArgs = (accesses: string, pages: string) => [
  'trace',
  'gen',
  'random',
  '--seed',
  '1',
  '--accesses',
  accesses,
  '--pages',
  pages,
];
const gen = (...extra: string[]) => [...genArgs('50', '10'), ...extra];
const genCounts = (accesses: string, pages: string) => [...genArgs(accesses, pages), '-o', o('x.trace')];
const genTo = (...extra: string[]) => [...gen(...extra), '-o', o('x.trace')];
/** genTo with another generator than random. */
const genKindTo = (kind: string, ...extra: string[]) => genTo(...extra).map((arg) => (arg === 'random' ? kind : arg));

/**
 * A version-4 .pctrace of more than one read (1 MiB) whose trailer, its CRC intact, says the largest page is 100: a
 * replay sized by it meets larger pages before the decoder reaches the trailer.
 */
const lyingTrailer = join(dir, 'lying-trailer.pctrace');
const LYING_TRAILER =
  /lying-trailer\.pctrace: summary trailer \(byte \d+\): largest page 100 is not the blocks' 49999\n/;
spawnSync(process.execPath, [CLI, ...genArgs('600000', '50000'), '-o', lyingTrailer]);
{
  const bytes = readFileSync(lyingTrailer);
  const at = bytes.length - 36;
  bytes.writeDoubleLE(100, at + 12);
  bytes.writeUInt32LE(crc32(bytes.subarray(at + 12), crc32(bytes.subarray(at, at + 8))), at + 8);
  assert.ok(at > 2 ** 20, 'more than one read');
  writeFileSync(lyingTrailer, bytes);
}

const EMPTY_PCTRACE =
  /: \S+\/empty\.pctrace: empty, but a \.pctrace holds its header even with no access \(the file is/;

/** [arguments, what the one line must say]. */
const BAD: [string[], RegExp][] = [
  // defect 1: output paths
  [[...gen(), '-o', join(out, 'existing-dir')], /existing-dir is a directory: name the file to write/],
  // a name ending in / that is no directory: the rename after the run failed, "cannot write new-dir/ (ENOTDIR)"
  [[...gen(), '-o', `${join(out, 'new-dir')}/`], /new-dir\/ ends in \/, as a directory does: name the file to write$/m],
  [['sweep', 'modes', '-o', `${join(aFile)}/`], /a-file\/ ends in \/, as a directory does: name the file to write$/m],
  [[...gen(), '-o', join(aFile, 'x.trace')], /a-file" is not a directory|a-file is not a directory/],
  [[...gen(), '-o', join(aFile, 'deeper', 'x.trace')], /a-file is not a directory/],
  [[...gen(), '-o', '/proc/nope/x.trace'], /cannot create directory \/proc\/nope/],
  // a file that is there in a directory that takes no new one: 21ce104 said "cannot write /proc/version (ENOENT)"
  [['whatif', '-o', '/proc/version'], / cannot write \/proc\/version: no file can be created in \/proc \(ENOENT\)$/m],
  [[...gen(), '-o', '/proc/version'], / cannot write \/proc\/version: no file can be created in \/proc \(ENOENT\)$/m],
  [['trace', 'convert', small, join(out, 'existing-dir')], /existing-dir is a directory/],
  [[...gen(), '-o', ''], /--output must not be empty/],
  [gen(), /missing required option --output/],
  // defect 3: the largest page number in predict, simulate and compare
  [['predict', '--trace', highPage, '--predictor', 'ppm'], /a VM of 4294967296 pages is too large to simulate/],
  [['simulate', '--trace', highPage], /a VM of 4294967296 pages is too large to simulate/],
  [['compare', '--trace', highPage, '--prefetchers', 'none'], /a VM of 4294967296 pages is too large to simulate/],
  // defect 4: every numeric flag bounded
  [
    ['predict', '--trace', small, '--predictor', 'leap', '--history', '1000000000000'],
    /--history must be between 1 and 1048576/,
  ],
  [
    ['simulate', '--trace', small, '--prefetcher', 'leap', '--history', '1000000000000'],
    /--history must be between 1 and/,
  ],
  [genCounts('50', '4294967296'), /--pages must be between 1 and 134217728, got 4294967296/],
  [genCounts('99999999999', '10'), /--accesses must be between 0 and/],
  [genCounts('1e3', '10'), /--accesses must be a whole number, got "1e3"/],
  [genCounts('99999999999999999999', '10'), /--accesses must be between/],
  [genKindTo('strided', '--stride', '0'), /--stride must be between 1 and/],
  [genKindTo('zipf', '--zipf-exponent', '1000'), /--zipf-exponent must be between 0 and 100/],
  // the bound as a user reads it, not as the smallest double (it said "between 5e-324 and 1")
  [genKindTo('phased', '--hot-fraction', '0'), /--hot-fraction must be > 0 and <= 1, got 0$/m],
  [genKindTo('phased', '--hot-fraction', '1.5'), /--hot-fraction must be > 0 and <= 1, got 1\.5$/m],
  [genKindTo('phased', '--phases', '0'), /--phases must be between 1 and/],
  [genTo('--instructions-per-access', '99999999999'), /--instructions-per-access must be between 1 and 4194304/],
  [genTo('--write-ratio', '2'), /--write-ratio must be between 0 and 1/],
  [genTo('--write-ratio', 'NaN'), /--write-ratio must be a number, got "NaN"/],
  // another base than ten: Number() read 0x1 as 1 where every other numeric flag refuses it
  [genTo('--write-ratio', '0x1'), /--write-ratio must be a number, got "0x1"$/m],
  [['simulate', small, '--ips', '0b1111101000'], /--ips must be a number, got "0b1111101000"$/m],
  // beyond a double: out of range as typed, where it said "must be a number" of a number (session 35)
  [['simulate', small, '--ips', '1e400'], /: --ips must be between 1 and \d+, got "1e400"$/m],
  [genTo('--write-ratio', '-1e999'), /: --write-ratio must be between 0 and 1, got "-1e999"$/m],
  [['predict', '--trace', small, '--predictor', 'ppm', '--k', '999999999999'], /--k must be between 0 and 4194304/],
  // a proposal list of 2^27 pages ended node with a native stack ("Fatal JavaScript invalid size error"), exit 133
  [['predict', largestVm, '--predictor', 'next-k', '--k', '134217728'], /--k must be between 0 and 4194304, got 1342/],
  [['simulate', small, '--prefetcher', 'bubbling', '--k', '4194305'], /--k must be between 0 and 4194304, got 4194305/],
  [
    ['predict', '--trace', small, '--predictor', 'ppm', '--max-contexts', '99999999999'],
    /--max-contexts must be between 2 and 268435456/,
  ],
  [
    ['predict', '--trace', small, '--predictor', 'ppm', '--history-window', '0'],
    /--history-window must be between 1 and/,
  ],
  [['simulate', '--trace', small, '--k', '2.5'], /--k must be a whole number, got "2.5"/],
  [['simulate', '--trace', small, '--vm-pages', '999999999'], /--vm-pages must be between 1 and 134217728/],
  [['simulate', '--trace', small, '--overhead', '-1'], /--overhead must be between 0 and/],
  [['simulate', '--trace', small, '--cpu-state', '99999999999999'], /--cpu-state must be between 0 and/],
  [['simulate', small, '--mode', 'hybrid', '--precopy-rounds', '0'], /--precopy-rounds must be between 1 and 10000/],
  [['simulate', small, '--mode', 'hybrid', '--precopy-stop-pages', '-4'], /--precopy-stop-pages must be between 0 and/],
  [
    ['simulate', '--trace', small, '--switchover-cost', '5h'],
    /: --switchover-cost: duration must be a number of micro/,
  ],
  [['simulate', small, '--bandwidth', 'fast'], /: --bandwidth: bandwidth must be a number of bits\/s or like 1gbit/],
  // a value that looks like a flag: what parseArgs calls "ambiguous", with the way to give it
  [
    ['simulate', small, '--rtt', '-x'],
    /: --rtt needs a value, but the next argument "-x" looks like a flag: write --rtt=-x if/,
  ],
  [[...gen(), '-o', '-out.trace'], /: --output \(-o\) needs a value, but the next argument "-out\.trace" looks like a/],
  [['simulate', small, '--rtt', '--k', '4'], /: --rtt needs a value, but the next argument "--k" looks like a flag/],
  [['simulate', '--trace', small, '--rtt', '99999s'], /--rtt must be between 0 and 3600000000 us/],
  [['simulate', '--trace', small, '--zero-share', '1.5'], /--zero-share must be between 0 and 1/],
  // defect 7: the same switchover rules in predict and simulate
  [
    ['predict', '--trace', small, '--predictor', 'ppm', '--switchover', '100%'],
    /no access left after switchover 100% \(every access runs before it; the trace ends at instruction 1000\)$/m,
  ],
  [
    ['simulate', '--trace', small, '--switchover', '100%'],
    /no access left after switchover 100% \(every access runs before it; the trace ends at instruction 1000\)$/m,
  ],
  [['predict', '--trace', small, '--predictor', 'ppm', '--switchover', '5000'], /no access left after switchover 5000/],
  [['simulate', '--trace', small, '--switchover', '5000'], /no access left after switchover 5000/],
  // the flag and the value typed, not the library's "switchover fraction must be in [0, 1], got 1.5" (session 35)
  [
    ['predict', '--trace', small, '--predictor', 'ppm', '--switchover', '150%'],
    /: --switchover as a share of the accesses must be at most 1 or 100%, got "150%"$/m,
  ],
  [
    ['simulate', small, '--switchover', '1.5'],
    /: --switchover as a share of the accesses must be at most 1 or 100%, got "1\.5"$/m,
  ],
  [
    ['whatif', '-o', o('w.html'), '--switchover', '100.5%'],
    /: --switchover as a share .* at most 1 or 100%, got "100\.5%"$/m,
  ],
  [
    ['predict', '--trace', small, '--predictor', 'ppm', '--switchover', 'soon'],
    /--switchover must be an instruction count/,
  ],
  // defect 8: page size a power of two; the message names the flag typed (session 34)
  [['simulate', '--trace', small, '--page-size', '3'], /: --page-size must be a positive power of two, got 3$/m],
  [genTo('--page-size', '3'), /: --page-size must be a positive power of two, got 3$/m],
  [['whatif', '-o', o('w.html'), '--page-size', '3000'], /: --page-size must be a positive power of two, got 3000$/m],
  [genTo('--page-size', '2147483648'), /--page-size must be between 1 and 1073741824/],
  // defect 9: results that would not be finite
  [
    ['simulate', '--trace', small, '--bandwidth', '1e-300'],
    /--bandwidth must be between 1 and 1000000000000000 bits\/s, got "1e-300"/,
  ],
  [['simulate', '--trace', small, '--ips', '1e-300'], /--ips must be between 1 and/],
  [['simulate', '--trace', small, '--bandwidth', '0'], /--bandwidth must be between 1 and/],
  // defect 10: units
  [
    ['simulate', '--trace', small, '--bandwidth', '1Zb/s'],
    /bandwidth must be a number of bits\/s or like 1gbit, 1Gb\/s, 125MB\/s; got "1Zb\/s"/,
  ],
  [['simulate', '--trace', small, '--bandwidth', 'fast'], /bandwidth must be a number of bits\/s/],
  // defect 11: a file name with a newline stays on one line, quoted
  [['predict', '--trace', join(dir, 'no\nsuch.trace'), '--predictor', 'ppm'], /"[^"]*no\\nsuch\.trace": no such file/],
  [['trace', 'stats', join(dir, 'no\nsuch.trace')], /no\\nsuch\.trace": no such file/],
  [[...gen(), '-o', join(aFile, 'x\ny.trace')], /a-file is not a directory/],
  // defect 12: negative numbers in every command, empty names in lists, flags pre-copy would ignore
  [['predict', '--trace', small, '--predictor', 'ppm', '--lead', '-1'], /--lead must be between 0 and/],
  [['predict', '--trace', small, '--predictor', 'ppm', '--k', '-1'], /--k must be between 0 and/],
  [genCounts('-1', '10'), /--accesses must be between 0 and/],
  [genCounts('5', '-10'), /--pages must be between 1 and/],
  [['simulate', '--trace', small, '--rtt', '-5us'], /--rtt must be between 0 and/],
  [['simulate', '--trace', small, '--fault-cost', '-3us'], /--fault-cost must be between 0 and/],
  [['compare', '--trace', small, '--prefetchers', 'none,,ppm'], /--prefetchers has an empty name in "none,,ppm"/],
  [['compare', '--trace', small, '--prefetchers', ''], /--prefetchers has an empty name in ""/],
  [['compare', '--trace', small, '--prefetchers', 'none, ,ppm'], /--prefetchers has an empty name/],
  [['compare', small, '--prefetchers', 'ppm,none,ppm'], /--prefetchers names "ppm" twice in "ppm,none,ppm"/],
  [['whatif', '-o', o('w.html'), '--prefetchers', 'none, none'], /--prefetchers names "none" twice/],
  [['qemu', 'migrate', '--workload', 'sqlite,sqlite'], /--workload names "sqlite" twice/],
  [
    ['simulate', '--trace', small, '--mode', 'precopy', '--prefetcher', 'ppm'],
    /--prefetcher has no effect with --mode precopy/,
  ],
  [
    ['simulate', '--trace', small, '--mode', 'precopy', '--push', 'restart'],
    /--push has no effect with --mode precopy/,
  ],
  [['simulate', '--trace', small, '--mode', 'precopy', '--order', '2'], /--order has no effect with --mode precopy/],
  // a predictor option its predictors leave unread with the other options: it was taken, the run unchanged (exit 0)
  [
    ['compare', small, '--prefetchers', 'none,ppm,ppm-order0', '--training', 'online', '--history-window', '50'],
    /--history-window has no effect on ppm, ppm-order0: training online learns from the faults alone, never from hi/,
  ],
  // and the pre-copy rounds' flags in post-copy (the default mode), where no round runs: they were taken, exit 0
  [['simulate', small, '--precopy-rounds', '3'], /--precopy-rounds has no effect with --mode postcopy \(no pre-copy/],
  [
    ['compare', small, '--prefetchers', 'none', '--mode', 'postcopy', '--precopy-stop-pages', '5'],
    /--precopy-stop-pages has no effect with --mode postcopy/,
  ],
  [
    ['compare', '--trace', small, '--prefetchers', 'none,ppm', '--mode', 'precopy'],
    /--mode precopy has no faults to predict/,
  ],
  [['simulate', '--trace', small, '--postcopy-after', '5ms'], /a post-copy start time needs hybrid mode/],
  // predictor names and options
  [['predict', '--trace', small, '--predictor', 'lru'], /unknown predictor "lru" \(known: none, next-k/],
  [['simulate', '--trace', small, '--prefetcher', 'crystal-ball'], /unknown predictor "crystal-ball"/],
  [['compare', '--trace', small, '--prefetchers', 'none,bogus'], /unknown predictor "bogus"/],
  [
    ['predict', '--trace', small, '--predictor', 'next-k', '--order', '2'],
    /--order is an option of ppm, .*not of next-k/,
  ],
  [['simulate', '--trace', small, '--order', '2'], /--order is an option of ppm, .*not of none/],
  [['predict', '--trace', small, '--predictor', 'ppm', '--escape', 'B'], /--escape must be one of A, C, D, got "B"/],
  [['predict', '--trace', small, '--predictor', 'ppm', '--order', '0'], /--order must be between 1 and 64, got 0/],
  [
    ['predict', '--trace', small, '--predictor', 'ppm', '--min-probability', '2'],
    /--min-probability must be between 0 and 1/,
  ],
  [['predict', '--trace', small, '--predictor', 'random-k', '--seed', ''], /--seed must not be empty/],
  [['predict', '--trace', small], /missing required option --predictor/],
  [['predict', '--predictor', 'ppm'], /missing the trace: --trace FILE or the argument FILE/],
  // a trace given both as --trace FILE and as the argument FILE, or twice as an argument
  [['predict', '--trace', small, '--predictor', 'ppm', 'extra'], /--trace \S+ given, and the argument extra too/],
  [['simulate', small, '--trace', small], /--trace \S+small\.trace given, and the argument \S+small\.trace too/],
  [['compare', small, '--prefetchers', 'none', '--trace', small], /given, and the argument \S+ too: give each/],
  [['trace', 'stats', small, '--trace', small], /given, and the argument \S+ too: give each file once/],
  // a file flag given twice: one rule and one message with every other flag of one value (parseFlags)
  [
    ['simulate', '--trace', small, '--trace', empty],
    /--trace given 2 times \("\S+small\.trace", "\S+empty\.trace"\): give it once$/m,
  ],
  [['predict', '--predictor', 'ppm', '--trace', small, `--trace=${small}`], /--trace given 2 times .*: give it once$/m],
  [['trace', 'stats', '--trace', small, '--trace', small], /--trace given 2 times .*: give it once$/m],
  [['trace', 'convert', '--trace', small, '--trace', small, o('y.trace')], /--trace given 2 times .*: give it once$/m],
  [
    ['trace', 'convert', small, '-o', o('y.trace'), '-o', o('z.trace')],
    /--output \(-o\) given 2 times .*: give it once$/m,
  ],
  [['trace', 'stats', small, small], /unexpected argument \S+small\.trace \(usage: postcopy-lab trace stats/],
  [['trace', 'stats'], /missing the trace: --trace FILE or the argument FILE/],
  [['trace', 'convert', '--trace', small, o('y.trace'), o('z.trace')], /--trace \S+ given, and the argument/],
  [['trace', 'convert', small, '-o', o('y.trace'), o('z.trace')], /--output \S+ given, and the argument \S+z\.trace/],
  // a generator option the kind does not read: the same trace as without it
  [genTo('--stride', '4'), /--stride is an option of the strided and phased generators, not of random/],
  [genTo('--zipf-exponent', '2'), /--zipf-exponent is an option of the zipf and phased generators, not of random/],
  [genTo('--phases', '2'), /--phases is an option of the phased generator, not of random/],
  [genTo('--hot-fraction', '0.5'), /--hot-fraction is an option of the phased generator, not of random/],
  // phase k runs PHASE_PATTERNS[k mod 5]: no strided phase among the default 4, no zipf one among 2
  [
    genKindTo('phased', '--stride', '4'),
    /--stride is read by phased only in its strided phases, from phase 5 on: with/,
  ],
  [genKindTo('phased', '--phases', '2', '--zipf-exponent', '2'), /--zipf-exponent is read by phased only in its zipf/],
  // --peak-bandwidth is the link's speed inside a rate window: without one nothing reads it
  [['simulate', small, '--peak-bandwidth', '10gbit'], /--peak-bandwidth needs --rate-window/],
  [
    ['compare', small, '--prefetchers', 'none', '--peak-bandwidth', '10gbit', '--rate-window', '0'],
    /needs --rate-window/,
  ],
  // --zero-seed draws the pages of --zero-share: with no share it changed nothing, without a word
  [['simulate', small, '--zero-seed', 'x'], /--zero-seed needs --zero-share above 0: it draws which pages are zero/],
  // --k with only `none`: no page is sent with a fault, so it changed nothing while the result showed it
  [
    ['simulate', small, '--prefetcher', 'none', '--k', '4'],
    /: --k has no effect with --prefetcher none \(no page is sent with a fault\): drop it or name a predictor$/m,
  ],
  [['simulate', small, '--k', '4'], /--k has no effect with --prefetcher none/],
  [['compare', small, '--prefetchers', 'none', '--k', '4'], /--k has no effect with --prefetchers none/],
  [['predict', small, '--predictor', 'none', '--k', '4'], /--k has no effect with --predictor none/],
  [['compare', small, '--prefetchers', 'none', '--zero-share', '0', '--zero-seed', 'x'], /--zero-seed needs --zero-sh/],
  // a flag of one value given twice: the last one would silently win
  [['simulate', small, '--k', '4', '--k', '8'], /--k given 2 times \("4", "8"\): give it once/],
  [['predict', small, '--predictor', 'ppm', '--k=4', '--order', '3', '--k', '4'], /--k given 2 times/],
  [['compare', small, '--prefetchers', 'none', '--prefetchers', 'ppm'], /--prefetchers given 2 times/],
  [genTo('--pages', '20'), /--pages given 2 times \("10", "20"\)/],
  [[...gen(), '-o', o('a.trace'), '--output', o('b.trace')], /--output \(-o\) given 2 times/],
  [['whatif', '-o', o('w.html'), '--rtt', '5us', '--rtt', '-1us'], /--rtt given 2 times \("5us", "-1us"\)/],
  [['qemu', 'migrate', '--runs', '1', '--runs', '2'], /--runs given 2 times/],
  [['sweep', 'network', '--workers', '1', '--workers', '2', '-o', o('s.json')], /--workers given 2 times/],
  // malformed, missing or odd trace files
  [['trace', 'stats', join(dir, 'missing.trace')], /missing\.trace: no such file/],
  [['trace', 'stats', malformed], /malformed\.trace:2: page must be a decimal whole number/],
  [['trace', 'stats', backwards], /backwards\.trace:2: /],
  [['simulate', twoNames], /two-names\.trace:2: name "b" contradicts line 1's name "a"$/m],
  [['simulate', lateName], /late-name\.trace:3: name directive must come before the first access$/m],
  [['trace', 'stats', binary], /garbage\.bin: neither a text trace nor a postcopy-lab binary trace/],
  [['trace', 'stats', badGzip], /bad\.trace\.gz: corrupt gzip data/],
  // a file's text in a message cannot drive the terminal: its control characters shown escaped
  [['trace', 'stats', file('escape-line.trace', '0 \x1b]0;x\x07\n')], /got "\\u001b\]0;x\\u0007"$/m],
  [['trace', 'stats', dir], /is a directory, not a trace file/],
  [['trace', 'stats', fifo], /fifo: is a FIFO, not a trace file/],
  [['simulate', '--trace', '/dev/zero'], /\/dev\/zero: is a device, not a trace file/],
  // named by the file, not by the trace's name inside it ("trace empty is empty", "trace \"run 3\" is empty")
  [['simulate', '--trace', empty], /: \S+\/empty\.trace: no access in the file \(the trace is empty\)$/m],
  [['predict', '--trace', empty, '--predictor', 'ppm'], /: \S+\/empty\.trace: no access in the file/],
  // a .pctrace of no byte is no empty trace (one has its header): it read as an empty text trace, stats exit 0
  [['compare', file('empty.pctrace', ''), '--prefetchers', 'none'], EMPTY_PCTRACE],
  [['trace', 'stats', join(dir, 'empty.pctrace')], EMPTY_PCTRACE],
  [['trace', 'convert', join(dir, 'empty.pctrace'), o('empty.trace')], EMPTY_PCTRACE],
  [['trace', 'stats', file('empty.PCTRACE.gz', gzipSync(''))], /empty\.PCTRACE\.gz: empty, but a \.pctrace holds/],
  // the magic's first bytes only: read as text, it said "page must be a decimal whole number, got 'PCTR'"
  [['trace', 'stats', file('cut-magic.trace', 'PCTR')], /cut-magic\.trace: binary trace header is truncated$/m],
  [['simulate', file('named.trace', '# name: run 3\n')], /: \S+\/named\.trace: no access in the file/],
  // a second trace on the page: listed, every choice of it an error (the page was written, exit 0)
  [['whatif', '-o', o('w.html'), small, empty], /: \S+\/empty\.trace: no access in the file/],
  [['simulate', '--trace', small, '--zero-pages', '/dev/zero'], /\/dev\/zero: not a regular file/],
  [['simulate', '--trace', small, '--zero-pages', join(dir, 'none.txt')], /none\.txt: no such file/],
  // a set of no page (a capture that failed, a truncated file) ran with no zero page, exit 0 (session 35)
  [['simulate', small, '--zero-pages', file('no-zero.txt', '')], /: --zero-pages \S+\/no-zero\.txt: no page in it /],
  [
    ['compare', small, '--prefetchers', 'none', '--zero-pages', file('zero-comment.txt', '# none\n')],
    /: --zero-pages \S+\/zero-comment\.txt: no page in it \(empty or comments only\); for no zero page, leave it out$/m,
  ],
  [['trace', 'convert', join(dir, 'missing.trace'), o('y.trace')], /missing\.trace: no such file/],
  [['trace', 'convert', small], /missing the output file: --output FILE or the argument FILE/],
  // - is standard output where a command writes one file; where it reads, or writes a directory, it is refused
  [['trace', 'stats', '-'], /the trace cannot be standard input \(-\): it is read more than once; name a file/],
  [['simulate', '--trace', '-'], /the trace cannot be standard input \(-\)/],
  [['trace', 'convert', '-', o('y.trace')], /the trace to convert cannot be standard input \(-\)/],
  [['whatif', '-o', o('w.html'), '-'], /the trace cannot be standard input \(-\)/],
  [['simulate', small, '--zero-pages', '-'], /standard input \(-\) is not read here: name a file/],
  [['qemu', 'migrate', '--out', '-'], /--out takes a directory: standard output \(-\) holds no files/],
  [['qemu', 'migrate', '--keep-logs', '-'], /--keep-logs takes a directory/],
  // commands, subcommands and flags
  [['teleport'], /unknown command "teleport"/],
  [['trace', 'shuffle'], /unknown trace subcommand "shuffle"/],
  // names of Object.prototype's members are no commands (they ran as one: a stack, or rc 0 and no output)
  [['toString'], /unknown command "toString"/],
  [['trace', 'constructor'], /unknown trace subcommand "constructor"/],
  [['trace', '__proto__'], /unknown trace subcommand "__proto__"/],
  [['sweep', 'toString', '-o', o('s.json')], /sweep takes one of faults, .*, got "toString"/],
  [['sweep', 'constructor', '-o', o('s.json')], /sweep takes one of faults, .*, got "constructor"/],
  [
    ['trace', 'gen', 'spiral', '--seed', '1', '--accesses', '5', '--pages', '5', '-o', o('x.trace')],
    /unknown generator "spiral"/,
  ],
  [genTo('--colour', 'red'), /: Unknown option '--colour' \(--help lists the options\)$/m],
  [['simulate', small, '-x'], /: Unknown option '-x' \(--help lists the options\)$/m],
  [
    ['simulate', '--trace', small, '--mode', 'teleport'],
    /--mode must be one of postcopy, precopy, hybrid, got "teleport"/,
  ],
  [['simulate', '--trace', small, '--push', 'sideways'], /--push must be one of off, sequential, restart/],
  [['simulate', '--trace'], /Option '--trace <value>' argument missing/],
  [['qemu', 'migrate', '--workload', 'sqlite,,bzip2'], /--workload has an empty name in "sqlite,,bzip2"/],
  [['qemu', 'teleport'], /unknown qemu command "teleport"/],
  [['qemu', 'compare', '--runs', '5'], /Unknown option '--runs'/],
  [['qemu', 'migrate', '--records', 'x'], /Unknown option '--records'/],
  [['qemu', 'compare', '--records', cutRecord], /sqlite-plugin-1\.json: not valid JSON/],
  [['qemu', 'compare', '--records', join(dir, 'no-records')], /no-records: no such directory of QEMU run records/],
  [['qemu', 'compare', '--records', aFile], /a-file: not a directory of QEMU run records$/m],
  // an empty directory flag is not the current directory
  [['qemu', 'compare', '--records', ''], /--records must not be empty/],
  [['qemu', 'migrate', '--workload', 'sqlite', '--cache', ''], /--cache must not be empty/],
  [
    ['qemu', 'compare', '--records', futureRecord],
    /sqlite-plugin-1\.json: record version 3: this postcopy-lab reads 1, 2/,
  ],
  [['whatif', '-o', join(out, 'existing-dir')], /existing-dir is a directory: name the file to write/],
  [
    ['whatif', '-o', o('w.html'), '--trace', small, 'extra'],
    /traces given both as --trace \S+ and as the argument extra/,
  ],
  [['whatif', '-o', o('w.html'), 'missing.trace'], /missing\.trace: no such file/],
  [['whatif', '-o', o('w.html'), '--trace', join(dir, 'missing.trace')], /missing\.trace: no such file/],
  [['whatif'], /missing required option --output/],
  // its own file: were it written over, no other case would read a page as a trace
  [
    ['whatif', '-o', pageOver, '--trace', small, '--trace', pageOver],
    /-o \S+page-over\.trace is the trace \S+: the page/,
  ],
  [['trace', 'convert', convertSelf, convertSelf], /-o \S+convert-self\.trace is the trace to convert: name another/],
  [
    ['trace', 'convert', '--trace', convertSelf, '-o', convertSelfLink],
    /-o \S+convert-self-link\.trace is the trace to/,
  ],
  [['simulate', '--trace', small, '--rate-window', '-100ms'], /--rate-window must be between 0 and/],
  [['simulate', '--trace', small, '--peak-bandwidth', '1GB/h'], /bandwidth must be a number of bits\/s/],
  // a trailer that lies (a writer's bug): named, whichever check meets it first; simulate and compare name the file
  [['simulate', '--trace', lyingTrailer], LYING_TRAILER],
  [['compare', '--trace', lyingTrailer, '--prefetchers', 'none,ppm'], LYING_TRAILER],
  [['predict', '--trace', lyingTrailer, '--predictor', 'ppm'], /summary trailer .*largest page 100 is not the blocks'/],
  [['trace', 'stats', lyingTrailer], /summary trailer .*largest page 100 is not the blocks'/],
  [['trace', 'convert', lyingTrailer, o('lie.pctrace')], /summary trailer .*largest page 100 is not the blocks'/],
  // white space around a number, refused by every numeric flag as a malformed number is (the parsers trimmed it)
  [['simulate', small, '--k', ' 8'], /: --k has white space around its value " 8": give the value alone$/m],
  [['simulate', small, '--ips', '1e9 '], /--ips has white space around its value "1e9 "/],
  [['simulate', small, '--rtt', ' 2ms'], /--rtt has white space around/],
  [['simulate', small, '--bandwidth', '1gbit\t'], /--bandwidth has white space around its value "1gbit\\t"/],
  [['simulate', small, '--switchover', ' 30%'], /--switchover has white space around/],
  [['simulate', small, '--prefetcher', 'ppm', '--order', '2 '], /--order has white space around/],
  [['predict', small, '--predictor', 'ppm', '--lead', '\n3'], /--lead has white space around its value "\\n3"/],
  [
    ['trace', 'gen', 'random', '--seed', '1', '--accesses', '10', '--pages', ' 64', '-o', o('w.trace')],
    /--pages has white space/,
  ],
  [['sweep', 'modes', '--shard', ' 0/2', '-o', o('w.json')], /--shard has white space around/],
  [['sweep', 'modes', '--workers', '2 ', '-o', o('w.json')], /--workers has white space around/],
  [['whatif', '--switchover', '30% ', '-o', o('w.html')], /--switchover has white space around/],
  [['qemu', 'migrate', '--workload', 'random', '--warmup', ' 1s'], /--warmup has white space around/],
  [['qemu', 'migrate', '--workload', 'random', '--bandwidth', ' 1gbit'], /--bandwidth has white space around/],
  // a '+' before a number, one rule for every numeric flag: 21ce104 took --zero-share +0.5 and said "--k must be a
  // whole number" of +8
  [['simulate', small, '--zero-share', '+0.5'], /: --zero-share has a plus sign before its value "\+0\.5": give the/],
  [['simulate', small, '--k', '+8'], /: --k has a plus sign before its value "\+8": give the number without it$/m],
  [['simulate', small, '--rtt', '+2ms'], /: --rtt has a plus sign before its value/],
  [['simulate', small, '--switchover', '+30%'], /: --switchover has a plus sign before its value/],
  [['whatif', '--switchover', '+30%', '-o', o('w.html')], /: --switchover has a plus sign before its value/],
  [['simulate', small, '--prefetcher', 'ppm', '--order', '+2'], /: --order has a plus sign before its value/],
  [['sweep', 'modes', '--shard', '+0/2', '-o', o('w.json')], /: --shard has a plus sign before its value/],
  // an instruction count beyond 2^53: 21ce104 named the rounded 100000000000000000000 (and 9007199254740992 for ...93)
  [
    ['simulate', small, '--switchover', '99999999999999999999'],
    /: --switchover must be at most 9007199254740991 instructions, got "99999999999999999999"$/m,
  ],
  [['predict', small, '--predictor', 'ppm', '--switchover', '9007199254740993'], /got "9007199254740993"$/m],
];

/** Valid but unusual inputs: [arguments, a line the output must hold]. */
const ODD: [string[], RegExp][] = [
  [['trace', 'stats', file('crlf.trace', '0 0\r\n10 1\r\n20 2 W\r\n')], /accesses\s+3/],
  [['trace', 'stats', file('bom.trace', '\ufeff0 0\n10 1\n')], /accesses\s+2/],
  [['trace', 'stats', file('tabs.trace', '0\t0\n10\t1\tW\n')], /accesses\s+2/],
  [['simulate', '--trace', file('single.trace', '0 5\n')], /networkFaults\s+1/],
  // a large k on a large VM: the hybrid searched each fault's list for every page it took, 4k candidates, minutes
  [['predict', vmOf2To20, '--predictor', 'ppm-hybrid-dirty', '--k', '65536'], /^prefetch issued\s+131072$/m],
  [['predict', '--trace', join(dir, 'single.trace'), '--predictor', 'ppm'], /^faults\s+1$/m],
  [['simulate', '--trace', file('page0.trace', '0 0\n1 0\n2 0\n')], /vmPages\s+1/],
  [['trace', 'stats', highPage], /accesses\s+2/],
  [['trace', 'convert', highPage, o('high.pctrace')], /^$/],
  [['predict', '--trace', newline, '--predictor', 'next-k'], /^faults\s+1$/m],
  // a trace's name from its header is shown with its control characters escaped (they were printed raw)
  [['trace', 'stats', escapes], /^trace\s+a\\u001b\[31mred\\u0007\\u001b\]0;title\\u009b$/m],
  [['predict', escapes, '--predictor', 'ppm'], /^trace\s+a\\u001b\[31mred\\u0007\\u001b\]0;title\\u009b$/m],
  [['simulate', '--trace', small, '--bandwidth', '1Gb/s', '--rtt=-0'], /networkFaults\s+3/],
  // execFile's standard output is a socket, which /dev/stdout cannot be opened anew on (ENXIO)
  [['trace', 'convert', small, '/dev/stdout'], /^# postcopy-lab trace\n(.*\n)*1000 2 R\n$/],
  [['trace', 'convert', small, '-'], /^# postcopy-lab trace\n(.*\n)*1000 2 R\n$/],
  [['trace', 'convert', small, '-o', '-'], /^# postcopy-lab trace\n(.*\n)*1000 2 R\n$/],
  [[...gen(), '-o', '-'], /^# postcopy-lab trace\n(.*\n){52}$/],
  // from its 5th phase phased runs strided, which reads --stride
  [
    [...gen('--phases', '5', '--stride', '4'), '-o', '-'].map((a) => (a === 'random' ? 'phased' : a)),
    /^# postcopy-lab trace\n(.*\n){52}$/,
  ],
];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: readonly string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Runs every case, a few processes at a time. */
async function runAll(cases: readonly (readonly string[])[]): Promise<Outcome[]> {
  const results: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) results[i] = await run(cases[i]);
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism() * 2) }, worker));
  return results;
}

const show = (args: readonly string[]) => JSON.stringify(args.map((a) => a.replace(dir, '$DIR')));

test(`${BAD.length} bad inputs: exit 2, one line on stderr naming the problem, nothing written`, async () => {
  assert.ok(BAD.length >= 60);
  const outcomes = await runAll(BAD.map(([args]) => args));
  outcomes.forEach(({ code, stdout, stderr }, i) => {
    const [args, pattern] = BAD[i];
    assert.equal(code, 2, `${show(args)}: exit ${code}, stderr ${JSON.stringify(stderr)}`);
    assert.match(stderr, /^postcopy-lab: [^\n]+\n$/, `${show(args)}: not exactly one line: ${JSON.stringify(stderr)}`);
    assert.match(stderr, pattern, show(args));
    assert.doesNotMatch(stderr, /internal error|\bat .*\.js:\d+/, show(args));
    assert.doesNotMatch(stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, `${show(args)}: a control character on stderr`);
    assert.equal(stdout, '', show(args));
  });
  assert.deepEqual(readdirSync(out), ['existing-dir'], 'a bad input left a file behind');
});

test('valid but unusual inputs keep working: CRLF, BOM, tabs, one access, page 0 only, page 2^32-1, odd names', async () => {
  const outcomes = await runAll(ODD.map(([args]) => args));
  outcomes.forEach(({ code, stdout, stderr }, i) => {
    const [args, pattern] = ODD[i];
    assert.equal(code, 0, `${show(args)}: ${stderr}`);
    assert.match(stdout, pattern, show(args));
    assert.doesNotMatch(stdout, /[\x1b\x07\x9b]/, show(args));
  });
  assert.ok(existsSync(o('high.pctrace')));
  assert.ok(!existsSync(join(dir, '-')), '- is standard output, not a file named -');
  const stats = await run(['trace', 'stats', o('high.pctrace'), '--json']);
  assert.equal(JSON.parse(stats.stdout).distinctPages, 2);
});

// The page embeds the real traces of datasets/: `whatif -o datasets/perl.trace.gz` wrote the page over one (exit 0)
test('whatif -o naming a trace the page embeds, by its name or a link, is refused and the trace kept', async () => {
  const dataset = resolve('datasets', 'perl.trace.gz');
  const link = join(dir, 'perl-link.trace.gz');
  symlinkSync(dataset, link);
  const before = readFileSync(dataset);
  try {
    for (const output of [dataset, link]) {
      const { code, stdout, stderr } = await run(['whatif', '-o', output]);
      assert.equal(code, 2, `-o ${output}: exit ${code}, stderr ${JSON.stringify(stderr)}`);
      assert.match(
        stderr,
        /^postcopy-lab: -o \S+perl(-link)?\.trace\.gz is the trace \S+perl\.trace\.gz: the page would/,
      );
      assert.match(stderr, /^[^\n]+\n$/);
      assert.equal(stdout, '');
      assert.ok(readFileSync(dataset).equals(before), `-o ${output} changed the dataset`);
    }
  } finally {
    // every later reader of the dataset would fail on the page: put it back
    if (!readFileSync(dataset).equals(before)) writeFileSync(dataset, before);
  }
});

test('--bandwidth: b is bits, B is bytes (1GB/s sends a page in an eighth of the 1Gb/s time)', async () => {
  const [bits, bytes] = await runAll(
    ['1Gb/s', '1GB/s'].map((b) => ['simulate', '--trace', small, '--bandwidth', b, '--json']),
  );
  const [a, b] = [JSON.parse(bits.stdout), JSON.parse(bytes.stdout)];
  assert.equal(a.networkFaults, b.networkFaults);
  assert.ok(b.totalMigrationMs < a.totalMigrationMs);
  const [reference] = await runAll([['simulate', '--trace', small, '--bandwidth', '8000000000', '--json']]);
  assert.equal(JSON.parse(reference.stdout).totalMigrationMs, b.totalMigrationMs);
});

test("a temporary file left by a killed writer is removed by the next write; a live writer's is kept", async () => {
  const target = join(dir, 'killed');
  mkdirSync(target);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const orphan = join(target, `.x.trace.postcopy-lab-${dead}.tmp`);
  const live = join(target, `.x.trace.postcopy-lab-${process.pid}.tmp`);
  writeFileSync(orphan, 'half a trace');
  writeFileSync(live, 'being written');
  const { code, stderr } = await run([...gen(), '-o', join(target, 'x.trace')]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(readdirSync(target).sort(), [`.x.trace.postcopy-lab-${process.pid}.tmp`, 'x.trace']);
});

test('results that cannot be written to standard output (a full disk) are one line and exit 2, not a silent 0', () => {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [CLI, 'simulate', '--trace', small], {
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'postcopy-lab: cannot write the results to standard output (ENOSPC)\n');
  } finally {
    closeSync(full);
  }
});

test('an output that is a device is written in place, never replaced by a file (a full one: exit 2, one line)', async () => {
  const [full, nothing] = await runAll([
    [...gen(), '-o', '/dev/full'],
    ['trace', 'convert', small, '/dev/null'],
  ]);
  assert.equal(full.code, 2);
  assert.equal(full.stderr, 'postcopy-lab: cannot write /dev/full (ENOSPC)\n');
  assert.equal(nothing.code, 0, nothing.stderr);
  // run as root, a rename over the device would have succeeded and left a regular file there
  assert.ok(statSync('/dev/full').isCharacterDevice() && statSync('/dev/null').isCharacterDevice());
});

test('an output into a pipe whose reader went away (`-o /dev/stdout | head`) stops quietly, as SIGPIPE would', () => {
  // both outputs are far larger than a pipe's buffer, so writing goes on after the reader left
  for (const args of [
    ['trace', 'convert', resolve('datasets/sort.trace.gz'), '/dev/stdout'],
    [...genArgs('1000000', '1000'), '-o', '/dev/stdout'],
  ]) {
    const command = [process.execPath, CLI, ...args].map((word) => `'${word}'`).join(' ');
    const r = spawnSync('bash', ['-c', `${command} | head -c 1 > /dev/null; exit \${PIPESTATUS[0]}`], {
      encoding: 'utf8',
    });
    assert.equal(r.stderr, '', show(args));
    assert.equal(r.status, 0, show(args));
  }
});

test('a writer killed with SIGKILL mid-write leaves no output, and the next write removes its temporary file', async () => {
  const target = join(dir, 'sigkill');
  mkdirSync(target);
  // a generated trace is written as it is made, so the temporary file exists for seconds
  const child = spawn(process.execPath, [CLI, ...genArgs('50000000', '1000'), '-o', join(target, 'big.trace')]);
  const temp = `.big.trace.postcopy-lab-${child.pid}.tmp`;
  const exited = new Promise((done) => child.on('exit', done));
  try {
    for (let waited = 0; !readdirSync(target).includes(temp); waited += 20) {
      assert.ok(waited < 60_000 && child.exitCode === null, 'the writer never showed its temporary file');
      await new Promise((done) => setTimeout(done, 20));
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  assert.deepEqual(readdirSync(target), [temp], 'killed: the temporary file is all there is, no partial big.trace');
  const { code, stderr } = await run([...gen(), '-o', join(target, 'small.trace')]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(readdirSync(target), ['small.trace']);
});

test('Ctrl-C, a kill or a hang-up mid-write: the writer ends by its signal, its temporary file removed', async () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const target = join(dir, `signal-${signal}`);
    mkdirSync(target);
    const child = spawn(process.execPath, [CLI, ...genArgs('50000000', '1000'), '-o', join(target, 'big.trace')]);
    const temp = `.big.trace.postcopy-lab-${child.pid}.tmp`;
    const exited = new Promise<[number | null, string | null]>((done) =>
      child.on('exit', (code, how) => done([code, how])),
    );
    try {
      for (let waited = 0; !readdirSync(target).includes(temp); waited += 20) {
        assert.ok(waited < 60_000 && child.exitCode === null, 'the writer never showed its temporary file');
        await new Promise((done) => setTimeout(done, 20));
      }
    } finally {
      child.kill(signal);
    }
    // ended by the signal itself, as without a handler (a shell shows 128 + its number)
    assert.deepEqual(await exited, [null, signal]);
    assert.deepEqual(readdirSync(target), [], `${signal}: a file was left behind`);
  }
});

/**
 * Runs the CLI as a user that file permissions bind: root reads and writes anything, so as root the run is made as
 * nobody (in directories nobody can reach); as anyone else, as that user.
 */
function runBoundByPermissions(args: readonly string[]): Outcome {
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'runuser' : process.execPath;
  const r = spawnSync(command, [...(asRoot ? ['-u', 'nobody', '--', process.execPath] : []), CLI, ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("a directory one may write but not list, another user's leftovers in /tmp: no internal error", () => {
  const asRoot = process.getuid?.() === 0;
  const base = tempDir('permissions');
  chmodSync(base, 0o755);
  // -wx: the temporary file can be made and renamed, the directory not read for orphans
  const writeOnly = join(base, 'write-only');
  mkdirSync(writeOnly, 0o733);
  chmodSync(writeOnly, 0o733);
  const written = runBoundByPermissions([...gen(), '-o', join(writeOnly, 'x.trace')]);
  assert.equal(written.code, 0, written.stderr);
  // a directory that cannot be entered at all: one line, no stack
  const closed = join(base, 'closed');
  mkdirSync(closed, 0o700);
  chmodSync(closed, asRoot ? 0o700 : 0o000);
  // given back before the test's directory is removed, also when an assertion fails
  try {
    for (const args of [
      [...gen(), '-o', join(closed, 'x.trace')],
      ['whatif', '-o', join(closed, 'w.html')],
    ]) {
      const r = runBoundByPermissions(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^postcopy-lab: cannot write \S+closed\/(x\.trace|w\.html): no file can be created in \S+closed \(EACCES\)\n$/,
      );
    }
    // it is there: not "no such directory"
    const records = runBoundByPermissions(['qemu', 'compare', '--records', closed]);
    assert.equal(records.code, 2, records.stderr);
    assert.match(records.stderr, /^postcopy-lab: \S+closed: cannot list its QEMU run records \(EACCES\)\n$/);
  } finally {
    chmodSync(closed, 0o700);
  }
  if (!asRoot) return;
  // root's orphan, its writer gone, in a sticky directory: nobody may not remove it, and need not
  const sticky = join(base, 'sticky');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  const orphan = `.x.trace.postcopy-lab-${spawnSync(process.execPath, ['-e', '0']).pid}.tmp`;
  writeFileSync(join(sticky, orphan), 'half a trace');
  const r = runBoundByPermissions([...gen(), '-o', join(sticky, 'x.trace')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(sticky).sort(), [orphan, 'x.trace']);
});
