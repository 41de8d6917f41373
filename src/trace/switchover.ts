import { fileLabel, quoted, shownNumber, UserError } from '../errors';
import { UNSIGNED_DECIMAL } from '../util/decimal-number';
import type { Trace, TraceSummary } from './types';

/**
 * Index of the first access that runs after switchover: the first i with time[i] >= instructions.
 * Accesses before it ran on the source (history).
 */
export function switchoverIndex(trace: Trace, instructions: number): number {
  return firstAtOrAfter(trace.time, instructions);
}

/** The first index whose time is >= `instructions`: binary search, as times never decrease. */
export function firstAtOrAfter(time: ArrayLike<number>, instructions: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < instructions) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A trace file with no access, named by its path: the name in its header (or its file name without the extension,
 * "empty" for empty.pctrace) does not say which file, and a trace named "run 3" is not the file run3.trace.
 */
export function emptyTraceFile(path: string): UserError {
  return new UserError(`${fileLabel(path)}: no access in the file (the trace is empty)`);
}

/**
 * Refuses what cannot be replayed, with the same line in every command (simulate, compare, predict): an
 * empty trace, or a switchover (instruction count) that is negative, not finite or after the last access.
 */
export function checkReplayable(
  trace: Pick<TraceSummary, 'name' | 'accesses' | 'lastTime' | 'file'>,
  switchover: number,
): void {
  if (trace.accesses === 0)
    throw trace.file === undefined
      ? new UserError(`trace ${fileLabel(trace.name)} is empty`)
      : emptyTraceFile(trace.file);
  const shown = shownNumber(switchover);
  if (!(switchover >= 0) || !Number.isFinite(switchover))
    throw new UserError(`switchover must be a finite number >= 0, got ${shown}`);
  // the command line's 0.3 is a share of the accesses; here it was instruction 0.3, and the run had no history
  if (!Number.isInteger(switchover))
    throw new UserError(
      `switchover is an instruction count, a whole number, got ${shown}: for a share of the accesses use ` +
        `switchoverAtFraction(trace, ${shown})`,
    );
  if (switchover > trace.lastTime) {
    throw new UserError(
      `no access left after switchover ${switchover} (the trace ends at instruction ${trace.lastTime})`,
    );
  }
}

/**
 * A streamed replay's refusal when a pass over the file disagrees with the summary read before it: a first pass, or
 * a version-4 .pctrace's trailer, which a replay can contradict before the decoder reaches it to check it. Named by
 * the summary's file when it has one (a trace named "run 3" is not the file run3.trace).
 */
export function changedWhileRead(summary: Pick<TraceSummary, 'name' | 'file'>): UserError {
  const what = summary.file === undefined ? `trace ${fileLabel(summary.name)}` : fileLabel(summary.file);
  return new UserError(
    `${what} changed while it was read, or its summary trailer is wrong ` +
      '(its accesses differ from the summary read before them)',
  );
}

/**
 * A trace in memory whose pages were raised in place past its largest page as remembered for the array (largestPage,
 * which sized the VM): named, with what to do (`verb` a copy: simulate, measure), not the NaN or skipped page it made.
 */
export function changedInPlace(name: string, remembered: number, largest: number, verb: string): UserError {
  return new UserError(
    `trace ${fileLabel(name)} was changed in place after it was first read: page ${largest} is beyond its largest ` +
      `page then (${remembered}), which sized the VM; ${verb} a copy ({ ...trace, page: trace.page.slice() })`,
  );
}

/**
 * Where a switchover after a fraction f in [0, 1] of n accesses falls: at access floor(f * n) (its time is the
 * switchover; f * n as the decimal product, not its double rounded below it), or, for f = 1, one instruction past the
 * last access (`lastTime`); 0 for no access.
 */
export function fractionSwitchover(
  fraction: number,
  n: number,
  lastTime: number,
): { index: number } | { instructions: number } {
  if (!(fraction >= 0 && fraction <= 1)) throw new UserError(`switchover fraction must be in [0, 1], got ${fraction}`);
  // in doubles f * n can land just below the whole number it stands for (0.29 * 100 = 28.999999999999996: 29% of 100
  // accesses switched after 28): a product within a few ulps of a whole number is that number
  const product = fraction * n;
  const nearest = Math.round(product);
  const index = Math.abs(product - nearest) <= 4 * Number.EPSILON * product ? nearest : Math.floor(product);
  if (n === 0) return { instructions: 0 };
  return index >= n ? { instructions: lastTime + 1 } : { index };
}

/** The instruction count at which a fraction f in [0, 1] of the trace's accesses has run (see fractionSwitchover). */
export function switchoverAtFraction(trace: Trace, fraction: number): number {
  const n = trace.time.length;
  const at = fractionSwitchover(fraction, n, n === 0 ? 0 : trace.time[n - 1]);
  return 'index' in at ? trace.time[at.index] : at.instructions;
}

/** A --switchover value: an instruction count, or a fraction of the trace's accesses in [0, 1]. */
export type SwitchoverSpec = { instructions: number } | { fraction: number };

const PERCENT = new RegExp(`^(${UNSIGNED_DECIMAL})%$`);
/**
 * Parses a --switchover value: an instruction count ("2500000") or a fraction of the trace's
 * accesses ("0.3" or "30%"). Integers are instruction counts; numbers with a point or a % are fractions.
 */
export function parseSwitchoverSpec(text: string): SwitchoverSpec {
  const value = text.trim();
  if (/^\d+$/.test(value)) {
    // beyond 2^53 Number() rounds: the message named 100000000000000000000 for 99999999999999999999
    if (!Number.isSafeInteger(Number(value)))
      throw new UserError(`--switchover must be at most ${Number.MAX_SAFE_INTEGER} instructions, got ${quoted(text)}`);
    return { instructions: Number(value) };
  }
  const percent = PERCENT.exec(value);
  const fraction = percent ? Number(percent[1]) / 100 : /^\d*\.\d+$/.test(value) ? Number(value) : undefined;
  if (fraction === undefined)
    throw new UserError(
      `--switchover must be an instruction count, a fraction like 0.3 or a percentage like 30%, got ${quoted(text)}`,
    );
  // refused later in the library's words, 150% as "switchover fraction must be in [0, 1], got 1.5"
  if (fraction > 1)
    throw new UserError(`--switchover as a share of the accesses must be at most 1 or 100%, got ${quoted(text)}`);
  return { fraction };
}

/** A --switchover value resolved on a trace held in memory. */
export function parseSwitchover(text: string, trace: Trace): number {
  const spec = parseSwitchoverSpec(text);
  return 'fraction' in spec ? switchoverAtFraction(trace, spec.fraction) : spec.instructions;
}
