/**
 * An error the user can fix (bad flag, malformed trace, missing file). The CLI prints
 * its message as one line on stderr and exits with code 2, without a stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}
