import { expect, test } from "bun:test";
import { eventFor } from "../../lib/testing/index.ts";
import { serializedBytes, serializedEvent } from "./serialized-events.ts";

test("an event's JSON is written once and is the same JSON each time", () => {
  const event = eventFor("com.example.order.created", "o-9");
  const json = serializedEvent(event);
  expect(serializedEvent(event)).toBe(json);
  expect(JSON.parse(json)).toEqual(expect.objectContaining({ id: event.id, type: event.type }));
  expect(serializedBytes(event)).toBe(Buffer.byteLength(json));
});
