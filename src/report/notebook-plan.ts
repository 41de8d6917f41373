/**
 * How many sweep worker threads each notebook of `npm run reproduce` gets. The notebooks start in a given order on
 * a number of slots, each slot taking the next as it frees; their seconds in earlier runs say roughly when each
 * will run and beside which others.
 */

/**
 * Worker threads for each notebook (in `order`): the cores shared out among the notebooks expected to be running
 * halfway through its run, found by laying the expected seconds out on `slots` slots in that order (unknown ones
 * count as the mean of the known). One expected to run alone, like the long one of two, gets every core; one
 * expected beside others, like the short last one of a longest-first order, gets its share: more threads than cores
 * only add start-ups, trace copies and models trained once per thread, and in a kernel that already ran a notebook
 * the calling thread's code is compiled where a new worker's is not (notebook 00 after 05 in one kernel: 0.24-0.48
 * s wall in the calling thread, 0.93-1.11 s and 0.6-1.1 CPU s more on two new workers, load ~11).
 */
export function plannedSweepWorkers(
  order: readonly string[],
  seconds: Readonly<Record<string, number>>,
  slots: number,
  cores: number,
): number[] {
  const expected = order.map((name) => (Number.isFinite(seconds[name]) ? seconds[name] : undefined));
  const known = expected.filter((s): s is number => s !== undefined);
  const fallback = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const free = new Array<number>(Math.max(1, slots)).fill(0);
  const runs = expected.map((s) => {
    const slot = free.indexOf(Math.min(...free));
    const start = free[slot];
    free[slot] = start + (s ?? fallback);
    return { start, end: free[slot] };
  });
  return runs.map(({ start, end }) => {
    const middle = (start + end) / 2;
    const beside = runs.filter((r) => r.start <= middle && middle < r.end).length;
    return Math.max(1, Math.floor(cores / Math.max(1, beside)));
  });
}
