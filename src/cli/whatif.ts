/**
 * `postcopy-lab whatif -o FILE`: writes the live what-if page, one self-contained HTML file that re-runs the
 * simulator in the reader's browser as they move the knobs (README "What-if page"). simulate's flags for the
 * page's knobs set where it opens; they are parsed by simulate's own readers, so both refuse the same values.
 */
import { fileLabel, quoted, UserError } from '../errors';
import { whatIfPageOptions, whatIfPageTraceFiles, WHAT_IF_PAGE_METHODS } from '../experiments';
import { resolveSimConfig, type SimInput } from '../migration';
import { parsePredictorName } from '../prefetch';
import { CURVE_AXES, DEFAULT_WHATIF_SETTINGS, effectiveMethods, simInputOf } from '../report/whatif/settings';
import type { WhatifSettings } from '../report/whatif/settings';
import { writeWhatifPage } from '../report/whatif/page';
import { emptyTraceFile, parseSwitchoverSpec, readTrace, summarizeTrace } from '../trace';
import { checkOutputPath } from '../util/atomic-write';
import { firstRepeat } from '../util/first-repeat';
import { sameFile } from '../util/same-file';
import { choiceFlag, inputFile, listFlag, parseFlags, refuseDecoratedNumber, requireFlag } from './args';
import { PREDICTOR_FLAGS, predictorFlagsUsage } from './predictor-flags';
import { SIM_FLAGS, simInputFromFlags, type SimFlagValues } from './simulate';

/** simulate's flags that set a knob of the page, and the knob each sets from the parsed input. */
const KNOBS: Readonly<Record<string, (input: SimInput) => Partial<WhatifSettings>>> = {
  mode: (i) => ({ mode: i.mode }),
  k: (i) => ({ k: i.k }),
  bandwidth: (i) => ({ bandwidthGbps: i.network!.bandwidthBps! / 1e9 }),
  rtt: (i) => ({ rttUs: i.network!.rttUs }),
  push: (i) => ({ push: i.push }),
  'urgent-channel': (i) => ({ urgentChannel: i.network!.urgentChannel }),
  'fault-cost': (i) => ({ faultCostUs: i.faultCostUs }),
  'zero-share': (i) => ({ zeroShare: i.zeroPageShare }),
  'vm-pages': (i) => ({ vmPages: i.vmPages }),
  'page-size': (i) => ({ pageSize: i.pageSize }),
  ips: (i) => ({ instructionsPerSecond: i.instructionsPerSecond }),
  'precopy-rounds': (i) => ({ precopyRounds: i.precopyMaxRounds }),
  'precopy-stop-pages': (i) => ({ precopyStopPages: i.precopyStopPages }),
  'rate-window': (i) => ({ rateWindowMs: i.network!.rateLimitWindowUs! / 1000 }),
  'peak-bandwidth': (i) => ({ peakBandwidthGbps: i.network!.peakBandwidthBps! / 1e9 }),
};

/** The knob flags in lines of at most 120 columns. */
function knobFlagsUsage(): string {
  const lines = [''];
  for (const flag of Object.keys(KNOBS)) {
    if (lines[lines.length - 1].length + flag.length + 3 > 118) lines.push('');
    lines[lines.length - 1] += ` --${flag}`;
  }
  return lines.map((line) => ` ${line}`).join('\n');
}

const USAGE = `usage: postcopy-lab whatif -o FILE [[--trace] FILE]... [knob flags]
  -o, --output FILE   where to write the page (HTML, self-contained, works offline from file://); - is standard
                      output
  [--trace] FILE      also embed this trace (text or .pctrace, optionally .gz); repeatable; the first opens; all
                      as --trace FILE or all as arguments
The page offers the real traces of datasets/ and the seeded synthetic workloads of the notebooks. It opens at the
notebooks' setup, or where these flags (simulate's, see \`postcopy-lab simulate --help\`) put its knobs:
  --prefetchers LIST  the methods shown (default ${WHAT_IF_PAGE_METHODS.join(',')})
${knobFlagsUsage()}
  --switchover X      a share of each workload's accesses below 100%: 0.3 or 30% (0: the start; a whole number
                      other than 0, an instruction count in simulate, is refused)
  --curve AXIS        what the curve varies: ${CURVE_AXES.join('|')} (default ${DEFAULT_WHATIF_SETTINGS.curve})
${predictorFlagsUsage(22)}
A setting the opening workload cannot take (a VM smaller than its trace) is refused here as simulate refuses it.`;

const FLAGS = {
  output: { type: 'string', short: 'o' },
  trace: { type: 'string', multiple: true },
  prefetchers: { type: 'string' },
  switchover: { type: 'string' },
  curve: { type: 'string' },
  ...(Object.fromEntries(Object.keys(KNOBS).map((flag) => [flag, SIM_FLAGS[flag as keyof typeof SIM_FLAGS]])) as {
    [flag: string]: { type: 'string' } | { type: 'boolean' };
  }),
  ...PREDICTOR_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * --switchover as the page's knob, a share of each workload's accesses below 100%. simulate reads a whole number as
 * an instruction count, which the page has no knob for; 0 instructions is the start of any trace, the same run as
 * 0%, so it is taken as 0%. Any other count is refused saying it was read as one.
 */
export function switchoverPercentFlag(value: string): number {
  refuseDecoratedNumber(value, 'switchover');
  const spec = parseSwitchoverSpec(value);
  const accepted = "the what-if page takes a share of each workload's accesses below 100% (0.3 or 30%; 0 is the start)";
  if ('instructions' in spec) {
    if (spec.instructions === 0) return 0;
    throw new UserError(`--switchover ${quoted(value)} reads as an instruction count, but ${accepted}`);
  }
  if (spec.fraction >= 1) throw new UserError(`--switchover ${quoted(value)} is not below 100%: ${accepted}`);
  // 0.29 * 100 is 28.999999999999996 in doubles: the page would show that, and its command line would say it
  return Number((spec.fraction * 100).toPrecision(15));
}

/** The knobs the flags set (only those given: the others keep the page's opening setting). */
export function knobsFromFlags(values: Record<string, unknown>): Partial<WhatifSettings> {
  const methods =
    typeof values.prefetchers === 'string'
      ? listFlag(values.prefetchers, 'prefetchers').map(parsePredictorName)
      : undefined;
  const input = simInputFromFlags(values as SimFlagValues, methods ?? WHAT_IF_PAGE_METHODS);
  const knobs: Partial<WhatifSettings> = {};
  if (methods) knobs.methods = methods;
  const options = input.predictorOptions as WhatifSettings['options'];
  if (Object.keys(options).length > 0) knobs.options = options;
  for (const [flag, knob] of Object.entries(KNOBS)) if (values[flag] !== undefined) Object.assign(knobs, knob(input));
  if (typeof values.switchover === 'string') {
    knobs.switchoverPercent = switchoverPercentFlag(values.switchover);
  }
  if (typeof values.curve === 'string') knobs.curve = choiceFlag(values.curve, 'curve', CURVE_AXES, 'k');
  return knobs;
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, FLAGS, true);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const flagged = (values.trace as string[] | undefined) ?? [];
  if (flagged.length > 0 && positionals.length > 0)
    throw new UserError(
      `traces given both as --trace ${fileLabel(flagged[0])} and as the argument ${fileLabel(positionals[0])}: ` +
        'give them all one way, so their order (the first opens the page) is plain',
    );
  const tracePaths = (flagged.length > 0 ? flagged : positionals).map((path) => inputFile(path, 'trace'));
  const output = requireFlag(values.output as string | undefined, 'output');
  // the page's own traces of datasets/ too: written over, every later page, notebook and sweep would fail on them
  const overwritten = [...tracePaths, ...whatIfPageTraceFiles()].find((path) => sameFile(path, output));
  if (overwritten !== undefined)
    throw new UserError(`-o ${fileLabel(output)} is the trace ${fileLabel(overwritten)}: the page would replace it`);
  // one file twice would be listed twice, the second under a name with its path added (the check below is by name)
  const repeated = firstRepeat(tracePaths, sameFile);
  if (repeated !== undefined)
    throw new UserError(`the trace ${fileLabel(tracePaths[repeated[1]])} is given more than once`);
  // a bad -o (a directory, no permission) stops here, not after every workload was made and every trace read
  checkOutputPath(output);
  const options = whatIfPageOptions();
  const knobs = knobsFromFlags(values);
  const opened = { ...DEFAULT_WHATIF_SETTINGS, ...options.initial };
  const initial = { ...opened, ...knobs, options: { ...opened.options, ...knobs.options } };
  // streamed (readTrace): a large .gz is gunzipped chunk by chunk, never whole beside the trace
  const extra = [];
  // the page keys workloads by name: of two with one name (two traces of one generator, a trace named "sqlite")
  // the later hid the earlier, whose choice showed the other's numbers; a taken name gets its file's name added
  // (a name taken even so is another file's: one given more than once was refused above)
  const taken = new Map<string, string | undefined>(options.workloads.map((workload) => [workload.name, undefined]));
  for (const path of tracePaths) {
    const trace = await readTrace(path);
    // the page would list it, and every choice of it would be an error
    if (trace.page.length === 0) throw emptyTraceFile(path);
    const name = taken.has(trace.name) ? `${trace.name} (${path})` : trace.name;
    if (taken.has(name)) {
      const holder = taken.get(name);
      throw new UserError(
        `the trace ${fileLabel(path)} would be listed as ${quoted(name)}, the name of ` +
          `${holder === undefined ? 'a bundled workload' : `the trace ${fileLabel(holder)}`}: rename one of them`,
      );
    }
    taken.set(name, path);
    extra.push({ name, trace, file: path });
  }
  const workloads = [...extra, ...options.workloads];
  // the opening workload at the opening setting, checked as simulate checks it (the page would show the same line)
  const opening = workloads[0];
  if ('trace' in opening) {
    for (const predictor of effectiveMethods(initial))
      resolveSimConfig(summarizeTrace(opening.trace), { ...simInputOf(initial, opening.trace), predictor });
  }
  // silent on success, as every command writing a file (trace gen/convert, sweep): -o names where it went
  writeWhatifPage(output, { ...options, workloads, initial: { ...initial, workload: opening.name } });
}
