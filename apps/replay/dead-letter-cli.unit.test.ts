import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { type Broker, type ConsumedRecord, createEmbeddedBroker } from "../../lib/broker/index.ts";
import { deadLetterOfEvent, fromKafkaRecord, redrivenFor } from "../../lib/cloudevents/index.ts";
import { allTopics, type EventType, topics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { eventFor, waitFor } from "../../lib/testing/index.ts";
import { listDeadLetters, redrive } from "./dead-letter-cli.ts";

let broker: Broker;
let dir: string;
const republished: ConsumedRecord[] = [];
const log = createMemoryLogger();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "orderflow-redrive-"));
  broker = createEmbeddedBroker({ dir, fsync: false });
  await broker.ensureTopics(allTopics);
  republished.length = 0;
  await broker.subscribe({ group: "watch", topics: [topics.order.name], handle: async (r) => void republished.push(...r) });
}, 60_000);
afterEach(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const deadLetter = (type: EventType, orderId: string, service: string, offset: bigint) =>
  deadLetterOfEvent(topics.deadLetter.name, orderId, eventFor(type, orderId), {
    service,
    status: 422,
    reason: "refused",
    attempts: 1,
    origin: { topic: topics.order.name, partition: 0, offset },
  });

test("listing reads every dead letter, filtered, and consumes none", async () => {
  await broker.publish([deadLetter("com.example.order.created", "o-1", "payment", 0n), deadLetter("com.example.order.created", "o-2", "notification", 1n)]);
  expect((await listDeadLetters(broker, {})).map((v) => v.orderId)).toEqual(["o-1", "o-2"]);
  expect((await listDeadLetters(broker, { service: "notification" })).map((v) => v.orderId)).toEqual(["o-2"]);
  expect(await listDeadLetters(broker, { limit: 1 })).toHaveLength(1);
  expect(await listDeadLetters(broker, {})).toHaveLength(2);
});

test("a redrive by order puts its events back in order, once, and a second one publishes nothing", async () => {
  await broker.publish([
    deadLetter("com.example.order.created", "o-1", "payment", 0n),
    deadLetter("com.example.order.created", "o-1", "notification", 0n),
    deadLetter("com.example.order.created", "o-2", "payment", 1n),
    deadLetter("com.example.order.cancelled", "o-1", "notification", 2n),
  ]);
  const first = await redrive(broker, { orderId: "o-1" }, log);
  expect(first).toEqual({ redriven: 3, published: 2, skipped: 0, eventIds: ["com.example.order.created:o-1", "com.example.order.cancelled:o-1"] });
  await waitFor(() => republished.length >= 2);
  expect(republished.map((r) => fromKafkaRecord(r).type)).toEqual(["com.example.order.created", "com.example.order.cancelled"]);
  expect(republished.every((r) => r.key === "o-1")).toBe(true);
  // Marked with every subscriber that gave up on the event: their dispatchers unpark the order.
  expect(republished.map((r) => redrivenFor(r))).toEqual([["payment", "notification"], ["notification"]]);

  expect(await redrive(broker, { orderId: "o-1" }, log)).toMatchObject({ redriven: 0, published: 0 });
  expect((await listDeadLetters(broker, {})).map((v) => v.orderId)).toEqual(["o-2"]);
});

test("a redrive of one dead letter by its offset, or of a type", async () => {
  await broker.publish([deadLetter("com.example.order.created", "o-1", "payment", 0n), deadLetter("com.example.order.cancelled", "o-2", "payment", 1n)]);
  expect(await redrive(broker, { offset: 1n }, log)).toMatchObject({ redriven: 1, eventIds: ["com.example.order.cancelled:o-2"] });
  expect(await redrive(broker, { type: "com.example.order.created" }, log)).toMatchObject({ redriven: 1, eventIds: ["com.example.order.created:o-1"] });
  expect(await listDeadLetters(broker, {})).toEqual([]);
});
