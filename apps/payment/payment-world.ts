import { afterAll, beforeAll } from "bun:test";
import { eq } from "drizzle-orm";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { Database } from "../../lib/db/index.ts";
import type { EventType } from "../../lib/events/index.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { createSandboxGateway, gatewayCharges, gatewayRefunds, type PaymentGateway } from "../../lib/payment-gateway/index.ts";
import { createTestDatabase, emittedEvents, eventFor, testSecurity } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import type { PaymentDeps } from "./deps.ts";
import { recoveryPolicy } from "./recovery.ts";
import { outbox, payments } from "./store/schema.ts";

type Call = keyof PaymentGateway;

/**
 * Payment on a PGlite of the test file's own, for the tests of what happens when the gateway does
 * not answer: the sandbox behind a switch that makes each kind of call fail on demand, a clock the
 * test moves, and short retry policies (3 lookups, 3 refund attempts, 1 s apart at first).
 */
export function paymentWorld() {
  let database: Database | undefined;
  const clock = createFixedClock();
  const failing = new Map<Call, () => Error>();
  const recovery = recoveryPolicy({ staleAfterMs: 60_000, lookupAttempts: 3, refundAttempts: 3, refundBackoffMs: 1_000 });
  let deps: PaymentDeps | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    const sandbox = createSandboxGateway({ db: database.db, clock, ids: createSequentialIds("gw") });
    const fail = <A, R>(call: Call, real: (argument: A) => Promise<R>) => async (argument: A) => {
      const error = failing.get(call);
      if (error) throw error();
      return real(argument);
    };
    const gateway: PaymentGateway = { charge: fail("charge", sandbox.charge), refund: fail("refund", sandbox.refund), lookup: fail("lookup", sandbox.lookup) };
    deps = { db: database.db, idempotency: createMemoryIdempotencyStore(), security: testSecurity, gateway, clock, ids: createSequentialIds("pay"), log: createMemoryLogger(), recovery };
  }, 60_000);
  afterAll(async () => database?.close(), 60_000);

  const opened = () => {
    if (!deps) throw new Error("the payment world is opened in beforeAll");
    return deps;
  };
  const db = () => opened().db;
  return {
    clock,
    recovery,
    deps: opened,
    app: () => createApp(opened()),
    /** Every call of this kind fails with `error` until `heal`. */
    fail: (call: Call, error: () => Error) => void failing.set(call, error),
    heal: () => failing.clear(),
    orderCreated: (orderId: string, token = "tok_visa") => eventFor("com.example.order.created", orderId, { data: { payment: { method: "credit_card", token } } }),
    payment: async (orderId: string) => (await db().select().from(payments).where(eq(payments.orderId, orderId)))[0],
    charges: (orderId: string) => db().select().from(gatewayCharges).where(eq(gatewayCharges.orderId, orderId)),
    refundsOf: async (orderId: string) => {
      const charges = await db().select().from(gatewayCharges).where(eq(gatewayCharges.orderId, orderId));
      const refunds = await db().select().from(gatewayRefunds);
      return refunds.filter((refund) => charges.some((charge) => charge.id === refund.chargeId));
    },
    emitted: (orderId: string, type: EventType) => emittedEvents(db(), outbox, orderId, type),
  };
}
