import { afterEach, expect, test } from "bun:test";
import { readDeadLetter } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";
import { waitFor } from "../../lib/testing/index.ts";
import { maxPushBytes } from "./batches.ts";
import { broker, cancelled, onePartition, publish, setUp, tearDown } from "./dispatcher-fixture.ts";

/** What the dispatcher does with each kind of answer: delivery modes, retries, refusals, sizes. */
afterEach(tearDown, 60_000);

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
