import { expect, test } from "bun:test";
import fc from "fast-check";
import { cut, interleaveByKey, moved } from "./shuffle.ts";

const items = fc.array(fc.record({ key: fc.constantFrom("a", "b", "c", "d"), n: fc.nat() }), { maxLength: 40 });
const randomFrom = (seed: number) => {
  let state = seed >>> 0;
  return () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
};

test("the interleaving keeps every item and each key's order", () => {
  fc.assert(
    fc.property(items, fc.integer(), (list, seed) => {
      const out = interleaveByKey(list, (i) => i.key, randomFrom(seed));
      expect(out).toHaveLength(list.length);
      expect(new Set(out)).toEqual(new Set(list));
      for (const key of ["a", "b", "c", "d"]) expect(out.filter((i) => i.key === key)).toEqual(list.filter((i) => i.key === key));
    }),
  );
});

test("items of different keys do get reordered", () => {
  const list = Array.from({ length: 20 }, (_, n) => ({ key: `k${n}`, n }));
  expect(moved(list, interleaveByKey(list, (i) => i.key, randomFrom(1)))).toBeGreaterThan(0);
});

test("cut keeps the order and every item, in pieces of 1 to max", () => {
  fc.assert(
    fc.property(items, fc.integer({ min: 1, max: 5 }), fc.integer(), (list, max, seed) => {
      const pieces = cut(list, max, randomFrom(seed));
      expect(pieces.flat()).toEqual(list);
      for (const piece of pieces) expect(piece.length).toBeGreaterThanOrEqual(1), expect(piece.length).toBeLessThanOrEqual(max);
    }),
  );
});
