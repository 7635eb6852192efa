import { expect, test } from "bun:test";
import type { ConsumedRecord } from "../../lib/broker/index.ts";
import { toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { eventFor } from "../../lib/testing/index.ts";
import { createRecordReader } from "./record-reader.ts";

const recordOf = (orderId: string, offset: bigint): ConsumedRecord => {
  const event = eventFor("com.example.order.created", orderId);
  return { ...toKafkaRecord("order-events", orderId, event), partition: 0, offset };
};

test("a record fetched again (another group) gives the event read the first time; other bytes at that position are read anew", () => {
  const read = createRecordReader();
  const first = recordOf("o-1", 7n);
  const event = read(first);
  // Another group's fetch: equal bytes in other objects.
  expect(read({ ...first, value: Uint8Array.from(first.value), headers: { ...first.headers } })).toBe(event);
  // The position reused by another record (a topic deleted and created again): read, not remembered.
  const other = recordOf("o-2", 7n);
  const otherEvent = read(other);
  expect(otherEvent).not.toBe(event);
  expect(otherEvent.data).toEqual(expect.objectContaining({ orderId: "o-2" }));
  // One header changed is another record too.
  expect(read({ ...other, headers: { ...other.headers, ce_id: "another-id" } }).id).toBe("another-id");
});

test("what is not a CloudEvent throws every time it is read", () => {
  const read = createRecordReader();
  const broken: ConsumedRecord = { topic: "order-events", partition: 0, offset: 1n, key: "o-1", value: new TextEncoder().encode("{"), headers: {} };
  expect(() => read(broken)).toThrow();
  expect(() => read(broken)).toThrow();
});

test("the oldest records are forgotten beyond the capacity", () => {
  const read = createRecordReader(2);
  const records = [recordOf("o-1", 1n), recordOf("o-2", 2n), recordOf("o-3", 3n)];
  const events = records.map(read);
  expect(read(records[2]!)).toBe(events[2]!);
  const again = read(records[0]!);
  expect(again).not.toBe(events[0]!);
  // Read again, o-1 is the newest: o-2 went to make room, o-3 stays.
  expect(read(records[0]!)).toBe(again);
  expect(read(records[2]!)).toBe(events[2]!);
  expect(read(records[1]!)).not.toBe(events[1]!);
});
