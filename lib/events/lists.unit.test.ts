import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { boundedList, maxLinesPerOrder } from "./lists.ts";
import { orderLines } from "./order.ts";

const line = { productId: "sku-1", quantity: 1, unitPrice: 1000 };
const lines = (count: number, item: unknown = line) => Array.from({ length: count }, () => item);

describe("order lines", () => {
  test(`1 to ${maxLinesPerOrder} lines are accepted`, () => {
    expect(maxLinesPerOrder).toBe(100);
    expect(v.is(orderLines, lines(1))).toBe(true);
    expect(v.is(orderLines, lines(100))).toBe(true);
  });

  test("none, or one more than the cap, is refused", () => {
    expect(v.safeParse(orderLines, []).issues?.map((issue) => issue.type)).toEqual(["min_length"]);
    expect(v.safeParse(orderLines, lines(101)).issues?.map((issue) => issue.type)).toEqual(["max_length"]);
  });

  test("a huge list costs one issue, not one per element", () => {
    const started = performance.now();
    const result = v.safeParse(orderLines, lines(300_000, {}));
    expect(result.issues?.length).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
  });

  test("within the cap, each bad element is named", () => {
    const result = v.safeParse(orderLines, [line, { ...line, quantity: 0 }]);
    expect(result.issues?.map((issue) => issue.path?.map((item) => item.key).join("."))).toEqual(["1.quantity"]);
  });

  test("the output is the elements' output, and the schema shows the element's shape", () => {
    expect(v.parse(orderLines, [{ ...line, extra: true }])).toEqual([line]);
    const list = boundedList(v.object({ a: v.string() }), 0, 2);
    expect(list.type).toBe("array");
    expect(list.item.type).toBe("object");
    expect(v.is(list, [])).toBe(true);
    expect(v.is(list, "not a list")).toBe(false);
  });
});
