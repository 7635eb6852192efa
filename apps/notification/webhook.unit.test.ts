import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createFixedClock } from "../../lib/clock/fixed.ts";
import type { Database } from "../../lib/db/types.ts";
import { type EventType, eventTypes } from "../../lib/events/index.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/memory.ts";
import { createRecordingNotifier, type RecordingNotifier } from "../../lib/notifier/recording.ts";
import { createTestDatabase } from "../../lib/testing/database.ts";
import {
  createForgetfulIdempotencyStore,
  deliver,
  deliverConcurrently,
  eventFor,
  modes,
  outcomesOf,
  problemOf,
  rejectionCases,
  tally,
} from "../../lib/testing/events.ts";
import { createApp } from "./app.ts";
import { notifications } from "./store/schema.ts";

let database: Database;
let notifier: RecordingNotifier;
/** The app as deployed: the in-memory fast path in front of the database. */
let app: ReturnType<typeof createApp>;
/** Each delivery through its own app with a forgetful store: only the database decides. */
const withoutFastPath = () => createApp({ db: database.db, idempotency: createForgetfulIdempotencyStore(), notifier, clock: createFixedClock() });

beforeAll(async () => {
  database = await createTestDatabase();
  notifier = createRecordingNotifier();
  app = createApp({ db: database.db, idempotency: createMemoryIdempotencyStore(), notifier, clock: createFixedClock() });
}, 60_000);
afterAll(async () => database?.close());

const sendsFor = (type: EventType, orderId: string) =>
  notifier.attempts().filter((sent) => sent.idempotencyKey === `${type}:${orderId}`);

describe("notification webhook: one send per type and order", () => {
  test.each(eventTypes)("%s delivered twice sends once", async (type) => {
    const orderId = `n-twice-${type}`;
    const event = eventFor(type, orderId);
    const first = await deliver(app, "notification", event);
    expect(first.status).toBe(200);
    expect(await outcomesOf(first)).toEqual(["processed"]);
    const second = await deliver(app, "notification", event);
    expect(second.status).toBe(200);
    expect(await outcomesOf(second)).toEqual(["duplicate"]);
    expect(sendsFor(type, orderId)).toHaveLength(1);
  });

  test.each(modes)("a redelivery in %s mode is a duplicate", async (mode) => {
    const orderId = `n-mode-${mode}`;
    const event = eventFor("com.example.order.created", orderId);
    expect(await outcomesOf(await deliver(app, "notification", event, mode))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "notification", event, mode))).toEqual(["duplicate"]);
    expect(sendsFor(event.type, orderId)).toHaveLength(1);
  });

  test("two different event ids of the same type and order send once", async () => {
    const orderId = "n-two-ids";
    const first = eventFor("com.example.payment.completed", orderId, { id: "evt-a" });
    const second = eventFor("com.example.payment.completed", orderId, { id: "evt-b" });
    expect(await outcomesOf(await deliver(app, "notification", first))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "notification", second))).toEqual(["duplicate"]);
    expect(sendsFor(first.type, orderId)).toHaveLength(1);
  });

  test("each type of one order is its own notification", async () => {
    const orderId = "n-each-type";
    for (const type of ["com.example.order.created", "com.example.payment.completed", "com.example.shipment.created"] as const) {
      await deliver(app, "notification", eventFor(type, orderId));
    }
    expect(notifier.attempts().filter((sent) => sent.orderId === orderId)).toHaveLength(3);
    const response = await app.request(`/notifications?orderId=${orderId}`);
    expect(response.status).toBe(200);
    const { notifications } = (await response.json()) as { notifications: Array<{ status: string }> };
    expect(notifications.map((row) => row.status)).toEqual(["sent", "sent", "sent"]);
  });

  test("concurrent deliveries send once; the losers are told to retry (503), and the retry is a duplicate", async () => {
    const orderId = "n-concurrent";
    const event = eventFor("com.example.stock.reserved", orderId);
    const responses = await deliverConcurrently(app, "notification", event, 3);
    expect(await tally(responses)).toMatchObject({ processed: 1, other: [] });
    const busy = responses.find((response) => response.status === 503);
    if (busy) {
      expect(busy.headers.get("retry-after")).toBe("1");
      expect((await problemOf(busy)).code).toBe("event.in_progress");
    }
    expect(sendsFor(event.type, orderId)).toHaveLength(1);
    expect(await outcomesOf(await deliver(app, "notification", event))).toEqual(["duplicate"]);
    expect(sendsFor(event.type, orderId)).toHaveLength(1);
  });
});

describe("notification webhook without the fast path: the database alone decides", () => {
  test("a sequential redelivery sends once", async () => {
    const orderId = "n-db-seq";
    const event = eventFor("com.example.order.cancelled", orderId);
    expect(await outcomesOf(await deliver(withoutFastPath(), "notification", event))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "notification", event))).toEqual(["duplicate"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "notification", eventFor(event.type, orderId, { id: "other-id" })))).toEqual([
      "duplicate",
    ]);
    expect(sendsFor(event.type, orderId)).toHaveLength(1);
  });

  // Without the fast path, the database hands the send to ONE delivery (a row with a lease); the
  // others answer 503 so that the dispatcher retries them, and the retry finds the row sent.
  test("concurrent deliveries of the same event send once; the others are told to retry", async () => {
    const orderId = "n-db-concurrent";
    const event = eventFor("com.example.payment.failed", orderId);
    const responses = await Promise.all([1, 2, 3].map(() => deliver(withoutFastPath(), "notification", event)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    for (const status of statuses) expect([200, 503]).toContain(status);
    expect(sendsFor(event.type, orderId)).toHaveLength(1);
    expect(await outcomesOf(await deliver(withoutFastPath(), "notification", event))).toEqual(["duplicate"]);
    expect(sendsFor(event.type, orderId)).toHaveLength(1);
  });

  test("concurrent deliveries of two event ids of the same type and order send once", async () => {
    const orderId = "n-db-concurrent-ids";
    const a = eventFor("com.example.payment.refunded", orderId, { id: "evt-a" });
    const b = eventFor("com.example.payment.refunded", orderId, { id: "evt-b" });
    await Promise.all([deliver(withoutFastPath(), "notification", a), deliver(withoutFastPath(), "notification", b)]);
    expect(sendsFor(a.type, orderId)).toHaveLength(1);
  });
});

describe("notification webhook refusals", () => {
  const valid = eventFor("com.example.order.created", "n-refused");
  const cases = rejectionCases("notification", {
    valid,
    unhandled: { ...valid, type: "com.example.order.shipped" },
    invalid: eventFor("com.example.order.created", "n-refused-2", { data: { currency: "yen" } }),
    invalidField: "data.currency",
  });

  test.each(cases)("$name → $status", async ({ request, status, field }) => {
    const response = await app.request(request());
    expect(response.status).toBe(status);
    const problem = await problemOf(response);
    expect(problem.status).toBe(status);
    if (field) expect(problem.errors?.map((issue) => issue.field)).toContain(field);
    // Nothing of a refused request is applied, valid events of a batch included.
    expect(notifier.attempts().filter((sent) => sent.orderId.startsWith("n-refused"))).toEqual([]);
  });

  test("GET /notifications without orderId → 400 naming orderId", async () => {
    const response = await app.request("/notifications");
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((issue) => issue.field)).toContain("orderId");
  });
});

describe("notification after a crash between claim and send", () => {
  test("a claim whose lease ran out is taken over: the message is sent, once", async () => {
    const orderId = "n-crashed-holder";
    const event = eventFor("com.example.shipment.created", orderId);
    const key = `${event.type}:${orderId}`;
    // The state a sender leaves when it dies after claiming: unsent, lease already over.
    await database.db.insert(notifications).values({
      key, orderId, userId: "u-1", type: event.type, subject: "s", body: "b", status: "sending",
      claimedUntil: new Date(Date.now() - 60_000), createdAt: new Date(),
    });
    expect(await outcomesOf(await deliver(withoutFastPath(), "notification", event))).toEqual(["processed"]);
    expect(sendsFor(event.type, orderId)).toHaveLength(1);
  });

  test("a claim whose lease still runs is left to its holder: 503, nothing sent", async () => {
    const orderId = "n-live-holder";
    const event = eventFor("com.example.shipment.created", orderId);
    await database.db.insert(notifications).values({
      key: `${event.type}:${orderId}`, orderId, userId: "u-1", type: event.type, subject: "s", body: "b", status: "sending",
      claimedUntil: new Date(Date.now() + 60_000), createdAt: new Date(),
    });
    expect((await deliver(withoutFastPath(), "notification", event)).status).toBe(503);
    expect(sendsFor(event.type, orderId)).toHaveLength(0);
  });
});
