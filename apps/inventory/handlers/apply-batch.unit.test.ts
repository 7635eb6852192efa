import { afterAll, beforeAll, expect, test } from "bun:test";
import { asc, inArray } from "drizzle-orm";
import fc from "fast-check";
import { toBatchRequest } from "../../../lib/cloudevents/index.ts";
import { createFixedClock, createSequentialIds } from "../../../lib/clock/index.ts";
import type { Db } from "../../../lib/db/index.ts";
import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { createMemoryIdempotencyStore } from "../../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../../lib/log/index.ts";
import { claimEvent } from "../../../lib/outbox/index.ts";
import { type CountedDatabase, createCountingTestDatabase, eventFor, outcomesOf, signedForTest, testSecurity, testTime, webhookUrl, worldOf } from "../../../lib/testing/index.ts";
import { createApp } from "../app.ts";
import type { InventoryDeps } from "../deps.ts";
import type { ReservationStatus } from "../domain/state.ts";
import { outbox, processedEvents, products, reservations } from "../store/schema.ts";
import { applyBatch } from "./apply-batch.ts";
import { commitShipment } from "./commit-shipment.ts";
import { releaseRefused } from "./release-refused.ts";
import { reserveStock } from "./reserve-stock.ts";

/**
 * applyBatch against reserveStock, commitShipment and releaseRefused, its event-by-event
 * originals: the same events, applied as one batch on one database and one by one on another, give
 * the same answers, stock, reservations, outgoing events and log lines, in a constant number of
 * statements per batch.
 */

/** The most statements applyBatch may send for a batch, however many events it holds. */
const statementsPerBatch = 9;

let batched: CountedDatabase;
let oneByOne: CountedDatabase;
beforeAll(async () => {
  [batched, oneByOne] = await Promise.all([createCountingTestDatabase(), createCountingTestDatabase()]);
}, 60_000);
afterAll(async () => Promise.all([batched?.database.close(), oneByOne?.database.close()]), 60_000);

type Incoming = EventOf<"com.example.payment.completed"> | EventOf<"com.example.shipment.created"> | EventOf<"com.example.shipment.refused">;

/** Deps whose clock gives both sides the same time, and whose log lines are kept (ids differ: normalized below). */
function depsOn(db: Db, side: string) {
  const log = createMemoryLogger();
  const deps: InventoryDeps = { db, clock: createFixedClock(testTime), ids: createSequentialIds(side), log, idempotency: createMemoryIdempotencyStore(), security: testSecurity };
  return { deps, log };
}

function applyOne(deps: InventoryDeps, event: Incoming): Promise<Outcome> {
  switch (event.type) {
    case "com.example.payment.completed":
      return reserveStock(deps, event);
    case "com.example.shipment.created":
      return commitShipment(deps, event);
    case "com.example.shipment.refused":
      return releaseRefused(deps, event);
  }
}

const productCount = 3;
const orderCount = 3;
const line = fc.record({ product: fc.nat({ max: productCount - 1 }), quantity: fc.integer({ min: 1, max: 3 }) });
const statuses: ReservationStatus[] = ["reserved", "expiring", "shipped", "expired", "shipped_unbacked"];

/**
 * Three products (a few free units each, or never stocked), three orders (each perhaps holding a
 * reservation already, in any status), and events over them: a payment's items are fixed by its id
 * (an event again under its id is a redelivery); some ids were claimed by an earlier delivery.
 */
const scenario = fc.record({
  stock: fc.array(fc.option(fc.nat({ max: 4 }), { freq: 5 }), { minLength: productCount, maxLength: productCount }),
  prior: fc.array(fc.option(fc.record({ status: fc.constantFrom(...statuses), items: fc.array(line, { minLength: 1, maxLength: 2 }) }), { freq: 2 }), {
    minLength: orderCount,
    maxLength: orderCount,
  }),
  items: fc.array(fc.array(line, { minLength: 1, maxLength: 3 }), { minLength: orderCount * 3, maxLength: orderCount * 3 }),
  events: fc.array(fc.record({ kind: fc.constantFrom("paid", "paid", "shipped", "refused"), order: fc.nat({ max: orderCount - 1 }), id: fc.nat({ max: 2 }) }), {
    minLength: 1,
    maxLength: 12,
  }),
  claimedBefore: fc.uniqueArray(fc.nat({ max: 3 * orderCount * 3 - 1 }), { maxLength: 3 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** The scenario's rows, written alike on both databases, and its events, with ids and orders of the run's own. */
async function prepare(run: string, drawn: Scenario, dbs: Db[]): Promise<Incoming[]> {
  const productId = (index: number) => `${run}-p${index}`;
  const orderId = (index: number) => `${run}-o${index}`;
  const lines = (items: Array<{ product: number; quantity: number }>) => items.map(({ product, quantity }) => ({ productId: productId(product), quantity }));
  const held = new Map<number, number>();
  const priors = drawn.prior.flatMap((prior, order) => {
    // A reservation's units were taken from products that exist; held ones are counted reserved.
    const items = prior?.items.filter(({ product }) => drawn.stock[product] !== null) ?? [];
    if (!prior || items.length === 0) return [];
    if (prior.status === "reserved" || prior.status === "expiring") for (const { product, quantity } of items) held.set(product, (held.get(product) ?? 0) + quantity);
    const merged = lines(items).map((item) => ({ ...item, warehouseId: "tokyo-1" }));
    return [{ id: `${run}-res-prior-${order}`, orderId: orderId(order), userId: `user-of-${orderId(order)}`, items: merged, status: prior.status, expiresAt: testTime, createdAt: testTime }];
  });
  const stock = drawn.stock.flatMap((free, product) =>
    free === null ? [] : [{ productId: productId(product), available: free + (held.get(product) ?? 0), reserved: held.get(product) ?? 0, updatedAt: testTime }],
  );
  const kinds = { paid: "com.example.payment.completed", shipped: "com.example.shipment.created", refused: "com.example.shipment.refused" } as const;
  const events = drawn.events.map(({ kind, order, id }): Incoming => {
    const eventId = `${run}-${kind}-o${order}-e${id}`;
    if (kind !== "paid") return eventFor(kinds[kind], orderId(order), { id: eventId });
    return eventFor("com.example.payment.completed", orderId(order), { id: eventId, data: { items: lines(drawn.items[order * 3 + id]!) } });
  });
  const claimable = Object.keys(kinds).flatMap((kind) => Array.from({ length: orderCount * 3 }, (_, i) => ({ kind, order: Math.floor(i / 3), id: i % 3 })));
  const claimedBefore = drawn.claimedBefore.map((i) => claimable[i]!).map(({ kind, order, id }) => ({
    source: eventFor(kinds[kind as keyof typeof kinds], orderId(order)).source,
    id: `${run}-${kind}-o${order}-e${id}`,
    type: kinds[kind as keyof typeof kinds],
  }));
  for (const db of dbs) {
    if (stock.length > 0) await db.insert(products).values(stock);
    if (priors.length > 0) await db.insert(reservations).values(priors);
    for (const event of claimedBefore) await claimEvent(db, processedEvents, event);
  }
  return events;
}

/**
 * What applying left behind for the run: stock, reservations and outgoing events. A new
 * reservation's id is made of the side's ids, so it is named by its order instead.
 */
async function effectsOf(db: Db, run: string) {
  const productIds = Array.from({ length: productCount }, (_, i) => `${run}-p${i}`);
  const orderIds = Array.from({ length: orderCount }, (_, i) => `${run}-o${i}`);
  const ids = new Map<string, string>();
  const named = (id: string) => (id.startsWith(`${run}-res-prior`) ? id : (ids.get(id) ?? id));
  const reserved = await db.select().from(reservations).where(inArray(reservations.orderId, orderIds)).orderBy(asc(reservations.orderId));
  for (const row of reserved) if (!row.id.startsWith(`${run}-res-prior`)) ids.set(row.id, `new reservation of ${row.orderId}`);
  const emitted = await db.select({ topic: outbox.topic, key: outbox.key, event: outbox.event }).from(outbox).where(inArray(outbox.key, orderIds)).orderBy(asc(outbox.id));
  return {
    stock: await db
      .select({ productId: products.productId, available: products.available, reserved: products.reserved })
      .from(products)
      .where(inArray(products.productId, productIds))
      .orderBy(asc(products.productId)),
    reservations: reserved.map((row) => ({ ...row, id: named(row.id) })),
    outbox: emitted.map(({ topic, key, event: { id: _id, time: _time, ...event } }) => {
      const data = event.data as { reservationId?: string };
      return { topic, key, event: { ...event, data: data.reservationId ? { ...data, reservationId: named(data.reservationId) } : data } };
    }),
  };
}

/** Log lines without the time they were written. */
const linesOf = (log: ReturnType<typeof createMemoryLogger>) => log.lines().map((line) => ({ ...JSON.parse(line), time: undefined }));

test("a batch answers, writes, emits and logs what the handlers do one event after the other, in at most 9 statements", async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (drawn) => {
      // Every run (shrinking included) has products, orders and ids of its own on the two databases.
      const run = `r${++runs}`;
      const events = await prepare(run, drawn, [batched.database.db, oneByOne.database.db]);

      const batch = depsOn(batched.database.db, `${run}-batch`);
      const before = batched.statements();
      const batchOutcomes = await batched.database.db.transaction((tx) => applyBatch(batch.deps, events, tx));
      expect(batched.statements() - before).toBeLessThanOrEqual(statementsPerBatch);

      const single = depsOn(oneByOne.database.db, `${run}-single`);
      const singleOutcomes: Outcome[] = [];
      for (const event of events) singleOutcomes.push(await applyOne(single.deps, event));

      expect(batchOutcomes).toEqual(singleOutcomes);
      expect(await effectsOf(batched.database.db, run)).toEqual(await effectsOf(oneByOne.database.db, run));
      expect(linesOf(batch.log)).toEqual(linesOf(single.log));
    }),
    { numRuns: 30 },
  );
}, 120_000);

test("a push of 60 events through the webhook takes the batch path, in a number of statements that does not grow with it", async () => {
  const log = createMemoryLogger();
  const db = batched.database.db;
  const world = worldOf(createApp, { db, clock: createFixedClock(testTime), ids: createSequentialIds("push"), log });
  await db.insert(products).values({ productId: "push-p", available: 100, updatedAt: testTime });
  const events = Array.from({ length: 20 }, (_, i) => [
    eventFor("com.example.payment.completed", `push-o${i}`, { data: { items: [{ productId: "push-p", quantity: 2 }] } }),
    eventFor("com.example.shipment.created", `push-o${i}`),
    eventFor("com.example.payment.completed", `push-o${i}`),
  ]).flat();
  const before = batched.statements();
  const answered = await world.app.request(await signedForTest(toBatchRequest(webhookUrl("inventory"), events)));
  const statements = batched.statements() - before;

  // Each order: reserved, then shipped; the payment again is the same event.
  expect(await outcomesOf(answered)).toEqual(Array.from({ length: 20 }, () => ["processed", "processed", "duplicate"]).flat());
  expect(log.lines().filter((line) => line.includes("batch applied event by event"))).toEqual([]);
  // applyBatch's statements, and the transaction around them: one by one it was 7 to 9 an event.
  expect(statements).toBeLessThanOrEqual(statementsPerBatch + 2);
  const [stock] = await db.select().from(products).where(inArray(products.productId, ["push-p"]));
  expect(stock).toMatchObject({ available: 60, reserved: 0 });
  const orderIds = Array.from({ length: 20 }, (_, i) => `push-o${i}`);
  const statusOf = await db.select({ status: reservations.status }).from(reservations).where(inArray(reservations.orderId, orderIds));
  expect(statusOf.map((row) => row.status)).toEqual(Array.from({ length: 20 }, () => "shipped"));
  const emitted = await db.select({ event: outbox.event }).from(outbox).where(inArray(outbox.key, orderIds));
  expect(emitted.map((row) => row.event.type)).toEqual(Array.from({ length: 20 }, () => "com.example.stock.reserved"));
});
