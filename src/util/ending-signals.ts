/** Signals that end a run from outside: Ctrl-C, a kill, a closed terminal. */
export const ENDING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What to undo if an ending signal stops the process now (temporary files, work directories). */
const cleanups = new Set<() => void>();

/**
 * An ending signal: every clean-up runs, then the signal takes its default course (the process ends with the signal's
 * status) unless someone else listens for it. Listened for only while there is something to clean up, so the
 * process's signals are otherwise untouched.
 */
function cleanUpAndEnd(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups)
    try {
      cleanup();
    } catch {
      // the process ends anyway; the next run removes what is left (workDirIn, writeFileAtomic)
    }
  cleanups.clear();
  for (const each of ENDING_SIGNALS) process.removeListener(each, cleanUpAndEnd);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * Runs `cleanup` (synchronous) if SIGINT, SIGTERM or SIGHUP stops the process before the returned function is
 * called, which says the clean-up is no longer needed (done, or the thing it removes is in place).
 */
export function cleanUpOnEndingSignal(cleanup: () => void): () => void {
  if (cleanups.size === 0) for (const each of ENDING_SIGNALS) process.on(each, cleanUpAndEnd);
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0)
      for (const each of ENDING_SIGNALS) process.removeListener(each, cleanUpAndEnd);
  };
}
