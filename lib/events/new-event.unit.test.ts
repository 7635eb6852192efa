import { describe, expect, test } from "bun:test";
import { parseCloudEvent } from "../cloudevents/index.ts";
import { eventTypes } from "./catalog.ts";
import { type EventContext, newEvent } from "./new-event.ts";

const data = { orderId: "o-1", userId: "u-1", reason: "payment_failed" as const };
const context: EventContext = { id: "evt-1", time: new Date("2026-11-25T10:00:00.000Z"), correlationid: "o-1" };
const build = (overrides: Partial<EventContext>) => () => newEvent("com.example.order.cancelled", data, { ...context, ...overrides });

describe("newEvent brands without a parse, so what it builds must pass the parse", () => {
  test("for every event type, with and without a cause", () => {
    // The envelope does not look into `data`, so one payload serves every type here.
    for (const type of eventTypes) {
      const bare = newEvent(type, data as never, context);
      expect(parseCloudEvent(bare)).toEqual(bare);
      const caused = newEvent(type, data as never, { ...context, cause: { id: "evt-0", correlationid: "o-1" } });
      expect(parseCloudEvent(caused)).toEqual(caused);
    }
  });

  const refused: Array<[string, Partial<EventContext>]> = [
    ["an empty id", { id: "" }],
    ["an id with a control character", { id: "evt\u0000" }],
    ["no correlationid and no cause", { correlationid: undefined }],
    ["a correlationid with a lone surrogate", { correlationid: "o-\uD800" }],
    ["a cause with an empty id", { cause: { id: "", correlationid: "o-1" } }],
    ["an invalid date", { time: new Date("nope") }],
    ["a year past 9999 (not RFC 3339)", { time: new Date("+010000-01-01T00:00:00.000Z") }],
  ];
  for (const [name, overrides] of refused) {
    test(`refuses ${name}`, () => expect(build(overrides)).toThrow(expect.objectContaining({ code: "event.invalid_attribute" })));
  }
});
