/**
 * The first item of `items` that `same` pairs with an earlier one, as [the earlier's index, its index]; undefined
 * when no two are the same. Quadratic: for the short lists of a command line (files, shards).
 * @example firstRepeat(['a', 'b', 'a', 'b'], (x, y) => x === y) // [0, 2]
 */
export function firstRepeat<T>(
  items: readonly T[],
  same: (earlier: T, later: T) => boolean,
): [number, number] | undefined {
  for (let later = 1; later < items.length; later++) {
    const earlier = items.findIndex((item, i) => i < later && same(item, items[later]));
    if (earlier >= 0) return [earlier, later];
  }
  return undefined;
}
