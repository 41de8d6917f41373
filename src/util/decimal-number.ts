/**
 * Whether `text` is a number in decimal notation (5, -0.5, .5, 5., 1e9, 2.5E-3), with nothing around it and no '+'
 * before it (as the whole-number and unit flags take none): what the CLI's number flags, the what-if page's boxes and
 * its links take. Number() alone also reads 0x10 as 16, 0b1 as 1, ' 8' as 8 and '+8' as 8.
 */
export const isDecimalNumber = (text: string): boolean => /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text);
