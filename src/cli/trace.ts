import { fileLabel, quoted, UserError } from '../errors';
import { fileArguments, intFlag, numberFlag, parseFlags, requireFlag } from './args';
import {
  formatTraceStats,
  GENERATOR_DEFAULTS,
  GENERATOR_KINDS,
  checkPageSize,
  generateTraceChunks,
  MAX_PAGE_SIZE,
  MAX_TRACE_ACCESSES,
  MAX_VM_PAGES,
  PHASE_PATTERNS,
  streamTrace,
  summarizeTraceFile,
  TraceStatsBuilder,
  writeTraceStream,
  type GeneratorKind,
} from '../trace';
import { DEFAULT_PAGE_SIZE } from '../trace/types';
import { sameFile } from '../util/same-file';

/** The generators' defaults, as the usage states them (a shorter name keeps its lines within 120 columns). */
const defaults = GENERATOR_DEFAULTS;

const USAGE = `usage:
  postcopy-lab trace gen KIND --seed S --accesses N --pages P [options] -o OUT
      KIND: ${GENERATOR_KINDS.join(', ')}
      --write-ratio W              share of writes in [0, 1] (default ${defaults.writeRatio})
      --stride K                   strided, phased: pages per step (default ${defaults.stride})
      --zipf-exponent S            zipf, phased: rank r drawn ~ 1/r^S (default ${defaults.zipfExponent})
      --hot-fraction F             phased: working set per phase as a share of pages (default ${defaults.hotFraction})
      --phases K                   phased: number of phases (default ${defaults.phases}), running in turn
                                   ${PHASE_PATTERNS.join(', ')}
      --instructions-per-access I  time step between accesses (default ${defaults.instructionsPerAccess})
      --page-size B                bytes per page (default ${DEFAULT_PAGE_SIZE})
  postcopy-lab trace convert [--trace] IN [-o] OUT   (OUT *.pctrace, any case: binary, else text; .gz compresses)
      OUT (and gen's -o) may be - for standard output (text)
  postcopy-lab trace stats [--trace] FILE [--json]
      a trace to read is given as --trace FILE or as the argument FILE, as in every command`;

/** A subcommand's synopsis: its line of USAGE, without the note after it. */
function synopsis(name: string): string {
  const line = USAGE.split('\n').find((text) => text.includes(`trace ${name} `)) ?? '';
  return `usage: ${line.trim().split(/\s{2,}/)[0]}`;
}

/** The gen flags that only some kinds read (phased's phases cycle through the patterns): elsewhere they do nothing. */
const KIND_FLAGS: Readonly<Record<string, readonly GeneratorKind[]>> = {
  stride: ['strided', 'phased'],
  'zipf-exponent': ['zipf', 'phased'],
  'hot-fraction': ['phased'],
  phases: ['phased'],
};

/** The first phase (counted from 1) in which the phased generator runs `pattern`. */
function firstPhaseOf(pattern: GeneratorKind): number {
  return (PHASE_PATTERNS as readonly GeneratorKind[]).indexOf(pattern) + 1;
}

/**
 * Refuses a flag that `kind` would ignore (`trace gen random --stride 4` makes the same trace as without), and on
 * phased the flag of a pattern no phase uses: phase k runs PHASE_PATTERNS[k mod 5], so with the default 4 phases none
 * is strided and --stride changed nothing.
 */
function checkKindFlags(kind: GeneratorKind, phases: number, values: Readonly<Record<string, unknown>>): void {
  for (const [flag, kinds] of Object.entries(KIND_FLAGS)) {
    if (values[flag] === undefined) continue;
    if (!kinds.includes(kind))
      throw new UserError(
        `--${flag} is an option of the ${kinds.join(' and ')} generator${kinds.length > 1 ? 's' : ''}, not of ${kind}`,
      );
    const [pattern] = kinds;
    if (kind === 'phased' && pattern !== 'phased' && firstPhaseOf(pattern) > phases)
      throw new UserError(
        `--${flag} is read by phased only in its ${pattern} phases, from phase ${firstPhaseOf(pattern)} on: ` +
          `with --phases ${phases} there is none`,
      );
  }
}

/** Generated a chunk at a time and written as it comes: memory does not grow with --accesses. */
async function gen(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      seed: { type: 'string' },
      accesses: { type: 'string' },
      pages: { type: 'string' },
      'write-ratio': { type: 'string' },
      stride: { type: 'string' },
      'zipf-exponent': { type: 'string' },
      'hot-fraction': { type: 'string' },
      phases: { type: 'string' },
      'instructions-per-access': { type: 'string' },
      'page-size': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    true,
  );
  if (positionals.length !== 1) throw new UserError(`trace gen takes one KIND (${GENERATOR_KINDS.join(', ')})`);
  const kind = GENERATOR_KINDS.find((k) => k === positionals[0]);
  if (!kind) throw new UserError(`unknown generator ${quoted(positionals[0])} (kinds: ${GENERATOR_KINDS.join(', ')})`);
  const phases = intFlag(values.phases, 'phases', GENERATOR_DEFAULTS.phases, 1, MAX_TRACE_ACCESSES);
  checkKindFlags(kind, phases, values);
  const output = requireFlag(values.output, 'output');
  const generated = generateTraceChunks(kind, {
    seed: requireFlag(values.seed, 'seed'),
    accesses: intFlag(requireFlag(values.accesses, 'accesses'), 'accesses', 0, 0, MAX_TRACE_ACCESSES),
    pages: intFlag(requireFlag(values.pages, 'pages'), 'pages', 0, 1, MAX_VM_PAGES),
    writeRatio: numberFlag(values['write-ratio'], 'write-ratio', GENERATOR_DEFAULTS.writeRatio, 0, 1),
    stride: intFlag(values.stride, 'stride', GENERATOR_DEFAULTS.stride, 1, MAX_VM_PAGES),
    zipfExponent: numberFlag(values['zipf-exponent'], 'zipf-exponent', GENERATOR_DEFAULTS.zipfExponent, 0, 100),
    hotFraction: numberFlag(values['hot-fraction'], 'hot-fraction', GENERATOR_DEFAULTS.hotFraction, 0, 1, true),
    phases,
    // accesses x instructions per access stays below 2^53, where instruction counts are exact
    instructionsPerAccess: intFlag(
      values['instructions-per-access'],
      'instructions-per-access',
      GENERATOR_DEFAULTS.instructionsPerAccess,
      1,
      2 ** 22,
    ),
    pageSize: checkPageSize(
      intFlag(values['page-size'], 'page-size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
      '--page-size',
    ),
  });
  await writeTraceStream(output, generated, generated.chunks);
}

/** Streamed twice (the header needs the count and the name first), never held whole. */
async function convert(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    { trace: { type: 'string' }, output: { type: 'string', short: 'o' } },
    true,
  );
  const [input, output] = fileArguments(
    positionals,
    [
      { flag: 'trace', value: values.trace, what: 'trace to convert' },
      { flag: 'output', value: values.output, what: 'output file', written: true },
    ],
    synopsis('convert'),
  );
  // the input is read while the output is written: the converted file would replace the one it came from
  if (sameFile(input, output))
    throw new UserError(`-o ${fileLabel(output)} is the trace to convert: name another file to write`);
  await writeTraceStream(output, await summarizeTraceFile(input), streamTrace(input, { reuseChunks: true }));
}

/** Streamed twice (a summary pass sizes the tables), so memory grows with the pages, not the accesses. */
async function stats(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, { trace: { type: 'string' }, json: { type: 'boolean' } }, true);
  const [path] = fileArguments(positionals, [{ flag: 'trace', value: values.trace, what: 'trace' }], synopsis('stats'));
  const builder = new TraceStatsBuilder(await summarizeTraceFile(path));
  for await (const chunk of streamTrace(path, { reuseChunks: true })) builder.add(chunk);
  const result = builder.finish();
  console.log(values.json ? JSON.stringify(result, null, 2) : formatTraceStats(result));
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<void>> = { gen, convert, stats };

export async function run(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined)
    throw new UserError('missing the trace subcommand (gen, convert, stats; --help describes them)');
  if (name === '--help' || name === '-h' || rest.includes('--help')) {
    console.log(USAGE);
    return;
  }
  // own keys only: "toString" or "__proto__" would find Object.prototype's members
  const subcommand = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!subcommand) throw new UserError(`unknown trace subcommand ${quoted(name)} (gen, convert, stats)`);
  await subcommand(rest);
}
