import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { type Broker, type ConsumedRecord, createEmbeddedBroker } from "../../lib/broker/index.ts";
import { readCloudEvents, readDeadLetter, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { allTopics, newEvent, topics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { waitFor } from "../../lib/testing/index.ts";
import { createDispatcher, type Dispatcher, type PushMode } from "./dispatcher.ts";
import { testSecurity, testSigner } from "../../lib/testing/index.ts";

/**
 * The dispatcher against a real embedded broker; the webhook is a scripted function, because what
 * is under test is what the dispatcher does with each kind of answer.
 */
let broker: Broker;
let dispatcher: Dispatcher;
let dir: string;

afterEach(async () => {
  await dispatcher?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cancelled(orderId: string, n: number) {
  return newEvent("com.example.order.cancelled", { orderId, userId: "u", reason: "payment_failed" }, { id: `${orderId}-${n}`, time: new Date(), correlationid: orderId });
}

async function setUp(answer: (ids: string[], attempt: number) => number, mode?: PushMode) {
  dir = mkdtempSync(join(tmpdir(), "orderflow-dispatcher-"));
  broker = createEmbeddedBroker({ dir, fsync: false });
  await broker.ensureTopics(allTopics);
  const deliveries: string[][] = [];
  const modesSeen: string[] = [];
  const deadLetters: ConsumedRecord[] = [];
  const log = createMemoryLogger();
  await broker.subscribe({ group: "test-dlq", topics: [topics.deadLetter.name], handle: async (r) => void deadLetters.push(...r) });
  dispatcher = createDispatcher({
    broker,
    subscriptions: [{ service: "notification", topics: [topics.order.name], types: ["com.example.order.cancelled"], mode }],
    sign: testSigner,
    deliver: async (_service, request) => {
      testSecurity.verifyPush(request.headers, await request.clone().text());
      const read = await readCloudEvents(request);
      modesSeen.push(read.mode);
      const ids = read.events.map((e) => e.id);
      deliveries.push(ids);
      return new Response(null, { status: answer(ids, deliveries.length) });
    },
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 4 },
    log,
  });
  await dispatcher.start();
  return { deliveries, modesSeen, deadLetters, log };
}

const publish = (...events: ReturnType<typeof cancelled>[]) =>
  broker.publish(events.map((e) => toKafkaRecord(topics.order.name, e.data.orderId, e)));

test("2xx: every event delivered once, in order", async () => {
  const { deliveries, deadLetters } = await setUp(() => 200);
  await publish(cancelled("o1", 1), cancelled("o1", 2), cancelled("o1", 3));
  await waitFor(() => deliveries.flat().length >= 3);
  expect(deliveries.flat()).toEqual(["o1-1", "o1-2", "o1-3"]);
  expect(deadLetters).toEqual([]);
});

test("a binary-mode subscription gets one event per signed request, in order", async () => {
  const { deliveries, modesSeen } = await setUp(() => 200, "binary");
  await publish(cancelled("o5", 1), cancelled("o5", 2), cancelled("o5", 3));
  await waitFor(() => deliveries.flat().length >= 3);
  expect(deliveries).toEqual([["o5-1"], ["o5-2"], ["o5-3"]]);
  expect(new Set(modesSeen)).toEqual(new Set(["binary"]));
});

test("the default mode pushes a batch, even of one event", async () => {
  const { deliveries, modesSeen } = await setUp(() => 200);
  await publish(cancelled("o6", 1));
  await waitFor(() => deliveries.length >= 1);
  expect(modesSeen).toEqual(["batch"]);
});

test("binary mode: a refused event is dead-lettered at once, the next one delivered", async () => {
  const { deliveries, deadLetters } = await setUp((ids) => (ids.includes("o7-1") ? 415 : 200), "binary");
  await publish(cancelled("o7", 1), cancelled("o7", 2));
  await waitFor(() => deadLetters.length >= 1 && deliveries.flat().includes("o7-2"));
  expect(deliveries).toEqual([["o7-1"], ["o7-2"]]);
  expect(readDeadLetter(deadLetters[0]!)).toMatchObject({ status: 415, event: { id: "o7-1" } });
});

test("5xx is retried with backoff until the webhook succeeds", async () => {
  const { deliveries, deadLetters } = await setUp((_ids, attempt) => (attempt < 3 ? 503 : 200));
  await publish(cancelled("o2", 1));
  await waitFor(() => deliveries.length >= 3);
  expect(deliveries).toEqual([["o2-1"], ["o2-1"], ["o2-1"]]);
  expect(deadLetters).toEqual([]);
});

test("retries that never succeed end in the dead-letter topic, and the flow moves on", async () => {
  const { deliveries, deadLetters } = await setUp((ids) => (ids.includes("o3-1") ? 500 : 200));
  await publish(cancelled("o3", 1));
  await waitFor(() => deadLetters.length >= 1);
  expect(deliveries.filter((d) => d.includes("o3-1"))).toHaveLength(4);
  expect(deadLetters[0]!.headers["dl-status"]).toBe("500");
  await publish(cancelled("o3", 2));
  await waitFor(() => deliveries.some((d) => d.includes("o3-2")));
});

test("a rejected batch is split: the poison event is dead-lettered, the others delivered in order", async () => {
  const { deliveries, deadLetters, log } = await setUp((ids) => (ids.includes("o4-2") ? 422 : 200));
  await publish(cancelled("o4", 1), cancelled("o4", 2), cancelled("o4", 3));
  await waitFor(() => deadLetters.length >= 1 && deliveries.some((d) => d.length === 1 && d[0] === "o4-3"));
  expect(deliveries.filter((d) => d.length === 1).map((d) => d[0])).toEqual(["o4-1", "o4-2", "o4-3"]);
  expect(JSON.parse(new TextDecoder().decode(deadLetters[0]!.value)).id).toBe("o4-2");
  expect(deadLetters[0]!.headers["dl-service"]).toBe("notification");
  // What the replay reads back: the event, the key it was published under, who refused it and how.
  expect(readDeadLetter(deadLetters[0]!)).toMatchObject({ key: "o4", service: "notification", status: 422, event: { id: "o4-2" } });
  // The log names the event, never carries it.
  const [line] = log.lines();
  expect(JSON.parse(line!)).toMatchObject({ level: 50, service: "notification", status: 422, events: [{ id: "o4-2", type: "com.example.order.cancelled" }] });
  expect(line).not.toContain("specversion");
});

test("a record that is not a CloudEvent is dead-lettered untouched; the log names the record, not what it holds", async () => {
  const { deadLetters, log } = await setUp(() => 200);
  await broker.publish([{ topic: topics.order.name, key: "k", value: new TextEncoder().encode("tok_4242 丸の内"), headers: {} }]);
  await waitFor(() => deadLetters.length >= 1);
  expect(new TextDecoder().decode(deadLetters[0]!.value)).toBe("tok_4242 丸の内");
  const [line] = log.lines();
  expect(JSON.parse(line!)).toMatchObject({ service: "notification", record: { topic: topics.order.name } });
  expect(line).not.toContain("tok_4242");
  expect(line).not.toContain("丸の内");
  expect(readDeadLetter(deadLetters[0]!)).toMatchObject({ key: "k", service: "notification" });
  expect(readDeadLetter(deadLetters[0]!).event).toBeUndefined();
});
