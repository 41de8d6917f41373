/** `T` read-only all the way down: every property of every object in it, arrays as read-only arrays. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * Freezes plain data (no cycles, no typed arrays) and every object in it, and types it read-only all the way down:
 * Object.freeze alone is shallow, so `DEFAULTS.network.rttUs = 5` would still change every later run silently.
 * @example deepFreeze({ network: { rttUs: 200 } }).network.rttUs = 5 // TypeError in strict code; refused by tsc
 */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
