import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { EventType } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { createSandboxGateway, gatewayCharges, gatewayRefunds } from "../../lib/payment-gateway/index.ts";
import { answerOf, bearerFor, deliver, emittedEvents, eventFor, problemFields, problemOf, testWorld, type WebhookCase, webhookContract, type WebhookFixture, type WebhookWorld, worldOf } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import { outbox, payments } from "./store/schema.ts";


const orderCreated = (orderId: string, token = "tok_visa", id?: string) =>
  eventFor("com.example.order.created", orderId, { id, data: { payment: { method: "credit_card", token } } });

const chargesOf = (world: WebhookWorld, orderId: string) => world.db.select().from(gatewayCharges).where(eq(gatewayCharges.orderId, orderId));
const paymentOf = async (world: WebhookWorld, orderId: string) => (await world.db.select().from(payments).where(eq(payments.orderId, orderId)))[0];
async function refundsOf(world: WebhookWorld, orderId: string) {
  const charges = await chargesOf(world, orderId);
  const refunds = await world.db.select().from(gatewayRefunds);
  return refunds.filter((refund) => charges.some((charge) => charge.id === refund.chargeId));
}
const emitted = (world: WebhookWorld, orderId: string, type: EventType) => emittedEvents(world.db, outbox, orderId, type);

/** One succeeded charge, the payment completed with it, one payment.completed and no failure. */
async function expectCharged(world: WebhookWorld, orderId: string) {
  const [charge] = await chargesOf(world, orderId);
  expect(charge!.status).toBe("succeeded");
  const payment = await paymentOf(world, orderId);
  expect(payment).toMatchObject({ status: "completed", chargeId: charge!.id, transactionId: charge!.transactionId });
  const completed = await emitted(world, orderId, "com.example.payment.completed");
  expect(completed.map((row) => row.event.data)).toEqual([expect.objectContaining({ orderId, paymentId: payment!.id, transactionId: charge!.transactionId })]);
  expect(await emitted(world, orderId, "com.example.payment.failed")).toHaveLength(0);
}

const charge: WebhookCase<WebhookWorld> = {
  name: "order.created → one charge",
  event: (orderId, id) => orderCreated(orderId, "tok_visa", id),
  effects: async (world, orderId) => (await chargesOf(world, orderId)).length,
  check: expectCharged,
  // The dedup key is the order (and the gateway key pay-{orderId}).
  sameOrder: "duplicate",
};

const declined: WebhookCase<WebhookWorld> = {
  name: "order.created with a declined card → one payment.failed",
  event: (orderId, id) => orderCreated(orderId, "tok_declined", id),
  effects: async (world, orderId) => (await emitted(world, orderId, "com.example.payment.failed")).length,
  async check(world, orderId) {
    expect((await chargesOf(world, orderId)).map((row) => row.status)).toEqual(["declined"]);
    expect(await paymentOf(world, orderId)).toMatchObject({ status: "failed", declineCode: "card_declined" });
    const [failed] = await emitted(world, orderId, "com.example.payment.failed");
    expect(failed?.event.data).toMatchObject({ orderId, code: "card_declined" });
    expect(await emitted(world, orderId, "com.example.payment.completed")).toHaveLength(0);
  },
  sameOrder: "duplicate",
};

/** A charged order refunded once for `reason`; the refund key is the order, whatever the cause. */
function refund(type: "com.example.stock.insufficient" | "com.example.stock.released", reason: string): WebhookCase<WebhookWorld> {
  return {
    name: `${type.replace("com.example.", "")} → one refund (${reason})`,
    async prepare(world, label) {
      expect(await answerOf(await deliver(world.app, "payment", orderCreated(label)))).toBe("processed");
      return label;
    },
    event: (orderId, id) => eventFor(type, orderId, { id }),
    effects: async (world, orderId) => (await refundsOf(world, orderId)).length,
    async check(world, orderId) {
      expect((await paymentOf(world, orderId))?.status).toBe("refunded");
      const refunded = await emitted(world, orderId, "com.example.payment.refunded");
      expect(refunded.map((row) => row.event.data)).toEqual([expect.objectContaining({ orderId, reason })]);
    },
    sameOrder: "duplicate",
  };
}

const fixture: WebhookFixture<WebhookWorld> = {
  service: "payment",
  build(database) {
    const [clock, ids] = [createFixedClock(), createSequentialIds("pay")];
    const gateway = createSandboxGateway({ db: database.db, clock, ids });
    return worldOf(createApp, { db: database.db, gateway, clock, ids, log: createMemoryLogger() });
  },
  cases: [charge, declined, refund("com.example.stock.insufficient", "out_of_stock"), refund("com.example.stock.released", "reservation_expired")],
  refusals: {
    valid: charge,
    unhandled: "com.example.payment.completed",
    invalid: (orderId) => eventFor("com.example.order.created", orderId, { data: { totalAmount: -1 } }),
    invalidField: "data.totalAmount",
  },
};

webhookContract(fixture);
const world = testWorld(fixture);

describe("payment: a gateway timeout after the charge happened", () => {
  test.each([
    ["with the fast path", () => world().app],
    ["without the fast path", () => world().withoutFastPath()],
  ] as const)("%s: first delivery 5xx (retryable), the redelivery completes with the SAME charge", async (name, appFor) => {
    const orderId = `p-timeout-${name.replaceAll(" ", "-")}`;
    const event = orderCreated(orderId, "tok_timeout");
    const first = await deliver(appFor(), "payment", event);
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(first.headers.get("retry-after")).not.toBeNull();
    expect((await problemOf(first)).code).toBe("gateway.timeout");
    const [charge, ...more] = await chargesOf(world(), orderId);
    expect(more).toEqual([]);
    expect((await paymentOf(world(), orderId))?.status).toBe("charging");
    expect(await emitted(world(), orderId, "com.example.payment.completed")).toHaveLength(0);

    expect(await answerOf(await deliver(appFor(), "payment", event))).toBe("processed");
    expect(await answerOf(await deliver(appFor(), "payment", event))).toBe("duplicate");
    expect(await chargesOf(world(), orderId)).toHaveLength(1);
    await expectCharged(world(), orderId);
    expect((await paymentOf(world(), orderId))?.chargeId).toBe(charge!.id);
  });

  test("concurrent deliveries, one timing out: one charge, one payment.completed", async () => {
    const orderId = "p-timeout-concurrent";
    const event = orderCreated(orderId, "tok_timeout");
    const responses = await Promise.all([1, 2].map(() => deliver(world().withoutFastPath(), "payment", event)));
    for (const response of responses) expect([200, 504]).toContain(response.status);
    await deliver(world().withoutFastPath(), "payment", event);
    expect(await chargesOf(world(), orderId)).toHaveLength(1);
    await expectCharged(world(), orderId);
  });
});

describe("payment: refunds", () => {
  test("a declined order has nothing to refund", async () => {
    const orderId = "p-refund-declined";
    await deliver(world().app, "payment", orderCreated(orderId, "tok_declined"));
    expect(await answerOf(await deliver(world().app, "payment", eventFor("com.example.stock.insufficient", orderId)))).toBe("processed");
    expect(await refundsOf(world(), orderId)).toHaveLength(0);
    expect(await emitted(world(), orderId, "com.example.payment.refunded")).toHaveLength(0);
    expect((await paymentOf(world(), orderId))?.status).toBe("failed");
  });

  test("stock.released and stock.insufficient share the refund key: the second cause refunds nothing more", async () => {
    const orderId = "p-released";
    await deliver(world().app, "payment", orderCreated(orderId));
    expect(await answerOf(await deliver(world().app, "payment", eventFor("com.example.stock.released", orderId)))).toBe("processed");
    expect(await answerOf(await deliver(world().withoutFastPath(), "payment", eventFor("com.example.stock.insufficient", orderId)))).toBe("duplicate");
    expect(await refundsOf(world(), orderId)).toHaveLength(1);
    const refunds = await emitted(world(), orderId, "com.example.payment.refunded");
    expect(refunds.map((row) => row.event.data)).toEqual([expect.objectContaining({ orderId, reason: "reservation_expired" })]);
  });
});

test("GET /payments lists the order's payment to its customer, and without an orderId is a 400 naming it", async () => {
  await deliver(world().app, "payment", orderCreated("p-list"));
  const asOwner = { headers: { authorization: await bearerFor("user-of-p-list") } };
  const listed = (await (await world().app.request("/payments?orderId=p-list", asOwner)).json()) as { payments: Array<{ orderId: string; status: string }> };
  expect(listed.payments).toEqual([expect.objectContaining({ orderId: "p-list", status: "completed" })]);
  for (const path of ["/payments", "/payments?orderId="]) expect(await problemFields(await world().app.request(path, asOwner), 400)).toContain("orderId");
  expect((await world().app.request("/payments?orderId=p-list")).status).toBe(401);
});
