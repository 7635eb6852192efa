import { expect, test } from "bun:test";
import fc from "fast-check";
import { BoundedMap } from "./bounded-map.ts";

test("beyond its capacity, the key set first is forgotten; setting a held key again keeps its place", () => {
  const map = new BoundedMap<string, number>(2);
  map.set("a", 1).set("b", 2).set("a", 10);
  expect([map.get("a"), map.get("b"), map.size]).toEqual([10, 2, 2]);
  map.set("c", 3);
  expect([map.get("a"), map.get("b"), map.get("c"), map.size]).toEqual([undefined, 2, 3, 2]);
});

test("whatever is set and deleted, it never holds more than its capacity, and what it answers is what was set last", () => {
  const operation = fc.oneof(
    fc.record({ set: fc.integer({ min: 0, max: 20 }), value: fc.integer() }),
    fc.record({ remove: fc.integer({ min: 0, max: 20 }) }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.array(operation, { maxLength: 200 }), (capacity, operations) => {
      const map = new BoundedMap<number, number>(capacity);
      const latest = new Map<number, number>();
      for (const op of operations) {
        if ("set" in op) {
          map.set(op.set, op.value);
          latest.set(op.set, op.value);
        } else {
          map.delete(op.remove);
          latest.delete(op.remove);
        }
        expect(map.size).toBeLessThanOrEqual(capacity);
      }
      for (let key = 0; key <= 20; key++) {
        const held = map.get(key);
        if (held !== undefined) expect(held).toBe(latest.get(key)!);
      }
      // The last key set is always held, unless deleted since.
      const last = operations.findLast((op) => "set" in op);
      if (last && "set" in last && latest.has(last.set)) expect(map.get(last.set)).toBe(latest.get(last.set)!);
    }),
  );
});

test("a capacity must be a positive integer", () => {
  expect(() => new BoundedMap(0)).toThrow(RangeError);
});
