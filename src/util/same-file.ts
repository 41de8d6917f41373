import { statSync } from 'node:fs';

/**
 * Whether two names lead to one existing file (a link or another spelling of the path included): an input given
 * again as a command's output would be replaced by it. False when either does not exist (yet).
 */
export function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist (yet): its read or write names the problem
  }
}
