import { expect, test } from "bun:test";
import type { DeadLetterOrigin } from "../../lib/cloudevents/index.ts";
import { newEvent } from "../../lib/events/index.ts";
import type { Answer } from "./answer.ts";
import type { Item } from "./delivery.ts";
import { createPushQueue } from "./push-queue.ts";

const origin: DeadLetterOrigin = { topic: "order-events", partition: 0, offset: 0n };

function item(orderId: string, n = 1): Item {
  const event = newEvent("com.example.order.cancelled", { orderId, userId: "u", reason: "payment_failed" }, { id: `${orderId}-${n}`, time: new Date(), correlationid: orderId });
  return { key: orderId, event, origin, redriven: false, attempts: 0 };
}

const idsOf = (items: Item[]) => items.map((i) => i.event.id);
const perEvent = (items: Item[], outcome = "processed"): Answer => ({
  status: 200,
  detail: JSON.stringify({ results: items.map((i) => ({ id: i.event.id, outcome })) }),
  failure: undefined,
  retryAfter: null,
});
const resultIds = (answer: Answer) => (JSON.parse(answer.detail) as { results: Array<{ id: string }> }).results.map((r) => r.id);

/** What the first request waits at until the test opens it: later attempts pile up meanwhile. */
function firstRequestGate() {
  let open: () => void = () => {};
  const closed = new Promise<void>((resolve) => (open = resolve));
  return { closed, open: () => open() };
}

/**
 * A push queue of one slot in front of a subscriber that holds its first request until `open()`,
 * so that the attempts made meanwhile are joined; every request and signal it got is recorded, and
 * `answerOf` answers each (`n`: the request's number, from 1).
 */
function heldFirstRequest(answerOf: (items: Item[], n: number) => Answer) {
  const requests: Item[][] = [];
  const signals: Array<AbortSignal | undefined> = [];
  const gate = firstRequestGate();
  const push = createPushQueue(
    async (items, signal) => {
      requests.push(items);
      signals.push(signal);
      const n = requests.length;
      if (n === 1) await gate.closed;
      return answerOf(items, n);
    },
    { concurrency: 1 },
  );
  return { push, requests, signals, open: gate.open };
}

/** A subscriber that answers only when told: each request waits for `release()`. */
function gatedSubscriber(answerOf: (items: Item[]) => Answer = (items) => perEvent(items)) {
  const requests: Item[][] = [];
  const gates: Array<() => void> = [];
  const send = async (items: Item[]) => {
    requests.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return answerOf(items);
  };
  const release = async () => {
    while (gates.length === 0) await Bun.sleep(1);
    gates.shift()!();
  };
  return { send, requests, release };
}

test("a free subscriber gets each attempt alone and at once", async () => {
  const subscriber = gatedSubscriber();
  const push = createPushQueue(subscriber.send, { concurrency: 2 });
  const a = push([item("a")], undefined);
  const b = push([item("b")], undefined);
  expect(subscriber.requests.map(idsOf)).toEqual([["a-1"], ["b-1"]]);
  await subscriber.release();
  await subscriber.release();
  expect(resultIds(await a)).toEqual(["a-1"]);
  expect(resultIds(await b)).toEqual(["b-1"]);
});

test("attempts waiting for a slot go out together, and each gets its own events' results", async () => {
  const subscriber = gatedSubscriber();
  const push = createPushQueue(subscriber.send, { concurrency: 1 });
  const first = push([item("a")], undefined);
  const waiting = [push([item("b"), item("b", 2)], undefined), push([item("c")], undefined), push([item("d")], undefined)];
  expect(subscriber.requests).toHaveLength(1);
  await subscriber.release();
  await first;
  await subscriber.release();
  const answers = await Promise.all(waiting);
  expect(subscriber.requests.map(idsOf)).toEqual([["a-1"], ["b-1", "b-2", "c-1", "d-1"]]);
  expect(answers.map(resultIds)).toEqual([["b-1", "b-2"], ["c-1"], ["d-1"]]);
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
});

test("a joined request stays below the receiver's event limit", async () => {
  const subscriber = gatedSubscriber();
  const push = createPushQueue(subscriber.send, { concurrency: 1, limits: { maxEvents: 3, maxBytes: 1_000_000 } });
  const all = [push([item("a")], undefined), push([item("b"), item("b", 2)], undefined), push([item("c")], undefined), push([item("d"), item("d", 2)], undefined)];
  for (let i = 0; i < 3; i++) await subscriber.release();
  await Promise.all(all);
  expect(subscriber.requests.map(idsOf)).toEqual([["a-1"], ["b-1", "b-2", "c-1"], ["d-1", "d-2"]]);
});

test("an answer on a joined request as a whole is not shared: each attempt is sent again alone and judged on its own answer", async () => {
  // The subscriber refuses any request carrying "poison" as a whole (422), as a receiver that
  // cannot read one event of a batch would.
  const { push, requests, open } = heldFirstRequest((items) =>
    items.some((i) => i.key === "poison") ? { status: 422, detail: "unreadable", failure: undefined, retryAfter: null } : perEvent(items),
  );
  const first = push([item("a")], undefined);
  const innocent = push([item("b")], undefined);
  const guilty = push([item("poison")], undefined);
  open();
  await first;
  expect((await innocent).status).toBe(200);
  expect(resultIds(await innocent)).toEqual(["b-1"]);
  expect((await guilty).status).toBe(422);
  expect(requests.map(idsOf)).toEqual([["a-1"], ["b-1", "poison-1"], ["b-1"], ["poison-1"]]);
});

test("an attempt aborted while waiting is answered at once and never sent", async () => {
  const subscriber = gatedSubscriber();
  const push = createPushQueue(subscriber.send, { concurrency: 1 });
  const first = push([item("a")], undefined);
  const controller = new AbortController();
  const revoked = push([item("b")], controller.signal);
  const kept = push([item("c")], undefined);
  controller.abort();
  const answer = await revoked;
  expect(answer.status).toBeUndefined();
  expect(answer.detail).toContain("abandoned");
  await subscriber.release();
  await first;
  await subscriber.release();
  expect(resultIds(await kept)).toEqual(["c-1"]);
  expect(subscriber.requests.map(idsOf)).toEqual([["a-1"], ["c-1"]]);
});

test("a joined request is abandoned only when every attempt in it is", async () => {
  const { push, signals, open } = heldFirstRequest((items) => perEvent(items));
  const first = push([item("a")], undefined);
  const [one, two] = [new AbortController(), new AbortController()];
  const joined = [push([item("b")], one.signal), push([item("c")], two.signal)];
  open();
  await first;
  await Promise.all(joined);
  const signal = signals[1]!;
  expect(signal.aborted).toBe(false);
  one.abort();
  expect(signal.aborted).toBe(false);
  two.abort();
  expect(signal.aborted).toBe(true);
});

test("no answer to a joined request is every attempt's answer: nothing is sent again at once to a subscriber that is down or busy", async () => {
  const { push, requests, open } = heldFirstRequest((items, n) => (n === 1 ? perEvent(items) : { status: 503, detail: "busy", failure: undefined, retryAfter: "1" }));
  const first = push([item("a")], undefined);
  const joined = [push([item("b")], undefined), push([item("c")], undefined)];
  open();
  await first;
  const answers = await Promise.all(joined);
  expect(answers.map((a) => [a.status, a.retryAfter])).toEqual([
    [503, "1"],
    [503, "1"],
  ]);
  expect(requests.map(idsOf)).toEqual([["a-1"], ["b-1", "c-1"]]);
});

test("a joined request carries at most a hundred events, whatever the receiver would take", async () => {
  const subscriber = gatedSubscriber();
  const push = createPushQueue(subscriber.send, { concurrency: 1 });
  const first = push([item("first")], undefined);
  const waiting = Array.from({ length: 150 }, (_, i) => push([item(`o${i}`)], undefined));
  await subscriber.release();
  await first;
  await subscriber.release();
  await subscriber.release();
  await Promise.all(waiting);
  expect(subscriber.requests.map((r) => r.length)).toEqual([1, 100, 50]);
});

test("a 500 to a joined request sends its parts again one by one within the concurrency: only the part at fault keeps failing", async () => {
  const requests: Item[][] = [];
  let inFlight = 0;
  let most = 0;
  const gate = firstRequestGate();
  const push = createPushQueue(
    async (items) => {
      requests.push(items);
      most = Math.max(most, ++inFlight);
      if (requests.length === 1) await gate.closed;
      await Bun.sleep(0);
      inFlight--;
      if (items.some((i) => i.key === "poison")) return { status: 500, detail: "injected", failure: undefined, retryAfter: null };
      return perEvent(items);
    },
    { concurrency: 1 },
  );
  const first = push([item("a")], undefined);
  const joined = [push([item("b")], undefined), push([item("poison")], undefined), push([item("c")], undefined)];
  gate.open();
  await first;
  const [b, poison, c] = await Promise.all(joined);
  expect([b!.status, poison!.status, c!.status]).toEqual([200, 500, 200]);
  expect(requests.map(idsOf)).toEqual([["a-1"], ["b-1", "poison-1", "c-1"], ["b-1"], ["poison-1"], ["c-1"]]);
  expect(most).toBe(1);
});

test("a 2xx to a joined request without one result per event took every event: each attempt gets it, nothing is sent again", async () => {
  const { push, requests, open } = heldFirstRequest(() => ({ status: 204, detail: "", failure: undefined, retryAfter: null }));
  const first = push([item("a")], undefined);
  const joined = [push([item("b")], undefined), push([item("c")], undefined)];
  open();
  await first;
  expect((await Promise.all(joined)).map((a) => a.status)).toEqual([204, 204]);
  expect(requests.map(idsOf)).toEqual([["a-1"], ["b-1", "c-1"]]);
});
