import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Broker, type ConsumedRecord, createEmbeddedBroker, partitionForKey } from "../../lib/broker/index.ts";
import { readCloudEvents, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { allTopics, newEvent, topics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import type { RetryPolicy } from "./classify.ts";
import { createDispatcher, type Dispatcher, type DispatcherOptions, type PushMode } from "./dispatcher.ts";
import { testSecurity, testSigner } from "../../lib/testing/index.ts";

/**
 * The dispatcher against a real embedded broker; the webhook is a scripted function, because what
 * is under test is what the dispatcher does with each kind of answer. `broker` and `dispatcher`
 * are those of the test running; each test file calls `afterEach(tearDown)`.
 */
export let broker: Broker;
export let dispatcher: Dispatcher;
let dir: string;

export async function tearDown(): Promise<void> {
  await dispatcher?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
}

export function cancelled(orderId: string, n: number, userId = "u") {
  return newEvent("com.example.order.cancelled", { orderId, userId, reason: "payment_failed" }, { id: `${orderId}-${n}`, time: new Date(), correlationid: orderId });
}

/** The webhook's answer: a status, or a whole response (to carry headers). */
export type Answer = (ids: string[], attempt: number) => number | Response;

export async function setUp(answer: Answer, mode?: PushMode, retry: Partial<RetryPolicy> = {}, gate?: () => Promise<void>) {
  dir = mkdtempSync(join(tmpdir(), "orderflow-dispatcher-"));
  broker = createEmbeddedBroker({ dir, fsync: false });
  await broker.ensureTopics(allTopics);
  const deliveries: string[][] = [];
  const bodyBytes: number[] = [];
  // A fake clock: every wait is recorded and returns at once.
  const sleeps: number[] = [];
  const modesSeen: string[] = [];
  const deadLetters: ConsumedRecord[] = [];
  const log = createMemoryLogger();
  await broker.subscribe({ group: "test-dlq", topics: [topics.deadLetter.name], handle: async (r) => void deadLetters.push(...r) });
  const options: DispatcherOptions = {
    broker,
    subscriptions: [{ service: "notification", topics: [topics.order.name], types: ["com.example.order.cancelled"], mode }],
    sign: testSigner,
    deliver: async (_service, request) => {
      const body = await request.clone().text();
      testSecurity.verifyPush(request.headers, body);
      bodyBytes.push(Buffer.byteLength(body));
      const read = await readCloudEvents(request);
      modesSeen.push(read.mode);
      const ids = read.events.map((e) => e.id);
      deliveries.push(ids);
      const answered = answer(ids, deliveries.length);
      return typeof answered === "number" ? new Response(null, { status: answered }) : answered;
    },
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 4, ...retry },
    sleep: async (ms) => {
      sleeps.push(ms);
      await gate?.();
    },
    log,
  };
  dispatcher = createDispatcher(options);
  await dispatcher.start();
  const restart = async () => {
    await dispatcher.stop();
    dispatcher = createDispatcher(options);
    await dispatcher.start();
  };
  return { deliveries, bodyBytes, sleeps, modesSeen, deadLetters, log, restart };
}

/** `count` order ids on one partition of the order topic: their events come in one batch, in order. */
export function onePartition(prefix: string, count: number): string[] {
  const target = partitionForKey(`${prefix}-0`, topics.order.partitions);
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) if (partitionForKey(`${prefix}-${i}`, topics.order.partitions) === target) keys.push(`${prefix}-${i}`);
  return keys;
}

export const publish = (...events: ReturnType<typeof cancelled>[]) =>
  broker.publish(events.map((e) => toKafkaRecord(topics.order.name, e.data.orderId, e)));
