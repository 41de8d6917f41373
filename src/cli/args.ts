/**
 * Flag parsing for every command: node's util.parseArgs (strict: unknown flags, missing values and
 * stray arguments are errors) plus typed, bounded readers for the values. parseArgs is in node
 * itself and already gives one-line errors; what it lacks, negative numbers as values, is handled
 * here once for all commands.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fileLabel, quoted, UserError } from '../errors';
import { STANDARD_OUTPUT } from '../util/atomic-write';
import { isDecimalNumber, isWholeNumberText, numberDecoration } from '../util/decimal-number';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags: each option's value (string or boolean, arrays when `multiple`) and the positionals. */
export interface ParsedFlags<O extends Options> {
  values: {
    [K in keyof O]?: O[K] extends { type: 'boolean' }
      ? O[K] extends { multiple: true }
        ? boolean[]
        : boolean
      : O[K] extends { multiple: true }
        ? string[]
        : string;
  };
  positionals: string[];
}

/** A value that parseArgs would take for a flag: -1, -0.5, -.5, -1e3. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * `--lead -1` as `--lead=-1` (and `-o -1` as `-o-1`): parseArgs takes a value starting with '-' for a
 * flag and rejects it as ambiguous; joined, the value reaches the flag's own range check and its clearer message.
 */
function attachNegativeValues(argv: readonly string[], options: Options): string[] {
  const takesValue = (arg: string) => {
    if (arg.startsWith('--')) return options[arg.slice(2)]?.type === 'string';
    return (
      arg.length === 2 &&
      arg[0] === '-' &&
      Object.values(options).some((o) => o.short === arg[1] && o.type === 'string')
    );
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (next !== undefined && takesValue(argv[i]) && NEGATIVE_NUMBER.test(next)) {
      out.push(argv[i].startsWith('--') ? `${argv[i]}=${next}` : `${argv[i]}${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/**
 * `--rtt -x`, `-o -out.trace`, `--rtt --k 4`: parseArgs' first line, "argument is ambiguous", names neither the value
 * nor how to give it (its hint on the next lines names a short flag's letter as if it were the long one).
 */
function flagLikeValue(argv: readonly string[], options: Options, flag: string): string {
  const long = flag.startsWith('--') ? flag.slice(2) : Object.keys(options).find((o) => options[o].short === flag[1]);
  const next = argv[argv.findIndex((arg, i) => arg === flag && argv[i + 1]?.startsWith('-')) + 1];
  const named = flag.startsWith('--') ? flag : `--${long} (${flag})`;
  const fix = `write --${long}=${next} if it is the value`;
  return `${named} needs a value, but the next argument ${quoted(next)} looks like a flag: ${fix}`;
}

/**
 * node:util parseArgs (strict), negative numbers accepted as values, its errors turned into one-line UserErrors. A
 * flag that takes one value given twice (`--k 4 --k 8`) is refused: parseArgs would keep the last one, a different
 * run than the first value asked for, without a word. Flags declared `multiple` collect every value.
 */
export function parseFlags<O extends Options>(
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): ParsedFlags<O> {
  let parsed;
  try {
    parsed = parseArgs({
      args: attachNegativeValues(argv, options),
      options,
      allowPositionals,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    // node's hint about positionals after '--' fits no command here; where to look does
    if ((err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UserError(
        `${message.replace(/\. To specify a positional argument .*$/, '')} (--help lists the options)`,
      );
    const ambiguous = /^Option '(-[^']+)' argument is ambiguous/.exec(message);
    if (ambiguous) throw new UserError(flagLikeValue(argv, options, ambiguous[1]));
    throw new UserError(message);
  }
  const given = new Map<string, string[]>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name].type !== 'string' || options[token.name].multiple) continue;
    const values = given.get(token.name) ?? [];
    values.push(token.value ?? '');
    given.set(token.name, values);
  }
  for (const [name, values] of given) {
    const short = options[name].short;
    if (values.length > 1)
      throw new UserError(
        `--${name}${short ? ` (-${short})` : ''} given ${values.length} times (${values.map(quoted).join(', ')}): ` +
          'give it once',
      );
  }
  return { values: parsed.values, positionals: parsed.positionals } as ParsedFlags<O>;
}

/** A required string flag. */
export function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UserError(`missing required option --${flag}`);
  if (value === '') throw new UserError(`--${flag} must not be empty`);
  return value;
}

/**
 * A file a command takes as a flag (`--trace FILE`, `-o OUT`) or as a positional argument: `what` names it. `value`
 * is the flag's parsed value (a flag given twice was refused by parseFlags).
 */
export interface FileArgument {
  flag: string;
  value: string | undefined;
  what: string;
  /** A file the command writes, where `-` is standard output; else a file it reads, where `-` is refused. */
  written?: boolean;
}

/**
 * `path` as a file to read: `-` (standard input in many tools) is refused in one line, since traces are read in
 * more than one pass (a summary, then the replay) and a pipe can be read only once.
 */
export function inputFile(path: string, what: string): string {
  if (path === STANDARD_OUTPUT)
    throw new UserError(`the ${what} cannot be standard input (-): it is read more than once; name a file`);
  return path;
}

/** A directory flag (`--out DIR`): `-` is refused, as standard output cannot hold files. */
export function directoryFlag(value: string | undefined, flag: string): string | undefined {
  if (value === STANDARD_OUTPUT) throw new UserError(`--${flag} takes a directory: standard output (-) holds no files`);
  return value === undefined ? undefined : requireFlag(value, flag);
}

/**
 * The files a command takes either by flag or by position, in `files`' order: every command that reads a trace
 * takes `--trace FILE` and `FILE` alike (`trace stats FILE` = `trace stats --trace FILE`). The positionals fill, in
 * order, the files not given by flag. A file given both ways, twice as an argument, a missing one, a stray argument,
 * an empty name and `-` for a file read (inputFile) are one-line UserErrors; `synopsis` (the usage's first line) ends
 * the message.
 */
export function fileArguments(
  positionals: readonly string[],
  files: readonly FileArgument[],
  synopsis: string,
): string[] {
  const byPosition = files.filter((file) => file.value === undefined);
  if (positionals.length > byPosition.length) {
    const extra = positionals.slice(byPosition.length).map(fileLabel).join(' ');
    const flagged = files.filter((file) => file.value !== undefined);
    if (flagged.length === 0) throw new UserError(`unexpected argument ${extra} (${synopsis})`);
    const named = flagged.map((file) => `--${file.flag} ${fileLabel(file.value ?? '')}`).join(' and ');
    throw new UserError(`${named} given, and the argument ${extra} too: give each file once (${synopsis})`);
  }
  if (positionals.length < byPosition.length) {
    const missing = byPosition[positionals.length];
    throw new UserError(`missing the ${missing.what}: --${missing.flag} FILE or the argument FILE (${synopsis})`);
  }
  let next = 0;
  return files.map((file) => {
    const path = file.value ?? positionals[next++];
    if (path === '') throw new UserError(`the ${file.what}'s name must not be empty`);
    return file.written ? path : inputFile(path, file.what);
  });
}

/**
 * Refuses a numeric flag's value with white space at either end (`--k ' 8'`) or a '+' before it (numberDecoration),
 * as any other malformed number (numberFlag took `+0.5` while intFlag and the unit parsers refused `+2` as no number
 * at all). Every numeric flag goes through it (intFlag, numberFlag, the duration and bandwidth flags, --switchover,
 * --shard).
 */
export function refuseDecoratedNumber(value: string, flag: string): void {
  const decoration = numberDecoration(value);
  if (decoration !== undefined) throw new UserError(`--${flag} ${decoration}`);
}

/** A whole number flag within [min, max]; `fallback` when absent. Every numeric flag states its bounds. */
export function intFlag(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  refuseDecoratedNumber(value, flag);
  if (!isWholeNumberText(value)) throw new UserError(`--${flag} must be a whole number, got ${quoted(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UserError(`--${flag} must be between ${min} and ${max}, got ${value}`);
  if (n < min || n > max) throw new UserError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/**
 * A finite number flag within [min, max], or (min, max] when `minExcluded` (a share that must not be 0: the bound
 * is said as "> 0", not as the smallest double, 5e-324); `fallback` when absent.
 */
export function numberFlag(
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
  minExcluded = false,
): number {
  if (value === undefined) return fallback;
  refuseDecoratedNumber(value, flag);
  const n = Number(value);
  // decimal notation only, as every other numeric flag: Number() read 0x10 as 16 and 0b1 as 1
  if (!isDecimalNumber(value)) throw new UserError(`--${flag} must be a number, got ${quoted(value)}`);
  // a number beyond a double (1e400) is out of range as typed, not "not a number" nor Infinity
  if (minExcluded ? !(n > min && n <= max) : n < min || n > max)
    throw new UserError(
      `--${flag} must be ${minExcluded ? `> ${min} and <= ${max}` : `between ${min} and ${max}`}, ` +
        `got ${Number.isFinite(n) ? n : quoted(value)}`,
    );
  return n;
}

/** A flag that must be one of `choices`. */
export function choiceFlag<T extends string>(
  value: string | undefined,
  flag: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UserError(`--${flag} must be one of ${choices.join(', ')}, got ${quoted(value)}`);
  }
  return value as T;
}

/**
 * A comma-separated list flag, e.g. `--prefetchers none,ppm`: names trimmed; an empty name, and a name given twice
 * (`compare --prefetchers ppm,ppm` ran the same migration twice, side by side), refused.
 */
export function listFlag(value: string, flag: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.includes('')) throw new UserError(`--${flag} has an empty name in ${quoted(value)}`);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UserError(`--${flag} names ${quoted(twice)} twice in ${quoted(value)}`);
  return names;
}
