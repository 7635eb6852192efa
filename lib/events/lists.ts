import * as v from "valibot";

/** The most lines one order may have; every list of an order's items is bounded by it. */
export const maxLinesPerOrder = 100;

/**
 * An array of `item`, `min` to `max` long, whose length is checked before its elements: valibot's
 * `array` reports every bad element first, so a 1 MiB body of `{}` would cost a million issues (and
 * a 100 MB answer) before `maxLength` said no. The schema shows the element's shape as `item`, as
 * `v.array(item)` does, for the docs and any other reader of the schema.
 */
export function boundedList<const T extends v.GenericSchema>(item: T, min = 1, max = maxLinesPerOrder) {
  const elements = v.pipe(v.array(item), v.minLength(min), v.maxLength(max));
  const lengthFirst = v.pipe(v.array(v.unknown()), v.minLength(min), v.maxLength(max), elements);
  return { ...lengthFirst, item };
}
