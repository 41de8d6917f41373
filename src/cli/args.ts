import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags: each option's value (string or boolean, arrays when `multiple`) and the positionals. */
export interface ParsedFlags<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? (O[K] extends { multiple: true } ? boolean[] : boolean) : (O[K] extends { multiple: true } ? string[] : string) };
  positionals: string[];
}

/** node:util parseArgs, with its errors turned into one-line UserErrors. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true }) as ParsedFlags<O>;
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
}

/** A required string flag. */
export function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UserError(`missing required option --${flag}`);
  return value;
}

/** A whole number flag within [min, max]; `fallback` when absent. */
export function intFlag(value: string | undefined, flag: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UserError(`--${flag} must be a whole number, got '${value}'`);
  if (n < min || n > max) throw new UserError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A finite number flag within [min, max]; `fallback` when absent. */
export function numberFlag(value: string | undefined, flag: string, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${flag} must be a number, got '${value}'`);
  if (n < min || n > max) throw new UserError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A flag that must be one of `choices`. */
export function choiceFlag<T extends string>(value: string | undefined, flag: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UserError(`--${flag} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}
