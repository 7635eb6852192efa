import { expect, test } from "bun:test";
import { serializeCloudEventBatch } from "../../lib/cloudevents/index.ts";
import { newEvent } from "../../lib/events/index.ts";
import { cutBatches, receiverLimits } from "./batches.ts";
import { maxEventsPerPush } from "../../lib/http/index.ts";

const item = (n: number, userId = "u") => ({
  n,
  event: newEvent("com.example.order.cancelled", { orderId: "o", userId, reason: "payment_failed" }, { id: `e-${n}`, time: new Date(0), correlationid: "o" }),
});
const bodyBytes = (batch: ReturnType<typeof item>[]) => Buffer.byteLength(serializeCloudEventBatch(batch.map((i) => i.event)));

test("batches keep the receiver's count limit, events in order", () => {
  const items = Array.from({ length: maxEventsPerPush * 2 + 1 }, (_, n) => item(n));
  const batches = cutBatches(items);
  expect(batches.map((b) => b.length)).toEqual([maxEventsPerPush, maxEventsPerPush, 1]);
  expect(batches.flat().map((i) => i.n)).toEqual(items.map((i) => i.n));
});

test("batches stay within the byte limit, to the byte; a lone event over it goes alone", () => {
  const one = bodyBytes([item(0)]);
  const limits = { maxEvents: 100, maxBytes: one * 3 + 2 };
  const batches = cutBatches([item(1), item(2), item(3), item(4), item(5, "x".repeat(one * 4)), item(6)], limits);
  expect(batches.map((b) => b.map((i) => i.n))).toEqual([[1, 2, 3], [4], [5], [6]]);
  for (const batch of batches.filter((b) => b[0]!.n !== 5)) expect(bodyBytes(batch)).toBeLessThanOrEqual(limits.maxBytes);
  expect(receiverLimits.maxBytes).toBe(1024 * 1024);
});
