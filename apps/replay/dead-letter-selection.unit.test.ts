import { describe, expect, test } from "bun:test";
import { deadLetterOfEvent, readDeadLetter } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";
import { eventFor } from "../../lib/testing/index.ts";
import type { StoredDeadLetter } from "./dead-letter-reader.ts";
import { filterOf, matchesFilter, matchesSelection, selectionOf, viewOf, waiting } from "./dead-letter-selection.ts";

const origin = { topic: topics.order.name, partition: 2, offset: 17n };
const stored = (offset: bigint, orderId: string, service = "payment"): StoredDeadLetter => {
  const event = eventFor("com.example.order.created", orderId);
  const record = deadLetterOfEvent(topics.deadLetter.name, orderId, event, { service, status: 422, reason: "no", attempts: 1, origin });
  return { offset, letter: readDeadLetter(record) };
};

test("a view names the event, its order, the cause and both places", () => {
  expect(viewOf(stored(4n, "o-1"))).toEqual({
    deadLetterOffset: "4",
    eventId: "com.example.order.created:o-1",
    type: "com.example.order.created",
    orderId: "o-1",
    service: "payment",
    status: 422,
    reason: "no",
    attempts: 1,
    topic: topics.order.name,
    partition: 2,
    offset: "17",
  });
});

test("waiting: not redriven yet, oldest first", () => {
  const letters = [stored(3n, "o-2"), stored(1n, "o-1"), stored(2n, "o-1")];
  expect(waiting({ letters, redriven: new Set([2n]) }).map((s) => s.offset)).toEqual([1n, 3n]);
});

test("filter and selection by service, order, type and offset", () => {
  const letter = stored(5n, "o-1", "notification");
  expect(matchesFilter(letter, { service: "notification", orderId: "o-1" })).toBe(true);
  expect(matchesFilter(letter, { service: "payment" })).toBe(false);
  expect(matchesFilter(letter, { type: "com.example.order.cancelled" })).toBe(false);
  expect(matchesSelection(letter, { offset: 5n })).toBe(true);
  expect(matchesSelection(letter, { orderId: "o-2" })).toBe(false);
  expect(matchesSelection(letter, { type: "com.example.order.created" })).toBe(true);
});

describe("what staff may ask", () => {
  test("a listing query: an unknown service or a bad limit is 422", () => {
    expect(filterOf({ service: "payment", limit: "5" })).toEqual({ service: "payment", limit: 5 });
    expect(() => filterOf({ service: "nobody" })).toThrow(expect.objectContaining({ status: 422 }));
    expect(() => filterOf({ limit: "-1" })).toThrow(expect.objectContaining({ status: 422 }));
  });

  test("a redrive body: exactly one of offset, orderId, type", () => {
    expect(selectionOf({ offset: "7" })).toEqual({ offset: 7n });
    expect(selectionOf({ offset: 7 })).toEqual({ offset: 7n });
    expect(selectionOf({ orderId: "o-1" })).toEqual({ orderId: "o-1" });
    expect(selectionOf({ type: "com.example.order.created" })).toEqual({ type: "com.example.order.created" });
    for (const bad of [undefined, {}, { orderId: "o-1", type: "t" }, { offset: "-1" }, { orderId: "" }]) {
      expect(() => selectionOf(bad)).toThrow(expect.objectContaining({ status: 422 }));
    }
  });
});
