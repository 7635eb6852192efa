import { and, eq, inArray, type SQL } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { PaymentEvent } from "../domain/types.ts";
import type { PaymentRow } from "./payments.ts";
import { payments, type PaymentStatus } from "./schema.ts";

/** Who writes, and what their write rests on. */
export type WriteGuard = {
  /** The reconciler's claim on the row (its `next_attempt_at`): the write happens only while it holds. */
  fence?: Date;
  /** A RefundRequested: the event that caused it, and until when the writer holds the refund. */
  causeId?: string;
  leaseUntil?: Date;
};

type Change = Partial<PaymentRow> & { status: PaymentStatus };

/**
 * Moves the payment as a decided event says, if it is still in a state that event follows (and,
 * for the reconciler, its claim still holds): false when another delivery or reconciler moved it
 * first (the concurrency guard, so only the writer that makes a move emits its event).
 */
export async function saveDecided(db: Executor, orderId: string, event: Exclude<PaymentEvent, { type: "ChargeRequested" }>, guard: WriteGuard): Promise<boolean> {
  const at = event.at;
  const settled = { nextAttemptAt: null, lastError: null, updatedAt: at };
  switch (event.type) {
    case "com.example.payment.completed":
      return transition(db, orderId, ["charging"], guard, { status: "completed", chargeId: event.chargeId, transactionId: event.data.transactionId, declineCode: null, ...settled });
    case "com.example.payment.failed": {
      const { chargeId, transactionId, declineCode } = event;
      return transition(db, orderId, ["charging"], guard, { status: "failed", chargeId, transactionId, declineCode, ...settled });
    }
    case "com.example.payment.refunded":
      return transition(db, orderId, ["refunding"], guard, { status: "refunded", refundId: event.data.refundId, ...settled });
    case "com.example.payment.escalated":
      return transition(db, orderId, ["charging", "refunding"], guard, { ...settled, status: "needs_attention", attentionReason: event.data.reason, lastError: event.data.detail });
    case "LookupDeferred":
      return transition(db, orderId, ["charging"], guard, { status: "charging", attempts: event.lookups, lastError: event.lastError, nextAttemptAt: event.retryAt, updatedAt: at });
    case "RefundRequested": {
      if (!guard.leaseUntil) throw new AppError("payment.refund_without_lease", "a refund is recorded with the time its writer holds it until");
      const refund = { refundKey: event.idempotencyKey, refundReason: event.reason, attempts: 0, causeId: guard.causeId ?? null };
      return transition(db, orderId, ["completed"], guard, { status: "refunding", ...refund, nextAttemptAt: guard.leaseUntil, lastError: null, updatedAt: at });
    }
    case "RefundDeferred":
      return transition(db, orderId, ["refunding"], guard, { status: "refunding", attempts: event.attempts, lastError: event.lastError, nextAttemptAt: event.retryAt, updatedAt: at });
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

async function transition(db: Executor, orderId: string, from: PaymentStatus[], guard: WriteGuard, change: Change): Promise<boolean> {
  const conditions: SQL[] = [eq(payments.orderId, orderId), inArray(payments.status, from)];
  if (guard.fence) conditions.push(eq(payments.nextAttemptAt, guard.fence));
  const moved = await db.update(payments).set(change).where(and(...conditions)).returning({ id: payments.id });
  return moved.length === 1;
}
