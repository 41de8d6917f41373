/**
 * How a predictor declares its options, as libCacheSim's algorithms carry their default parameters
 * and parser: each option has a name, a default, bounds or choices and a line of help, in the
 * predictor's own file. The library (createPredictor), the CLI flags and usage text and the README's
 * predictor table all read these declarations; nothing else lists them.
 */
import { UserError } from '../errors';
import type { FutureView, Predictor } from './types';

interface OptionBase {
  /** One line for usage text and the README, without the default (added from `default`). */
  readonly help: string;
}

/** A whole number in [min, max]. */
export interface WholeOptionSpec extends OptionBase {
  readonly kind: 'whole';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** A finite number in [min, max]. */
export interface NumberOptionSpec extends OptionBase {
  readonly kind: 'number';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** One of a fixed list of words. */
export interface ChoiceOptionSpec<T extends string = string> extends OptionBase {
  readonly kind: 'choice';
  readonly default: T;
  readonly choices: readonly T[];
}

/** Any non-empty text, e.g. a seed. */
export interface TextOptionSpec extends OptionBase {
  readonly kind: 'text';
  readonly default: string;
}

export type OptionSpec = WholeOptionSpec | NumberOptionSpec | ChoiceOptionSpec | TextOptionSpec;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The value type each declared option resolves to. */
export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]: S[K] extends ChoiceOptionSpec<infer T> ? T : S[K] extends TextOptionSpec ? string : number;
};

/** A whole-number option, e.g. `wholeNumber(3, 1, 64, 'maximum context order')`. */
export function wholeNumber(fallback: number, min: number, max: number, help: string): WholeOptionSpec {
  return { kind: 'whole', default: fallback, min, max, help };
}

/** A finite-number option, e.g. `finiteNumber(0, 0, 1, 'confidence threshold')`. */
export function finiteNumber(fallback: number, min: number, max: number, help: string): NumberOptionSpec {
  return { kind: 'number', default: fallback, min, max, help };
}

/**
 * A choice option, e.g. `oneOf(['forward', 'dual'], 'dual', 'direction')`; the value type is the union of the choices.
 */
export function oneOf<const T extends string>(choices: readonly T[], fallback: T, help: string): ChoiceOptionSpec<T> {
  return { kind: 'choice', default: fallback, choices, help };
}

/** A text option, e.g. `text('postcopy-lab', 'seed of the random draws')`. */
export function text(fallback: string, help: string): TextOptionSpec {
  return { kind: 'text', default: fallback, help };
}

/** A shared option with this predictor's own default, e.g. `withDefault(PPM_MODEL_OPTIONS.minProbability, 0.5)`. */
export function withDefault<S extends OptionSpec>(spec: S, fallback: S['default']): S {
  return { ...spec, default: fallback };
}

/** The command-line flag of an option name (maxContexts -> max-contexts); the what-if page prints them too. */
export function flagOf(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** One predictor: its name, what it proposes, its options and its factory. The registry lists these. */
export interface PredictorDefinition<N extends string = string, S extends OptionSpecs = OptionSpecs> {
  readonly name: N;
  /** What it proposes on a fault at page p: one Markdown sentence for the README's predictor table. */
  readonly proposes: string;
  readonly options: S;
  /**
   * Bytes it keeps per page of the VM at most (skip lists, candidate arrays; 0 when none), for compare's memory check
   * up front (src/migration/simulate.ts simulationPageBytes); a model growing with the trace's history is not counted.
   */
  readonly pageBytes?: number;
  /**
   * The key of the model its runs train on a trace's history and keep (trained-models.ts), for predictors that keep
   * one: runs of one key on one trace share it, so a sweep keeps them on one worker thread (experiments/schedule.ts).
   */
  trainedModel?(options: OptionValues<S>): string;
  /**
   * The options it declares but leaves unread with these `options`, each with why in a clause (ppm's historyWindow
   * under online training): the command line refuses such a flag, as it refuses --k with none, and the what-if page
   * prints none of them in its command.
   */
  unreadOptions?(options: OptionValues<S>): Readonly<Record<string, string>>;
  /** A fresh predictor from options already checked and defaulted; `future` is what the caller knows of the trace. */
  create(options: OptionValues<S>, future: FutureView): Predictor;
}

/** Declares a predictor; the identity, but it keeps the literal name and option types for the registry. */
export function definePredictor<const N extends string, const S extends OptionSpecs>(
  definition: PredictorDefinition<N, S>,
): PredictorDefinition<N, S> {
  return definition;
}

/** The problem with `value` for option `spec`, or undefined when it is valid. */
export function optionProblem(spec: OptionSpec, value: unknown): string | undefined {
  if (spec.kind === 'choice') {
    return (spec.choices as readonly unknown[]).includes(value)
      ? undefined
      : `must be one of ${spec.choices.join(', ')}`;
  }
  if (spec.kind === 'text') return typeof value === 'string' && value !== '' ? undefined : 'must be non-empty text';
  const whole = spec.kind === 'whole';
  const ok = typeof value === 'number' && (whole ? Number.isSafeInteger(value) : Number.isFinite(value));
  if (ok && value >= spec.min && value <= spec.max) return undefined;
  return `must be a ${whole ? 'whole' : 'finite'} number between ${spec.min} and ${spec.max}`;
}

/**
 * The options a predictor declares, from `given` (absent ones get their defaults); an invalid value is a
 * one-line UserError naming the predictor and the option. Options the predictor does not declare are
 * ignored, so one options object can configure several predictors.
 */
export function resolveOptions<S extends OptionSpecs>(
  definition: PredictorDefinition<string, S>,
  given: object,
): OptionValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.options)) {
    const value = (given as Record<string, unknown>)[name];
    if (value === undefined) {
      values[name] = spec.default;
      continue;
    }
    const problem = optionProblem(spec, value);
    if (problem) {
      // JSON shows a string's quotes, but NaN and Infinity as null
      const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
      throw new UserError(`${definition.name} option ${name} ${problem}, got ${shown}`);
    }
    values[name] = value;
  }
  return values as OptionValues<S>;
}
