import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "bun:test";
import { createCompletionTracker } from "./completions.ts";

const dir = mkdtempSync(join(tmpdir(), "bench-completions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const line = (orderId: string, type: string, duplicate = false) => `${JSON.stringify({ idempotencyKey: `${type}:${orderId}`, orderId, type, duplicate })}\n`;

test("counts each order once, from its final delivered message only; a torn line waits for its end", () => {
  const file = join(dir, "notifications.jsonl");
  const tracker = createCompletionTracker([file]);
  expect(tracker.poll()).toEqual([]); // no file yet
  appendFileSync(file, line("o-1", "com.example.payment.completed") + line("o-1", "com.example.shipment.created"));
  appendFileSync(file, line("o-2", "com.example.order.cancelled", true)); // a duplicate was not delivered
  const torn = line("o-3", "com.example.order.cancelled");
  appendFileSync(file, torn.slice(0, 20));
  expect(tracker.poll(1).map((c) => c.orderId)).toEqual(["o-1"]);
  appendFileSync(file, torn.slice(20) + line("o-1", "com.example.shipment.created"));
  expect(tracker.poll(2)).toEqual([{ orderId: "o-3", type: "com.example.order.cancelled", seenAt: 2 }]);
  expect([...tracker.completed.keys()]).toEqual(["o-1", "o-3"]);
});
