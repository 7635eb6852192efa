import { describe, expect, test } from "bun:test";
import { createFixedClock } from "../../lib/clock/index.ts";
import type { EventType } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { createRecordingNotifier, type RecordingNotifier } from "../../lib/notifier/index.ts";
import { answerOf, bearerFor, deliver, eventFor, problemFields, problemOf, shortType, testWorld, type WebhookCase, webhookContract, type WebhookFixture, type WebhookWorld, worldOf } from "../../lib/testing/index.ts";
import { createApp, subscribes } from "./app.ts";
import { notifications } from "./store/schema.ts";

type NotificationWorld = WebhookWorld & { notifier: RecordingNotifier };

const sendsFor = (world: NotificationWorld, type: EventType, orderId: string) =>
  world.notifier.attempts().filter((sent) => sent.idempotencyKey === `${type}:${orderId}`);

/** Every type the customer hears about: one message per type and order, whatever the event id. */
const message = (type: EventType): WebhookCase<NotificationWorld> => ({
  name: `${shortType(type)} → one message`,
  event: (orderId, id) => eventFor(type, orderId, { id }),
  effects: async (world, orderId) => sendsFor(world, type, orderId).length,
  sameOrder: "duplicate",
});

const fixture: WebhookFixture<NotificationWorld> = {
  service: "notification",
  build(database) {
    const notifier = createRecordingNotifier();
    return { notifier, ...worldOf(createApp, { db: database.db, notifier, clock: createFixedClock(), log: createMemoryLogger() }) };
  },
  cases: subscribes.map(message),
  // The database hands the send to one delivery (a row with a lease); the others answer 503.
  busyWithoutFastPath: true,
  refusals: {
    valid: message("com.example.order.created"),
    invalid: (orderId) => eventFor("com.example.order.created", orderId, { data: { currency: "yen" } }),
    invalidField: "data.currency",
  },
};

webhookContract(fixture);
const world = testWorld(fixture);
const as = async (...caller: Parameters<typeof bearerFor>) => ({ headers: { authorization: await bearerFor(...caller) } });

test("each type of one order is its own notification, listed by GET /notifications", async () => {
  const orderId = "n-each-type";
  for (const type of ["com.example.order.created", "com.example.payment.completed", "com.example.shipment.created"] as const) {
    await deliver(world().app, "notification", eventFor(type, orderId));
  }
  expect(world().notifier.attempts().filter((sent) => sent.orderId === orderId)).toHaveLength(3);
  for (const caller of [await as(`user-of-${orderId}`), await as("staff-1", "staff")]) {
    const response = await world().app.request(`/notifications?orderId=${orderId}`, caller);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { notifications: Array<{ status: string }> };
    expect(body.notifications.map((row) => row.status)).toEqual(["sent", "sent", "sent"]);
  }
});

test("another customer never reads them: the 404 of an order nobody was told about; no token is 401", async () => {
  await deliver(world().app, "notification", eventFor("com.example.order.created", "n-private"));
  const stranger = await world().app.request("/notifications?orderId=n-private", await as("u-stranger"));
  const unknown = await world().app.request("/notifications?orderId=n-nothing", await as("user-of-n-nothing"));
  for (const response of [stranger, unknown]) expect((await problemOf(response)).code).toBe("notification.not_found");
  expect([stranger.status, unknown.status]).toEqual([404, 404]);
  expect((await world().app.request("/notifications?orderId=n-private")).status).toBe(401);
});

test("GET /notifications without orderId → 400 naming orderId", async () => {
  expect(await problemFields(await world().app.request("/notifications", await as("u-1")), 400)).toContain("orderId");
});

describe("notification after a crash between claim and send", () => {
  /** The row a sender leaves when it dies after claiming: unsent, its lease ending at `claimedUntil`. */
  async function claimedBefore(orderId: string, claimedUntil: Date) {
    const event = eventFor("com.example.shipment.created", orderId);
    await world().db.insert(notifications).values({
      key: `${event.type}:${orderId}`, orderId, userId: "u-1", type: event.type, subject: "s", body: "b", status: "sending",
      claimedUntil, createdAt: new Date(),
    });
    return event;
  }

  test("a claim whose lease ran out is taken over: the message is sent, once", async () => {
    const event = await claimedBefore("n-crashed-holder", new Date(Date.now() - 60_000));
    expect(await answerOf(await deliver(world().withoutFastPath(), "notification", event))).toBe("processed");
    expect(sendsFor(world(), event.type, "n-crashed-holder")).toHaveLength(1);
  });

  test("a claim whose lease still runs is left to its holder: 503, nothing sent", async () => {
    const event = await claimedBefore("n-live-holder", new Date(Date.now() + 60_000));
    expect(await answerOf(await deliver(world().withoutFastPath(), "notification", event))).toBe(503);
    expect(sendsFor(world(), event.type, "n-live-holder")).toHaveLength(0);
  });
});

describe("customer messages never go backwards in the order's story", () => {
  const rowsOf = async (orderId: string) => (await world().db.select().from(notifications)).filter((row) => row.orderId === orderId);

  test("'payment completed' redriven after 'shipped': recorded as skipped, never sent, and stays so", async () => {
    const orderId = "n-redrive";
    for (const type of ["com.example.order.created", "com.example.shipment.created"] as const) await deliver(world().app, "notification", eventFor(type, orderId));
    expect(await answerOf(await deliver(world().app, "notification", eventFor("com.example.payment.completed", orderId)))).toBe("processed");
    expect(await answerOf(await deliver(world().withoutFastPath(), "notification", eventFor("com.example.payment.completed", orderId, { id: "redriven" })))).toBe("duplicate");
    expect(sendsFor(world(), "com.example.payment.completed", orderId)).toEqual([]);
    const byType = Object.fromEntries((await rowsOf(orderId)).map((row) => [row.type, row.status]));
    expect(byType).toEqual({ "com.example.order.created": "sent", "com.example.shipment.created": "sent", "com.example.payment.completed": "skipped" });
  });

  test("in order, each step is sent", async () => {
    const orderId = "n-in-order";
    for (const type of ["com.example.order.created", "com.example.payment.completed", "com.example.stock.reserved", "com.example.shipment.created"] as const) {
      expect(await answerOf(await deliver(world().app, "notification", eventFor(type, orderId)))).toBe("processed");
    }
    expect((await rowsOf(orderId)).map((row) => row.status)).toEqual(["sent", "sent", "sent", "sent"]);
  });

  test("an earlier and a later step at once, without the fast path: the earlier is sent only if it was decided first, else skipped", async () => {
    const orderId = "n-race";
    await Promise.all(
      (["com.example.payment.completed", "com.example.shipment.created"] as const).map((type) => deliver(world().withoutFastPath(), "notification", eventFor(type, orderId))),
    );
    const rows = await rowsOf(orderId);
    const statusOf = (type: string) => rows.find((row) => row.type === type)?.status;
    expect(statusOf("com.example.shipment.created")).toBe("sent");
    expect(["sent", "skipped"]).toContain(statusOf("com.example.payment.completed")!);
    // What was sent is exactly what the rows say was sent, each once.
    const sent = world().notifier.attempts().filter((attempt) => attempt.orderId === orderId).map((attempt) => attempt.type).sort();
    expect(sent).toEqual(rows.filter((row) => row.status === "sent").map((row) => row.type).sort());
  });
});
