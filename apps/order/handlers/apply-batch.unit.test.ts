import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PGlite } from "@electric-sql/pglite";
import { asc, like } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import fc from "fast-check";
import { createFixedClock, createSequentialIds } from "../../../lib/clock/index.ts";
import { type Db, migrate } from "../../../lib/db/index.ts";
import type { AttentionReason, CancellationReason } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { createMemoryIdempotencyStore } from "../../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../../lib/log/index.ts";
import { toBatchRequest } from "../../../lib/cloudevents/index.ts";
import { eventFor, outcomesOf, signedForTest, type TestEngine, testEngines, testSecurity, testTime, webhookUrl } from "../../../lib/testing/index.ts";
import { createApp, subscribes } from "../app.ts";
import type { OrderDeps } from "../deps.ts";
import type { FollowedEvent, OrderStatus } from "../domain/order-status.ts";
import { appendTimeline } from "../store/orders.ts";
import { orders, orderTimeline, outbox } from "../store/schema.ts";
import { applyBatch } from "./apply-batch.ts";
import { applyEvent } from "./apply-event.ts";

/**
 * applyBatch must answer and write exactly as applyEvent, one event after the other, would: the
 * webhook takes its outcomes for theirs. Each property run uses order and event ids of its own
 * (`b<run>-…`), so the runs share two databases (one per path) without seeing each other's rows.
 * On PGlite always, and on PostgreSQL when DATABASE_URL is set (its driver binds the batch
 * update's parameters its own way).
 */
type Opened = Awaited<ReturnType<TestEngine["open"]>>;
const engines = testEngines();

/** The types the order service follows: its roster entry's subscription. */
const followedTypes = subscribes;

const depsOn = (db: Db): OrderDeps => ({
  db,
  clock: createFixedClock(),
  ids: createSequentialIds("ord"),
  log: createMemoryLogger(),
  idempotency: createMemoryIdempotencyStore(),
  security: testSecurity,
});

type SeededOrder = { status: OrderStatus; reason: CancellationReason | AttentionReason | null };

/** An order as a real one could be: a reason only where its status has one. */
const seededOrder: fc.Arbitrary<SeededOrder> = fc.oneof(
  fc.record({ status: fc.constantFrom<OrderStatus>("pending", "paid", "reserved", "shipped"), reason: fc.constant(null) }),
  fc.record({ status: fc.constant<OrderStatus>("cancelled"), reason: fc.constantFrom<CancellationReason>("payment_failed", "out_of_stock") }),
  fc.record({ status: fc.constant<OrderStatus>("needs_attention"), reason: fc.constantFrom<AttentionReason>("charge_unresolved", "refund_failed") }),
);

/**
 * An incoming event: for one of the seeded orders or (index past them) one never placed; an id
 * from a small pool, so the same source and id comes again (in the batch, or seen before it), and
 * an id of one source reappears with another type of the same source (payment.completed and
 * payment.failed) or of another source (a different event).
 */
const incoming = fc.record({
  order: fc.nat({ max: 4 }),
  type: fc.constantFrom(...followedTypes),
  id: fc.constantFrom("e1", "e2", "e3", "e4", "e5", "e6"),
  minutes: fc.nat({ max: 30 }),
  refundReason: fc.constantFrom<CancellationReason>("out_of_stock", "reservation_expired"),
  attentionReason: fc.constantFrom<AttentionReason>("charge_unresolved", "charge_conflict", "refund_failed"),
  seenBefore: fc.boolean(),
});

type Incoming = typeof incoming extends fc.Arbitrary<infer T> ? T : never;

let runs = 0;

function eventOf(run: string, orderIds: string[], spec: Incoming): FollowedEvent {
  const orderId = orderIds[spec.order] ?? `${run}-never-placed`;
  const data =
    spec.type === "com.example.payment.refunded" ? { reason: spec.refundReason }
    : spec.type === "com.example.payment.escalated" ? { reason: spec.attentionReason, detail: `gateway said ${spec.id}` }
    : {};
  const event = eventFor(spec.type, orderId, { id: `${run}-${spec.id}`, data: data as never });
  return { ...event, time: new Date(testTime.getTime() + spec.minutes * 60_000).toISOString() } as FollowedEvent;
}

async function seed(db: Db, run: string, seeded: SeededOrder[], before: FollowedEvent[]) {
  const orderIds = seeded.map((_, i) => `${run}-o${i}`);
  if (seeded.length > 0) {
    await db.insert(orders).values(
      seeded.map((order, i) => ({
        id: orderIds[i]!,
        userId: `user-of-${orderIds[i]}`,
        status: order.status,
        reason: order.reason,
        ...(order.status === "needs_attention" ? { attentionDetail: "seeded", attentionSince: new Date("2026-11-24T00:00:00Z") } : {}),
        items: [{ productId: "sku-1", quantity: 1, unitPrice: 1000 }],
        totalAmount: 1000,
        currency: "JPY",
        shippingAddress: { prefecture: "東京都", city: "千代田区", line1: "丸の内1-1-1", postalCode: "100-0001" },
        payment: { method: "credit_card" as const },
        createdAt: new Date("2026-11-24T00:00:00Z"),
        updatedAt: new Date("2026-11-24T00:00:00Z"),
      })),
    );
  }
  for (const event of before) await appendTimeline(db, event.data.orderId, event);
}

/** What the run left: its orders, its timeline, its outbox (type, data and cause; ids and times are the writer's). */
async function rowsOf(db: Db, run: string) {
  const mine = `${run}-%`;
  return {
    orders: await db
      .select({ id: orders.id, status: orders.status, reason: orders.reason, attentionDetail: orders.attentionDetail, attentionSince: orders.attentionSince, updatedAt: orders.updatedAt })
      .from(orders)
      .where(like(orders.id, mine))
      .orderBy(asc(orders.id)),
    timeline: await db.select().from(orderTimeline).where(like(orderTimeline.orderId, mine)).orderBy(asc(orderTimeline.source), asc(orderTimeline.eventId)),
    outbox: (await db.select().from(outbox).where(like(outbox.key, mine)).orderBy(asc(outbox.id))).map((row) => ({
      topic: row.topic,
      key: row.key,
      type: row.event.type,
      data: row.event.data,
      causationid: (row.event as { causationid?: unknown }).causationid,
    })),
  };
}

const unknownOrderWarnings = (deps: OrderDeps, run: string) =>
  (deps.log as ReturnType<typeof createMemoryLogger>)
    .lines()
    .map((line) => JSON.parse(line) as { msg: string; event?: { id: string } })
    .filter((line) => line.msg.includes("unknown order") && line.event?.id.startsWith(`${run}-`))
    .map((line) => line.event?.id);

test("a batch of 20 events costs the statements a batch of 2 costs: one each to record, lock, update, and enqueue with its notify", async () => {
  const statements: string[] = [];
  const client = await PGlite.create();
  const db = drizzle({ client, logger: { logQuery: (query) => void statements.push(query) } }) as unknown as Db;
  await migrate({ kind: "pglite", db, listen: async () => async () => {}, exclusively: (_lock, work) => work(), close: () => client.close() });
  const deps = depsOn(db);
  try {
    const statementsFor = async (run: string, orderCount: number) => {
      const orderIds = Array.from({ length: orderCount }, (_, i) => `${run}-o${i}`);
      await seed(db, run, orderIds.map(() => ({ status: "pending", reason: null })), []);
      // Each order paid, then its payment failed: a status change and an order.cancelled for each.
      const events = orderIds.flatMap((orderId) => [
        eventFor("com.example.payment.completed", orderId, { id: `${orderId}-paid` }),
        eventFor("com.example.payment.failed", orderId, { id: `${orderId}-failed` }),
      ]) as FollowedEvent[];
      statements.length = 0;
      const outcomes = await db.transaction((tx) => applyBatch({ ...deps, db: tx }, events));
      const verbs = statements.map((statement) => statement.trim().split(/\s+/)[0]!.toLowerCase());
      expect(outcomes).toEqual(events.map((): Outcome => "processed"));
      expect((await rowsOf(db, run)).outbox).toHaveLength(orderCount);
      return verbs;
    };
    const ofTwenty = await statementsFor("c20", 10);
    expect(ofTwenty).toEqual(["insert", "select", "update", "with"]);
    expect(await statementsFor("c2", 1)).toEqual(ofTwenty);
  } finally {
    await client.close();
  }
}, 60_000);

for (const engine of engines) {
  describe(`applyBatch on ${engine.name}`, () => {
    let opened: Opened[] = [];
    beforeAll(async () => {
      opened = await Promise.all([engine.open(), engine.open()]);
    }, 60_000);
    afterAll(async () => void (await Promise.all(opened.map((each) => each.close()))), 60_000);
    const batchDatabase = () => opened[0]!.database;
    const oneByOneDatabase = () => opened[1]!.database;

    test("a batch gives the outcomes, orders, timeline, outbox and warnings that applying its events one by one gives", async () => {
      const batchDeps = depsOn(batchDatabase().db);
      const oneByOneDeps = depsOn(oneByOneDatabase().db);
      await fc.assert(
        fc.asyncProperty(fc.array(seededOrder, { maxLength: 4 }), fc.array(incoming, { minLength: 1, maxLength: 20 }), async (seeded, specs) => {
          const run = `b${++runs}`;
          const orderIds = seeded.map((_, i) => `${run}-o${i}`);
          const events = specs.map((spec) => eventOf(run, orderIds, spec));
          const before = events.filter((_, i) => specs[i]!.seenBefore);
          await seed(batchDatabase().db, run, seeded, before);
          await seed(oneByOneDatabase().db, run, seeded, before);

          const batched = await batchDatabase().db.transaction((tx) => applyBatch({ ...batchDeps, db: tx }, events));
          const oneByOne: Outcome[] = [];
          for (const event of events) oneByOne.push(await applyEvent(oneByOneDeps, event));

          expect(batched).toEqual(oneByOne);
          expect(await rowsOf(batchDatabase().db, run)).toEqual(await rowsOf(oneByOneDatabase().db, run));
          expect(unknownOrderWarnings(batchDeps, run)).toEqual(unknownOrderWarnings(oneByOneDeps, run));
        }),
        { numRuns: 30 },
      );
    }, 60_000);

    test("the order webhook applies a pushed batch with applyBatch, not event by event", async () => {
      const deps = depsOn(batchDatabase().db);
      const run = "w1";
      await seed(batchDatabase().db, run, [{ status: "pending", reason: null }], []);
      const orderId = `${run}-o0`;
      const events = [
        eventFor("com.example.payment.completed", orderId, { id: `${run}-paid` }),
        eventFor("com.example.stock.reserved", orderId, { id: `${run}-reserved` }),
        eventFor("com.example.payment.completed", orderId, { id: `${run}-paid` }),
        eventFor("com.example.payment.completed", `${run}-never-placed`, { id: `${run}-stray` }),
      ];
      const response = await createApp(deps).request(await signedForTest(toBatchRequest(webhookUrl("order"), events)));
      expect(await outcomesOf(response)).toEqual(["processed", "processed", "duplicate", "processed"]);
      expect((await rowsOf(batchDatabase().db, run)).orders.map((order) => order.status)).toEqual(["reserved"]);
      const messages = (deps.log as ReturnType<typeof createMemoryLogger>).lines().map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).not.toContain("batch applied event by event");
      expect(messages).toContain("order: an event for an unknown order; recorded on the timeline only");
    });
  });
}
