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
import { type CountedDatabase, createCountingTestDatabase, eventFor, outcomesOf, signedForTest, testSecurity, testTime, webhookUrl, worldOf } from "../../../lib/testing/index.ts";
import { createApp } from "../app.ts";
import type { ShippingDeps } from "../deps.ts";
import { outbox, processedEvents, refusals, shipments } from "../store/schema.ts";
import { applyBatch } from "./apply-batch.ts";
import { settleOrder } from "./settle-order.ts";

/**
 * applyBatch against settleOrder, its event-by-event original: the same events, applied as pushed
 * batches on one database and one by one on another, give the same answers, rows, outgoing events
 * and log lines, in a constant number of statements per batch.
 */

/** The most statements applyBatch may send for a batch, however many events it holds. */
const statementsPerBatch = 7;

let batched: CountedDatabase;
let oneByOne: CountedDatabase;
beforeAll(async () => {
  [batched, oneByOne] = await Promise.all([createCountingTestDatabase(), createCountingTestDatabase()]);
}, 60_000);
afterAll(async () => Promise.all([batched?.database.close(), oneByOne?.database.close()]), 60_000);

type Incoming = EventOf<"com.example.stock.reserved"> | EventOf<"com.example.stock.expired">;

/** Deps whose ids and clock give both sides the same values, and whose log lines are kept. */
function depsOn(db: Db, run: string) {
  const log = createMemoryLogger();
  const deps: ShippingDeps = { db, clock: createFixedClock(testTime), ids: createSequentialIds(run), log, idempotency: createMemoryIdempotencyStore(), security: testSecurity };
  return { deps, log };
}

/** An event of the pool: a reservation (due before, at or after the clock's now) or an expiry, of one of three orders. */
const eventSpec = fc.record({
  kind: fc.constantFrom("reserved", "expired"),
  order: fc.nat({ max: 2 }),
  expiresInMs: fc.constantFrom(-60_000, 0, 60_000),
});

/** Pushes of events drawn from a small pool: an event again (in its push or a later one) is a redelivery. */
const scenario = fc.record({
  pool: fc.array(eventSpec, { minLength: 1, maxLength: 6 }),
  pushes: fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
});

type EventSpec = { kind: "reserved" | "expired"; order: number; expiresInMs: number };

/** The pool's events, for orders and ids of the run's own, and the pushes as events. */
function eventsOf(run: string, { pool, pushes }: { pool: EventSpec[]; pushes: number[][] }) {
  const events: Incoming[] = pool.map(({ kind, order, expiresInMs }, i) => {
    const orderId = `${run}-o${order}`;
    const id = `${run}-e${i}`;
    return kind === "reserved"
      ? eventFor("com.example.stock.reserved", orderId, { id, data: { expiresAt: new Date(testTime.getTime() + expiresInMs).toISOString() } })
      : eventFor("com.example.stock.expired", orderId, { id });
  });
  return { events, pushes: pushes.map((push) => push.map((i) => events[i % events.length]!)) };
}

/** What applying left behind for the run's orders and events: rows and outgoing events (not the outbox's own id and time). */
async function effectsOf(db: Db, events: Incoming[]) {
  const orderIds = [...new Set(events.map((event) => event.data.orderId))];
  const eventIds = events.map((event) => event.id);
  return {
    shipments: await db.select().from(shipments).where(inArray(shipments.orderId, orderIds)).orderBy(asc(shipments.orderId)),
    refusals: await db.select().from(refusals).where(inArray(refusals.orderId, orderIds)).orderBy(asc(refusals.orderId)),
    outbox: await db.select({ topic: outbox.topic, key: outbox.key, event: outbox.event }).from(outbox).where(inArray(outbox.key, orderIds)).orderBy(asc(outbox.id)),
    claimed: await db
      .select({ source: processedEvents.source, eventId: processedEvents.eventId, type: processedEvents.type })
      .from(processedEvents)
      .where(inArray(processedEvents.eventId, eventIds))
      .orderBy(asc(processedEvents.eventId)),
  };
}

/** Log lines without the time they were written. */
const linesOf = (log: ReturnType<typeof createMemoryLogger>) => log.lines().map((line) => ({ ...JSON.parse(line), time: undefined }));

test("pushed batches answer, write, emit and log what settleOrder does one event after the other, in at most 7 statements a batch", async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (drawn) => {
      // Every run (shrinking included) has orders and ids of its own on the two databases.
      const run = `r${++runs}`;
      const { events, pushes } = eventsOf(run, drawn);

      const batch = depsOn(batched.database.db, run);
      const batchOutcomes: Outcome[] = [];
      for (const push of pushes) {
        const before = batched.statements();
        batchOutcomes.push(...(await batched.database.db.transaction((tx) => applyBatch({ ...batch.deps, db: tx }, push))));
        expect(batched.statements() - before).toBeLessThanOrEqual(statementsPerBatch);
      }

      const single = depsOn(oneByOne.database.db, run);
      const singleOutcomes: Outcome[] = [];
      for (const event of pushes.flat()) singleOutcomes.push(await settleOrder(single.deps, event));

      expect(batchOutcomes).toEqual(singleOutcomes);
      expect(await effectsOf(batched.database.db, events)).toEqual(await effectsOf(oneByOne.database.db, events));
      expect(linesOf(batch.log)).toEqual(linesOf(single.log));
    }),
    { numRuns: 30 },
  );
  // Thirty runs of a few dozen statements on two embedded databases: past bun's 5 s on a busy machine.
}, 60_000);

test("a push of 60 events through the webhook takes the batch path, in a number of statements that does not grow with it", async () => {
  const log = createMemoryLogger();
  const world = worldOf(createApp, { db: batched.database.db, clock: createFixedClock(testTime), ids: createSequentialIds("push"), log });
  const events = Array.from({ length: 20 }, (_, i) => [
    eventFor("com.example.stock.reserved", `push-o${i}`),
    eventFor("com.example.stock.expired", `push-o${i}`),
    eventFor("com.example.stock.reserved", `push-o${i}`),
  ]).flat();
  const before = batched.statements();
  const answered = await world.app.request(await signedForTest(toBatchRequest(webhookUrl("shipping"), events)));
  const statements = batched.statements() - before;

  // Each order: shipped by its reservation; the expiry after it finds it decided; the reservation again is the same event.
  expect(await outcomesOf(answered)).toEqual(Array.from({ length: 20 }, () => ["processed", "duplicate", "duplicate"]).flat());
  expect(log.lines().filter((line) => line.includes("batch applied event by event"))).toEqual([]);
  // applyBatch's statements, and the transaction around them: one by one it was about 6 a new event.
  expect(statements).toBeLessThanOrEqual(statementsPerBatch + 2);
  const effects = await effectsOf(batched.database.db, events);
  expect(effects.shipments).toHaveLength(20);
  expect(effects.refusals).toEqual([]);
  expect(effects.outbox.map((row) => row.event.type)).toEqual(Array.from({ length: 20 }, () => "com.example.shipment.created"));
});
