/**
 * The what-if page's node side: settings survive the URL hash, the page's simulate() input is what the
 * command line makes of the same flags, the curve agrees with the table, and the page and the inlined
 * plotly stay small (the browser side is test/report/whatif-browser.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseFlags } from '../../src/cli/args';
import { UserError } from '../../src/errors';
import { SIM_FLAGS, simInputFromFlags } from '../../src/cli/simulate';
import { knobsFromFlags, switchoverPercentFlag } from '../../src/cli/whatif';
import { whatIfPageOptions } from '../../src/experiments';
import { simulate, type MigrationResult } from '../../src/migration';
import { declaredOptions, flagOf, readsK, type PredictorName } from '../../src/prefetch';
import { predictorOptionsFromFlags } from '../../src/cli/predictor-flags';
import { plotlyScriptTag } from '../../src/report';
import { browserAsset } from '../../src/report/assets';
import { CURVE_POINTS, TraceRuns, curvePoint, curveXs } from '../../src/report/whatif/compute';
import { MAX_EMBEDDED_TRACE_CHARS, whatifPageHtml } from '../../src/report/whatif/page';
import {
  DEFAULT_WHATIF_SETTINGS,
  KNOB_BOUNDS,
  cliFlagsOf,
  numberIn,
  type NumberBounds,
  effectiveMethods,
  equivalentCommand,
  settingsFromHash,
  settingsToHash,
  type WhatifSettings,
} from '../../src/report/whatif/settings';
import { formatTextTrace, generateTrace, makeTrace, parseSwitchover } from '../../src/trace';
import { tempDir } from '../temp-dir';

const trace = generateTrace('phased', {
  seed: 'whatif',
  accesses: 4000,
  pages: 512,
  writeRatio: 0.3,
  instructionsPerAccess: 700,
});
const setting: WhatifSettings = {
  ...DEFAULT_WHATIF_SETTINGS,
  workload: 'phased',
  methods: ['none', 'next-k', 'ppm', 'oracle'],
  mode: 'hybrid',
  k: 5,
  options: { order: 2, training: 'online' },
  switchoverPercent: 37.5,
  bandwidthGbps: 0.35,
  rttUs: 750,
  push: 'restart',
  urgentChannel: true,
  curve: 'bandwidth',
};

test('settings go through the URL hash and come back equal', () => {
  assert.deepEqual(settingsFromHash(`#${settingsToHash(setting)}`, DEFAULT_WHATIF_SETTINGS), setting);
});

test('a hash with impossible or unknown values keeps the defaults for those knobs', () => {
  const back = settingsFromHash(
    '#k=-3&mode=warp&bandwidthGbps=abc&methods=ppm,nonsense,none&rttUs=50',
    DEFAULT_WHATIF_SETTINGS,
  );
  assert.deepEqual(back, { ...DEFAULT_WHATIF_SETTINGS, methods: ['none', 'ppm'], rttUs: 50 });
});

test('a hash names each value it could not take; numbers in decimal notation only, as the CLI reads them', () => {
  const ignored: string[] = [];
  const hash =
    '#k=0x10&mode=warp&bandwidthGbps=%208&methods=ppm,nonsense&urgentChannel=yes&rttUs=1e2&o.order=x&zeroShare=%2B0.5';
  const back = settingsFromHash(hash, DEFAULT_WHATIF_SETTINGS, ignored);
  assert.deepEqual(back, { ...DEFAULT_WHATIF_SETTINGS, methods: ['ppm'], rttUs: 100 });
  assert.deepEqual(ignored, [
    'methods=nonsense',
    'mode=warp',
    'urgentChannel=yes',
    'k=0x10',
    'bandwidthGbps= 8',
    'zeroShare=+0.5',
    'o.order=x',
  ]);
  // a key no setting has, or one given again (the first is read), is named too (session 34: taken without a word)
  const odd: string[] = [];
  const typo = settingsFromHash('#bandwith=10&o.ordre=2&k=4&k=16&options=x', DEFAULT_WHATIF_SETTINGS, odd);
  assert.deepEqual(typo, { ...DEFAULT_WHATIF_SETTINGS, k: 4 });
  assert.deepEqual(odd, ['bandwith=10', 'o.ordre=2', 'k=16', 'options=x']);
  // nothing is ignored in a link the page made, one with no method ticked included
  const none: string[] = [];
  settingsFromHash(`#${settingsToHash(setting)}`, DEFAULT_WHATIF_SETTINGS, none);
  const noMethods = settingsFromHash(`#${settingsToHash({ ...setting, methods: [] })}`, DEFAULT_WHATIF_SETTINGS, none);
  assert.deepEqual([none, noMethods.methods], [[], []]);
});

test('a hash with switchover at 100 % (no access left after it) keeps the default switchover', () => {
  const back = settingsFromHash('#switchoverPercent=100&rttUs=50', DEFAULT_WHATIF_SETTINGS);
  assert.deepEqual(back, { ...DEFAULT_WHATIF_SETTINGS, rttUs: 50 });
  assert.equal(settingsFromHash('#switchoverPercent=99.5', DEFAULT_WHATIF_SETTINGS).switchoverPercent, 99.5);
});

test('each method at a setting gives what the command line gives for the flags the page prints', () => {
  const { values } = parseFlags(cliFlagsOf(setting), SIM_FLAGS);
  const input = {
    ...simInputFromFlags(values, setting.methods),
    switchover: parseSwitchover(values.switchover!, trace),
  };
  const cli = setting.methods.map((predictor) => simulate(trace, { ...input, predictor }));
  const runs = new TraceRuns(trace);
  assert.deepEqual(
    setting.methods.map((method) => runs.simulate(method, setting)),
    cli,
  );
});

test('in pre-copy mode the page runs once, with the flags `simulate --mode precopy` accepts, and gets its numbers', () => {
  const precopy: WhatifSettings = { ...setting, mode: 'precopy' };
  assert.deepEqual(effectiveMethods(precopy), ['none']);
  const dir = tempDir('pcl-whatif-precopy');
  const file = join(dir, 'phased.trace');
  writeFileSync(file, formatTextTrace(trace));
  const args = ['--import', 'tsx', 'src/cli.ts', 'simulate', '--trace', file, ...cliFlagsOf(precopy), '--json'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), asPrinted(new TraceRuns(trace).simulate('none', precopy)));
});

/** A result as simulate and compare print it: k null for a method that reads none (README's result fields). */
const asPrinted = (r: MigrationResult) => (readsK(r.predictor) ? r : { ...r, k: null });

/** Runs a command line the page prints in bash, `postcopy-lab` being this checkout's CLI, with --json added. */
function runPrinted(line: string, cwd: string): MigrationResult[] {
  const cliPath = join(process.cwd(), 'src', 'cli.ts');
  // tsx by its file: --import resolves a bare name from the working directory
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const shell = `postcopy-lab() { "${process.execPath}" --import "${tsx}" "${cliPath}" "$@"; }; ${line} --json`;
  const r = spawnSync('bash', ['-c', shell], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${line}: ${r.stderr}`);
  return [JSON.parse(r.stdout)].flat();
}

test('the "same as" line runs as printed: a generated workload made first, a bundled one read from datasets/', () => {
  const options = whatIfPageOptions({ kinds: ['zipf'], accesses: 3000, pages: 700 }, { names: ['sqlite'] });
  const at: WhatifSettings = { ...setting, mode: 'postcopy', push: 'off', urgentChannel: false };
  const dir = tempDir('pcl-whatif-same-as');
  for (const workload of options.workloads) {
    const made = 'generator' in workload;
    const source = made ? { generator: workload.generator, options: workload.options } : { file: workload.file };
    const line = equivalentCommand(at, source);
    const trace = made ? generateTrace(workload.generator, workload.options) : workload.trace;
    const runs = new TraceRuns(trace);
    // a generated trace is written where the command runs; a bundled file is named from the checkout
    assert.deepEqual(
      runPrinted(line, made ? dir : process.cwd()),
      at.methods.map((m) => asPrinted(runs.simulate(m, at))),
    );
  }
  // a dropped file is named as the reader's file system has it: quoted for the shell where it must be
  const name = "it's mine.trace";
  writeFileSync(join(dir, name), formatTextTrace(trace));
  const precopy = { ...at, mode: 'precopy' as const };
  const line = equivalentCommand(precopy, { file: name });
  assert.match(line, /^postcopy-lab simulate --trace 'it'\\''s mine\.trace' --mode precopy /);
  assert.deepEqual(runPrinted(line, dir), [asPrinted(new TraceRuns(trace).simulate('none', precopy))]);
});

test('the printed command holds a predictor option only where a ticked method reads it (the CLI refuses it)', () => {
  const online: WhatifSettings = { ...setting, options: { training: 'online', historyWindow: 50 } };
  const flagsOf = (methods: PredictorName[]) => cliFlagsOf({ ...online, methods });
  // ppm trains online on faults alone: its history window is unread; phase-bubbling reads it whatever the training
  assert.ok(!flagsOf(['none', 'ppm']).includes('--history-window'));
  assert.ok(flagsOf(['ppm']).includes('--training'));
  assert.deepEqual(flagsOf(['ppm', 'phase-bubbling']).slice(-4), ['--training', 'online', '--history-window', '50']);
  const { values } = parseFlags(flagsOf(['ppm']), SIM_FLAGS);
  assert.doesNotThrow(() => simInputFromFlags(values, ['ppm']));
});

test('with only `none` ticked the printed command has no --k (refused there: nothing is sent with a fault) and runs', () => {
  const alone: WhatifSettings = { ...setting, methods: ['none'] };
  assert.ok(!cliFlagsOf(alone).includes('--k'));
  assert.ok(cliFlagsOf(setting).includes('--k'), 'with a predictor ticked --k is printed');
  const dir = tempDir('pcl-whatif-none');
  const file = join(dir, 'phased.trace');
  writeFileSync(file, formatTextTrace(trace));
  const args = ['--import', 'tsx', 'src/cli.ts', 'compare', '--trace', file, '--prefetchers', 'none'];
  const r = spawnSync(process.execPath, [...args, ...cliFlagsOf(alone), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // the same run; its k, the setting's (5) on the page and the default (8) here, is read by no one: null
  assert.deepEqual(JSON.parse(r.stdout), [asPrinted(new TraceRuns(trace).simulate('none', alone))]);
});

test('the curve point at the current bandwidth repeats the table; a repeated setting is not simulated again', () => {
  const runs = new TraceRuns(trace);
  const at = { ...setting, bandwidthGbps: CURVE_POINTS.bandwidth[2] };
  const table = at.methods.map((method) => runs.simulate(method, at));
  const points = at.methods.map((method) => curvePoint(runs, at, at.bandwidthGbps, method));
  assert.deepEqual(
    points.map((p) => [p.method, p.networkFaults, p.stallMs]),
    table.map((r) => [r.predictor, r.networkFaults, r.stallMs]),
  );
  assert.equal(runs.simulate(at.methods[0], at), table[0], 'the same result object: served from the cache');
});

test('the inlined plotly is the minified bundle, gzip-compressed, under 2 MB', () => {
  const tag = plotlyScriptTag();
  assert.ok(tag.length < 2e6, `plotly tag of ${tag.length} bytes`);
  const base64 = /atob\("([A-Za-z0-9+/=]+)"\)/.exec(tag)![1];
  const code = gunzipSync(Buffer.from(base64, 'base64')).toString('utf8');
  assert.match(code, /^\/\*! plotly\.js v\d+\.\d+\.\d+ /);
  const original = statSync(require.resolve('plotly.js-dist')).size;
  assert.ok(code.length < 0.5 * original, `minified: ${code.length} of ${original} bytes`);
});

test('the what-if page with every bundled workload is one file under 5 MB that holds plotly once', () => {
  const html = whatifPageHtml(whatIfPageOptions());
  assert.ok(Buffer.byteLength(html) <= 5e6, `page of ${Buffer.byteLength(html)} bytes`);
  assert.equal(html.match(/data-pcl-plotly/g)?.length, 1);
  // plotly's basic bundle (scatter, bar, pie: the page draws bars and lines), which the page loads when it draws
  const base64 = /data-pcl-plotly>[^]*?atob\("([A-Za-z0-9+/=]+)"\)/.exec(html)![1];
  const code = gunzipSync(Buffer.from(base64, 'base64')).toString('utf8');
  assert.match(code, /^\/\*! plotly\.js v\d+\.\d+\.\d+ /);
  assert.ok(code.length < 0.3 * gunzipSync(browserAsset('plotly.min.js.gz')).length, `${code.length} bytes`);
  assert.doesNotMatch(html, /window\.pclLoadPlotly\(\);/, 'the tag does not load it by itself');
  assert.doesNotMatch(html, /<script[^>]*\ssrc=/, 'no external scripts');
  for (const name of ['sqlite', 'perl', 'bzip2', 'sort', 'zipf', 'phased'])
    assert.match(html, new RegExp(`"name":"${name}"`));
});

/** `postcopy-lab whatif ARGS`. */
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'whatif', ...args], { encoding: 'utf8' });

/** A temporary directory holding a three-access trace `mine.trace`. */
function dirWithTrace(prefix: string): { dir: string; mine: string } {
  const dir = tempDir(prefix);
  const mine = join(dir, 'mine.trace');
  writeFileSync(mine, '0 1\n10 2 W\n20 1\n');
  return { dir, mine };
}

test('postcopy-lab whatif writes the page with the extra traces; bad input is exit 2 and one line, no file', () => {
  const { dir, mine: extra } = dirWithTrace('pcl-whatif-cli');
  const page = join(dir, 'page.html');
  const ok = cli('-o', page, '--trace', extra);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(readFileSync(page, 'utf8'), /"name":"mine"/);
  const out = join(dir, 'bad.html');
  for (const args of [[], ['-o', dir], ['-o', out, '--trace', join(dir, 'missing.trace')], ['-o', out, 'extra']]) {
    const r = cli(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^postcopy-lab: [^\n]+\n$/, args.join(' '));
    assert.equal(existsSync(out), false);
  }
});

test("traces of one name (a bundled workload's, or each other's) keep theirs on the page, told apart by file", () => {
  const { dir, mine } = dirWithTrace('pcl-whatif-names');
  mkdirSync(join(dir, 'other'));
  const other = join(dir, 'other', 'mine.trace');
  writeFileSync(other, '0 5\n1 6\n');
  const sqlite = join(dir, 'named.trace');
  writeFileSync(sqlite, '# name: sqlite\n0 7\n');
  const page = join(dir, 'page.html');
  const ok = cli('-o', page, mine, other, sqlite);
  assert.equal(ok.status, 0, ok.stderr);
  const data = /<script type="application\/json" id="pcl-whatif-data">(.*?)<\/script>/s.exec(
    readFileSync(page, 'utf8'),
  );
  const { workloads, initial } = JSON.parse(data?.[1] ?? '') as {
    workloads: { name: string }[];
    initial: { workload: string };
  };
  const names = workloads.map((w) => w.name);
  // the page keys them by name: the second "mine" hid the first, the bundled sqlite the file's
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(names.slice(0, 3), ['mine', `mine (${other})`, `sqlite (${sqlite})`]);
  assert.ok(names.includes('sqlite'));
  assert.equal(initial.workload, 'mine');
  const thrice = cli('-o', join(dir, 'x.html'), mine, mine, mine);
  assert.equal(thrice.status, 2);
  assert.equal(thrice.stderr, `postcopy-lab: the trace ${mine} is given more than once\n`);
  // twice, and under another spelling of its path: it was listed twice, the second as `mine (${mine})`
  for (const again of [mine, `${dir}/other/../mine.trace`]) {
    const twice = cli('-o', join(dir, 'x.html'), mine, again);
    assert.equal(twice.status, 2);
    assert.equal(twice.stderr, `postcopy-lab: the trace ${again} is given more than once\n`);
  }
  // a trace named as another one gets renamed: two different files, each given once (it said "given more than once")
  const named = join(dir, 'named-like-the-renamed.trace');
  writeFileSync(named, `# name: mine (${other})\n0 9\n`);
  const clash = cli('-o', join(dir, 'x.html'), mine, named, other);
  assert.equal(clash.status, 2);
  assert.equal(
    clash.stderr,
    `postcopy-lab: the trace ${other} would be listed as "mine (${other})", the name of the trace ${named}: ` +
      'rename one of them\n',
  );
});

test('whatif -o /dev/stdout writes the page alone on standard output, the bytes it writes into a file', () => {
  const { dir, mine } = dirWithTrace('pcl-whatif-stdout');
  const page = join(dir, 'page.html');
  assert.equal(cli('-o', page, mine).status, 0);
  // the page is some 4 MB: more than spawnSync's default buffer
  const args = ['--import', 'tsx', 'src/cli.ts', 'whatif', '-o', '/dev/stdout', mine];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(page, 'utf8'));
});

/**
 * The knobs added after the first page (VM, page size, speed, pre-copy rounds, rate windows), each moved from
 * a context where it matters: post-copy for the link and speed (a rate window
 * only slows a link faster than the limit), hybrid on a slow VM (pages dirty during the
 * rounds) for the rounds. Knob, then context.
 */
const MOVED_LATER: Array<[Partial<WhatifSettings>, Partial<WhatifSettings>]> = [
  [{ vmPages: 1000 }, { mode: 'postcopy' }],
  [{ pageSize: 8192 }, { mode: 'postcopy' }],
  [{ instructionsPerSecond: 2.5e8 }, { mode: 'postcopy' }],
  [{ precopyStopPages: 0 }, { mode: 'hybrid', instructionsPerSecond: 1e7 }],
  [{ precopyRounds: 2 }, { mode: 'hybrid', instructionsPerSecond: 1e7, precopyStopPages: 0 }],
  [{ rateWindowMs: 1 }, { mode: 'postcopy', peakBandwidthGbps: 2 }],
  [{ peakBandwidthGbps: 2 }, { mode: 'postcopy', rateWindowMs: 1 }],
];

test('each later knob moves the results, to what the command line gives for the flags the page prints', () => {
  const runs = new TraceRuns(trace);
  for (const [knob, context] of MOVED_LATER) {
    const moved = { ...setting, ...context, ...knob };
    assert.deepEqual(settingsFromHash(settingsToHash(moved), DEFAULT_WHATIF_SETTINGS), moved);
    const { values } = parseFlags(cliFlagsOf(moved), SIM_FLAGS);
    const input = { ...simInputFromFlags(values, ['ppm']), switchover: parseSwitchover(values.switchover!, trace) };
    const page = runs.simulate('ppm', moved);
    assert.deepEqual(page, simulate(trace, { ...input, predictor: 'ppm' }), JSON.stringify(knob));
    assert.notDeepEqual(
      page,
      runs.simulate('ppm', { ...setting, ...context }),
      `${JSON.stringify(knob)} changes nothing`,
    );
  }
});

test('at their defaults the later knobs print no flag and leave every result as it was', () => {
  const flags = cliFlagsOf({ ...setting, mode: 'hybrid' }).join(' ');
  assert.doesNotMatch(flags, /--(vm-pages|page-size|ips|precopy-rounds|precopy-stop-pages|rate-window|peak-bandwidth)/);
  const before = simulate(trace, {
    mode: 'hybrid',
    predictor: 'ppm',
    k: setting.k,
    predictorOptions: setting.options,
    network: { bandwidthBps: 0.35e9, rttUs: 750, urgentChannel: true },
    push: 'restart',
    switchover: parseSwitchover('37.5%', trace),
  });
  assert.deepEqual(new TraceRuns(trace).simulate('ppm', setting), before);
});

test('a hash with impossible later knobs keeps their defaults', () => {
  const hash = '#vmPages=-1&pageSize=3000&instructionsPerSecond=0&precopyRounds=0&precopyStopPages=2.5&rateWindowMs=x';
  assert.deepEqual(settingsFromHash(hash + '&peakBandwidthGbps=-2', DEFAULT_WHATIF_SETTINGS), DEFAULT_WHATIF_SETTINGS);
});

test('an impossible later knob: the page shows the line the command line exits 2 with (naming the flag there)', () => {
  const dir = tempDir('pcl-whatif-refused');
  const file = join(dir, 'phased.trace');
  writeFileSync(file, formatTextTrace(trace));
  const refused: Array<[Partial<WhatifSettings>, RegExp, RegExp?]> = [
    [{ vmPages: 100 }, /touches page \d+, beyond the VM's 100 pages$/],
    [
      { pageSize: 3000 },
      /^page size must be a positive power of two, got 3000$/,
      /^--page-size must be a positive power of two, got 3000$/,
    ],
    [
      { rateWindowMs: 100, peakBandwidthGbps: 0.1 },
      /^peak bandwidth must be at least the bandwidth \(350000000 bits\/s\), got 100000000 bits\/s$/,
    ],
  ];
  for (const [patch, message, cliMessage = message] of refused) {
    const bad = { ...setting, ...patch };
    assert.throws(
      () => new TraceRuns(trace).simulate('ppm', bad),
      (err: Error) => message.test(err.message),
    );
    const args = [
      '--import',
      'tsx',
      'src/cli.ts',
      'simulate',
      '--trace',
      file,
      '--prefetcher',
      'ppm',
      ...cliFlagsOf(bad),
    ];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    assert.equal(r.status, 2, JSON.stringify(patch));
    assert.match(r.stderr, /^postcopy-lab: [^\n]+\n$/);
    assert.match(r.stderr.trim().replace(/^postcopy-lab: /, ''), cliMessage);
  }
});

test('with a peak bandwidth the bandwidth curve ends at the peak, where the simulator still accepts the limit', () => {
  const peaked = { ...setting, rateWindowMs: 100, peakBandwidthGbps: 5 };
  assert.deepEqual(curveXs(peaked), [0.1, 0.25, 0.5, 1, 2.5, 5]);
  assert.deepEqual(curveXs({ ...peaked, rateWindowMs: 0 }), CURVE_POINTS.bandwidth);
  assert.deepEqual(curveXs({ ...peaked, peakBandwidthGbps: 3 }), [0.1, 0.25, 0.5, 1, 2.5, 3]);
  assert.deepEqual(curveXs({ ...peaked, peakBandwidthGbps: 0.05 }), [0.05], 'a peak below every point is the point');
  const runs = new TraceRuns(trace);
  const stalls = curveXs(peaked).map((x) => curvePoint(runs, { ...peaked, mode: 'postcopy' }, x, 'ppm').stallMs);
  assert.ok(stalls[0] > stalls[stalls.length - 1], `stall falls as the limit rises: ${stalls.join(' ')}`);
});

test("postcopy-lab whatif opens the page where simulate's flags put the knobs; values simulate refuses are exit 2", () => {
  const { dir, mine } = dirWithTrace('pcl-whatif-knobs');
  const page = join(dir, 'page.html');
  const flags = ['--mode', 'hybrid', '--k', '4', '--prefetchers', 'none,ppm', '--order', '2', '--switchover', '40%'];
  flags.push('--bandwidth', '125MB/s', '--vm-pages', '1000', '--page-size', '8192', '--ips', '5e8');
  flags.push('--precopy-rounds', '2', '--rate-window', '100ms', '--peak-bandwidth', '10gbit', '--curve', 'bandwidth');
  const ok = cli('-o', page, '--trace', mine, ...flags);
  assert.equal(ok.status, 0, ok.stderr);
  const html = readFileSync(page, 'utf8');
  const data = /<script type="application\/json" id="pcl-whatif-data">(.*?)<\/script>/s.exec(html)!;
  const opened = { ...DEFAULT_WHATIF_SETTINGS, ...whatIfPageOptions({}, { names: [] }).initial };
  assert.deepEqual((JSON.parse(data[1]) as { initial: WhatifSettings }).initial, {
    ...opened,
    ...{ workload: 'mine', methods: ['none', 'ppm'], mode: 'hybrid', k: 4, options: { ...opened.options, order: 2 } },
    ...{ switchoverPercent: 40, bandwidthGbps: 1, vmPages: 1000, pageSize: 8192, instructionsPerSecond: 5e8 },
    ...{ precopyRounds: 2, rateWindowMs: 100, peakBandwidthGbps: 10, curve: 'bandwidth' },
  });
  const out = join(dir, 'bad.html');
  const refused: Array<[string[], RegExp]> = [
    [['--trace', mine, '--vm-pages', '2'], /^trace mine touches page 2, beyond the VM's 2 pages$/],
    [['--rate-window', '100ms', '--peak-bandwidth', '1mbit'], /^peak bandwidth must be at least the bandwidth/],
    [['--page-size', '3000'], /^--page-size must be a positive power of two, got 3000$/],
    [['--precopy-rounds', '0'], /^--precopy-rounds must be between 1 and 10000, got 0$/],
    [['--switchover', '2500'], /^--switchover "2500" reads as an instruction count, but the what-if page takes a/],
    [['--switchover', '100%'], /^--switchover "100%" is not below 100%: the what-if page takes a share of each/],
    [['--prefetchers', 'none', '--order', '2'], /^--order is an option of ppm/],
  ];
  for (const [args, message] of refused) {
    const r = cli('-o', out, ...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^postcopy-lab: [^\n]+\n$/, args.join(' '));
    assert.match(r.stderr.slice('postcopy-lab: '.length).trimEnd(), message, args.join(' '));
    assert.equal(existsSync(out), false);
  }
});

/** Each bounded knob's whatif/simulate flag and how a value in the page's unit is typed there. */
const KNOB_FLAGS: Record<keyof typeof KNOB_BOUNDS, [string, (v: number | string) => string]> = {
  k: ['k', String],
  switchoverPercent: ['switchover', (v) => `${v}%`],
  bandwidthGbps: ['bandwidth', (v) => `${v}gbit`],
  rttUs: ['rtt', (v) => `${v}us`],
  faultCostUs: ['fault-cost', (v) => `${v}us`],
  zeroShare: ['zero-share', String],
  vmPages: ['vm-pages', String],
  instructionsPerSecond: ['ips', String],
  precopyRounds: ['precopy-rounds', String],
  precopyStopPages: ['precopy-stop-pages', String],
  rateWindowMs: ['rate-window', (v) => `${v}ms`],
  peakBandwidthGbps: ['peak-bandwidth', (v) => `${v}gbit`],
};

test('a knob value the whatif flags take, the page box and the URL hash take too, and the reverse', () => {
  for (const key of Object.keys(KNOB_BOUNDS) as (keyof typeof KNOB_BOUNDS)[]) {
    const bounds: NumberBounds = KNOB_BOUNDS[key];
    const { min, max } = bounds;
    const [flag, typed] = KNOB_FLAGS[key];
    // b6c6b9a: the CLI took k 300, bandwidth 500gbit, rtt 0 and fault cost 1 s; the boxes stopped at 256, 400, 1, 1e4
    // 0 is the trace's VM or no peak on the page, said by leaving the flag out; below the min otherwise refused
    const values = [min, max, (min + max) / 2, min - 1, min / 10, max * 2, 300, 500, 1e6, min + 0.5].filter(
      (v) => !(v === 0 && bounds.orZero),
    );
    for (const value of values) {
      let cli: boolean;
      try {
        const knobs = knobsFromFlags({ [flag]: typed(value) });
        cli = (knobs as Record<string, unknown>)[key] !== undefined;
      } catch {
        cli = false;
      }
      const hash = settingsFromHash(`${key}=${value}`, DEFAULT_WHATIF_SETTINGS)[key] === value;
      const box = numberIn(bounds, String(value)) === value;
      assert.deepEqual({ key, value, cli, hash }, { key, value, cli: box, hash: box });
    }
  }
});

test('a knob text in another notation (1e1, 10., 10.0): the flag, the page box and the URL hash agree', () => {
  // 774eb80: box and link took k 1e1 as 10 and vmPages 1e5, which --k and --vm-pages refuse as not whole numbers,
  // and bandwidth .5 or switchover 1e1, which --bandwidth .5gbit and --switchover 1e1% refused
  for (const key of Object.keys(KNOB_BOUNDS) as (keyof typeof KNOB_BOUNDS)[]) {
    const bounds: NumberBounds = KNOB_BOUNDS[key];
    const [flag, typed] = KNOB_FLAGS[key];
    for (const text of ['1e1', '10.', '10.0', '.5e1', '.5', '10']) {
      let cli: number | undefined;
      try {
        cli = (knobsFromFlags({ [flag]: typed(text) }) as Record<string, number | undefined>)[key];
      } catch {
        cli = undefined;
      }
      const ignored: string[] = [];
      const fromHash = settingsFromHash(`${key}=${text}`, DEFAULT_WHATIF_SETTINGS, ignored)[key];
      const hash = ignored.length === 0 ? fromHash : undefined;
      const box = numberIn(bounds, text);
      assert.deepEqual({ key, text, cli, hash }, { key, text, cli: box, hash: box });
    }
  }
});

/** What `read` gives, or undefined where it throws (a flag refused). */
const orUndefined = <T>(read: () => T): T | undefined => {
  try {
    return read();
  } catch {
    return undefined;
  }
};

test('a page size or a predictor option in another notation: the flag, the page box and the URL hash agree', () => {
  // the link took pageSize=4.096e3 as 4096 and o.order=3.0 or 3e0 as 3, which --page-size and --order refuse
  for (const text of ['4096', '4.096e3', '4096.', '4096.0', '0x1000']) {
    const cli = orUndefined(() => knobsFromFlags({ 'page-size': text }).pageSize);
    const ignored: string[] = [];
    const fromHash = settingsFromHash(`pageSize=${text}`, DEFAULT_WHATIF_SETTINGS, ignored).pageSize;
    assert.deepEqual({ text, hash: ignored.length === 0 ? fromHash : undefined }, { text, hash: cli });
  }
  for (const { name, spec, predictors } of declaredOptions()) {
    if (spec.kind !== 'whole' && spec.kind !== 'number') continue;
    const bounds = { ...spec, whole: spec.kind === 'whole' };
    for (const text of [`${spec.max}`, `${spec.max}.0`, `${spec.max}.`, `${spec.max}e0`, `${spec.max / 10}e1`]) {
      const flags = { [flagOf(name)]: text };
      const cli = orUndefined(() => (predictorOptionsFromFlags(flags, predictors) as Record<string, unknown>)[name]);
      const ignored: string[] = [];
      const fromHash = settingsFromHash(`o.${name}=${text}`, DEFAULT_WHATIF_SETTINGS, ignored).options[name];
      const hash = ignored.length === 0 ? fromHash : undefined;
      assert.deepEqual({ name, text, cli, hash }, { name, text, cli: numberIn(bounds, text), hash: cli });
    }
  }
});

test('whatif --switchover: a share below 100% as typed; 0 (instructions: the start) is 0%; other counts refused', () => {
  assert.equal(switchoverPercentFlag('0'), 0);
  assert.equal(switchoverPercentFlag('0%'), 0);
  assert.equal(switchoverPercentFlag('30%'), 30);
  // not 28.999999999999996 (0.29 * 100), which the page's box and its command line showed
  assert.equal(switchoverPercentFlag('0.29'), 29);
  assert.equal(switchoverPercentFlag('.07'), 7);
  assert.equal(switchoverPercentFlag('99.5%'), 99.5);
  const accepted = "the what-if page takes a share of each workload's accesses below 100% (0.3 or 30%; 0 is the start)";
  assert.throws(() => switchoverPercentFlag('1'), {
    message: `--switchover "1" reads as an instruction count, but ${accepted}`,
  });
  assert.throws(() => switchoverPercentFlag('1.0'), { message: `--switchover "1.0" is not below 100%: ${accepted}` });
});

test('traces too large together to embed are refused with one line naming the file, not an internal error', () => {
  // the page is one string: a 443 MB .pctrace ended in ERR_STRING_TOO_LONG (exit 1, a stack) after half a minute
  assert.ok(MAX_EMBEDDED_TRACE_CHARS > 500e6 && MAX_EMBEDDED_TRACE_CHARS < constants.MAX_STRING_LENGTH);
  const trace = makeTrace({ page: Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000) });
  const workloads = [
    { name: 'a', trace, file: 'a.trace' },
    { name: 'b', trace, file: 'b b.trace' },
  ];
  const html = whatifPageHtml({ workloads: workloads.slice(0, 1) });
  const one = /"gzipBase64":"([^"]*)"/.exec(html)![1].length;
  assert.doesNotThrow(() => whatifPageHtml({ workloads, maxTraceChars: 2 * one }));
  assert.throws(
    () => whatifPageHtml({ workloads, maxTraceChars: 2 * one - 1 }),
    (err: unknown) =>
      err instanceof UserError &&
      /^"b b\.trace": too large to embed in the page \(its traces would take 1 MB of base64, at most 1 MB\)/.test(
        err.message,
      ),
  );
});
