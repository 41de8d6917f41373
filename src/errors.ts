/**
 * An error the user can fix (bad flag, malformed trace, missing file). The CLI prints
 * its message as one line on stderr and exits with code 2, without a stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/**
 * The reader of a pipe the output was written into went away (`... /dev/stdout | head`): not a failure of the
 * run, so the CLI stops quietly as tools killed by SIGPIPE do; a library caller may still treat it as an error.
 */
export class ReaderGoneError extends UserError {
  readonly readerGone = true; // a member of its own, so that TypeScript tells it from a UserError
}

/**
 * A user-given text (file name, flag value) for a message, JSON-quoted: a newline or other control
 * character in it cannot split the message's line, and spaces at either end show.
 * @example quoted('a\nb.trace') // '"a\\nb.trace"'
 */
export function quoted(text: string): string {
  return JSON.stringify(text);
}

/** A value given for a number, for a message: a string (a notebook's '8') quoted, so it does not read as the number. */
export function shownNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : quoted(String(value));
}

/**
 * Refuses the first name of `given` that is not in `known`, naming it and what is known: a misspelt setting or option
 * ({ ordre: 3 }) would otherwise be ignored and its default run without a word.
 */
export function refuseUnknownNames(given: object, known: readonly string[], what: string): void {
  for (const name of Object.keys(given))
    if (!known.includes(name)) throw new UserError(`unknown ${what} ${quoted(name)} (known: ${known.join(', ')})`);
}

/**
 * A file name for a message: as is when it is made of ordinary characters (letters, digits and
 * `/._-+@:,=~`), else JSON-quoted like `quoted`, so that no name can split or blur the message's line.
 * @example fileLabel('datasets/sort.trace.gz') // 'datasets/sort.trace.gz'
 * @example fileLabel('my trace\n.txt') // '"my trace\\n.txt"'
 */
export function fileLabel(path: string): string {
  return /^[\w./+@:,=~-]+$/.test(path) ? path : quoted(path);
}

/**
 * A text read from a file (a trace's name from its header) for the terminal: control characters (C0, DEL, C1) shown
 * as `\u001b` escapes, so that a file cannot move the cursor, recolour or retitle the terminal, or split a line.
 * @example printable('a\x1b[31mred') // 'a\\u001b[31mred'
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
