/**
 * The predictor options as command-line flags, derived from the declarations in each predictor's
 * file (declaredOptions): option `maxContexts` is flag `--max-contexts`, with its bounds, choices,
 * default and help. No command lists predictor flags by hand.
 */
import { UserError } from '../errors';
import {
  declaredOptions,
  flagOf,
  optionsRead,
  predictorDefinition,
  readsK,
  unreadOptions,
  type OptionSpec,
  type PredictorName,
  type PredictorOptions,
} from '../prefetch';
import { choiceFlag, intFlag, numberFlag, requireFlag } from './args';

const OPTIONS = declaredOptions();

export { flagOf };

/** What a value looks like in usage text: N, X or the choices. */
function metavar(spec: OptionSpec): string {
  if (spec.kind === 'choice') return spec.choices.join('|');
  return { whole: 'N', number: 'X', text: 'S' }[spec.kind];
}

/** Every predictor option as a string flag, for parseFlags. */
export const PREDICTOR_FLAGS: Readonly<Record<string, { type: 'string' }>> = Object.fromEntries(
  OPTIONS.map((option) => [flagOf(option.name), { type: 'string' as const }]),
);

const USAGE_WIDTH = 120;

/** `start` followed by `words` wrapped at USAGE_WIDTH, continuation lines indented by `indent` spaces. */
export function wrapUsage(start: string, words: string[], indent: number): string {
  const lines = start.split('\n');
  for (const word of words) {
    const last = lines.length - 1;
    if (lines[last].length + 1 + word.length > USAGE_WIDTH && lines[last].trim() !== '')
      lines.push(`${' '.repeat(indent)}${word}`);
    else lines[last] += `${lines[last].endsWith(' ') ? '' : ' '}${word}`;
  }
  return lines.join('\n');
}

/** Usage lines of the predictor flags, the help starting at column `column` (counted from 0). */
export function predictorFlagsUsage(column: number): string {
  return OPTIONS.map(({ name, spec, predictors, otherDefaults }) => {
    const flag = `  --${flagOf(name)} ${metavar(spec)}`;
    const others = otherDefaults.map(({ predictor, value }) => `, ${predictor} ${value}`).join('');
    const help = `${predictors.join(', ')}: ${spec.help} (default ${spec.default}${others})`;
    const start = flag.length < column ? flag.padEnd(column) : `${flag}\n${' '.repeat(column)}`;
    return wrapUsage(start, help.split(' '), column);
  }).join('\n');
}

/**
 * The predictor options given as flags (absent ones stay unset: each predictor uses its default), parsed
 * with each option's bounds. A flag that none of `predictors` declares is refused rather than ignored.
 */
export function predictorOptionsFromFlags(
  values: Readonly<Record<string, unknown>>,
  predictors: readonly PredictorName[],
): PredictorOptions {
  const options: Record<string, string | number> = {};
  for (const { name, spec, predictors: owners } of OPTIONS) {
    const flag = flagOf(name);
    const text = values[flag];
    if (typeof text !== 'string') continue;
    if (!owners.some((owner) => predictors.includes(owner))) {
      throw new UserError(`--${flag} is an option of ${owners.join(', ')}, not of ${predictors.join(', ')}`);
    }
    if (spec.kind === 'choice') options[name] = choiceFlag(text, flag, spec.choices, spec.default);
    else if (spec.kind === 'text') options[name] = requireFlag(text, flag);
    else if (spec.kind === 'whole') options[name] = intFlag(text, flag, spec.default, spec.min, spec.max);
    else options[name] = numberFlag(text, flag, spec.default, spec.min, spec.max);
  }
  // a flag that each predictor declaring it leaves unread (ppm's --history-window with --training online) changes
  // nothing while the run seems to use it: refused as --k is with none
  const read = optionsRead(predictors, options as PredictorOptions);
  for (const name of Object.keys(options)) {
    if (read.has(name)) continue;
    const owners = predictors.filter((predictor) => name in predictorDefinition(predictor).options);
    const why = unreadOptions(owners[0], options as PredictorOptions)[name];
    throw new UserError(`--${flagOf(name)} has no effect on ${owners.join(', ')}: ${why}; drop it`);
  }
  return options as PredictorOptions;
}

/**
 * Refuses --k when every predictor named is `none`: it sends no page with a fault, so k changed nothing while the
 * result still showed it. `predictorFlag` is the flag that named them (prefetcher, prefetchers or predictor).
 */
export function checkKIsRead(k: unknown, predictorFlag: string, predictors: readonly PredictorName[]): void {
  if (k !== undefined && !predictors.some(readsK))
    throw new UserError(
      `--k has no effect with --${predictorFlag} none (no page is sent with a fault): drop it or name a predictor`,
    );
}
