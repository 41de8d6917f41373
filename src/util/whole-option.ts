import { UserError } from '../errors';

/** A whole-number predictor option within [min, max], or `fallback` when unset (one-line UserError otherwise). */
export function wholeOption(
  value: number | undefined,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UserError(`${name} must be a whole number between ${min} and ${max}, got ${value}`);
  }
  return value;
}
