import { UserError } from '../errors';
import type { Trace } from './types';

/**
 * Index of the first access that runs after switchover: the first i with time[i] >= instructions.
 * Accesses before it ran on the source (history); binary search because time is non-decreasing.
 */
export function switchoverIndex(trace: Trace, instructions: number): number {
  let lo = 0;
  let hi = trace.time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (trace.time[mid] < instructions) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The instruction count at which a fraction f in [0, 1] of the trace's accesses has run:
 * the time of access floor(f * n), or one past the last access for f = 1.
 */
export function switchoverAtFraction(trace: Trace, fraction: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new UserError(`switchover fraction must be in [0, 1], got ${fraction}`);
  const n = trace.time.length;
  const index = Math.floor(fraction * n);
  if (n === 0) return 0;
  return index >= n ? trace.time[n - 1] + 1 : trace.time[index];
}

/**
 * Parses a --switchover value: an instruction count ("2500000") or a fraction of the trace's
 * accesses ("0.3" or "30%"). Integers are instruction counts; numbers with a point or a % are fractions.
 */
export function parseSwitchover(text: string, trace: Trace): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) return switchoverAtFraction(trace, Number(percent[1]) / 100);
  if (/^\d*\.\d+$/.test(value)) return switchoverAtFraction(trace, Number(value));
  throw new UserError(`--switchover must be an instruction count, a fraction like 0.3 or a percentage like 30%, got '${text}'`);
}
