import { describe, expect, test } from "bun:test";
import { DeadLetterHeader, deadLetterOfEvent, deadLetterOfRecord, readDeadLetter, redriveMarker, redrivenOffsetOf } from "./dead-letter.ts";
import { parseCloudEvent } from "./envelope.ts";
import { toKafkaRecord } from "./kafka.ts";

const event = parseCloudEvent({
  specversion: "1.0",
  id: "evt-1",
  source: "/order-service",
  type: "com.example.order.cancelled",
  time: "2026-11-25T10:00:00.000Z",
  datacontenttype: "application/json",
  correlationid: "o-1",
  data: { orderId: "o-1", reason: "payment_failed" },
});

const origin = { topic: "order-events", partition: 3, offset: 41n };

describe("an event given up on", () => {
  test("round trip: the event, its original key and place, who gave up, after how many attempts and why", () => {
    const cause = { service: "payment", status: 422, reason: "data.orderId: invalid", attempts: 1, origin };
    const record = deadLetterOfEvent("dead-letters", "o-1", event, cause);
    expect(record.topic).toBe("dead-letters");
    expect(record.headers).toMatchObject({
      "content-type": "application/cloudevents+json",
      "dl-service": "payment",
      "dl-status": "422",
      "dl-attempts": "1",
      "dl-topic": "order-events",
      "dl-partition": "3",
      "dl-offset": "41",
    });
    expect(readDeadLetter(record)).toEqual({ key: "o-1", ...cause, event });
  });

  test("no answer: dl-status is empty and reads back as no status; a long reason is cut", () => {
    const record = deadLetterOfEvent("dead-letters", "o-1", event, { service: "payment", reason: "x".repeat(5000), attempts: 30, origin });
    expect(record.headers[DeadLetterHeader.status]).toBe("");
    const letter = readDeadLetter(record);
    expect(letter).not.toHaveProperty("status");
    expect(letter.reason).toHaveLength(1000);
  });
});

describe("a record that was no event", () => {
  test("round trip: value, key and headers untouched, the cause added, no event", () => {
    const original = { key: "k", value: new TextEncoder().encode("not an event"), headers: { trace: "t-1" } };
    const record = deadLetterOfRecord("dead-letters", original, { service: "notification", reason: "unreadable", attempts: 0, origin });
    expect(record).toMatchObject({ topic: "dead-letters", key: "k", value: original.value, headers: { trace: "t-1", "dl-service": "notification" } });
    expect(readDeadLetter(record)).toEqual({ key: "k", service: "notification", reason: "unreadable", attempts: 0, origin });
  });

  test("a binary-mode record that fails the envelope stays unreadable when read back", () => {
    const binary = toKafkaRecord("orders", "o-1", event);
    const broken = { ...binary, headers: { ...binary.headers, ce_specversion: "0.3" } };
    const letter = readDeadLetter(deadLetterOfRecord("dead-letters", broken, { service: "payment", reason: "bad specversion", attempts: 0, origin }));
    expect(letter.event).toBeUndefined();
  });
});

test("a record written by hand without dl- headers reads with an empty cause", () => {
  const record = { key: "k", value: new TextEncoder().encode(JSON.stringify(event)), headers: {} };
  expect(readDeadLetter(record)).toEqual({ key: "k", service: "", reason: "", event });
});

test("a record written before attempts and origin were kept reads without them", () => {
  const record = { key: "k", value: new TextEncoder().encode(JSON.stringify(event)), headers: { "dl-service": "payment", "dl-topic": "order-events", "dl-offset": "x" } };
  const letter = readDeadLetter(record);
  expect(letter).not.toHaveProperty("attempts");
  expect(letter).not.toHaveProperty("origin");
});

test("a redrive marker names the dead letter it put back; a dead letter is no marker", () => {
  const marker = redriveMarker("dead-letters", "o-1", 7n);
  expect(marker).toMatchObject({ topic: "dead-letters", key: "o-1", headers: { "dl-redriven": "7" } });
  expect(redrivenOffsetOf(marker)).toBe(7n);
  expect(redrivenOffsetOf(deadLetterOfEvent("dead-letters", "o-1", event, { service: "payment", reason: "r", attempts: 1, origin }))).toBeUndefined();
});
