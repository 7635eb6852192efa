import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createFixedClock, createSequentialIds } from "../../lib/clock/fixed.ts";
import type { Database } from "../../lib/db/types.ts";
import type { EventType } from "../../lib/events/index.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/memory.ts";
import { gatewayCharges, gatewayRefunds } from "../../lib/payment-gateway/sandbox-schema.ts";
import { createSandboxGateway } from "../../lib/payment-gateway/sandbox.ts";
import type { PaymentGateway } from "../../lib/payment-gateway/types.ts";
import { createTestDatabase } from "../../lib/testing/database.ts";
import { emittedEvents } from "../../lib/testing/outbox.ts";
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
import { payments, outbox } from "./store/schema.ts";

let database: Database;
let gateway: PaymentGateway;
let app: ReturnType<typeof createApp>;
const ids = createSequentialIds("pay");
const clock = createFixedClock();
const withoutFastPath = () => createApp({ db: database.db, idempotency: createForgetfulIdempotencyStore(), gateway, clock, ids });

beforeAll(async () => {
  database = await createTestDatabase();
  gateway = createSandboxGateway({ db: database.db, clock, ids });
  app = createApp({ db: database.db, idempotency: createMemoryIdempotencyStore(), gateway, clock, ids });
}, 60_000);
afterAll(async () => database?.close());

const orderCreated = (orderId: string, token = "tok_visa", id?: string) =>
  eventFor("com.example.order.created", orderId, { id, data: { payment: { method: "credit_card", token } } });

const chargesOf = (orderId: string) => database.db.select().from(gatewayCharges).where(eq(gatewayCharges.orderId, orderId));
const paymentOf = async (orderId: string) => (await database.db.select().from(payments).where(eq(payments.orderId, orderId)))[0];
async function refundsOf(orderId: string) {
  const charges = await chargesOf(orderId);
  const refunds = await database.db.select().from(gatewayRefunds);
  return refunds.filter((refund) => charges.some((charge) => charge.id === refund.chargeId));
}
const emitted = (orderId: string, type: EventType) => emittedEvents(database.db, outbox, orderId, type);

/** One succeeded charge, the payment completed with it, one payment.completed and no failure. */
async function expectChargedOnce(orderId: string) {
  const charges = await chargesOf(orderId);
  expect(charges).toHaveLength(1);
  expect(charges[0]!.status).toBe("succeeded");
  const payment = await paymentOf(orderId);
  expect(payment).toMatchObject({ status: "completed", chargeId: charges[0]!.id, transactionId: charges[0]!.transactionId });
  const completed = await emitted(orderId, "com.example.payment.completed");
  expect(completed).toHaveLength(1);
  expect(completed[0]!.event).toMatchObject({ data: { orderId, paymentId: payment!.id, transactionId: charges[0]!.transactionId } });
  expect(await emitted(orderId, "com.example.payment.failed")).toHaveLength(0);
}

async function expectFailedOnce(orderId: string) {
  const charges = await chargesOf(orderId);
  expect(charges.map((charge) => charge.status)).toEqual(["declined"]);
  expect(await paymentOf(orderId)).toMatchObject({ status: "failed", declineCode: "card_declined" });
  const failed = await emitted(orderId, "com.example.payment.failed");
  expect(failed.map((row) => row.event.data)).toEqual([expect.objectContaining({ orderId, code: "card_declined" })]);
  expect(await emitted(orderId, "com.example.payment.completed")).toHaveLength(0);
}

async function expectRefundedOnce(orderId: string) {
  expect(await refundsOf(orderId)).toHaveLength(1);
  expect((await paymentOf(orderId))?.status).toBe("refunded");
  const refunded = await emitted(orderId, "com.example.payment.refunded");
  expect(refunded.map((row) => row.event.data)).toEqual([expect.objectContaining({ orderId, reason: "out_of_stock" })]);
}

describe("payment: order.created twice → one charge", () => {
  test.each(modes)("in a row, %s mode: processed then duplicate", async (mode) => {
    const orderId = `p-seq-${mode}`;
    const event = orderCreated(orderId);
    expect(await outcomesOf(await deliver(app, "payment", event, mode))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "payment", event, mode))).toEqual(["duplicate"]);
    await expectChargedOnce(orderId);
  });

  test("at once: one charge; losers 503 (retryable); the retry is a duplicate", async () => {
    const orderId = "p-concurrent";
    const event = orderCreated(orderId);
    const responses = await deliverConcurrently(app, "payment", event, 3);
    expect(await tally(responses)).toMatchObject({ processed: 1, other: [] });
    expect(await outcomesOf(await deliver(app, "payment", event))).toEqual(["duplicate"]);
    await expectChargedOnce(orderId);
  });

  test("two event ids for the same order: one charge (the key is the order)", async () => {
    const orderId = "p-two-ids";
    await deliver(app, "payment", orderCreated(orderId, "tok_visa", "evt-a"));
    expect(await outcomesOf(await deliver(app, "payment", orderCreated(orderId, "tok_visa", "evt-b")))).toEqual(["duplicate"]);
    await expectChargedOnce(orderId);
  });
});

describe("payment without the fast path: the unique payment per order decides", () => {
  test("in a row: one charge", async () => {
    const orderId = "p-db-seq";
    expect(await outcomesOf(await deliver(withoutFastPath(), "payment", orderCreated(orderId)))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "payment", orderCreated(orderId)))).toEqual(["duplicate"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "payment", orderCreated(orderId, "tok_visa", "evt-other")))).toEqual(["duplicate"]);
    await expectChargedOnce(orderId);
  });

  test("three at once: one processed, two duplicates, one charge", async () => {
    const orderId = "p-db-concurrent";
    const responses = await Promise.all([1, 2, 3].map(() => deliver(withoutFastPath(), "payment", orderCreated(orderId))));
    expect(await tally(responses)).toEqual({ processed: 1, duplicate: 2, busy: 0, other: [] });
    await expectChargedOnce(orderId);
  });
});

describe("payment: a declined card → one payment.failed", () => {
  test("in a row, with and without the fast path", async () => {
    const orderId = "p-declined";
    const event = orderCreated(orderId, "tok_declined");
    expect(await outcomesOf(await deliver(app, "payment", event))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "payment", event))).toEqual(["duplicate"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "payment", event))).toEqual(["duplicate"]);
    await expectFailedOnce(orderId);
  });

  test("at once, without the fast path", async () => {
    const orderId = "p-declined-concurrent";
    const event = orderCreated(orderId, "tok_declined");
    const responses = await Promise.all([1, 2, 3].map(() => deliver(withoutFastPath(), "payment", event)));
    expect(await tally(responses)).toEqual({ processed: 1, duplicate: 2, busy: 0, other: [] });
    await expectFailedOnce(orderId);
  });
});

describe("payment: a gateway timeout after the charge happened", () => {
  test.each([
    ["with the fast path", () => app],
    ["without the fast path", withoutFastPath],
  ] as const)("%s: first delivery 5xx (retryable), the redelivery completes with the SAME charge", async (name, appFor) => {
    const orderId = `p-timeout-${name.replaceAll(" ", "-")}`;
    const event = orderCreated(orderId, "tok_timeout");
    const first = await deliver(appFor(), "payment", event);
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(first.headers.get("retry-after")).not.toBeNull();
    expect((await problemOf(first)).code).toBe("gateway.timeout");
    const [charge, ...more] = await chargesOf(orderId);
    expect(more).toEqual([]);
    expect((await paymentOf(orderId))?.status).toBe("charging");
    expect(await emitted(orderId, "com.example.payment.completed")).toHaveLength(0);

    const retry = await deliver(appFor(), "payment", event);
    expect(retry.status).toBe(200);
    expect(await outcomesOf(retry)).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(appFor(), "payment", event))).toEqual(["duplicate"]);
    await expectChargedOnce(orderId);
    expect((await paymentOf(orderId))?.chargeId).toBe(charge!.id);
  });

  test("concurrent deliveries, one timing out: one charge, one payment.completed", async () => {
    const orderId = "p-timeout-concurrent";
    const event = orderCreated(orderId, "tok_timeout");
    const responses = await Promise.all([1, 2].map(() => deliver(withoutFastPath(), "payment", event)));
    for (const response of responses) expect([200, 504]).toContain(response.status);
    await deliver(withoutFastPath(), "payment", event);
    await expectChargedOnce(orderId);
  });
});

describe("payment: stock.insufficient twice → one refund", () => {
  const insufficient = (orderId: string, id?: string) => eventFor("com.example.stock.insufficient", orderId, { id });

  test("in a row, then again without the fast path and with another event id", async () => {
    const orderId = "p-refund";
    await deliver(app, "payment", orderCreated(orderId));
    expect(await outcomesOf(await deliver(app, "payment", insufficient(orderId)))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "payment", insufficient(orderId)))).toEqual(["duplicate"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "payment", insufficient(orderId)))).toEqual(["duplicate"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "payment", insufficient(orderId, "evt-other")))).toEqual(["duplicate"]);
    await expectRefundedOnce(orderId);
  });

  test.each([
    ["with the fast path", () => app],
    ["without the fast path", withoutFastPath],
  ] as const)("at once, %s", async (name, appFor) => {
    const orderId = `p-refund-concurrent-${name.replaceAll(" ", "-")}`;
    await deliver(app, "payment", orderCreated(orderId));
    const responses = await Promise.all([1, 2, 3].map(() => deliver(appFor(), "payment", insufficient(orderId))));
    expect(await tally(responses)).toMatchObject({ processed: 1, other: [] });
    await expectRefundedOnce(orderId);
  });

  test("a declined order has nothing to refund", async () => {
    const orderId = "p-refund-declined";
    await deliver(app, "payment", orderCreated(orderId, "tok_declined"));
    expect((await deliver(app, "payment", insufficient(orderId))).status).toBe(200);
    expect(await refundsOf(orderId)).toHaveLength(0);
    expect(await emitted(orderId, "com.example.payment.refunded")).toHaveLength(0);
    expect((await paymentOf(orderId))?.status).toBe("failed");
  });
});

describe("payment webhook refusals", () => {
  const orderId = "p-refused";
  const cases = rejectionCases("payment", {
    valid: orderCreated(orderId),
    unhandled: eventFor("com.example.payment.completed", orderId),
    invalid: eventFor("com.example.order.created", `${orderId}-2`, { data: { totalAmount: -1 } }),
    invalidField: "data.totalAmount",
  });

  test.each(cases)("$name → $status, nothing charged", async ({ request, status, field }) => {
    const response = await app.request(request());
    expect(response.status).toBe(status);
    const problem = await problemOf(response);
    expect(problem.status).toBe(status);
    if (field) expect(problem.errors?.map((issue) => issue.field)).toContain(field);
    expect(await chargesOf(orderId)).toHaveLength(0);
    expect(await paymentOf(orderId)).toBeUndefined();
  });
});

describe("GET /payments", () => {
  test("lists the order's payment", async () => {
    const orderId = "p-list";
    await deliver(app, "payment", orderCreated(orderId));
    const response = await app.request(`/payments?orderId=${orderId}`);
    expect(response.status).toBe(200);
    const { payments: rows } = (await response.json()) as { payments: Array<{ orderId: string; status: string }> };
    expect(rows).toEqual([expect.objectContaining({ orderId, status: "completed" })]);
  });

  test.each(["/payments", "/payments?orderId="])("%s → 400 naming orderId", async (path) => {
    const response = await app.request(path);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((issue) => issue.field)).toContain("orderId");
  });
});

describe("stock.released (the reservation expired)", () => {
  test("refunds once with reason reservation_expired, sharing the refund key with stock.insufficient", async () => {
    const orderId = "p-released";
    await deliver(app, "payment", eventFor("com.example.order.created", orderId));
    const released = eventFor("com.example.stock.released", orderId);
    expect(await outcomesOf(await deliver(app, "payment", released))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "payment", released))).toEqual(["duplicate"]);
    // A shortage report for the same order cannot refund a second time.
    await deliver(app, "payment", eventFor("com.example.stock.insufficient", orderId));
    const refunds = await emitted(orderId, "com.example.payment.refunded");
    expect(refunds.map((row) => row.event.data)).toEqual([expect.objectContaining({ orderId, reason: "reservation_expired" })]);
  });
});
