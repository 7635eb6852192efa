import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, inArray, like } from "drizzle-orm";
import fc from "fast-check";
import { toBatchRequest } from "../../../lib/cloudevents/index.ts";
import { createFixedClock, createSequentialIds } from "../../../lib/clock/index.ts";
import { type Database, type Db } from "../../../lib/db/index.ts";
import { AppError, hasCode } from "../../../lib/errors/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { createMemoryIdempotencyStore } from "../../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../../lib/log/index.ts";
import { createSandboxGateway, GatewayErrorCode, gatewayCharges, type PaymentGateway } from "../../../lib/payment-gateway/index.ts";
import { type CountedDatabase, createCountingTestDatabase, createTestDatabase, eventFor, outcomesOf, signedForTest, type TestEngine, testEngines, testSecurity, webhookUrl } from "../../../lib/testing/index.ts";
import { createApp } from "../app.ts";
import type { PaymentDeps } from "../deps.ts";
import { outbox, payments, processedEvents } from "../store/schema.ts";
import { applyBatch } from "./apply-batch.ts";
import { chargeOrder } from "./charge-order.ts";

/**
 * applyBatch against chargeOrder(), its event-by-event original: the same order.created events,
 * applied as pushed batches on one database and one by one on another, give the same answers,
 * payments, gateway charges (never two for an order), claims and published events. Each property
 * run uses orders of its own (`r<run>-…`), so the runs share the two databases. On PGlite always,
 * and on PostgreSQL when DATABASE_URL is set.
 */
type Opened = Awaited<ReturnType<TestEngine["open"]>>;
const engines = testEngines();
type OrderCreated = ReturnType<typeof orderCreated>;
type ChargeRequest = Parameters<PaymentGateway["charge"]>[0];

/** `tok_mismatch`: the gateway refuses the key for good as naming another charge (the escalation path). */
const tokens = ["tok_visa", "tok_declined", "tok_mismatch"] as const;
const orderCreated = (orderId: string, token: string, id?: string) =>
  eventFor("com.example.order.created", orderId, { id, data: { payment: { method: "credit_card", token } } });

/** The sandbox on `db` (its ledger beside the payments), with every charge call recorded; `prefix` keeps its ids apart from other tests'. */
function gatewayOn(db: Db, prefix: string) {
  const sandbox = createSandboxGateway({ db, clock: createFixedClock(), ids: createSequentialIds(`${prefix}-gw`) });
  const calls: ChargeRequest[] = [];
  const gateway: PaymentGateway = {
    ...sandbox,
    charge: async (request) => {
      calls.push(request);
      if (request.token === "tok_mismatch") throw new AppError(GatewayErrorCode.idempotencyMismatch, `key ${request.idempotencyKey} names another charge`, { status: 422 });
      return sandbox.charge(request);
    },
  };
  return { gateway, calls };
}

function depsOn(db: Db, gateway: PaymentGateway, prefix: string): PaymentDeps {
  const ids = createSequentialIds(`${prefix}-pay`);
  return { db, gateway, idempotency: createMemoryIdempotencyStore(), security: testSecurity, clock: createFixedClock(), ids, log: createMemoryLogger() };
}

/**
 * What a database holds for the orders `like`: payments, gateway charges, claims and outbox events,
 * with the ids each database makes on its own (payment, charge, transaction, outbox event) named
 * by their order, so that the two paths compare; a charge id that names another order's charge shows.
 */
async function stateOf(db: Db, like_: string) {
  const charges = await db.select().from(gatewayCharges).where(like(gatewayCharges.orderId, like_)).orderBy(asc(gatewayCharges.orderId), asc(gatewayCharges.id));
  const rows = await db.select().from(payments).where(like(payments.orderId, like_)).orderBy(asc(payments.orderId));
  const names = new Map<string, string>();
  for (const charge of charges) {
    names.set(charge.id, `charge-of-${charge.orderId}`);
    if (charge.transactionId) names.set(charge.transactionId, `txn-of-${charge.orderId}`);
  }
  for (const row of rows) names.set(row.id, `payment-of-${row.orderId}`);
  const named = (value: string | null) => (value === null ? null : (names.get(value) ?? `unknown ${value}`));
  const emitted = await db.select().from(outbox).where(like(outbox.key, like_)).orderBy(asc(outbox.key), asc(outbox.id));
  const claims = await db.select({ source: processedEvents.source, eventId: processedEvents.eventId, type: processedEvents.type }).from(processedEvents);
  return {
    payments: rows.map((row) => ({ ...row, id: named(row.id), chargeId: named(row.chargeId), transactionId: named(row.transactionId) })),
    charges: charges.map(({ id, transactionId, createdAt: _, ...charge }) => ({ ...charge, id: named(id), transactionId: named(transactionId) })),
    emitted: emitted.map(({ id: _, createdAt: __, event: { id: ___, ...event }, ...row }) => {
      const data = event.data as { paymentId: string; transactionId?: string };
      return { ...row, event: { ...event, data: { ...data, paymentId: named(data.paymentId), ...(data.transactionId ? { transactionId: named(data.transactionId) } : {}) } } };
    }),
    // Event ids begin with their order's id here.
    claims: claims.filter((claim) => claim.eventId.startsWith(like_.replace("%", ""))).sort((a, b) => a.eventId.localeCompare(b.eventId)),
  };
}

/** Never two charge calls that made two charges: one ledger row per order at most. */
async function expectOneChargePerOrder(db: Db, like_: string) {
  const charges = await db.select({ orderId: gatewayCharges.orderId }).from(gatewayCharges).where(like(gatewayCharges.orderId, like_));
  expect(new Set(charges.map((c) => c.orderId)).size).toBe(charges.length);
}

const orderCount = 3;
/**
 * order.created over three orders, each with any card, the same order again (under the same or
 * another id), cut into one to three pushes; some orders delivered once before: settled, or left
 * charging by a charge call that timed out (its charge made), for a delivery to take over.
 */
const scenario = fc.record({
  prior: fc.uniqueArray(fc.record({ order: fc.nat({ max: orderCount - 1 }), token: fc.constantFrom("tok_timeout", "tok_visa", "tok_declined") }), {
    maxLength: 2,
    selector: ({ order }) => order,
  }),
  events: fc.array(fc.record({ order: fc.nat({ max: orderCount - 1 }), token: fc.constantFrom(...tokens), id: fc.nat({ max: 1 }) }), { minLength: 1, maxLength: 10 }),
  cuts: fc.uniqueArray(fc.nat({ max: 9 }), { maxLength: 2 }),
});

function pushesOf<T>(events: T[], cuts: number[]): T[][] {
  const at = [...new Set(cuts.filter((cut) => cut > 0 && cut < events.length))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => events.slice(start, [...at, events.length][i]));
}

/** A push as the webhook applies it: at once, or a push of one, which the batch gives up, by chargeOrder(). */
async function pushed(deps: PaymentDeps, push: OrderCreated[]): Promise<Outcome[]> {
  if (push.length > 1) return (await applyBatch(deps, push))!;
  expect(await applyBatch(deps, push)).toBeUndefined();
  return [await chargeOrder(deps, push[0]!)];
}

for (const engine of engines) describe(`applyBatch on ${engine.name}`, () => {
  let opened: Opened[] = [];
  let batched: Database;
  let oneByOne: Database;
  beforeAll(async () => {
    opened = await Promise.all([engine.open(), engine.open()]);
    [batched, oneByOne] = opened.map((o) => o.database) as [Database, Database];
  }, 60_000);
  afterAll(async () => Promise.all(opened.map((o) => o.close())), 60_000);

  test("pushed batches answer, record, charge and publish what chargeOrder() does one event after the other", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (drawn) => {
        const run = `r${++runs}`;
        // The same id for the same order: a redelivery; the same order under another id: a second order.created.
        for (const { order, token } of drawn.prior) {
          for (const db of [batched.db, oneByOne.db]) {
            const deps = depsOn(db, gatewayOn(db, `${run}-prior`).gateway, `${run}-prior`);
            await chargeOrder(deps, orderCreated(`${run}-o${order}`, token, `${run}-o${order}-prior`)).catch((error: unknown) => {
              if (!hasCode(error, GatewayErrorCode.timeout)) throw error;
            });
          }
        }
        const events = drawn.events.map(({ order, token, id }) => orderCreated(`${run}-o${order}`, token, `${run}-o${order}-e${id}`));

        const batchGateway = gatewayOn(batched.db, run);
        const batchDeps = depsOn(batched.db, batchGateway.gateway, run);
        const batchOutcomes: Outcome[] = [];
        for (const push of pushesOf(events, drawn.cuts)) batchOutcomes.push(...(await pushed(batchDeps, push)));

        const singleGateway = gatewayOn(oneByOne.db, run);
        const singleDeps = depsOn(oneByOne.db, singleGateway.gateway, run);
        const singleOutcomes: Outcome[] = [];
        for (const event of events) singleOutcomes.push(await chargeOrder(singleDeps, event));

        expect(batchOutcomes).toEqual(singleOutcomes);
        expect(await stateOf(batched.db, `${run}-%`)).toEqual(await stateOf(oneByOne.db, `${run}-%`));
        const byKey = (calls: ChargeRequest[]) => calls.map((call) => call.idempotencyKey).sort();
        expect(byKey(batchGateway.calls)).toEqual(byKey(singleGateway.calls));
        await expectOneChargePerOrder(batched.db, `${run}-%`);
      }),
      { numRuns: 20 },
    );
  }, 60_000);

  test("a charge that times out: the others are recorded, the batch gives up, and chargeOrder() finishes it with the SAME charge", async () => {
    const orderIds = ["t-o0", "t-o1", "t-o2", "t-o3"];
    const events = orderIds.map((orderId) => orderCreated(orderId, orderId === "t-o2" ? "tok_timeout" : orderId === "t-o3" ? "tok_declined" : "tok_visa", `${orderId}-e`));

    const batchGateway = gatewayOn(batched.db, "t");
    const deps = depsOn(batched.db, batchGateway.gateway, "t");
    const failure = await applyBatch(deps, events).catch((error: unknown) => error);
    expect(hasCode(failure, "payment.batch_charge_unanswered")).toBe(true);
    // As chargeOrder() leaves it after the same timeout: charging, its charge made under its key.
    const timedOut = (await batched.db.select().from(payments).where(inArray(payments.orderId, ["t-o2"])))[0];
    expect(timedOut).toMatchObject({ status: "charging", idempotencyKey: "pay-t-o2" });
    const [madeCharge, ...more] = await batched.db.select().from(gatewayCharges).where(inArray(gatewayCharges.orderId, ["t-o2"]));
    expect(more).toEqual([]);
    expect((await stateOf(batched.db, "t-%")).emitted.map((row) => row.key)).toEqual(["t-o0", "t-o1", "t-o3"]);

    // The webhook's fallback: each event on its own, under the same fast-path claims.
    const fallback: Outcome[] = [];
    for (const event of events) fallback.push(await chargeOrder(deps, event));
    expect(fallback).toEqual(["duplicate", "duplicate", "processed", "duplicate"]);

    // One by one: the timed-out delivery fails (5xx) and its redelivery completes it.
    const singleGateway = gatewayOn(oneByOne.db, "t");
    const single = depsOn(oneByOne.db, singleGateway.gateway, "t");
    for (const event of events) await chargeOrder(single, event).catch(() => undefined);
    expect(await chargeOrder(single, events[2]!)).toBe("processed");

    const batchState = await stateOf(batched.db, "t-%");
    expect(batchState).toEqual(await stateOf(oneByOne.db, "t-%"));
    expect(batchState.payments.map((row) => row.status)).toEqual(["completed", "completed", "completed", "failed"]);
    expect(batchState.payments[2]!.chargeId).toBe(`charge-of-t-o2`);
    expect(batchState.charges.filter((charge) => charge.orderId === "t-o2")).toHaveLength(1);
    expect((await batched.db.select().from(payments).where(inArray(payments.orderId, ["t-o2"])))[0]!.chargeId).toBe(madeCharge!.id);
    await expectOneChargePerOrder(batched.db, "t-%");
  });

  test("a push of one is left to chargeOrder() before anything is written or charged (it answers a timeout 5xx itself)", async () => {
    const { gateway, calls } = gatewayOn(batched.db, "one");
    expect(await applyBatch(depsOn(batched.db, gateway, "one"), [orderCreated("one-o0", "tok_timeout")])).toBeUndefined();
    expect(calls).toEqual([]);
    expect((await stateOf(batched.db, "one-%")).payments).toEqual([]);
  });

  test("a push holding another event type is left to the one-by-one handlers before anything is written or charged", async () => {
    const { gateway, calls } = gatewayOn(batched.db, "u");
    const events = [orderCreated("u-o0", "tok_visa"), eventFor("com.example.stock.insufficient", "u-o0")];
    expect(await applyBatch(depsOn(batched.db, gateway, "u"), events)).toBeUndefined();
    expect(calls).toEqual([]);
    expect((await stateOf(batched.db, "u-%")).payments).toEqual([]);
  });
});

describe("through the webhook", () => {
  let counted: CountedDatabase;
  // The gateway's ledger on a database of its own: only payment's statements are counted.
  let ledger: Database;
  beforeAll(async () => {
    [counted, ledger] = await Promise.all([createCountingTestDatabase(), createTestDatabase()]);
  }, 60_000);
  afterAll(async () => Promise.all([counted?.database.close(), ledger?.close()]), 60_000);

  test("a push of 20 order.created takes the batch path, in 4 statements (and two begin, commit), where chargeOrder() takes 5 an event", async () => {
    const { gateway, calls } = gatewayOn(ledger.db, "push");
    const log = createMemoryLogger();
    const app = createApp({ ...depsOn(counted.database.db, gateway, "push"), log });
    const events: OrderCreated[] = Array.from({ length: 20 }, (_, i) => orderCreated(`push-o${i}`, i % 5 === 0 ? "tok_declined" : "tok_visa"));
    const before = counted.statements();
    const answered = await app.request(await signedForTest(toBatchRequest(webhookUrl("payment"), events)));
    const batchStatements = counted.statements() - before;

    expect(await outcomesOf(answered)).toEqual(events.map(() => "processed"));
    expect(log.lines().filter((line) => line.includes("batch applied event by event"))).toEqual([]);
    // The intents' insert; after the charges, the settling update, the claims, and the outbox insert with its notify.
    expect(batchStatements).toBe(4);
    expect(calls).toHaveLength(20);
    const statuses = await counted.database.db.select({ status: payments.status }).from(payments).where(like(payments.orderId, "push-%")).orderBy(asc(payments.orderId));
    expect(statuses.filter((row) => row.status === "completed")).toHaveLength(16);
    expect(statuses.filter((row) => row.status === "failed")).toHaveLength(4);

    const single = depsOn(counted.database.db, gateway, "single");
    const beforeSingle = counted.statements();
    for (const event of events.map((event) => orderCreated(`single-${event.data.orderId}`, event.data.payment.token!))) await chargeOrder(single, event);
    expect(counted.statements() - beforeSingle).toBe(5 * events.length);
  });

  test("a push with a charge timing out: it goes event by event, every order charged once, the timed-out one too", async () => {
    const { gateway } = gatewayOn(ledger.db, "wt");
    const log = createMemoryLogger();
    const app = createApp({ ...depsOn(counted.database.db, gateway, "wt"), log });
    const events = Array.from({ length: 6 }, (_, i) => orderCreated(`wt-o${i}`, i === 3 ? "tok_timeout" : "tok_visa"));
    const outcomes = await outcomesOf(await app.request(await signedForTest(toBatchRequest(webhookUrl("payment"), events))));

    // Recorded by the batch: a duplicate to the fallback; the timed-out one charged again under its key, found.
    expect(outcomes.every((outcome) => outcome === "processed" || outcome === "duplicate")).toBe(true);
    expect(outcomes[3]).toBe("processed");
    expect(log.lines().filter((line) => line.includes("batch applied event by event") && line.includes("payment.batch_charge_unanswered"))).toHaveLength(1);
    const statuses = await counted.database.db.select({ status: payments.status }).from(payments).where(like(payments.orderId, "wt-%"));
    expect(statuses.map((row) => row.status)).toEqual(events.map(() => "completed"));
    await expectOneChargePerOrder(ledger.db, "wt-%");
    expect(await ledger.db.select().from(gatewayCharges).where(like(gatewayCharges.orderId, "wt-%"))).toHaveLength(6);
  });
});
