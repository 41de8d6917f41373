/**
 * Numbers for element ids that must be unique within one page (a notebook and its report). setupNotebook starts a
 * page: the numbers count from 1 again, so a report's bytes do not depend on what ran before in its kernel
 * (`npm run reproduce` runs several notebooks in one kernel).
 */
const counters = new Map<string, number>();

/** The next number for ids of this kind on the current page: 1, 2, ... */
export function nextPageId(kind: string): number {
  const next = (counters.get(kind) ?? 0) + 1;
  counters.set(kind, next);
  return next;
}

/** Starts a new page: every kind's numbers count from 1 again. */
export function startPage(): void {
  counters.clear();
}
