import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { dataFor, testTime } from "../testing/index.ts";
import { type DataOf, eventCatalog, type EventType, eventTypes } from "./catalog.ts";
import { maxAmount, maxStockLevel, money, productQuantity, quantity, stockLevel } from "./envelope.ts";
import { newEvent } from "./new-event.ts";

/** A valid event of `type` with every envelope string we check set, causationid included. */
const sampleOf = (type: EventType, data: DataOf<EventType> = dataFor(type, "o-1")) =>
  newEvent(type, data as never, { id: "evt-1", time: testTime, cause: { id: "evt-0", correlationid: "o-1" } });

type Path = Array<string | number>;

/** Every leaf of `value` (a string, number or boolean), with its path. */
function leavesOf(value: unknown, path: Path = []): Array<{ path: Path; leaf: unknown }> {
  if (value === null || typeof value !== "object") return [{ path, leaf: value }];
  return Object.entries(value).flatMap(([key, child]) => leavesOf(child, [...path, Array.isArray(value) ? Number(key) : key]));
}

function withLeaf(event: object, path: Path, leaf: unknown): unknown {
  const copy = structuredClone(event) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = leaf;
  return copy;
}

/** The fields named by the refusal, each once (one value may break several rules). */
function failingFields(type: EventType, event: unknown): string[] {
  const result = v.safeParse(eventCatalog[type].schema, event);
  return [...new Set((result.issues ?? []).map((issue) => (issue.path ?? []).map((item) => String(item.key)).join(".")))];
}

const hostileText = ["\ud800", "a\udc00", "u\u009b31mRED", "evil\u202e", "\u0000", "a\nb", "\u2066x\u2069"];
const hostileNumbers = [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1e12, "1", null];

describe("every field of every event refuses hostile input, naming the field", () => {
  for (const type of eventTypes) {
    const event = sampleOf(type);
    const leaves = leavesOf(event.data).map(({ path, leaf }) => ({ path: ["data", ...path], leaf }));

    test(`${type}: the sample is valid`, () => expect(failingFields(type, event)).toEqual([]));

    test(`${type}: text fields refuse lone surrogates, control and bidi characters`, () => {
      const texts = [...leaves.filter(({ leaf }) => typeof leaf === "string"), ...["id", "correlationid", "causationid"].map((name) => ({ path: [name] }))];
      for (const { path } of texts) {
        for (const text of hostileText) expect([text, failingFields(type, withLeaf(event, path, text))]).toEqual([text, [path.join(".")]]);
      }
    });

    test(`${type}: number fields refuse fractions, NaN, infinities, negatives, huge values and strings`, () => {
      for (const { path } of leaves.filter(({ leaf }) => typeof leaf === "number")) {
        for (const number of hostileNumbers) expect([number, failingFields(type, withLeaf(event, path, number))]).toEqual([number, [path.join(".")]]);
      }
    });
  }
});

describe("numeric caps", () => {
  const caps: Array<[string, v.GenericSchema, number, number]> = [
    ["money", money, 0, maxAmount],
    ["quantity", quantity, 1, 10_000],
    ["productQuantity (an order's lines of one product added up)", productQuantity, 1, 1_000_000],
    ["stockLevel", stockLevel, 0, maxStockLevel],
  ];
  for (const [name, schema, min, max] of caps) {
    test(`${name}: whole numbers from ${min} to ${max}`, () => {
      for (const accepted of [min, max]) expect(v.is(schema, accepted)).toBe(true);
      for (const refused of [min - 1, max + 1, min + 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2]) {
        expect([refused, v.is(schema, refused)]).toEqual([refused, false]);
      }
    });
  }

  test("a price and a total at the amount cap make a valid order.created (the cap fits a 32-bit column)", () => {
    expect(maxAmount).toBeLessThanOrEqual(2 ** 31 - 1);
    const items = [{ productId: "sku-1", quantity: 1, unitPrice: maxAmount }];
    const data = dataFor("com.example.order.created", "o-1", { items, totalAmount: maxAmount });
    expect(failingFields("com.example.order.created", sampleOf("com.example.order.created", data))).toEqual([]);
  });
});
