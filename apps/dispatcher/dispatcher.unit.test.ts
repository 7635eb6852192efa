import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "bun:test";
import { type Broker, type ConsumedRecord, createEmbeddedBroker, partitionForKey } from "../../lib/broker/index.ts";
import { readCloudEvents, readDeadLetter, redriven, redriveMarker, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { allTopics, newEvent, topics } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { waitFor } from "../../lib/testing/index.ts";
import { maxPushBytes } from "./batches.ts";
import type { RetryPolicy } from "./classify.ts";
import { createDispatcher, type Dispatcher, type DispatcherOptions, type PushMode } from "./dispatcher.ts";
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

function cancelled(orderId: string, n: number, userId = "u") {
  return newEvent("com.example.order.cancelled", { orderId, userId, reason: "payment_failed" }, { id: `${orderId}-${n}`, time: new Date(), correlationid: orderId });
}

/** The webhook's answer: a status, or a whole response (to carry headers). */
type Answer = (ids: string[], attempt: number) => number | Response;

async function setUp(answer: Answer, mode?: PushMode, retry: Partial<RetryPolicy> = {}, gate?: () => Promise<void>) {
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
function onePartition(prefix: string, count: number): string[] {
  const target = partitionForKey(`${prefix}-0`, topics.order.partitions);
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) if (partitionForKey(`${prefix}-${i}`, topics.order.partitions) === target) keys.push(`${prefix}-${i}`);
  return keys;
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

test("binary mode: a refused event is dead-lettered at once, other orders delivered, its own later events parked", async () => {
  const { deliveries, deadLetters } = await setUp((ids) => (ids.includes("o7a-1") ? 415 : 200), "binary");
  await publish(cancelled("o7a", 1), cancelled("o7b", 1), cancelled("o7a", 2));
  await waitFor(() => deadLetters.length >= 2 && deliveries.flat().includes("o7b-1"));
  expect(deliveries.flat().sort()).toEqual(["o7a-1", "o7b-1"]);
  expect(readDeadLetter(deadLetters[0]!)).toMatchObject({ status: 415, event: { id: "o7a-1" } });
  expect(readDeadLetter(deadLetters[1]!)).toMatchObject({ event: { id: "o7a-2" }, reason: expect.stringContaining("parked behind o7a-1") });
});

test("5xx is retried with backoff until the webhook succeeds", async () => {
  const { deliveries, deadLetters } = await setUp((_ids, attempt) => (attempt < 3 ? 503 : 200));
  await publish(cancelled("o2", 1));
  await waitFor(() => deliveries.length >= 3);
  expect(deliveries).toEqual([["o2-1"], ["o2-1"], ["o2-1"]]);
  expect(deadLetters).toEqual([]);
});

test("retries that never succeed end in the dead-letter topic; the order's later events are parked behind it, others flow", async () => {
  const { deliveries, deadLetters } = await setUp((ids) => (ids.includes("o3-1") ? 500 : 200));
  await publish(cancelled("o3", 1));
  await waitFor(() => deadLetters.length >= 1);
  expect(deliveries.filter((d) => d.includes("o3-1"))).toHaveLength(4);
  expect(deadLetters[0]!.headers["dl-status"]).toBe("500");
  expect(deadLetters[0]!.headers["dl-attempts"]).toBe("4");
  await publish(cancelled("o3", 2), cancelled("o3b", 1));
  await waitFor(() => deadLetters.length >= 2 && deliveries.some((d) => d.includes("o3b-1")));
  expect(deliveries.flat()).not.toContain("o3-2");
  expect(readDeadLetter(deadLetters[1]!)).toMatchObject({ event: { id: "o3-2" }, reason: expect.stringContaining("parked behind o3-1") });
});

test("one failing event in a batch: the others are done at once, only it (and its order's later events) retried", async () => {
  const [a, b, c] = onePartition("o13", 3) as [string, string, string];
  let failures = 2;
  const answer = (ids: string[]) => {
    const results = ids.map((id) => {
      if (id === `${b}-1` && failures-- > 0) return { id, outcome: "retry", problem: { status: 500, code: "internal" } };
      return { id, outcome: "processed" };
    });
    // The webhook holds the later events of a failed order back (lib/http/event-outcomes.ts).
    const failed = results.find((r) => r.outcome === "retry");
    for (const r of results) if (failed && r !== failed && r.id.startsWith(b)) Object.assign(r, { outcome: "retry", problem: { status: 409, code: "event.held" } });
    return Response.json({ results });
  };
  const { deliveries, deadLetters, sleeps } = await setUp(answer);
  await publish(cancelled(a, 1), cancelled(b, 1), cancelled(b, 2), cancelled(c, 1));
  await waitFor(() => deliveries.length >= 3);
  expect(deliveries).toEqual([[`${a}-1`, `${b}-1`, `${b}-2`, `${c}-1`], [`${b}-1`, `${b}-2`], [`${b}-1`, `${b}-2`]]);
  expect(sleeps).toHaveLength(2);
  expect(deadLetters).toEqual([]);
});

test("an event out of attempts counts only its own tries; held events are not charged for them", async () => {
  const answer = (ids: string[]) =>
    Response.json({
      results: ids.map((id) =>
        id === "o14-1" ? { id, outcome: "retry", problem: { status: 500, code: "internal" } } : { id, outcome: "retry", problem: { status: 409, code: "event.held" } },
      ),
    });
  const { deliveries, deadLetters } = await setUp(answer);
  await publish(cancelled("o14", 1), cancelled("o14", 2));
  await waitFor(() => deadLetters.length >= 2);
  expect(deliveries).toHaveLength(4);
  expect(readDeadLetter(deadLetters[0]!)).toMatchObject({ attempts: 4, event: { id: "o14-1" } });
  expect(readDeadLetter(deadLetters[1]!)).toMatchObject({ attempts: 0, event: { id: "o14-2" }, reason: expect.stringContaining("parked behind o14-1") });
});

test("an event the webhook rejects is dead-lettered at once, with the webhook's problem", async () => {
  const answer = (ids: string[]) =>
    Response.json({
      results: ids.map((id) =>
        id === "o15b-1" ? { id, outcome: "rejected", problem: { status: 422, code: "x.invalid", errors: [{ field: "data.total", message: "no" }] } } : { id, outcome: "processed" },
      ),
    });
  const { deliveries, deadLetters, log } = await setUp(answer);
  await publish(cancelled("o15a", 1), cancelled("o15b", 1));
  await waitFor(() => deadLetters.length >= 1);
  expect(deliveries.flat().sort()).toEqual(["o15a-1", "o15b-1"]);
  expect(readDeadLetter(deadLetters[0]!)).toMatchObject({ status: 422, attempts: 1, event: { id: "o15b-1" } });
  expect(JSON.parse(log.lines()[0]!)).toMatchObject({ refusal: { code: "x.invalid", fields: ["data.total"] } });
});

test("a rejected batch is split: the poison event is dead-lettered, its order's later events parked, the others delivered in order", async () => {
  const [a, b, c] = onePartition("o4", 3) as [string, string, string];
  const { deliveries, deadLetters, log } = await setUp((ids) => (ids.includes(`${b}-1`) ? 422 : 200));
  await publish(cancelled(a, 1), cancelled(b, 1), cancelled(b, 2), cancelled(c, 1));
  await waitFor(() => deadLetters.length >= 2 && deliveries.some((d) => d.length === 1 && d[0] === `${c}-1`));
  // The whole batch, then event by event to find the one at fault; its order's later event is held, not sent.
  expect(deliveries).toEqual([[`${a}-1`, `${b}-1`, `${b}-2`, `${c}-1`], [`${a}-1`], [`${b}-1`], [`${c}-1`]]);
  expect(JSON.parse(new TextDecoder().decode(deadLetters[0]!.value)).id).toBe(`${b}-1`);
  expect(deadLetters[0]!.headers["dl-service"]).toBe("notification");
  // What the replay reads back: the event, the key it was published under, who refused it and how.
  expect(readDeadLetter(deadLetters[0]!)).toMatchObject({ key: b, service: "notification", status: 422, event: { id: `${b}-1` } });
  expect(readDeadLetter(deadLetters[1]!)).toMatchObject({ key: b, event: { id: `${b}-2` }, reason: expect.stringContaining("parked") });
  // The log names the event, never carries it.
  const [line] = log.lines();
  expect(JSON.parse(line!)).toMatchObject({ level: 50, service: "notification", status: 422, events: [{ id: `${b}-1`, type: "com.example.order.cancelled" }] });
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

const tooLarge = () => Response.json({ status: 413, code: "request.too_large", detail: "the body is too large" }, { status: 413 });

test("a poll larger than the receiver's body limit is cut into batches under it, in order", async () => {
  const { deliveries, bodyBytes, deadLetters } = await setUp(() => 200);
  const big = (n: number) => cancelled("o8", n, "u".repeat(300_000));
  await publish(big(1), big(2), big(3), big(4), big(5));
  await waitFor(() => deliveries.flat().length >= 5);
  expect(deliveries.flat()).toEqual(["o8-1", "o8-2", "o8-3", "o8-4", "o8-5"]);
  expect(deliveries.length).toBeGreaterThan(1);
  for (const bytes of bodyBytes) expect(bytes).toBeLessThanOrEqual(maxPushBytes);
  expect(deadLetters).toEqual([]);
});

test("413 splits the batch in halves: every event delivered once, in order, nothing retried", async () => {
  const { deliveries, sleeps, deadLetters } = await setUp((ids) => (ids.length > 2 ? 413 : 200));
  await publish(...[1, 2, 3, 4, 5].map((n) => cancelled("o10", n)));
  await waitFor(() => deliveries.filter((d) => d.length <= 2).flat().length >= 5);
  expect(deliveries).toEqual([["o10-1", "o10-2", "o10-3", "o10-4", "o10-5"], ["o10-1", "o10-2", "o10-3"], ["o10-1", "o10-2"], ["o10-3"], ["o10-4", "o10-5"]]);
  expect(sleeps).toEqual([]);
  expect(deadLetters).toEqual([]);
});

test("a lone event answered 413 is dead-lettered at once with the reason; its neighbours are delivered", async () => {
  const { deliveries, sleeps, deadLetters } = await setUp((ids) => (ids.includes("o9b-2") ? tooLarge() : 200));
  await publish(cancelled("o9a", 1), cancelled("o9b", 2), cancelled("o9c", 3));
  await waitFor(() => deadLetters.length >= 1 && deliveries.flat().includes("o9c-3"));
  expect(deliveries.filter((d) => d.length === 1 && d[0] === "o9b-2")).toHaveLength(1);
  expect(deliveries.filter((d) => !d.includes("o9b-2")).flat()).toEqual(["o9a-1", "o9c-3"]);
  expect(sleeps).toEqual([]);
  const letter = readDeadLetter(deadLetters[0]!);
  expect(letter).toMatchObject({ status: 413, attempts: 1, event: { id: "o9b-2" } });
  expect(letter.reason).toContain("request.too_large");
});

test("Retry-After on a 429 or 503 is the wait, in seconds or as a date, capped by maxDelayMs", async () => {
  const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
  const answers = [
    new Response(null, { status: 429, headers: { "retry-after": "7" } }),
    new Response(null, { status: 503, headers: { "retry-after": inTenSeconds } }),
    new Response(null, { status: 503, headers: { "retry-after": "3600" } }),
    new Response(null, { status: 200 }),
  ];
  const { deliveries, sleeps } = await setUp((_ids, attempt) => answers[attempt - 1]!, undefined, { maxDelayMs: 60_000, maxAttempts: 5 });
  await publish(cancelled("o11", 1));
  await waitFor(() => deliveries.length >= 4);
  expect(sleeps).toHaveLength(3);
  expect(sleeps[0]).toBe(7_000);
  expect(sleeps[1]).toBeGreaterThan(8_000);
  expect(sleeps[1]).toBeLessThanOrEqual(10_000);
  expect(sleeps[2]).toBe(60_000);
});

test("without Retry-After the wait is a jittered backoff under its exponential ceiling", async () => {
  const { deliveries, sleeps } = await setUp((_ids, attempt) => (attempt < 4 ? 500 : 200), undefined, { baseDelayMs: 100, maxDelayMs: 300, maxAttempts: 5 });
  await publish(cancelled("o12", 1));
  await waitFor(() => deliveries.length >= 4);
  expect(sleeps).toHaveLength(3);
  [100, 200, 300].forEach((ceiling, i) => expect(sleeps[i]).toBeLessThanOrEqual(ceiling));
});

test("an order being retried holds back its own later events only: later batches of its partition flow past it", async () => {
  const [a, b] = onePartition("o16", 2) as [string, string];
  let healed = false;
  let open: () => void = () => {};
  const gate = () => new Promise<void>((resolve) => (open = resolve));
  const answer = (ids: string[]) =>
    Response.json({ results: ids.map((id) => (id === `${a}-1` && !healed ? { id, outcome: "retry", problem: { status: 503, code: "busy" } } : { id, outcome: "processed" })) });
  const { deliveries, sleeps, deadLetters } = await setUp(answer, undefined, {}, gate);
  await publish(cancelled(a, 1));
  await waitFor(() => sleeps.length >= 1, { what: "the first retry's wait" });
  // Same partition, later offsets: one event of the retrying order, one of another order.
  await publish(cancelled(a, 2), cancelled(b, 1));
  await waitFor(() => deliveries.flat().includes(`${b}-1`), { what: "the other order delivered past the retrying one" });
  expect(deliveries.flat()).not.toContain(`${a}-2`);
  healed = true;
  open();
  await waitFor(() => deliveries.flat().includes(`${a}-2`), { what: "the held event, after its predecessor" });
  const ofA = deliveries.flat().filter((id) => id.startsWith(a));
  expect(ofA.lastIndexOf(`${a}-1`)).toBeLessThan(ofA.indexOf(`${a}-2`));
  expect(deadLetters).toEqual([]);
});

test("stop abandons an order's retries at once: the wait is cut short and nothing is dead-lettered", async () => {
  const { deliveries, sleeps, deadLetters } = await setUp(() => 503, undefined, { maxAttempts: 1_000 }, () => new Promise<void>(() => {}));
  await publish(cancelled("o17", 1));
  await waitFor(() => sleeps.length >= 1);
  await dispatcher.stop();
  expect(deliveries).toHaveLength(1);
  expect(deadLetters).toEqual([]);
});

test("a restarted dispatcher keeps the order parked; a redrive of its dead letters unparks it, in order", async () => {
  let poisoned = true;
  const { deliveries, deadLetters, restart } = await setUp((ids) => (poisoned && ids.includes("o18-1") ? 422 : 200));
  await publish(cancelled("o18", 1));
  await waitFor(() => deadLetters.length >= 1);
  await restart();
  await publish(cancelled("o18", 2));
  await waitFor(() => deadLetters.length >= 2, { what: "the later event parked by the new dispatcher" });
  expect(readDeadLetter(deadLetters[1]!)).toMatchObject({ event: { id: "o18-2" }, reason: expect.stringContaining("parked behind o18-1") });
  expect(deliveries.flat()).toEqual(["o18-1"]);

  // The cause is fixed; a redrive puts both back, in order, marked for this subscriber, then marks the letters.
  poisoned = false;
  const letters = deadLetters.slice(0, 2);
  await broker.publish(letters.map((r) => redriven(toKafkaRecord(topics.order.name, r.key, readDeadLetter(r).event!), ["notification"])));
  await broker.publish(letters.map((r) => redriveMarker(topics.deadLetter.name, r.key, r.offset)));
  await waitFor(() => deliveries.flat().includes("o18-2"));
  expect(deliveries.flat()).toEqual(["o18-1", "o18-1", "o18-2"]);
  // Redriven and marked: a restart finds nothing parked, and the order's next event is delivered.
  await restart();
  await publish(cancelled("o18", 3));
  await waitFor(() => deliveries.flat().includes("o18-3"));
  expect(deadLetters).toHaveLength(4);
});
