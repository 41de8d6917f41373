type GrowableArray = Int32Array | Float64Array | Uint8Array;

/** A copy of `array` in a new one of `size` elements (>= its length), the new tail set to `fill`. */
export function enlarged<T extends GrowableArray>(array: T, size: number, fill = 0): T {
  const larger = new (array.constructor as new (size: number) => T)(size);
  larger.set(array);
  if (fill !== 0) larger.fill(fill, array.length);
  return larger;
}
