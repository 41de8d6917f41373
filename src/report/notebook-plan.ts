/**
 * How `npm run reproduce` lays its notebooks out: which run one after another in one kernel, in what order, and how
 * many sweep worker threads each gets. Units (a notebook, or a group run in one kernel) start in a given order on a
 * number of slots, each slot taking the next unit as it frees; their seconds in earlier runs say roughly when each
 * notebook will run and beside which others.
 */

/**
 * The units to hand to the slots: each group of `together` (its members among `names`, in the group's order; a name
 * in two groups counts in the first) runs in one kernel, so that the later ones find the earlier ones' job results
 * (src/experiments/job-results.ts keeps them per kernel); every other notebook is a unit alone. Longest first by
 * the units' summed seconds (a unit with a notebook of unknown seconds counts as longest); equal ones in the order
 * of their first notebook in `names`.
 */
export function kernelUnits(
  names: readonly string[],
  seconds: Readonly<Record<string, number>>,
  together: readonly (readonly string[])[],
): string[][] {
  const placed = new Set<string>();
  const units: string[][] = [];
  for (const group of together) {
    const members = group.filter((name, i) => names.includes(name) && !placed.has(name) && group.indexOf(name) === i);
    for (const name of members) placed.add(name);
    if (members.length > 0) units.push(members);
  }
  for (const name of names) if (!placed.has(name)) units.push([name]);
  const total = (unit: readonly string[]) => unit.reduce((sum, name) => sum + (seconds[name] ?? Infinity), 0);
  return units.sort((a, b) => names.indexOf(a[0]) - names.indexOf(b[0])).sort((a, b) => total(b) - total(a) || 0);
}

/**
 * Worker threads for each notebook (in the order of `units.flat()`): the cores shared out among the notebooks
 * expected to be running halfway through its run, found by laying the units out on `slots` slots in their order, a
 * unit's notebooks one after another on one slot (unknown seconds count as the mean of the known). One expected to run
 * alone, like the long one of two, gets every core; one expected beside others, like the short last one of a
 * longest-first order, gets its share: more threads than cores only add start-ups, trace copies and models trained once
 * per thread, and in a kernel that already ran a notebook the calling thread's code is compiled where a new worker's is
 * not (notebook 00 after 05 in one kernel: 0.24-0.48 s wall in the calling thread, 0.93-1.11 s and 0.6-1.1 CPU s more
 * on two new workers, load ~11).
 */
export function plannedSweepWorkers(
  units: readonly (readonly string[])[],
  seconds: Readonly<Record<string, number>>,
  slots: number,
  cores: number,
): number[] {
  const known = units.flat().flatMap((name) => (Number.isFinite(seconds[name]) ? [seconds[name]] : []));
  const fallback = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const expected = (name: string) => (Number.isFinite(seconds[name]) ? seconds[name] : fallback);
  const free = new Array<number>(Math.max(1, slots)).fill(0);
  const runs = units.flatMap((unit) => {
    const slot = free.indexOf(Math.min(...free));
    return unit.map((name) => {
      const start = free[slot];
      free[slot] = start + expected(name);
      return { start, end: free[slot] };
    });
  });
  return runs.map(({ start, end }) => {
    const middle = (start + end) / 2;
    const beside = runs.filter((r) => r.start <= middle && middle < r.end).length;
    return Math.max(1, Math.floor(cores / Math.max(1, beside)));
  });
}
