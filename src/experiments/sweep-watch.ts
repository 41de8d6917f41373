/**
 * The shared watch array of a sweep's worker pool (parallel.ts): what each worker writes there, at 4 * worker +
 * field: its thread id (threadCpuSeconds), the job it runs, how many jobs it began, and 1 once it has loaded the
 * library. A module of its own, so a worker (sweep-worker.ts) loads no more than it needs.
 */
const WATCH_FIELDS = { thread: 0, job: 1, begun: 2, loaded: 3 } as const;
export const WATCH_STRIDE = 4;

/** Where worker `worker` writes `field` in the watch array. */
export function watchIndex(worker: number, field: keyof typeof WATCH_FIELDS): number {
  return WATCH_STRIDE * worker + WATCH_FIELDS[field];
}
