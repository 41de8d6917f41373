/**
 * Small descriptive statistics for results (simple-statistics style: pure functions, one job each).
 * Empty input gives NaN rather than throwing, so a table cell shows "NaN" instead of a notebook failing.
 */

/**
 * Arithmetic mean.
 *
 * @example mean([1, 2, 6]) // 3
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The p-quantile (0 <= p <= 1) of values already sorted ascending, linearly interpolated between
 * the two nearest ranks (numpy's and R's default, type 7): p = 0 is the minimum, p = 1 the maximum.
 *
 * @example quantileSorted([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * The p-quantile of unsorted values (see quantileSorted); the input is not modified.
 *
 * @example quantile([4, 1, 3, 2], 0.25) // 1.75
 */
export function quantile(values: readonly number[], p: number): number {
  return quantileSorted(Float64Array.from(values).sort(), p);
}

/**
 * Median: the typical value when one outlier (1 fault becoming 1817 is +181600 %) would swamp the mean.
 *
 * @example median([5, 1, 100]) // 5
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * Geometric mean of positive values: the mean of ratios (x times a reference), where 2x and 0.5x cancel and no
 * single value is ignored the way a median ignores all but the middle ones.
 *
 * @example geometricMean([1, 4]) // 2
 */
export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let logs = 0;
  for (const v of values) logs += Math.log(v);
  return Math.exp(logs / values.length);
}

/** Smallest and largest value. */
export interface Extent {
  min: number;
  max: number;
}

/**
 * Smallest and largest value (NaN for both when empty or when a value is NaN, as mean gives): the min-max interval
 * over a few seeds.
 *
 * @example extent([3, 1, 2]) // { min: 1, max: 3 }
 */
export function extent(values: readonly number[]): Extent {
  if (values.length === 0) return { min: NaN, max: NaN };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    // NaN compares false both ways: [NaN] would give the impossible interval Infinity to -Infinity
    if (Number.isNaN(v)) return { min: NaN, max: NaN };
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * Whether two closed intervals share a point: two methods whose min-max intervals over the same seeds
 * overlap show no measurable difference.
 *
 * @example intervalsOverlap({ min: 1, max: 2 }, { min: 2, max: 5 }) // true
 */
export function intervalsOverlap(a: Extent, b: Extent): boolean {
  return a.min <= b.max && b.min <= a.max;
}

/**
 * The chance that a value drawn from `higher` exceeds one drawn from `lower`, ties counting half (the
 * area under the ROC curve of a score that should rank `higher` first; Mann-Whitney U / (n·m)). 0.5: the
 * score does not separate them; NaN when either is empty.
 *
 * @example probabilityGreater([3, 4], [1, 3]) // 0.875
 */
export function probabilityGreater(higher: readonly number[], lower: readonly number[]): number {
  if (higher.length === 0 || lower.length === 0) return NaN;
  const all = [...higher.map((v) => ({ v, high: true })), ...lower.map((v) => ({ v, high: false }))];
  all.sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const rank = (i + 1 + j) / 2; // tied values share their mean rank
    for (let m = i; m < j; m++) if (all[m].high) rankSum += rank;
    i = j;
  }
  const n = higher.length;
  return (rankSum - (n * (n + 1)) / 2) / (n * lower.length);
}
