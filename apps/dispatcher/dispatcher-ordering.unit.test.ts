import { afterEach, expect, test } from "bun:test";
import { readDeadLetter, redriven, redriveMarker, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";
import { waitFor } from "../../lib/testing/index.ts";
import { broker, cancelled, dispatcher, onePartition, publish, setUp, tearDown } from "./dispatcher-fixture.ts";

/** Per-event outcomes and per-order ordering: retries and parking touch only the order at fault. */
afterEach(tearDown, 60_000);

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

test("a 500 to a whole batch of several orders: each order is sent again alone, uncharged; only the poison's order is dead-lettered", async () => {
  const [poison, innocent, later] = onePartition("o13p", 3) as [string, string, string];
  // A receiver (or a proxy) that fails any request carrying the poison event as a whole.
  const answer = (ids: string[]) => (ids.includes(`${poison}-1`) ? 500 : 200);
  const { deliveries, deadLetters } = await setUp(answer);
  await publish(cancelled(innocent, 1), cancelled(poison, 1), cancelled(later, 1));
  await waitFor(() => deadLetters.length >= 1);
  // The batch, then each order alone in the same round; after that only the poison, alone.
  expect(deliveries.slice(0, 4)).toEqual([[`${innocent}-1`, `${poison}-1`, `${later}-1`], [`${innocent}-1`], [`${poison}-1`], [`${later}-1`]]);
  expect(deliveries.slice(4)).toEqual([[`${poison}-1`], [`${poison}-1`], [`${poison}-1`]]);
  expect(deadLetters.map((d) => readDeadLetter(d))).toEqual([expect.objectContaining({ attempts: 4, status: 500, event: expect.objectContaining({ id: `${poison}-1` }) })]);
});

test("a 503 to a whole batch is about the subscriber: every order backs off together, no request per order", async () => {
  const [a, b] = onePartition("o13q", 2) as [string, string];
  let busy = 2;
  const { deliveries, deadLetters } = await setUp(() => (busy-- > 0 ? 503 : 200));
  await publish(cancelled(a, 1), cancelled(b, 1));
  await waitFor(() => deliveries.length >= 3);
  expect(deliveries).toEqual([[`${a}-1`, `${b}-1`], [`${a}-1`, `${b}-1`], [`${a}-1`, `${b}-1`]]);
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
