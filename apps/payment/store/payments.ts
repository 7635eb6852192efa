import { and, eq } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { ChargeRequested, PaymentState, PublishedPaymentEvent } from "../domain/types.ts";
import { payments, type PaymentStatus } from "./schema.ts";

type PaymentRow = typeof payments.$inferSelect;

/** The order's payment as the decider sees it; `none` when the order has none yet. */
export async function loadPayment(db: Executor, orderId: string): Promise<PaymentState> {
  const [row] = await db.select().from(payments).where(eq(payments.orderId, orderId));
  return stateOf(row);
}

/** Whose order it is, as payment learnt from order.created: the gateway's ledger answers only them (and staff). */
export async function customerOfOrder(db: Executor, orderId: string): Promise<string | undefined> {
  const [row] = await db.select({ userId: payments.userId }).from(payments).where(eq(payments.orderId, orderId));
  return row?.userId;
}

/**
 * Writes the intent with its gateway key unless the order has a payment (unique order_id: the
 * truth against double charges), and returns the payment as stored: when another delivery wrote
 * first, its intent is the one to charge.
 */
export async function recordIntent(db: Executor, { intent, at }: ChargeRequested): Promise<PaymentState> {
  const { paymentId, ...columns } = intent;
  const [inserted] = await db
    .insert(payments)
    .values({ ...columns, id: paymentId, status: "charging", createdAt: at, updatedAt: at })
    // Any conflict, not only on order_id: the gateway key pay-{orderId} is unique too, and a
    // concurrent insert that meets it there would raise instead (only the target is an arbiter).
    .onConflictDoNothing()
    .returning();
  return inserted ? stateOf(inserted) : loadPayment(db, intent.orderId);
}

/**
 * Moves the payment to the state a published event settles, if it is still in the state that
 * event follows: false when another delivery moved it first (the concurrency guard).
 */
export async function saveSettlement(db: Executor, event: PublishedPaymentEvent): Promise<boolean> {
  const { orderId } = event.data;
  switch (event.type) {
    case "com.example.payment.completed": {
      const { chargeId, data, at } = event;
      return transition(db, orderId, "charging", { status: "completed", chargeId, transactionId: data.transactionId, declineCode: null, updatedAt: at });
    }
    case "com.example.payment.failed": {
      const { chargeId, transactionId, declineCode, at } = event;
      return transition(db, orderId, "charging", { status: "failed", chargeId, transactionId, declineCode, updatedAt: at });
    }
    case "com.example.payment.refunded":
      return transition(db, orderId, "completed", { status: "refunded", refundId: event.data.refundId, updatedAt: event.at });
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

async function transition(db: Executor, orderId: string, from: PaymentStatus, change: Partial<PaymentRow> & { status: PaymentStatus }) {
  const moved = await db
    .update(payments)
    .set(change)
    .where(and(eq(payments.orderId, orderId), eq(payments.status, from)))
    .returning({ id: payments.id });
  return moved.length === 1;
}

function stateOf(row: PaymentRow | undefined): PaymentState {
  if (!row) return { status: "none" };
  const { id: paymentId, orderId, userId, idempotencyKey, amount, currency, method } = row;
  const intent = { paymentId, orderId, userId, idempotencyKey, amount, currency, method };
  switch (row.status) {
    case "charging":
    case "failed":
    case "refunded":
      return { status: row.status, intent };
    case "completed":
      // Only the move to completed writes the status, and it writes the charge id with it.
      if (!row.chargeId) throw new AppError("payment.charge_missing", `payment ${paymentId} is completed without a charge id`);
      return { status: "completed", intent, chargeId: row.chargeId };
    default: {
      const unreachable: never = row.status;
      return unreachable;
    }
  }
}
