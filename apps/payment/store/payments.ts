import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { ChargeRequested, PaymentState } from "../domain/types.ts";
import { payments } from "./schema.ts";

export type PaymentRow = typeof payments.$inferSelect;

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
 * Takes the charge for this delivery: writes the intent with its gateway key unless the order has
 * a payment (unique order_id: the truth against double charges), or, when one is still charging,
 * moves its `next_attempt_at` on so that the reconciler keeps off while this delivery asks the
 * gateway. Returns the payment as stored: when another delivery wrote first, its intent is the
 * one to charge; when it was settled meanwhile, there is nothing to charge.
 */
export async function recordIntent(db: Executor, { intent, at }: ChargeRequested, step: { causeId: string; nextAttemptAt: Date }): Promise<PaymentState> {
  const { paymentId, fulfilment, ...columns } = intent;
  const [inserted] = await db
    .insert(payments)
    .values({ ...columns, id: paymentId, fulfilment, status: "charging", ...step, createdAt: at, updatedAt: at })
    // Any conflict, not only on order_id: the gateway key pay-{orderId} is unique too, and a
    // concurrent insert that meets it there would raise instead (only the target is an arbiter).
    .onConflictDoNothing()
    .returning();
  if (inserted) return stateOf(inserted);
  const [taken] = await db
    .update(payments)
    .set({
      // Always later than before, even within the same millisecond as a reconciler's claim, so
      // that the claim's fence no longer holds.
      nextAttemptAt: sql`greatest(${step.nextAttemptAt.toISOString()}::timestamptz, ${payments.nextAttemptAt} + interval '1 millisecond')`,
      fulfilment: sql`coalesce(${payments.fulfilment}, ${JSON.stringify(fulfilment)}::jsonb)`,
      updatedAt: at,
    })
    .where(and(eq(payments.orderId, intent.orderId), eq(payments.status, "charging")))
    .returning();
  return taken ? stateOf(taken) : loadPayment(db, intent.orderId);
}

export function stateOf(row: PaymentRow | undefined): PaymentState {
  if (!row) return { status: "none" };
  const { id: paymentId, orderId, userId, idempotencyKey, amount, currency, method, fulfilment } = row;
  const intent = { paymentId, orderId, userId, idempotencyKey, amount, currency, method, fulfilment };
  switch (row.status) {
    case "charging":
      return { status: "charging", intent, lookups: row.attempts };
    case "failed":
    case "refunded":
      return { status: row.status, intent };
    case "completed":
      // Only the move to completed writes the status, and it writes the charge id with it.
      return { status: "completed", intent, chargeId: required(row, row.chargeId, "charge id") };
    case "refunding": {
      const refund = { idempotencyKey: required(row, row.refundKey, "refund key"), reason: required(row, row.refundReason, "refund reason"), attempts: row.attempts };
      return { status: "refunding", intent, chargeId: required(row, row.chargeId, "charge id"), refund };
    }
    case "needs_attention":
      return { status: "needs_attention", intent, reason: required(row, row.attentionReason, "reason") };
    default: {
      const unreachable: never = row.status;
      return unreachable;
    }
  }
}

/** Each move writes what its status needs with it; a row without it was written around the store. */
function required<T>(row: PaymentRow, value: T | null, what: string): T {
  if (value === null) throw new AppError("payment.row_incomplete", `payment ${row.id} is ${row.status} without its ${what}`);
  return value;
}
