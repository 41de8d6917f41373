import { quoted } from '../errors';

/**
 * A number without its sign in decimal notation (5, .5, 5., 1e9, 2.5E-3), for patterns that
 * read a number with a unit after it (--bandwidth 1.5gbit, --rtt .5ms, --switchover 30%) as the plain flags read it.
 */
export const UNSIGNED_DECIMAL = String.raw`(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;

const DECIMAL_NUMBER = new RegExp(`^-?${UNSIGNED_DECIMAL}$`);

/**
 * Whether `text` is a number in decimal notation (5, -0.5, .5, 5., 1e9, 2.5E-3), with nothing around it and no '+'
 * before it (as the whole-number and unit flags take none): what the CLI's number flags, the what-if page's boxes and
 * its links take. Number() alone also reads 0x10 as 16, 0b1 as 1, ' 8' as 8 and '+8' as 8.
 */
export const isDecimalNumber = (text: string): boolean => DECIMAL_NUMBER.test(text);

/**
 * Whether `text` is a whole number in plain digits (8, -3): what the CLI's whole-number flags and the what-if page's
 * whole-number knobs take. 1e1 and 8.0 are refused there, as a count typed so is more likely a slip than meant.
 */
export const isWholeNumberText = (text: string): boolean => /^-?\d+$/.test(text);

/**
 * What is wrong around a number's text, if anything: white space at either end (a script's `"$K "`, which parsers
 * trimmed, so a quoting slip passed unseen) or a '+' before it, which no number here is written with. The CLI's
 * numeric flags and POSTCOPY_LAB_WORKERS refuse both in these words, after their own name.
 */
export function numberDecoration(text: string): string | undefined {
  if (text !== text.trim()) return `has white space around its value ${quoted(text)}: give the value alone`;
  if (text.startsWith('+')) return `has a plus sign before its value ${quoted(text)}: give the number without it`;
  return undefined;
}
