import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { type Broker, type ConsumedRecord, createEmbeddedBroker } from "../../lib/broker/index.ts";
import { deadLetterOfEvent, fromKafkaRecord } from "../../lib/cloudevents/index.ts";
import { allTopics, newEvent, topics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { waitFor } from "../../lib/testing/index.ts";
import { replayDeadLetters } from "./replay-dead-letters.ts";

let broker: Broker;
let dir: string;
afterEach(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const deadLetter = (orderId: string, service: string) => {
  const event = newEvent("com.example.order.cancelled", { orderId, userId: "u", reason: "payment_failed" }, { id: `evt-${orderId}`, time: new Date(), correlationid: orderId });
  return deadLetterOfEvent(topics.deadLetter.name, orderId, event, { service, status: 503, reason: "kept failing", attempts: 30, origin: { topic: topics.order.name, partition: 0, offset: 0n } });
};

test("dead letters go back on their topic, once, optionally for one service", async () => {
  dir = mkdtempSync(join(tmpdir(), "orderflow-replay-"));
  broker = createEmbeddedBroker({ dir, fsync: false });
  await broker.ensureTopics(allTopics);
  const republished: ConsumedRecord[] = [];
  await broker.subscribe({ group: "watch", topics: [topics.order.name], handle: async (r) => void republished.push(...r) });
  await broker.publish([
    deadLetter("o-1", "notification"),
    deadLetter("o-2", "payment"),
    { topic: topics.deadLetter.name, key: "x", value: new TextEncoder().encode("garbage"), headers: { "dl-service": "notification" } },
  ]);

  const first = await replayDeadLetters({ broker, service: "notification", idleMs: 200, log: createMemoryLogger() });
  expect(first).toEqual({ replayed: 1, skipped: 1 });
  await waitFor(() => republished.length >= 1);
  expect(fromKafkaRecord(republished[0]!).id).toBe("evt-o-1");
  expect(republished[0]!.key).toBe("o-1");

  expect(await replayDeadLetters({ broker, service: "notification", idleMs: 200, log: createMemoryLogger() })).toEqual({ replayed: 0, skipped: 0 });
  expect(await replayDeadLetters({ broker, idleMs: 200, log: createMemoryLogger() })).toEqual({ replayed: 2, skipped: 1 });
});
